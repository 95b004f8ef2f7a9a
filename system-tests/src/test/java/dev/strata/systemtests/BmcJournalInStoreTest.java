package dev.strata.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.StoreJournal;
import dev.strata.provider.baremetal.bmc.BmcProvider;
import dev.strata.provider.baremetal.bmc.BmcProviderConfig;
import dev.strata.provider.baremetal.bmc.Operation;
import dev.strata.provider.baremetal.bmc.OperationJournal;
import dev.strata.platform.testkit.SettableClock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/**
 * The BMC provider's operation journal kept in Strata's state store (the core's
 * {@code ProviderJournal} on the embedded store): what one instance writes another reads; records an
 * earlier version left in its folder are imported, the store's own winning; and until the core's
 * journal is there nothing is provisioned. The failover itself, two instances on PostgreSQL and a
 * kill -9, is in {@link BmcDeploymentCrashTest}.
 */
class BmcJournalInStoreTest {

    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    @TempDir
    Path dir;
    private JdbcStateStore store;
    private StoreJournal core;

    @BeforeEach
    void open() {
        store = AwsStrata.openStore(dir.resolve("data"));
        core = new StoreJournal(store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static Operation op(String id, String node, Operation.Phase phase, int minutes) {
        return new Operation(id, "d-000001", "worker", "lab-ops", node, "sushy", "/redfish/v1/Systems/" + node, "pxe", null, "force", phase,
                null, null, T0, T0.plusSeconds(60L * minutes), null);
    }

    private OperationJournal attached(String folder) {
        OperationJournal journal = OperationJournal.inStateStore(dir.resolve(folder));
        journal.attach(core, BmcProvider.ID);
        return journal;
    }

    @Test
    void whatOneInstanceWritesAnotherReads() {
        OperationJournal a = attached("a");
        OperationJournal b = attached("b");
        assertThat(a.inStateStore()).isTrue();
        assertThat(a.location()).startsWith("embedded ");
        a.put(op("op-1", "bmc:n1", Operation.Phase.CLAIMED, 0));
        assertThat(b.get("op-1")).hasValueSatisfying(o -> assertThat(o.phase()).isEqualTo(Operation.Phase.CLAIMED));
        assertThat(b.holding("bmc:n1")).hasValueSatisfying(o -> assertThat(o.operationId()).isEqualTo("op-1"));
        a.put(op("op-1", "bmc:n1", Operation.Phase.POWER_SENT, 1).withStep("power-requested ForceRestart", null, T0.plusSeconds(60)));
        assertThat(b.get("op-1").orElseThrow().phase()).isEqualTo(Operation.Phase.POWER_SENT);
        assertThat(b.get("op-1").orElseThrow().steps()).hasSize(1);
        b.put(op("op-2", "bmc:n2", Operation.Phase.RUNNING, 2));
        assertThat(a.all()).extracting(Operation::operationId).containsExactly("op-1", "op-2");
        assertThat(core.all(BmcProvider.ID)).containsOnlyKeys("op-1", "op-2");
        assertThat(a.get("op-3")).isEmpty();
    }

    @Test
    void recordsAnEarlierVersionLeftInItsFolderAreImportedAndTheStoresOwnWin() {
        OperationJournal old = new OperationJournal(dir.resolve("legacy"));
        old.put(op("op-1", "bmc:n1", Operation.Phase.POWER_SENT, 0));
        old.put(op("op-2", "bmc:n2", Operation.Phase.RUNNING, 0));
        // the store already has a later record of op-2 (written by another instance)
        attached("other").put(op("op-2", "bmc:n2", Operation.Phase.DELETE_INTENT, 5));

        OperationJournal upgraded = attached("legacy");
        assertThat(upgraded.get("op-1").orElseThrow().phase()).isEqualTo(Operation.Phase.POWER_SENT);
        assertThat(upgraded.get("op-2").orElseThrow().phase()).as("the store's record wins").isEqualTo(Operation.Phase.DELETE_INTENT);
        assertThat(core.all(BmcProvider.ID)).containsOnlyKeys("op-1", "op-2");
        // attaching again (a restart) imports nothing twice and overwrites nothing
        attached("legacy");
        assertThat(attached("x").get("op-2").orElseThrow().phase()).isEqualTo(Operation.Phase.DELETE_INTENT);
    }

    /**
     * A record an earlier version left in its folder is cut short (written from outside). Before,
     * it was logged and skipped at the import, and the node its operation held was free for the
     * next create. Now the journal refuses every use as unavailable, naming the file, and imports
     * nothing until the file is repaired; then the record is imported and holds its node.
     */
    @Test
    void aRecordAnEarlierVersionLeftThatCannotBeReadIsNotSkippedAtTheImport() throws Exception {
        new OperationJournal(dir.resolve("legacy")).put(op("op-1", "bmc:n1", Operation.Phase.POWER_SENT, 0));
        Path file;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir.resolve("legacy"))) {
            file = files.filter(f -> f.getFileName().toString().endsWith(".json")).findFirst().orElseThrow();
        }
        byte[] whole = java.nio.file.Files.readAllBytes(file);
        java.nio.file.Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 10));

        OperationJournal upgraded = attached("legacy");
        assertThatThrownBy(() -> upgraded.holding("bmc:n1")).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("holds a record that cannot be read: " + file + " (not JSON: ")
                .hasMessageEndingWith("; nothing was sent to the BMC");
        assertThatThrownBy(() -> upgraded.put(op("op-2", "bmc:n1", Operation.Phase.CLAIMED, 1)))
                .isInstanceOf(ProviderUnavailableException.class);
        assertThat(core.all(BmcProvider.ID)).isEmpty();

        java.nio.file.Files.write(file, whole);
        assertThat(upgraded.holding("bmc:n1")).hasValueSatisfying(o -> assertThat(o.operationId()).isEqualTo("op-1"));
        assertThat(core.all(BmcProvider.ID)).containsOnlyKeys("op-1");
    }

    /**
     * Until the core's journal is there nothing is provisioned, and discovery says why once the journal has been missing
     * longer than a start-up explains (at start-up the provider is discovered before the core registers its journal, and
     * the journal's arrival has it rediscovered: no warning then).
     */
    @Test
    void untilTheCoresJournalIsThereNothingIsProvisionedAndDiscoverySaysWhy() {
        SettableClock clock = SettableClock.system();
        BmcProvider provider = new BmcProvider(OperationJournal.inStateStore(dir.resolve("journal")), 2, Duration.ofSeconds(5),
                Duration.ofSeconds(10), clock);
        try {
            MachineRequest request = new MachineRequest("op-9", "d-000009", "worker-0", "lab-ops", MachineTarget.node("bmc:n9"),
                    new MachineResources(8000, 64L << 30, 0, List.of(), null), Map.of());
            assertThatThrownBy(() -> provider.create(request, DiscoveryContext.withTimeout("test", Duration.ofSeconds(5))))
                    .isInstanceOf(ProviderUnavailableException.class)
                    .hasMessageContaining("kept in Strata's state store, which is not available yet")
                    .hasMessageContaining("nothing was sent to the BMC");
            assertThat(provider.discoverCompute(DiscoveryContext.withTimeout("test", Duration.ofSeconds(5))).warnings())
                    .as("right after the start").isEmpty();
            clock.advance(Duration.ofMinutes(3));
            assertThat(provider.discoverCompute(DiscoveryContext.withTimeout("test", Duration.ofSeconds(5))).warnings())
                    .singleElement().asString().startsWith("the labels of provisioned machines are not shown: ");

            provider.bindJournal(core);
            provider.provisioner().journal().put(op("op-8", "bmc:n8", Operation.Phase.RUNNING, 0));
            assertThat(provider.provisioner().journal().get("op-8")).isPresent();
            assertThat(provider.discoverCompute(DiscoveryContext.withTimeout("test", Duration.ofSeconds(5))).warnings()).isEmpty();

            provider.unbindJournal(core);
            assertThatThrownBy(() -> provider.provisioner().journal().get("op-8")).isInstanceOf(ProviderUnavailableException.class)
                    .hasMessageContaining("went away");
        } finally {
            provider.close();
        }
    }

    @Test
    void aJournalInAFolderIgnoresTheCoresJournal() {
        BmcProvider provider = new BmcProvider(dir.resolve("folder"), 2, Duration.ofSeconds(5), Duration.ofSeconds(10), Clock.systemUTC());
        try {
            provider.bindJournal(core);
            provider.provisioner().journal().put(op("op-7", "bmc:n7", Operation.Phase.RUNNING, 0));
            assertThat(provider.provisioner().journal().inStateStore()).isFalse();
            assertThat(core.all(BmcProvider.ID)).isEmpty();
            assertThat(new OperationJournal(dir.resolve("folder")).get("op-7")).isPresent();
        } finally {
            provider.close();
        }
    }

    @Test
    void theJournalSettingIsCheckedByName() {
        Map<String, Object> p = Map.of("journal", "database", "stateDirectory", dir.resolve("j").toString());
        BmcProviderConfig config = Converters.standardConverter().convert(p).to(BmcProviderConfig.class);
        assertThatThrownBy(() -> new BmcProvider(config)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("journal = 'database' is invalid; expected store (Strata's state store) or directory");
        BmcProviderConfig directory = Converters.standardConverter().convert(Map.of("journal", "directory", "stateDirectory",
                dir.resolve("j").toString())).to(BmcProviderConfig.class);
        BmcProvider provider = new BmcProvider(directory);
        assertThat(provider.provisioner().journal().inStateStore()).isFalse();
        provider.close();
        BmcProvider byDefault = new BmcProvider(Converters.standardConverter().convert(Map.of("stateDirectory", dir.resolve("j").toString()))
                .to(BmcProviderConfig.class));
        assertThat(byDefault.provisioner().journal().inStateStore()).as("the default: Strata's state store").isTrue();
        byDefault.close();
    }
}
