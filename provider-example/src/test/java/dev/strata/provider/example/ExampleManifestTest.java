package dev.strata.provider.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/**
 * The example's manifest, as bnd wrote it for the build (process-classes, before the tests): it
 * imports the providers' API from 1.1 on, as the provider guide says, whatever version of the API
 * it was built against.
 */
class ExampleManifestTest {

    @Test
    void importsTheProvidersApiFromOnePointOneOn() throws Exception {
        Path classes = Path.of(LocalStorageProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Manifest manifest;
        try (InputStream in = Files.newInputStream(classes.resolve("META-INF/MANIFEST.MF"))) {
            manifest = new Manifest(in);
        }
        String imports = manifest.getMainAttributes().getValue("Import-Package");
        assertThat(imports).contains("dev.strata.platform.api.provider;version=\"[1.1,2)\"");
    }
}
