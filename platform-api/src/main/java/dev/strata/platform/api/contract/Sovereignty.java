package dev.strata.platform.api.contract;

import java.util.Objects;
import java.util.Set;

/**
 * Where a workload's data may live and whose law may reach it.
 *
 * @param countries allowed site countries (ISO 3166-1 alpha-2); empty allows any
 * @param jurisdictions every site must be under at least one of these jurisdictions (e.g. {@code EU}); empty allows any
 * @param excludedOperatorJurisdictions the site's operator must be subject to none of these (e.g. {@code US})
 * @param dataClass a label for the data (e.g. {@code confidential}), recorded with the decision; may be null
 */
public record Sovereignty(Set<String> countries, Set<String> jurisdictions, Set<String> excludedOperatorJurisdictions, String dataClass) {
    public static final Sovereignty ANY = new Sovereignty(Set.of(), Set.of(), Set.of(), null);

    public Sovereignty {
        countries = Set.copyOf(Objects.requireNonNull(countries, "countries"));
        jurisdictions = Set.copyOf(Objects.requireNonNull(jurisdictions, "jurisdictions"));
        excludedOperatorJurisdictions = Set.copyOf(Objects.requireNonNull(excludedOperatorJurisdictions, "excludedOperatorJurisdictions"));
    }

    public boolean unrestricted() {
        return countries.isEmpty() && jurisdictions.isEmpty() && excludedOperatorJurisdictions.isEmpty();
    }
}
