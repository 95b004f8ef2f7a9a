package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.provider.openstack.auth.Credentials;
import dev.strata.provider.openstack.placement.PciGpus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Configuration is validated with messages that name the property, the value and what was expected, and holds no secret. */
class OpenStackSettingsTest {

    @TempDir
    Path dir;

    Map<String, Object> valid() {
        return TestClouds.passwordConfig(dir, "https://keystone.example.org:5000/v3", "s3cret-Passw0rd");
    }

    @Test
    void aValidConfigurationReadsEverything() {
        Map<String, Object> m = valid();
        m.put("region", "fra1");
        m.put("networks", "3f1c2a44-9b6e-4c55-8a0e-0c6f8d7b1e21, 7a0d7e5e-5a54-4b2c-9d7e-2f61a7c1d9aa");
        m.put("buildTimeout", "15m");
        OpenStackSettings s = OpenStackSettings.from(TestClouds.config(m));
        assertThat(s.providerId()).isEqualTo("os-test");
        assertThat(s.region()).isEqualTo("fra1");
        assertThat(s.endpointInterface()).isEqualTo("public");
        assertThat(s.country()).isEqualTo("DE");
        assertThat(s.jurisdictions()).containsExactlyInAnyOrder("EU", "DE");
        assertThat(s.operator().name()).isEqualTo("Mainufer Cloud GmbH");
        assertThat(s.createFlavors()).isFalse();
        assertThat(s.networks()).containsExactly("3f1c2a44-9b6e-4c55-8a0e-0c6f8d7b1e21", "7a0d7e5e-5a54-4b2c-9d7e-2f61a7c1d9aa");
        assertThat(s.buildTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(s.createSettle()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.credentials()).isInstanceOf(Credentials.Password.class);
        assertThat(s.credentials().secret().reveal()).isEqualTo("s3cret-Passw0rd");
    }

    @Test
    void theSecretIsInNoStringForm() {
        OpenStackSettings s = OpenStackSettings.from(TestClouds.config(valid()));
        assertThat(s.toString()).doesNotContain("s3cret-Passw0rd").contains("****");
        assertThat(s.credentials().toString()).doesNotContain("s3cret-Passw0rd");
        assertThat(s.credentials().secret().toString()).isEqualTo("****");
        assertThat(s.credentials().identity()).isEqualTo("user 'admin' (domain Default) for project 'admin' (domain Default)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "strata.provider.id|Open Stack|strata.provider.id = 'Open Stack' is invalid; expected a provider id of lower-case letters",
        "authUrl|keystone:5000|authUrl = 'keystone:5000' is invalid; expected the Keystone v3 URL, http or https with a host",
        "authUrl|https://admin:pw@keystone.example.org/v3|expected the Keystone v3 URL, http or https with a host, e.g. https://keystone.example.org:5000/v3 (and no user:password@ in it)",
        "authType|token|authType = 'token' is invalid; expected password or applicationCredential",
        "endpointInterface|private|endpointInterface = 'private' is invalid; expected one of public, internal, admin",
        "country|Germany|country = 'Germany' is invalid; expected an ISO 3166-1 alpha-2 country code such as DE, or nothing",
        "country|XX|country = 'XX' is invalid; expected an ISO 3166-1 alpha-2 country code such as DE, or nothing",
        "flavorPolicy|guess|flavorPolicy = 'guess' is invalid; expected match or create",
        "networks|net-1|networks = 'net-1' is invalid; expected none, auto, or network UUIDs separated by commas",
        "requestTimeout|soon|requestTimeout = 'soon' is invalid; expected a duration from 100ms to 10m",
        "buildTimeout|500ms|buildTimeout = '500ms' is invalid; expected a duration from 1s to 1d, a number with unit ns, us, ms, s, m, h or d",
        "createSettle|0s|createSettle = '0s' is invalid; expected a duration from 1s to 1h",
        "parallelism|0|parallelism = '0' is invalid; expected a number from 1 to 32",
        "passwordFile|/nonexistent/strata-password|passwordFile = '(not shown: its folder does not exist either; a value that names no file may be the secret itself, written where its file's path belongs)' is invalid; expected a readable file holding the password alone (NoSuchFileException)",
        "passwordFile|the-password-itself|passwordFile = '(not shown: ",
        "userName|''|userName = '' is invalid; expected the user name (authType password)"})
    void aBadValueIsRefusedNamingPropertyValueAndExpectation(String property, String value, String message) {
        Map<String, Object> m = valid();
        m.put(property, property.equals("parallelism") ? Integer.valueOf(value) : value);
        assertThatThrownBy(() -> OpenStackSettings.from(TestClouds.config(m))).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("dev.strata.provider.openstack: ").hasMessageContaining(message)
                .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo(property));
    }

    /**
     * A .cfg value is text that Declarative Services converts to the method's int only when it is read: one that is no
     * number is refused like any other bad value, naming the PID, the property, the value and what was expected.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "flavorDisk|ten|a root disk size in GiB from 0 to 100000",
        "flavorDisk|20GiB|a root disk size in GiB from 0 to 100000",
        "parallelism|4x|a number from 1 to 32",
        "parallelism|99999999999|a number from 1 to 32"})
    void aNumberThatIsNoWholeNumberIsRefusedNamingPropertyValueAndExpectation(String property, String value, String expected) {
        Map<String, Object> m = valid();
        m.put(property, value);
        assertThatThrownBy(() -> OpenStackSettings.from(TestClouds.config(m))).isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("dev.strata.provider.openstack: " + property + " = '" + value + "' is invalid; expected " + expected)
                .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo(property));
    }

    /**
     * Every duration has a stated upper bound: a value just above it, and the largest value a
     * duration holds at all (about 292 years), are refused with the property and the range, and
     * the bounds themselves are accepted.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "connectTimeout|100ms|5m|301s",
        "requestTimeout|100ms|10m|601s",
        "buildTimeout|1s|1d|25h",
        "tokenRenewBefore|0s|1d|1441m",
        "createSettle|1s|1h|61m"})
    void everyDurationHasAStatedUpperBound(String property, String minimum, String maximum, String above) {
        String message = property + " = '%s' is invalid; expected a duration from " + minimum + " to " + maximum
                + ", a number with unit ns, us, ms, s, m, h or d (e.g. 30s)";
        for (String tooLong : List.of(above, "106751d", "9223372036s")) {
            Map<String, Object> m = valid();
            m.put(property, tooLong);
            assertThatThrownBy(() -> OpenStackSettings.from(TestClouds.config(m))).as(tooLong).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining(message.formatted(tooLong))
                    .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo(property));
        }
        for (String bound : List.of(minimum, maximum)) {
            Map<String, Object> m = valid();
            m.put(property, bound);
            assertThat(OpenStackSettings.from(TestClouds.config(m))).as(bound).isNotNull();
        }
    }

    /** A refused Keystone URL is named without the user and password in it, parseable or not, nor a secret parameter's value. */
    @Test
    void aRefusedAuthUrlIsShownWithoutItsCredentials() {
        Map<String, String> refused = Map.of(
                "https://admin:Keystone-Pw-1@keystone.example.org:5000/v3", "'https://****@keystone.example.org:5000/v3'",
                "https://admin:Keystone Pw-1@keystone.example.org/v3", "'https://****@keystone.example.org/v3'",
                "ftp://admin:Keystone-Pw-1@keystone.example.org/v3?token=Keystone-Pw-1", "'ftp://****@keystone.example.org/v3?token=****'",
                "admin:Keystone-Pw-1@keystone.example.org", "'****@keystone.example.org'",
                "https://keystone.example.org:5000/v3?token=Keystone-Pw-1", "'https://keystone.example.org:5000/v3?token=****'",
                "https://keystone.example.org:5000/v3#Keystone-Pw-1", "'https://keystone.example.org:5000/v3#****'",
                "https://keystone.example.org:5000/v3?x=1&password=Keystone-Pw-1#frag%", "'https://keystone.example.org:5000/v3?x=1&password=****#****'",
                "https://admin:Keystone-Pw-1@keystone.example.org:5000/v3#Keystone-Pw-2", "'https://****@keystone.example.org:5000/v3#****'");
        refused.forEach((url, shown) -> {
            Map<String, Object> m = valid();
            m.put("authUrl", url);
            assertThatThrownBy(() -> OpenStackSettings.from(TestClouds.config(m))).as(url).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageNotContaining("Keystone-Pw-1").hasMessageNotContaining("Keystone Pw-1").hasMessageNotContaining("Keystone-Pw-2").hasMessageContaining("authUrl = " + shown);
        });
    }

    @Test
    void bothOrNeitherProjectIsRefused() {
        Map<String, Object> m = valid();
        m.put("projectId", "a1b2c3");
        assertThatThrownBy(() -> OpenStackSettings.from(TestClouds.config(m))).hasMessageContaining(
                "expected exactly one of projectName and projectId (authType password)");
        m.remove("projectId");
        m.put("projectName", "");
        assertThatThrownBy(() -> OpenStackSettings.from(TestClouds.config(m))).hasMessageContaining("projectName = '' is invalid");
    }

    @Test
    void operatorJurisdictionsNeedAnOperatorAndCodesMustBeCodes() {
        Map<String, Object> m = valid();
        m.put("operatorName", "");
        assertThatThrownBy(() -> OpenStackSettings.from(TestClouds.config(m))).hasMessageContaining(
                "operatorName = '' is invalid; expected the operator's legal name when operatorJurisdictions is set");
        Map<String, Object> n = valid();
        n.put("jurisdictions", new String[] {"EU", "Europe"});
        assertThatThrownBy(() -> OpenStackSettings.from(TestClouds.config(n))).hasMessageContaining(
                "jurisdictions = 'Europe' is invalid; expected jurisdiction codes: ISO 3166-1 alpha-2 (DE, FR, US) or EU");
        // a two-letter code no country has matches no contract's (the United Kingdom's is GB)
        Map<String, Object> uk = valid();
        uk.put("operatorJurisdictions", new String[] {"UK"});
        assertThatThrownBy(() -> OpenStackSettings.from(TestClouds.config(uk))).hasMessageContaining(
                "operatorJurisdictions = 'UK' is invalid; expected jurisdiction codes: ISO 3166-1 alpha-2 (DE, FR, US) or EU");
    }

    /** An operator subject to no law would pass every contract's excludeOperatorJurisdictions: a name without them is refused. */
    @Test
    void anOperatorWithoutJurisdictionsIsRefused() {
        Map<String, Object> m = valid();
        m.put("operatorName", "Mainufer Cloud GmbH");
        m.put("operatorJurisdictions", new String[0]);
        assertThatThrownBy(() -> OpenStackSettings.from(TestClouds.config(m))).hasMessageContaining(
                "operatorJurisdictions = '' is invalid; expected the jurisdictions the operator is subject to (at least one, e.g. EU,DE) "
                        + "when operatorName is set");
        m.put("operatorName", "");
        assertThat(OpenStackSettings.from(TestClouds.config(m)).operator()).as("no operator: unknown").isNull();
    }

    @Test
    void anEmptySecretFileAndAnApplicationCredentialWithoutSecretAreRefused() throws IOException {
        Map<String, Object> m = valid();
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        m.put("passwordFile", empty.toString());
        assertThatThrownBy(() -> OpenStackSettings.from(TestClouds.config(m))).hasMessageContaining("(the file is empty)");
        Map<String, Object> ac = new HashMap<>(valid());
        ac.put("authType", "applicationCredential");
        ac.put("applicationCredentialId", "4fe1c3e8d0f24b7f");
        assertThatThrownBy(() -> OpenStackSettings.from(TestClouds.config(ac))).hasMessageContaining(
                "applicationCredentialSecretFile = '' is invalid; expected a readable file holding the application credential's secret alone");
        ac.put("applicationCredentialSecretFile", Files.writeString(dir.resolve("ac"), "ac-secret-XYZ").toString());
        OpenStackSettings s = OpenStackSettings.from(TestClouds.config(ac));
        assertThat(s.credentials()).isInstanceOf(Credentials.ApplicationCredential.class);
        assertThat(s.toString()).doesNotContain("ac-secret-XYZ");
    }

    /**
     * A secret file is read as every secret file is: a byte order mark (a Windows editor's) is no
     * part of the password or the application credential's secret, and a file holding a line that
     * names the secret, as an openrc file or a shell writes it, is refused naming the file and the
     * name, never the value. Before, both were taken into the secret, and every token request failed
     * as Keystone's 401, naming neither the file nor what was wrong with it.
     */
    @Test
    void aSecretFilesByteOrderMarkIsNoPartOfTheSecretAndANamedLineIsRefused() throws IOException {
        Map<String, Object> m = valid();
        m.put("passwordFile", Files.writeString(dir.resolve("bom"), "\uFEFFs3cret-Passw0rd\r\n").toString());
        assertThat(OpenStackSettings.from(TestClouds.config(m)).credentials().secret().reveal()).isEqualTo("s3cret-Passw0rd");

        Path named = Files.writeString(dir.resolve("openrc"), "export OS_PASSWORD=s3cret-Passw0rd\n");
        m.put("passwordFile", named.toString());
        assertThatThrownBy(() -> OpenStackSettings.from(TestClouds.config(m))).isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("dev.strata.provider.openstack: passwordFile = '" + named.toAbsolutePath() + "' is invalid; expected a file "
                        + "holding the password " + "alone, not a line that names it before its value (NAME=..., export NAME=..., NAME: ... or \"NAME\": ..., as a shell, "
                        + "properties, credentials or JSON file writes it; the name is not shown, since a secret could be taken for one): "
                        + "write the value alone");

        Map<String, Object> ac = new HashMap<>(valid());
        ac.put("authType", "applicationCredential");
        ac.put("applicationCredentialId", "4fe1c3e8d0f24b7f");
        Path acNamed = Files.writeString(dir.resolve("ac-openrc"), "OS_APPLICATION_CREDENTIAL_SECRET=ac-secret-XYZ\n");
        ac.put("applicationCredentialSecretFile", acNamed.toString());
        assertThatThrownBy(() -> OpenStackSettings.from(TestClouds.config(ac))).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("applicationCredentialSecretFile = '" + acNamed.toAbsolutePath() + "' is invalid")
                .hasMessageContaining("not a line that names it before its value").hasMessageNotContaining("ac-secret-XYZ")
                .hasMessageNotContaining("OS_APPLICATION_CREDENTIAL_SECRET");
        ac.put("applicationCredentialSecretFile", Files.writeString(dir.resolve("ac-bom"), "\uFEFFac-secret-XYZ\n").toString());
        assertThat(OpenStackSettings.from(TestClouds.config(ac)).credentials().secret().reveal()).isEqualTo("ac-secret-XYZ");
    }

    /**
     * A secret file accepted with the configuration that is gone, or empty as a rewrite leaves it,
     * when a token is requested is a ProviderUnavailableException (tried again: an operator may be
     * rotating it) naming the property and the file (a gone one by its folder), never the secret, for the password and the
     * application credential's secret alike; once rewritten, the new secret is read. Before, it was
     * an InvalidConfigurationException, a final error for the call that needed the token.
     */
    @Test
    void aSecretFileGoneOrEmptyWhenATokenIsRequestedIsUnavailableNotAFinalError() throws IOException {
        Path password = Files.writeString(dir.resolve("password"), "s3cret-Passw0rd\n");
        Map<String, Object> m = valid();
        m.put("passwordFile", password.toString());
        Path acSecret = Files.writeString(dir.resolve("ac-secret"), "ac-secret-XYZ\n");
        Map<String, Object> ac = new HashMap<>(valid());
        ac.put("authType", "applicationCredential");
        ac.put("applicationCredentialId", "4fe1c3e8d0f24b7f");
        ac.put("applicationCredentialSecretFile", acSecret.toString());
        Map<Path, Credentials> byFile = Map.of(password, OpenStackSettings.from(TestClouds.config(m)).credentials(),
                acSecret, OpenStackSettings.from(TestClouds.config(ac)).credentials());
        byFile.forEach((file, credentials) -> {
            String property = file.equals(password) ? "passwordFile" : "applicationCredentialSecretFile";
            try {
                Files.delete(file);
                assertThatThrownBy(credentials::secret).as(property + " gone").isInstanceOf(ProviderUnavailableException.class)
                        // a file that does not exist is named by its folder alone, as at configuration: its name could be the secret
                        .hasMessageStartingWith("dev.strata.provider.openstack: " + property + " = '(a file in " + dir.toAbsolutePath()
                                + " that does not exist").hasMessageContaining("(NoSuchFileException)")
                        .hasMessageContaining("read again at the next token request")
                        .hasMessageNotContaining("s3cret-Passw0rd").hasMessageNotContaining("ac-secret-XYZ");
                Files.writeString(file, "");
                assertThatThrownBy(credentials::secret).as(property + " empty").isInstanceOf(ProviderUnavailableException.class)
                        .hasMessageContaining(property + " = '" + file.toAbsolutePath() + "'").hasMessageContaining("(the file is empty)");
                Files.writeString(file, "rotated-Secret-2\n");
                assertThat(credentials.secret().reveal()).as(property + " rotated").isEqualTo("rotated-Secret-2");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /**
     * A relative secret file is taken from Karaf's etc/ ({@code karaf.etc}), as every other secret
     * file's property is and as the configuration record reads it to mask the secret; before, it
     * was taken from the process's working folder.
     */
    @Test
    void aRelativeSecretFileIsTakenFromKarafsEtc() throws IOException {
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Files.createDirectories(etc.resolve("secrets"));
        Files.writeString(etc.resolve("secrets/openstack.password"), "pw-from-etc\n");
        String before = System.getProperty("karaf.etc");
        System.setProperty("karaf.etc", etc.toString());
        try {
            Map<String, Object> m = valid();
            m.put("passwordFile", "secrets/openstack.password");
            OpenStackSettings s = OpenStackSettings.from(TestClouds.config(m));
            assertThat(((Credentials.Password) s.credentials()).password().get().reveal()).isEqualTo("pw-from-etc");
            m.put("passwordFile", "secrets/absent");
            assertThatThrownBy(() -> OpenStackSettings.from(TestClouds.config(m))).hasMessageContaining("(a file in "
                    + etc.resolve("secrets").toAbsolutePath() + " that does not exist");
        } finally {
            if (before == null) {
                System.clearProperty("karaf.etc");
            } else {
                System.setProperty("karaf.etc", before);
            }
        }
    }

    /**
     * {@code pciGpus} maps Placement resource classes of PCI devices to GPU models and the Nova
     * PCI alias that asks for one: entries separated by commas, in one value (as a .cfg line gives
     * it) or several; the model may hold blanks, and ends at the last '@'.
     */
    @Test
    void pciGpusMapResourceClassesToModelsAndAliases() {
        Map<String, Object> m = valid();
        assertThat(OpenStackSettings.from(TestClouds.config(m)).pciGpus().isEmpty()).as("none configured").isTrue();
        m.put("pciGpus", "CUSTOM_PCI_10DE_2330=NVIDIA H100 80GB HBM3@h100, CUSTOM_A100 = NVIDIA A100-SXM4-80GB @ a100.sxm4");
        PciGpus gpus = OpenStackSettings.from(TestClouds.config(m)).pciGpus();
        assertThat(gpus.all()).containsExactly(new PciGpus.Mapping("CUSTOM_PCI_10DE_2330", "NVIDIA H100 80GB HBM3", "h100"),
                new PciGpus.Mapping("CUSTOM_A100", "NVIDIA A100-SXM4-80GB", "a100.sxm4"));
        assertThat(gpus.forAlias("a100.sxm4").map(PciGpus.Mapping::resourceClass)).contains("CUSTOM_A100");
        assertThat(gpus.forClass("CUSTOM_PCI_10DE_2330").map(PciGpus.Mapping::model)).contains("NVIDIA H100 80GB HBM3");
        assertThat(gpus.forClass("PGPU")).isEmpty();
        m.put("pciGpus", new String[] {"CUSTOM_PCI_10DE_2330=NVIDIA H100 80GB HBM3@h100", "CUSTOM_A100=NVIDIA A100@home@a100"});
        assertThat(OpenStackSettings.from(TestClouds.config(m)).pciGpus().forAlias("a100").map(PciGpus.Mapping::model))
                .as("the model ends at the last @").contains("NVIDIA A100@home");
        assertThat(gpus.unmappedNvidia("CUSTOM_PCI_10DE_2331")).isTrue();
        assertThat(gpus.unmappedNvidia("CUSTOM_PCI_10DE_2330")).as("mapped").isFalse();
        assertThat(gpus.unmappedNvidia("CUSTOM_PCI_8086_0443")).as("another vendor").isFalse();
    }

    /** A malformed pciGpus entry is refused naming the entry and what was expected of it. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "CUSTOM_PCI_10DE_2330=NVIDIA H100|pciGpus = 'CUSTOM_PCI_10DE_2330=NVIDIA H100' is invalid; expected an entry <resource class>=<GPU model>@<alias>, e.g. CUSTOM_PCI_10DE_2330=NVIDIA H100 80GB HBM3@h100 (entries are separated by commas)",
        "h100@CUSTOM_PCI_10DE_2330=NVIDIA H100|pciGpus = 'h100@CUSTOM_PCI_10DE_2330=NVIDIA H100' is invalid; expected an entry <resource class>=<GPU model>@<alias>",
        "custom_pci_10de_2330=NVIDIA H100@h100|expected an entry <resource class>=<GPU model>@<alias>, e.g. CUSTOM_PCI_10DE_2330=NVIDIA H100 80GB HBM3@h100: the resource class as Placement has it, CUSTOM_ and then upper-case letters, digits and '_'",
        "PGPU=NVIDIA H100@h100|PGPU inventories are GPUs without a mapping",
        "CUSTOM_PCI_10DE_2330=@h100|pciGpus = 'CUSTOM_PCI_10DE_2330=@h100' is invalid; expected an entry <resource class>=<GPU model>@<alias>, e.g. CUSTOM_PCI_10DE_2330=NVIDIA H100 80GB HBM3@h100: the GPU model between '=' and '@'",
        "CUSTOM_PCI_10DE_2330=NVIDIA H100@|after '@' the name of the [pci]alias in nova.conf that asks for one such device",
        "CUSTOM_PCI_10DE_2330=NVIDIA H100@h100:2|pciGpus = 'CUSTOM_PCI_10DE_2330=NVIDIA H100@h100:2' is invalid; expected an entry <resource class>=<GPU model>@<alias>, e.g. CUSTOM_PCI_10DE_2330=NVIDIA H100 80GB HBM3@h100: after '@' the name of the [pci]alias in nova.conf that asks for one such device, letters, digits, '.', '_' or '-' (64 at most)"})
    void aMalformedPciGpuEntryIsRefusedNamingIt(String value, String message) {
        Map<String, Object> m = valid();
        m.put("pciGpus", value);
        assertThatThrownBy(() -> OpenStackSettings.from(TestClouds.config(m))).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("dev.strata.provider.openstack: pciGpus = ").hasMessageContaining(message)
                .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo("pciGpus"));
    }

    /** A resource class mapped twice, or one alias for two classes (an alias asks Nova for one class), is refused. */
    @Test
    void aPciGpuClassOrAliasGivenTwiceIsRefused() {
        Map<String, Object> m = valid();
        m.put("pciGpus", "CUSTOM_PCI_10DE_2330=NVIDIA H100@h100, CUSTOM_PCI_10DE_2330=NVIDIA H100 SXM5@h100sxm");
        assertThatThrownBy(() -> OpenStackSettings.from(TestClouds.config(m))).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("pciGpus = 'CUSTOM_PCI_10DE_2330=NVIDIA H100 SXM5@h100sxm' is invalid; expected an entry "
                        + "<resource class>=<GPU model>@<alias>, e.g. CUSTOM_PCI_10DE_2330=NVIDIA H100 80GB HBM3@h100, each resource class once "
                        + "(CUSTOM_PCI_10DE_2330 is also in 'CUSTOM_PCI_10DE_2330=NVIDIA H100@h100')");
        m.put("pciGpus", new String[] {"CUSTOM_PCI_10DE_2330=NVIDIA H100@gpu", "CUSTOM_PCI_10DE_20B5=NVIDIA A100@gpu"});
        assertThatThrownBy(() -> OpenStackSettings.from(TestClouds.config(m))).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("pciGpus = 'CUSTOM_PCI_10DE_20B5=NVIDIA A100@gpu' is invalid").hasMessageContaining(
                        "each alias once: an alias asks Nova for one resource class (gpu is also in 'CUSTOM_PCI_10DE_2330=NVIDIA H100@gpu')");
    }

    @Test
    void networksNoneAndAutoAreKeptAsSuch() {
        Map<String, Object> m = valid();
        m.put("networks", "AUTO");
        assertThat(OpenStackSettings.from(TestClouds.config(m)).networks()).isEqualTo(List.of("auto"));
        m.put("networks", "");
        assertThat(OpenStackSettings.from(TestClouds.config(m)).networks()).isEqualTo(List.of("none"));
    }

    @Test
    void activationMakesNoNetworkCall() throws IOException {
        try (ServerSocket keystone = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            keystone.setSoTimeout(500);
            Map<String, Object> m = TestClouds.passwordConfig(dir, "http://127.0.0.1:" + keystone.getLocalPort() + "/v3", "pw");
            OpenStackCloudProvider provider = new OpenStackCloudProvider(TestClouds.config(m));
            try {
                assertThat(provider.providerId()).isEqualTo("os-test");
                assertThatThrownBy(keystone::accept).isInstanceOf(SocketTimeoutException.class);
            } finally {
                provider.deactivate();
            }
        }
    }

    /** A change to a number that is no number is rejected like any other bad change: the provider keeps its settings. */
    @Test
    void aChangeToANumberThatIsNoWholeNumberKeepsThePreviousSettings() throws IOException {
        OpenStackCloudProvider provider = new OpenStackCloudProvider(TestClouds.config(valid()));
        try {
            Map<String, Object> bad = valid();
            bad.put("parallelism", "4x");
            provider.modified(TestClouds.config(bad), Map.of());
            assertThat(provider.providerId()).isEqualTo("os-test");
            assertThat(Files.readString(LogFile.path())).contains("Configuration change rejected, previous settings stay in force: "
                    + "dev.strata.provider.openstack: parallelism = '4x' is invalid; expected a number from 1 to 32");
        } finally {
            provider.deactivate();
        }
    }

    @Test
    void aRejectedChangeKeepsThePreviousSettingsAndAValidOneReplacesThem() throws IOException {
        OpenStackCloudProvider provider = new OpenStackCloudProvider(TestClouds.config(valid()));
        try {
            Map<String, Object> bad = valid();
            bad.put("flavorPolicy", "guess");
            provider.modified(TestClouds.config(bad), Map.of());
            assertThat(provider.providerId()).isEqualTo("os-test");
            assertThat(Files.readString(LogFile.path())).contains("Configuration change rejected, previous settings stay in force: "
                    + "dev.strata.provider.openstack: flavorPolicy = 'guess' is invalid; expected match or create");
            Map<String, Object> good = valid();
            good.put("strata.provider.id", "os-other");
            provider.modified(TestClouds.config(good), Map.of());
            assertThat(provider.providerId()).isEqualTo("os-other");
        } finally {
            provider.deactivate();
        }
    }

    @Test
    void aProviderBuiltFromConfigurationUsesKeystone() {
        OpenStackCloudProvider provider = new OpenStackCloudProvider(OpenStackSettings.from(TestClouds.config(valid())), Clock.systemUTC());
        try {
            assertThat(provider.session().describe()).isEqualTo(
                    "user 'admin' (domain Default) for project 'admin' (domain Default) at https://keystone.example.org:5000/v3, interface public");
        } finally {
            provider.deactivate();
        }
    }
}
