package dev.strata.platform.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every provider SPI promises, as tests: the base of the per-SPI contracts
 * ({@link ComputeProviderContract}, {@link GpuProviderContract}, {@link FabricProviderContract},
 * {@link StorageProviderContract}). A provider's test extends the contract of each SPI it
 * implements and supplies the provider; every test here then runs against it.
 *
 * <p>The obligations checked, from the SPI Javadoc ({@link dev.strata.platform.api.provider.ComputeProvider}):
 * <ul>
 * <li>generations strictly increase across calls, and across a new instance of the provider (a new
 *     bundle version continues where the old one stopped);</li>
 * <li>the deadline is honoured: called with no time left, the provider throws
 *     {@link ProviderTimeoutException} promptly;</li>
 * <li>thread interruption is honoured: called on an interrupted thread, or interrupted while it
 *     runs, it throws {@link ProviderTimeoutException} promptly;</li>
 * <li>only {@link StrataException}s leave it, for every call here and for a provider whose source
 *     is broken ({@link #createBrokenProvider()});</li>
 * <li>ids are stable across calls and across instances;</li>
 * <li>snapshots are complete: everything a resource refers to is in the same snapshot (per SPI);</li>
 * <li>concurrent calls are safe: they all succeed, agree, and get distinct generations;</li>
 * <li>the provider makes the model records that have builders ({@code Node}, {@code Accelerator},
 *     the snapshots, ...) with their builders, never their canonical constructors, so that a field
 *     added in a minor release of the API does not break it.</li>
 * </ul>
 *
 * <p>A new SPI gets its contract the same way: extend this class with the SPI type and its
 * snapshot type, and implement {@link #discover}, {@link #generation}, {@link #ids} and
 * {@link #assertComplete}; the obligations above then apply to it unchanged, and the SPI's own
 * obligations are added as {@code @Test} methods of the new class.
 *
 * <p>Tests run one provider instance at a time unless they say otherwise; every instance the kit
 * creates is {@linkplain #release released} after the test.
 *
 * @param <P> the provider type
 * @param <S> the snapshot its discovery returns
 */
public abstract class ProviderContract<P, S> {

    private final List<P> created = Collections.synchronizedList(new ArrayList<>());

    // ---- what a provider's test supplies -----------------------------------------------------

    /**
     * A new, ready provider instance, as its component would be activated. Called once or more per
     * test; two instances must behave as two versions of the bundle would (same ids).
     */
    protected abstract P createProvider() throws Exception;

    /** The provider id its resources carry ({@link dev.strata.platform.api.provider.ProviderProperties#ID}). */
    protected abstract String providerId();

    /**
     * A provider whose source is broken (an unreachable endpoint, a missing directory, refused
     * credentials), to check that its failure leaves as a {@link StrataException}. Empty (the
     * default) skips that check; a provider that cannot fail that way says so by returning empty.
     */
    protected Optional<P> createBrokenProvider() throws Exception {
        return Optional.empty();
    }

    /** Deactivates an instance the kit created; the default closes it when it is {@link AutoCloseable}. */
    protected void release(P provider) throws Exception {
        if (provider instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /** The deadline given to calls expected to succeed. */
    protected Duration callTimeout() {
        return Duration.ofSeconds(30);
    }

    /** How soon a provider must give up once its deadline has passed or it was interrupted. */
    protected Duration promptly() {
        return Duration.ofSeconds(2);
    }

    // ---- what each SPI's contract implements ---------------------------------------------------

    /** Calls the SPI's discovery method. */
    protected abstract S discover(P provider, DiscoveryContext context);

    /** The snapshot's generation. */
    protected abstract long generation(S snapshot);

    /** The ids of the resources the snapshot holds (nodes, accelerators, fabrics, pools). */
    protected abstract Set<String> ids(S snapshot);

    /** Fails unless everything the snapshot's resources refer to is in the snapshot. */
    protected abstract void assertComplete(S snapshot);

    // ---- helpers for contracts and subclasses ------------------------------------------------

    /** A new provider, released after the test. */
    protected final P newProvider() throws Exception {
        P provider = createProvider();
        assertNotNull(provider, "createProvider() returned null");
        created.add(provider);
        return provider;
    }

    /**
     * Calls the provider with a fresh context, failing the test when anything but a
     * {@link StrataException} leaves it.
     */
    protected final S call(P provider, DiscoveryContext context) {
        try {
            S snapshot = discover(provider, context);
            assertNotNull(snapshot, "the provider returned no snapshot");
            return snapshot;
        } catch (StrataException e) {
            throw e;
        } catch (RuntimeException | Error e) {
            if (e instanceof AssertionError) {
                throw e;
            }
            throw new AssertionError("only StrataExceptions may leave a provider, but " + e.getClass().getName()
                    + " did: " + e.getMessage(), e);
        }
    }

    /** A call with {@link #callTimeout()} that must succeed. */
    protected final S discover(P provider) {
        String operation = "testkit-" + OPERATIONS.incrementAndGet();
        try {
            return call(provider, DiscoveryContext.withTimeout(operation, callTimeout()));
        } catch (StrataException e) {
            throw new AssertionError("discovery " + operation + " failed: " + e, e);
        }
    }

    private static final AtomicInteger OPERATIONS = new AtomicInteger();

    @AfterEach
    public final void releaseProviders() throws Exception {
        List<P> all;
        synchronized (created) {
            all = new ArrayList<>(created);
            created.clear();
        }
        for (P provider : all) {
            release(provider);
        }
        Thread.interrupted(); // never leave the test thread interrupted
    }

    // ---- the obligations ---------------------------------------------------------------------

    @Test
    public void generationsStrictlyIncreaseAcrossCalls() throws Exception {
        P provider = newProvider();
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < 3; i++) {
            long generation = generation(discover(provider));
            assertTrue(generation > previous, "generation " + generation + " of call " + (i + 1) + " is not greater than " + previous);
            previous = generation;
        }
    }

    @Test
    public void generationsStrictlyIncreaseAcrossANewInstance() throws Exception {
        P first = newProvider();
        long before = generation(discover(first));
        release(first);
        created.remove(first);
        P second = newProvider();
        long after = generation(discover(second));
        assertTrue(after > before, "a new instance's first generation " + after + " is not greater than the old one's last " + before
                + ": a new bundle version would go backwards");
    }

    @Test
    public void aCallWithNoTimeLeftFailsPromptlyWithProviderTimeout() throws Exception {
        P provider = newProvider();
        Clock clock = Clock.systemUTC();
        DiscoveryContext expired = new DiscoveryContext("testkit-expired", clock.instant().minusMillis(1), clock);
        assertFailsPromptlyWithTimeout(() -> call(provider, expired), "called with a deadline that had passed");
        DiscoveryContext now = new DiscoveryContext("testkit-now", clock.instant(), clock);
        assertFailsPromptlyWithTimeout(() -> call(provider, now), "called with no time left");
    }

    @Test
    public void anInterruptedCallerFailsPromptlyWithProviderTimeout() throws Exception {
        P provider = newProvider();
        Thread.currentThread().interrupt();
        try {
            assertFailsPromptlyWithTimeout(() -> call(provider, DiscoveryContext.withTimeout("testkit-interrupted", callTimeout())),
                    "called on an interrupted thread");
        } finally {
            Thread.interrupted();
        }
    }

    /**
     * A thread calls the provider again and again; once it is interrupted, it must end within
     * {@link #promptly()}, and it must end with {@link ProviderTimeoutException} (a call may still
     * finish normally if it was past its last check, but the next call must not start).
     */
    @Test
    public void aCallInterruptedWhileItRunsEndsPromptly() throws Exception {
        P provider = newProvider();
        AtomicReference<Throwable> ended = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        Thread caller = new Thread(() -> {
            try {
                while (true) {
                    call(provider, DiscoveryContext.withTimeout("testkit-loop-" + calls.incrementAndGet(), callTimeout()));
                }
            } catch (Throwable t) {
                ended.set(t);
            }
        }, "testkit-interrupted-caller");
        caller.setDaemon(true);
        caller.start();
        Thread.sleep(50);
        long interruptedAt = System.nanoTime();
        caller.interrupt();
        caller.join(promptly().toMillis());
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - interruptedAt);
        if (caller.isAlive()) {
            fail("the provider ignored the interruption: still running " + took + " ms after it");
        }
        assertInstanceOf(ProviderTimeoutException.class, ended.get(),
                "an interrupted provider must end with ProviderTimeoutException, not " + ended.get());
    }

    @Test
    public void onlyStrataExceptionsLeaveABrokenProvider() throws Exception {
        Optional<P> broken = createBrokenProvider();
        org.junit.jupiter.api.Assumptions.assumeTrue(broken.isPresent(),
                "createBrokenProvider() supplies no broken provider: nothing to check");
        created.add(broken.get());
        try {
            S snapshot = call(broken.get(), DiscoveryContext.withTimeout("testkit-broken", callTimeout()));
            assertComplete(snapshot); // a provider may report a broken source as data; then it must still be whole
        } catch (StrataException e) {
            assertNotNull(e.getMessage(), "a StrataException without a message");
            assertFalse(e.getMessage().isBlank(), "a StrataException without a message");
        }
    }

    @Test
    public void snapshotsAreComplete() throws Exception {
        S snapshot = discover(newProvider());
        assertComplete(snapshot);
    }

    @Test
    public void idsAreStableAcrossCallsAndInstances() throws Exception {
        P first = newProvider();
        Set<String> ids = ids(discover(first));
        assertEquals(ids, ids(discover(first)), "ids changed between two calls of one instance");
        Set<String> fromNew = ids(discover(newProvider()));
        assertEquals(new TreeSet<>(ids), new TreeSet<>(fromNew), "a new instance reports other ids for the same source");
    }

    @Test
    public void concurrentCallsAreSafe() throws Exception {
        P provider = newProvider();
        Set<String> expected = ids(discover(provider));
        int threads = 8;
        int callsPerThread = 4;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<S>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    List<S> mine = new ArrayList<>();
                    for (int i = 0; i < callsPerThread; i++) {
                        mine.add(discover(provider));
                    }
                    return mine;
                }));
            }
            Set<Long> generations = new HashSet<>();
            int total = 0;
            for (Future<List<S>> result : results) {
                for (S snapshot : result.get(callTimeout().toMillis() * callsPerThread + 10_000, TimeUnit.MILLISECONDS)) {
                    assertComplete(snapshot);
                    assertEquals(expected, ids(snapshot), "a concurrent call saw other resources");
                    generations.add(generation(snapshot));
                    total++;
                }
            }
            assertEquals(total, generations.size(), "concurrent calls returned the same generation twice");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void theProviderMakesModelRecordsWithTheirBuilders() throws Exception {
        P provider = newProvider();
        List<String> calls = ConstructorCalls.of(provider.getClass());
        assertTrue(calls.isEmpty(), "the provider calls constructors of records that have builders; use the builders "
                + "(a field added in a minor release changes these constructors): " + calls);
    }

    private void assertFailsPromptlyWithTimeout(Runnable call, String how) {
        Instant start = Instant.now();
        try {
            call.run();
            fail("the provider " + how + " returned a snapshot instead of throwing ProviderTimeoutException");
        } catch (ProviderTimeoutException expected) {
            Duration took = Duration.between(start, Instant.now());
            assertTrue(took.compareTo(promptly()) <= 0, "the provider " + how + " took " + took.toMillis()
                    + " ms to give up; expected at most " + promptly().toMillis() + " ms");
            assertNotNull(expected.getMessage(), "ProviderTimeoutException without a message");
        } catch (StrataException other) {
            fail("the provider " + how + " threw " + other.getClass().getSimpleName() + " (" + other.getMessage()
                    + "); expected ProviderTimeoutException");
        }
    }
}
