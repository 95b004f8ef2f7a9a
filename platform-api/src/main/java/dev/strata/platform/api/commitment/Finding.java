package dev.strata.platform.api.commitment;

import java.util.Objects;

/**
 * One clause of a contract that does not hold as committed.
 *
 * @param member the member it concerns, or {@code *} for the whole contract
 * @param clause the clause's path in the contract, as placement's evidence names it
 *     ({@code sovereignty.countries}, {@code isolation}, {@code members.trainer.gpus})
 * @param status {@link CommitmentStatus#AT_RISK} or {@link CommitmentStatus#BREACHED}
 * @param evidence what holds now and what the contract requires, e.g.
 *     {@code node fra-1-h100-03 is at site fra-1, country US, not in [DE, FR]}
 */
public record Finding(String member, String clause, CommitmentStatus status, String evidence) {
    public Finding {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(clause, "clause");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(evidence, "evidence");
    }

    @Override
    public String toString() {
        return member + " " + clause + " " + status + ": " + evidence;
    }
}
