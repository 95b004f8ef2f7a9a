package dev.strata.platform.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.ProvisioningProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link ProvisioningProvider}: the obligations of {@link SpiContract} (deadline,
 * interruption, portable exceptions, builders; checked on {@link ProvisioningProvider#machines}),
 * and those of provisioning (every call made on a thread of its own: one that has not returned
 * shortly after its deadline fails the test, saying the provider hangs, rather than hang it):
 * <ul>
 * <li>{@code create} is idempotent by operation id, within one instance, across a new instance
 *     (a new bundle version after a crash) and under concurrent calls: one operation, one machine;</li>
 * <li>a machine carries the labels of its request, {@code find} returns it by operation id, and
 *     {@code machines} lists it with those labels (the installation id may be missing, for a
 *     provider that keeps its own record in the installation's store, but is never another);</li>
 * <li>every handle that create, describe, find, machines and delete answer names this provider
 *     ({@link #providerId()}), the one that made the machine;</li>
 * <li>two operations make two machines: a create answers the machine of its own operation id, or
 *     refuses, never another operation's machine;</li>
 * <li>{@code delete} is idempotent and the machine ends {@link MachineState#GONE}: not found, not
 *     listed, by that instance and by a new one (a delete removes it on the vendor's side);</li>
 * <li>no secret it was given ({@link #secrets()}) shows on a machine it made: its handle, status,
 *     steps, or what it logs;</li>
 * <li>{@code create} and {@code delete} honour the deadline and interruption as every call does:
 *     called with no time left or on an interrupted thread, each fails promptly with
 *     {@code ProviderTimeoutException} (what such a create made anyway is deleted after the test,
 *     found by its operation id).</li>
 * </ul>
 * The tests make real machines through the provider (against the vendor's test account, emulator
 * or BMC simulator the provider's test points it at) and delete each one they made.
 *
 * @param <P> the provider type
 */
public abstract class ProvisioningProviderContract<P extends ProvisioningProvider> extends SpiContract<P> {

    /**
     * A request the provider can fulfil (for one of its own nodes or offers), with this operation
     * id. Every test adds an installation and an allocation id where it names none, as the core
     * since 1.4 sends them.
     */
    protected abstract MachineRequest request(String operationId);

    /** How long a machine may take to settle: to leave {@link MachineState#PENDING}, or to be {@link MachineState#GONE} after a delete. */
    protected Duration settleTimeout() {
        return Duration.ofSeconds(60);
    }

    @Override
    protected final Object probe(P provider, DiscoveryContext context) {
        return provider.machines(context);
    }

    /** The installation id the contract's requests carry where the provider's own request has none. */
    static final String INSTALLATION = "testkit-installation";

    /** The ledger allocation the contract's requests name where the provider's own request names none. */
    static final String ALLOCATION = "a-000001";

    /** The request for an operation, with an installation and an allocation id, as a core since 1.4 makes it. */
    private MachineRequest installed(String operationId) {
        MachineRequest r = request(operationId);
        return new MachineRequest(r.operationId(), r.deploymentId(), r.member(), r.tenant(), r.target(), r.resources(), r.parameters(),
                r.installation() != null ? r.installation() : INSTALLATION, r.allocationId() != null ? r.allocationId() : ALLOCATION);
    }

    /**
     * Whether a machine carries its request's labels. The installation and allocation ids may be
     * missing (a provider that keeps its own record in the installation's store), but never
     * another one.
     */
    private static void assertLabelled(MachineStatus machine, MachineRequest request, String what) {
        java.util.Map<String, String> expected = new java.util.HashMap<>(request.labels());
        expected.remove(MachineLabels.INSTALLATION);
        expected.remove(MachineLabels.ALLOCATION);
        assertTrue(machine.labels().entrySet().containsAll(expected.entrySet()), what + " does not carry its request's labels: " + machine.labels());
        String installation = machine.labels().get(MachineLabels.INSTALLATION);
        assertTrue(installation == null || installation.equals(request.installation()),
                what + " carries installation " + installation + ", not its request's " + request.installation());
        String allocation = machine.labels().get(MachineLabels.ALLOCATION);
        assertTrue(allocation == null || allocation.equals(request.allocationId()),
                what + " carries allocation " + allocation + ", not its request's " + request.allocationId());
    }

    /** The operations this test asked the provider to carry out, whose machines are deleted after it whatever became of it. */
    private final Set<String> operations = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private String newOperation() {
        String operation = "testkit-op-" + UUID.randomUUID();
        operations.add(operation);
        return operation;
    }

    /**
     * Deletes, through a new instance, every machine that an operation of the test made and that
     * is not gone: the test's own clean-up deletes those it holds a handle of, but a create that
     * failed (its answer lost, or a check failed before the test held the handle) may have made
     * one, and the account may be a real one. A call that overran its deadline (the test failed,
     * saying the provider hangs) is waited for first, up to {@link #settleTimeout()}: a create
     * still running could make its machine after the clean-up had looked. A machine that cannot be
     * found or deleted, or a call still running after that wait, fails the test, naming it. Runs
     * before the providers are released.
     */
    @org.junit.jupiter.api.AfterEach
    public final void deleteWhatTheTestMade() throws Exception {
        List<String> running = awaitOverrunCalls(settleTimeout());
        List<String> asked = new ArrayList<>(operations);
        operations.clear();
        if (asked.isEmpty()) {
            return;
        }
        P provider = newProvider();
        List<String> left = new ArrayList<>();
        for (String operation : asked) {
            try {
                // a provider that made several machines for one operation finds them one after the other
                Set<String> deleted = new HashSet<>();
                for (int i = 0; i < 16; i++) {
                    Optional<MachineStatus> made = found(provider, operation);
                    if (made.isEmpty() || made.get().state() == MachineState.GONE || !deleted.add(made.get().handle().machineId())) {
                        break;
                    }
                    cleanUp(provider, made.get().handle());
                }
            } catch (AssertionError e) {
                left.add(operation + " (" + e.getMessage() + ")");
            }
        }
        if (!running.isEmpty()) {
            left.add("calls still running " + settleTimeout().toSeconds() + " s after the test, which may make a machine after this "
                    + "clean-up: " + String.join(", ", running));
        }
        if (!left.isEmpty()) {
            fail("what these operations made may be left on the provider's account: " + String.join("; ", left));
        }
    }

    private MachineStatus create(P provider, MachineRequest request) {
        DiscoveryContext context = context();
        String what = "create of " + request.operationId();
        return ownHandle(what, succeeding(what, () -> withinDeadline(what, context, () -> provider.create(request, context))));
    }

    private MachineStatus describe(P provider, MachineHandle handle) {
        return ownHandle("describe of " + handle.machineId(), described(provider, handle));
    }

    /** Describe without the check of {@link #ownHandle}: the clean-up's, which deletes what a test made whatever its handles name. */
    private MachineStatus described(P provider, MachineHandle handle) {
        DiscoveryContext context = context();
        String what = "describe of " + handle.machineId();
        return succeeding(what, () -> withinDeadline(what, context, () -> provider.describe(handle, context)));
    }

    private Optional<MachineStatus> find(P provider, String operationId) {
        Optional<MachineStatus> found = found(provider, operationId);
        if (found != null) {
            found.ifPresent(m -> ownHandle("find of " + operationId, m));
        }
        return found;
    }

    /** Find without the check of {@link #ownHandle}, as {@link #described}. */
    private Optional<MachineStatus> found(P provider, String operationId) {
        DiscoveryContext context = context();
        String what = "find of " + operationId;
        return succeeding(what, () -> withinDeadline(what, context, () -> provider.find(operationId, context)));
    }

    private List<MachineStatus> machines(P provider) {
        DiscoveryContext context = context();
        String what = "machines";
        List<MachineStatus> listed = succeeding(what, () -> withinDeadline(what, context, () -> provider.machines(context)));
        if (listed != null) {
            listed.forEach(m -> ownHandle(what, m));
        }
        return listed;
    }

    private MachineStatus delete(P provider, MachineHandle handle) {
        return ownHandle("delete of " + handle.machineId(), deleted(provider, handle));
    }

    /** Delete without the check of {@link #ownHandle}, as {@link #described}. */
    private MachineStatus deleted(P provider, MachineHandle handle) {
        DiscoveryContext context = context();
        String what = "delete of " + handle.machineId();
        return succeeding(what, () -> withinDeadline(what, context, () -> provider.delete(handle, context)));
    }

    /**
     * The machine a call answered, failing unless its handle names this provider, the one that made
     * the machine ({@link MachineHandle#providerId()}): every call's answer, not create's alone, since
     * the core persists the handle that find answers after a lost create as it does create's, and
     * shows it, and the reconciler reports what machines() lists.
     */
    private MachineStatus ownHandle(String what, MachineStatus machine) {
        if (machine != null && !providerId().equals(machine.handle().providerId())) {
            fail(what + " answered machine " + machine.handle().machineId() + " with a handle naming provider "
                    + machine.handle().providerId() + "; expected " + providerId() + " (a handle names the provider that made the machine)");
        }
        return machine;
    }

    /** Deletes what a test made and waits until it is gone. */
    private void cleanUp(P provider, MachineHandle handle) throws InterruptedException {
        deleted(provider, handle);
        awaitState(provider, handle, Set.of(MachineState.GONE), "deleted");
    }

    private MachineStatus awaitState(P provider, MachineHandle handle, Set<MachineState> wanted, String what) throws InterruptedException {
        long deadline = System.nanoTime() + settleTimeout().toNanos();
        MachineStatus status = described(provider, handle);
        while (!wanted.contains(status.state())) {
            if (System.nanoTime() > deadline) {
                fail("machine " + handle.machineId() + " was not " + what + " within " + settleTimeout().toSeconds() + " s: " + status.state());
            }
            Thread.sleep(50);
            status = described(provider, handle);
        }
        return status;
    }

    // ---- the obligations ---------------------------------------------------------------------

    @Test
    public void createIsIdempotentByOperationIdAndLabelsTheMachine() throws Exception {
        P provider = newProvider();
        MachineRequest request = installed(newOperation());
        MachineStatus first = create(provider, request);
        try {
            assertEquals(providerId(), first.handle().providerId(), "the handle names another provider");
            assertLabelled(first, request, "the machine");
            assertEquals(request.operationId(), first.operationId(), "the machine create of " + request.operationId()
                    + " returned names operation " + first.operationId() + " (label " + MachineLabels.OPERATION + ")");
            MachineStatus again = create(provider, request);
            assertEquals(first.handle().machineId(), again.handle().machineId(), "a repeated create made a second machine");
        } finally {
            cleanUp(provider, first.handle());
        }
    }

    @Test
    public void aNewInstanceContinuesWhatTheOldOneStarted() throws Exception {
        P old = newProvider();
        MachineRequest request = installed(newOperation());
        MachineStatus made = create(old, request);
        releaseNow(old);
        P successor = newProvider();
        try {
            Optional<MachineStatus> found = find(successor, request.operationId());
            assertTrue(found.isPresent(), "a new instance cannot find the machine of operation " + request.operationId());
            assertEquals(made.handle().machineId(), found.get().handle().machineId(), "a new instance's find of operation "
                    + request.operationId() + " returns machine " + found.get().handle().machineId() + ", not " + made.handle().machineId()
                    + " that the old instance made for it");
            assertEquals(made.handle().machineId(), create(successor, request).handle().machineId(),
                    "a new instance repeating the operation made a second machine");
            assertNotEquals(MachineState.GONE, describe(successor, made.handle()).state(), "a new instance describes machine "
                    + made.handle().machineId() + ", which the old instance made and did not delete, as GONE; describe must find a"
                    + " machine by its handle alone, since the core persists the handle and describes it from a new bundle version");
        } finally {
            cleanUp(successor, made.handle());
        }
    }

    @Test
    public void machinesListsWhatWasMade() throws Exception {
        P provider = newProvider();
        MachineRequest request = installed(newOperation());
        MachineStatus made = create(provider, request);
        try {
            // found by its handle, so that one listed without its labels (the operation id among them) is named so
            MachineStatus listed = machines(provider).stream().filter(m -> m.handle().machineId().equals(made.handle().machineId()))
                    .findFirst().orElse(null);
            assertTrue(listed != null, "machines() does not list " + made.handle().machineId());
            assertLabelled(listed, request, "the machine machines() lists");
        } finally {
            cleanUp(provider, made.handle());
        }
    }

    @Test
    public void deleteIsIdempotentAndTheMachineEndsGone() throws Exception {
        P provider = newProvider();
        MachineRequest request = installed(newOperation());
        MachineStatus made = create(provider, request);
        MachineState first = delete(provider, made.handle()).state();
        assertTrue(first == MachineState.DELETING || first == MachineState.GONE, "delete answered " + first);
        MachineState second = delete(provider, made.handle()).state();
        assertTrue(second == MachineState.DELETING || second == MachineState.GONE, "a repeated delete answered " + second);
        awaitState(provider, made.handle(), Set.of(MachineState.GONE), "deleted");
        assertEquals(MachineState.GONE, delete(provider, made.handle()).state(), "deleting a machine that is gone");
        assertTrue(find(provider, request.operationId()).isEmpty(), "find still returns a deleted machine");
        assertTrue(machines(provider).stream().noneMatch(m -> m.handle().machineId().equals(made.handle().machineId())),
                "machines() still lists a deleted machine");
        // a new instance (a new bundle version, or the core after a restart) reads the vendor's side, not what the old one remembers
        P successor = newProvider();
        MachineState described = describe(successor, made.handle()).state();
        assertEquals(MachineState.GONE, described, "a new instance describes machine " + made.handle().machineId() + ", which the "
                + "instance that deleted it described as GONE, as " + described + "; the delete left the machine on the vendor's side "
                + "(a delete must remove it there, not only from what the instance remembers)");
        assertTrue(find(successor, request.operationId()).isEmpty(), "a new instance still finds machine " + made.handle().machineId()
                + " of operation " + request.operationId() + ", which the instance that deleted it described as GONE; the delete left "
                + "the machine on the vendor's side");
        assertTrue(machines(successor).stream().noneMatch(m -> m.handle().machineId().equals(made.handle().machineId())),
                "a new instance still lists machine " + made.handle().machineId() + ", which the instance that deleted it described as "
                + "GONE; the delete left the machine on the vendor's side");
    }

    /**
     * Two operations make two machines: with one operation's machine on the account, a create of
     * another operation answers a machine of its own, labelled with that operation, or refuses
     * ({@code ProviderFailureException} or {@code ConflictException}: a bare-metal node holds one
     * machine). A provider that finds "its" machine by something other than the operation id (the
     * deployment and member, a name) hands the core a machine it already had for another operation,
     * a replacement for a lost machine among them, and the deployment runs one machine short.
     */
    @Test
    public void eachOperationMakesItsOwnMachine() throws Exception {
        P provider = newProvider();
        MachineRequest first = installed(newOperation());
        MachineStatus made = create(provider, first);
        MachineStatus other = null;
        try {
            MachineRequest second = installed(newOperation());
            DiscoveryContext context = context();
            String what = "create of " + second.operationId();
            try {
                other = portably(() -> withinDeadline(what, context, () -> provider.create(second, context)));
            } catch (dev.strata.platform.api.exception.ProviderFailureException | dev.strata.platform.api.exception.ConflictException e) {
                return; // refused while the first machine holds the target: nothing was handed out twice
            } catch (dev.strata.platform.api.exception.StrataException e) {
                throw new AssertionError(what + " failed: " + e, e);
            }
            assertTrue(other != null, what + " returned null");
            assertEquals(second.operationId(), other.operationId(), what + ", with machine " + made.handle().machineId() + " of operation "
                    + first.operationId() + " on the account, answered machine " + other.handle().machineId() + " of operation "
                    + other.operationId() + "; a create answers the machine made for its own operation id, or makes one");
            assertNotEquals(made.handle().machineId(), other.handle().machineId(), what + " answered machine "
                    + made.handle().machineId() + ", which create of " + first.operationId() + " made; two operations make two machines");
        } finally {
            try {
                if (other != null && !other.handle().machineId().equals(made.handle().machineId())) {
                    cleanUp(provider, other.handle());
                }
            } finally {
                cleanUp(provider, made.handle());
            }
        }
    }

    /**
     * No secret of {@link #secrets()} shows on a machine: not in what create, describe, find,
     * machines and delete answer (the handle and its attributes, which the core persists with the
     * deployment, the attributes, steps and message, which it shows and records in the provenance
     * log), nor in what the provider logs meanwhile. {@link #noSecretIsShown()} looks at
     * {@code machines()} alone, which on an account without machines shows nothing.
     */
    @Test
    public void noSecretIsShownOnAMachine() throws Exception {
        List<String> secrets = secrets().stream().filter(v -> v != null && !v.isBlank()).toList();
        org.junit.jupiter.api.Assumptions.assumeTrue(!secrets.isEmpty(), "secrets() names no secret: nothing to check");
        java.util.Map<String, String> shown = new java.util.LinkedHashMap<>();
        try (StderrCapture err = new StderrCapture()) {
            P provider = newProvider();
            MachineRequest request = installed(newOperation());
            MachineStatus made = create(provider, request);
            try {
                shown.put("what create answered", String.valueOf(made));
                shown.put("what describe answered", String.valueOf(describe(provider, made.handle())));
                shown.put("what find answered", String.valueOf(find(provider, request.operationId())));
                shown.put("what machines() answered", String.valueOf(machines(provider)));
            } finally {
                shown.put("what delete answered", String.valueOf(delete(provider, made.handle())));
                cleanUp(provider, made.handle());
            }
            shown.put("what it logged", err.text());
        }
        for (java.util.Map.Entry<String, String> where : shown.entrySet()) {
            for (int i = 0; i < secrets.size(); i++) {
                if (where.getValue().contains(secrets.get(i))) {
                    fail(where.getKey() + " shows secret " + (i + 1) + " of secrets() (" + secrets.get(i).length() + " characters); a "
                            + "handle, a machine's attributes, steps and message never hold a credential: the core persists the handle "
                            + "with the deployment, and shows the rest in strata:deployments and the provenance log");
                }
            }
        }
    }

    /**
     * A create called with no time left, or on an interrupted thread, fails promptly with
     * {@code ProviderTimeoutException}: the core gives a create what is left of its operation's
     * time, and interrupts it when Strata stops. A provider that checks its deadline on
     * {@code machines} alone would go on creating past both.
     */
    @Test
    public void createHonoursTheDeadlineAndInterruption() throws Exception {
        P provider = newProvider();
        java.time.Clock clock = java.time.Clock.systemUTC();
        MachineRequest late = installed(newOperation());
        DiscoveryContext expired = new DiscoveryContext("testkit-expired", clock.instant().minusMillis(1), clock);
        assertFailsPromptlyWithTimeout(() -> portably(() -> withinDeadline("a create with a deadline that had passed", expired,
                () -> provider.create(late, expired))), "called create with a deadline that had passed");
        MachineRequest interrupted = installed(newOperation());
        DiscoveryContext context = context();
        assertFailsPromptlyWithTimeout(() -> portably(() -> onAnInterruptedThread("a create on an interrupted thread", context,
                () -> provider.create(interrupted, context))), "called create on an interrupted thread");
    }

    /**
     * A delete called with no time left, or on an interrupted thread, fails promptly with
     * {@code ProviderTimeoutException}, and a delete with time left then ends the machine
     * {@link MachineState#GONE}. Whether the timed-out delete left the machine as it was is not
     * checked: the SPI does not promise it (a timeout is retryable, and the core repeats the delete,
     * which is idempotent), so a provider that sent the vendor's delete before it saw the deadline
     * is correct.
     */
    @Test
    public void deleteHonoursTheDeadlineAndInterruption() throws Exception {
        P provider = newProvider();
        MachineStatus made = create(provider, installed(newOperation()));
        try {
            java.time.Clock clock = java.time.Clock.systemUTC();
            DiscoveryContext expired = new DiscoveryContext("testkit-expired", clock.instant().minusMillis(1), clock);
            assertFailsPromptlyWithTimeout(() -> portably(() -> withinDeadline("a delete with a deadline that had passed", expired,
                    () -> provider.delete(made.handle(), expired))), "called delete with a deadline that had passed");
            DiscoveryContext context = context();
            assertFailsPromptlyWithTimeout(() -> portably(() -> onAnInterruptedThread("a delete on an interrupted thread", context,
                    () -> provider.delete(made.handle(), context))), "called delete on an interrupted thread");
        } finally {
            cleanUp(provider, made.handle());
        }
    }

    @Test
    public void concurrentCreatesOfOneOperationMakeOneMachine() throws Exception {
        P provider = newProvider();
        MachineRequest request = installed(newOperation());
        int threads = 6;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Set<String> ids = new HashSet<>();
        List<MachineHandle> handles = new ArrayList<>();
        try {
            List<Future<MachineStatus>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return create(provider, request);
                }));
            }
            // every create is waited for before anything is asserted, so that what each one made is cleaned up
            Exception failed = null;
            for (Future<MachineStatus> result : results) {
                try {
                    MachineStatus status = result.get(callTimeout().toMillis() + 10_000, TimeUnit.MILLISECONDS);
                    if (ids.add(status.handle().machineId())) {
                        handles.add(status.handle());
                    }
                } catch (ExecutionException | TimeoutException e) {
                    failed = failed == null ? e : failed;
                }
            }
            List<MachineStatus> listed = machines(provider).stream().filter(m -> request.operationId().equals(m.operationId())).toList();
            for (MachineStatus m : listed) {
                if (ids.add(m.handle().machineId())) {
                    handles.add(m.handle()); // made by a create that failed: cleaned up too
                }
            }
            if (failed != null) {
                throw failed;
            }
            assertEquals(1, ids.size(), "concurrent creates of one operation made several machines: " + ids);
            assertEquals(1, listed.size(), "machines() lists " + listed.size() + " machines for one operation");
        } finally {
            pool.shutdownNow();
            for (MachineHandle handle : handles) {
                cleanUp(provider, handle);
            }
        }
    }

    /**
     * {@code find} tells operations apart: with another operation's machine on the account, an
     * operation that made none finds nothing, and that operation finds its own machine. A core that
     * crashed before storing a handle would otherwise take another member's machine for its own.
     */
    @Test
    public void anOperationThatMadeNothingIsNotFound() throws Exception {
        P provider = newProvider();
        MachineRequest other = installed(newOperation());
        MachineStatus made = create(provider, other);
        try {
            String nothing = newOperation();
            Optional<MachineStatus> found = find(provider, nothing);
            assertTrue(found.isEmpty(), () -> "find(" + nothing + ") returns machine " + found.get().handle().machineId()
                    + " (operation " + found.get().operationId() + ") for an operation that made none; find must return only the"
                    + " machine made for the operation id it is given, and empty when there is none");
            Optional<MachineStatus> own = find(provider, other.operationId());
            assertTrue(own.isPresent(), "find(" + other.operationId() + ") does not return the machine " + made.handle().machineId()
                    + " that create of that operation made");
            assertEquals(made.handle().machineId(), own.get().handle().machineId(), "find(" + other.operationId()
                    + ") returns another machine than the one create of that operation made");
        } finally {
            cleanUp(provider, made.handle());
        }
    }
}
