package dev.strata.platform.core.deployment;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.CpuCore;
import dev.strata.platform.api.model.CpuPackage;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.CpuTopology;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.Operator;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.core.contract.ContractDocumentReader;
import dev.strata.platform.core.inventory.JoinedIds;
import dev.strata.platform.core.placement.PlacementEngines;
import dev.strata.platform.core.store.DataSources;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.StateStore;
import dev.strata.platform.core.store.StoreConfig;
import dev.strata.platform.core.store.StoreSettings;
import dev.strata.platform.testkit.SettableClock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.util.converter.Converters;

/**
 * A laboratory for the deployment engine: an embedded state store in a folder, an inventory of
 * nodes at two sites (providers {@code lab} and {@code lab2}, and {@code declared}, which cannot
 * provision), the real placement engine over the store's durable ledger (as Strata runs it: the
 * store stores a deployment only on an allocation its ledger holds), and scripted provisioning providers.
 */
final class Lab implements AutoCloseable {

    static final DeploymentSettings FAST = new DeploymentSettings(Duration.ofMillis(200), Duration.ofMillis(50), Duration.ofSeconds(10),
            Duration.ofMillis(40), Duration.ofMillis(400), 4, true);

    final Path data;
    /** The store's clock: the system's, set back or forward by a test (an NTP correction, a new leader whose clock differs). */
    final SettableClock storeClock = SettableClock.system();
    /**
     * The engines' clock: the system's, moved on by a test past a backoff (which the engines time by it) instead of the test
     * waiting it out.
     */
    final SettableClock engineClock = SettableClock.system();
    final JdbcStateStore store;
    final Inventory inventory;
    final Placement placement;
    final ProvisioningProviders providers = new ProvisioningProviders();
    final ScriptedProvider lab;
    final ScriptedProvider lab2;
    final ContractDocumentReader reader = new ContractDocumentReader();
    private final List<DeploymentEngine> engines = new ArrayList<>();

    Lab(Path data) {
        this(data, new ScriptedProvider.Vendor(), new ScriptedProvider.Vendor());
    }

    Lab(Path data, ScriptedProvider.Vendor labVendor, ScriptedProvider.Vendor lab2Vendor) {
        this(data, labVendor, lab2Vendor, List.of());
    }

    /** A lab whose inventory also holds these capacity offers (of provider {@code lab}, at its site {@code lab-3} in Sweden). */
    Lab(Path data, List<CapacityOffer> offers) {
        this(data, new ScriptedProvider.Vendor(), new ScriptedProvider.Vendor(), offers);
    }

    private Lab(Path data, ScriptedProvider.Vendor labVendor, ScriptedProvider.Vendor lab2Vendor, List<CapacityOffer> offers) {
        this.data = data;
        this.store = openStore(data, storeClock);
        InventorySnapshot snapshot = inventory(offers);
        this.inventory = new Inventory() {
            @Override
            public InventorySnapshot snapshot() {
                return snapshot;
            }

            @Override
            public InventorySnapshot refresh(Duration maxWait) {
                return snapshot;
            }
        };
        // offers are placed on as launch slots, as the placement component does (PlacementEngines.durable)
        this.placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 0);
        this.lab = new ScriptedProvider("lab", labVendor);
        this.lab2 = new ScriptedProvider("lab2", lab2Vendor);
        providers.add("lab", 1, lab);
        providers.add("lab2", 2, lab2);
    }

    static JdbcStateStore openStore(Path data) {
        return openStore(data, Clock.systemUTC());
    }

    static JdbcStateStore openStore(Path data, Clock clock) {
        Map<String, Object> p = new HashMap<>();
        p.put("instanceId", "test-deployments");
        StoreConfig config = Converters.standardConverter().convert(p).to(StoreConfig.class);
        StoreSettings s = StoreSettings.from(config, data, data);
        return JdbcStateStore.open(s, DataSources.direct(s, new org.h2.util.OsgiDataSourceFactory(new org.h2.Driver())), clock);
    }

    DeploymentEngine engine() {
        return engine(FAST, store);
    }

    DeploymentEngine engine(DeploymentSettings settings, StateStore on) {
        DeploymentEngine engine = new DeploymentEngine(on, placement, inventory, providers, null, settings, engineClock);
        engines.add(engine);
        return engine;
    }

    /**
     * Moves the engines' clock past the longest backoff of {@link #FAST} (its retryBackoffMax, as in the tests' other
     * settings): whatever waits for its next try (a member's call, a failed delete, a leak's delete) is due at the next pass, as
     * once that much time has passed, without the test waiting for it.
     */
    void pastTheLongestBackoff() {
        engineClock.advance(FAST.retryBackoffMax().plusMillis(1));
    }

    Contract contract(String yaml) {
        return reader.read(yaml, "test");
    }

    /** A contract of {@code n} members of 4 CPUs on the site of {@code provider} (lab: DE, lab2: FR). */
    Contract workers(String name, int n, String provider, String extra) {
        String country = provider.equals("lab") ? "DE" : provider.equals("lab2") ? "FR" : provider.equals("inband") ? "BE" : "NL";
        return contract("name: " + name + "\ntenant: bank-risk\nsovereignty: {countries: [" + country + "]}\n" + extra
                + "\nmembers:\n  - {name: worker, replicas: " + n + ", cpu: 4, memory: 8GiB}\n");
    }

    /** Runs passes until the deployment is in one of the states, or fails after the timeout. */
    static Deployment settle(DeploymentEngine engine, String id, Set<DeploymentState> states, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            engine.reconcileNow();
            engine.awaitIdle(Duration.ofSeconds(10));
            Deployment d = engine.get(id).orElseThrow();
            if (states.contains(d.state())) {
                return d;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("deployment " + id + " is " + d.state() + " (" + d.message() + "), not in " + states + " after "
                        + timeout + ": " + d.members());
            }
        }
    }

    /** The lab's own node of the machine that is the in-band node {@code inband:h1}. */
    static final String JOINED_LAB_NODE = "lab:rack-1,bmc\\h1";

    private static InventorySnapshot inventory(List<CapacityOffer> offers) {
        List<Site> sites = List.of(
                Site.builder().id("lab-1").providerId("lab").country("DE").jurisdictions(Set.of("EU", "DE"))
                        .operator(new Operator("Lab GmbH", Set.of("EU", "DE"))).build(),
                Site.builder().id("lab-2").providerId("lab2").country("FR").jurisdictions(Set.of("EU", "FR"))
                        .operator(new Operator("Lab SAS", Set.of("EU", "FR"))).build(),
                Site.builder().id("decl-1").providerId("declared").country("NL").jurisdictions(Set.of("EU", "NL"))
                        .operator(new Operator("Decl BV", Set.of("EU", "NL"))).build(),
                Site.builder().id("band-1").providerId("inband").country("BE").jurisdictions(Set.of("EU", "BE"))
                        .operator(new Operator("Band NV", Set.of("EU", "BE"))).build());
        if (!offers.isEmpty()) {
            sites = new ArrayList<>(sites);
            sites.add(Site.builder().id("lab-3").providerId("lab").country("SE").jurisdictions(Set.of("EU", "SE"))
                    .operator(new Operator("Lab AB", Set.of("EU", "SE"))).build());
        }
        List<Node> nodes = new ArrayList<>();
        for (int i = 1; i <= 24; i++) {
            nodes.add(node("lab:n" + i, "lab", "lab-1"));
        }
        for (int i = 1; i <= 8; i++) {
            nodes.add(node("lab2:n" + i, "lab2", "lab-2"));
        }
        nodes.add(node("declared:n1", "declared", "decl-1"));
        // one machine seen in band (provider inband, which makes no machines) and through its BMC (a node of lab, whose id holds the
        // separator of the joined ids and its escape)
        nodes.add(node("inband:h1", "inband", "band-1").toBuilder()
                .attributes(Map.of("strata.joined", JoinedIds.join(List.of("other:h1", JOINED_LAB_NODE)),
                        dev.strata.platform.core.inventory.InventoryService.JOINED_PROVIDERS,
                        JoinedIds.join(List.of("other=other:h1", "lab=" + JOINED_LAB_NODE)))).build());
        return new InventorySnapshot(7, Instant.now(), sites, nodes, List.of(), List.of(), List.of(), offers, List.of());
    }

    static Node node(String id, String provider, String site) {
        List<CpuCore> cores = new ArrayList<>();
        for (int c = 0; c < 16; c++) {
            cores.add(new CpuCore(c, CpuSet.of(c)));
        }
        return Node.builder().id(id).providerId(provider).siteId(site).kind(NodeKind.BARE_METAL)
                .cpu(new CpuTopology(List.of(new CpuPackage(0, "x", "x", cores)), CpuSet.parseList("0-15"), CpuSet.EMPTY))
                .memoryBytes(64L << 30).build();
    }

    @Override
    public void close() {
        for (DeploymentEngine e : engines) {
            e.close();
        }
        store.close();
    }
}
