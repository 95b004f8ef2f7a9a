package dev.strata.platform.core.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Tenants: the parties contracts are placed for. */
public interface TenantStore {

    /**
     * Creates or updates a tenant (its name and attributes; the creation time stays).
     *
     * @param why the provenance record appended with it, or null
     */
    CompletableFuture<Tenant> put(Tenant tenant, ProvenanceEntry why);

    /** One tenant. */
    Optional<Tenant> get(String id);

    /** Every tenant, by id. */
    List<Tenant> list();
}
