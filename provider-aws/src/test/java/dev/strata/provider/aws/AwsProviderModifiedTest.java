package dev.strata.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.platform.testkit.ComponentDescriptors;
import dev.strata.platform.testkit.RecordingRejections;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The component's {@code @Modified} path, against moto through {@link Ec2Proxy} (which holds an EC2 call where a test
 * needs one in progress while the change applies). Without a modified method, Declarative Services deactivates the
 * component on every change and makes it again from the new configuration: a value the provider refuses leaves no provider
 * at all until the file is corrected. Each test checks that the generated descriptor names the modified method and calls
 * it as the framework would, with the core's {@link ConfigurationRejections} bound as the descriptor binds it, recording
 * what it is told.
 */
class AwsProviderModifiedTest {

    private static final String KEY_ID = "AKIAMODIFIED" + "7Q4Z2X9W";
    /** The PID of the factory configuration's instance, as Config Admin names it in {@code service.pid}. */
    private static final String INSTANCE_PID = AwsProvider.PID + "~modified";

    private Moto moto;
    private Ec2Proxy proxy;
    private Map<String, Object> config;
    private AwsProvider provider;
    /** What the provider told the core's ConfigurationRejections of each refused change. */
    private final RecordingRejections rejections = new RecordingRejections();
    private final ExecutorService caller = Executors.newSingleThreadExecutor();

    @BeforeEach
    void start() {
        moto = Moto.shared();
        moto.reset();
        proxy = new Ec2Proxy(moto.endpoint());
        config = TestConfigs.moto(moto, "endpoint", proxy.endpoint().toString(), "accessKeyId", KEY_ID);
        provider = new AwsProvider(TestConfigs.settings(config), Clock.systemUTC());
        ComponentDescriptors.bindOptional(provider, ConfigurationRejections.class, rejections);
    }

    @AfterEach
    void stop() {
        caller.shutdownNow();
        provider.deactivate();
        proxy.close();
    }

    /** Calls the modified method the component's descriptor names, as Declarative Services would on a configuration change. */
    private void modified() {
        Map<String, Object> properties = new java.util.HashMap<>(config);
        properties.put("service.pid", INSTANCE_PID);
        properties.put("service.factoryPid", AwsProvider.PID);
        ComponentDescriptors.modified(provider, TestConfigs.config(config), properties);
    }

    private List<String> regions() {
        return provider.discoverCompute(context()).sites().stream().map(Site::region).distinct().sorted().toList();
    }

    private static String log() throws IOException {
        return Files.readString(Path.of("target", "test-log.txt"), StandardCharsets.UTF_8);
    }

    /**
     * A malformed region, a malformed duration, a secret file that cannot be read and a secret pasted as the key id: each is
     * refused, logged in the form the core's components use, and the provider goes on discovering with the settings it had.
     * Before, a refused change deactivated the provider and left none until the file was corrected.
     */
    @Test
    void aRefusedChangeKeepsThePreviousSettingsAndTheProviderServing() throws IOException {
        assertThat(regions()).containsExactly("eu-central-1", "us-east-1");
        String pasted = "wJalrXUtnFEMI/K7MDENG/" + UUID.randomUUID();
        Path missing = Path.of("target").toAbsolutePath().resolve("no-such-secret-" + UUID.randomUUID());
        List<Map<String, Object>> refused = List.of(Map.of("regions", new String[] {"eu-central-1", "Frankfurt"}),
                Map.of("requestTimeout", "soon"), Map.of("secretAccessKeyFile", missing.toString(), ".secretAccessKey", ""),
                Map.of("accessKeyId", pasted));
        for (Map<String, Object> change : refused) {
            Map<String, Object> previous = new java.util.HashMap<>(config);
            config.putAll(change);
            modified();
            assertThat(provider.providerId()).isEqualTo("aws");
            assertThat(regions()).as("after %s", change.keySet()).containsExactly("eu-central-1", "us-east-1");
            config = previous;
        }
        assertThat(log()).contains("Configuration change rejected, previous settings stay in force: dev.strata.provider.aws: regions = "
                + "'Frankfurt' is invalid; expected an AWS region name such as eu-central-1")
                .contains("Configuration change rejected, previous settings stay in force: dev.strata.provider.aws: requestTimeout = 'soon' "
                        + "is invalid; expected a duration of at least 1s and at most 10m")
                .contains("Configuration change rejected, previous settings stay in force: dev.strata.provider.aws: secretAccessKeyFile = ")
                .contains("Configuration change rejected, previous settings stay in force: dev.strata.provider.aws: accessKeyId = '(hidden)'")
                .doesNotContain(pasted).doesNotContain(KEY_ID).doesNotContain(TestConfigs.SECRET_ACCESS_KEY);
        // each refusal recorded in the provenance log once, under the instance's PID, as logged: no credential in it
        assertThat(rejections.told()).hasSize(4);
        assertThat(rejections.previousSettingsInForce()).as("each said to leave the settings before it in force").containsExactly(true, true, true, true);
        assertThat(rejections.told().get(0)).isEqualTo(INSTANCE_PID + " | dev.strata.provider.aws: regions = 'Frankfurt' is invalid; expected an AWS "
                + "region name such as eu-central-1");
        assertThat(rejections.told().get(1)).startsWith(INSTANCE_PID + " | dev.strata.provider.aws: requestTimeout = 'soon' is invalid; expected a "
                + "duration of at least 1s and at most 10m");
        assertThat(rejections.told().get(2)).startsWith(INSTANCE_PID + " | dev.strata.provider.aws: secretAccessKeyFile = ");
        assertThat(rejections.told().get(3)).startsWith(INSTANCE_PID + " | dev.strata.provider.aws: accessKeyId = '(hidden)'");
        assertThat(String.join("\n", rejections.told())).doesNotContain(pasted).doesNotContain(KEY_ID).doesNotContain(TestConfigs.SECRET_ACCESS_KEY);
    }

    /**
     * A change refused after it read its secret file zeroes the secret read, as the settings a valid change replaces are:
     * refused by the settings (an {@code efa} they refuse, checked after the credentials) and refused after them (a
     * sovereignty file that is no table). The settings are read through the seam {@code modified} takes, which keeps the
     * credentials read. Before, the secret of a refused change was left to the garbage collector, in memory for as long.
     */
    @Test
    void aRefusedChangeZeroesTheSecretItRead() throws IOException {
        String secret = "refused/" + UUID.randomUUID() + "+Secret";
        Path secretFile = Files.createTempFile(Path.of("target"), "secret", ".txt").toAbsolutePath();
        Files.writeString(secretFile, secret + "\n");
        Path table = Files.createTempFile(Path.of("target"), "sovereignty", ".yaml").toAbsolutePath();
        Files.writeString(table, "- not a mapping\n");
        config.put(".secretAccessKey", "");
        config.put("secretAccessKeyFile", secretFile.toString());
        List<AwsSettings.Credentials> read = new CopyOnWriteArrayList<>();
        for (Map<String, String> change : List.of(Map.of("efa", "some"), Map.of("sovereigntyFile", table.toString()))) {
            Map<String, Object> refused = new java.util.HashMap<>(config);
            refused.putAll(change);
            AwsConfig changed = TestConfigs.config(refused);
            provider.modified(changed, INSTANCE_PID, () -> AwsSettings.from(changed, Path.of("target"), read::add));
        }
        assertThat(rejections.told()).hasSize(2);
        assertThat(rejections.told().get(0)).contains("efa = 'some' is invalid");
        assertThat(rejections.told().get(1)).contains("sovereigntyFile = ");
        assertThat(rejections.previousSettingsInForce()).containsExactly(true, true);
        assertThat(read).as("the credentials each refused change read").hasSize(2).allSatisfy(credentials -> {
            assertThat(credentials.secretAccessKey.reveal()).as("the secret read, zeroed").isEqualTo("\0".repeat(secret.length()));
            assertThat(credentials.accessKeyId.reveal()).as("the key id read, zeroed").isEqualTo("\0".repeat(KEY_ID.length()));
        });
        assertThat(regions()).as("the settings in force serve on").containsExactly("eu-central-1", "us-east-1");
    }

    /**
     * A valid change applies in place: the next discovery reads the new regions with the new credentials, with a generation
     * above the previous settings' ones, and neither the previous credentials nor the new ones reach the log.
     */
    @Test
    void aValidChangeAppliesToTheNextDiscovery() throws IOException {
        ComputeSnapshot before = provider.discoverCompute(context());
        String keyId = "AKIACHANGED" + "7Q4Z2X9W";
        String secret = "changed/" + UUID.randomUUID() + "+Secret";
        Path secretFile = Files.createTempFile(Path.of("target"), "secret", ".txt").toAbsolutePath();
        Files.writeString(secretFile, secret + "\n");
        config.put("regions", "eu-central-1");
        config.put("requestTimeout", "25s");
        config.put("accessKeyId", keyId);
        config.put(".secretAccessKey", "");
        config.put("secretAccessKeyFile", secretFile.toString());
        modified();
        ComputeSnapshot after = provider.discoverCompute(context());
        assertThat(after.sites()).extracting(Site::region).containsOnly("eu-central-1").isNotEmpty();
        assertThat(after.generation()).isGreaterThan(before.generation());
        assertThat(provider.description()).contains("regions eu-central-1,").doesNotContain("us-east-1")
                .endsWith("credentials from configuration (secret in " + secretFile + ")");
        assertThat(log()).contains("AWS provider aws takes its changed configuration: account not set, regions eu-central-1, endpoint ")
                .doesNotContain(keyId).doesNotContain(secret).doesNotContain(KEY_ID).doesNotContain(TestConfigs.SECRET_ACCESS_KEY);
        assertThat(rejections.told()).as("a valid change is no refusal").isEmpty();
    }

    /**
     * A refused change that also changed the id: the service is registered under the new id, so the provider is known by it
     * and answers every call with the refusal, until a valid configuration is saved; then it serves under the new id.
     */
    @Test
    void aRefusedChangeThatAlsoChangedTheIdServesNothingUnderTheNewIdUntilCorrected() throws IOException {
        assertThat(regions()).containsExactly("eu-central-1", "us-east-1");
        config.put("strata.provider.id", "aws-renamed");
        config.put("efa", "some");
        modified();

        assertThat(provider.providerId()).isEqualTo("aws-renamed");
        String refusal = "the configuration of AWS provider aws-renamed was refused, and it serves nothing until the configuration is "
                + "corrected: dev.strata.provider.aws: efa = 'some' is invalid; expected all, one or off";
        assertThatThrownBy(this::regions).isInstanceOf(InvalidConfigurationException.class).hasMessage(refusal)
                .satisfies(e -> assertThat(((InvalidConfigurationException) e).property()).isEqualTo("efa"));
        assertThatThrownBy(() -> provider.machines(context())).isInstanceOf(InvalidConfigurationException.class).hasMessage(refusal);
        assertThatThrownBy(() -> provider.find("op-1", context())).isInstanceOf(InvalidConfigurationException.class).hasMessage(refusal);
        assertThatThrownBy(() -> provider.discoverFabrics(context())).isInstanceOf(InvalidConfigurationException.class).hasMessage(refusal);
        assertThat(provider.description()).isEqualTo(refusal);
        assertThat(log()).contains("Configuration change rejected: dev.strata.provider.aws: efa = 'some' is invalid; expected all, one or "
                + "off; the change also changed strata.provider.id (was aws), so the provider is registered as aws-renamed and serves "
                + "nothing until its configuration is corrected");
        assertThat(rejections.told()).as("the refusal in force under the new id is recorded too").containsExactly(INSTANCE_PID + " | " + refusal);
        assertThat(rejections.previousSettingsInForce()).as("recorded as leaving no settings in force").containsExactly(false);

        // another refused change, the id kept: still nothing served, with the latest refusal
        config.put("efa", "one");
        config.put("visibilityGrace", "2h");
        modified();
        assertThatThrownBy(this::regions).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("the configuration of AWS provider aws-renamed was refused").hasMessageContaining("visibilityGrace = '2h'");

        // corrected: served under the id it is registered with
        config.put("visibilityGrace", "5m");
        modified();
        assertThat(provider.providerId()).isEqualTo("aws-renamed");
        assertThat(provider.discoverCompute(context()).sites()).extracting(Site::id).contains("aws-renamed:eu-central-1a")
                .allMatch(id -> id.startsWith("aws-renamed:"));
        assertThat(rejections.told()).as("two refusals, the correction none").hasSize(2);
        assertThat(rejections.previousSettingsInForce()).containsExactly(false, false);
        assertThat(rejections.told().get(1)).startsWith(INSTANCE_PID + " | the configuration of AWS provider aws-renamed was refused")
                .contains("visibilityGrace = '2h'");
    }

    /**
     * Once a refusal under a changed id is in force, a change that puts the id back to the one the settings in force serve
     * under serves again: one still refused is an ordinary refusal (those settings serve on under their id, and the record
     * says they stay in force), and a valid one applies. Before, every refused change made while a refusal was in force was
     * taken for one under the changed id, and the provider, registered again under its own id, served nothing there.
     */
    @Test
    void aChangeThatPutsTheIdBackAfterARefusalUnderAChangedIdServesAgain() throws IOException {
        config.put("strata.provider.id", "aws-renamed");
        config.put("efa", "some");
        modified();
        assertThatThrownBy(this::regions).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("the configuration of AWS provider aws-renamed was refused");

        // the id put back, the change still refused: the settings in force serve on under their id
        config.put("strata.provider.id", "aws");
        modified();
        assertThat(provider.providerId()).isEqualTo("aws");
        assertThat(regions()).containsExactly("eu-central-1", "us-east-1");
        assertThat(provider.description()).doesNotContain("was refused");
        assertThat(rejections.told()).hasSize(2);
        assertThat(rejections.told().get(1)).isEqualTo(INSTANCE_PID + " | dev.strata.provider.aws: efa = 'some' is invalid; expected all, one or off");
        assertThat(rejections.previousSettingsInForce()).as("the second refusal leaves the settings before it in force").containsExactly(false, true);
        assertThat(log()).contains("Configuration change rejected, previous settings stay in force: dev.strata.provider.aws: efa = 'some' "
                + "is invalid; expected all, one or off");

        // refused under the changed id again, then the id put back with valid settings: they apply
        config.put("strata.provider.id", "aws-renamed");
        modified();
        assertThatThrownBy(this::regions).isInstanceOf(InvalidConfigurationException.class);
        config.put("strata.provider.id", "aws");
        config.remove("efa");
        config.put("regions", "eu-central-1");
        modified();
        assertThat(provider.providerId()).isEqualTo("aws");
        assertThat(regions()).containsExactly("eu-central-1");
        assertThat(rejections.told()).as("the valid change is no refusal").hasSize(3);
    }

    /**
     * A valid change while a discovery waits on EC2: that discovery finishes on the clients and the settings it began with
     * (both regions), and the clients are closed after it. Closing them at once would fail it as a call on a stopped provider.
     */
    @Test
    void aValidChangeDuringADiscoveryLetsThatDiscoveryFinishOnItsSettings() throws Exception {
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        proxy.inject(call -> {
            if (call.action().equals("DescribeInstances") && reached.getCount() > 0) {
                reached.countDown();
                await(release);
            }
            return null;
        });
        CompletableFuture<List<String>> discovery = CompletableFuture.supplyAsync(this::regions, caller);
        try {
            assertThat(reached.await(60, TimeUnit.SECONDS)).as("the discovery lists the instances").isTrue();
            config.put("regions", "eu-central-1");
            modified();
        } finally {
            release.countDown();
        }
        assertThat(discovery.get(60, TimeUnit.SECONDS)).containsExactly("eu-central-1", "us-east-1");
        assertThat(regions()).containsExactly("eu-central-1");
    }

    /**
     * A create that began before a valid change that also changed the id launches under the settings it began with (its
     * handle names the previous id), and a create of the same operation under the new settings finds that instance by the
     * operation's tag: EC2 is asked to launch once.
     */
    @Test
    void aCreateInProgressAcrossAChangeFinishesUnderItsSettingsAndIsNotLaunchedTwice() throws Exception {
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        proxy.inject(call -> {
            if (call.action().equals("RunInstances") && reached.getCount() > 0) {
                reached.countDown();
                await(release);
            }
            return null;
        });
        CompletableFuture<MachineStatus> first = CompletableFuture.supplyAsync(() -> provider.create(request("aws"), context()), caller);
        try {
            assertThat(reached.await(60, TimeUnit.SECONDS)).as("the create sends RunInstances").isTrue();
            config.put("strata.provider.id", "aws-renamed");
            config.put("requestTimeout", "25s");
            modified();
        } finally {
            release.countDown();
        }
        MachineStatus launched = first.get(60, TimeUnit.SECONDS);
        assertThat(launched.handle().providerId()).isEqualTo("aws");
        MachineStatus again = provider.create(request("aws-renamed"), context());
        assertThat(again.handle().machineId()).isEqualTo(launched.handle().machineId());
        assertThat(again.handle().providerId()).isEqualTo("aws-renamed");
        assertThat(proxy.calls("RunInstances")).hasSize(1);
    }

    private static MachineRequest request(String providerId) {
        return new MachineRequest("op-across-change", "dep-1", "m", "bank-risk",
                MachineTarget.offer(providerId + ":eu-central-1a:g5.xlarge"), AwsProviderMotoTest.resources(), Map.of());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static DiscoveryContext context() {
        return DiscoveryContext.withTimeout("test", Duration.ofSeconds(60));
    }
}
