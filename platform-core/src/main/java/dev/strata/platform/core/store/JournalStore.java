package dev.strata.platform.core.store;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The journal providers keep of their own operations (table {@code provider_journal}), behind
 * {@link dev.strata.platform.api.provisioning.ProviderJournal}: one record per provider and
 * operation, replaced as a whole. Not in the provenance log: a record is the provider's working
 * note of what it is about to do, not a decision of Strata's.
 */
public interface JournalStore {

    /** The record of an operation, if one is stored. */
    Optional<String> get(String providerId, String operationId);

    /** Every record of a provider, by operation id, sorted. */
    Map<String, String> all(String providerId);

    /** Stores a record, replacing the one before; completes once durable. */
    CompletableFuture<Void> put(String providerId, String operationId, String record);
}
