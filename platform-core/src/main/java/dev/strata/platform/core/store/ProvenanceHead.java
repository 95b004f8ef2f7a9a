package dev.strata.platform.core.store;

/**
 * The end of the provenance log.
 *
 * @param seq the last record's number, 0 for none
 * @param hash its hash, or the genesis value
 */
public record ProvenanceHead(long seq, String hash) {
}
