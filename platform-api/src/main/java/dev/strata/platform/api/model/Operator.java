package dev.strata.platform.api.model;

import java.util.Set;

/**
 * The legal entity that operates a site and the jurisdictions it is subject to. A US-owned
 * operator of a Frankfurt region is subject to {@code US} law as well as {@code EU}/{@code DE}.
 *
 * @param name legal entity name
 * @param jurisdictions jurisdiction codes (ISO 3166-1 alpha-2, or {@code EU}), never null
 */
public record Operator(String name, Set<String> jurisdictions) {
    public Operator {
        Checks.requireText(name, "operator.name");
        jurisdictions = Checks.copySet(jurisdictions, "operator.jurisdictions");
    }
}
