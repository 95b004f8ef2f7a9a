package dev.strata.provider.baremetal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.Generations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

class SysfsComputeProviderTest {

    private static BaremetalConfig config(Map<String, Object> properties) {
        return Converters.standardConverter().convert(properties).to(BaremetalConfig.class);
    }

    @Test
    void discoversThisHostAsOneNodeWithIncreasingGenerations() {
        SysfsComputeProvider provider = new SysfsComputeProvider(config(Map.of()));
        ComputeSnapshot first = provider.discoverCompute(DiscoveryContext.withTimeout("t1", Duration.ofSeconds(10)));
        ComputeSnapshot second = provider.discoverCompute(DiscoveryContext.withTimeout("t2", Duration.ofSeconds(10)));

        assertThat(first.nodes()).hasSize(1);
        assertThat(first.nodes().get(0).id()).startsWith("baremetal:");
        assertThat(first.nodes().get(0).cpu().threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(first.sites()).extracting(s -> s.id()).containsExactly("local");
        assertThat(second.generation()).isGreaterThan(first.generation());
    }

    /**
     * A new instance of the provider (its bundle restarted or updated, Karaf restarted) whose clock is an hour behind the
     * earlier instance's hands out generations above the earlier instance's, through the mark in the data folder. Before,
     * generations were the clock from memory: the new instance's went back an hour, and the core warned that they must
     * increase across bundle versions until the clock caught up.
     */
    @Test
    void generationsStayAboveAnEarlierInstancesAfterARestartWithTheClockSetBack(@TempDir Path data) {
        Instant t = Instant.parse("2026-06-01T12:00:00Z");
        SysfsComputeProvider before = new SysfsComputeProvider(Path.of("/"), null, "local", Clock.fixed(t, ZoneOffset.UTC), data);
        long last = before.discoverCompute(DiscoveryContext.withTimeout("t1", Duration.ofSeconds(10))).generation();

        SysfsComputeProvider after = new SysfsComputeProvider(Path.of("/"), null, "local",
                Clock.fixed(t.minus(Duration.ofHours(1)), ZoneOffset.UTC), data);
        ComputeSnapshot snapshot = after.discoverCompute(DiscoveryContext.withTimeout("t2", Duration.ofSeconds(10)));
        assertThat(snapshot.generation()).as("above the earlier instance's, its clock an hour ahead").isGreaterThan(last);
        assertThat(Generations.file(data, "baremetal", SysfsComputeProvider.ID)).isRegularFile();
    }

    @Test
    void configuredNodeIdAndSiteAreUsed(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("sys/devices/system/cpu"));
        SysfsComputeProvider provider = new SysfsComputeProvider(config(Map.of("root", root.toString(), "nodeId", "rack1-n7", "site", "fra-1")));
        ComputeSnapshot snapshot = provider.discoverCompute(DiscoveryContext.withTimeout("t", Duration.ofSeconds(10)));
        assertThat(snapshot.nodes().get(0).id()).isEqualTo("rack1-n7");
        assertThat(snapshot.nodes().get(0).siteId()).isEqualTo("fra-1");
    }

    /**
     * A host name holding a control character (here a terminal escape, which the kernel takes in a
     * host name as any other byte) is shown escaped in the node id, so the id is printable and the
     * core keeps the node. Before, the id held the escape itself: the core left the node out of the
     * inventory as one whose id it cannot show, and the provider's log line drove the terminal.
     */
    @Test
    void aHostNameWithAControlCharacterGivesAPrintableNodeId(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("sys/devices/system/cpu"));
        Files.createDirectories(root.resolve("proc/sys/kernel"));
        Files.writeString(root.resolve("proc/sys/kernel/hostname"), "web\u001b[31m01\n");
        SysfsComputeProvider provider = new SysfsComputeProvider(config(Map.of("root", root.toString())));

        String id = provider.discoverCompute(DiscoveryContext.withTimeout("t", Duration.ofSeconds(10))).nodes().get(0).id();

        assertThat(id).isEqualTo("baremetal:web\\u001b[31m01");
        assertThat(InvalidConfigurationException.printable(id)).isEqualTo(id);
    }

    @Test
    void missingRootIsRejectedNamingTheProperty() {
        assertThatThrownBy(() -> new SysfsComputeProvider(config(Map.of("root", "/no/such/dir"))))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("dev.strata.provider.baremetal: root = '/no/such/dir' is invalid; "
                        + "expected an existing directory holding sys/ and proc/ (/ for this host)");
    }

    /**
     * A root that is no path at all (a NUL in it, as a mistyped {@code .cfg} can carry) is refused
     * naming the property, its control character shown escaped (<code>&#92;u0000</code>); before, {@code Path.of}'s
     * {@code InvalidPathException} left the constructor, naming neither the PID nor the property.
     */
    @Test
    void aRootThatIsNoPathIsRejectedNamingTheProperty() {
        assertThatThrownBy(() -> new SysfsComputeProvider(config(Map.of("root", "/srv\0root"))))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("dev.strata.provider.baremetal: root = '/srv\\u0000root' is invalid; "
                        + "expected an existing directory holding sys/ and proc/ (/ for this host)");
    }

    /**
     * A node id or site id holding a control or format character is refused at configuration, naming the property, the
     * value shown escaped and what is expected. Before, it was taken, and the core left the node (or every node at the
     * site) out of the inventory at each discovery, with a warning the operator had to find.
     */
    @Test
    void aNodeIdOrSiteThatCannotBeShownIsRefusedNamingTheProperty() {
        assertThatThrownBy(() -> new SysfsComputeProvider(config(Map.of("nodeId", "rack1\u202en7"))))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("dev.strata.provider.baremetal: nodeId = 'rack1\\u202en7' is invalid; expected a node id without control or "
                        + "format characters, or none for baremetal:<host name>");
        assertThatThrownBy(() -> new SysfsComputeProvider(config(Map.of("site", "fra-1\n"))))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("dev.strata.provider.baremetal: site = ");
    }

    @Test
    void expiredDeadlineIsHonoured() {
        SysfsComputeProvider provider = new SysfsComputeProvider(config(Map.of()));
        DiscoveryContext expired = new DiscoveryContext("late", Instant.now().minusSeconds(1), Clock.systemUTC());
        assertThatThrownBy(() -> provider.discoverCompute(expired)).isInstanceOf(ProviderTimeoutException.class);
    }
}
