package dev.strata.provider.baremetal.bmc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.provider.baremetal.peers.TestBmcs;
import dev.strata.provider.baremetal.redfish.RedfishEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.osgi.util.converter.Converters;

/** Every bad BMC configuration is refused with the PID, the property, the value (never the password) and what was expected. */
class BmcSettingsTest {

    static final String PID = "dev.strata.provider.bmc~rack1-n07";
    static final String PASSWORD = "Sup3r-Secret!";

    @TempDir
    Path etc;

    private BmcSettings from(Map<String, Object> properties) {
        return BmcSettings.from(TestBmcs.config(properties), PID, etc);
    }

    private Map<String, Object> redfish() {
        return TestBmcs.redfish("rack1-n07", "https://10.0.0.7", "root", PASSWORD);
    }

    static List<Object[]> badValues() {
        return List.of(
                new Object[] {"protocol", "snmp", "redfish or ipmi"},
                new Object[] {"address", "", "the BMC's URL"},
                new Object[] {"address", "ftp://10.0.0.7", "https://host[:port]"},
                new Object[] {"address", "https://10.0.0.7/redfish/v1", "without user, path or query"},
                new Object[] {"user", " ", "the BMC account's user name"},
                new Object[] {"certificateFingerprint", "AB:CD", "64 hex digits"},
                new Object[] {"auth", "kerberos", "auto, session or basic"},
                new Object[] {"requestTimeout", "ten", "a duration"},
                new Object[] {"requestTimeout", "10S", "a duration"},
                new Object[] {"requestTimeout", "0s", "a duration from 100ms to 10m"},
                new Object[] {"requestTimeout", "11m", "a duration from 100ms to 10m"},
                new Object[] {"attempts", 0, "from 1 to 10"},
                new Object[] {"site", "", "a site id"},
                new Object[] {"name", "rack 1/node 7", "letters, digits"},
                new Object[] {"caFile", "missing-ca.pem", "a readable PEM file"});
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void eachBadValueIsNamed(String property, Object value, String expected) {
        Map<String, Object> p = redfish();
        p.put(property, value);
        assertThatThrownBy(() -> from(p)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith(PID + ": " + property + " = '" + value + "' is invalid; expected")
                .hasMessageContaining(expected).hasMessageNotContaining(PASSWORD)
                .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo(property));
    }

    /**
     * A .cfg value is text that Declarative Services converts to the method's int only when it is read: one that is no
     * number is refused like any other bad value, naming the PID, the property, the value and what was expected, for a
     * BMC's attempts as for the provider's discoveryThreads.
     */
    @Test
    void aNumberThatIsNoWholeNumberIsNamed() {
        for (String value : new String[] {"ten", "3x", "2.5", "99999999999"}) {
            Map<String, Object> p = redfish();
            p.put("attempts", value);
            assertThatThrownBy(() -> from(p)).as(value).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage(PID + ": attempts = '" + value + "' is invalid; expected a whole number from 1 to 10")
                    .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo("attempts"));
            Map<String, Object> provider = Map.of("journal", "directory", "stateDirectory", etc.resolve("journal").toString(),
                    "discoveryThreads", value);
            assertThatThrownBy(() -> new BmcProvider(Converters.standardConverter().convert(provider).to(BmcProviderConfig.class)))
                    .as(value).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage(BmcProvider.PID + ": discoveryThreads = '" + value + "' is invalid; expected a whole number from 1 to 1024")
                    .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo("discoveryThreads"));
        }
        assertThat(etc.resolve("journal")).as("no journal opened").doesNotExist();
    }

    /**
     * The provider's bmcTimeout under a second and powerTimeout under ten seconds are refused when
     * the configuration is read, naming the PID, the property, the value and the bounds, before any
     * journal is opened; the bounds themselves are taken. Before, 1 ms was taken for either, and
     * every BMC's discovery, or every power change, timed out.
     */
    @Test
    void theProvidersTimeoutsOutOfTheirBoundsAreRefusedNamingThem() {
        Map<String, String> refused = new LinkedHashMap<>();
        for (String bad : List.of("1ms", "999ms", "0.5s", "11m")) {
            refused.put("bmcTimeout=" + bad, "bmcTimeout = '" + bad + "' is invalid; expected a duration from 1s to 10m");
        }
        for (String bad : List.of("1ms", "1s", "9s", "61m")) {
            refused.put("powerTimeout=" + bad, "powerTimeout = '" + bad + "' is invalid; expected a duration from 10s to 1h");
        }
        refused.forEach((setting, message) -> {
            String[] kv = setting.split("=");
            Map<String, Object> provider = new HashMap<>(Map.of("journal", "directory",
                    "stateDirectory", etc.resolve("journal").toString()));
            provider.put(kv[0], kv[1]);
            assertThatThrownBy(() -> new BmcProvider(Converters.standardConverter().convert(provider).to(BmcProviderConfig.class)))
                    .as(setting).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageStartingWith(BmcProvider.PID + ": " + message + ": a number with unit")
                    .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo(kv[0]));
        });
        assertThat(etc.resolve("journal")).as("no journal opened").doesNotExist();
        Map<String, Object> bounds = Map.of("journal", "directory", "stateDirectory", etc.resolve("journal").toString(),
                "bmcTimeout", "1s", "powerTimeout", "10s");
        BmcProvider provider = new BmcProvider(Converters.standardConverter().convert(bounds).to(BmcProviderConfig.class));
        provider.close();
    }

    /**
     * An address with a user and password in it is refused, Redfish or IPMI, parseable or not,
     * and the message shows it with the credential masked.
     */
    @Test
    void anAddressWithAPasswordIsRefusedWithoutShowingIt() {
        Map<String, String> redfishRefused = Map.of(
                "https://root:calvin-Pw1@10.0.0.7", "'https://****@10.0.0.7'",
                "https://root:calvin Pw1@10.0.0.7", "'https://****@10.0.0.7'",
                "https://root:calvin-Pw1@10.0.0.7/redfish?token=calvin-Pw1", "'https://****@10.0.0.7/redfish?token=****'");
        redfishRefused.forEach((address, shown) -> {
            Map<String, Object> p = redfish();
            p.put("address", address);
            assertThatThrownBy(() -> from(p)).as(address).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageStartingWith(PID + ": address = " + shown + " is invalid").hasMessageNotContaining("calvin");
        });
        for (String address : List.of("root:calvin-Pw1@10.0.0.5", "ipmi://root:calvin-Pw1@10.0.0.5:623", "root@10.0.0.5")) {
            Map<String, Object> p = TestBmcs.ipmi("n5", address, "admin", PASSWORD);
            assertThatThrownBy(() -> from(p)).as(address).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageStartingWith(PID + ": address = '" + (address.startsWith("ipmi://") ? "ipmi://" : "") + "****@10.0.0.5")
                    .hasMessageNotContaining("calvin").hasMessageNotContaining("root").hasMessageContaining("host[:port] for IPMI");
        }
    }

    /**
     * A request timeout under 100 ms (OpenStack's least too) is refused, naming the property, the
     * value and the range, for Redfish and IPMI alike; 100 ms is taken. Before, 1 ms was taken, and
     * every request to the BMC timed out.
     */
    @Test
    void aRequestTimeoutUnder100msIsRefused() {
        for (String bad : List.of("1ms", "99ms", "0.05s", "99999us")) {
            Map<String, Object> p = redfish();
            p.put("requestTimeout", bad);
            assertThatThrownBy(() -> from(p)).as(bad).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage(PID + ": requestTimeout = '" + bad + "' is invalid; expected a duration from 100ms to 10m: a number with unit "
                            + "ns, us, ms, s, m (or min), h or d; a bare number is seconds (e.g. 10s)");
            Map<String, Object> ipmi = TestBmcs.ipmi("n07", "10.0.0.8", "admin", PASSWORD);
            ipmi.put("requestTimeout", bad);
            assertThatThrownBy(() -> BmcSettings.from(TestBmcs.config(ipmi), PID, etc)).as(bad)
                    .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("requestTimeout = '" + bad + "'")
                    .hasMessageContaining("from 100ms to 10m");
        }
        Map<String, Object> p = redfish();
        p.put("requestTimeout", "100ms");
        assertThat(from(p).redfish().requestTimeout()).isEqualTo(Duration.ofMillis(100));
    }

    /**
     * A duration too large for a long or for a Duration, or past its stated bound, is an invalid
     * configuration naming the property and the range, not a NumberFormatException or
     * ArithmeticException (which would break the BMC's activation, and later overflow a timeout).
     */
    @Test
    void aDurationOutOfRangeIsAnInvalidConfiguration() {
        for (String bad : List.of("99999999999999999999s", "9999999999999999h", "3000000h", "11m", "1h", "0ms")) {
            Map<String, Object> p = redfish();
            p.put("requestTimeout", bad);
            assertThatThrownBy(() -> from(p)).as(bad).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage(PID + ": requestTimeout = '" + bad + "' is invalid; expected a duration from 100ms to 10m: a number with unit "
                            + "ns, us, ms, s, m (or min), h or d; a bare number is seconds (e.g. 10s)");
        }
        Map<String, Object> p = redfish();
        p.put("requestTimeout", "10m");
        assertThat(from(p).redfish().requestTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThatThrownBy(() -> BmcSettings.duration(BmcProvider.PID, "powerTimeout", "9999999999999999h", BmcProvider.MIN_POWER_TIMEOUT,
                BmcProvider.MAX_POWER_TIMEOUT)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("powerTimeout = '9999999999999999h' is invalid; expected a duration from 10s to 1h");
        assertThatThrownBy(() -> BmcSettings.duration(BmcProvider.PID, "bmcTimeout", "99999999999999999999ms", BmcProvider.MIN_BMC_TIMEOUT,
                BmcProvider.MAX_BMC_TIMEOUT)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("bmcTimeout = '99999999999999999999ms' is invalid; expected a duration from 1s to 10m");
        assertThat(BmcSettings.duration(BmcProvider.PID, "powerTimeout", "60m", BmcProvider.MAX_POWER_TIMEOUT)).isEqualTo(Duration.ofHours(1));
        // written as every duration setting is (README, Configuration): a bare number is seconds, min is minutes
        assertThat(BmcSettings.duration(BmcProvider.PID, "powerTimeout", "90", BmcProvider.MAX_POWER_TIMEOUT)).isEqualTo(Duration.ofSeconds(90));
        assertThat(BmcSettings.duration(BmcProvider.PID, "powerTimeout", "2min", BmcProvider.MAX_POWER_TIMEOUT)).isEqualTo(Duration.ofMinutes(2));
    }

    /**
     * A Redfish address whose port is out of range, or that carries a query or fragment, is refused
     * when the configuration is read, as an IPMI address with a bad port is: not accepted with the
     * query silently dropped, nor failing later at the first request as an unexpected
     * IllegalArgumentException ("port out of range").
     */
    @Test
    void aRedfishAddressWithABadPortOrAQueryIsRefused() {
        for (String address : List.of("https://10.0.0.7:99999", "https://10.0.0.7:0", "http://10.0.0.7:65536")) {
            Map<String, Object> p = redfish();
            p.put("address", address);
            assertThatThrownBy(() -> from(p)).as(address).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage(PID + ": address = '" + address + "' is invalid; expected a port from 1 to 65535");
        }
        Map<String, String> refused = Map.of(
                "https://10.0.0.7/?token=calvin-Pw1", "'https://10.0.0.7/?token=****'",
                "https://10.0.0.7?x=1", "'https://10.0.0.7?x=1'",
                "https://10.0.0.7/#frag", "'https://10.0.0.7/#****'");
        refused.forEach((address, shown) -> {
            Map<String, Object> p = redfish();
            p.put("address", address);
            assertThatThrownBy(() -> from(p)).as(address).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageStartingWith(PID + ": address = " + shown + " is invalid").hasMessageContaining("without user, path or query")
                    .hasMessageNotContaining("calvin");
        });
        Map<String, Object> p = redfish();
        p.put("address", "https://10.0.0.7:65535/");
        assertThat(from(p).address()).isEqualTo("https://10.0.0.7:65535");
    }

    /**
     * A Redfish address whose host name holds an underscore (a name people use, though not a
     * valid host name) has no host as Java's URI reads it, and the JDK's HTTP client cannot send
     * to it: it is refused with a message that says so and what to use instead. Before, the
     * message asked for https://host[:port] without user, path or query, which the address was.
     */
    @Test
    void aRedfishHostNameWithAnUnderscoreIsRefusedSayingSo() {
        for (String address : List.of("https://bmc_rack1.lab:443", "https://bmc_rack1.lab", "http://rack_1-bmc/")) {
            Map<String, Object> p = redfish();
            p.put("address", address);
            assertThatThrownBy(() -> from(p)).as(address).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage(PID + ": address = '" + address + "' is invalid; expected a host name without '_': the host name holds "
                            + "an underscore, which Java's URI does not accept; use the BMC's IP address or a name without '_'");
        }
        Map<String, Object> p = redfish();
        p.put("address", "https://root:calvin-Pw1@bmc_rack1.lab");
        assertThatThrownBy(() -> from(p)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith(PID + ": address = 'https://****@bmc_rack1.lab' is invalid").hasMessageNotContaining("calvin");
    }

    /**
     * An IPMI host name with an underscore is taken as written: it goes to ipmitool, whose resolver
     * takes it (IpmiBmcTest reaches ipmi_sim through such a name); Java's URI, which cannot read
     * it in a Redfish address, is not involved. Before, it was refused as if it were no host[:port].
     */
    @Test
    void anIpmiHostNameWithAnUnderscoreIsAccepted() {
        for (String address : List.of("bmc_rack1.lab", "bmc_rack1.lab:6230", "ipmi://rack_1-bmc:623")) {
            BmcSettings s = BmcSettings.from(TestBmcs.config(TestBmcs.ipmi("n07", address, "admin", PASSWORD)), PID, etc);
            assertThat(s.ipmi().host()).as(address).isEqualTo(address.replaceFirst("^ipmi://", "").replaceFirst(":\\d+$", ""));
        }
        assertThat(BmcSettings.from(TestBmcs.config(TestBmcs.ipmi("", "bmc_rack1.lab:6230", "admin", PASSWORD)), PID, etc).name())
                .isEqualTo("bmc_rack1.lab");
        assertThatThrownBy(() -> BmcSettings.from(TestBmcs.config(TestBmcs.ipmi("n07", "root@bmc_rack1.lab", "admin", PASSWORD)), PID, etc))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("host[:port] for IPMI");
    }

    @Test
    void passwordComesFromItsFileOrThePrivateProperty() throws IOException {
        Files.writeString(etc.resolve("bmc.pw"), PASSWORD + "\n");
        Map<String, Object> p = redfish();
        p.remove(".password");
        p.put("passwordFile", "bmc.pw");
        BmcSettings s = from(p);
        assertThat(s.redfish().password().reveal()).isEqualTo(PASSWORD);
        assertThat(s.toString()).doesNotContain(PASSWORD);
        assertThat(s.redfish().toString()).doesNotContain(PASSWORD).contains("********");

        p.put(".password", PASSWORD);
        assertThatThrownBy(() -> from(p)).hasMessageContaining("passwordFile").hasMessageNotContaining(PASSWORD);
        p.remove(".password");
        p.put("passwordFile", "nope.pw");
        assertThatThrownBy(() -> from(p)).hasMessage(PID + ": passwordFile = '(a file in " + etc.toAbsolutePath() + " that does not exist; its "
                + "name is not shown: a value that names no file may be the secret itself, written where its file's path belongs)' is "
                + "invalid; expected a readable file holding the password alone (NoSuchFileException)");
        // the password itself written where its file's path belongs is not shown, alone or beside .password
        p.put("passwordFile", PASSWORD);
        assertThatThrownBy(() -> from(p)).hasMessageContaining("passwordFile").hasMessageNotContaining(PASSWORD);
        p.put(".password", "another");
        assertThatThrownBy(() -> from(p)).hasMessageContaining("one or the other").hasMessageNotContaining(PASSWORD);
        p.remove(".password");
        p.put("passwordFile", "pass\0word");
        assertThatThrownBy(() -> from(p)).hasMessageContaining("not shown: no valid path").hasMessageNotContaining("pass\0word");
        p.remove("passwordFile");
        assertThatThrownBy(() -> from(p)).hasMessageContaining("a password file, or the password in .password");
    }

    /**
     * A password file is read as every secret file is: a byte order mark (a Windows editor's) is no
     * part of the password, and a file holding a line that names it ({@code password=...}, as a
     * properties or env file writes it) or a second line is refused naming the file, never the
     * value. Before, the first line was taken whole, the mark or the name in it, and every login to
     * the BMC failed as a wrong password; a second line was dropped without a word.
     */
    @Test
    void aPasswordFilesByteOrderMarkIsNoPartOfThePasswordAndANamedLineIsRefused() throws IOException {
        Map<String, Object> p = redfish();
        p.remove(".password");
        p.put("passwordFile", "bmc.pw");
        Files.writeString(etc.resolve("bmc.pw"), "\uFEFF" + PASSWORD + "\r\n");
        assertThat(from(p).redfish().password().reveal()).isEqualTo(PASSWORD);

        Path file = etc.resolve("bmc.pw").toAbsolutePath();
        Files.writeString(file, "password=" + PASSWORD + "\n");
        assertThatThrownBy(() -> from(p)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessage(PID + ": passwordFile = '" + file + "' is invalid; expected a file holding the password " + "alone, not a line that names it before its value (NAME=..., export NAME=..., NAME: ... or \"NAME\": ..., as a shell, "
                        + "properties, credentials or JSON file writes it; the name is not shown, since a secret could be taken for one): "
                        + "write the value alone");
        Files.writeString(file, PASSWORD + "\nanother line\n");
        assertThatThrownBy(() -> from(p)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("expected a readable file holding the password alone, on one line (it holds more than one line")
                .hasMessageNotContaining(PASSWORD);
    }

    @Test
    void goodConfigurationsAreRead() {
        Map<String, Object> p = redfish();
        p.put("certificateFingerprint", "AB:" + "cd".repeat(31));
        p.put("auth", "SESSION");
        p.put("requestTimeout", "1500ms");
        BmcSettings s = from(p);
        assertThat(s.redfish().fingerprint()).isEqualTo("ab" + "cd".repeat(31));
        assertThat(s.redfish().auth()).isEqualTo(RedfishEndpoint.Auth.SESSION);
        assertThat(s.redfish().requestTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(s.address()).isEqualTo("https://10.0.0.7");

        Map<String, Object> ipmi = TestBmcs.ipmi("", "10.0.0.8:6230", "admin", PASSWORD);
        ipmi.put("cipherSuites", " 17, 3 ");
        BmcSettings i = BmcSettings.from(TestBmcs.config(ipmi), PID, etc);
        assertThat(i.name()).isEqualTo("10.0.0.8");
        assertThat(i.ipmi().port()).isEqualTo(6230);
        assertThat(i.ipmi().cipherSuites()).containsExactly(17, 3);
        assertThat(BmcSettings.from(TestBmcs.config(TestBmcs.ipmi("x", "10.0.0.8", "admin", PASSWORD)), PID, etc).ipmi().port()).isEqualTo(623);
        ipmi.put("cipherSuites", "17,three");
        assertThatThrownBy(() -> BmcSettings.from(TestBmcs.config(ipmi), PID, etc)).hasMessageContaining("cipherSuites");
    }

    @Test
    void aConfigurationWithErrorsStillRegistersHoldingTheError() {
        Map<String, Object> p = redfish();
        p.put("address", "not a url at all");
        ConfiguredBmc bmc = new ConfiguredBmc(TestBmcs.config(p), PID, etc);
        assertThat(bmc.settings()).isNull();
        assertThat(bmc.problem().getMessage()).startsWith(PID + ": address = 'not a url at all' is invalid");
        assertThat(bmc.name()).isEqualTo("rack1-n07");
        assertThatThrownBy(bmc::bmc).isSameAs(bmc.problem());
    }
}
