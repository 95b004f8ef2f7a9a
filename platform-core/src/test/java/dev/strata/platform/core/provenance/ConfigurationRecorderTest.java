package dev.strata.platform.core.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Hashtable;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a configuration record shows: secrets redacted by name, values as JSON, and which
 * properties changed (a changed secret is named, its value never shown). The path through Config
 * Admin and the store is tested in Karaf (StrataDistributionIT).
 */
class ConfigurationRecorderTest {

    @Test
    void secretsAreRecognisedByNameAndFilesNamingThemAreNot() {
        assertThat(List.of(".secretAccessKey", ".anything", "password", "adminPassword", "db_password", "apiToken", "clientSecret",
                "applicationCredentialSecret", "privateKey", "api-key")).allMatch(ConfigurationRecorder::secret);
        assertThat(List.of("passwordFile", "password.file", "tokenPath", "url", "user", "reconcileInterval", "regions", "accessKeyId"))
                .noneMatch(ConfigurationRecorder::secret);
    }

    @Test
    void propertiesAreShownWithSecretsRedactedAndConfigAdminBookkeepingLeftOut() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("service.pid", "dev.strata.provider.aws");
        p.put("regions", new String[] {"eu-central-1", "us-east-1"});
        p.put(".secretAccessKey", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        p.put("password", "hunter2");
        p.put("workers", 8);
        p.put("big", Long.MAX_VALUE);
        p.put("fsync", true);
        ConfigurationRecorder.Seen seen = ConfigurationRecorder.seen(p);
        assertThat(seen.shown()).containsOnlyKeys("regions", ".secretAccessKey", "password", "workers", "big", "fsync")
                .containsEntry("regions", List.of("eu-central-1", "us-east-1")).containsEntry(".secretAccessKey", "(redacted)")
                .containsEntry("password", "(redacted)").containsEntry("workers", 8L).containsEntry("big", Long.toString(Long.MAX_VALUE))
                .containsEntry("fsync", true);
        assertThat(seen.shown().toString()).doesNotContain("hunter2").doesNotContain("EXAMPLEKEY");
        assertThat(seen.secretDigests()).containsOnlyKeys(".secretAccessKey", "password");
        assertThat(seen.secretDigests().values()).noneMatch(d -> d.contains("hunter2"));
    }

    @Test
    void changedNamesEveryPropertyThatDiffersIncludingASecretWhoseValueChanged() {
        Hashtable<String, Object> a = new Hashtable<>();
        a.put("url", "jdbc:postgresql://127.0.0.1/strata");
        a.put("password", "one");
        a.put("workers", 8);
        Hashtable<String, Object> b = new Hashtable<>(a);
        b.put("password", "two");
        b.put("workers", 4);
        b.put("leaks", "report");
        ConfigurationRecorder.Seen before = ConfigurationRecorder.seen(a);
        ConfigurationRecorder.Seen after = ConfigurationRecorder.seen(b);
        assertThat(ConfigurationRecorder.changed(before, after)).containsExactly("leaks", "password", "workers");
        assertThat(ConfigurationRecorder.changed(after, ConfigurationRecorder.seen(new Hashtable<>(b)))).isEmpty();
        assertThat(ConfigurationRecorder.changed(null, after)).isNull();
        assertThat(ConfigurationRecorder.changed(after, null)).containsExactly("leaks", "password", "url", "workers");
    }
}
