package dev.strata.platform.core.inventory;

import static dev.strata.platform.core.inventory.TestNodes.compute;
import static dev.strata.platform.core.inventory.TestNodes.machine;
import static dev.strata.platform.core.inventory.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.PowerDomain;
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
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.GpuSnapshot;
import dev.strata.platform.testkit.SettableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
        return directory(timeout, grace, Clock.systemUTC());
    }

    private static ProviderDirectory directory(Duration timeout, Duration grace, Clock clock) {
        return new ProviderDirectory(new InventorySettings(Duration.ofHours(1), timeout, WAIT, grace), new DeadlineExecutor(8), clock);
    }

    /** A directory whose grace periods pass when the test moves {@code ticker} (nanoseconds), not while the machine runs. */
    private static ProviderDirectory directory(Duration timeout, Duration grace, Clock clock, AtomicLong ticker) {
        return new ProviderDirectory(new InventorySettings(Duration.ofHours(1), timeout, WAIT, grace), new DeadlineExecutor(8), clock,
                ticker::get);
    }

    @AfterEach
    void close() {
        directory.close();
    }

    private Registration registration(String id, String version, Registration.Discoverer discoverer) {
        return new Registration(id, id, version, "bundle." + id, serviceIds.incrementAndGet(), Capability.COMPUTE, discoverer);
    }

    @Test
    void aProvidersDescriptionReachesItsStatus() {
        directory.register(new Registration("aws-prod", "aws", "1.0", "bundle.aws", serviceIds.incrementAndGet(), Capability.COMPUTE,
                ctx -> compute(1), "account 123456789012, regions eu-central-1"));
        assertThat(directory.refresh("aws-prod", WAIT).description()).isEqualTo("account 123456789012, regions eu-central-1");
        directory.register(registration("metal", "1.0", ctx -> compute(1)));
        assertThat(directory.refresh("metal", WAIT).description()).isNull();
    }

    /**
     * A provider that applies a configuration change in place (its modified method) keeps its service, whose properties
     * change: the inventory asks for it to be discovered again at once, and the directory discovers it then, not at the
     * periodic refresh (an hour here); where a discovery begun on the settings before the change is under way, the next
     * starts once it has ended, so the change is not lost in the discovery it joined. Before, nothing discovered it again
     * until the refresh, where a provider made again from the change (without a modified method) was discovered at once.
     */
    @Test
    void aServiceWhosePropertiesChangedIsDiscoveredAgainAtOnceAfterADiscoveryUnderWay() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> host = new java.util.concurrent.atomic.AtomicReference<>("before");
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        CountDownLatch inSecond = new CountDownLatch(1);
        CountDownLatch releaseSecond = new CountDownLatch(1);
        Registration metal = registration("metal", "1.0", ctx -> {
            int call = calls.incrementAndGet();
            String seen = host.get();
            if (seen.equals("during")) {
                inSecond.countDown();
                try {
                    releaseSecond.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return compute(call, node("metal:" + seen, "metal", seen));
        });
        directory.register(metal);
        directory.refresh("metal", WAIT);
        assertThat(directory.inventory().node("metal:before")).isPresent();
        int before = calls.get();

        host.set("during");
        directory.rediscover(metal.serviceId(), Capability.COMPUTE);
        assertThat(inSecond.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("a discovery made at once for the change").isTrue();
        // a second change while that discovery runs on what it read before: a discovery follows it once it has ended
        host.set("after");
        directory.rediscover(metal.serviceId(), Capability.COMPUTE);
        assertThat(calls.get()).as("no discovery beside the one under way").isEqualTo(before + 1);
        releaseSecond.countDown();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (directory.inventory().node("metal:after").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(directory.inventory().node("metal:after")).as("the change made while a discovery ran").isPresent();
        assertThat(calls.get()).isEqualTo(before + 2);

        // a service that has left is not called again
        directory.unregister(metal.serviceId(), Capability.COMPUTE);
        directory.rediscover(metal.serviceId(), Capability.COMPUTE);
        assertThat(calls.get()).isEqualTo(before + 2);
    }

    /**
     * Closing the directory (Strata stopping) ends the discoveries under way, so that nobody waits on them for ever; their
     * end is the close's, not the providers' failure. Before, each such provider was made FAILED as the directory closed,
     * and the change went to the listener, which writes it into the provenance log: every stop that found a discovery
     * under way left a record of a provider failing.
     */
    @Test
    void aDiscoveryEndedByTheCloseMakesNoProviderFailed() throws Exception {
        List<ProviderChange> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        directory.listen(changes::add);
        java.util.concurrent.atomic.AtomicBoolean hang = new java.util.concurrent.atomic.AtomicBoolean();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Registration metal = registration("metal", "1.0", ctx -> {
            if (hang.get()) {
                entered.countDown();
                try {
                    never.await(WAIT.toMillis() * 4, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return compute(1);
        });
        directory.register(metal);
        assertThat(directory.refresh("metal", WAIT).state()).isEqualTo(ProviderState.ACTIVE);
        hang.set(true);
        directory.rediscover(metal.serviceId(), Capability.COMPUTE);
        assertThat(entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("a discovery under way").isTrue();

        directory.close();

        assertThat(changes).as("the changes told").extracting(ProviderChange::event).doesNotContain("failed");
        never.countDown();
    }

    /**
     * A discovery made while the only call thread is on its way back from the last discovery goes to that thread once it is
     * back: the thread tells its call's end and folds its result, under the directory's lock, before it is back. Before,
     * the discovery waited for it holding that lock, so the thread could not come back, and the discovery was refused
     * ("all 1 provider call threads are busy") when its wait ran out, the directory locked the while.
     */
    @Test
    void aDiscoveryMadeWhileTheOnlyCallThreadIsOnItsWayBackGoesToItOnceItIsBack() throws Exception {
        directory.close();
        CountDownLatch left = new CountDownLatch(1);
        CountDownLatch waiting = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger leaves = new java.util.concurrent.atomic.AtomicInteger();
        DeadlineExecutor executor = new DeadlineExecutor(1, Duration.ofSeconds(10), () -> { }, () -> {
            if (leaves.incrementAndGet() == 1) {
                // the first discovery's thread, out of the provider, held until the second discovery waits for it
                left.countDown();
                try {
                    waiting.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, () -> { });
        directory = new ProviderDirectory(new InventorySettings(Duration.ofHours(1), Duration.ofSeconds(30), WAIT, Duration.ofMinutes(15)),
                executor, Clock.systemUTC());
        directory.register(registration("first", "1", ctx -> compute(1, node("f1", "first", "f"))));
        assertThat(left.await(30, TimeUnit.SECONDS)).isTrue();
        Thread registering = new Thread(() -> directory.register(registration("second", "1", ctx -> compute(1, node("s1", "second", "s")))));
        registering.start();
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (registering.getState() != Thread.State.TIMED_WAITING && registering.isAlive() && System.nanoTime() - until < 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // until the second discovery waits for the thread
        }
        waiting.countDown();
        registering.join(30_000);
        ProviderStatus status = directory.status("second").orElseThrow();
        while (status.state() == ProviderState.STARTING && System.nanoTime() - until < 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // until its discovery is folded in
            status = directory.status("second").orElseThrow();
        }
        assertThat(status.state()).as(String.valueOf(status.message())).isEqualTo(ProviderState.ACTIVE);
        assertThat(directory.status("first").orElseThrow().state()).isEqualTo(ProviderState.ACTIVE);
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
        // the call sleeps for 60 s unless interrupted: the bound leaves a loaded machine room and still tells the deadline from the hang
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
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

        // the new version comes once the caller waits for it (parked until the directory changes), not after a sleep
        // that a loaded machine may outlast before the caller has even asked
        Thread caller = Thread.currentThread();
        java.util.concurrent.atomic.AtomicBoolean waited = new java.util.concurrent.atomic.AtomicBoolean();
        Thread returner = new Thread(() -> {
            waited.set(Waits.parks(caller));
            directory.register(registration("metal", "1.1", ctx -> compute(2, node("n1", "metal", "h"))));
        });
        returner.start();
        ProviderStatus status = directory.refresh("metal", WAIT);
        returner.join();

        assertThat(waited).as("the caller waited for the new version").isTrue();
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
                .hasMessageContaining("provider 'metal' departed")
                .as("the message names the caller's wait, not the configured swapWait (5s)")
                .hasMessageEndingWith("and has not returned (waited 200ms)");
    }

    /**
     * A refresh waiting for a departed provider gives up after its wait however the clock moves: the clock set back an
     * hour while it waited (a correction) made it wait an hour more, and a clock that stood still made it wait for ever.
     */
    @Test
    void aRefreshWaitingForADepartedProviderGivesUpAfterItsWaitThoughTheClockIsSetBack() throws Exception {
        directory.close();
        SettableClock clock = SettableClock.system();
        directory = directory(Duration.ofSeconds(5), Duration.ofMinutes(15), clock);
        Registration v1 = registration("metal", "1.0", ctx -> compute(1, node("n1", "metal", "h")));
        directory.register(v1);
        directory.refresh("metal", WAIT);
        directory.unregister(v1.serviceId(), Capability.COMPUTE);

        java.util.concurrent.CompletableFuture<Throwable> refused = new java.util.concurrent.CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                directory.refresh("metal", Duration.ofMillis(300));
                refused.complete(null);
            } catch (RuntimeException e) {
                refused.complete(e);
            }
        }, "refresh-caller");
        caller.setDaemon(true);
        caller.start();
        try {
            assertThat(Waits.parks(caller)).as("the refresh waits for metal").isTrue();
            clock.back(Duration.ofHours(1));
            assertThat(refused.get(10, TimeUnit.SECONDS)).as("the refresh ended within 10 s")
                    .isInstanceOf(ProviderUnavailableException.class)
                    .hasMessageEndingWith("and has not returned (waited 300ms)");
        } finally {
            caller.interrupt();
        }
    }

    /**
     * A refresh that joins a discovery begun before {@code discoveryTimeout} was shortened waits for it as long as its own
     * deadline allows: it failed, saying the discovery did not finish within the new deadline, while the discovery ran on
     * within its own and succeeded.
     */
    @Test
    void aRefreshJoiningADiscoveryBegunBeforeTheDeadlineWasShortenedWaitsForItsOwnDeadline() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean slow = new java.util.concurrent.atomic.AtomicBoolean();
        CountDownLatch entered = new CountDownLatch(1);
        directory.register(registration("metal", "1.0", ctx -> {
            if (slow.get()) {
                entered.countDown();
                try {
                    Thread.sleep(3_000); // a slow provider, well within its deadline of 5 s
                } catch (InterruptedException e) {
                    throw new ProviderTimeoutException("interrupted");
                }
            }
            return compute(slow.get() ? 2 : 1, node("n1", "metal", "h"));
        }));
        directory.refresh("metal", WAIT);
        slow.set(true);
        directory.tick();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        directory.configure(new InventorySettings(Duration.ofHours(1), Duration.ofMillis(100), WAIT, Duration.ofMinutes(15)));

        ProviderStatus status = directory.refresh("metal", WAIT);
        assertThat(status.state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(status.generation()).isEqualTo(2);
    }

    /**
     * A refresh of every provider calls each once: a provider whose discovery, started at once for all, ended before the
     * refresh came to wait for it (here: while it waited for a slower one) was called a second time.
     */
    @Test
    void aRefreshOfEveryProviderCallsEachOnceThoughItsDiscoveryEndedBeforeTheRefreshWaitedForIt() {
        AtomicLong fastCalls = new AtomicLong();
        directory.register(registration("fast", "1.0", ctx -> compute(fastCalls.incrementAndGet())));
        directory.refresh("fast", WAIT);
        java.util.concurrent.atomic.AtomicBoolean refreshing = new java.util.concurrent.atomic.AtomicBoolean();
        long[] before = new long[1];
        // "a" comes first in the refresh and, in it, ends only once fast's discovery is in fast's status
        directory.register(registration("a-slow", "1.0", ctx -> {
            if (!refreshing.get()) {
                return compute(1);
            }
            long until = System.nanoTime() + WAIT.toNanos();
            while (fastCalls.get() == before[0] || directory.status("fast").orElseThrow().generation() < fastCalls.get()) {
                if (System.nanoTime() - until > 0) {
                    throw new IllegalStateException("fast was not discovered");
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            return compute(1);
        }));
        directory.refresh("a-slow", WAIT);
        long generation = directory.status("fast").orElseThrow().generation();
        before[0] = fastCalls.get();
        refreshing.set(true);

        directory.refreshAll(WAIT);
        assertThat(fastCalls.get() - before[0]).as("calls of fast for one refresh").isEqualTo(1);
        assertThat(directory.status("a-slow").orElseThrow().state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(directory.status("fast").orElseThrow().generation()).isGreaterThan(generation);
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
        // the grace period passes when the test moves the ticker, not while a loaded machine runs the steps before
        SettableClock clock = SettableClock.at(Instant.parse("2026-12-02T08:00:00Z"));
        AtomicLong ticker = new AtomicLong();
        directory = directory(Duration.ofSeconds(5), Duration.ofMillis(100), clock, ticker);
        Registration v1 = registration("metal", "1.0", ctx -> compute(1, node("n1", "metal", "h")));
        directory.register(v1);
        directory.refresh("metal", WAIT);
        directory.unregister(v1.serviceId(), Capability.COMPUTE);
        directory.tick();
        assertThat(directory.inventory().node("n1")).as("within grace").isPresent();

        ticker.addAndGet(Duration.ofMillis(200).toNanos());
        directory.tick();
        assertThat(directory.inventory().node("n1")).as("after grace").isEmpty();
        assertThat(directory.status("metal")).isEmpty();
    }

    /**
     * The grace period before a departed provider's resources are dropped is measured on the monotonic clock: the wall clock
     * stepped an hour forward (an NTP correction) dropped every node of the provider at the next tick, a moment after it left.
     */
    @Test
    void aDepartedProvidersResourcesStayForTheGracePeriodThoughTheClockJumpsForward() {
        directory.close();
        SettableClock clock = SettableClock.at(Instant.parse("2026-12-02T08:00:00Z"));
        AtomicLong ticker = new AtomicLong();
        directory = directory(Duration.ofSeconds(5), Duration.ofMinutes(15), clock, ticker);
        Registration v1 = registration("metal", "1.0", ctx -> compute(1, node("n1", "metal", "h")));
        directory.register(v1);
        directory.refresh("metal", WAIT);
        directory.unregister(v1.serviceId(), Capability.COMPUTE);

        clock.advance(Duration.ofHours(1));
        ticker.addAndGet(Duration.ofSeconds(1).toNanos());
        directory.tick();
        assertThat(directory.inventory().node("n1")).as("a second after it departed, the clock an hour on").get()
                .extracting(Node::state).isEqualTo(ResourceState.STALE);
        assertThat(directory.status("metal").orElseThrow().state()).isEqualTo(ProviderState.DEPARTED);

        ticker.addAndGet(Duration.ofMinutes(15).toNanos());
        directory.tick();
        assertThat(directory.inventory().node("n1")).as("past the grace period").isEmpty();
    }

    /**
     * A failing service's resources, and those of a service its provider withdrew, stay for the grace period on the monotonic
     * clock too: the wall clock stepped forward past it dropped them at the next tick.
     */
    @Test
    void failingAndWithdrawnServicesResourcesStayForTheGracePeriodThoughTheClockJumpsForward() {
        directory.close();
        SettableClock clock = SettableClock.at(Instant.parse("2026-12-02T08:00:00Z"));
        AtomicLong ticker = new AtomicLong();
        directory = directory(Duration.ofSeconds(5), Duration.ofMinutes(15), clock, ticker);
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();
        directory.register(registration("metal", "1.0", ctx -> {
            if (broken.get()) {
                throw new ProviderUnavailableException("BMC unreachable");
            }
            return compute(1, node("n1", "metal", "h"));
        }));
        String machineId = "machine-id:" + "e".repeat(32);
        directory.register(registration("other", "1.0", ctx -> compute(1, machine("n2", "other", "gpu-host", machineId))));
        Accelerator h200 = Accelerator.builder().id("GPU-1").model("NVIDIA H200").pciAddress("0000:3b:00.0").build();
        Registration gpu = new Registration("other", "other", "1.0", "bundle.other", serviceIds.incrementAndGet(), Capability.GPU,
                ctx -> GpuSnapshot.builder(1, Instant.now()).hostname("gpu-host").machineId(machineId).accelerators(List.of(h200)).build());
        directory.register(gpu);
        directory.refresh("metal", WAIT);
        directory.refresh("other", WAIT);
        assertThat(directory.inventory().node("n2").orElseThrow().accelerators()).hasSize(1);

        broken.set(true);
        assertThatThrownBy(() -> directory.refresh("metal", WAIT)).isInstanceOf(ProviderUnavailableException.class);
        directory.unregister(gpu.serviceId(), Capability.GPU);
        clock.advance(Duration.ofHours(1));
        ticker.addAndGet(Duration.ofSeconds(1).toNanos());
        directory.tick();
        assertThat(directory.inventory().node("n1")).as("the failing service's node, the clock an hour on").isPresent();
        assertThat(directory.inventory().node("n2").orElseThrow().accelerators()).as("the withdrawn GPU service's, the clock an hour on")
                .hasSize(1);

        ticker.addAndGet(Duration.ofMinutes(15).toNanos());
        directory.tick();
        assertThat(directory.inventory().node("n2").orElseThrow().accelerators()).as("past the grace period").isEmpty();
        assertThat(directory.inventory().node("n1")).as("past the grace period").isEmpty();
    }

    /**
     * How long ago a provider departed, which a refresh waiting for it gives (and the log line when it returns, "returned ...
     * after 48 ms"), is measured on the monotonic clock: the wall clock set back an hour while it was away made it
     * "departed -3597 s ago".
     */
    @Test
    void howLongAgoAProviderDepartedIsNotNegativeThoughTheClockWasSetBack() {
        directory.close();
        SettableClock clock = SettableClock.at(Instant.parse("2026-12-02T08:00:00Z"));
        AtomicLong ticker = new AtomicLong();
        directory = directory(Duration.ofSeconds(5), Duration.ofMinutes(15), clock, ticker);
        Registration v1 = registration("metal", "1.0", ctx -> compute(1, node("n1", "metal", "h")));
        directory.register(v1);
        directory.refresh("metal", WAIT);
        directory.unregister(v1.serviceId(), Capability.COMPUTE);
        clock.back(Duration.ofHours(1));
        ticker.addAndGet(Duration.ofSeconds(3).toNanos());
        clock.advance(Duration.ofSeconds(3));
        assertThatThrownBy(() -> directory.refresh("metal", Duration.ZERO)).isInstanceOf(ProviderUnavailableException.class)
                .hasMessage("provider 'metal' departed 3 s ago and has not returned (waited 0)");
    }

    /**
     * How long a discovery took, which a provider's status and {@code strata:refresh} give, is measured on the monotonic
     * clock: the wall clock set back an hour while the provider was called made it "-3599750 ms".
     */
    @Test
    void howLongADiscoveryTookIsNotNegativeThoughTheClockWasSetBackDuringIt() {
        directory.close();
        SettableClock clock = SettableClock.at(Instant.parse("2026-12-02T08:00:00Z"));
        AtomicLong ticker = new AtomicLong();
        directory = directory(Duration.ofSeconds(5), Duration.ofMinutes(15), clock, ticker);
        directory.register(registration("metal", "1.0", ctx -> {
            clock.back(Duration.ofHours(1));
            ticker.addAndGet(Duration.ofMillis(250).toNanos());
            return compute(1, node("n1", "metal", "h"));
        }));
        assertThat(directory.refresh("metal", WAIT).lastDiscoveryTime()).isEqualTo(Duration.ofMillis(250));
    }

    /**
     * A refresh given no wait, or a negative one, is refused naming the wait and what is expected: before, no wait threw a
     * bare NullPointerException and a negative one waited for nothing and said "waited -5s".
     */
    @Test
    void aRefreshWithoutAWaitOrWithANegativeOneIsRefused() {
        Registration v1 = registration("metal", "1.0", ctx -> compute(1, node("n1", "metal", "h")));
        directory.register(v1);
        directory.refresh("metal", WAIT);
        directory.unregister(v1.serviceId(), Capability.COMPUTE);
        assertThatThrownBy(() -> directory.refresh("metal", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxWait is null; expected how long to wait for a departed provider to return, zero or more (such as 30s)");
        assertThatThrownBy(() -> directory.refresh("metal", Duration.ofSeconds(-5))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxWait is -5s; expected how long to wait for a departed provider to return, zero or more (such as 30s)");
        assertThatThrownBy(() -> directory.refreshAll(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("maxWait is null; expected");
        assertThatThrownBy(() -> directory.refreshAll(Duration.ofSeconds(-5))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("maxWait is -5s; expected");
        assertThatThrownBy(() -> directory.refresh("metal", Duration.ZERO)).as("no wait at all is a wait of zero")
                .isInstanceOf(ProviderUnavailableException.class).hasMessageEndingWith("and has not returned (waited 0)");
    }

    /**
     * A provider with a compute and a GPU service that withdraws the GPU one while the compute one stays: its GPUs stay
     * for the grace period, then leave the inventory (they stayed attached, as live, for ever), and a GPU service that
     * returns within the grace period keeps them.
     */
    @Test
    void aCapabilityWithdrawnWhileTheProviderStaysIsDroppedAfterTheGracePeriod() {
        directory.close();
        // the grace period passes when the test moves the ticker, not while a loaded machine runs the steps before
        SettableClock clock = SettableClock.at(Instant.parse("2026-12-02T08:00:00Z"));
        AtomicLong ticker = new AtomicLong();
        directory = directory(Duration.ofSeconds(5), Duration.ofMillis(150), clock, ticker);
        String machineId = "machine-id:" + "a".repeat(32);
        directory.register(registration("metal", "1.0", ctx -> compute(1, machine("n1", "metal", "gpu-host", machineId))));
        Accelerator h200 = Accelerator.builder().id("GPU-1").model("NVIDIA H200").pciAddress("0000:3b:00.0").build();
        Registration.Discoverer gpus = ctx -> GpuSnapshot.builder(1, Instant.now()).hostname("gpu-host").machineId(machineId)
                .accelerators(List.of(h200)).build();
        Registration gpu = new Registration("metal", "metal", "1.0", "bundle.metal", serviceIds.incrementAndGet(), Capability.GPU, gpus);
        directory.register(gpu);
        directory.refresh("metal", WAIT);
        assertThat(directory.inventory().node("n1").orElseThrow().accelerators()).extracting(Accelerator::id).containsExactly("GPU-1");

        directory.unregister(gpu.serviceId(), Capability.GPU);
        directory.tick();
        assertThat(directory.inventory().node("n1").orElseThrow().accelerators()).as("within grace").hasSize(1);
        ticker.addAndGet(Duration.ofMillis(300).toNanos());
        directory.tick();
        assertThat(directory.inventory().node("n1").orElseThrow().accelerators()).as("after grace").isEmpty();
        assertThat(directory.inventory().unattached()).isEmpty();
        ProviderStatus status = directory.status("metal").orElseThrow();
        assertThat(status.state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(status.resources()).isEqualTo(1);

        // back within the grace period: nothing is dropped, however long it then stays
        Registration again = new Registration("metal", "metal", "1.1", "bundle.metal", serviceIds.incrementAndGet(), Capability.GPU, gpus);
        directory.register(again);
        directory.refresh("metal", WAIT);
        directory.unregister(again.serviceId(), Capability.GPU);
        Registration third = new Registration("metal", "metal", "1.2", "bundle.metal", serviceIds.incrementAndGet(), Capability.GPU, gpus);
        directory.register(third);
        directory.refresh("metal", WAIT);
        ticker.addAndGet(Duration.ofMillis(300).toNanos());
        directory.tick();
        assertThat(directory.inventory().node("n1").orElseThrow().accelerators()).as("returned within grace").hasSize(1);
    }

    /**
     * A provider that withdraws its compute service while its GPU service stays: the nodes it keeps for the grace period are
     * STALE, as a departed provider's are, not AVAILABLE (they were merged as live, and placed on, while no service of the
     * provider vouched for them); those of the service that stays are not, and a compute service back makes them live again.
     */
    @Test
    void theResourcesOfAWithdrawnServiceAreStaleWhileTheProvidersOtherServicesStay() {
        String machineId = "machine-id:" + "c".repeat(32);
        Registration compute = registration("metal", "1.0", ctx -> compute(1, machine("n1", "metal", "gpu-host", machineId)));
        Accelerator h200 = Accelerator.builder().id("GPU-1").model("NVIDIA H200").pciAddress("0000:3b:00.0").health(Health.OK).build();
        Registration.Discoverer gpus = ctx -> GpuSnapshot.builder(1, Instant.now()).hostname("gpu-host").machineId(machineId)
                .accelerators(List.of(h200)).build();
        Registration gpu = new Registration("metal", "metal", "1.0", "bundle.metal", serviceIds.incrementAndGet(), Capability.GPU, gpus);
        directory.register(compute);
        directory.register(gpu);
        directory.refresh("metal", WAIT);
        assertThat(directory.inventory().node("n1").orElseThrow().state()).isEqualTo(ResourceState.AVAILABLE);

        directory.unregister(compute.serviceId(), Capability.COMPUTE);
        directory.refresh("metal", WAIT);
        assertThat(directory.status("metal").orElseThrow().state()).isEqualTo(ProviderState.ACTIVE);
        Node withdrawn = directory.inventory().node("n1").orElseThrow();
        assertThat(withdrawn.state()).as("the node of the withdrawn compute service").isEqualTo(ResourceState.STALE);
        assertThat(withdrawn.accelerators()).extracting(a -> a.health().status()).as("the GPU service still answers")
                .containsExactly(Health.Status.OK);

        directory.register(registration("metal", "1.0", ctx -> compute(2, machine("n1", "metal", "gpu-host", machineId))));
        directory.refresh("metal", WAIT);
        assertThat(directory.inventory().node("n1").orElseThrow().state()).as("compute service back").isEqualTo(ResourceState.AVAILABLE);
    }

    /** A provider that departs whole and comes back without one of its services loses that service's resources a grace period on. */
    @Test
    void aProviderThatReturnsWithoutOneOfItsServicesLosesThatServicesResources() {
        directory.close();
        // the grace period passes when the test moves the ticker, not while a loaded machine runs the steps before
        SettableClock clock = SettableClock.at(Instant.parse("2026-12-02T08:00:00Z"));
        AtomicLong ticker = new AtomicLong();
        directory = directory(Duration.ofSeconds(5), Duration.ofMillis(150), clock, ticker);
        String machineId = "machine-id:" + "b".repeat(32);
        Registration compute = registration("metal", "1.0", ctx -> compute(1, machine("n1", "metal", "gpu-host", machineId)));
        Accelerator h200 = Accelerator.builder().id("GPU-1").model("NVIDIA H200").pciAddress("0000:3b:00.0").build();
        Registration gpu = new Registration("metal", "metal", "1.0", "bundle.metal", serviceIds.incrementAndGet(), Capability.GPU,
                ctx -> GpuSnapshot.builder(1, Instant.now()).hostname("gpu-host").machineId(machineId).accelerators(List.of(h200)).build());
        directory.register(compute);
        directory.register(gpu);
        directory.refresh("metal", WAIT);
        directory.unregister(gpu.serviceId(), Capability.GPU);
        directory.unregister(compute.serviceId(), Capability.COMPUTE);
        assertThat(directory.status("metal").orElseThrow().state()).isEqualTo(ProviderState.DEPARTED);

        directory.register(registration("metal", "2.0", ctx -> compute(2, machine("n1", "metal", "gpu-host", machineId))));
        directory.refresh("metal", WAIT);
        directory.tick();
        assertThat(directory.inventory().node("n1").orElseThrow().accelerators()).as("within grace").hasSize(1);
        ticker.addAndGet(Duration.ofMillis(300).toNanos());
        directory.tick();
        assertThat(directory.inventory().node("n1").orElseThrow().accelerators()).as("after grace").isEmpty();
        assertThat(directory.inventory().node("n1").orElseThrow().state()).isNotEqualTo(ResourceState.STALE);
    }

    @Test
    void acceleratorsAttachToTheNodeOfTheirMachineTakingNumaFromItsPciDevice() {
        PciDevice gpuFunction = PciDevice.builder().address("0000:3b:00.0").vendorId(0x10de).deviceId(0x2335).classCode(0x030200)
                .numaNode(1).localCpus(CpuSet.of(2, 3)).link(new PciLink(32, 16, 32, 16)).driver("nvidia").build();
        // two nodes named alike: only the machine identity tells them apart
        directory.register(registration("metal", "1.0", ctx -> compute(1,
                machine("n0", "metal", "gpu-host", "machine-id:00000000000000000000000000000abc", gpuFunction),
                machine("n1", "metal", "gpu-host", "machine-id:00000000000000000000000000000def", gpuFunction))));
        Accelerator h200 = Accelerator.builder().id("GPU-1").vendor("NVIDIA").model("NVIDIA H200").memoryBytes(143771L << 20)
                .computeCapability("9.0").pciAddress("0000:3B:00.0").power(new PowerLimits(700, 700, 200, 700)).health(Health.OK).build();
        directory.register(new Registration("nvidia", "nvidia", "1.0", "b", serviceIds.incrementAndGet(), Capability.GPU,
                ctx -> GpuSnapshot.builder(1, Instant.now()).hostname("gpu-host").machineId("machine-id:00000000000000000000000000000def")
                        .accelerators(List.of(h200)).paths(List.of(new DevicePath("GPU-1", "mlx5_0", TopologyLevel.SINGLE, 0))).build()));
        directory.refresh("metal", WAIT);
        directory.refresh("nvidia", WAIT);

        Accelerator attached = directory.inventory().node("n1").orElseThrow().accelerators().get(0);
        assertThat(attached.nodeId()).isEqualTo("n1");
        assertThat(attached.numaNode()).isEqualTo(1);
        assertThat(directory.inventory().node("n1").orElseThrow().devicePaths())
                .containsExactly(new DevicePath("GPU-1", "mlx5_0", TopologyLevel.SINGLE, 0));
        assertThat(directory.inventory().node("n0").orElseThrow().accelerators()).isEmpty();
        assertThat(directory.inventory().unattached()).isEmpty();
        assertThat(directory.status("nvidia").orElseThrow().state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(directory.status("nvidia").orElseThrow().warnings()).isEmpty();
    }

    /**
     * A GPU provider that departs, or whose discovery fails, leaves its accelerators stale: a health
     * it reported as OK is UNKNOWN now, DEGRADED and FAILED stay (a failed GPU is still never placed
     * on), and each says why; the node, another provider's, stays AVAILABLE. Back, the health is
     * the provider's again.
     */
    @Test
    void aStaleGpuProvidersAcceleratorsSayTheirHealthIsNoLongerWatched() {
        String machineId = "machine-id:" + "c".repeat(32);
        directory.register(registration("metal", "1.0", ctx -> compute(1, machine("n1", "metal", "gpu-host", machineId))));
        Accelerator ok = Accelerator.builder().id("GPU-1").model("NVIDIA H200").pciAddress("0000:3b:00.0").health(Health.OK).build();
        Accelerator failed = Accelerator.builder().id("GPU-2").model("NVIDIA H200").pciAddress("0000:5b:00.0")
                .health(new Health(Health.Status.FAILED, List.of("Xid 79: fallen off the bus"))).build();
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();
        Registration.Discoverer gpus = ctx -> {
            if (broken.get()) {
                throw new ProviderFailureException("NVML: driver/library version mismatch");
            }
            return GpuSnapshot.builder(1, Instant.now()).hostname("gpu-host").machineId(machineId).accelerators(List.of(ok, failed)).build();
        };
        Registration nvidia = new Registration("nvidia", "nvidia", "1.0", "b", serviceIds.incrementAndGet(), Capability.GPU, gpus);
        directory.register(nvidia);
        directory.refresh("metal", WAIT);
        directory.refresh("nvidia", WAIT);
        assertThat(directory.inventory().node("n1").orElseThrow().accelerators()).extracting(Accelerator::health)
                .containsExactly(Health.OK, failed.health());

        directory.unregister(nvidia.serviceId(), Capability.GPU);
        directory.tick();
        assertThat(directory.status("nvidia").orElseThrow().state()).isEqualTo(ProviderState.DEPARTED);
        Node n1 = directory.inventory().node("n1").orElseThrow();
        assertThat(n1.state()).as("the node is metal's").isEqualTo(ResourceState.AVAILABLE);
        assertThat(n1.accelerators()).extracting(a -> a.health().status()).containsExactly(Health.Status.UNKNOWN, Health.Status.FAILED);
        assertThat(n1.accelerators().get(0).health().reasons()).containsExactly(
                "provider nvidia no longer reports this GPU (departed or failing): health OK as it last reported it");
        assertThat(n1.accelerators().get(1).health().reasons()).containsExactly("Xid 79: fallen off the bus",
                "provider nvidia no longer reports this GPU (departed or failing): health FAILED as it last reported it");

        Registration back = new Registration("nvidia", "nvidia", "1.1", "b", serviceIds.incrementAndGet(), Capability.GPU, gpus);
        directory.register(back);
        directory.refresh("nvidia", WAIT);
        assertThat(directory.inventory().node("n1").orElseThrow().accelerators()).extracting(Accelerator::health)
                .containsExactly(Health.OK, failed.health());

        broken.set(true);
        assertThatThrownBy(() -> directory.refresh("nvidia", WAIT)).isInstanceOf(ProviderFailureException.class);
        assertThat(directory.status("nvidia").orElseThrow().state()).isEqualTo(ProviderState.FAILED);
        assertThat(directory.inventory().node("n1").orElseThrow().accelerators()).extracting(a -> a.health().status())
                .containsExactly(Health.Status.UNKNOWN, Health.Status.FAILED);
    }

    @Test
    void acceleratorsOfAnUnknownMachineAreShownUnattachedAndTheProviderSaysWhy() {
        directory.register(registration("metal", "1.0", ctx -> compute(1, machine("n1", "metal", "gpu-host", "machine-id:" + "1".repeat(32)))));
        Accelerator h200 = Accelerator.builder().id("GPU-1").model("NVIDIA H200").pciAddress("0000:3b:00.0").build();
        directory.register(new Registration("nvidia", "nvidia", "1.0", "b", serviceIds.incrementAndGet(), Capability.GPU,
                ctx -> GpuSnapshot.builder(1, Instant.now()).hostname("gpu-host").machineId("machine-id:" + "2".repeat(32))
                        .accelerators(List.of(h200)).build()));
        directory.refresh("metal", WAIT);
        directory.refresh("nvidia", WAIT);

        assertThat(directory.inventory().node("n1").orElseThrow().accelerators()).as("not attached by host name").isEmpty();
        assertThat(directory.inventory().unattached()).extracting(Accelerator::id).containsExactly("GPU-1");
        assertThat(directory.inventory().unattached().get(0).nodeId()).isNull();
        ProviderStatus nvidia = directory.status("nvidia").orElseThrow();
        assertThat(nvidia.state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(nvidia.warnings()).containsExactly("1 accelerator of host gpu-host attached to no node: no node has machine identity machine-id:"
                + "2".repeat(32));
    }

    @Test
    void warningsAProviderReportsAreInItsStatus() {
        directory.register(registration("metal", "1.0", ctx -> ComputeSnapshot.builder(1, Instant.now())
                .nodes(List.of(node("n1", "metal", "h"))).sites(List.of(dev.strata.platform.api.model.Site.local("site-metal", "metal")))
                .warnings(List.of("/sys/devices/system/node/node1/cpulist: 'x' is not a cpulist")).build()));
        ProviderStatus status = directory.refresh("metal", WAIT);
        assertThat(status.state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(status.warnings()).containsExactly("/sys/devices/system/node/node1/cpulist: 'x' is not a cpulist");
    }

    /**
     * A provider that writes credentials into what it throws and reports (its exception and that
     * exception's cause, a warning, an unavailable reason, its description): the provider's status, what a refresh
     * throws (stack trace included) and the log carry them masked; the kind of a Strata exception
     * is kept, so callers still tell "unavailable" from "failed".
     */
    @Test
    void credentialsInWhatAProviderThrowsOrReportsAreMaskedEverywhereTheyGo() {
        String password = "pw-" + java.util.UUID.randomUUID();
        java.util.concurrent.atomic.AtomicInteger phase = new java.util.concurrent.atomic.AtomicInteger();
        directory.register(new Registration("metal", "metal", "1.0", "bundle.metal", serviceIds.incrementAndGet(), Capability.COMPUTE, ctx -> switch (phase.get()) {
            case 0 -> ComputeSnapshot.builder(1, Instant.now()).nodes(List.of(node("n1", "metal", "h")))
                    .sites(List.of(Site.local("site-metal", "metal"))).warnings(List.of("BMC r12 answered slowly (password=" + password + ")")).build();
            case 1 -> throw new IllegalStateException("login to https://admin:" + password + "@bmc-r12/redfish/v1 failed",
                    new RuntimeException("{\"Password\": \"" + password + "\"}"));
            case 3 -> throw new dev.strata.platform.api.exception.AuthorizationException("BMC r12 refused the login",
                    new RuntimeException("sent token=" + password));
            case 4 -> throw new dev.strata.platform.api.exception.InvalidConfigurationException("dev.strata.provider.metal", "endpoint",
                    "https://admin:" + password + "@bmc-r12", "a URL without credentials (they go in passwordFile)");
            case 5 -> throw new dev.strata.platform.api.exception.StateStoreException("journal write refused: password=" + password,
                    new RuntimeException("sent token=" + password));
            case 6 -> throw new dev.strata.platform.api.exception.NotLeaderException("not the leader (token=" + password + ")", "strata-b",
                    "https://strata-b:8181");
            default -> throw new ProviderUnavailableException("BMC r12 unreachable\nAuthorization: Basic "
                    + java.util.Base64.getEncoder().encodeToString(("admin:" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }, "BMCs of rack 12 at https://admin:" + password + "@bmc-r12"));
        directory.register(new Registration("nvidia", "nvidia", "1.0", "b", serviceIds.incrementAndGet(), Capability.GPU,
                ctx -> GpuSnapshot.builder(1, Instant.now()).hostname("h").unavailableReason("NVML refused token=" + password).build()));

        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            ProviderStatus first = directory.refresh("metal", WAIT);
            assertThat(first.warnings()).containsExactly("BMC r12 answered slowly (password=****)");
            assertThat(first.description()).isEqualTo("BMCs of rack 12 at https://****@bmc-r12");
            assertThat(directory.refresh("nvidia", WAIT).message()).isEqualTo("NVML refused token=****");

            phase.set(1);
            Throwable failed = org.assertj.core.api.Assertions.catchThrowable(() -> directory.refresh("metal", WAIT));
            assertThat(failed).isInstanceOf(ProviderFailureException.class)
                    .hasMessage("provider 'metal' failed: java.lang.IllegalStateException: login to https://****@bmc-r12/redfish/v1 failed");
            assertThat(printed(failed)).doesNotContain(password).contains("Caused by: java.lang.RuntimeException: {\"Password\": \"****\"}")
                    .contains("at dev.strata.platform.core.inventory.ProviderDirectoryTest");
            assertThat(directory.status("metal").orElseThrow().message()).isEqualTo("login to https://****@bmc-r12/redfish/v1 failed");

            phase.set(2);
            Throwable unavailable = org.assertj.core.api.Assertions.catchThrowable(() -> directory.refresh("metal", WAIT));
            assertThat(unavailable).isInstanceOf(ProviderUnavailableException.class).hasMessage("BMC r12 unreachable Authorization: ****");
            assertThat(printed(unavailable)).doesNotContain(password).doesNotContain("YWRtaW46");
            assertThat(directory.status("metal").orElseThrow().message()).isEqualTo("BMC r12 unreachable Authorization: ****");

            // a clean message over a cause that is not: the kind stays, the cause's words are cleaned
            phase.set(3);
            Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> directory.refresh("metal", WAIT));
            assertThat(refused).isInstanceOf(dev.strata.platform.api.exception.AuthorizationException.class).hasMessage("BMC r12 refused the login");
            assertThat(printed(refused)).doesNotContain(password).contains("sent token=****");

            // an exception of another kind whose message needs cleaning keeps its kind and what it carries besides the message
            phase.set(4);
            Throwable invalid = org.assertj.core.api.Assertions.catchThrowable(() -> directory.refresh("metal", WAIT));
            assertThat(invalid).isInstanceOf(dev.strata.platform.api.exception.InvalidConfigurationException.class)
                    .hasMessage("dev.strata.provider.metal: endpoint = 'https://****@bmc-r12' is invalid; expected a URL without credentials "
                            + "(they go in passwordFile)");
            assertThat(((dev.strata.platform.api.exception.InvalidConfigurationException) invalid).property()).isEqualTo("endpoint");
            assertThat(((dev.strata.platform.api.exception.InvalidConfigurationException) invalid).pid()).isEqualTo("dev.strata.provider.metal");
            phase.set(5);
            Throwable store = org.assertj.core.api.Assertions.catchThrowable(() -> directory.refresh("metal", WAIT));
            assertThat(store).isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class).hasMessage("journal write refused: password=****");
            assertThat(printed(store)).doesNotContain(password).contains("sent token=****");
            phase.set(6);
            Throwable notLeader = org.assertj.core.api.Assertions.catchThrowable(() -> directory.refresh("metal", WAIT));
            assertThat(notLeader).isInstanceOf(dev.strata.platform.api.exception.NotLeaderException.class).hasMessage("not the leader (token=****)");
            assertThat(((dev.strata.platform.api.exception.NotLeaderException) notLeader).leaderId()).isEqualTo("strata-b");
            assertThat(((dev.strata.platform.api.exception.NotLeaderException) notLeader).leaderAddress()).isEqualTo("https://strata-b:8181");
            assertThat(log.text()).doesNotContain(password).doesNotContain("YWRtaW46").contains("login to https://****@bmc-r12");
        }
    }

    /**
     * At start-up the bare-metal provider often reports before the declared inventory that holds its
     * racks: its nodes are in a power domain nobody reports yet. Placement holds that from the first
     * merge and the status shows it, but the log is not told of what the declared provider's first
     * report settles; a domain that outlasts the start (a typo) is logged once, and one that appears
     * after the start is logged at once.
     */
    @Test
    void anUnknownPowerDomainIsLoggedOnlyIfItOutlastsTheStart() {
        directory.close();
        SettableClock clock = SettableClock.at(Instant.parse("2026-12-02T08:00:00Z"));
        AtomicLong ticker = new AtomicLong();
        directory = directory(Duration.ofSeconds(30), Duration.ofMinutes(15), clock, ticker);
        PowerDomain rack = new PowerDomain("fra-1-rack-a01", "rack", "fra-1", null, 20_000);
        CountDownLatch declaredMayAnswer = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<List<Node>> metalNodes = new java.util.concurrent.atomic.AtomicReference<>(List.of(
                TestNodes.node("metal:n1", "metal", "n1").toBuilder().powerDomainId("fra-1-rack-a01").build(),
                TestNodes.node("metal:n2", "metal", "n2").toBuilder().powerDomainId("fra-1-rack-a0l").build()));
        String racked = "power domain fra-1-rack-a01 of node metal:n1 is reported by no provider: its budget is unknown, so nothing is "
                + "placed on the node until a provider reports it";
        String typo = "power domain fra-1-rack-a0l of node metal:n2 is reported by no provider: its budget is unknown, so nothing is "
                + "placed on the node until a provider reports it";
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            directory.register(registration("declared", "1.0", ctx -> {
                await(declaredMayAnswer);
                return ComputeSnapshot.builder(1, Instant.now()).powerDomains(List.of(rack)).build();
            }));
            directory.register(registration("metal", "1.0", ctx -> compute(1, metalNodes.get().toArray(new Node[0]))));
            assertThat(directory.refresh("metal", WAIT).warnings()).as("shown from the first merge").containsExactly(racked, typo);
            assertThat(directory.status("declared").orElseThrow().state()).isEqualTo(ProviderState.STARTING);
            assertThat(log.text()).doesNotContain("is reported by no provider");

            declaredMayAnswer.countDown();
            assertThat(directory.refresh("declared", WAIT).state()).isEqualTo(ProviderState.ACTIVE);
            assertThat(directory.status("metal").orElseThrow().warnings()).containsExactly(typo);
            assertThat(log.text()).as("every provider has reported, but Strata started 0 s ago").doesNotContain("is reported by no provider");

            clock.advance(Duration.ofSeconds(31));
            ticker.addAndGet(Duration.ofSeconds(31).toNanos());
            directory.refresh("metal", WAIT);
            directory.refresh("metal", WAIT);
            assertThat(log.text()).doesNotContain(racked);
            assertThat(count(log.text(), typo)).as("the typo outlasted the start: logged once").isEqualTo(1);

            // a node that turns up in a missing domain after the start is logged at once
            metalNodes.set(List.of(metalNodes.get().get(0), metalNodes.get().get(1),
                    TestNodes.node("metal:n3", "metal", "n3").toBuilder().powerDomainId("fra-1-rack-b07").build()));
            directory.refresh("metal", WAIT);
            assertThat(log.text()).contains("power domain fra-1-rack-b07 of node metal:n3 is reported by no provider");
            assertThat(count(log.text(), typo)).isEqualTo(1);
        }
    }

    /**
     * The start, during which a warning another provider's first report may settle is not logged, is measured on the
     * monotonic clock: the wall clock stepped an hour forward just after Strata started ended it at once, and the warning
     * of a rack the declared inventory was about to report was logged.
     */
    @Test
    void theStartIsNotEndedByTheClockSteppingForward() {
        directory.close();
        SettableClock clock = SettableClock.at(Instant.parse("2026-12-02T08:00:00Z"));
        AtomicLong ticker = new AtomicLong();
        directory = directory(Duration.ofSeconds(30), Duration.ofMinutes(15), clock, ticker);
        String racked = "power domain fra-1-rack-a01 of node metal:n1 is reported by no provider";
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            directory.register(registration("metal", "1.0", ctx -> compute(1,
                    TestNodes.node("metal:n1", "metal", "n1").toBuilder().powerDomainId("fra-1-rack-a01").build())));
            clock.advance(Duration.ofHours(1));
            assertThat(directory.refresh("metal", WAIT).warnings()).as("shown from the first merge").anyMatch(w -> w.startsWith(racked));
            directory.refresh("metal", WAIT);
            assertThat(log.text()).as("just after the start, the clock an hour on").doesNotContain(racked);

            ticker.addAndGet(Duration.ofSeconds(31).toNanos());
            directory.refresh("metal", WAIT);
            assertThat(count(log.text(), racked)).as("outlasted the start: logged once").isEqualTo(1);
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static String printed(Throwable t) {
        java.io.StringWriter out = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }

    @Test
    void aSiteConflictIsInTheStatusOfBothProviders() {
        Site fraDe = Site.builder().id("fra-1").providerId("declared").country("DE").jurisdictions(Set.of("EU", "DE")).build();
        Site fraFr = Site.builder().id("fra-1").providerId("other").country("FR").build();
        directory.register(registration("declared", "1.0", ctx -> ComputeSnapshot.builder(1, Instant.now()).sites(List.of(fraDe)).build()));
        directory.register(registration("other", "1.0", ctx -> ComputeSnapshot.builder(1, Instant.now()).sites(List.of(fraFr)).build()));
        directory.refresh("declared", WAIT);
        directory.refresh("other", WAIT);

        String conflict = "conflict: site fra-1 country is DE for declared but FR for other; keeping declared's";
        assertThat(directory.status("declared").orElseThrow().warnings()).containsExactly(conflict);
        assertThat(directory.status("other").orElseThrow().warnings()).containsExactly(conflict);
        assertThat(directory.inventory().site("fra-1").orElseThrow().country()).isEqualTo("DE");
    }

    /**
     * A provider whose snapshot lists one node twice (nothing in the API forbids it) is told so, and
     * every other provider's discovery is still merged. Before, the merge's conflict warning named
     * the provider twice in {@code Set.of}, which throws: every later merge threw, and no provider's
     * discovery reached the inventory any more.
     */
    @Test
    void aProviderThatReportsOneNodeTwiceDoesNotBreakTheInventoryForTheOthers() {
        Node twice = node("dup-1", "dup", "h");
        directory.register(registration("dup", "1", ctx -> compute(1, twice, twice)));
        assertThat(directory.refresh("dup", WAIT).warnings()).containsExactly("conflict: node dup-1 is listed twice by dup; keeping the first");
        assertThat(directory.status("dup").orElseThrow().resources()).as("the node kept, counted once").isEqualTo(1);

        directory.register(registration("good", "1", ctx -> compute(1, node("g1", "good", "g"))));
        assertThat(directory.refresh("good", WAIT).state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(directory.inventory().node("g1")).isPresent();
        assertThat(directory.inventory().node("dup-1")).isPresent();
    }

    @Test
    void gpuProviderWithoutDevicesIsUnavailableNotFailed() {
        directory.register(new Registration("nvidia", "nvidia", "1.0", "b", serviceIds.incrementAndGet(), Capability.GPU,
                ctx -> GpuSnapshot.builder(1, Instant.now()).hostname("h").unavailableReason("no NVML and no nvidia-smi").build()));
        ProviderStatus status = directory.refresh("nvidia", WAIT);
        assertThat(status.state()).isEqualTo(ProviderState.UNAVAILABLE);
        assertThat(status.message()).isEqualTo("no NVML and no nvidia-smi");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
