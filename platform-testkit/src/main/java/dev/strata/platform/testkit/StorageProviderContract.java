package dev.strata.platform.testkit;

import static dev.strata.platform.testkit.ShownIds.assertShown;
import static dev.strata.platform.testkit.ShownIds.shown;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.platform.api.model.StoragePool;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.StorageProvider;
import dev.strata.platform.api.provider.StorageSnapshot;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The contract of {@link StorageProvider}: the obligations of {@link ProviderContract}, and a
 * storage snapshot is complete when its pool ids are unique and every pool names its site, and a
 * pool's id and site id show as themselves (the inventory leaves out a pool whose id or site id
 * holds a control or format character, a line or paragraph separator or half of a surrogate pair).
 *
 * @param <P> the provider type
 */
public abstract class StorageProviderContract<P extends StorageProvider> extends ProviderContract<P, StorageSnapshot> {

    @Override
    protected final StorageSnapshot discover(P provider, DiscoveryContext context) {
        return provider.discoverStorage(context);
    }

    @Override
    protected final long generation(StorageSnapshot snapshot) {
        return snapshot.generation();
    }

    @Override
    protected final Set<String> ids(StorageSnapshot snapshot) {
        Set<String> ids = new LinkedHashSet<>();
        snapshot.pools().forEach(p -> ids.add(p.id()));
        return ids;
    }

    @Override
    protected void assertComplete(StorageSnapshot snapshot) {
        assertNotNull(snapshot.takenAt(), "takenAt");
        Set<String> ids = new HashSet<>();
        for (StoragePool pool : snapshot.pools()) {
            assertShown("a storage pool", "id", pool.id(), "the inventory leaves the pool out");
            assertShown("storage pool " + shown(pool.id()), "site id", pool.siteId(), "the inventory leaves the pool out");
            assertTrue(ids.add(pool.id()), "storage pool " + pool.id() + " is in the snapshot twice");
            assertTrue(pool.siteId() != null && !pool.siteId().isBlank(), "storage pool " + pool.id() + " names no site");
        }
        snapshot.warnings().forEach(w -> assertTrue(w != null && !w.isBlank(), "a blank warning"));
    }
}
