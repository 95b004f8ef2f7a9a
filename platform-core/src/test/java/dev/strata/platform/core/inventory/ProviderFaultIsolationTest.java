package dev.strata.platform.core.inventory;

import static dev.strata.platform.core.inventory.TestNodes.compute;
import static dev.strata.platform.core.inventory.TestNodes.machine;
import static dev.strata.platform.core.inventory.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.provider.Capability;
import dev.strata.platform.api.provider.GpuSnapshot;
import dev.strata.platform.testkit.SettableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One provider's fault stays its own: a provider whose discovery hangs in a call that ignores
 * interruption, and a provider one of whose services fails while another answers.
 */
class ProviderFaultIsolationTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private final AtomicLong serviceIds = new AtomicLong();
    /**
     * The call threads whose last call has ended: told on the thread after its result, which is folded in (or ignored)
     * by then; a thread that starts a call leaves it.
     */
    private final Set<Thread> ended = ConcurrentHashMap.newKeySet();
    private ProviderDirectory directory = directory(Duration.ofSeconds(5), Duration.ofMinutes(15));

    private ProviderDirectory directory(Duration timeout, Duration grace) {
        return directory(timeout, grace, Clock.systemUTC());
    }

    private ProviderDirectory directory(Duration timeout, Duration grace, Clock clock) {
        return directory(timeout, grace, clock, System::nanoTime);
    }

    private ProviderDirectory directory(Duration timeout, Duration grace, Clock clock, java.util.function.LongSupplier ticker) {
        return new ProviderDirectory(new InventorySettings(Duration.ofHours(1), timeout, WAIT, grace),
                new DeadlineExecutor(8, DeadlineExecutor.RETURN_WAIT, () -> ended.remove(Thread.currentThread()),
                        () -> ended.add(Thread.currentThread())),
                clock, ticker);
    }

    /** Waits until the call that {@code thread} was set to make has ended, its result folded in. */
    private void ended(AtomicReference<Thread> thread) {
        until(() -> thread.get() != null && ended.contains(thread.get()), "the call ended");
    }

    private static void until(java.util.function.BooleanSupplier condition, String what) {
        long until = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - until).as(what).isNegative();
            LockSupport.parkNanos(1_000_000);
        }
    }

    @AfterEach
    void close() {
        directory.close();
    }

    private Registration registration(String id, String version, Registration.Discoverer discoverer) {
        return new Registration(id, id, version, "bundle." + id, serviceIds.incrementAndGet(), Capability.COMPUTE, discoverer);
    }

    /**
     * A provider whose discovery hangs and ignores interruption keeps one call thread, is FAILED
     * saying its call has not returned, is not called again until that call returns, and is
     * ACTIVE again after it does. Before, every periodic refresh started another call (the last
     * one's future had timed out while its thread still ran): one more pool thread each time, until
     * the pool was full and every other provider was refused.
     */
    @Test
    void aHungProviderThatIgnoresInterruptionDoesNotTakeEveryCallThread() {
        directory.close();
        directory = directory(Duration.ofMillis(150), Duration.ofMinutes(15));
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        AtomicReference<Thread> hung = new AtomicReference<>();
        try {
            directory.register(registration("hang", "1", ctx -> {
                calls.incrementAndGet();
                hung.set(Thread.currentThread());
                while (true) {
                    try {
                        release.await();
                        return compute(1);
                    } catch (InterruptedException ignored) {
                        // a provider that does not honour interruption
                    }
                }
            }));
            // periodic refreshes until one comes after the call's deadline, its timeout folded in (one before it, or while the
            // timeout is being folded in, joins the call); before, each refresh after the deadline started another call
            until(() -> {
                directory.tick();
                return String.valueOf(directory.status("hang").orElseThrow().message()).contains("has not returned");
            }, "a refresh after the hung call's deadline");
            for (int i = 0; i < 10; i++) { // ten more periodic refreshes, each after the call's deadline
                directory.tick();
            }
            // a bounded wait for what must not come: a call started by one of the refreshes, on a thread of its own
            sleep(250);
            assertThat(directory.status("hang").orElseThrow().state()).isEqualTo(ProviderState.FAILED);
            assertThat(directory.status("hang").orElseThrow().message()).contains("discovery of hang COMPUTE started at ")
                    .contains("has not returned, past its deadline of 150ms").contains("it is not started again until that call returns");
            assertThat(calls.get()).as("calls of the hung provider").isEqualTo(1);

            directory.register(registration("good", "1", ctx -> compute(1, node("g1", "good", "g"))));
            assertThat(directory.refresh("good", WAIT).state()).isEqualTo(ProviderState.ACTIVE);

            release.countDown();
            ended(hung); // the hung call returned
            directory.tick();
            until(() -> directory.status("hang").orElseThrow().state() == ProviderState.ACTIVE, "called again once its call returned");
            assertThat(calls.get()).isEqualTo(2);
        } finally {
            release.countDown();
        }
    }

    /**
     * A hung call's refusal names the deadline the call was given, not the one configured since: a call given 150 ms is
     * past its 150 ms, while the 600 s configured after it started have not passed. Before, the refusal said the call
     * was past its deadline of 600s.
     */
    @Test
    void aHungCallIsSaidToBePastTheDeadlineItWasGivenNotOneConfiguredSince() {
        directory.close();
        directory = directory(Duration.ofMillis(150), Duration.ofMinutes(15));
        CountDownLatch release = new CountDownLatch(1);
        try {
            directory.register(registration("hang", "1", ctx -> {
                while (true) {
                    try {
                        release.await();
                        return compute(1);
                    } catch (InterruptedException ignored) {
                        // a provider that does not honour interruption
                    }
                }
            }));
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (directory.status("hang").orElseThrow().state() != ProviderState.FAILED && System.nanoTime() - until < 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // until its deadline has passed
            }
            directory.configure(new InventorySettings(Duration.ofHours(1), Duration.ofMinutes(10), WAIT, Duration.ofMinutes(15)));
            directory.tick();
            while (!directory.status("hang").orElseThrow().message().contains("has not returned") && System.nanoTime() - until < 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // the tick came while the timeout was being folded in
                directory.tick();
            }
            assertThat(directory.status("hang").orElseThrow().message()).contains("has not returned, past its deadline of 150ms");
        } finally {
            release.countDown();
        }
    }

    /**
     * A provider with a compute and a GPU service whose compute discovery fails while its GPU
     * discovery succeeds: the provider is FAILED, its compute node STALE (README: "a failing
     * provider's resources stay, marked STALE"), and dropped once the grace period passes while the
     * GPU service's resources stay; when compute answers again, all is ACTIVE. Before, the GPU
     * service's success, folded after the compute failure, set the provider ACTIVE: the node of
     * the failing compute service was shown AVAILABLE (and placed on), and never dropped.
     */
    @Test
    void aFailingComputeServiceIsNotMaskedByItsProvidersWorkingGpuService() throws Exception {
        String machineId = "machine-id:" + "c".repeat(32);
        AtomicBoolean broken = new AtomicBoolean();
        directory.register(registration("metal", "1.0", ctx -> {
            if (broken.get()) {
                throw new ProviderUnavailableException("BMC unreachable");
            }
            return compute(1, machine("n1", "metal", "gpu-host", machineId));
        }));
        Accelerator h200 = Accelerator.builder().id("GPU-1").model("NVIDIA H200").pciAddress("0000:3b:00.0").build();
        AtomicLong gpuGeneration = new AtomicLong();
        AtomicReference<Thread> gpuCall = new AtomicReference<>();
        directory.register(new Registration("metal", "metal", "1.0", "bundle.metal", serviceIds.incrementAndGet(), Capability.GPU, ctx -> {
            gpuCall.set(Thread.currentThread());
            if (broken.get()) {
                // reading the GPUs takes longer than failing to reach the BMC: its success comes after the failure
                until(() -> directory.status("metal").orElseThrow().state() == ProviderState.FAILED, "the compute failure folded in");
            }
            return GpuSnapshot.builder(gpuGeneration.incrementAndGet(), Instant.now()).hostname("gpu-host").machineId(machineId)
                    .accelerators(List.of(h200)).build();
        }));
        directory.refresh("metal", WAIT);
        assertThat(directory.inventory().node("n1").orElseThrow().state()).isEqualTo(ResourceState.AVAILABLE);

        broken.set(true);
        gpuCall.set(null);
        assertThatThrownBy(() -> directory.refresh("metal", WAIT)).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("BMC unreachable");
        ended(gpuCall); // the GPU discovery of the same refresh completes

        assertThat(directory.inventory().node("n1").orElseThrow().state())
                .as("the node of a compute service whose discovery fails is stale").isEqualTo(ResourceState.STALE);
        assertThat(directory.status("metal").orElseThrow().state()).isEqualTo(ProviderState.FAILED);
        assertThat(directory.status("metal").orElseThrow().message()).contains("BMC unreachable");

        broken.set(false);
        directory.refresh("metal", WAIT); // returns once both its discoveries are folded in
        assertThat(directory.status("metal").orElseThrow().state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(directory.inventory().node("n1").orElseThrow().state()).isEqualTo(ResourceState.AVAILABLE);
    }

    /** The failing compute service's node is dropped once the grace period passes; the GPU service that answers keeps its resources. */
    @Test
    void aFailingServicesResourcesAreDroppedAfterTheGracePeriodAndAWorkingServiceKeepsItsOwn() {
        directory.close();
        // the grace period passes when the test moves the ticker, not while a loaded machine runs the steps before
        SettableClock clock = SettableClock.at(Instant.parse("2026-12-02T08:00:00Z"));
        AtomicLong ticker = new AtomicLong();
        directory = directory(Duration.ofSeconds(5), Duration.ofMillis(300), clock, ticker::get);
        String machineId = "machine-id:" + "d".repeat(32);
        AtomicBoolean broken = new AtomicBoolean();
        directory.register(registration("metal", "1.0", ctx -> {
            if (broken.get()) {
                throw new ProviderUnavailableException("BMC unreachable");
            }
            return compute(1, machine("n1", "metal", "gpu-host", machineId));
        }));
        Accelerator h200 = Accelerator.builder().id("GPU-1").model("NVIDIA H200").pciAddress("0000:3b:00.0").build();
        AtomicLong gpuGeneration = new AtomicLong();
        directory.register(new Registration("metal", "metal", "1.0", "bundle.metal", serviceIds.incrementAndGet(), Capability.GPU,
                ctx -> GpuSnapshot.builder(gpuGeneration.incrementAndGet(), Instant.now()).hostname("gpu-host").machineId(machineId)
                        .accelerators(List.of(h200)).build()));
        directory.refresh("metal", WAIT);
        assertThat(directory.inventory().node("n1")).isPresent();

        broken.set(true);
        assertThatThrownBy(() -> directory.refresh("metal", WAIT)).isInstanceOf(ProviderUnavailableException.class);
        ticker.addAndGet(Duration.ofMillis(400).toNanos());
        directory.tick(); // the grace period has passed: compute's node goes; this tick's discoveries run on
        // a refresh joins the compute discovery the tick started (or makes another once it has ended) and returns its
        // failure once it is folded in
        assertThatThrownBy(() -> directory.refresh("metal", WAIT)).isInstanceOf(ProviderUnavailableException.class);
        assertThat(directory.inventory().node("n1")).as("the failing compute service's node, past the grace period").isEmpty();
        assertThat(directory.status("metal").orElseThrow().resources()).as("the GPU service's resources").isEqualTo(1);
        assertThat(directory.status("metal").orElseThrow().state()).isEqualTo(ProviderState.FAILED);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
