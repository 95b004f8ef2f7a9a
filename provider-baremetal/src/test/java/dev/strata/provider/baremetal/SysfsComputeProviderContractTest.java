package dev.strata.provider.baremetal;

import dev.strata.platform.testkit.ComputeProviderContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/** The compute contract of the test kit, run on the bare-metal provider reading this host. */
class SysfsComputeProviderContractTest extends ComputeProviderContract<SysfsComputeProvider> {

    @TempDir
    Path empty;

    private static BaremetalConfig config(Map<String, Object> properties) {
        return Converters.standardConverter().convert(properties).to(BaremetalConfig.class);
    }

    @Override
    protected SysfsComputeProvider createProvider() {
        return new SysfsComputeProvider(config(Map.of("site", "fra-1")));
    }

    /** A root that exists but holds no /sys tree, as a wrong configuration or a missing mount gives. */
    @Override
    protected Optional<SysfsComputeProvider> createBrokenProvider() throws Exception {
        Files.createDirectories(empty.resolve("proc"));
        return Optional.of(new SysfsComputeProvider(config(Map.of("root", empty.toString()))));
    }

    @Override
    protected String providerId() {
        return SysfsComputeProvider.ID;
    }
}
