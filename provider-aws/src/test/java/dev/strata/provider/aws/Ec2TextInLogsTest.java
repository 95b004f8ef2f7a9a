package dev.strata.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.provider.aws.ec2.Ec2Instance;
import dev.strata.provider.aws.ec2.Shape;
import dev.strata.provider.aws.ec2.Zone;
import dev.strata.provider.aws.sovereignty.SovereigntyTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * What EC2 answers (instance ids and types, tags anyone with access to the account may set, error messages) is outside
 * data: where the provider logs it or puts it in a message, a control or bidi character in it is escaped, so that it
 * neither forges a log line nor hides one. Every log line of the test JVM goes to {@code target/test-log.txt} (see the
 * surefire configuration), which the tests read.
 */
class Ec2TextInLogsTest {

    private static final String REGION = "eu-central-1";

    private static String log() throws IOException {
        return Files.readString(Path.of("target", "test-log.txt"), StandardCharsets.UTF_8);
    }

    private static Shape p4d() {
        return new Shape("p4d.24xlarge", 96, 48, 2, 1_179_648, List.of(new Shape.Gpu("NVIDIA", "A100", 8, 40_960)), "Intel",
                List.of("x86_64"), 3.0, false, "nitro", false, 0, List.of(), "400 Gigabit", Set.of(), 0);
    }

    private static AwsDiscovery.View region(List<Ec2Instance> instances) {
        AwsDiscovery discovery = OfferMappingTest.discovery(TestConfigs.settings(Map.of("regions", REGION, "defaultQuota", 4)));
        Catalogue catalogue = discovery.catalogue(REGION, List.of(new Zone("eu-central-1a", "euc1-az2", REGION)), List.of(p4d()),
                List.of(Map.entry("p4d.24xlarge", "eu-central-1a")), Instant.EPOCH);
        return discovery.region(catalogue, instances, SovereigntyTable.builtIn().facts(REGION).orElseThrow());
    }

    /**
     * An instance of this installation that EC2 answers without an availability zone has no site, and is no node: that is
     * said in a warning naming the instance (escaped). Before, it was dropped without a word, and looked like an instance
     * that is gone.
     */
    @Test
    void anInstanceWithoutAZoneIsLeftOutWithAWarningNamingItEscaped() throws IOException {
        Ec2Instance zoneless = OfferMappingTest.instance("i-0nozone\u202e\n", REGION, null, "p4d.24xlarge", "running",
                Map.of(MachineLabels.OPERATION, "op-zoneless"));
        Ec2Instance placed = OfferMappingTest.instance("i-0placed", REGION, "eu-central-1a", "p4d.24xlarge", "running",
                Map.of(MachineLabels.OPERATION, "op-placed"));

        AwsDiscovery.View view = region(List.of(zoneless, placed));

        assertThat(view.nodes()).extracting(Node::id).containsExactly("aws:i-0placed");
        assertThat(log()).contains("AWS provider aws: instance i-0nozone\\u202e\\u000a (p4d.24xlarge, operation op-zoneless) has no "
                + "availability zone in EC2's answer; not reported as a node").doesNotContain("i-0nozone\u202e");
    }

    /** The warning about an instance of a type the catalogue does not list names its id and type escaped. */
    @Test
    void anInstanceOfAnUnlistedTypeIsNamedEscaped() throws IOException {
        Ec2Instance odd = OfferMappingTest.instance("i-0oddtype", REGION, "eu-central-1a", "x9.odd\u001b[2J", "running",
                Map.of(MachineLabels.OPERATION, "op-odd"));

        assertThat(region(List.of(odd)).nodes()).isEmpty();
        assertThat(log()).contains("instance i-0oddtype has type x9.odd\\u001b[2J, which eu-central-1 does not list")
                .doesNotContain("x9.odd\u001b");
    }

    /** The tags of an instance the provider terminates are logged escaped: someone may have changed them on the account. */
    @Test
    void theTagsOfATerminatedInstanceAreLoggedEscaped() throws IOException {
        Moto moto = Moto.shared();
        moto.reset();
        AwsProvider provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto)), Clock.systemUTC());
        try (Ec2Client direct = Ec2Client.builder().region(Region.EU_CENTRAL_1).endpointOverride(moto.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAOTHER", "other")))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            MachineStatus made = provider.create(AwsProviderMotoTest.request("op-tags", "m-0"), context());
            direct.createTags(b -> b.resources(made.handle().machineId())
                    .tags(t -> t.key(MachineLabels.MEMBER).value("m-0\nFORGED \u202eline")));

            provider.delete(made.handle(), context());

            assertThat(log()).contains("terminates " + made.handle().machineId() + " (m-0\\u000aFORGED \\u202eline of deployment dep-1)")
                    .doesNotContain("\u202eline");
        } finally {
            provider.deactivate();
        }
    }

    /** EC2's error message reaches the exception's message and the provider's log lines escaped. */
    @Test
    void anEc2ErrorMessageIsEscapedInTheException() throws IOException {
        Moto moto = Moto.shared();
        moto.reset();
        try (Ec2Proxy proxy = new Ec2Proxy(moto.endpoint())) {
            AwsProvider provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "endpoint", proxy.endpoint().toString())),
                    Clock.systemUTC());
            try {
                proxy.inject(call -> call.action().equals("DescribeInstances")
                        ? Ec2Proxy.Answer.error(400, "InvalidParameterValue", "refused \u202eerocs\u0085") : null);

                Throwable t = catchThrowable(() -> provider.machines(context()));

                assertThat(t).isInstanceOf(ProviderFailureException.class).hasMessageContaining("refused \\u202eerocs\\u0085")
                        .message().doesNotContain("\u202e").doesNotContain("\u0085");
                // the provider's own lines (the SDK's debug lines print EC2's answer as it came, which is the SDK's doing)
                String own = log().lines().filter(l -> l.contains(" dev.strata.provider.aws.")).collect(Collectors.joining("\n"));
                assertThat(own).contains("refused \\u202eerocs\\u0085").doesNotContain("\u202eerocs");
            } finally {
                provider.deactivate();
            }
        }
    }

    /** EC2's error code and request id reach the exception's message escaped, as its error message does. */
    @Test
    void anEc2ErrorCodeIsEscapedInTheException() {
        Moto moto = Moto.shared();
        moto.reset();
        try (Ec2Proxy proxy = new Ec2Proxy(moto.endpoint())) {
            AwsProvider provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "endpoint", proxy.endpoint().toString())),
                    Clock.systemUTC());
            try {
                proxy.inject(call -> call.action().equals("DescribeInstances")
                        ? Ec2Proxy.Answer.error(400, "Invalid\u202eedoC\u0085", "refused") : null);

                Throwable t = catchThrowable(() -> provider.machines(context()));

                assertThat(t).isInstanceOf(ProviderFailureException.class).hasMessageContaining("failed: Invalid\\u202eedoC\\u0085: refused")
                        .message().doesNotContain("\u202e").doesNotContain("\u0085");
            } finally {
                provider.deactivate();
            }
        }
    }

    /**
     * A delete of an instance another installation's tag claims is refused naming the tag's value escaped: anyone with access
     * to the account may have set it.
     */
    @Test
    void anotherInstallationsTagIsEscapedInTheRefusedDelete() {
        Moto moto = Moto.shared();
        moto.reset();
        AwsProvider provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto)), Clock.systemUTC());
        try (Ec2Client direct = Ec2Client.builder().region(Region.EU_CENTRAL_1).endpointOverride(moto.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAOTHER", "other")))
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            provider.bindInstallation(() -> AwsProviderMotoTest.INSTALLATION);
            MachineStatus made = provider.create(AwsProviderMotoTest.request("op-other", "m-0"), context());
            direct.createTags(b -> b.resources(made.handle().machineId())
                    .tags(t -> t.key(MachineLabels.INSTALLATION).value("other\nFORGED \u202eline")));

            Throwable t = catchThrowable(() -> provider.delete(made.handle(), context()));

            assertThat(t).isInstanceOf(ProviderFailureException.class)
                    .hasMessageContaining("carries " + MachineLabels.INSTALLATION + " other\\u000aFORGED \\u202eline: another Strata")
                    .message().doesNotContain("\u202e").doesNotContain("\n");
        } finally {
            provider.deactivate();
        }
    }

    private static DiscoveryContext context() {
        return DiscoveryContext.withTimeout("escape", Duration.ofSeconds(60));
    }
}
