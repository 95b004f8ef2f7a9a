package dev.strata.platform.core.inventory;

import static dev.strata.platform.core.inventory.TestNodes.compute;
import static dev.strata.platform.core.inventory.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.inventory.ProviderStatus;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.DevicePath;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.TopologyLevel;
import dev.strata.platform.api.model.PciDevice;
import dev.strata.platform.api.model.PciLink;
import dev.strata.platform.api.model.PowerLimits;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.provider.Capability;
import dev.strata.platform.api.provider.GpuSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProviderDirectoryTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private final AtomicLong serviceIds = new AtomicLong();
    private ProviderDirectory directory = directory(Duration.ofSeconds(5), Duration.ofMinutes(15));

    private static ProviderDirectory directory(Duration timeout, Duration grace) {
        return new ProviderDirectory(new InventorySettings(Duration.ofHours(1), timeout, WAIT, grace),
                new DeadlineExecutor(8), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        directory.close();
    }

    private Registration registration(String id, String version, Registration.Discoverer discoverer) {
        return new Registration(id, id, version, "bundle." + id, serviceIds.incrementAndGet(), Capability.COMPUTE, discoverer);
    }

    @Test
    void registeredProviderIsDiscoveredAndMerged() {
        directory.register(registration("metal", "1.0", ctx -> compute(7, node("n1", "metal", "host1"))));
        ProviderStatus status = directory.refresh("metal", WAIT);

        assertThat(status.state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(status.generation()).isEqualTo(7);
        assertThat(status.resources()).isEqualTo(1);
        assertThat(status.version()).isEqualTo("1.0");
        assertThat(status.capabilities()).containsExactly(Capability.COMPUTE);
        assertThat(directory.inventory().node("n1")).hasValueSatisfying(n -> assertThat(n.state()).isEqualTo(ResourceState.AVAILABLE));
        assertThat(directory.inventory().sites()).extracting(s -> s.id()).containsExactly("site-metal");
    }

    @Test
    void capacityOffersAreMergedAndMarkedStaleWhenTheirProviderDeparts() throws Exception {
        Node shape = node("cloud:zone-a:gpu.8x", "cloud", null);
        CapacityOffer offer = new CapacityOffer("cloud:zone-a:gpu.8x", "cloud", "site-cloud", "gpu.8x", shape, 8, 3, Set.of());
        Registration v1 = registration("cloud", "1.0", ctx -> new ComputeSnapshot(5, Instant.now(),
                List.of(Site.local("site-cloud", "cloud")), List.of(), List.of(), List.of(offer)));
        directory.register(v1);
        directory.refresh("cloud", WAIT);

        assertThat(directory.inventory().offers()).containsExactly(offer);
        assertThat(directory.inventory().offer(offer.id()).orElseThrow().machine().state()).isEqualTo(ResourceState.AVAILABLE);

        directory.unregister(v1.serviceId(), Capability.COMPUTE);
        CapacityOffer stale = directory.inventory().offer(offer.id()).orElseThrow();
        assertThat(stale.machine().state()).isEqualTo(ResourceState.STALE);
        assertThat(stale.limit()).isEqualTo(8);
        assertThat(stale.inUse()).isEqualTo(3);
    }

    @Test
    void throwingProviderIsFailedAndOthersAreUnaffected() {
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();
        directory.register(registration("good", "1", ctx -> compute(1, node("g1", "good", "g"))));
        directory.register(registration("bad", "1", ctx -> {
            if (broken.get()) {
                throw new IllegalStateException("BMC said no");
            }
            return compute(1, node("b1", "bad", "b"));
        }));
        directory.refresh("bad", WAIT);
        broken.set(true);

        assertThatThrownBy(() -> directory.refresh("bad", WAIT))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("BMC said no");
        assertThat(directory.status("bad").orElseThrow().state()).isEqualTo(ProviderState.FAILED);
        assertThat(directory.status("bad").orElseThrow().message()).contains("BMC said no");
        // its last good node is kept, stale; the good provider's node is untouched
        assertThat(directory.inventory().node("b1").orElseThrow().state()).isEqualTo(ResourceState.STALE);
        assertThat(directory.refresh("good", WAIT).state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(directory.inventory().node("g1").orElseThrow().state()).isEqualTo(ResourceState.AVAILABLE);
    }

    @Test
    void hangingProviderTimesOutIsInterruptedAndOthersAreUnaffected() throws Exception {
        directory.close();
        directory = directory(Duration.ofMillis(300), Duration.ofMinutes(15));
        CountDownLatch interrupted = new CountDownLatch(1);
        directory.register(registration("hang", "1", ctx -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return compute(1);
        }));
        directory.register(registration("good", "1", ctx -> compute(1, node("g1", "good", "g"))));

        long start = System.nanoTime();
        assertThatThrownBy(() -> directory.refresh("hang", WAIT))
                .isInstanceOf(ProviderTimeoutException.class)
                .hasMessageContaining("did not finish within 300ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).as("the hung call was interrupted").isTrue();
        assertThat(directory.status("hang").orElseThrow().state()).isEqualTo(ProviderState.FAILED);
        assertThat(directory.refresh("good", WAIT).state()).isEqualTo(ProviderState.ACTIVE);
    }

    @Test
    void departedProviderStaysStaleAndCallersWaitForItsReturn() throws Exception {
        Registration v1 = registration("metal", "1.0", ctx -> compute(1, node("n1", "metal", "h")));
        directory.register(v1);
        directory.refresh("metal", WAIT);

        directory.unregister(v1.serviceId(), Capability.COMPUTE);
        assertThat(directory.status("metal").orElseThrow().state()).isEqualTo(ProviderState.DEPARTED);
        assertThat(directory.inventory().node("n1").orElseThrow().state()).isEqualTo(ResourceState.STALE);

        Thread returner = new Thread(() -> {
            sleep(300);
            directory.register(registration("metal", "1.1", ctx -> compute(2, node("n1", "metal", "h"))));
        });
        returner.start();
        long start = System.nanoTime();
        ProviderStatus status = directory.refresh("metal", WAIT);
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        returner.join();

        assertThat(waitedMs).as("the caller waited for the new version").isGreaterThanOrEqualTo(250);
        assertThat(status.state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(status.version()).isEqualTo("1.1");
        assertThat(status.swaps()).isEqualTo(1);
        assertThat(status.generation()).isEqualTo(2);
        assertThat(directory.inventory().node("n1").orElseThrow().state()).isEqualTo(ResourceState.AVAILABLE);
    }

    @Test
    void callThatFailsBecauseItsProviderLeftIsRetriedOnTheSuccessor() {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Registration[] old = new Registration[1];
        old[0] = registration("metal", "1.0", ctx -> {
            entered.countDown();
            await(release);
            throw new IllegalStateException("component deactivated");
        });
        directory.register(old[0]);
        Thread swapper = new Thread(() -> {
            await(entered);
            directory.unregister(old[0].serviceId(), Capability.COMPUTE);
            directory.register(registration("metal", "2.0", ctx -> compute(5, node("n1", "metal", "h"))));
            release.countDown();
        });
        swapper.start();

        ProviderStatus status = directory.refresh("metal", WAIT);
        assertThat(status.version()).isEqualTo("2.0");
        assertThat(status.state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(directory.inventory().node("n1")).isPresent();
    }

    @Test
    void departedProviderThatDoesNotReturnFailsTheCallerAfterTheBound() {
        Registration v1 = registration("metal", "1.0", ctx -> compute(1, node("n1", "metal", "h")));
        directory.register(v1);
        directory.refresh("metal", WAIT);
        directory.unregister(v1.serviceId(), Capability.COMPUTE);

        assertThatThrownBy(() -> directory.refresh("metal", Duration.ofMillis(200)))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("provider 'metal' departed");
    }

    @Test
    void unknownProviderIsNamedWithTheKnownOnes() {
        directory.register(registration("metal", "1.0", ctx -> compute(1)));
        assertThatThrownBy(() -> directory.refresh("aws", WAIT))
                .isInstanceOf(NotFoundException.class)
                .hasMessage("no provider 'aws'; known providers: metal");
    }

    @Test
    void departedResourcesAreDroppedAfterTheGracePeriod() {
        directory.close();
        directory = directory(Duration.ofSeconds(5), Duration.ofMillis(100));
        Registration v1 = registration("metal", "1.0", ctx -> compute(1, node("n1", "metal", "h")));
        directory.register(v1);
        directory.refresh("metal", WAIT);
        directory.unregister(v1.serviceId(), Capability.COMPUTE);
        directory.tick();
        assertThat(directory.inventory().node("n1")).as("within grace").isPresent();

        sleep(200);
        directory.tick();
        assertThat(directory.inventory().node("n1")).as("after grace").isEmpty();
        assertThat(directory.status("metal")).isEmpty();
    }

    @Test
    void olderSnapshotsNeverReplaceNewerOnes() {
        AtomicLong generation = new AtomicLong(10);
        directory.register(registration("metal", "1.0", ctx -> compute(generation.getAndAdd(-5), node("n" + generation.get(), "metal", "h"))));
        directory.refresh("metal", WAIT);
        directory.refresh("metal", WAIT);
        assertThat(directory.status("metal").orElseThrow().generation()).isEqualTo(10);
        assertThat(directory.inventory().nodes()).extracting(n -> n.id()).containsExactly("n5");
    }

    @Test
    void acceleratorsAttachToTheNodeOfTheirHostTakingNumaFromItsPciDevice() {
        PciDevice gpuFunction = new PciDevice("0000:3b:00.0", 0x10de, 0x2335, 0x030200, null, null, 1, CpuSet.of(2, 3),
                new PciLink(32, 16, 32, 16), "nvidia");
        directory.register(registration("metal", "1.0", ctx -> compute(1, node("n1", "metal", "gpu-host", gpuFunction))));
        Accelerator h200 = new Accelerator("GPU-1", "NVIDIA", "NVIDIA H200", 143771L << 20, "9.0", "0000:3B:00.0", null, -1,
                CpuSet.EMPTY, null, null, 0, List.of(), List.of(), false, new PowerLimits(700, 700, 200, 700), Health.OK, Map.of());
        directory.register(new Registration("nvidia", "nvidia", "1.0", "b", serviceIds.incrementAndGet(), Capability.GPU,
                ctx -> new GpuSnapshot(1, Instant.now(), "gpu-host", List.of(h200), List.of(),
                        List.of(new DevicePath("GPU-1", "mlx5_0", TopologyLevel.SINGLE, 0)), null)));
        directory.refresh("metal", WAIT);
        directory.refresh("nvidia", WAIT);

        Accelerator attached = directory.inventory().node("n1").orElseThrow().accelerators().get(0);
        assertThat(attached.nodeId()).isEqualTo("n1");
        assertThat(attached.numaNode()).isEqualTo(1);
        assertThat(directory.inventory().node("n1").orElseThrow().devicePaths())
                .containsExactly(new DevicePath("GPU-1", "mlx5_0", TopologyLevel.SINGLE, 0));
        assertThat(directory.status("nvidia").orElseThrow().state()).isEqualTo(ProviderState.ACTIVE);
    }

    @Test
    void gpuProviderWithoutDevicesIsUnavailableNotFailed() {
        directory.register(new Registration("nvidia", "nvidia", "1.0", "b", serviceIds.incrementAndGet(), Capability.GPU,
                ctx -> new GpuSnapshot(1, Instant.now(), "h", List.of(), List.of(), List.of(), "no NVML and no nvidia-smi")));
        ProviderStatus status = directory.refresh("nvidia", WAIT);
        assertThat(status.state()).isEqualTo(ProviderState.UNAVAILABLE);
        assertThat(status.message()).isEqualTo("no NVML and no nvidia-smi");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
