package dev.strata.platform.core.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Contracts exactly as they were submitted (the document's text), with who submitted them and when. */
public interface ContractStore {

    /**
     * Stores a submitted contract under a new id ({@code c-000042}).
     *
     * @param why the provenance record appended with it, or null
     */
    CompletableFuture<StoredContract> put(NewContract contract, ProvenanceEntry why);

    /** One contract. */
    Optional<StoredContract> get(String id);

    /** Contracts, newest first; of one tenant when {@code tenant} is not null. */
    List<StoredContract> list(String tenant, int limit);
}
