package dev.strata.platform.api.placement;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The answer to a contract: where each member goes and why, or why nothing fits. A plain
 * record, so it can be persisted and audited as it is.
 *
 * @param contract the contract's name
 * @param tenant its tenant
 * @param placed whether every member was bound (a gang is placed whole or not at all)
 * @param dryRun whether the ledger was left untouched
 * @param allocationId the ledger entry holding the reservation; null for a dry run or when not placed
 * @param bindings one per member when placed, else empty
 * @param evidence per clause, what satisfied it
 * @param rejections why nodes were not chosen, counted, first failed constraint per node
 * @param summary one line saying what happened
 * @param inventoryGeneration the inventory snapshot decided on
 * @param ledgerGeneration the ledger generation decided on (committed at generation + 1)
 * @param nodesConsidered how many nodes the hard constraints judged (every node of the inventory)
 * @param took how long the decision took
 */
public record PlacementDecision(String contract, String tenant, boolean placed, boolean dryRun, String allocationId,
        List<MemberBinding> bindings, List<ClauseEvidence> evidence, List<Rejection> rejections, String summary,
        long inventoryGeneration, long ledgerGeneration, int nodesConsidered, Duration took) {
    public PlacementDecision {
        Objects.requireNonNull(contract, "contract");
        bindings = List.copyOf(bindings);
        evidence = List.copyOf(evidence);
        rejections = List.copyOf(rejections);
        Objects.requireNonNull(took, "took");
    }
}
