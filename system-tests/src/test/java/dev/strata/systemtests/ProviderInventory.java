package dev.strata.systemtests;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provider.ComputeProvider;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.FabricProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * One provider's discovery as the inventory (the OSGi inventory service merges several
 * providers; here there is one): its compute snapshot and, where it has them, its fabrics. The
 * last good snapshot stays when the provider cannot be reached. The provider may be replaced
 * between discoveries (a supplier gives the current one), as a bundle update replaces it.
 */
final class ProviderInventory implements Inventory {
    private final Supplier<? extends ComputeProvider> compute;
    private final FabricProvider fabrics;
    private final UnaryOperator<Node> facts;
    private final AtomicLong generation = new AtomicLong();
    private volatile InventorySnapshot last;

    /** @param fabrics the provider's fabric discovery, or null when it has none */
    ProviderInventory(ComputeProvider compute, FabricProvider fabrics) {
        this(() -> compute, fabrics, UnaryOperator.identity());
    }

    /**
     * @param facts adds to each node what another source would (the declared inventory, an
     *     in-band reader, which the OSGi inventory service joins by machine identity)
     */
    ProviderInventory(ComputeProvider compute, FabricProvider fabrics, UnaryOperator<Node> facts) {
        this(() -> compute, fabrics, facts);
    }

    /**
     * @param compute the provider in place now, asked at every discovery
     * @param fabrics the provider's fabric discovery, or null when it has none
     */
    ProviderInventory(Supplier<? extends ComputeProvider> compute, FabricProvider fabrics, UnaryOperator<Node> facts) {
        this.compute = compute;
        this.fabrics = fabrics;
        this.facts = facts;
    }

    @Override
    public InventorySnapshot snapshot() {
        InventorySnapshot s = last;
        return s != null ? s : refresh(Duration.ofSeconds(30));
    }

    @Override
    public synchronized InventorySnapshot refresh(Duration maxWait) {
        DiscoveryContext context = DiscoveryContext.withTimeout("inventory", Duration.ofSeconds(60));
        ComputeSnapshot c = compute.get().discoverCompute(context);
        InventorySnapshot s = new InventorySnapshot(generation.incrementAndGet(), Instant.now(), c.sites(), c.nodes().stream().map(facts).toList(),
                fabrics == null ? List.of() : fabrics.discoverFabrics(context).fabrics(), List.of(), List.of(), c.offers(), List.of());
        last = s;
        return s;
    }
}
