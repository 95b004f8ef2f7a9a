package dev.strata.provider.baremetal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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

    @Test
    void configuredNodeIdAndSiteAreUsed(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("sys/devices/system/cpu"));
        SysfsComputeProvider provider = new SysfsComputeProvider(config(Map.of("root", root.toString(), "nodeId", "rack1-n7", "site", "fra-1")));
        ComputeSnapshot snapshot = provider.discoverCompute(DiscoveryContext.withTimeout("t", Duration.ofSeconds(10)));
        assertThat(snapshot.nodes().get(0).id()).isEqualTo("rack1-n7");
        assertThat(snapshot.nodes().get(0).siteId()).isEqualTo("fra-1");
    }

    @Test
    void missingRootIsRejectedNamingTheProperty() {
        assertThatThrownBy(() -> new SysfsComputeProvider(config(Map.of("root", "/no/such/dir"))))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("dev.strata.provider.baremetal: root = '/no/such/dir' is invalid; "
                        + "expected an existing directory holding sys/ and proc/ (/ for this host)");
    }

    @Test
    void expiredDeadlineIsHonoured() {
        SysfsComputeProvider provider = new SysfsComputeProvider(config(Map.of()));
        DiscoveryContext expired = new DiscoveryContext("late", Instant.now().minusSeconds(1), Clock.systemUTC());
        assertThatThrownBy(() -> provider.discoverCompute(expired)).isInstanceOf(ProviderTimeoutException.class);
    }
}
