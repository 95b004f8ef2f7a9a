package dev.strata.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The credentials never reach a log line (the provider's or the SDK's, at debug level), an
 * exception message, a {@code toString()} or what strata:providers shows. Every log line of this
 * test JVM goes to {@code target/test-log.txt} (see the surefire configuration); the test drives
 * the provider through success, refusals and outages and then searches that file and every
 * message it saw for the key id and the secret.
 */
class CredentialHygieneTest {

    private static final String KEY_ID = "AKIAHYGIENE" + "7Q4Z2X9W";

    @Test
    void neitherTheKeyIdNorTheSecretAppearAnywhere() throws IOException {
        String secret = "hyg/" + UUID.randomUUID() + "+Secret";
        Path secretFile = Files.createTempFile(Path.of("target"), "secret", ".txt");
        Files.writeString(secretFile, secret + "\n");
        Moto moto = Moto.shared();
        moto.reset();
        List<String> seen = new ArrayList<>();
        try (Ec2Proxy proxy = new Ec2Proxy(moto.endpoint())) {
            Map<String, Object> config = TestConfigs.moto(moto, "strata.provider.id", "aws-hygiene", "regions", "eu-central-1",
                    "endpoint", proxy.endpoint().toString(), "accessKeyId", KEY_ID, "secretAccessKeyFile", secretFile.toAbsolutePath().toString(),
                    "requestTimeout", "30s");
            config.remove(".secretAccessKey");
            AwsSettings settings = TestConfigs.settings(config);
            AwsProvider provider = new AwsProvider(settings, Clock.systemUTC());
            seen.add(settings.toString());
            seen.add(settings.description());
            seen.add(provider.toString());
            seen.add(settings.credentials().toString());
            seen.add(String.valueOf(provider.discoverCompute(ctx())));
            MachineStatus made = provider.create(new dev.strata.platform.api.provisioning.MachineRequest("hyg-1", "dep", "m", "t",
                    dev.strata.platform.api.provisioning.MachineTarget.offer("aws-hygiene:eu-central-1a:g5.xlarge"),
                    AwsProviderMotoTest.resources(), Map.of()), ctx());
            seen.add(made.toString());
            seen.add(String.valueOf(provider.machines(ctx())));
            // the emulator answers with errors that echo what it was sent, the way a careless backend might
            for (int status : new int[] {400, 401, 403, 500}) {
                proxy.inject(call -> Ec2Proxy.Answer.error(status, "SignatureDoesNotMatch",
                        "credential " + KEY_ID + " with secret " + secret + " is wrong"));
                try {
                    provider.describe(made.handle(), ctx());
                } catch (RuntimeException e) {
                    collect(seen, e);
                }
            }
            proxy.inject(call -> Ec2Proxy.Answer.hang(Duration.ofSeconds(10)));
            try {
                provider.find("hyg-1", DiscoveryContext.withTimeout("hyg", Duration.ofSeconds(2)));
            } catch (RuntimeException e) {
                collect(seen, e);
            }
            proxy.inject(call -> null);
            provider.delete(made.handle(), ctx());
            provider.deactivate();
        }
        // a secret pasted into the key id property is not echoed back
        try {
            TestConfigs.settings(Map.of("regions", "eu-central-1", "accessKeyId", secret, ".secretAccessKey", "x"));
        } catch (InvalidConfigurationException e) {
            collect(seen, e);
        }
        assertThat(seen).hasSizeGreaterThan(10);
        assertThat(seen).anySatisfy(s -> assertThat(s).contains("SignatureDoesNotMatch"));
        assertThat(seen).allSatisfy(s -> assertThat(s).doesNotContain(secret).doesNotContain(KEY_ID));

        Path log = Path.of("target", "test-log.txt");
        assertThat(log).exists();
        String lines = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(lines).as("the log captured this test").contains("AWS provider aws-hygiene ready").contains("DEBUG software.amazon.awssdk");
        assertThat(lines).doesNotContain(secret).doesNotContain(KEY_ID);
    }

    /**
     * Credentials from the standard AWS chain (here its system properties, with a session token,
     * as an instance role or an assumed role gives): the key id, the secret and the token are
     * scrubbed from what an error echoes, as configured ones are. Before, only configured
     * credentials were scrubbed, and EC2's words reached the exception message as they came.
     */
    @Test
    void credentialsFromTheChainIncludingTheSessionTokenAppearNowhere() throws IOException {
        String keyId = "ASIACHAIN" + "KEY7Q4Z2X9W";
        String secret = "chain/" + UUID.randomUUID() + "+Secret";
        String token = "FwoGZXIvYXdzEChain" + UUID.randomUUID().toString().replace("-", "");
        System.setProperty("aws.accessKeyId", keyId);
        System.setProperty("aws.secretAccessKey", secret);
        System.setProperty("aws.sessionToken", token);
        List<String> seen = new ArrayList<>();
        Moto moto = Moto.shared();
        moto.reset();
        try (Ec2Proxy proxy = new Ec2Proxy(moto.endpoint())) {
            Map<String, Object> config = TestConfigs.moto(moto, "strata.provider.id", "aws-chain", "regions", "eu-central-1",
                    "endpoint", proxy.endpoint().toString(), "requestTimeout", "30s");
            config.remove("accessKeyId");
            config.remove(".secretAccessKey");
            AwsSettings settings = TestConfigs.settings(config);
            assertThat(settings.credentials().isStatic()).isFalse();
            AwsProvider provider = new AwsProvider(settings, Clock.systemUTC());
            seen.add(String.valueOf(provider.discoverCompute(ctx())));
            for (int status : new int[] {400, 403, 500}) {
                proxy.inject(call -> Ec2Proxy.Answer.error(status, "AuthFailure",
                        "credential " + keyId + " with token " + token + " and secret " + secret + " is wrong"));
                try {
                    provider.machines(ctx());
                } catch (RuntimeException e) {
                    collect(seen, e);
                }
            }
            proxy.inject(call -> null);
            provider.deactivate();
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
            System.clearProperty("aws.sessionToken");
        }
        assertThat(seen).anySatisfy(s -> assertThat(s).contains("AuthFailure").contains("credential **** with token **** and secret ****"));
        assertThat(seen).allSatisfy(s -> assertThat(s).doesNotContain(keyId).doesNotContain(secret).doesNotContain(token));
        String lines = Files.readString(Path.of("target", "test-log.txt"), StandardCharsets.UTF_8);
        assertThat(lines).contains("AWS provider aws-chain ready").doesNotContain(secret).doesNotContain(token).doesNotContain(keyId);
    }

    /**
     * A secret pasted into secretAccessKeyFile (in place of a file name) is not echoed in the error
     * that the file is missing, one with {@code /} in it (a folder that does not exist) or one
     * without (a file name in a folder that does: before, that was shown).
     */
    @Test
    void aSecretPastedAsTheSecretFileIsNotEchoed() {
        for (String secret : List.of("wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY", "wJalrXUtnFEMIK7MDENGbPxRfiCY" + "EXAMPLEKEY")) {
            List<String> seen = new ArrayList<>();
            for (Map<String, Object> config : List.<Map<String, Object>>of(
                    Map.of("regions", "eu-central-1", "accessKeyId", KEY_ID, "secretAccessKeyFile", secret),
                    Map.of("regions", "eu-central-1", "accessKeyId", KEY_ID, "secretAccessKeyFile", secret, ".secretAccessKey", "x"))) {
                try {
                    TestConfigs.settings(config);
                } catch (InvalidConfigurationException e) {
                    collect(seen, e);
                }
            }
            assertThat(seen).as("both refused").hasSizeGreaterThanOrEqualTo(4)
                    .anySatisfy(s -> assertThat(s).contains("secretAccessKeyFile").contains("may be the secret itself"));
            assertThat(seen).allSatisfy(s -> assertThat(s).doesNotContain(secret).doesNotContain("K7MDENG"));
        }
        // the folder of a path that names no file is shown, where it exists, so that a mistyped file name can be found there
        Path folder = Path.of("target").toAbsolutePath();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestConfigs.settings(Map.of("regions", "eu-central-1", "accessKeyId", KEY_ID,
                "secretAccessKeyFile", folder.resolve("no-such-secret").toString()))).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("a file in " + folder + " that does not exist").hasMessageNotContaining("no-such-secret")
                .hasMessageContaining("NoSuchFileException");
    }

    /**
     * A secret pasted into secretAccessKeyFile with a NUL in it is no path at all: the refusal says
     * so without showing it, alone or beside .secretAccessKey. Before, Path.of's
     * InvalidPathException left the settings as it was, its message ending in the value
     * ("Nul character not allowed: <the secret>"), which Declarative Services writes to karaf.log.
     */
    @Test
    void aSecretFileValueThatIsNoPathIsNotEchoed() {
        String secret = "wJalrXUtnFEMI" + "\0K7MDENGbPxRfiCY" + "EXAMPLEKEY";
        for (Map<String, Object> config : List.<Map<String, Object>>of(
                Map.of("regions", "eu-central-1", "accessKeyId", KEY_ID, "secretAccessKeyFile", secret),
                Map.of("regions", "eu-central-1", "accessKeyId", KEY_ID, "secretAccessKeyFile", secret, ".secretAccessKey", "x"))) {
            List<String> seen = new ArrayList<>();
            try {
                TestConfigs.settings(config);
                org.assertj.core.api.Assertions.fail("accepted " + config.keySet());
            } catch (RuntimeException e) {
                assertThat(e).isInstanceOf(InvalidConfigurationException.class);
                assertThat(((InvalidConfigurationException) e).property()).isEqualTo("secretAccessKeyFile");
                assertThat(e.getMessage()).contains("not shown: no valid path");
                collect(seen, e);
            }
            assertThat(seen).isNotEmpty().allSatisfy(s -> assertThat(s).doesNotContain("K7MDENG").doesNotContain("wJalr"));
        }
    }

    private static void collect(List<String> seen, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            seen.add(t.toString());
            java.io.StringWriter trace = new java.io.StringWriter();
            t.printStackTrace(new java.io.PrintWriter(trace));
            seen.add(trace.toString());
        }
    }

    private static DiscoveryContext ctx() {
        return DiscoveryContext.withTimeout("hyg", Duration.ofSeconds(60));
    }
}
