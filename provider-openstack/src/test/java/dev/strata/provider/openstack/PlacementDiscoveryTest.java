package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.NumaNode;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.Generations;
import dev.strata.platform.api.provisioning.LargestMachine;
import dev.strata.provider.openstack.http.Microversion;
import dev.strata.provider.openstack.placement.Inventory;
import dev.strata.provider.openstack.placement.PlacementClient;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery against a real Placement (noauth2, SQLite): compute nodes with nested providers as
 * they are (a flat host with a PGPU child and a custom resource child; a host modelled with NUMA
 * children and a GPU under one of them; a sharing provider that is no node), allocations, traits
 * and aggregates. The expected figures are worked out by hand from what the test wrote.
 */
class PlacementDiscoveryTest {

    private static final long MIB = 1L << 20;
    @TempDir
    static Path dir;
    static PlacementServer server;
    static PlacementClient writer;
    static OpenStackCloudProvider provider;
    static String suffix = UUID.randomUUID().toString().substring(0, 8);
    static String cn1 = UUID.randomUUID().toString();
    static String cn1Gpu = UUID.randomUUID().toString();
    static String cn1Magic = UUID.randomUUID().toString();
    static String cn2 = UUID.randomUUID().toString();
    static String cn2Numa0 = UUID.randomUUID().toString();
    static String cn2Numa1 = UUID.randomUUID().toString();
    static String cn2Gpu = UUID.randomUUID().toString();
    static String cn3 = UUID.randomUUID().toString();
    static String cn3Gpu0 = UUID.randomUUID().toString();
    static String cn3Gpu1 = UUID.randomUUID().toString();
    static String sharing = UUID.randomUUID().toString();
    static String consumer = UUID.randomUUID().toString();
    static String aggregate = UUID.randomUUID().toString();

    @BeforeAll
    static void cloud() throws Exception {
        server = SharedPlacement.get();
        provider = TestClouds.placementOnly(server.url(), dir, 4);
        writer = provider.placement();
        DiscoveryContext c = TestClouds.context();
        writer.ensureResourceClass("CUSTOM_MAGIC", c);
        writer.ensureTrait("CUSTOM_GPU_NVIDIA_A100", c);
        writer.ensureTrait("CUSTOM_GPU_NVIDIA_H100", c);

        writer.createProvider(cn1, "cn-1-" + suffix, null, c);
        long g = writer.putInventories(cn1, 0, Map.of(
                "VCPU", new Inventory("VCPU", 16, 0, 1, 16, 1, 4.0),
                "MEMORY_MB", new Inventory("MEMORY_MB", 65536, 512, 1, 65536, 1, 1.0),
                "DISK_GB", new Inventory("DISK_GB", 1000, 0, 1, 1000, 1, 1.0)), c);
        g = writer.putTraits(cn1, g, Set.of("HW_CPU_X86_AVX2", "COMPUTE_STATUS_DISABLED"), c);
        writer.putAggregates(cn1, g, Set.of(aggregate), c);
        writer.createProvider(cn1Gpu, "cn-1-" + suffix + "_pci_0000_84_00_0", cn1, c);
        g = writer.putInventories(cn1Gpu, 0, Map.of("PGPU", new Inventory("PGPU", 2, 0, 1, 2, 1, 1.0)), c);
        writer.putTraits(cn1Gpu, g, Set.of("CUSTOM_GPU_NVIDIA_A100"), c);
        writer.createProvider(cn1Magic, "cn-1-" + suffix + "-child", cn1, c);
        writer.putInventories(cn1Magic, 0, Map.of("CUSTOM_MAGIC", Inventory.of("CUSTOM_MAGIC", 10)), c);

        writer.createProvider(cn2, "cn-2-" + suffix, null, c);
        writer.putInventories(cn2, 0, Map.of("DISK_GB", Inventory.of("DISK_GB", 500)), c);
        for (String numa : List.of(cn2Numa0, cn2Numa1)) {
            writer.createProvider(numa, "cn-2-" + suffix + "_numa" + (numa.equals(cn2Numa0) ? 0 : 1), cn2, c);
            g = writer.putInventories(numa, 0, Map.of("VCPU", Inventory.of("VCPU", 8), "MEMORY_MB", Inventory.of("MEMORY_MB", 32768)), c);
            writer.putTraits(numa, g, Set.of("HW_NUMA_ROOT"), c);
        }
        writer.createProvider(cn2Gpu, "cn-2-" + suffix + "_numa1_pgpu", cn2Numa1, c);
        g = writer.putInventories(cn2Gpu, 0, Map.of("PGPU", Inventory.of("PGPU", 1)), c);
        writer.putTraits(cn2Gpu, g, Set.of("CUSTOM_GPU_NVIDIA_H100"), c);

        // a host whose two GPUs are each a provider of their own (as PCI devices in Placement are)
        writer.createProvider(cn3, "cn-3-" + suffix, null, c);
        writer.putInventories(cn3, 0, Map.of("VCPU", Inventory.of("VCPU", 8), "MEMORY_MB", Inventory.of("MEMORY_MB", 16384)), c);
        for (String pci : List.of(cn3Gpu0, cn3Gpu1)) {
            writer.createProvider(pci, "cn-3-" + suffix + "_pci_" + (pci.equals(cn3Gpu0) ? 0 : 1), cn3, c);
            g = writer.putInventories(pci, 0, Map.of("PGPU", Inventory.of("PGPU", 1)), c);
            writer.putTraits(pci, g, Set.of("CUSTOM_GPU_NVIDIA_A100"), c);
        }

        writer.createProvider(sharing, "shared-disk-" + suffix, null, c);
        g = writer.putInventories(sharing, 0, Map.of("DISK_GB", Inventory.of("DISK_GB", 10000)), c);
        g = writer.putTraits(sharing, g, Set.of("MISC_SHARES_VIA_AGGREGATE"), c);
        writer.putAggregates(sharing, g, Set.of(aggregate), c);

        writer.allocate(consumer, Map.of(cn1, Map.of("VCPU", 6L, "MEMORY_MB", 4096L), cn1Gpu, Map.of("PGPU", 1L), cn1Magic,
                Map.of("CUSTOM_MAGIC", 3L)), UUID.randomUUID().toString(), UUID.randomUUID().toString(), c);
    }

    @AfterAll
    static void cleanUp() {
        if (writer == null) {
            return;
        }
        DiscoveryContext c = TestClouds.context();
        writer.deleteAllocations(consumer, c);
        for (String rp : List.of(cn1Gpu, cn1Magic, cn1, cn2Gpu, cn2Numa0, cn2Numa1, cn2, cn3Gpu0, cn3Gpu1, cn3, sharing)) {
            writer.deleteProvider(rp, c);
        }
        provider.deactivate();
    }

    /**
     * A new instance of the provider (its bundle restarted or updated, Karaf restarted) whose clock is an hour behind the
     * earlier instance's hands out generations above the earlier instance's, through the mark each configuration keeps in
     * the data folder under its own provider id. Before, generations were the clock from memory: the new instance's went
     * back an hour, and the core warned that they must increase across bundle versions until the clock caught up.
     */
    @Test
    void generationsStayAboveAnEarlierInstancesAfterARestartWithTheClockSetBack(@TempDir Path data) {
        OpenStackCloudProvider before = TestClouds.placementOnly(server.url(), dir, 2, Map.of(), Clock.systemUTC(), data);
        long last;
        try {
            long first = before.discoverCompute(TestClouds.context()).generation();
            last = before.discoverCompute(TestClouds.context()).generation();
            assertThat(last).isGreaterThan(first);
        } finally {
            before.deactivate();
        }

        OpenStackCloudProvider after = TestClouds.placementOnly(server.url(), dir, 2, Map.of(),
                Clock.offset(Clock.systemUTC(), Duration.ofHours(-1)), data);
        try {
            ComputeSnapshot snapshot = after.discoverCompute(TestClouds.context());
            assertThat(snapshot.generation()).as("above the earlier instance's, its clock an hour ahead").isGreaterThan(last);
            assertThat(snapshot.warnings()).noneMatch(w -> w.contains("generation"));
            assertThat(Generations.file(data, "openstack", "placement-test")).isRegularFile();
        } finally {
            after.deactivate();
        }
    }

    private static Node node(ComputeSnapshot snapshot, String name) {
        return snapshot.nodes().stream().filter(n -> n.hostname().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no node " + name + " in " + snapshot.nodes().stream().map(Node::id).toList()));
    }

    /**
     * A host whose inventory no machine has (a PGPU, VCPU or MEMORY_MB allocation_ratio typed a
     * thousandfold, which Placement accepts) is left out with a warning naming it and what is wrong;
     * the other hosts are nodes as before. Before, each of its 100,000 PGPU became an accelerator,
     * a memory past a long failed the whole cloud's discovery, and 16 million VCPU (one core
     * each) filled the heap of the JVM running this test.
     */
    @Test
    void aHostWithAnInventoryNoMachineHasIsLeftOutAndTheOthersAreNodes() {
        DiscoveryContext c = TestClouds.context();
        String gpus = UUID.randomUUID().toString();
        String gpusChild = UUID.randomUUID().toString();
        String memory = UUID.randomUUID().toString();
        String cpus = UUID.randomUUID().toString();
        try {
            writer.createProvider(gpus, "absurd-gpus-" + suffix, null, c);
            writer.putInventories(gpus, 0, Map.of("VCPU", Inventory.of("VCPU", 8), "MEMORY_MB", Inventory.of("MEMORY_MB", 16384)), c);
            writer.createProvider(gpusChild, "absurd-gpus-" + suffix + "_pci_0", gpus, c);
            writer.putInventories(gpusChild, 0, Map.of("PGPU", new Inventory("PGPU", 2, 0, 1, 2, 1, 50_000.0)), c);
            writer.createProvider(memory, "absurd-memory-" + suffix, null, c);
            writer.putInventories(memory, 0, Map.of("VCPU", Inventory.of("VCPU", 8),
                    "MEMORY_MB", new Inventory("MEMORY_MB", 2_000_000_000L, 0, 1, 65536, 1, 1e12)), c);
            writer.createProvider(cpus, "absurd-cpus-" + suffix, null, c);
            writer.putInventories(cpus, 0, Map.of("VCPU", new Inventory("VCPU", 16, 0, 1, 16, 1, 1e6),
                    "MEMORY_MB", Inventory.of("MEMORY_MB", 16384)), c);

            ComputeSnapshot snapshot = provider.discoverCompute(c);

            assertThat(snapshot.nodes()).extracting(Node::hostname).doesNotContain("absurd-gpus-" + suffix, "absurd-memory-" + suffix,
                    "absurd-cpus-" + suffix).contains("cn-1-" + suffix, "cn-2-" + suffix, "cn-3-" + suffix);
            assertThat(snapshot.warnings()).anySatisfy(w -> assertThat(w).startsWith("host absurd-gpus-" + suffix + " (" + gpus
                    + ") is not a node: resource provider absurd-gpus-" + suffix + "_pci_0 has 100000 PGPU free; expected at most 4096"));
            assertThat(snapshot.warnings()).anySatisfy(w -> assertThat(w).startsWith("host absurd-memory-" + suffix)
                    .contains("MEMORY_MB free").contains("allocation_ratio"));
            assertThat(snapshot.warnings()).anySatisfy(w -> assertThat(w).startsWith("host absurd-cpus-" + suffix)
                    .contains("16000000 VCPU free; expected at most 65536"));
        } finally {
            for (String rp : List.of(gpusChild, gpus, memory, cpus)) {
                try {
                    writer.deleteProvider(rp, c);
                } catch (RuntimeException e) {
                    // not made
                }
            }
        }
    }

    /**
     * A host whose two NUMA providers each have a VCPU allocation_ratio typed wrong (1e30: each
     * one's room is more than a long holds) and whose root has 3 VCPU is left out with a warning,
     * as a host with one such provider is. Before, the free VCPU of the tree were summed past a
     * long and wrapped round to 1, and the host was a node of one CPU.
     */
    @Test
    void aHostWhoseProvidersTogetherHaveMoreRoomThanALongHoldsIsLeftOutNotWrappedRound() {
        DiscoveryContext c = TestClouds.context();
        String root = UUID.randomUUID().toString();
        List<String> numa = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());
        try {
            writer.createProvider(root, "absurd-numa-" + suffix, null, c);
            writer.putInventories(root, 0, Map.of("VCPU", Inventory.of("VCPU", 3), "MEMORY_MB", Inventory.of("MEMORY_MB", 16384)), c);
            for (String n : numa) {
                writer.createProvider(n, "absurd-numa-" + suffix + "_numa" + numa.indexOf(n), root, c);
                writer.putInventories(n, 0, Map.of("VCPU", new Inventory("VCPU", 16, 0, 1, 16, 1, 1e30)), c);
            }

            ComputeSnapshot snapshot = provider.discoverCompute(c);

            assertThat(snapshot.nodes()).extracting(Node::hostname).doesNotContain("absurd-numa-" + suffix).contains("cn-1-" + suffix);
            assertThat(snapshot.warnings()).anySatisfy(w -> assertThat(w).isEqualTo("host absurd-numa-" + suffix + " (" + root + ") is not a "
                    + "node: its resource providers have more than " + Long.MAX_VALUE + " VCPU free; expected at most 65536 (is a "
                    + "VCPU total or allocation_ratio wrong?)"));
        } finally {
            for (String rp : List.of(numa.get(0), numa.get(1), root)) {
                try {
                    writer.deleteProvider(rp, c);
                } catch (RuntimeException e) {
                    // not made
                }
            }
        }
    }

    /**
     * A cloud reached through Keystone whose catalogue has Nova ({@code compute}) only in another
     * region than the configured one, or only for another interface: discovery fails naming the
     * service, the interface and region configured and where the catalogue has it, rather than
     * taking the cloud for one without Nova (Placement's hosts as nodes that every create is
     * refused on). A catalogue without Nova at all is Placement alone, as before. Keystone is a
     * local stand-in (its catalogue is the test's); Placement is the real one.
     */
    @Test
    void aCloudWhoseNovaIsOnlyInAnotherRegionOrInterfaceIsNotTakenForOneWithoutNova() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> compute = new java.util.concurrent.atomic.AtomicReference<>();
        HttpServer keystone = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        keystone.createContext("/v3/auth/tokens", e -> {
            String entries = "{\"type\": \"placement\", \"endpoints\": [{\"interface\": \"public\", \"region_id\": \"fra1\", "
                    + "\"url\": \"" + server.url() + "\"}]}" + (compute.get() == null ? "" : ", {\"type\": \"compute\", \"endpoints\": ["
                    + compute.get() + "]}");
            java.time.Instant now = java.time.Instant.now();
            byte[] body = ("{\"token\": {\"issued_at\": \"" + now + "\", \"expires_at\": \"" + now.plusSeconds(3600) + "\", "
                    + "\"project\": {\"id\": \"p1\"}, \"user\": {\"id\": \"u1\"}, \"catalog\": [" + entries + "]}}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            try (e) {
                e.getRequestBody().readAllBytes();
                // the token placement's noauth2 takes for an admin
                e.getResponseHeaders().add("X-Subject-Token", "admin");
                e.getResponseHeaders().add("Content-Type", "application/json");
                e.sendResponseHeaders(201, body.length);
                e.getResponseBody().write(body);
            }
        });
        keystone.start();
        try {
            Map<String, Object> m = TestClouds.passwordConfig(dir, "http://127.0.0.1:" + keystone.getAddress().getPort() + "/v3", "unused");
            m.put("region", "fra1");
            OpenStackSettings settings = OpenStackSettings.from(TestClouds.config(m));
            java.time.Clock clock = java.time.Clock.systemUTC();

            compute.set("{\"interface\": \"public\", \"region_id\": \"ber1\", \"url\": \"http://127.0.0.1:1/v2.1\"}, "
                    + "{\"interface\": \"internal\", \"region_id\": \"fra1\", \"url\": \"http://127.0.0.1:1/v2.1\"}");
            OpenStackCloud elsewhere = OpenStackCloud.connect(settings, clock, new CreateJournal(clock), () -> null);
            try {
                assertThat(elsewhere.session().offers("compute", TestClouds.context())).isFalse();
                assertThatThrownBy(() -> elsewhere.discoverCompute(TestClouds.context())).isInstanceOf(ProviderFailureException.class)
                        .hasMessage("the service catalogue has no 'compute' endpoint for interface public in region fra1; it offers "
                                + "internal in fra1, public in ber1; check the interface and region settings");
            } finally {
                elsewhere.close(true);
            }

            compute.set(null);
            OpenStackCloud withoutNova = OpenStackCloud.connect(settings, clock, new CreateJournal(clock), () -> null);
            try {
                assertThat(node(withoutNova.discoverCompute(TestClouds.context()), "cn-1-" + suffix).id()).isEqualTo("os-test:cn-1-" + suffix);
            } finally {
                withoutNova.close(true);
            }
        } finally {
            keystone.stop(0);
        }
    }

    @Test
    void negotiatesTheHighestPlacementMicroversionStrataKnows() {
        assertThat(writer.version(TestClouds.context())).isEqualTo(Microversion.of(1, 39));
    }

    @Test
    void aFlatHostWithNestedGpuAndCustomResourcesIsOneNodeWithWhatIsFree() {
        ComputeSnapshot snapshot = provider.discoverCompute(TestClouds.context());
        Node n = node(snapshot, "cn-1-" + suffix);

        assertThat(n.id()).isEqualTo("placement-test:cn-1-" + suffix);
        assertThat(n.kind()).isEqualTo(NodeKind.BARE_METAL);
        assertThat(n.state()).isEqualTo(ResourceState.AVAILABLE);
        // VCPU: (16 - 0) * 4.0 = 64, 6 used; MEMORY_MB: (65536 - 512) * 1.0 = 65024, 4096 used.
        assertThat(n.cpu().threads()).isEqualTo(58);
        assertThat(n.memoryBytes()).isEqualTo(60928 * MIB);
        assertThat(n.numaNodes()).hasSize(1);
        // PGPU: 2 on the PCI child, 1 used: one free A100.
        assertThat(n.accelerators()).hasSize(1);
        Accelerator gpu = n.accelerators().get(0);
        assertThat(gpu.model()).isEqualTo("NVIDIA A100");
        assertThat(gpu.vendor()).isEqualTo("NVIDIA");
        assertThat(gpu.id()).startsWith(cn1Gpu + "/pgpu");
        assertThat(gpu.nodeId()).isEqualTo(n.id());
        // Traits of the whole tree, as Placement has them.
        assertThat(n.traits()).contains("HW_CPU_X86_AVX2", "COMPUTE_STATUS_DISABLED", "CUSTOM_GPU_NVIDIA_A100");
        // The nested custom resource and every provider as it is.
        assertThat(n.attributes()).containsEntry("placement.CUSTOM_MAGIC", "free 7 of 10 (used 3, largest single allocation 7)")
                .containsEntry("placement.VCPU", "free 58 of 64 (used 6, largest single allocation 16)")
                .containsEntry("placement.aggregates", aggregate)
                .containsEntry("placement.root", cn1)
                .containsEntry("placement.providers", "3");
        assertThat(n.attributes().get("placement.provider.cn-1-" + suffix + "-child"))
                .contains("parent cn-1-" + suffix, "CUSTOM_MAGIC total 10 reserved 0 ratio 1.0 units 1..10 step 1 used 3 free 7");
        assertThat(n.attributes().get("placement.provider.cn-1-" + suffix))
                .contains("MEMORY_MB total 65536 reserved 512 ratio 1.0 units 1..65536 step 1 used 4096 free 60928");
    }

    @Test
    void numaChildrenBecomeNumaNodesAndAGpuUnderOneOfThemIsLocalToIt() {
        Node n = node(provider.discoverCompute(TestClouds.context()), "cn-2-" + suffix);
        assertThat(n.cpu().threads()).isEqualTo(16);
        assertThat(n.memoryBytes()).isEqualTo(65536 * MIB);
        assertThat(n.numaNodes()).extracting(NumaNode::id).containsExactly(0, 1);
        assertThat(n.numaNodes()).allSatisfy(numa -> {
            assertThat(numa.cpus().size()).isEqualTo(8);
            assertThat(numa.memoryBytes()).isEqualTo(32768 * MIB);
        });
        assertThat(n.numaNodes().get(0).cpus().intersects(n.numaNodes().get(1).cpus())).isFalse();
        assertThat(n.accelerators()).singleElement().satisfies(g -> {
            assertThat(g.model()).isEqualTo("NVIDIA H100");
            assertThat(g.numaNode()).isEqualTo(1);
        });
    }

    /**
     * One server takes its VCPU and its memory each from one provider, at most its max_unit: a
     * host with a CPU allocation ratio of 4 shows 58 free VCPU but takes servers of at most 16; a
     * host split into two NUMA providers shows 16 VCPU and 64 GiB but takes servers of at most 8
     * and 32 GiB. The node says so ({@link LargestMachine}), and says nothing where one server may
     * take all the room (cn-1's memory). A host whose two GPUs are each a provider of their own
     * shows 2 GPUs but takes servers of at most 1.
     */
    @Test
    void aHostWhoseLargestServerIsSmallerThanItsRoomSaysHowLargeOneCanBe() {
        ComputeSnapshot snapshot = provider.discoverCompute(TestClouds.context());
        Node flat = node(snapshot, "cn-1-" + suffix);
        assertThat(LargestMachine.of(flat)).isEqualTo(new LargestMachine(16_000, LargestMachine.NO_LIMIT, LargestMachine.NO_LIMIT));
        assertThat(flat.attributes()).containsEntry(LargestMachine.CPU_MILLI, "16000").doesNotContainKeys(LargestMachine.MEMORY_BYTES,
                LargestMachine.GPUS);
        Node numa = node(snapshot, "cn-2-" + suffix);
        assertThat(LargestMachine.of(numa)).isEqualTo(new LargestMachine(8_000, 32768 * MIB, LargestMachine.NO_LIMIT));
        Node twoPci = node(snapshot, "cn-3-" + suffix);
        assertThat(twoPci.accelerators()).hasSize(2);
        assertThat(LargestMachine.of(twoPci)).isEqualTo(new LargestMachine(LargestMachine.NO_LIMIT, LargestMachine.NO_LIMIT, 1));
    }

    @Test
    void aSharingProviderIsNoNodeAndTheSiteCarriesTheConfiguredSovereigntyFacts() {
        ComputeSnapshot snapshot = provider.discoverCompute(TestClouds.context());
        assertThat(snapshot.nodes()).noneMatch(n -> n.hostname().startsWith("shared-disk-" + suffix));
        Site site = snapshot.sites().stream().filter(s -> s.id().equals(node(snapshot, "cn-1-" + suffix).siteId())).findFirst().orElseThrow();
        assertThat(site.country()).isEqualTo("DE");
        assertThat(site.jurisdictions()).containsExactlyInAnyOrder("EU", "DE");
        assertThat(site.operator().name()).isEqualTo("Mainufer Cloud GmbH");
        assertThat(site.operator().jurisdictions()).containsExactlyInAnyOrder("EU", "DE");
        assertThat(site.certifications()).containsExactlyInAnyOrder("ISO27001", "BSI-C5");
        assertThat(snapshot.offers()).isEmpty();
    }

    @Test
    void generationsIncreaseAndUsagesChangeTheNextSnapshot() {
        DiscoveryContext c = TestClouds.context();
        ComputeSnapshot first = provider.discoverCompute(c);
        String other = UUID.randomUUID().toString();
        writer.allocate(other, Map.of(cn1, Map.of("VCPU", 10L)), UUID.randomUUID().toString(), UUID.randomUUID().toString(), c);
        try {
            ComputeSnapshot second = provider.discoverCompute(c);
            assertThat(second.generation()).isGreaterThan(first.generation());
            assertThat(node(second, "cn-1-" + suffix).cpu().threads()).isEqualTo(node(first, "cn-1-" + suffix).cpu().threads() - 10);
        } finally {
            writer.deleteAllocations(other, c);
        }
    }

    @Test
    void anUnchangedProviderIsNotReadAgainAndAChangedOneIs() throws Exception {
        DiscoveryContext c = TestClouds.context();
        provider.discoverCompute(c);
        java.nio.file.Path access = server.dir().resolve("placement-api.out");
        // the first discovery's last lines may still be on their way to the log: count once it has been still for 500 ms
        long before = java.nio.file.Files.readAllLines(access).size();
        for (long quietSince = System.nanoTime(), giveUp = quietSince + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
                System.nanoTime() - quietSince < java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(500) && System.nanoTime() < giveUp; ) {
            Thread.sleep(50);
            long now = java.nio.file.Files.readAllLines(access).size();
            if (now != before) {
                before = now;
                quietSince = System.nanoTime();
            }
        }
        provider.discoverCompute(c);
        // the server writes its access log after it answered: wait for the line, then a little longer for any other
        List<String> calls = List.of();
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (calls.isEmpty() && System.nanoTime() < until) {
            Thread.sleep(50);
            calls = java.nio.file.Files.readAllLines(access).stream().skip(before).filter(l -> l.contains("\"GET ")).toList();
        }
        Thread.sleep(500);
        calls = java.nio.file.Files.readAllLines(access).stream().skip(before).filter(l -> l.contains("\"GET ")).toList();
        assertThat(calls).as("the calls of a discovery where nothing changed").singleElement().asString()
                .contains("\"GET /resource_providers HTTP/1.1\" 200");

        long g = writer.generation(cn1Magic, c);
        writer.putTraits(cn1Magic, g, Set.of("CUSTOM_GPU_NVIDIA_H100"), c);
        try {
            Node n = node(provider.discoverCompute(c), "cn-1-" + suffix);
            assertThat(n.traits()).contains("CUSTOM_GPU_NVIDIA_H100");
            assertThat(n.attributes().get("placement.provider.cn-1-" + suffix + "-child")).contains("traits CUSTOM_GPU_NVIDIA_H100");
        } finally {
            writer.putTraits(cn1Magic, writer.generation(cn1Magic, c), Set.of(), c);
        }
        assertThat(node(provider.discoverCompute(c), "cn-1-" + suffix).attributes().get("placement.provider.cn-1-" + suffix + "-child"))
                .doesNotContain("traits");
    }

    @Test
    void oneByOneAndInParallelReadTheSame() {
        OpenStackCloudProvider serial = TestClouds.placementOnly(server.url(), dir, 1);
        try {
            Node a = node(serial.discoverCompute(TestClouds.context()), "cn-1-" + suffix);
            Node b = node(provider.discoverCompute(TestClouds.context()), "cn-1-" + suffix);
            assertThat(a).isEqualTo(b);
        } finally {
            serial.deactivate();
        }
    }

    @Test
    void aWriteWithAStaleGenerationIsAClearConflict() {
        DiscoveryContext c = TestClouds.context();
        long now = writer.generation(cn1Magic, c);
        assertThatThrownBy(() -> writer.putTraits(cn1Magic, now - 1, Set.of("CUSTOM_GPU_NVIDIA_A100"), c))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("Placement answered 409 Conflict to PUT /resource_providers/" + cn1Magic + "/traits")
                .hasMessageContaining("placement.concurrent_update")
                .hasMessageContaining("generation conflict");
        assertThat(writer.generation(cn1Magic, c)).isEqualTo(now);
    }

    @Test
    void aTreeThatIsNotThereIsNotFound() {
        assertThatThrownBy(() -> writer.readTree(UUID.randomUUID().toString(), TestClouds.context()))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void placementDownIsUnavailableAndNamesWhere() throws Exception {
        int closed = Peers.freePort();
        OpenStackCloudProvider down = TestClouds.placementOnly(URI.create("http://127.0.0.1:" + closed), dir, 2);
        try {
            long start = System.nanoTime();
            assertThatThrownBy(() -> down.discoverCompute(TestClouds.context(Duration.ofSeconds(20))))
                    .isInstanceOf(ProviderUnavailableException.class)
                    .hasMessage("Placement at http://127.0.0.1:" + closed + " cannot be reached: connection refused (GET /)");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        } finally {
            down.deactivate();
        }
    }

    @Test
    void aPassedDeadlineStopsDiscoveryBeforeAnyCall() {
        DiscoveryContext past = TestClouds.context(Duration.ofMillis(-1));
        assertThatThrownBy(() -> provider.discoverCompute(past)).isInstanceOf(ProviderTimeoutException.class)
                .hasMessageContaining("deadline passed");
    }
}
