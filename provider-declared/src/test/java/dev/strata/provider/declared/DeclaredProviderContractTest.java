package dev.strata.provider.declared;

import dev.strata.platform.testkit.ComputeProviderContract;
import dev.strata.platform.testkit.FabricProviderContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compute and fabric contracts of the test kit, run on the declared-inventory provider reading
 * the distribution's example inventory (92 nodes, 4 sites), watched as in the distribution.
 */
class DeclaredProviderContractTest {

    @TempDir
    static Path dir;

    private static final InventoryDocumentReader READER = InventoryDocumentReader.withBuiltInCatalogue();

    /** The example inventory, dated in the past so that it counts as settled. */
    static Path example() throws Exception {
        Path file = dir.resolve("strata-inventory.yaml");
        if (!Files.exists(file)) {
            Files.copy(Path.of(System.getProperty("strata.example.inventory")), file);
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(60)));
        }
        return file;
    }

    static Path broken() throws Exception {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, "sites: [{id: fra-1, country: Germany}]\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(60)));
        return file;
    }

    static DeclaredInventoryProvider provider(Path file) {
        return new DeclaredInventoryProvider(file, READER, Clock.systemUTC(), Duration.ofMillis(250), true);
    }

    @Nested
    class Compute extends ComputeProviderContract<DeclaredInventoryProvider> {
        @Override
        protected DeclaredInventoryProvider createProvider() throws Exception {
            return provider(example());
        }

        @Override
        protected Optional<DeclaredInventoryProvider> createBrokenProvider() throws Exception {
            return Optional.of(provider(broken()));
        }

        @Override
        protected void release(DeclaredInventoryProvider provider) {
            provider.deactivate();
        }

        @Override
        protected String providerId() {
            return DeclaredInventoryProvider.ID;
        }
    }

    @Nested
    class Fabric extends FabricProviderContract<DeclaredInventoryProvider> {
        @Override
        protected DeclaredInventoryProvider createProvider() throws Exception {
            return provider(example());
        }

        @Override
        protected Optional<DeclaredInventoryProvider> createBrokenProvider() throws Exception {
            return Optional.of(provider(broken()));
        }

        @Override
        protected void release(DeclaredInventoryProvider provider) {
            provider.deactivate();
        }

        @Override
        protected String providerId() {
            return DeclaredInventoryProvider.ID;
        }
    }
}
