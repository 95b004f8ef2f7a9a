package dev.strata.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Configuration validation: every bad value is refused with the property, the value and what was expected. */
class AwsSettingsTest {

    @Test
    void defaultsWithOneRegionUseTheStandardChain() {
        AwsSettings s = TestConfigs.settings(Map.of("regions", "eu-central-1"));
        assertThat(s.providerId()).isEqualTo("aws");
        assertThat(s.regions()).containsExactly("eu-central-1");
        assertThat(s.credentials().isStatic()).isFalse();
        assertThat(s.instanceTypes()).containsExactly("p*", "g*");
        assertThat(s.efa()).isEqualTo(AwsSettings.Efa.ALL);
        assertThat(s.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.visibilityGrace()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.quota("eu-central-1", "p5.48xlarge")).isZero();
        assertThat(s.description()).isEqualTo("account not set, regions eu-central-1, credentials from the standard AWS chain");
    }

    @Test
    void karafStyleCommaSeparatedListsAreSplit() {
        AwsSettings s = TestConfigs.settings(Map.of("regions", "eu-central-1, us-east-1", "accountId", "123456789012"));
        assertThat(s.regions()).containsExactly("eu-central-1", "us-east-1");
        assertThat(s.description()).startsWith("account 123456789012, regions eu-central-1, us-east-1");
    }

    /**
     * A region that fits the name pattern but is not one AWS has ({@code eu-centrl-1}) is used, since AWS opens regions after
     * an SDK release, but the provider warns at start, naming the region and the known ones nearest its name. Before, nothing
     * was said, and every call to the region failed as EC2 being unreachable and was repeated without end. A known region
     * gets no warning.
     */
    @Test
    void aRegionTheSdkDoesNotKnowIsUsedWithAWarningNamingTheNearestKnownOnes() throws Exception {
        Map<String, Object> config = new HashMap<>(Map.of("strata.provider.id", "aws-typo", "regions", new String[] {"eu-centrl-1", "eu-west-1"},
                "accessKeyId", "AKIATESTKEYID0000000", ".secretAccessKey", TestConfigs.SECRET_ACCESS_KEY));
        AwsSettings settings = TestConfigs.settings(config);
        assertThat(settings.regions()).containsExactly("eu-centrl-1", "eu-west-1");
        new AwsProvider(settings, java.time.Clock.systemUTC()).deactivate();
        List<String> warnings = Files.readAllLines(Path.of("target", "test-log.txt")).stream()
                .filter(l -> l.contains("WARN") && l.contains("AWS provider aws-typo:")).toList();
        assertThat(warnings).anySatisfy(l -> assertThat(l).contains("region eu-centrl-1 is not one this release's AWS SDK knows")
                .contains("nearest: eu-central-1"));
        assertThat(warnings).noneMatch(l -> l.contains("region eu-west-1"));
    }

    /**
     * The AWS European Sovereign Cloud's region ({@code eusc-de-east-1}, a partition of its own whose
     * prefix has four letters) is a region like any other: in {@code regions}, and as the region of
     * an image, a quota, a security group and a zone's subnet. Before, every one was refused as
     * "an AWS region name such as eu-central-1". Names that are not regions are still refused.
     */
    @Test
    void theEuropeanSovereignCloudsRegionIsARegion() {
        AwsSettings s = TestConfigs.settings(Map.of("regions", "eusc-de-east-1",
                "images", new String[] {"eusc-de-east-1=ami-0e"},
                "subnets", new String[] {"eusc-de-east-1a=subnet-0e"},
                "securityGroups", new String[] {"eusc-de-east-1=sg-0e"},
                "quotas", new String[] {"eusc-de-east-1/p5.*=2"}));
        assertThat(s.regions()).containsExactly("eusc-de-east-1");
        assertThat(s.unusedEntries()).isEmpty();
        assertThat(s.quota("eusc-de-east-1", "p5.48xlarge")).isEqualTo(2);
        for (String notARegion : List.of("e-central-1", "europe-central-1", "eusc-1", "eusc-de-east", "EUSC-de-east-1")) {
            assertThatThrownBy(() -> TestConfigs.settings(Map.of("regions", notARegion))).as(notARegion)
                    .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("an AWS region name");
        }
    }

    /**
     * One provider's regions share its account, and an account lives in one AWS partition: the
     * European Sovereign Cloud, China and GovCloud each have accounts of their own, so regions of two
     * partitions are refused naming each partition and its regions. Before, they were accepted and the
     * regions of one partition could never be reached.
     */
    @Test
    void regionsOfTwoPartitionsAreRefusedNamingEach() {
        assertThatThrownBy(() -> TestConfigs.settings(Map.of("regions", "eu-central-1, eusc-de-east-1, eu-west-1")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("regions of one AWS partition")
                .hasMessageContaining("aws: eu-central-1, eu-west-1")
                .hasMessageContaining("aws-eusc: eusc-de-east-1")
                .hasMessageContaining("a provider of its own for each partition");
        assertThatThrownBy(() -> TestConfigs.settings(Map.of("regions", "us-east-1, cn-north-1")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("aws-cn: cn-north-1");
        assertThatThrownBy(() -> TestConfigs.settings(Map.of("regions", "us-gov-west-1, us-west-2")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("aws-us-gov: us-gov-west-1");
        assertThat(TestConfigs.settings(Map.of("regions", "cn-north-1, cn-northwest-1")).regions()).hasSize(2);
        assertThat(TestConfigs.settings(Map.of("regions", "eu-central-1, us-east-1, ap-southeast-7, mx-central-1")).regions()).hasSize(4);
    }

    /**
     * An image, subnet or security group for a region not in {@code regions} is never used; it is
     * accepted (shared templates list every region) and named, so the provider can warn at start.
     * A subnet belongs to its zone's region, local zones included; {@code eu-central-10a} is not
     * {@code eu-central-1}'s.
     */
    @Test
    void entriesForRegionsNotConfiguredAreNamed() {
        AwsSettings s = TestConfigs.settings(Map.of("regions", "eu-central-1, us-west-2",
                "images", new String[] {"eu-central-1=ami-0a", "us-east-1=ami-0b", "ap-south-1=ami-0c"},
                "subnets", new String[] {"eu-central-1a=subnet-1", "us-west-2-lax-1a=subnet-2", "eu-central-10a=subnet-3", "us-east-1b=subnet-4"},
                "securityGroups", new String[] {"us-west-2=sg-1", "eu-west-1=sg-2"}));
        assertThat(s.unusedEntries()).containsExactly("images: ap-south-1", "images: us-east-1", "subnets: eu-central-10a",
                "subnets: us-east-1b", "securityGroups: eu-west-1");

        assertThat(TestConfigs.settings(Map.of("regions", "eu-central-1", "images", new String[] {"eu-central-1=ami-0a"},
                "subnets", new String[] {"eu-central-1c=subnet-1"})).unusedEntries()).isEmpty();
    }

    @Test
    void quotasPreferRegionRulesThenTheFirstMatch() {
        AwsSettings s = TestConfigs.settings(Map.of("regions", "eu-central-1", "defaultQuota", 1,
                "quotas", new String[] {"p5.*=2", "p5.48xlarge=9", "eu-central-1/p5.48xlarge=4", "g6.*=8"}));
        assertThat(s.quota("eu-central-1", "p5.48xlarge")).isEqualTo(4);
        assertThat(s.quota("us-east-1", "p5.48xlarge")).isEqualTo(2);
        assertThat(s.quota("us-east-1", "g6.xlarge")).isEqualTo(8);
        assertThat(s.quota("us-east-1", "g5.xlarge")).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "regions|              |regions = '' is invalid; expected at least one AWS region",
        "regions|Frankfurt     |regions = 'Frankfurt' is invalid; expected an AWS region name such as eu-central-1",
        "accountId|12345       |accountId = '12345' is invalid; expected the 12-digit AWS account id",
        "endpoint|ftp://x      |endpoint = 'ftp://x' is invalid; expected an http or https URL",
        "quotas|p5.48xlarge    |quotas = 'p5.48xlarge' is invalid; expected TYPE=N or REGION/TYPE=N",
        "quotas|p5.48xlarge=-1 |quotas = 'p5.48xlarge=-1' is invalid",
        "images|eu-central-1=x |images = 'eu-central-1=x' is invalid; expected REGION=ami-...",
        "subnets|eu-central-1=subnet-1|subnets = 'eu-central-1=subnet-1' is invalid; expected ZONE=subnet-...",
        "securityGroups|sg-1   |securityGroups = 'sg-1' is invalid; expected REGION=sg-...",
        "efa|maybe             |efa = 'maybe' is invalid; expected all, one or off",
        "requestTimeout|10     |requestTimeout = '10' is invalid|false",
        "requestTimeout|5 parsecs|requestTimeout = '5 parsecs' is invalid; expected a duration",
        "requestTimeout|500ms  |requestTimeout = '500ms' is invalid; expected a duration of at least 1s and at most 10m",
        "requestTimeout|11m    |requestTimeout = '11m' is invalid; expected a duration of at least 1s and at most 10m",
        "requestTimeout|9223372036854775807ms|requestTimeout = '9223372036854775807ms' is invalid; expected a duration of at least 1s and at most 10m",
        "requestTimeout|99999999999999999999h|requestTimeout = '99999999999999999999h' is invalid; expected a duration of at least 1s",
        "visibilityGrace|31m   |visibilityGrace = '31m' is invalid; expected a duration of at least 0s and at most 30m",
        "visibilityGrace|-1m   |visibilityGrace = '-1m' is invalid; expected a duration of at least 0s and at most 30m",
        "catalogueRefresh|25h  |catalogueRefresh = '25h' is invalid; expected a duration of at least 0s and at most 24h",
        "catalogueRefresh|9223372036854775807s|catalogueRefresh = '9223372036854775807s' is invalid; expected a duration of at least 0s and at most 24h",
        "strata.provider.id|a b|strata.provider.id = 'a b' is invalid; expected a provider id",
        // longer than the core takes (it ignored such a provider, with an error in the log only)
        "strata.provider.id|aws-12345678901234567890123456789012345678901234567890123456789012|strata.provider.id = 'aws-1234567890123456789012345678901234567890123456789012345678901"
                + "2' is invalid; expected a provider id of letters, digits, '.', '_' or '-', at most 64 characters",
        "instanceTypes|P5!     |instanceTypes = 'P5!' is invalid",
        "sovereigntyFile|nope.yaml|sovereigntyFile = ",
    })
    void badValuesAreNamed(String property, String value, String message) {
        Map<String, Object> config = new HashMap<>(Map.of("regions", "eu-central-1"));
        config.put(property, value == null ? "" : value);
        if (property.equals("requestTimeout") && "10".equals(value)) {
            assertThat(TestConfigs.settings(config).requestTimeout()).isEqualTo(Duration.ofSeconds(10)); // a bare number is seconds
            return;
        }
        assertThatThrownBy(() -> TestConfigs.settings(config)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("dev.strata.provider.aws: ").hasMessageContaining(message.strip());
    }

    /**
     * A sovereigntyFile that is no path at all (a NUL in it, as a mistyped .cfg can carry) is refused naming the property, its
     * control character shown escaped (&#92;u0000): it left as the JDK's InvalidPathException, naming neither the PID nor the
     * property, which a configuration change carried out of the provider's modified method past the line that says the
     * previous settings stay in force.
     */
    @Test
    void aSovereigntyFileThatIsNoPathIsRefusedNamingTheProperty() {
        assertThatThrownBy(() -> TestConfigs.settings(Map.of("regions", "eu-central-1", "sovereigntyFile", "sovereignty\u0000.yaml")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("dev.strata.provider.aws: sovereigntyFile = 'sovereignty\\u0000.yaml' is invalid; expected a readable YAML file in "
                        + "the format of the built-in table")
                .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo("sovereigntyFile"));
    }

    /**
     * A .cfg value is text that Declarative Services converts to the method's int only when it is read: one that is no
     * number is refused like any other bad value, naming the PID, the property, the value and what was expected.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"ten", "3x", "2.5", "99999999999"})
    void aDefaultQuotaThatIsNoWholeNumberIsNamed(String value) {
        assertThatThrownBy(() -> TestConfigs.settings(Map.of("regions", "eu-central-1", "defaultQuota", value)))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("dev.strata.provider.aws: defaultQuota = '" + value + "' is invalid; expected a number of instances, 0 or more")
                .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo("defaultQuota"));
    }

    /** Each duration's bounds are accepted themselves; everything past them is refused (above). */
    @Test
    void durationsAreAcceptedUpToTheirBounds() {
        AwsSettings most = TestConfigs.settings(Map.of("regions", "eu-central-1", "requestTimeout", "10m", "catalogueRefresh", "24h",
                "visibilityGrace", "30m"));
        assertThat(most.requestTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(most.catalogueRefresh()).isEqualTo(Duration.ofHours(24));
        assertThat(most.visibilityGrace()).isEqualTo(Duration.ofMinutes(30));
        AwsSettings least = TestConfigs.settings(Map.of("regions", "eu-central-1", "requestTimeout", "1000ms", "catalogueRefresh", "0",
                "visibilityGrace", "0s"));
        // written as every duration setting is (README, Configuration): min for minutes, d for days
        assertThat(TestConfigs.settings(Map.of("regions", "eu-central-1", "requestTimeout", "2min", "catalogueRefresh", "1d"))
                .catalogueRefresh()).isEqualTo(Duration.ofDays(1));
        assertThat(least.requestTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(least.catalogueRefresh()).isZero();
        assertThat(least.visibilityGrace()).isZero();
    }

    /** A refused endpoint is named without the user and password in it, parseable or not, nor a secret parameter's value. */
    @Test
    void aRefusedEndpointIsShownWithoutItsCredentials() {
        Map<String, String> refused = Map.of(
                "http://moto:Endpoint-Pw-1@127.0.0.1:5000", "'http://****@127.0.0.1:5000'",
                "http://moto:Endpoint Pw-1@127.0.0.1:5000", "'http://****@127.0.0.1:5000'",
                "ftp://moto:Endpoint-Pw-1@127.0.0.1/?X-Amz-Signature=Endpoint-Pw-1&x=1", "'ftp://****@127.0.0.1/?X-Amz-Signature=****&x=1'",
                "moto:Endpoint-Pw-1@127.0.0.1:5000", "'****@127.0.0.1:5000'",
                "s3.example?password=Endpoint-Pw-1", "'s3.example?password=****'");
        refused.forEach((url, shown) -> assertThatThrownBy(() -> TestConfigs.settings(Map.of("regions", "eu-central-1", "endpoint", url))).as(url)
                .isInstanceOf(InvalidConfigurationException.class).hasMessageNotContaining("Endpoint-Pw-1").hasMessageNotContaining("Endpoint Pw-1")
                .hasMessageContaining("endpoint = " + shown));
    }

    /**
     * An endpoint with a query or a fragment is refused, without the secret in it: EC2 takes
     * neither, and an accepted endpoint is shown in the log and by strata:providers. Before, only
     * user info was refused: {@code http://127.0.0.1:5000/?X-Amz-Security-Token=...} was accepted,
     * and its token shown in every description of the provider.
     */
    @Test
    void anEndpointWithAQueryOrFragmentIsRefusedWithoutItsSecret() {
        for (String url : List.of("http://127.0.0.1:5000/?X-Amz-Security-Token=Endpoint-Pw-1", "https://ec2.example/?password=Endpoint-Pw-1",
                "http://127.0.0.1:5000/#Endpoint-Pw-1")) {
            assertThatThrownBy(() -> TestConfigs.settings(Map.of("regions", "eu-central-1", "endpoint", url))).as(url)
                    .isInstanceOf(InvalidConfigurationException.class).hasMessageNotContaining("Endpoint-Pw-1")
                    .hasMessageContaining("expected an http or https URL without user info, query or fragment");
        }
        assertThat(TestConfigs.settings(Map.of("regions", "eu-central-1", "endpoint", "http://127.0.0.1:5000/")).description())
                .contains("endpoint http://127.0.0.1:5000/");
    }

    /**
     * An endpoint whose port no connection can have is refused naming the property. Before, {@code http://127.0.0.1:99999}
     * was accepted (it parses as a URL), and every EC2 call then failed as EC2 being unreachable, retried without end.
     */
    @Test
    void anEndpointWithAPortNoConnectionCanHaveIsRefused() {
        for (String url : List.of("http://127.0.0.1:99999", "https://ec2.example:65536/", "http://127.0.0.1:0")) {
            assertThatThrownBy(() -> TestConfigs.settings(Map.of("regions", "eu-central-1", "endpoint", url))).as(url)
                    .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("endpoint = '" + url + "'")
                    .hasMessageContaining("its port (if any) from 1 to 65535");
        }
        assertThat(TestConfigs.settings(Map.of("regions", "eu-central-1", "endpoint", "https://ec2.example:65535/")).endpoint())
                .hasPort(65535);
        assertThat(TestConfigs.settings(Map.of("regions", "eu-central-1", "endpoint", "https://ec2.example/")).endpoint()).hasNoPort();
    }

    @Test
    void staticCredentialsNeedBothHalvesAndTheSecretFileMustBeReadable() throws Exception {
        assertThatThrownBy(() -> TestConfigs.settings(Map.of("regions", "eu-central-1", ".secretAccessKey", "s")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("accessKeyId");
        assertThatThrownBy(() -> TestConfigs.settings(Map.of("regions", "eu-central-1", "accessKeyId", "AKIAEXAMPLE0000000")))
                .hasMessageContaining("secretAccessKeyFile");
        assertThatThrownBy(() -> TestConfigs.settings(Map.of("regions", "eu-central-1", "accessKeyId", "AKIAEXAMPLE0000000",
                "secretAccessKeyFile", "missing-secret")))
                .hasMessageContaining("expected a readable file holding the secret access key");
        Path file = Files.createTempFile(Path.of("target"), "key", ".txt");
        Files.writeString(file, "abc/def+ghi\n");
        AwsSettings s = TestConfigs.settings(Map.of("regions", "eu-central-1", "accessKeyId", "AKIAEXAMPLE0000000",
                "secretAccessKeyFile", file.toAbsolutePath().toString()));
        assertThat(s.credentials().isStatic()).isTrue();
        assertThat(s.credentials().secretAccessKey.reveal()).isEqualTo("abc/def+ghi");
        assertThat(s.toString()).doesNotContain("abc/def+ghi").doesNotContain("AKIAEXAMPLE0000000");
        assertThat(s.credentials().scrub("key AKIAEXAMPLE0000000 secret abc/def+ghi")).isEqualTo("key **** secret ****");
    }

    /**
     * A secret file that a Windows editor saved as UTF-8 with a byte order mark is read without the
     * mark. Before, the mark was taken as the key's first character: the configuration was
     * accepted, and every call then refused as SignatureDoesNotMatch.
     */
    @Test
    void aSecretFilesByteOrderMarkIsNoPartOfTheKey() throws Exception {
        Path file = Files.createTempFile(Path.of("target"), "key", ".txt");
        Files.writeString(file, "\uFEFFwJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\r\n");
        AwsSettings s = TestConfigs.settings(Map.of("regions", "eu-central-1", "accessKeyId", "AKIAEXAMPLE0000000",
                "secretAccessKeyFile", file.toAbsolutePath().toString()));
        assertThat(s.credentials().secretAccessKey.reveal()).isEqualTo("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    }

    /**
     * A secret file holding a line that names the key, as the AWS credentials file, a shell or the
     * CLI's JSON write it, is refused when the configuration is read, naming the file and the
     * name found, never the value. Before, the whole line was taken as the key and every call was
     * refused as SignatureDoesNotMatch.
     */
    @Test
    void aSecretFileHoldingANamedKeyIsRefusedWithoutShowingIt() throws Exception {
        String key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        Map<String, String> lines = Map.of(
                "aws_secret_access_key=" + key, "aws_secret_access_key",
                "aws_secret_access_key = " + key + "\n", "aws_secret_access_key",
                "\uFEFF[default]\naws_access_key_id = AKIAEXAMPLE0000000\naws_secret_access_key = " + key + "\n", "aws_access_key_id",
                "export AWS_SECRET_ACCESS_KEY=" + key, "AWS_SECRET_ACCESS_KEY",
                "  \"SecretAccessKey\": \"" + key + "\",", "SecretAccessKey");
        for (Map.Entry<String, String> line : lines.entrySet()) {
            Path file = Files.createTempFile(Path.of("target"), "key", ".txt");
            Files.writeString(file, line.getKey());
            assertThatThrownBy(() -> TestConfigs.settings(Map.of("regions", "eu-central-1", "accessKeyId", "AKIAEXAMPLE0000000",
                    "secretAccessKeyFile", file.toAbsolutePath().toString()))).as(line.getValue())
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("secretAccessKeyFile = '" + file.toAbsolutePath() + "' is invalid")
                    .hasMessageContaining("expected a file holding the secret access key alone, not a line that names it before its value")
                            .hasMessageNotContaining(line.getValue() + " =")
                    .hasMessageNotContaining(key).hasMessageNotContaining("wJalr").hasMessageNotContaining("EXAMPLEKEY");
        }
    }
}
