package dev.strata.provider.openstack;

import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.testkit.ComputeProviderContract;
import dev.strata.provider.openstack.placement.Inventory;
import dev.strata.provider.openstack.placement.PlacementClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The compute contract of the test kit, run on the OpenStack provider reading a real Placement
 * (alone, noauth2) that holds two compute nodes, one with a nested GPU provider.
 */
class OpenStackComputeContractTest extends ComputeProviderContract<OpenStackCloudProvider> {

    static PlacementServer server;
    static Path dir;
    static OpenStackCloudProvider writer;
    static List<String> made = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString(), UUID.randomUUID().toString());

    @BeforeAll
    static void cloud() throws Exception {
        server = SharedPlacement.get();
        dir = Files.createTempDirectory("strata-contract");
        writer = TestClouds.placementOnly(server.url(), dir, 1);
        PlacementClient p = writer.placement();
        DiscoveryContext c = TestClouds.context();
        String tag = UUID.randomUUID().toString().substring(0, 6);
        p.createProvider(made.get(0), "contract-" + tag + "-a", null, c);
        p.putInventories(made.get(0), 0, Map.of("VCPU", Inventory.of("VCPU", 8), "MEMORY_MB", Inventory.of("MEMORY_MB", 4096)), c);
        p.createProvider(made.get(1), "contract-" + tag + "-b", null, c);
        p.putInventories(made.get(1), 0, Map.of("VCPU", Inventory.of("VCPU", 4), "MEMORY_MB", Inventory.of("MEMORY_MB", 2048)), c);
        p.createProvider(made.get(2), "contract-" + tag + "-b_pgpu", made.get(1), c);
        long g = p.putInventories(made.get(2), 0, Map.of("PGPU", Inventory.of("PGPU", 2)), c);
        p.putTraits(made.get(2), g, Set.of("HW_CPU_X86_AVX2"), c);
    }

    @AfterAll
    static void cleanUp() {
        if (writer != null) {
            DiscoveryContext c = TestClouds.context();
            for (String rp : List.of(made.get(2), made.get(1), made.get(0))) {
                writer.placement().deleteProvider(rp, c);
            }
            writer.deactivate();
            SharedPlacement.deleteTree(dir);
        }
    }

    @Override
    protected OpenStackCloudProvider createProvider() {
        return TestClouds.placementOnly(server.url(), dir, 4);
    }

    @Override
    protected Optional<OpenStackCloudProvider> createBrokenProvider() {
        return Optional.of(TestClouds.placementOnly(URI.create("http://127.0.0.1:" + Peers.freePort()), dir, 2));
    }

    @Override
    protected void release(OpenStackCloudProvider provider) {
        provider.deactivate();
    }

    @Override
    protected String providerId() {
        return "placement-test";
    }
}
