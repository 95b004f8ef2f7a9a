package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.openstack.placement.FitModel;
import dev.strata.provider.openstack.placement.Inventory;
import dev.strata.provider.openstack.placement.PlacementClient;
import dev.strata.provider.openstack.placement.ProviderTree;
import dev.strata.provider.openstack.placement.ResourceProvider;
import dev.strata.provider.openstack.placement.ResourceRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Placement is the oracle: for random clouds (forests of nested resource providers with random
 * inventories, reserved amounts, allocation ratios, unit limits and step sizes, traits, and
 * allocations that use part of them) written into a real Placement, and random requests
 * (resource amounts with required and forbidden traits, and some with devices of a custom class
 * asked one unit per numbered request group, as Nova asks for PCI devices by alias), the compute
 * hosts where Strata's view says a request fits, computed from what discovery read back, are
 * exactly the roots of Placement's own {@code GET /allocation_candidates}. And every node's CPUs
 * and memory are the free VCPU and MEMORY_MB of its tree.
 */
class PlacementOracleTest {

    static final List<String> CLASSES = List.of("VCPU", "MEMORY_MB", "DISK_GB", "CUSTOM_STRATA_A", "CUSTOM_STRATA_B");
    static final List<String> DEVICE_CLASSES = List.of("CUSTOM_STRATA_A", "CUSTOM_STRATA_B");
    static final List<String> TRAITS = List.of("CUSTOM_STRATA_T1", "CUSTOM_STRATA_T2", "CUSTOM_STRATA_T3");
    static final double[] RATIOS = {0.5, 1.0, 1.5, 2.0, 4.0, 16.0};

    static PlacementServer server;
    static OpenStackCloudProvider provider;
    static PlacementClient placement;
    static Path dir;
    static int comparisons;
    static int fitting;

    @BeforeContainer
    static void start() throws Exception {
        server = SharedPlacement.get();
        dir = Files.createTempDirectory("strata-oracle");
        provider = TestClouds.placementOnly(server.url(), dir, 4);
        placement = provider.placement();
        DiscoveryContext c = TestClouds.context();
        CLASSES.stream().filter(rc -> rc.startsWith("CUSTOM_")).forEach(rc -> placement.ensureResourceClass(rc, c));
        TRAITS.forEach(t -> placement.ensureTrait(t, c));
    }

    @AfterContainer
    static void stop() {
        System.out.println("Placement oracle: " + comparisons + " requests compared, " + fitting + " host fits found");
        if (provider != null) {
            provider.deactivate();
        }
        if (dir != null) {
            SharedPlacement.deleteTree(dir);
        }
    }

    /** A provider to make: its parent (index in the cloud, -1 for a root), inventories and traits. */
    record Spec(String uuid, String name, int parent, Map<String, Inventory> inventories, Set<String> traits) {
    }

    /** Usage to make: amounts by provider index and class, within what each inventory admits. */
    record Cloud(List<Spec> providers, List<Map<Integer, Map<String, Long>>> consumers, List<ResourceRequest> requests) {
    }

    @Provide
    Arbitrary<Cloud> clouds() {
        return Arbitraries.longs().map(PlacementOracleTest::cloud);
    }

    /** A random cloud from a seed: jqwik explores seeds, the cloud is rebuilt from each. */
    static Cloud cloud(long seed) {
        Random r = new Random(seed);
        String tag = UUID.randomUUID().toString().substring(0, 8);
        List<Spec> providers = new ArrayList<>();
        int roots = 1 + r.nextInt(3);
        for (int t = 0; t < roots; t++) {
            int rootIndex = providers.size();
            int size = 1 + r.nextInt(4);
            for (int i = 0; i < size; i++) {
                int parent = i == 0 ? -1 : rootIndex + r.nextInt(i);
                Map<String, Inventory> inv = new TreeMap<>();
                for (String rc : CLASSES) {
                    if (r.nextInt(10) < 4) {
                        long total = 1 + r.nextInt(16);
                        long reserved = r.nextInt(4) == 0 ? r.nextInt((int) total + 1) : 0;
                        long min = 1 + (r.nextInt(3) == 0 ? r.nextInt((int) Math.min(3, total)) : 0);
                        long max = min + r.nextInt((int) (total - min + 1));
                        if (r.nextInt(3) == 0) {
                            max = total;
                        }
                        long step = r.nextInt(4) == 0 ? 1 + r.nextInt(3) : 1;
                        inv.put(rc, new Inventory(rc, total, reserved, min, max, step, RATIOS[r.nextInt(RATIOS.length)]));
                    }
                }
                Set<String> traits = new HashSet<>();
                for (String trait : TRAITS) {
                    if (r.nextInt(3) == 0) {
                        traits.add(trait);
                    }
                }
                providers.add(new Spec(UUID.randomUUID().toString(), "oracle-" + tag + "-" + providers.size(), parent, inv, traits));
            }
        }
        // Consumers that use part of the capacity, each amount admitted by Placement's own rules.
        List<Map<Integer, Map<String, Long>>> consumers = new ArrayList<>();
        Map<String, Long> used = new HashMap<>();
        for (int k = 0, n = r.nextInt(4); k < n; k++) {
            Map<Integer, Map<String, Long>> consumer = new LinkedHashMap<>();
            for (int i = 0; i < providers.size(); i++) {
                for (Inventory inv : providers.get(i).inventories().values()) {
                    if (r.nextInt(3) != 0) {
                        continue;
                    }
                    String key = i + "/" + inv.resourceClass();
                    long already = used.getOrDefault(key, 0L);
                    long amount = 1 + r.nextInt((int) Math.max(1, inv.total()));
                    if (inv.admits(already, amount)) {
                        consumer.computeIfAbsent(i, x -> new TreeMap<>()).put(inv.resourceClass(), amount);
                        used.put(key, already + amount);
                    }
                }
            }
            if (!consumer.isEmpty()) {
                consumers.add(consumer);
            }
        }
        List<ResourceRequest> requests = new ArrayList<>();
        for (int q = 0; q < 10; q++) {
            Map<String, Long> res = new TreeMap<>();
            for (int c = 0, n = 1 + r.nextInt(3); c < n; c++) {
                res.put(CLASSES.get(r.nextInt(CLASSES.size())), 1L + r.nextInt(r.nextBoolean() ? 4 : 20));
            }
            Set<String> required = new HashSet<>();
            Set<String> forbidden = new HashSet<>();
            if (r.nextInt(3) == 0) {
                required.add(TRAITS.get(r.nextInt(TRAITS.size())));
            }
            if (r.nextInt(4) == 0) {
                String f = TRAITS.get(r.nextInt(TRAITS.size()));
                if (!required.contains(f)) {
                    forbidden.add(f);
                }
            }
            Map<String, Long> devices = new TreeMap<>();
            if (r.nextInt(3) == 0) {
                // devices of a class the unsuffixed group does not ask for, as a flavor's PCI alias beside its VCPU and memory
                List<String> free = DEVICE_CLASSES.stream().filter(rc -> !res.containsKey(rc)).toList();
                if (!free.isEmpty()) {
                    devices.put(free.get(r.nextInt(free.size())), 1L + r.nextInt(3));
                }
            }
            requests.add(new ResourceRequest(res, required, forbidden, devices));
        }
        return new Cloud(providers, consumers, requests);
    }

    @Property(tries = 20, shrinking = ShrinkingMode.OFF)
    void strataAndPlacementAgreeOnWhereRequestsFit(@ForAll("clouds") Cloud cloud) {
        DiscoveryContext c = TestClouds.context();
        List<String> consumerIds = new ArrayList<>();
        try {
            for (Spec s : cloud.providers()) {
                placement.createProvider(s.uuid(), s.name(), s.parent() < 0 ? null : cloud.providers().get(s.parent()).uuid(), c);
                long g = 0;
                if (!s.inventories().isEmpty()) {
                    g = placement.putInventories(s.uuid(), g, s.inventories(), c);
                }
                if (!s.traits().isEmpty()) {
                    placement.putTraits(s.uuid(), g, s.traits(), c);
                }
            }
            for (Map<Integer, Map<String, Long>> consumer : cloud.consumers()) {
                String id = UUID.randomUUID().toString();
                Map<String, Map<String, Long>> byUuid = new LinkedHashMap<>();
                consumer.forEach((i, res) -> byUuid.put(cloud.providers().get(i).uuid(), res));
                placement.allocate(id, byUuid, UUID.randomUUID().toString(), UUID.randomUUID().toString(), c);
                consumerIds.add(id);
            }

            // Strata's view: what discovery read, and the nodes it made of it.
            Set<String> ours = new HashSet<>();
            cloud.providers().forEach(s -> ours.add(s.uuid()));
            List<ResourceProvider> read = placement.readAll(c, null).stream().filter(p -> ours.contains(p.uuid())).toList();
            List<ProviderTree> trees = ProviderTree.of(read);
            Set<String> rootIds = new HashSet<>();
            trees.forEach(t -> rootIds.add(t.root().uuid()));

            for (ResourceRequest request : cloud.requests()) {
                Set<String> strata = FitModel.fittingRoots(trees, request);
                Set<String> oracle = new HashSet<>(placement.candidateRoots(request, c));
                oracle.retainAll(rootIds);
                assertThat(strata).as("hosts that fit %s", request).isEqualTo(oracle);
                comparisons++;
                fitting += strata.size();
            }

            List<Node> nodes = provider.discoverCompute(c).nodes().stream().filter(n -> rootIds.contains(n.attributes().get("placement.root")))
                    .toList();
            assertThat(nodes).hasSize(trees.size());
            for (ProviderTree t : trees) {
                Node n = nodes.stream().filter(x -> x.attributes().get("placement.root").equals(t.root().uuid())).findFirst().orElseThrow();
                assertThat((long) n.cpu().threads()).isEqualTo(t.free("VCPU"));
                assertThat(n.memoryBytes()).isEqualTo(t.free("MEMORY_MB") << 20);
            }
        } finally {
            consumerIds.forEach(id -> placement.deleteAllocations(id, c));
            List<Spec> reversed = new ArrayList<>(cloud.providers());
            java.util.Collections.reverse(reversed);
            reversed.forEach(s -> placement.deleteProvider(s.uuid(), c));
        }
    }
}
