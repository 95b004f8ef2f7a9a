package dev.strata.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.FabricSnapshot;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.testkit.SettableClock;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One region of the provider's two (eu-central-1 and us-east-1) fails or hangs, injected by the
 * proxy in front of moto for the requests signed for that region alone: the other region is
 * reported and placeable, the failing one keeps its last good nodes and sites, without offers and
 * with a warning, and only when every region fails does the discovery fail. Before, the regions
 * were read one after another and any region's failure failed the whole discovery, so the core
 * marked every region's nodes and offers stale; and a hanging first region used up the deadline
 * the other needed.
 */
class RegionIsolationTest {

    private static final String DOWN = "eu-central-1";

    private Moto moto;
    private Ec2Proxy proxy;
    private AwsProvider provider;

    @BeforeEach
    void start() {
        moto = Moto.shared();
        moto.reset();
        proxy = new Ec2Proxy(moto.endpoint());
    }

    @AfterEach
    void stop() {
        if (provider != null) {
            provider.deactivate();
        }
        proxy.close();
    }

    private AwsProvider provider(Clock clock) {
        return provider(clock, "5s");
    }

    private AwsProvider provider(Clock clock, String requestTimeout) {
        provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "endpoint", proxy.endpoint().toString(),
                "requestTimeout", requestTimeout)), clock);
        return provider;
    }

    private void fail(String region) {
        proxy.inject(call -> call.region().equals(region) || region.equals("*")
                ? Ec2Proxy.Answer.error(503, "Unavailable", "the region is down") : null);
    }

    private static DiscoveryContext context(int seconds) {
        return DiscoveryContext.withTimeout("isolation", Duration.ofSeconds(seconds));
    }

    private static List<CapacityOffer> offersIn(ComputeSnapshot snapshot, String region) {
        return snapshot.offers().stream().filter(o -> o.siteId().startsWith("aws:" + region)).toList();
    }

    @Test
    void aFailingRegionKeepsItsLastNodesWithAWarningAndNoOffersWhileTheOtherIsReportedAndPlaceable() {
        AwsProvider provider = provider(Clock.systemUTC());
        MachineStatus made = provider.create(AwsProviderMotoTest.request("op-iso", "m-0"), context(60));
        String node = "aws:" + made.handle().machineId();
        ComputeSnapshot before = provider.discoverCompute(context(60));
        assertThat(before.nodes()).extracting(Node::id).containsExactly(node);
        assertThat(offersIn(before, DOWN)).isNotEmpty();

        fail(DOWN);
        ComputeSnapshot snapshot = provider.discoverCompute(context(60));

        assertThat(offersIn(snapshot, "us-east-1")).isNotEmpty().allSatisfy(o -> {
            assertThat(o.machine().state()).isEqualTo(ResourceState.AVAILABLE);
            assertThat(o.limit()).isPositive();
        });
        assertThat(offersIn(snapshot, DOWN)).as("nothing is launched where the API fails").isEmpty();
        assertThat(snapshot.nodes()).extracting(Node::id).containsExactly(node);
        assertThat(snapshot.sites()).extracting(Site::id).containsAll(before.sites().stream().map(Site::id).toList());
        assertThat(snapshot.warnings()).singleElement().satisfies(w -> assertThat(w)
                .startsWith("region eu-central-1 fails since ")
                .contains("EC2 DescribeInstances in eu-central-1 failed: Unavailable: the region is down")
                .contains("its 1 nodes and 3 sites as read at ").contains("are reported until ")
                .endsWith("and it offers no capacity until it answers")
                .doesNotContain(TestConfigs.SECRET_ACCESS_KEY).doesNotContain("AKIATESTKEYID0000000"));
        FabricSnapshot fabrics = provider.discoverFabrics(context(60));
        assertThat(fabrics.fabrics()).anyMatch(f -> f.siteId().startsWith("aws:us-east-1"));
        assertThat(fabrics.fabrics()).filteredOn(f -> f.siteId().startsWith("aws:" + DOWN))
                .allSatisfy(f -> assertThat(f.members()).containsOnly(node));
        assertThat(fabrics.warnings()).singleElement().asString().startsWith("region eu-central-1 fails since ");
    }

    @Test
    void aRegionThatNeverAnsweredContributesNothingWithAWarning() {
        AwsProvider provider = provider(Clock.systemUTC());
        fail(DOWN);

        ComputeSnapshot snapshot = provider.discoverCompute(context(60));

        assertThat(offersIn(snapshot, "us-east-1")).isNotEmpty();
        assertThat(snapshot.sites()).extracting(Site::region).containsOnly("us-east-1");
        assertThat(snapshot.warnings()).singleElement().asString().startsWith("region eu-central-1 fails since ")
                .endsWith(": it has not answered since the provider started, so nothing of it is reported");
    }

    @Test
    void aFailingRegionsNodesAreNoLongerReportedOnceItsGraceHasPassed() {
        SettableClock clock = SettableClock.system();
        AwsProvider provider = provider(clock);
        provider.create(AwsProviderMotoTest.request("op-grace", "m-0"), context(60));
        assertThat(provider.discoverCompute(context(60)).nodes()).hasSize(1);
        fail(DOWN);
        clock.advance(Duration.ofMinutes(15).minusSeconds(1));
        assertThat(provider.discoverCompute(context(60)).nodes()).hasSize(1);

        clock.advance(Duration.ofSeconds(1));
        ComputeSnapshot snapshot = provider.discoverCompute(context(60));

        assertThat(snapshot.nodes()).isEmpty();
        assertThat(snapshot.sites()).extracting(Site::region).containsOnly("us-east-1");
        assertThat(snapshot.warnings()).singleElement().asString().contains("more than 15 minutes ago, so nothing of it is reported");
    }

    @Test
    void everyRegionFailingFailsTheDiscoveryNamingEachRegion() {
        AwsProvider provider = provider(Clock.systemUTC());
        provider.discoverCompute(context(60));
        fail("*");

        Throwable t = catchThrowable(() -> provider.discoverCompute(context(60)));

        assertThat(t).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("EC2 DescribeInstances in eu-central-1 failed: Unavailable: the region is down");
        assertThat(t.getSuppressed()).singleElement().asString().contains("EC2 DescribeInstances in us-east-1 failed");
    }

    @Test
    void aHangingRegionDoesNotUseUpTheOtherRegionsDeadline() {
        // one EC2 call may take longer than the whole discovery: the hanging region would hold it to its deadline
        AwsProvider provider = provider(Clock.systemUTC(), "60s");
        // the hanging region is the first configured, whose catalogue is read first; the other's catalogue is still to read
        proxy.inject(call -> call.region().equals(DOWN) ? Ec2Proxy.Answer.hang(Duration.ofSeconds(60)) : null);
        Duration deadline = Duration.ofSeconds(15);
        long start = System.nanoTime();

        ComputeSnapshot snapshot = provider.discoverCompute(DiscoveryContext.withTimeout("hang", deadline));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("returned within the deadline").isLessThan(deadline);
        assertThat(offersIn(snapshot, "us-east-1")).isNotEmpty();
        assertThat(offersIn(snapshot, DOWN)).isEmpty();
        assertThat(snapshot.warnings()).singleElement().asString().startsWith("region eu-central-1 fails since ")
                .contains("not answer").endsWith("so nothing of it is reported");
    }

    /**
     * The threads that read the regions are daemon threads, at most two per region whatever the number of discoveries,
     * and they end when the provider stops.
     */
    @Test
    void theRegionReadersAreBoundedDaemonThreadsEndedWhenTheProviderStops() throws InterruptedException {
        AwsProvider provider = provider(Clock.systemUTC());
        for (int i = 0; i < 3; i++) {
            provider.discoverCompute(context(60));
            provider.discoverFabrics(context(60));
        }
        for (String region : List.of("eu-central-1", "us-east-1")) {
            List<Thread> readers = readers(region);
            assertThat(readers).isNotEmpty().hasSizeLessThanOrEqualTo(2).allMatch(Thread::isDaemon);
        }

        provider.deactivate();
        this.provider = null;

        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!readers("eu-central-1").isEmpty() || !readers("us-east-1").isEmpty()) {
            assertThat(System.nanoTime()).as("the region readers ended: %s", readers("eu-central-1")).isLessThan(until);
            Thread.sleep(20);
        }
    }

    /**
     * find and the leak listing ({@code machines}) read the regions at once, each given the whole deadline: two regions that
     * each take 8s answer within a deadline of 13s. Before, they were read one after another under one deadline, so the
     * first region's time was taken from the second's and the call failed although each region answered in time.
     */
    @Test
    void findAndTheLeakListingReadTheRegionsAtOnceSoASlowRegionDoesNotTakeTheOthersTime() {
        AwsProvider provider = provider(Clock.systemUTC(), "60s");
        MachineStatus made = provider.create(AwsProviderMotoTest.request("op-slow", "m-0"), context(60));
        proxy.inject(call -> call.action().equals("DescribeInstances") ? Ec2Proxy.Answer.slow(Duration.ofSeconds(8)) : null);

        assertThat(provider.find("op-slow", context(13))).map(s -> s.handle().machineId()).contains(made.handle().machineId());
        assertThat(provider.machines(context(13))).extracting(s -> s.handle().machineId()).containsExactly(made.handle().machineId());
        assertThat(proxy.calls("DescribeInstances")).extracting(Ec2Proxy.Call::region).contains("eu-central-1", "us-east-1");
    }

    /** A region that does not answer fails find and the leak listing: neither answers "none" for a region it could not read. */
    @Test
    void aHangingRegionFailsFindAndTheLeakListingRatherThanAnswerNone() {
        AwsProvider provider = provider(Clock.systemUTC(), "60s");
        proxy.inject(call -> call.region().equals("us-east-1") ? Ec2Proxy.Answer.hang(Duration.ofSeconds(30)) : null);

        Throwable found = catchThrowable(() -> provider.find("op-none", context(4)));
        Throwable listed = catchThrowable(() -> provider.machines(context(4)));

        assertThat(found).isInstanceOf(ProviderTimeoutException.class).hasMessageContaining("us-east-1");
        assertThat(listed).isInstanceOf(ProviderTimeoutException.class).hasMessageContaining("us-east-1");
    }

    /**
     * describe and delete of a handle without a region (written by an older version) look the instance up in the regions at
     * once under the one deadline: two regions that each take 8s answer within a deadline of 13s, and an instance neither
     * lists is gone. Before, the regions were read one after another, so the second had 5s left of the deadline and the
     * call failed although each region answered in time.
     */
    @Test
    void describeAndDeleteOfAHandleWithoutARegionReadTheRegionsAtOnce() {
        AwsProvider provider = provider(Clock.systemUTC(), "60s");
        MachineStatus made = provider.create(AwsProviderMotoTest.request("op-old-handle", "m-0"), context(60));
        proxy.inject(call -> call.action().equals("DescribeInstances") ? Ec2Proxy.Answer.slow(Duration.ofSeconds(8)) : null);
        MachineHandle unknown = new MachineHandle("aws", "i-0123456789abcdef0", Map.of());
        int before = proxy.calls("DescribeInstances").size();

        assertThat(provider.describe(unknown, context(13)).state()).isEqualTo(MachineState.GONE);
        assertThat(provider.delete(unknown, context(13)).state()).isEqualTo(MachineState.GONE);
        assertThat(proxy.calls("DescribeInstances").subList(before, proxy.calls("DescribeInstances").size()))
                .extracting(Ec2Proxy.Call::region).containsExactlyInAnyOrder("eu-central-1", "us-east-1", "eu-central-1", "us-east-1");
        MachineHandle old = new MachineHandle("aws", made.handle().machineId(), Map.of());
        assertThat(provider.describe(old, context(13)).handle().attributes()).containsEntry("region", "eu-central-1");
    }

    /**
     * A region that fails fails describe of a handle without a region unless another region lists the instance: an instance
     * found is described, one not found cannot be said to be gone while a region was not read.
     */
    @Test
    void aFailingRegionFailsDescribeOfAHandleWithoutARegionUnlessTheInstanceIsFound() {
        AwsProvider provider = provider(Clock.systemUTC());
        MachineStatus made = provider.create(AwsProviderMotoTest.request("op-found", "m-0"), context(60));
        fail("us-east-1");

        MachineStatus found = provider.describe(new MachineHandle("aws", made.handle().machineId(), Map.of()), context(60));
        Throwable unknown = catchThrowable(() -> provider.describe(new MachineHandle("aws", "i-0123456789abcdef0", Map.of()), context(60)));

        assertThat(found.handle().machineId()).isEqualTo(made.handle().machineId());
        assertThat(found.state()).isNotEqualTo(MachineState.GONE);
        assertThat(unknown).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("EC2 DescribeInstances in us-east-1 failed: Unavailable: the region is down");
    }

    /**
     * describe and delete of a handle without a region answer as soon as one region lists the instance (an instance id is
     * unique across regions), while the other region hangs: the hung region's read is cancelled, and no lookup thread
     * outlives the provider. Before, they waited for the hung region until the deadline, and only then answered.
     */
    @Test
    void describeAndDeleteOfAHandleWithoutARegionAnswerOnceARegionListsTheInstanceWhileAnotherHangs() throws InterruptedException {
        AwsProvider provider = provider(Clock.systemUTC(), "60s");
        MachineStatus made = provider.create(AwsProviderMotoTest.request("op-hung-other", "m-0"), context(60));
        assertThat(made.handle().attributes()).containsEntry("region", "eu-central-1");
        proxy.inject(call -> call.region().equals("us-east-1") ? Ec2Proxy.Answer.hang(Duration.ofSeconds(60)) : null);
        MachineHandle old = new MachineHandle("aws", made.handle().machineId(), Map.of());
        Duration deadline = Duration.ofSeconds(20);

        long start = System.nanoTime();
        MachineStatus described = provider.describe(old, DiscoveryContext.withTimeout("describe", deadline));
        Duration describing = Duration.ofNanos(System.nanoTime() - start);
        start = System.nanoTime();
        MachineStatus deleted = provider.delete(old, DiscoveryContext.withTimeout("delete", deadline));
        Duration deleting = Duration.ofNanos(System.nanoTime() - start);

        assertThat(described.handle().attributes()).containsEntry("region", "eu-central-1");
        assertThat(described.state()).isNotEqualTo(MachineState.GONE);
        assertThat(deleted.state()).isIn(MachineState.DELETING, MachineState.GONE);
        assertThat(proxy.calls("TerminateInstances")).extracting(Ec2Proxy.Call::region).containsExactly("eu-central-1");
        assertThat(describing).as("describe answered without waiting for the hung region").isLessThan(deadline.dividedBy(2));
        assertThat(deleting).as("delete answered without waiting for the hung region").isLessThan(deadline.dividedBy(2));
        assertThat(proxy.calls("DescribeInstances")).extracting(Ec2Proxy.Call::region).contains("us-east-1");

        provider.deactivate();
        this.provider = null;
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!lookups("eu-central-1").isEmpty() || !lookups("us-east-1").isEmpty()) {
            assertThat(System.nanoTime()).as("the lookup threads ended: %s", lookups("us-east-1")).isLessThan(until);
            Thread.sleep(20);
        }
    }

    /**
     * find, the leak listing and describe of a handle without a region, with a region that hangs and the instance in no
     * region, fail naming the region before the caller's deadline, with the margin discovery keeps to return in time.
     * Before, they waited for the hung region until the deadline itself and failed at or after it.
     */
    @Test
    void aHangingRegionFailsTheLookUpsNamingItBeforeTheDeadline() {
        AwsProvider provider = provider(Clock.systemUTC(), "60s");
        assertThat(provider.machines(context(60))).as("both regions answer before one hangs").isEmpty();
        proxy.inject(call -> call.region().equals("us-east-1") ? Ec2Proxy.Answer.hang(Duration.ofSeconds(30)) : null);
        MachineHandle unknown = new MachineHandle("aws", "i-0123456789abcdef0", Map.of());
        List<java.util.function.Function<DiscoveryContext, Object>> calls = List.of(c -> provider.find("op-none", c),
                provider::machines, c -> provider.describe(unknown, c), c -> provider.delete(unknown, c));

        for (java.util.function.Function<DiscoveryContext, Object> call : calls) {
            DiscoveryContext context = context(6);
            Throwable t = catchThrowable(() -> call.apply(context));
            Duration left = Duration.between(Clock.systemUTC().instant(), context.deadline());

            assertThat(t).isInstanceOf(ProviderTimeoutException.class).hasMessageContaining("us-east-1");
            // the look-ups give up half the margin before the deadline (300 ms here); before, they waited until it or past it
            assertThat(left).as("time left before the deadline when the call failed").isGreaterThan(Duration.ZERO);
        }
    }

    /** The threads that look the regions up for find and the leak listing are daemon threads, ended when the provider stops. */
    @Test
    void theLookupThreadsAreBoundedDaemonThreadsEndedWhenTheProviderStops() throws InterruptedException {
        AwsProvider provider = provider(Clock.systemUTC(), "30s");
        for (int i = 0; i < 3; i++) {
            provider.find("op-" + i, context(60));
            provider.machines(context(60));
        }
        for (String region : List.of("eu-central-1", "us-east-1")) {
            assertThat(lookups(region)).isNotEmpty().hasSizeLessThanOrEqualTo(4).allMatch(Thread::isDaemon);
        }

        provider.deactivate();
        this.provider = null;

        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!lookups("eu-central-1").isEmpty() || !lookups("us-east-1").isEmpty()) {
            assertThat(System.nanoTime()).as("the lookup threads ended: %s", lookups("eu-central-1")).isLessThan(until);
            Thread.sleep(20);
        }
    }

    private static List<Thread> lookups(String region) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("strata-aws-lookup-aws-" + region + "-")).toList();
    }

    private static List<Thread> readers(String region) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith("strata-aws-aws-" + region + "-"))
                .toList();
    }
}
