package dev.strata.platform.core.store;

/**
 * What a store is.
 *
 * @param kind {@code embedded} (H2) or {@code postgresql}
 * @param location where: the H2 file, or the JDBC URL (never credentials)
 * @param user the database user
 * @param schemaVersion the highest migration applied
 * @param logId the provenance log's id
 * @param durability how an acknowledged write is kept: {@code fsync} or {@code write} (embedded),
 *     {@code server} (PostgreSQL: its own commit)
 */
public record StoreInfo(String kind, String location, String user, int schemaVersion, String logId, String durability) {
}
