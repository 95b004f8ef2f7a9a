package dev.strata.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.testkit.SettableClock;
import dev.strata.provider.aws.ec2.Ec2Gateway;
import dev.strata.provider.aws.ec2.Ec2Instance;
import dev.strata.provider.aws.sovereignty.SovereigntyTable;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * EC2's eventual consistency: right after RunInstances, EC2 may not know the new instance for a
 * while (DescribeInstances answers {@code InvalidInstanceID.NotFound} or lists nothing). Such an
 * instance is not gone while the grace period since its launch lasts, a delete then does not give
 * it up, and it ends terminated once EC2 lists it.
 *
 * <p>Moto cannot show this behaviour: it lists an instance as soon as RunInstances returns. The
 * {@link LaggingGateway} stands in for it, at the provider's EC2 boundary ({@link Ec2Gateway}):
 * for its first look-ups a just-launched instance is unknown, as real EC2 would answer; every
 * other call, and every later one, is moto's own answer.
 */
class EventualConsistencyTest {

    private Moto moto;
    /** The wall clock, moved forward by the test. */
    private SettableClock clock;
    private LaggingGateway gateway;
    private AwsProvisioner provisioner;
    private Ec2Client direct;

    @BeforeEach
    void start() {
        moto = Moto.shared();
        moto.reset();
        clock = SettableClock.system();
        gateway = new LaggingGateway(moto.endpoint());
        provisioner = provisioner(Map.of());
        direct = Ec2Client.builder().region(Region.EU_CENTRAL_1).endpointOverride(moto.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAOTHER", "other")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterEach
    void stop() {
        gateway.close();
        direct.close();
    }

    private AwsProvisioner provisioner(Map<String, Object> extra) {
        Map<String, Object> config = TestConfigs.moto(moto, "regions", "eu-central-1");
        config.putAll(extra);
        AwsSettings settings = TestConfigs.settings(config);
        return new AwsProvisioner(settings, gateway, new AwsDiscovery(settings, gateway, SovereigntyTable.load(null), clock), clock);
    }

    @Test
    void anInstanceEc2DoesNotListYetIsPendingWithinTheGracePeriod() {
        gateway.lagNextLaunch(2);
        MachineStatus made = provisioner.create(AwsProviderMotoTest.request("op-lag", "worker-0"), context());
        String id = made.handle().machineId();
        assertThat(made.handle().attributes()).containsKey(AwsProvisioner.LAUNCH_TIME);
        Instant launched = Instant.parse(made.handle().attributes().get(AwsProvisioner.LAUNCH_TIME));

        MachineStatus first = provisioner.describe(made.handle(), context());
        assertThat(first.state()).isEqualTo(MachineState.PENDING);
        assertThat(first.message()).isEqualTo("EC2 does not list instance " + id + " yet (launched at " + launched + ")");
        assertThat(first.nodeId()).isNull();
        assertThat(provisioner.describe(made.handle(), context()).state()).isEqualTo(MachineState.PENDING);
        // EC2 has caught up
        MachineStatus listed = provisioner.describe(made.handle(), context());
        assertThat(listed.state()).isEqualTo(MachineState.RUNNING);
        assertThat(listed.nodeId()).isEqualTo("aws:" + id);
        assertThat(gateway.unknownAnswers()).isEqualTo(2);
    }

    @Test
    void anInstanceEc2StillDoesNotKnowOnceTheGracePeriodHasPassedIsGone() {
        gateway.lagNextLaunch(1_000);
        MachineStatus made = provisioner.create(AwsProviderMotoTest.request("op-never", "worker-0"), context());
        clock.advance(Duration.ofMinutes(4).plusSeconds(30));
        assertThat(provisioner.describe(made.handle(), context()).state()).isEqualTo(MachineState.PENDING);
        assertThat(provisioner.delete(made.handle(), context()).state()).isEqualTo(MachineState.DELETING);
        clock.advance(Duration.ofSeconds(31)); // 5m01s after the launch: the default grace period of 5m has passed
        MachineStatus gone = provisioner.describe(made.handle(), context());
        assertThat(gone.state()).isEqualTo(MachineState.GONE);
        assertThat(gone.message()).isEqualTo("instance " + made.handle().machineId() + " does not exist");
        assertThat(provisioner.delete(made.handle(), context()).state()).isEqualTo(MachineState.GONE);
    }

    @Test
    void aHandleWithoutALaunchTimeOrAGracePeriodOfZeroIsGoneAtOnceAsBefore() {
        gateway.lagNextLaunch(1_000);
        MachineStatus made = provisioner.create(AwsProviderMotoTest.request("op-old", "worker-0"), context());
        // a handle an earlier version of the provider wrote: region and zone, no launch time
        MachineHandle old = new MachineHandle("aws", made.handle().machineId(), Map.of("region", "eu-central-1", "zone", "eu-central-1a"));
        assertThat(provisioner.describe(old, context()).state()).isEqualTo(MachineState.GONE);
        assertThat(provisioner.delete(old, context()).state()).isEqualTo(MachineState.GONE);

        AwsProvisioner noGrace = provisioner(Map.of("visibilityGrace", "0s"));
        assertThat(noGrace.describe(made.handle(), context()).state()).isEqualTo(MachineState.GONE);
        assertThat(noGrace.delete(made.handle(), context()).state()).isEqualTo(MachineState.GONE);
    }

    @Test
    void aDeleteBeforeEc2ListsTheInstanceEndsWithTheInstanceTerminated() {
        gateway.lagNextLaunch(3);
        MachineStatus made = provisioner.create(AwsProviderMotoTest.request("op-early-delete", "worker-0"), context());
        String id = made.handle().machineId();

        MachineStatus deleting = provisioner.delete(made.handle(), context());
        assertThat(deleting.state()).isEqualTo(MachineState.DELETING);
        assertThat(deleting.message()).startsWith("EC2 does not list instance " + id + " yet (launched at ");
        assertThat(ec2State(id)).isEqualTo("running"); // nothing could be terminated yet

        List<MachineState> seen = new ArrayList<>();
        int deletes = reconcileDeletion(made.handle(), seen);
        assertThat(seen).startsWith(MachineState.DELETING).contains(MachineState.RUNNING).endsWith(MachineState.GONE);
        assertThat(deletes).isEqualTo(1);
        assertThat(ec2State(id)).isEqualTo("terminated");
    }

    /**
     * While EC2 does not list the instance, the core waits for it after one delete instead of
     * asking again on every pass (each ask is an operation and a provenance record; a pass every 2 s
     * over a 5-minute grace period made about 150 of them).
     */
    @Test
    void aDeleteAskedForBeforeEc2ListsTheInstanceIsAskedForAgainOnlyOnceItDoes() {
        gateway.lagNextLaunch(40);
        MachineStatus made = provisioner.create(AwsProviderMotoTest.request("op-long-lag", "worker-0"), context());
        String id = made.handle().machineId();
        assertThat(provisioner.delete(made.handle(), context()).state()).isEqualTo(MachineState.DELETING);

        List<MachineState> seen = new ArrayList<>();
        int deletes = reconcileDeletion(made.handle(), seen);
        // 39 passes found the instance unlisted and waited; the pass that saw it listed asked once more
        assertThat(seen.subList(0, 39)).containsOnly(MachineState.DELETING);
        assertThat(seen.get(39)).isEqualTo(MachineState.RUNNING);
        assertThat(deletes).isEqualTo(1);
        assertThat(ec2State(id)).isEqualTo("terminated");

        // a provider restarted meanwhile forgets the delete it could not send: the core asks once more
        gateway.lagNextLaunch(4);
        MachineStatus other = provisioner.create(AwsProviderMotoTest.request("op-restart-lag", "worker-1"), context());
        assertThat(provisioner.delete(other.handle(), context()).state()).isEqualTo(MachineState.DELETING);
        provisioner = provisioner(Map.of());
        seen.clear();
        assertThat(reconcileDeletion(other.handle(), seen)).isEqualTo(2);
        assertThat(seen).startsWith(MachineState.PENDING, MachineState.DELETING);
        assertThat(ec2State(other.handle().machineId())).isEqualTo("terminated");
    }

    /**
     * What the core does with a deleting member (Reconciler): it describes the machine; GONE ends the
     * delete, DELETING is waited for, and any other state is a machine that runs on: it asks for the
     * delete again. Returns how many deletes it asked for; {@code seen} gets each pass's state.
     */
    private int reconcileDeletion(MachineHandle handle, List<MachineState> seen) {
        int deletes = 0;
        for (int pass = 0; pass < 60 && !seen.contains(MachineState.GONE); pass++) {
            MachineStatus observed = provisioner.describe(handle, context());
            seen.add(observed.state());
            if (observed.state() != MachineState.GONE && observed.state() != MachineState.DELETING) {
                deletes++;
                assertThat(provisioner.delete(handle, context()).state()).isIn(MachineState.DELETING, MachineState.GONE);
            }
        }
        return deletes;
    }

    @Test
    void anInstanceTerminateInstancesDoesNotKnowYetIsDeletingAndTerminatedByTheNextDelete() {
        MachineStatus made = provisioner.create(AwsProviderMotoTest.request("op-terminate-lag", "worker-0"), context());
        String id = made.handle().machineId();
        gateway.lagTerminate(id, 1);
        MachineStatus deleting = provisioner.delete(made.handle(), context());
        assertThat(deleting.state()).isEqualTo(MachineState.DELETING);
        assertThat(deleting.message()).contains("TerminateInstances does not know instance " + id + " yet");
        assertThat(ec2State(id)).isEqualTo("running");
        // describe reports it running: the core asks for the delete again
        assertThat(provisioner.describe(made.handle(), context()).state()).isEqualTo(MachineState.RUNNING);
        assertThat(provisioner.delete(made.handle(), context()).state()).isIn(MachineState.DELETING, MachineState.GONE);
        assertThat(provisioner.describe(made.handle(), context()).state()).isEqualTo(MachineState.GONE);
        assertThat(ec2State(id)).isEqualTo("terminated");
    }

    private String ec2State(String instanceId) {
        return direct.describeInstances(b -> b.instanceIds(instanceId)).reservations().get(0).instances().get(0).state().nameAsString();
    }

    /**
     * A create whose look-up EC2 does not answer holds up creates of its own operation only. Before,
     * creates were serialised by 64 locks chosen by the operation id's hash, so a create of another
     * operation with a hash of the same stripe ({@code op-Aa} and {@code op-BB} have one hash code)
     * waited for it, and failed at its own deadline with a message naming its own operation.
     */
    @Test
    void aCreateThatEc2HoldsUpHoldsUpNoCreateOfAnotherOperation() throws Exception {
        assertThat("op-Aa".hashCode()).isEqualTo("op-BB".hashCode());
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        gateway.holdLookupOf("op-Aa", entered, release);
        java.util.concurrent.ExecutorService slow = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<MachineStatus> held = slow.submit(
                    () -> provisioner.create(AwsProviderMotoTest.request("op-Aa", "worker-0"), context()));
            assertThat(entered.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

            MachineStatus other = provisioner.create(AwsProviderMotoTest.request("op-BB", "worker-1"),
                    DiscoveryContext.withTimeout("test", Duration.ofSeconds(10)));
            assertThat(other.state()).isIn(MachineState.PENDING, MachineState.RUNNING);
            assertThat(held.isDone()).isFalse();
            // a second create of the held operation waits for the first, and gives up at its own deadline
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> provisioner.create(AwsProviderMotoTest.request("op-Aa",
                    "worker-0"), DiscoveryContext.withTimeout("test", Duration.ofMillis(300)))))
                    .isInstanceOf(dev.strata.platform.api.exception.ProviderTimeoutException.class)
                    .hasMessage("deadline passed while another create of operation op-Aa ran");

            release.countDown();
            assertThat(held.get(30, java.util.concurrent.TimeUnit.SECONDS).state()).isIn(MachineState.PENDING, MachineState.RUNNING);
            assertThat(AwsProvisioner.operationsLocked()).isZero();
        } finally {
            release.countDown();
            slow.shutdownNow();
        }
    }

    private static DiscoveryContext context() {
        return DiscoveryContext.withTimeout("test", Duration.ofSeconds(60));
    }

    /**
     * The provider's EC2 gateway on moto, except that the next instance it launches is unknown to
     * EC2 for its first {@code n} look-ups: DescribeInstances by id answers what the gateway makes of
     * {@code InvalidInstanceID.NotFound} (nothing), filtered DescribeInstances leave it out, and
     * TerminateInstances does not know it. It stands in for real EC2's eventual consistency, which
     * moto cannot show; every other answer is moto's.
     */
    static final class LaggingGateway extends Ec2Gateway {
        private final AtomicInteger lookups = new AtomicInteger();
        private final AtomicInteger terminates = new AtomicInteger();
        private final AtomicInteger unknownAnswers = new AtomicInteger();
        private volatile boolean lagNext;
        private volatile String lagging;
        private volatile String terminateLagging;

        LaggingGateway(URI endpoint) {
            super(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIATESTKEYID0000000", "moto-does-not-check-this-secret")),
                    endpoint, Duration.ofSeconds(20), null);
        }

        /** The next instance launched is unknown for its first {@code n} look-ups (describe or terminate). */
        void lagNextLaunch(int n) {
            lookups.set(n);
            lagNext = true;
        }

        private volatile String held;
        private volatile java.util.concurrent.CountDownLatch holding;
        private volatile java.util.concurrent.CountDownLatch release;

        /** The next look-up of the operation's instances by its tag waits (an EC2 that does not answer) until released. */
        void holdLookupOf(String operation, java.util.concurrent.CountDownLatch entered, java.util.concurrent.CountDownLatch until) {
            holding = entered;
            release = until;
            held = operation;
        }

        /** TerminateInstances does not know the instance for its next {@code n} calls; DescribeInstances does. */
        void lagTerminate(String instanceId, int n) {
            terminateLagging = instanceId;
            terminates.set(n);
        }

        int unknownAnswers() {
            return unknownAnswers.get();
        }

        private boolean unknown(String instanceId) {
            if (instanceId.equals(lagging) && lookups.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                unknownAnswers.incrementAndGet();
                return true;
            }
            return false;
        }

        @Override
        public Ec2Instance run(Launch launch, DiscoveryContext context) {
            Ec2Instance made = super.run(launch, context);
            if (lagNext) {
                lagging = made.instanceId();
                lagNext = false;
            }
            return made;
        }

        @Override
        public List<Ec2Instance> instance(String region, String instanceId, DiscoveryContext context) {
            return unknown(instanceId) ? List.of() : super.instance(region, instanceId, context);
        }

        @Override
        public List<Ec2Instance> instances(String region, Map<String, List<String>> filters, DiscoveryContext context) {
            String operation = held;
            if (operation != null && filters.getOrDefault("tag:" + dev.strata.platform.api.provisioning.MachineLabels.OPERATION, List.of())
                    .contains(operation)) {
                held = null;
                holding.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            List<Ec2Instance> all = super.instances(region, filters, context);
            String id = lagging;
            if (id != null && all.stream().anyMatch(i -> i.instanceId().equals(id)) && unknown(id)) {
                return all.stream().filter(i -> !i.instanceId().equals(id)).toList();
            }
            return all;
        }

        @Override
        public String terminate(String region, String instanceId, DiscoveryContext context) {
            if (unknown(instanceId) || instanceId.equals(terminateLagging) && terminates.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return null;
            }
            return super.terminate(region, instanceId, context);
        }
    }
}
