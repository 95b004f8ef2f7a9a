package dev.strata.provider.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/**
 * The example's manifest, as bnd wrote it for the build (process-classes, before the tests): it
 * imports the providers' API from 1.4 on (where {@code ConfigurationRejections} came), as the
 * provider guide says, whatever version of the API it was built against.
 */
class ExampleManifestTest {

    @Test
    void importsTheProvidersApiFromOnePointFourOn() throws Exception {
        assertThat(imports()).contains("dev.strata.platform.api.provider;version=\"[1.4,2)\"");
    }

    /**
     * The other packages of the API it uses are imported from the versions it needs too (the model
     * from 1.1, where the builders came, the exceptions from 1.0): before, bnd imported them from
     * the versions the build had (the exceptions from 1.8), and the example did not resolve on an API
     * 1.1 whose providers' package it imported from 1.1.
     */
    @Test
    void importsTheModelAndTheExceptionsFromTheVersionsItNeeds() throws Exception {
        assertThat(imports())
                .contains("dev.strata.platform.api.model;version=\"[1.1,2)\"")
                .contains("dev.strata.platform.api.exception;version=\"[1.0,2)\"");
    }

    private static String imports() throws Exception {
        Path classes = Path.of(LocalStorageProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Manifest manifest;
        try (InputStream in = Files.newInputStream(classes.resolve("META-INF/MANIFEST.MF"))) {
            manifest = new Manifest(in);
        }
        return manifest.getMainAttributes().getValue("Import-Package");
    }
}
