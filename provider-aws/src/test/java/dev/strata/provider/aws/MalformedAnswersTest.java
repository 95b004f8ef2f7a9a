package dev.strata.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * EC2 answers that break EC2's own schema, injected by the proxy in front of moto (moto itself
 * never answers so): an instance without its id, a launch whose instance id is blank. Each is
 * EC2's malformed answer, reported as unavailable (the call is repeated; a repeated create finds
 * its instance by client token and tag), never an unchecked exception that the core takes for a
 * refusal. Before, a NullPointerException ("instanceId") escaped from create, find and
 * discovery, and a blank id an IllegalArgumentException after the launch, which failed the
 * member and left the instance to leak reaping.
 */
class MalformedAnswersTest {

    private static DiscoveryContext ctx() {
        return DiscoveryContext.withTimeout("malformed", Duration.ofSeconds(60));
    }

    @Test
    void anInstanceWithoutItsIdIsAnUnavailableAnswerNamingTheCall() {
        Moto moto = Moto.shared();
        moto.reset();
        String answer = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                + "<requestId>injected</requestId><reservationSet><item><reservationId>r-1</reservationId><ownerId>123456789012</ownerId>"
                + "<instancesSet><item><instanceState><code>16</code><name>running</name></instanceState><instanceType>p4d.24xlarge</instanceType>"
                + "</item></instancesSet></item></reservationSet></DescribeInstancesResponse>";
        try (Ec2Proxy proxy = new Ec2Proxy(moto.endpoint())) {
            AwsProvider provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "endpoint", proxy.endpoint().toString(),
                    "regions", "eu-central-1")), Clock.systemUTC());
            try {
                provider.discoverCompute(ctx());
                proxy.inject(call -> call.action().equals("DescribeInstances") ? new Ec2Proxy.Answer(200, answer, Duration.ZERO) : null);
                for (Throwable t : new Throwable[] {catchThrowable(() -> provider.create(AwsProviderMotoTest.request("op-noid", "m-0"), ctx())),
                        catchThrowable(() -> provider.find("op-noid", ctx())), catchThrowable(() -> provider.discoverCompute(ctx()))}) {
                    assertThat(t).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining(
                            "EC2 DescribeInstances in eu-central-1 answered an instance without its id (request injected); expected every "
                                    + "instance to carry its instanceId");
                }
                assertThat(proxy.calls()).noneMatch(c -> c.action().equals("RunInstances"));
            } finally {
                provider.deactivate();
            }
        }
    }

    @Test
    void aLaunchAnsweredWithABlankInstanceIdIsRepeatedNotFailed() {
        Moto moto = Moto.shared();
        moto.reset();
        String answer = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><RunInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                + "<requestId>injected</requestId><reservationId>r-0123456789abcdef0</reservationId><ownerId>123456789012</ownerId>"
                + "<groupSet/><instancesSet><item><instanceId> </instanceId><instanceState><code>0</code><name>pending</name></instanceState></item>"
                + "</instancesSet></RunInstancesResponse>";
        try (Ec2Proxy proxy = new Ec2Proxy(moto.endpoint())) {
            AwsProvider provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "endpoint", proxy.endpoint().toString(),
                    "regions", "eu-central-1")), Clock.systemUTC());
            try {
                provider.discoverCompute(ctx());
                proxy.inject(call -> call.action().equals("RunInstances") ? new Ec2Proxy.Answer(200, answer, Duration.ZERO) : null);
                Throwable t = catchThrowable(() -> provider.create(AwsProviderMotoTest.request("op-blank", "m-0"), ctx()));
                assertThat(t).isInstanceOf(ProviderUnavailableException.class)
                        .hasMessageContaining("EC2 RunInstances in eu-central-1 answered without the instance's id (request injected)");
            } finally {
                provider.deactivate();
            }
        }
    }

    /**
     * A Strata instance without its type is an unavailable answer naming the call. Before, discovery
     * threw a NullPointerException from looking the type up in the catalogue, which said nothing of
     * EC2's answer.
     */
    @Test
    void anInstanceWithoutItsTypeIsAnUnavailableAnswerNamingTheCall() {
        Moto moto = Moto.shared();
        moto.reset();
        String answer = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                + "<requestId>injected</requestId><reservationSet><item><reservationId>r-1</reservationId><ownerId>123456789012</ownerId>"
                + "<instancesSet><item><instanceId>i-0notype000000001</instanceId><instanceState><code>16</code><name>running</name>"
                + "</instanceState><placement><availabilityZone>eu-central-1a</availabilityZone></placement><tagSet><item><key>"
                + MachineLabels.OPERATION + "</key><value>op-notype</value></item></tagSet></item></instancesSet></item></reservationSet>"
                + "</DescribeInstancesResponse>";
        try (Ec2Proxy proxy = new Ec2Proxy(moto.endpoint())) {
            AwsProvider provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "endpoint", proxy.endpoint().toString(),
                    "regions", "eu-central-1")), Clock.systemUTC());
            try {
                proxy.inject(call -> call.action().equals("DescribeInstances") ? new Ec2Proxy.Answer(200, answer, Duration.ZERO) : null);
                assertThat(catchThrowable(() -> provider.discoverCompute(ctx()))).isInstanceOf(ProviderUnavailableException.class)
                        .hasMessageContaining("EC2 DescribeInstances in eu-central-1 answered an instance without its type (request injected); "
                                + "expected every instance to carry its instanceType");
            } finally {
                provider.deactivate();
            }
        }
    }

    /** A zone without its name, and an offering without its instance type, are unavailable answers naming the call. Before, a NullPointerException. */
    @Test
    void aZoneOrAnOfferingWithoutItsNameIsAnUnavailableAnswerNamingTheCall() {
        Moto moto = Moto.shared();
        moto.reset();
        String zones = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeAvailabilityZonesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                + "<requestId>injected</requestId><availabilityZoneInfo><item><zoneState>available</zoneState><regionName>eu-central-1</regionName>"
                + "<zoneId>euc1-az2</zoneId><zoneType>availability-zone</zoneType></item></availabilityZoneInfo></DescribeAvailabilityZonesResponse>";
        String offerings = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeInstanceTypeOfferingsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                + "<requestId>injected</requestId><instanceTypeOfferingSet><item><locationType>availability-zone</locationType>"
                + "<location>eu-central-1a</location></item></instanceTypeOfferingSet></DescribeInstanceTypeOfferingsResponse>";
        for (String[] malformed : new String[][] {{"DescribeAvailabilityZones", zones, "answered a zone without its name (request injected)"},
                {"DescribeInstanceTypeOfferings", offerings, "answered an offering without its instance type (request injected)"}}) {
            try (Ec2Proxy proxy = new Ec2Proxy(moto.endpoint())) {
                AwsProvider provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "endpoint", proxy.endpoint().toString(),
                        "regions", "eu-central-1")), Clock.systemUTC());
                try {
                    proxy.inject(call -> call.action().equals(malformed[0]) ? new Ec2Proxy.Answer(200, malformed[1], Duration.ZERO) : null);
                    assertThat(catchThrowable(() -> provider.discoverCompute(ctx()))).isInstanceOf(ProviderUnavailableException.class)
                            .hasMessageContaining("EC2 " + malformed[0] + " in eu-central-1 " + malformed[2]);
                } finally {
                    provider.deactivate();
                }
            }
        }
    }

    /**
     * An instance type with a count no type can have is an unavailable answer naming the call, the
     * request, the type, the field and the range. Before, it was described as it came: a negative
     * vCPU count became a machine without CPUs, and 2147483647 vCPUs or GPUs exhausted the heap.
     */
    @Test
    void anInstanceTypeWithAnImpossibleCountIsAnUnavailableAnswerNamingTheField() {
        Moto moto = Moto.shared();
        moto.reset();
        String answer = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeInstanceTypesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                + "<requestId>injected</requestId><instanceTypeSet><item><instanceType>p4d.24xlarge</instanceType>"
                + "<vCpuInfo><defaultVCpus>-96</defaultVCpus></vCpuInfo><gpuInfo><gpus><item><name>A100</name><manufacturer>NVIDIA</manufacturer>"
                + "<count>8</count><memoryInfo><sizeInMiB>40960</sizeInMiB></memoryInfo></item></gpus></gpuInfo></item></instanceTypeSet>"
                + "</DescribeInstanceTypesResponse>";
        try (Ec2Proxy proxy = new Ec2Proxy(moto.endpoint())) {
            AwsProvider provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "endpoint", proxy.endpoint().toString(),
                    "regions", "eu-central-1")), Clock.systemUTC());
            try {
                proxy.inject(call -> call.action().equals("DescribeInstanceTypes") ? new Ec2Proxy.Answer(200, answer, Duration.ZERO) : null);
                assertThat(catchThrowable(() -> provider.discoverCompute(ctx()))).isInstanceOf(ProviderUnavailableException.class)
                        .hasMessage("EC2 DescribeInstanceTypes in eu-central-1 answered a type no instance can be (request injected): "
                                + "instance type p4d.24xlarge has VCpuInfo.DefaultVCpus = -96; expected 0 to 65536");
            } finally {
                provider.deactivate();
            }
        }
    }

    /**
     * A listing whose answer names a NextToken it answered before is an unavailable answer naming
     * the call, the token and the request, at once. Before, the provider asked for that page again
     * and again until the caller's deadline passed, and reported a timeout that said nothing of why.
     */
    @Test
    void aNextTokenAnsweredTwiceIsAnUnavailableAnswerNotAPagingLoopUntilTheDeadline() {
        Moto moto = Moto.shared();
        moto.reset();
        String answer = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                + "<requestId>injected</requestId><reservationSet/><nextToken>page-again</nextToken></DescribeInstancesResponse>";
        try (Ec2Proxy proxy = new Ec2Proxy(moto.endpoint())) {
            AwsProvider provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "endpoint", proxy.endpoint().toString(),
                    "regions", "eu-central-1")), Clock.systemUTC());
            try {
                proxy.inject(call -> call.action().equals("DescribeInstances") ? new Ec2Proxy.Answer(200, answer, Duration.ZERO) : null);
                Throwable t = catchThrowable(() -> provider.machines(DiscoveryContext.withTimeout("loop", Duration.ofSeconds(5))));
                assertThat(t).isInstanceOf(ProviderUnavailableException.class).hasMessage("EC2 DescribeInstances in eu-central-1 answered "
                        + "NextToken 'page-again' a second time (request injected); expected a new token for each page, and none after the last");
                // the first page, and the page its token names: no third request
                assertThat(proxy.calls("DescribeInstances")).hasSize(2);
            } finally {
                provider.deactivate();
            }
        }
    }

    /**
     * An instance that two pages of one DescribeInstances listing both name is one instance: one
     * instance of others against the region's quota, one node, one machine. Before, it was counted
     * once per page: a running instance launched outside Strata took two slots of the quota from
     * the offers, and Strata's own was two nodes and two machines of one id.
     */
    @Test
    void anInstanceThatTwoPagesNameIsCountedOnce() {
        Moto moto = Moto.shared();
        moto.reset();
        String foreign = instanceXml("i-0foreign0000000001", "");
        String strata = instanceXml("i-0strata00000000001", "<tagSet><item><key>" + MachineLabels.OPERATION + "</key><value>op-twice</value>"
                + "</item></tagSet>");
        // both pages name the same instances; a listing filtered by Strata's tag (machines) names Strata's only
        Function<Ec2Proxy.Call, String> page = call -> "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeInstancesResponse "
                + "xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>injected</requestId><reservationSet><item>"
                + "<reservationId>r-1</reservationId><ownerId>123456789012</ownerId><instancesSet>"
                + (call.params().containsValue("tag-key") ? "" : foreign) + strata + "</instancesSet></item></reservationSet>"
                + (call.params().containsKey("NextToken") ? "" : "<nextToken>page-2</nextToken>") + "</DescribeInstancesResponse>";
        try (Ec2Proxy proxy = new Ec2Proxy(moto.endpoint())) {
            AwsProvider provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "endpoint", proxy.endpoint().toString(),
                    "regions", "eu-central-1")), Clock.systemUTC());
            try {
                proxy.inject(call -> !call.action().equals("DescribeInstances") ? null
                        : new Ec2Proxy.Answer(200, page.apply(call), Duration.ZERO));
                ComputeSnapshot snapshot = provider.discoverCompute(ctx());
                List<CapacityOffer> p4d = snapshot.offers().stream().filter(o -> o.shape().equals("p4d.24xlarge")).toList();
                assertThat(p4d).isNotEmpty().allSatisfy(o -> assertThat(o.machine().attributes())
                        .containsEntry("regionQuotaInUseByOthers", "1"));
                // 16 in the region, 1 used by the foreign instance; Strata's keeps its own slot in eu-central-1a
                assertThat(p4d.stream().mapToInt(CapacityOffer::limit).sum()).isEqualTo(15);
                assertThat(snapshot.nodes()).extracting(Node::id).containsExactly("aws:i-0strata00000000001");
                assertThat(provider.machines(ctx())).extracting(m -> m.handle().machineId()).containsExactly("i-0strata00000000001");
            } finally {
                provider.deactivate();
            }
        }
    }

    /**
     * A successful HTTP answer that is not EC2's (a web server's page where the endpoint should be:
     * a proxy, a portal, a wrong port) is unavailable, naming the call and what came, for every
     * call that lists instances. Before, the SDK read the page as an answer listing nothing: a
     * running instance was GONE to describe, not found by find and machines, and a repeated create
     * found no instance of its operation and launched a second one.
     */
    @Test
    void aSuccessfulAnswerThatIsNotEc2sIsUnavailableNotAnEmptyListing() {
        Moto moto = Moto.shared();
        moto.reset();
        String page = "<html><body><h1>Welcome to nginx!</h1></body></html>";
        try (Ec2Proxy proxy = new Ec2Proxy(moto.endpoint())) {
            AwsProvider provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "endpoint", proxy.endpoint().toString(),
                    "regions", "eu-central-1", "visibilityGrace", "0s")), Clock.systemUTC());
            try {
                MachineStatus made = provider.create(AwsProviderMotoTest.request("op-page", "m-0"), ctx());
                proxy.inject(call -> call.action().equals("DescribeInstances") ? new Ec2Proxy.Answer(200, page, Duration.ZERO) : null);
                String expected = "EC2 DescribeInstances in eu-central-1 answered HTTP 200 (Content-Type text/xml) without a request id: "
                        + "not EC2's answer (endpoint " + proxy.endpoint() + "); expected EC2's XML answer, which carries its requestId";
                for (Throwable t : new Throwable[] {catchThrowable(() -> provider.describe(made.handle(), ctx())),
                        catchThrowable(() -> provider.find("op-page", ctx())), catchThrowable(() -> provider.machines(ctx())),
                        catchThrowable(() -> provider.create(AwsProviderMotoTest.request("op-page", "m-0"), ctx()))}) {
                    assertThat(t).isInstanceOf(ProviderUnavailableException.class).hasMessage(expected);
                }
                assertThat(proxy.calls("RunInstances")).as("the repeated create launches nothing").hasSize(1);
            } finally {
                provider.deactivate();
            }
        }
    }

    private static String instanceXml(String id, String tags) {
        return "<item><instanceId>" + id + "</instanceId><instanceType>p4d.24xlarge</instanceType><instanceState><code>16</code>"
                + "<name>running</name></instanceState><placement><availabilityZone>eu-central-1a</availabilityZone></placement>"
                + "<launchTime>2026-01-01T00:00:00.000Z</launchTime>" + tags + "</item>";
    }
}
