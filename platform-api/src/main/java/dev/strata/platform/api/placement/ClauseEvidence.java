package dev.strata.platform.api.placement;

/**
 * A clause of a contract and what satisfied it, e.g.
 * {@code sovereignty.countries: site fra-1 country=DE}.
 *
 * @param clause the clause's path in the contract
 * @param evidence what in the inventory satisfied it
 */
public record ClauseEvidence(String clause, String evidence) {
    @Override
    public String toString() {
        return clause + ": " + evidence;
    }
}
