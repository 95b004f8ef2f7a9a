package dev.strata.provider.aws.sovereignty;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What Strata reports about where a region is and whose law reaches it.
 *
 * @param region the region code
 * @param location AWS's name of the place, e.g. {@code Europe (Frankfurt)}
 * @param country ISO 3166-1 alpha-2 code
 * @param jurisdictions the jurisdictions whose law applies in the region
 * @param operatorName the legal entity that runs the region
 * @param operatorJurisdictions the jurisdictions that operator is subject to (its own and, where it
 *     is subject to local law, the region's)
 * @param sources where the facts come from, as {@code title <url>}
 */
public record RegionFacts(String region, String location, String country, Set<String> jurisdictions, String operatorName,
        Set<String> operatorJurisdictions, List<String> sources) {
    public RegionFacts {
        Objects.requireNonNull(region, "region");
        jurisdictions = Set.copyOf(jurisdictions);
        operatorJurisdictions = Set.copyOf(operatorJurisdictions);
        sources = List.copyOf(sources);
    }
}
