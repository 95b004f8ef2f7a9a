package dev.strata.platform.api.inventory;

import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import java.time.Duration;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The merged inventory of every provider's latest snapshot. Offered by the core. Thread-safe.
 *
 * <p>Reads never block and never fail because a provider is being replaced: a departed
 * provider's resources stay, marked {@link dev.strata.platform.api.model.ResourceState#STALE},
 * until the provider rediscovers them or a configurable grace period ends.
 */
@ProviderType
public interface Inventory {

    /** The current merged snapshot. */
    InventorySnapshot snapshot();

    /** The node with this id in the current snapshot. */
    default Optional<Node> node(String id) {
        return snapshot().node(id);
    }

    /**
     * Rediscovers every provider now (see {@link ProviderRegistry#refresh}) and returns the
     * resulting snapshot. Providers that fail keep their previous resources, stale.
     *
     * @param maxWait how long to wait for departed providers to return
     * @throws IllegalArgumentException when {@code maxWait} is null or negative
     */
    InventorySnapshot refresh(Duration maxWait);
}
