package dev.strata.platform.core.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.provider.ConfigurationRejections;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
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
    void aPassphraseAPwdAndNamesWithDotsAreSecretsToo() {
        assertThat(List.of("passphrase", "sshKeyPassphrase", "bmc.pwd", "api.key", "private.key", "sessionKey", "auth_key"))
                .allMatch(ConfigurationRecorder::secret);
        assertThat(List.of("passphraseFile", "key.passphrase.file", "pwdPath")).noneMatch(ConfigurationRecorder::secret);
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("sshKeyPassphrase", "correct-horse-battery");
        p.put("api.key", "k3y-0f-the-api-9f8e7d");
        p.put("bmc.pwd", "n07-a-w0rd-at-all");
        ConfigurationRecorder.Seen seen = ConfigurationRecorder.seen(p);
        assertThat(seen.shown()).containsEntry("sshKeyPassphrase", "(redacted)").containsEntry("api.key", "(redacted)")
                .containsEntry("bmc.pwd", "(redacted)");
        assertThat(seen.shown().toString()).doesNotContain("correct-horse").doesNotContain("k3y-0f").doesNotContain("n07-a-w0rd");
        try {
            ConfigurationRecorder.learnSecrets(p, java.nio.file.Path.of("etc"));
            assertThat(ProviderText.clean("ssh said correct-horse-battery, then k3y-0f-the-api-9f8e7d and n07-a-w0rd-at-all"))
                    .isEqualTo("ssh said ****, then **** and ****");
        } finally {
            List.of("correct-horse-battery", "k3y-0f-the-api-9f8e7d", "n07-a-w0rd-at-all").forEach(ProviderText::forgetSecret);
        }
    }

    /** A factory configuration named with a filter's special characters is looked up as itself, not as a pattern. */
    @Test
    void aPidWithFilterCharactersFindsThatConfigurationOnly() throws Exception {
        String pid = "dev.strata.provider.bmc~rack*(1)\\a";
        org.osgi.framework.Filter filter = org.osgi.framework.FrameworkUtil.createFilter(ConfigurationRecorder.pidFilter(pid));
        assertThat(filter.matches(Map.of("service.pid", pid))).isTrue();
        assertThat(filter.matches(Map.of("service.pid", "dev.strata.provider.bmc~rack-other(1)\\a"))).isFalse();
        assertThat(org.osgi.framework.FrameworkUtil.createFilter(ConfigurationRecorder.pidFilter("dev.strata.provider.bmc~rack*"))
                .matches(Map.of("service.pid", "dev.strata.provider.bmc~rack7"))).as("a * is not a wildcard").isFalse();
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

    /**
     * A property whose name does not say secret may still carry one: the user and password of a
     * URL, or a password parameter in it. It is shown cleaned (a list element by element), and a
     * change of the masked part alone is still named as a change.
     */
    @Test
    void aCredentialInsideAValueWhoseNameIsNotASecretsIsMasked() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("url", "jdbc:postgresql://db.example:5432/strata?user=strata&password=Db-Pass-0xA1");
        p.put("authUrl", "https://admin:Keystone-Pass-7@keystone.example.org:5000/v3");
        p.put("address", "https://root:Calvin-Bmc-9@10.0.0.5");
        p.put("endpoints", new String[] {"http://127.0.0.1:5000", "https://svc:Endpoint-Pw-3@s3.example"});
        p.put("mirrors", List.of("https://img.example/os.vhd?sv=2022-11-02&sig=Xb3kq%2BLm9vT0Rk%3D", "https://img.example/plain"));
        p.put("region", "eu-central-1");
        ConfigurationRecorder.Seen seen = ConfigurationRecorder.seen(p);
        assertThat(seen.shown().toString()).doesNotContain("Db-Pass-0xA1").doesNotContain("Keystone-Pass-7").doesNotContain("Calvin-Bmc-9")
                .doesNotContain("Endpoint-Pw-3").doesNotContain("Xb3kq");
        assertThat(seen.shown()).containsEntry("url", "jdbc:postgresql://db.example:5432/strata?user=strata&password=****")
                .containsEntry("authUrl", "https://****@keystone.example.org:5000/v3").containsEntry("address", "https://****@10.0.0.5")
                .containsEntry("endpoints", List.of("http://127.0.0.1:5000", "https://****@s3.example"))
                .containsEntry("mirrors", List.of("https://img.example/os.vhd?sv=2022-11-02&sig=****", "https://img.example/plain"))
                .containsEntry("region", "eu-central-1");

        Hashtable<String, Object> q = new Hashtable<>(p);
        q.put("address", "https://root:Calvin-Bmc-10@10.0.0.5");
        ConfigurationRecorder.Seen after = ConfigurationRecorder.seen(q);
        assertThat(after.shown()).isEqualTo(seen.shown());
        assertThat(ConfigurationRecorder.changed(seen, after)).as("the password in the address changed").containsExactly("address");
        assertThat(ConfigurationRecorder.changed(after, ConfigurationRecorder.seen(new Hashtable<>(q)))).isEmpty();
    }

    /**
     * The values of a configuration's secrets, inline or in the file a secret-file property names
     * (relative to etc), are handed to {@link ProviderText}, which then masks them bare; a file
     * that is not a secret's, a private property whose name does not say secret, and a value too
     * short to mask, are not.
     */
    @Test
    void secretValuesAndSecretFilesAreMaskedInWhatProvidersWrite(@org.junit.jupiter.api.io.TempDir java.nio.file.Path etc) throws Exception {
        String inline = "Very-Secret-" + java.util.UUID.randomUUID();
        String inFile = "from-the-file-" + java.util.UUID.randomUUID();
        String notSecret = "mapping-line-" + java.util.UUID.randomUUID();
        java.nio.file.Files.writeString(etc.resolve("bmc.pw"), inFile + "\n");
        java.nio.file.Files.writeString(etc.resolve("types.yaml"), notSecret + "\n");
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(".password", inline);
        p.put("passwordFile", "bmc.pw");
        p.put("instanceTypesFile", "types.yaml");
        p.put("token", "abc12");
        String privateButNoSecret = "plain-private-value-" + java.util.UUID.randomUUID();
        p.put(".origin", privateButNoSecret);
        try {
            assertThat(ConfigurationRecorder.learnSecrets(p, etc)).as("the secret files named, to be watched").containsExactly(etc.resolve("bmc.pw"));
            assertThat(ProviderText.clean("BMC said: login as root with " + inline + " or " + inFile + " refused; " + notSecret + "; abc12; "
                    + privateButNoSecret)).isEqualTo("BMC said: login as root with **** or **** refused; " + notSecret + "; abc12; "
                    + privateButNoSecret);
        } finally {
            ProviderText.forgetSecret(inline);
            ProviderText.forgetSecret(inFile);
        }
        assertThat(ConfigurationRecorder.secretFile("passwordFile")).isTrue();
        assertThat(ConfigurationRecorder.secretFile("applicationCredentialSecretFile")).isTrue();
        assertThat(ConfigurationRecorder.secretFile("instanceTypesFile")).isFalse();
        assertThat(ConfigurationRecorder.secretFile("password")).isFalse();
        // the metrics endpoint's scrape token (dev.strata.platform.metrics): its path shown, its line masked
        assertThat(ConfigurationRecorder.secretFile("tokenFile")).isTrue();
        assertThat(ConfigurationRecorder.secret("tokenFile")).isFalse();
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

    /**
     * A component that refuses a change tells the recorder, which writes after the change's record
     * that it was rejected and why, with the actor of the change and the secret the reason carried
     * masked. Through a real embedded store; Config Admin is a proxy serving one configuration
     * (only its lookup is used), the event the one Config Admin sends.
     */
    @Test
    void aRejectedChangeIsRecordedAfterTheChangeWithItsReason(@org.junit.jupiter.api.io.TempDir java.nio.file.Path data) throws Exception {
        String pid = "dev.strata.platform.core.inventory";
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("service.pid", pid);
        properties.put("refreshInterval", "-5s");
        properties.put("webhookPassword", "hunter22-secret");
        org.osgi.service.cm.Configuration configuration = proxy(org.osgi.service.cm.Configuration.class, (name, args) -> switch (name) {
            case "getPid" -> pid;
            case "getProperties" -> properties;
            default -> null;
        });
        org.osgi.service.cm.ConfigurationAdmin admin = proxy(org.osgi.service.cm.ConfigurationAdmin.class,
                (name, args) -> "listConfigurations".equals(name) ? new org.osgi.service.cm.Configuration[] {configuration} : null);
        dev.strata.platform.core.store.JdbcStateStore store = dev.strata.platform.core.store.StoreTestAccess.embedded(data);
        ConfigurationRecorder recorder = new ConfigurationRecorder(store, admin);
        try {
            javax.security.auth.Subject alice = new javax.security.auth.Subject();
            alice.getPrincipals().add(new UserPrincipal("alice"));
            javax.security.auth.Subject.doAs(alice, (java.security.PrivilegedAction<Void>) () -> {
                recorder.configurationEvent(new org.osgi.service.cm.ConfigurationEvent(proxy(org.osgi.framework.ServiceReference.class, (n, a) -> null),
                        org.osgi.service.cm.ConfigurationEvent.CM_UPDATED,
                        null, pid));
                return null;
            });
            recorder.rejected(pid, pid + ": refreshInterval = '-5s' is invalid; expected a duration (hunter22-secret)");
            List<dev.strata.platform.audit.LogRecord> records = configurationRecords(store, 2);
            assertThat(records).extracting(r -> r.payload().get("action")).containsExactly("updated", "rejected");
            dev.strata.platform.audit.LogRecord rejected = records.get(1);
            assertThat(rejected.actor()).as("whoever made the change").isEqualTo("alice");
            assertThat(rejected.subjects()).containsEntry("configuration", pid);
            assertThat(String.valueOf(rejected.payload().get("summary"))).isEqualTo("configuration " + pid
                    + " change rejected, the settings before it stay in force: " + pid
                    + ": refreshInterval = '-5s' is invalid; expected a duration (****)");
            assertThat(rejected.payload().toString()).doesNotContain("hunter22-secret");
        } finally {
            recorder.deactivate();
            store.close();
        }
    }

    /**
     * The recorder is the API's {@link ConfigurationRejections} (its descriptor registers it so), the
     * service through which a provider, which sees the API only, records a change it refused. A refusal
     * of a factory configuration's instance (a provider's, named {@code dev.strata.provider.aws~eu})
     * is recorded under the instance's PID, the one the change's own {@code updated} record names,
     * after it, as written by whoever made the change (here a file: {@code system}); a credential in
     * the reason is masked. Before, the recorder was registered as the core's interface only, so a
     * provider's refusal was only logged, and the log said {@code updated} for a change never in force.
     */
    @Test
    void aProvidersRefusalIsRecordedThroughTheApisServiceUnderTheInstancesPid(@org.junit.jupiter.api.io.TempDir java.nio.file.Path data)
            throws Exception {
        String descriptor = "OSGI-INF/" + ConfigurationRecorder.class.getName() + ".xml";
        org.w3c.dom.Document xml;
        try (java.io.InputStream in = ConfigurationRecorder.class.getClassLoader().getResourceAsStream(descriptor)) {
            assertThat(in).as(descriptor).isNotNull();
            xml = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
        }
        List<String> provided = new java.util.ArrayList<>();
        org.w3c.dom.NodeList provides = xml.getElementsByTagName("provide");
        for (int i = 0; i < provides.getLength(); i++) {
            provided.add(((org.w3c.dom.Element) provides.item(i)).getAttribute("interface"));
        }
        assertThat(provided).as("the services the recorder is registered as").contains(ConfigurationRejections.class.getName());

        String factoryPid = "dev.strata.provider.aws";
        String pid = factoryPid + "~eu";
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("service.pid", pid);
        properties.put("service.factoryPid", factoryPid);
        properties.put("efa", "some");
        org.osgi.service.cm.Configuration configuration = proxy(org.osgi.service.cm.Configuration.class, (name, args) -> switch (name) {
            case "getPid" -> pid;
            case "getFactoryPid" -> factoryPid;
            case "getProperties" -> properties;
            default -> null;
        });
        org.osgi.service.cm.ConfigurationAdmin admin = proxy(org.osgi.service.cm.ConfigurationAdmin.class,
                (name, args) -> "listConfigurations".equals(name) ? new org.osgi.service.cm.Configuration[] {configuration} : null);
        dev.strata.platform.core.store.JdbcStateStore store = dev.strata.platform.core.store.StoreTestAccess.embedded(data);
        ConfigurationRecorder recorder = new ConfigurationRecorder(store, admin);
        try {
            recorder.configurationEvent(new org.osgi.service.cm.ConfigurationEvent(proxy(org.osgi.framework.ServiceReference.class, (n, a) -> null),
                    org.osgi.service.cm.ConfigurationEvent.CM_UPDATED, factoryPid, pid));
            ConfigurationRejections rejections = recorder;
            ConfigurationRejections.tell(rejections, pid, factoryPid + ": efa = 'some' is invalid; expected all, one or off (from "
                    + "https://admin:s3cr3t-pw@ec2.example)");
            List<dev.strata.platform.audit.LogRecord> records = configurationRecords(store, 2);
            assertThat(records).extracting(r -> r.payload().get("action")).containsExactly("updated", "rejected");
            assertThat(records).extracting(r -> r.payload().get("pid")).containsExactly(pid, pid);
            assertThat(records.get(0).payload()).containsEntry("factoryPid", factoryPid);
            dev.strata.platform.audit.LogRecord rejected = records.get(1);
            assertThat(rejected.actor()).as("whoever made the change").isEqualTo("system");
            assertThat(rejected.subjects()).containsEntry("configuration", pid);
            assertThat(String.valueOf(rejected.payload().get("reason"))).startsWith(factoryPid + ": efa = 'some' is invalid; expected all, "
                    + "one or off");
            assertThat(rejected.payload().toString()).doesNotContain("s3cr3t-pw");
        } finally {
            recorder.deactivate();
            store.close();
        }
    }

    /**
     * A component says whether the settings before a refused change stay in force: a provider's
     * ordinary refusal (the form of 1.4, which says they do) and one that leaves it serving nothing
     * (the AWS and OpenStack providers refusing a change that also changed {@code strata.provider.id},
     * which say {@code false}); the summary and the payload's {@code previousSettingsInForce} say
     * which. Before, only the core's own PIDs were said to keep their settings, so a provider's
     * ordinary refusal, which keeps them, was recorded as though it did not.
     */
    @Test
    void theRecordSaysWhetherTheSettingsBeforeARefusedChangeStayInForceAsTheComponentSays(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path data) throws Exception {
        String factoryPid = "dev.strata.provider.aws";
        String pid = factoryPid + "~eu";
        String core = "dev.strata.platform.core.inventory";
        org.osgi.service.cm.ConfigurationAdmin admin = proxy(org.osgi.service.cm.ConfigurationAdmin.class, (name, args) -> null);
        dev.strata.platform.core.store.JdbcStateStore store = dev.strata.platform.core.store.StoreTestAccess.embedded(data);
        ConfigurationRecorder recorder = new ConfigurationRecorder(store, admin);
        try {
            String ordinary = factoryPid + ": efa = 'some' is invalid; expected all, one or off";
            ConfigurationRejections.tell(recorder, pid, ordinary);
            String servesNothing = "the configuration of AWS provider aws-us was refused, and it serves nothing until the configuration is "
                    + "corrected: " + factoryPid + ": efa = 'some' is invalid; expected all, one or off";
            ConfigurationRejections.tell(recorder, pid, servesNothing, false);
            ConfigurationRejections.tell(recorder, core, core + ": refreshInterval = '-5s' is invalid; expected a duration", true);
            List<dev.strata.platform.audit.LogRecord> records = configurationRecords(store, 3);
            assertThat(records).extracting(r -> String.valueOf(r.payload().get("summary"))).containsExactly(
                    "configuration " + pid + " change rejected, the settings before it stay in force: " + ordinary,
                    "configuration " + pid + " change rejected: " + servesNothing,
                    "configuration " + core + " change rejected, the settings before it stay in force: " + core
                            + ": refreshInterval = '-5s' is invalid; expected a duration");
            assertThat(records).extracting(r -> r.payload().get("previousSettingsInForce")).containsExactly(true, false, true);
        } finally {
            recorder.deactivate();
            store.close();
        }
    }

    /**
     * A configuration whose properties could not be read is recorded as {@code unreadable} with
     * the reason; that is no property of it, and it is not warned of nor recorded as one no
     * component reads (the record said {@code not read by Strata: unreadable}, a property the
     * operator never wrote). Through a real embedded store; Config Admin a proxy that cannot list
     * configurations, the framework and the MetaType service proxies declaring the PID's properties.
     */
    @Test
    void aConfigurationThatCouldNotBeReadIsNotSaidToHaveAPropertyNoComponentReads(@org.junit.jupiter.api.io.TempDir java.nio.file.Path data)
            throws Exception {
        String pid = "dev.strata.platform.core.inventory";
        org.osgi.service.cm.ConfigurationAdmin admin = proxy(org.osgi.service.cm.ConfigurationAdmin.class, (name, args) -> {
            throw new java.io.UncheckedIOException(new java.io.IOException("the configuration store is unreadable"));
        });
        org.osgi.framework.Bundle core = proxy(org.osgi.framework.Bundle.class, (name, args) -> switch (name) {
            case "getSymbolicName" -> "dev.strata.platform.core";
            case "getState" -> org.osgi.framework.Bundle.ACTIVE;
            case "hashCode" -> 1;
            case "equals" -> false;
            default -> null;
        });
        org.osgi.framework.BundleContext context = proxy(org.osgi.framework.BundleContext.class,
                (name, args) -> "getBundles".equals(name) ? new org.osgi.framework.Bundle[] {core} : null);
        org.osgi.service.metatype.AttributeDefinition refresh = proxy(org.osgi.service.metatype.AttributeDefinition.class,
                (name, args) -> "getID".equals(name) ? "refreshInterval" : null);
        org.osgi.service.metatype.ObjectClassDefinition ocd = proxy(org.osgi.service.metatype.ObjectClassDefinition.class,
                (name, args) -> "getAttributeDefinitions".equals(name) ? new org.osgi.service.metatype.AttributeDefinition[] {refresh} : null);
        org.osgi.service.metatype.MetaTypeInformation info = proxy(org.osgi.service.metatype.MetaTypeInformation.class, (name, args) -> switch (name) {
            case "getPids" -> new String[] {pid};
            case "getFactoryPids" -> new String[0];
            case "getObjectClassDefinition" -> ocd;
            default -> null;
        });
        org.osgi.service.metatype.MetaTypeService metaType = proxy(org.osgi.service.metatype.MetaTypeService.class, (name, args) -> info);
        dev.strata.platform.core.store.JdbcStateStore store = dev.strata.platform.core.store.StoreTestAccess.embedded(data);
        ConfigurationRecorder recorder = new ConfigurationRecorder(store, admin, context);
        try {
            recorder.bindMetaType(metaType);
            assertThat(UnknownProperties.declared(metaType, context, pid, null)).contains(java.util.Set.of("refreshInterval"));
            recorder.configurationEvent(new org.osgi.service.cm.ConfigurationEvent(proxy(org.osgi.framework.ServiceReference.class, (n, a) -> null),
                    org.osgi.service.cm.ConfigurationEvent.CM_UPDATED, null, pid));
            List<dev.strata.platform.audit.LogRecord> records = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (records.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
                records = store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null, null, null, null, "configuration",
                        null, null, 10, false));
            }
            assertThat(records).hasSize(1);
            assertThat(records.get(0).payload()).as("the record of a configuration that could not be read")
                    .containsKey("properties").doesNotContainKey("unknown");
            assertThat(String.valueOf(records.get(0).payload().get("summary"))).doesNotContain("not read by Strata");
        } finally {
            recorder.deactivate();
            store.close();
        }
    }

    /**
     * Karaf reads {@code etc/dev.strata.provider.aws.cfg} holding
     * <pre>
     * regions = eu-central-1
     * .secretAccessKey =
     *   Tq8Zr/4nVb7XkLw2Ys9MeP1cHd6FuJ3aGoRi5BtN
     * </pre>
     * as an empty {@code .secretAccessKey} and a property whose name is the secret. Neither the
     * warnings (of the change, and of what is configured already when the MetaType service comes)
     * nor the change's record name it; the warning names the empty secret and says how to write it.
     * Through a real embedded store; Config Admin, the framework and the MetaType service proxies.
     */
    @Test
    void aSecretWrittenOnTheLineAfterItsKeyReachesNeitherTheLogNorTheRecord(@org.junit.jupiter.api.io.TempDir java.nio.file.Path data)
            throws Exception {
        String secret = "Tq8Zr/4nVb7XkLw2Ys9MeP1cHd6FuJ3aGoRi5BtN";
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("felix.fileinstall.filename", "file:/opt/strata/etc/dev.strata.provider.aws.cfg");
        properties.put("regions", "eu-central-1");
        properties.put(".secretAccessKey", "");
        properties.put(secret, "");
        Recorded r = record(data, "dev.strata.provider.aws", properties, java.util.Set.of("regions", "accessKeyId", ".secretAccessKey",
                "secretAccessKeyFile"));

        assertThat(r.log()).doesNotContain("Tq8Zr").doesNotContain("BtN")
                .contains("Configuration dev.strata.provider.aws (file:/opt/strata/etc/dev.strata.provider.aws.cfg): the secret property "
                        + ".secretAccessKey is empty, and 1 property that no component reads is not named here")
                .contains("Write the value on the same line as its key (.secretAccessKey = ...), or end the key's line with a backslash");
        Map<String, Object> payload = r.record().payload();
        assertThat(payload.toString()).doesNotContain("Tq8Zr").doesNotContain("BtN");
        assertThat(String.valueOf(payload.get("summary"))).isEqualTo("configuration dev.strata.provider.aws updated; not read by Strata: "
                + "1 property not named, as its name may be a secret written on a line of its own");
        assertThat(payload.get("unknown")).isEqualTo(List.of("(withheld 1)"));
        assertThat(properties(payload)).containsEntry("(withheld 1)", "(redacted)").containsEntry(".secretAccessKey", "(redacted)")
                .containsEntry("regions", "eu-central-1");
    }

    /**
     * A BMC's password written on the line after its key, one with a word in it that says secret
     * ({@code Winter-Password-2024}): read as a property whose name says secret, with no value, it
     * reaches neither the log nor the record, as any secret written so. Before, it was taken for an
     * empty secret of its own: named in the warning of what Strata does not read, and in the record.
     */
    @Test
    void aSecretThatSaysSecretWrittenOnTheLineAfterItsKeyReachesNeitherTheLogNorTheRecord(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path data) throws Exception {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("address", "https://10.0.0.5");
        properties.put("user", "root");
        properties.put("password", "");
        properties.put("Winter-Password-2024", "");
        Recorded r = record(data, "dev.strata.provider.bmc~rack1", properties, java.util.Set.of("address", "user", "password", "passwordFile"));

        assertThat(r.log()).doesNotContain("Winter").contains("the secret property password is empty, and 1 property that no component "
                + "reads is not named here");
        Map<String, Object> payload = r.record().payload();
        assertThat(payload.toString()).doesNotContain("Winter");
        assertThat(payload.get("unknown")).isEqualTo(List.of("(withheld 1)"));
        assertThat(properties(payload)).containsOnlyKeys("address", "user", "password", "(withheld 1)");
    }

    /**
     * A BMC's password wrapped onto a second line without a backslash: the rest is withheld from
     * the log and the record, a misspelt property beside it is still named with the property it
     * most likely misspells.
     */
    @Test
    void theRestOfAWrappedPasswordIsWithheldAndAMisspeltPropertyStillNamed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path data)
            throws Exception {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("adress", "https://10.0.0.5");
        properties.put("user", "root");
        properties.put("password", "Wr4pped-Pass-");
        properties.put("9x2QrT7wLk", "");
        Recorded r;
        try {
            r = record(data, "dev.strata.provider.bmc~rack1", properties, java.util.Set.of("address", "user", "password", "passwordFile"));
        } finally {
            ProviderText.forgetSecret("Wr4pped-Pass-");
        }

        assertThat(r.log()).doesNotContain("9x2QrT7wLk").doesNotContain("Wr4pped")
                .contains("adress (did you mean address?) is not a property Strata reads")
                .contains("1 property with no value that no component reads is not named here: it may be the rest of the value of the secret "
                        + "property password, wrapped onto the next line without a backslash");
        Map<String, Object> payload = r.record().payload();
        assertThat(payload.toString()).doesNotContain("9x2QrT7wLk").doesNotContain("Wr4pped");
        assertThat(String.valueOf(payload.get("summary"))).isEqualTo("configuration dev.strata.provider.bmc~rack1 updated; not read by Strata: "
                + "adress (did you mean address?), and 1 property not named, as its name may be a secret written on a line of its own");
        assertThat(payload.get("unknown")).isEqualTo(List.of("adress", "(withheld 1)"));
    }

    /**
     * A configuration whose bundle location changed (Config Admin's {@code CM_LOCATION_CHANGED}:
     * its properties did not change) is recorded, but its unknown properties are not warned of
     * again. Before, every such event repeated the warning of the update before it.
     */
    @Test
    void aLocationChangeDoesNotWarnAgainOfWhatTheUpdateWarnedOf(@org.junit.jupiter.api.io.TempDir java.nio.file.Path data) throws Exception {
        java.util.function.Supplier<Hashtable<String, Object>> properties = () -> {
            Hashtable<String, Object> p = new Hashtable<>();
            p.put("regoins", "eu-central-1");
            return p;
        };
        java.util.Set<String> declared = java.util.Set.of("regions", "accessKeyId");
        String warning = "regoins (did you mean regions?) is not a property Strata reads";
        Recorded updated = record(data.resolve("one"), "dev.strata.provider.aws", properties.get(), declared);
        Recorded moved = record(data.resolve("two"), "dev.strata.provider.aws", properties.get(), declared,
                org.osgi.service.cm.ConfigurationEvent.CM_UPDATED, org.osgi.service.cm.ConfigurationEvent.CM_LOCATION_CHANGED);

        assertThat(moved.record().payload()).containsEntry("action", "location-changed");
        assertThat(occurrences(moved.log(), warning)).as("the update's warning, not one more for the location change")
                .isEqualTo(occurrences(updated.log(), warning)).isPositive();
    }

    private static int occurrences(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    /**
     * An empty secret with nothing stray beside it (its value in a file) is no alarm, and a
     * misspelt property is named with what it most likely misspells, in the log and the record.
     */
    @Test
    void anEmptySecretAloneIsNoAlarmAndAMisspeltPropertyIsNamed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path data) throws Exception {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("regoins", "eu-central-1");
        properties.put(".secretAccessKey", "");
        properties.put("secretAccessKeyFile", "aws-prod.secret");
        Recorded r = record(data, "dev.strata.provider.aws", properties, java.util.Set.of("regions", "accessKeyId", ".secretAccessKey",
                "secretAccessKeyFile"));

        assertThat(r.log()).contains("Configuration dev.strata.provider.aws: regoins (did you mean regions?) is not a property Strata reads; "
                + "it has no effect (the properties it reads: .secretAccessKey, accessKeyId, regions, secretAccessKeyFile)")
                .doesNotContain("not named").doesNotContain("withheld");
        Map<String, Object> payload = r.record().payload();
        assertThat(String.valueOf(payload.get("summary"))).isEqualTo("configuration dev.strata.provider.aws updated; not read by Strata: "
                + "regoins (did you mean regions?)");
        assertThat(payload.get("unknown")).isEqualTo(List.of("regoins"));
        assertThat(properties(payload)).containsOnlyKeys("regoins", ".secretAccessKey", "secretAccessKeyFile");
    }

    /**
     * Without what the component declares (a recorder outside a framework, a bundle not started),
     * the record still withholds every name beside an empty secret: the value of a secret written
     * on the line after its key, here one with a colon in it, read as a name and a value.
     */
    @Test
    void whatIsShownWithholdsANameBesideAnEmptySecretWithoutKnowingWhatIsDeclared() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("service.pid", "dev.strata.provider.bmc~rack1");
        p.put("password", "");
        p.put("Xr7wQ2", "Lk9-Pa55-w0rd-4e1");
        ConfigurationRecorder.Seen seen = ConfigurationRecorder.seen(p);
        assertThat(seen.shown().toString()).doesNotContain("Xr7wQ2").doesNotContain("Pa55-w0rd");
        assertThat(seen.shown()).containsOnlyKeys("password", "(withheld 1)");
        Hashtable<String, Object> q = new Hashtable<>(p);
        q.remove("Xr7wQ2");
        q.put("Yt3vB8", "Mn5-Other-w0rd-2c7");
        assertThat(ConfigurationRecorder.changed(seen, ConfigurationRecorder.seen(q))).as("another secret on that line is a change")
                .containsExactly("(withheld 1)");
    }

    /**
     * A secret file's property whose value names no file ({@code tokenFile = <the token>}, the token
     * written where its file's path belongs) is redacted in the record, whose log cannot be
     * mended; whether it changed is still told. One that names a file is shown. Before, the record
     * showed the token.
     */
    @Test
    void aSecretFilePropertyThatNamesNoFileIsRedactedInTheRecord(@org.junit.jupiter.api.io.TempDir java.nio.file.Path etc) throws Exception {
        String before = System.getProperty("karaf.etc");
        System.setProperty("karaf.etc", etc.toString());
        try {
            java.nio.file.Files.writeString(etc.resolve("metrics.token"), "x".repeat(32) + "\n");
            String token = "4f3c2a1b9e8d7c6b5a4f3e2d1c0b9a8f";
            Hashtable<String, Object> p = new Hashtable<>();
            p.put("service.pid", "dev.strata.platform.metrics");
            p.put("tokenFile", token);
            ConfigurationRecorder.Seen seen = ConfigurationRecorder.seen(p);
            assertThat(seen.shown().toString()).doesNotContain(token);
            assertThat(seen.shown()).containsEntry("tokenFile", "(redacted: names no file)");
            Hashtable<String, Object> q = new Hashtable<>(p);
            q.put("tokenFile", token.replace('4', '5'));
            assertThat(ConfigurationRecorder.changed(seen, ConfigurationRecorder.seen(q))).containsExactly("tokenFile");

            q.put("tokenFile", "metrics.token");
            assertThat(ConfigurationRecorder.seen(q).shown()).as("a path that names a file").containsEntry("tokenFile", "metrics.token");
            q.put("tokenFile", "");
            assertThat(ConfigurationRecorder.seen(q).shown()).containsEntry("tokenFile", "");
            q.put("instanceTypesFile", "no-such-types.yaml");
            assertThat(ConfigurationRecorder.seen(q).shown()).as("a file holding no secret").containsEntry("instanceTypesFile",
                    "no-such-types.yaml");
        } finally {
            if (before == null) {
                System.clearProperty("karaf.etc");
            } else {
                System.setProperty("karaf.etc", before);
            }
        }
    }

    /**
     * A secret file's property given as a list or an array (a typed {@code .config} file's
     * {@code passwordFile=["..."]}, or another bundle's Config Admin call; Declarative Services hands the
     * component its first element) is judged as a text is: an element that names no file may be the
     * secret itself, and the value is redacted; one whose elements name files is shown. Before, only a
     * text was looked at, and the record showed such a list as it was.
     */
    @Test
    void aSecretFilePropertyGivenAsAListThatNamesNoFileIsRedactedInTheRecord(@org.junit.jupiter.api.io.TempDir java.nio.file.Path etc)
            throws Exception {
        String before = System.getProperty("karaf.etc");
        System.setProperty("karaf.etc", etc.toString());
        try {
            java.nio.file.Files.writeString(etc.resolve("bmc.pw"), "Qz8-bmc-Passw0rd\n");
            String password = "Tr0ub4dor-and-3-more";
            for (Object value : List.of(new String[] {password}, List.of(password), new String[] {"bmc.pw", password})) {
                Hashtable<String, Object> p = new Hashtable<>();
                p.put("service.pid", "dev.strata.provider.baremetal.bmc~n07");
                p.put("passwordFile", value);
                ConfigurationRecorder.Seen seen = ConfigurationRecorder.seen(p);
                assertThat(seen.shown().toString()).as("%s", value).doesNotContain(password).doesNotContain("Tr0ub");
                assertThat(seen.shown()).containsEntry("passwordFile", "(redacted: names no file)");
                Hashtable<String, Object> q = new Hashtable<>(p);
                q.put("passwordFile", new String[] {password.replace('3', '4')});
                assertThat(ConfigurationRecorder.changed(seen, ConfigurationRecorder.seen(q))).as("a change is still told")
                        .containsExactly("passwordFile");
            }
            Hashtable<String, Object> p = new Hashtable<>();
            p.put("passwordFile", new String[] {"bmc.pw"});
            assertThat(ConfigurationRecorder.seen(p).shown()).as("a list that names a file").containsEntry("passwordFile", List.of("bmc.pw"));
        } finally {
            if (before == null) {
                System.clearProperty("karaf.etc");
            } else {
                System.setProperty("karaf.etc", before);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> properties(Map<String, Object> payload) {
        return (Map<String, Object>) payload.get("properties");
    }

    /** What the log and the record say of one change of a configuration. */
    private record Recorded(String log, dev.strata.platform.audit.LogRecord record) {
    }

    /**
     * Records a change of {@code pid} to {@code properties}, whose component declares
     * {@code declared}, after the MetaType service came (which warns of what is configured already):
     * the log written meanwhile, and the change's record.
     */
    private static Recorded record(java.nio.file.Path data, String pid, Hashtable<String, Object> properties, java.util.Set<String> declared)
            throws Exception {
        return record(data, pid, properties, declared, org.osgi.service.cm.ConfigurationEvent.CM_UPDATED);
    }

    /** As above, with Config Admin's events of {@code types} one after the other; the record of the last. */
    private static Recorded record(java.nio.file.Path data, String pid, Hashtable<String, Object> properties, java.util.Set<String> declared,
            int... types) throws Exception {
        String factoryPid = pid.contains("~") ? pid.substring(0, pid.indexOf('~')) : null;
        properties.put("service.pid", pid);
        org.osgi.service.cm.Configuration configuration = proxy(org.osgi.service.cm.Configuration.class, (name, args) -> switch (name) {
            case "getPid" -> pid;
            case "getFactoryPid" -> factoryPid;
            case "getProperties" -> properties;
            default -> null;
        });
        org.osgi.service.cm.ConfigurationAdmin admin = proxy(org.osgi.service.cm.ConfigurationAdmin.class,
                (name, args) -> "listConfigurations".equals(name) ? new org.osgi.service.cm.Configuration[] {configuration} : null);
        org.osgi.framework.Bundle provider = proxy(org.osgi.framework.Bundle.class, (name, args) -> switch (name) {
            case "getSymbolicName" -> "dev.strata.provider.test";
            case "getState" -> org.osgi.framework.Bundle.ACTIVE;
            case "hashCode" -> 1;
            case "equals" -> false;
            default -> null;
        });
        org.osgi.framework.BundleContext context = proxy(org.osgi.framework.BundleContext.class,
                (name, args) -> "getBundles".equals(name) ? new org.osgi.framework.Bundle[] {provider} : null);
        org.osgi.service.metatype.AttributeDefinition[] attributes = declared.stream()
                .map(id -> proxy(org.osgi.service.metatype.AttributeDefinition.class, (name, args) -> "getID".equals(name) ? id : null))
                .toArray(org.osgi.service.metatype.AttributeDefinition[]::new);
        org.osgi.service.metatype.ObjectClassDefinition ocd = proxy(org.osgi.service.metatype.ObjectClassDefinition.class,
                (name, args) -> "getAttributeDefinitions".equals(name) ? attributes : null);
        String id = factoryPid == null ? pid : factoryPid;
        org.osgi.service.metatype.MetaTypeInformation info = proxy(org.osgi.service.metatype.MetaTypeInformation.class, (name, args) -> switch (name) {
            case "getPids" -> new String[0];
            case "getFactoryPids" -> new String[] {id};
            case "getObjectClassDefinition" -> ocd;
            default -> null;
        });
        org.osgi.service.metatype.MetaTypeService metaType = proxy(org.osgi.service.metatype.MetaTypeService.class, (name, args) -> info);
        dev.strata.platform.core.store.JdbcStateStore store = dev.strata.platform.core.store.StoreTestAccess.embedded(data);
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            ConfigurationRecorder recorder = new ConfigurationRecorder(store, admin, context);
            List<dev.strata.platform.audit.LogRecord> records = new java.util.ArrayList<>();
            try {
                recorder.bindMetaType(metaType);
                for (int type : types) {
                    recorder.configurationEvent(new org.osgi.service.cm.ConfigurationEvent(proxy(org.osgi.framework.ServiceReference.class,
                            (n, a) -> null), type, factoryPid, pid));
                }
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
                while (records.size() < types.length && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                    records = store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null, null, null, null, "configuration",
                            null, null, 10, false));
                }
            } finally {
                recorder.deactivate();
            }
            assertThat(records).hasSize(types.length);
            return new Recorded(log.text(), records.get(records.size() - 1));
        } finally {
            store.close();
        }
    }

    /** Named as Karaf's is: the actor is the subject's UserPrincipal. */
    record UserPrincipal(String getName) implements java.security.Principal {
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, java.util.function.BiFunction<String, Object[], Object> answer) {
        return (T) java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (self, method, args) -> method.getName().equals("toString") ? type.getSimpleName() : answer.apply(method.getName(), args));
    }

    /**
     * The store's configuration records (at most 10) once there are {@code count} of them, or as
     * they are after 10 s: the recorder writes on a thread of its own.
     */
    private static List<dev.strata.platform.audit.LogRecord> configurationRecords(dev.strata.platform.core.store.JdbcStateStore store,
            int count) throws InterruptedException {
        List<dev.strata.platform.audit.LogRecord> records = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (records.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
            records = store.provenance().find(new dev.strata.platform.core.store.AuditFilter(null, null, null, null, "configuration",
                    null, null, 10, false));
        }
        return records;
    }
}
