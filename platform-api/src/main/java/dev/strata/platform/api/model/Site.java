package dev.strata.platform.api.model;

import java.util.Objects;
import java.util.Set;

/**
 * A place resources live.
 *
 * @param id unique site id, e.g. {@code fra-1}
 * @param providerId the provider that reported the site
 * @param region provider region, or null
 * @param zone provider zone, or null
 * @param country ISO 3166-1 alpha-2 country code, or null when unknown
 * @param jurisdictions the jurisdictions whose law applies at the site (e.g. {@code EU}, {@code DE})
 * @param operator the operator, or null when unknown
 * @param certifications certifications held by the site (e.g. {@code ISO27001}, {@code C5})
 * @param powerBudgetWatts the site's power budget in watts, 0 when unknown
 * @param floorSpaceSquareMetres usable floor space, 0 when unknown
 */
public record Site(
        String id,
        String providerId,
        String region,
        String zone,
        String country,
        Set<String> jurisdictions,
        Operator operator,
        Set<String> certifications,
        long powerBudgetWatts,
        double floorSpaceSquareMetres) {

    public Site {
        Checks.requireText(id, "site.id");
        Checks.requireText(providerId, "site.providerId");
        if (country != null && !country.matches("[A-Z]{2}")) {
            throw new IllegalArgumentException(
                    "site " + id + ": country '" + country + "' is not an ISO 3166-1 alpha-2 code; expected e.g. DE");
        }
        jurisdictions = Set.copyOf(Objects.requireNonNull(jurisdictions, "site.jurisdictions"));
        certifications = Set.copyOf(Objects.requireNonNull(certifications, "site.certifications"));
        Checks.requireNonNegative(powerBudgetWatts, "site.powerBudgetWatts");
        Checks.requireNonNegative(floorSpaceSquareMetres, "site.floorSpaceSquareMetres");
    }

    /** A site known only by id, for providers that report nothing else about where they run. */
    public static Site local(String id, String providerId) {
        return new Site(id, providerId, null, null, null, Set.of(), null, Set.of(), 0, 0);
    }
}
