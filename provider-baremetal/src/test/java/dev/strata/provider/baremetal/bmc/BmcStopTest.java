package dev.strata.provider.baremetal.bmc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.provider.baremetal.peers.TestBmcs;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The BMC provider at stop, for what its discoveries do not cover: operations (create, delete,
 * describe) that run when it stops, a change of its pool after it, and the close of a client a
 * configuration change replaced. The BMC is a local stand-in for a Redfish service with one
 * system, whose power state the test sets, which can hold the look at the system until the test
 * lets it answer, and which offers sessions whose delete it never answers.
 */
class BmcStopTest {

    static final String SYSTEM = "/redfish/v1/Systems/1";
    static final String SESSION = "/redfish/v1/SessionService/Sessions/1";

    @TempDir
    Path dir;
    HttpServer endpoint;
    ExecutorService threads;
    ExecutorService callers;
    BmcFleet fleet;
    BmcProvisioner provisioner;
    OperationJournal journal;
    final Clock clock = Clock.systemUTC();
    final AtomicInteger requests = new AtomicInteger();
    final List<String> events = new CopyOnWriteArrayList<>();
    volatile String power = "On";
    /** When set, a look at the system waits for it (counted down by the test) before it answers. */
    volatile CountDownLatch hold;
    final CountDownLatch looked = new CountDownLatch(1);
    final CountDownLatch deleteArrived = new CountDownLatch(1);
    /** What a session delete waits for: never counted down before the test ends. */
    final CountDownLatch neverAnswer = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        endpoint.createContext("/", this::handle);
        threads = Executors.newFixedThreadPool(4);
        endpoint.setExecutor(threads);
        endpoint.start();
        callers = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void stop() {
        neverAnswer.countDown();
        CountDownLatch h = hold;
        if (h != null) {
            h.countDown();
        }
        if (fleet != null) {
            fleet.close();
        }
        callers.shutdownNow();
        endpoint.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        exchange.getRequestBody().readAllBytes();
        try {
            if (method.equals("DELETE") && path.equals(SESSION)) {
                deleteArrived.countDown();
                neverAnswer.await(60, TimeUnit.SECONDS);
                exchange.close();
                return;
            }
            if (method.equals("POST") && path.equals("/redfish/v1/SessionService/Sessions")) {
                exchange.getResponseHeaders().add("X-Auth-Token", "token-1");
                exchange.getResponseHeaders().add("Location", SESSION);
                answer(exchange, 201, "{\"@odata.id\": \"" + SESSION + "\"}");
                return;
            }
            if (path.equals(SYSTEM)) {
                looked.countDown();
                CountDownLatch h = hold;
                if (h != null) {
                    h.await(60, TimeUnit.SECONDS);
                    events.add("answered");
                }
                answer(exchange, 200, "{\"@odata.id\": \"" + SYSTEM + "\", \"PowerState\": \"" + power + "\", \"Actions\": "
                        + "{\"#ComputerSystem.Reset\": {\"target\": \"" + SYSTEM + "/Actions/ComputerSystem.Reset\"}}}");
                return;
            }
            answer(exchange, 200, "{\"RedfishVersion\": \"1.6.0\", \"Systems\": {\"@odata.id\": \"/redfish/v1/Systems\"}, "
                    + "\"SessionService\": {\"@odata.id\": \"/redfish/v1/SessionService\"}, \"Links\": {\"Sessions\": "
                    + "{\"@odata.id\": \"/redfish/v1/SessionService/Sessions\"}}}");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.close();
        }
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] out = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, out.length);
        try (OutputStream o = exchange.getResponseBody()) {
            o.write(out);
        }
        exchange.close();
    }

    private Map<String, Object> config(String auth) {
        Map<String, Object> config = TestBmcs.redfish("rack1", "http://127.0.0.1:" + endpoint.getAddress().getPort(), "root", "Stand-in-Pw1");
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
        int atStop = requests.get();

        assertThatThrownBy(() -> provisioner.describe(provisioner.handle(op), context())).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("the BMC provider has stopped");
        assertThatThrownBy(() -> provisioner.delete(provisioner.handle(op), context())).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("the BMC provider has stopped").hasMessageContaining("operation op-1");
        assertThatThrownBy(() -> provisioner.create(request(), context())).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("the BMC provider has stopped");

        assertThat(requests.get()).as("no BMC request after the provider stopped").isEqualTo(atStop);
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
        CountDownLatch answer = new CountDownLatch(1);
        hold = answer;
        CompletableFuture<MachineStatus> look = CompletableFuture.supplyAsync(() -> provisioner.describe(provisioner.handle(op), context()),
                callers);
        assertThat(looked.await(30, TimeUnit.SECONDS)).as("the look reached the BMC").isTrue();
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
        answer.countDown();
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
        power = "Off";
        recorded(Operation.Phase.POWER_SENT, PowerAction.ON);
        CompletableFuture<MachineStatus> create = CompletableFuture.supplyAsync(() -> provisioner.create(request(), context()), callers);
        assertThat(looked.await(30, TimeUnit.SECONDS)).as("the operation looks at the machine's power").isTrue();

        fleet.close();

        Throwable ended = catchThrowable(() -> create.get(10, TimeUnit.SECONDS));
        assertThat(ended).isInstanceOf(ExecutionException.class).cause().isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("the BMC provider has stopped");
        assertThat(journal.get("op-1").orElseThrow().phase()).isEqualTo(Operation.Phase.POWER_SENT);

        power = "On";
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

        change.get(3, TimeUnit.SECONDS);
        assertThat(deleteArrived.await(30, TimeUnit.SECONDS)).as("the replaced client's session is deleted").isTrue();
    }
}
