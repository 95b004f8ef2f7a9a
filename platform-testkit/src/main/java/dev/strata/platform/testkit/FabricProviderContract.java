package dev.strata.platform.testkit;

import static dev.strata.platform.testkit.ShownIds.assertShown;
import static dev.strata.platform.testkit.ShownIds.shown;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.FabricProvider;
import dev.strata.platform.api.provider.FabricSnapshot;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The contract of {@link FabricProvider}: the obligations of {@link ProviderContract}, and a fabric
 * snapshot is complete when its fabric ids are unique and every fabric has a type, and a fabric's
 * id, site id and member ids show as themselves (the inventory leaves out a fabric whose id or site
 * id holds a control or format character, a line or paragraph separator or half of a surrogate
 * pair, and drops such a member).
 *
 * @param <P> the provider type
 */
public abstract class FabricProviderContract<P extends FabricProvider> extends ProviderContract<P, FabricSnapshot> {

    @Override
    protected final FabricSnapshot discover(P provider, DiscoveryContext context) {
        return provider.discoverFabrics(context);
    }

    @Override
    protected final long generation(FabricSnapshot snapshot) {
        return snapshot.generation();
    }

    @Override
    protected final Set<String> ids(FabricSnapshot snapshot) {
        Set<String> ids = new LinkedHashSet<>();
        snapshot.fabrics().forEach(f -> ids.add(f.id()));
        return ids;
    }

    @Override
    protected void assertComplete(FabricSnapshot snapshot) {
        assertNotNull(snapshot.takenAt(), "takenAt");
        Set<String> ids = new HashSet<>();
        for (Fabric f : snapshot.fabrics()) {
            assertShown("a fabric", "id", f.id(), "the inventory leaves the fabric out");
            assertShown("fabric " + shown(f.id()), "site id", f.siteId(), "the inventory leaves the fabric out");
            f.members().forEach(m -> assertShown("fabric " + shown(f.id()), "member id", m,
                    "the inventory drops it from the fabric's members"));
            assertTrue(ids.add(f.id()), "fabric " + f.id() + " is in the snapshot twice");
            assertNotNull(f.type(), "fabric " + f.id() + " has no type");
        }
        snapshot.warnings().forEach(w -> assertTrue(w != null && !w.isBlank(), "a blank warning"));
    }
}
