package dev.strata.platform.core.store;

import dev.strata.platform.api.placement.Allocation;

/**
 * A durable change of the ledger.
 *
 * @param generation the generation after it
 * @param allocation the allocation added or removed
 * @param provenanceSeq the provenance record appended with it, 0 for none
 */
public record LedgerChange(long generation, Allocation allocation, long provenanceSeq) {
}
