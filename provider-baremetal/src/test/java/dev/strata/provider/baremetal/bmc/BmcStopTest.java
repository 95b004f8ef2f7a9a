package dev.strata.provider.baremetal.bmc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.provider.baremetal.peers.StandInRedfish;
import dev.strata.provider.baremetal.peers.TestBmcs;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The BMC provider at stop, for what its discoveries do not cover: operations (create, delete,
 * describe) that run when it stops, a change of its pool after it, and the close of a client a
 * configuration change replaced. The BMC is a {@link StandInRedfish} (the emulator can neither hold
 * a request nor leave a session delete unanswered) with one system, whose power state the test
 * sets, which can hold the look at the system until the test lets it answer, and which offers
 * sessions whose delete it never answers.
 */
class BmcStopTest {

    static final String SYSTEM = StandInRedfish.SYSTEM;

    @TempDir
    Path dir;
    StandInRedfish endpoint;
    ExecutorService callers;
    BmcFleet fleet;
    BmcProvisioner provisioner;
    OperationJournal journal;
    final Clock clock = Clock.systemUTC();
    final List<String> events = new CopyOnWriteArrayList<>();
    /** When set, the looks at the system it holds until the test lets them answer. */
    volatile StandInRedfish.Gate hold;
    /** Session deletes, never answered before the test ends. */
    StandInRedfish.Gate deletes;

    @BeforeEach
    void start() {
        endpoint = StandInRedfish.start("stop", 4);
        deletes = endpoint.holdSessionDeletes();
        callers = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void stop() {
        deletes.release();
        StandInRedfish.Gate h = hold;
        if (h != null) {
            h.release();
        }
        if (fleet != null) {
            fleet.close();
        }
        callers.shutdownNow();
        endpoint.close();
    }

    private Map<String, Object> config(String auth) {
        Map<String, Object> config = TestBmcs.redfish("rack1", endpoint.address(), "root", "Stand-in-Pw1");
        config.put("auth", auth);
        return config;
    }

    /** A fleet of the stand-in BMC and a provisioner over the journal in {@code dir}, as a provider (re)starting makes them. */
    private void provider() {
        fleet = new BmcFleet(BmcProvider.ID, 1, Duration.ofSeconds(30), clock);
        fleet.add(TestBmcs.bmc(config("basic")));
        journal = new OperationJournal(dir.resolve("journal"));
        provisioner = new BmcProvisioner(BmcProvider.ID, fleet, journal, Duration.ofSeconds(300), clock);
    }

    private Operation recorded(Operation.Phase phase, PowerAction action) {
        Instant at = clock.instant();
        return journal.put(new Operation("op-1", "d1", "m1", "t1", "node-1", "rack1", SYSTEM, "pxe", null, "force", phase, action,
                at, at, at, null));
    }

    private static MachineRequest request() {
        return new MachineRequest("op-1", "d1", "m1", "t1", MachineTarget.node("node-1"),
                new MachineResources(1000, 1L << 30, 0, List.of(), null), Map.of());
    }

    private static DiscoveryContext context() {
        return DiscoveryContext.withTimeout("op-1", Duration.ofSeconds(60));
    }

    /**
     * A look or a delete that begins after the provider stopped is refused, saying so, without a
     * request to the BMC (no client is opened that nothing would close) and without a step
     * journalled: the operation stands where it stood, for a retry after the provider starts.
     */
    @Test
    void anOperationAfterTheStopIsRefusedAndLeavesItsJournalAsItWas() {
        provider();
        Operation op = recorded(Operation.Phase.RUNNING, PowerAction.ON);
        fleet.close();
        int atStop = endpoint.requests();

        assertThatThrownBy(() -> provisioner.describe(provisioner.handle(op), context())).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("the BMC provider has stopped");
        assertThatThrownBy(() -> provisioner.delete(provisioner.handle(op), context())).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("the BMC provider has stopped").hasMessageContaining("operation op-1");
        assertThatThrownBy(() -> provisioner.create(request(), context())).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("the BMC provider has stopped");

        assertThat(endpoint.requests()).as("no BMC request after the provider stopped").isEqualTo(atStop);
        Operation now = journal.get("op-1").orElseThrow();
        assertThat(now.phase()).as("no step journalled").isEqualTo(Operation.Phase.RUNNING);
        assertThat(now.steps()).isEqualTo(op.steps());
    }

    /**
     * A look that holds the BMC when the provider stops is waited for before the BMCs are closed:
     * the stop returns only after the BMC answered the look.
     */
    @Test
    void aLookInProgressIsWaitedForBeforeTheBmcsAreClosed() throws Exception {
        provider();
        Operation op = recorded(Operation.Phase.RUNNING, PowerAction.ON);
        StandInRedfish.Gate answer = endpoint.holdReads().whenPassed(() -> events.add("answered"));
        hold = answer;
        CompletableFuture<MachineStatus> look = CompletableFuture.supplyAsync(() -> provisioner.describe(provisioner.handle(op), context()),
                callers);
        assertThat(endpoint.awaitRead(Duration.ofSeconds(30))).as("the look reached the BMC").isTrue();
        Thread closing = new Thread(() -> {
            fleet.close();
            events.add("closed");
        }, "closing");
        closing.start();
        Thread.State state;
        do {
            state = closing.getState();
            Thread.onSpinWait();
        } while (state != Thread.State.TIMED_WAITING && state != Thread.State.WAITING && state != Thread.State.TERMINATED);
        assertThat(state).as("the stop waits for the look that holds the BMC").isNotEqualTo(Thread.State.TERMINATED);
        answer.release();
        closing.join(TimeUnit.SECONDS.toMillis(30));

        assertThat(look.get(30, TimeUnit.SECONDS).state()).isEqualTo(MachineState.RUNNING);
        assertThat(events).containsExactly("answered", "closed");
    }

    /**
     * An operation waiting for its machine to power on when the provider stops ends at once,
     * saying the provider stopped, with its journal at the power request sent; tried again after
     * the provider starts, it resumes there and finds the machine on.
     */
    @Test
    void anOperationWaitingForPowerEndsAtTheStopAndResumesAfterARestart() throws Exception {
        provider();
        endpoint.power("Off");
        recorded(Operation.Phase.POWER_SENT, PowerAction.ON);
        CompletableFuture<MachineStatus> create = CompletableFuture.supplyAsync(() -> provisioner.create(request(), context()), callers);
        assertThat(endpoint.awaitRead(Duration.ofSeconds(30))).as("the operation looks at the machine's power").isTrue();

        fleet.close();

        Throwable ended = catchThrowable(() -> create.get(10, TimeUnit.SECONDS));
        assertThat(ended).isInstanceOf(ExecutionException.class).cause().isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("the BMC provider has stopped");
        assertThat(journal.get("op-1").orElseThrow().phase()).isEqualTo(Operation.Phase.POWER_SENT);

        endpoint.power("On");
        provider();
        MachineStatus resumed = provisioner.create(request(), context());
        assertThat(resumed.state()).isEqualTo(MachineState.RUNNING);
        assertThat(journal.get("op-1").orElseThrow().phase()).isEqualTo(Operation.Phase.RUNNING);
    }

    /** A change of the pool after the provider stopped makes no pool: nothing would stop it. */
    @Test
    void aReconfigureAfterTheStopMakesNoPool() {
        fleet = new BmcFleet(BmcProvider.ID, 2, Duration.ofSeconds(30), clock);
        fleet.close();

        fleet.reconfigure(4, Duration.ofSeconds(60));

        assertThat(fleet.livePools()).as("pools not let go").isZero();
        assertThat(fleet.threads()).isEqualTo(2);
    }

    /**
     * A configuration change that replaces a client no call uses returns without waiting for the
     * client's Redfish session delete, which this BMC never answers: Configuration Admin's update
     * thread is not held for the request timeout (10 s). The session is still deleted, aside.
     */
    @Test
    void aChangeDoesNotWaitForTheReplacedClientsSessionDelete() throws Exception {
        Map<String, Object> config = config("session");
        ConfiguredBmc bmc = new ConfiguredBmc(TestBmcs.config(config), "dev.strata.provider.bmc~rack1", dir);
        assertThat(bmc.bmc().powerState(SYSTEM, context())).isEqualTo(PowerState.ON);
        config.put(".password", "Stand-in-Pw2");

        CompletableFuture<Void> change = CompletableFuture.runAsync(() -> bmc.modified(TestBmcs.config(config), Map.of()), callers);

        change.get(8, TimeUnit.SECONDS); // before the request timeout (10 s), with room for a loaded machine
        assertThat(deletes.arrived(Duration.ofSeconds(30))).as("the replaced client's session is deleted").isTrue();
    }
}
