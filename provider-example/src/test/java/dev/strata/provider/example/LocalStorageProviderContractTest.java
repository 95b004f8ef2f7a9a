package dev.strata.provider.example;

import dev.strata.platform.testkit.StorageProviderContract;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.nio.file.Path;
import org.osgi.util.converter.Converters;

/** The example provider passes the storage contract of the test kit, as every provider must. */
class LocalStorageProviderContractTest extends StorageProviderContract<LocalStorageProvider> {

    @Override
    protected LocalStorageProvider createProvider() {
        // as Declarative Services would activate it, from its configuration
        return new LocalStorageProvider(Converters.standardConverter()
                .convert(Map.of("paths", new String[] {"/", System.getProperty("java.io.tmpdir")}, "site", "lab-1"))
                .to(LocalStorageConfig.class));
    }

    /** A mount point that is not there: its failure must leave as a Strata exception. */
    @Override
    protected Optional<LocalStorageProvider> createBrokenProvider() {
        return Optional.of(new LocalStorageProvider(List.of(Path.of("/no/such/mount")), "lab-1", Clock.systemUTC()));
    }

    @Override
    protected String providerId() {
        return LocalStorageProvider.ID;
    }
}
