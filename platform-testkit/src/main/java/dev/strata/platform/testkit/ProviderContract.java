package dev.strata.platform.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.platform.api.provider.DiscoveryContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every discovery SPI promises, as tests: the base of {@link ComputeProviderContract},
 * {@link GpuProviderContract}, {@link FabricProviderContract} and {@link StorageProviderContract}.
 * A provider's test extends the contract of each SPI it implements and supplies the provider;
 * every test here, and those of {@link SpiContract}, then runs against it.
 *
 * <p>The obligations checked here, from the SPI Javadoc ({@link dev.strata.platform.api.provider.ComputeProvider}),
 * in addition to those of {@link SpiContract} (deadline, interruption, portable exceptions, builders):
 * <ul>
 * <li>generations strictly increase across calls, and across a new instance of the provider (a new
 *     bundle version continues where the old one stopped);</li>
 * <li>ids are stable across calls and across instances;</li>
 * <li>snapshots are complete: everything a resource refers to is in the same snapshot (per SPI; a
 *     node's power domain may be one another provider reports);</li>
 * <li>concurrent calls are safe: they all succeed, agree, and get distinct generations.</li>
 * </ul>
 *
 * <p>A new discovery SPI gets its contract the same way: extend this class with the SPI type and
 * its snapshot type and implement {@link #discover}, {@link #generation}, {@link #ids} and
 * {@link #assertComplete}. An SPI that is not a discovery (provisioning) extends {@link SpiContract}
 * directly, as {@link ProvisioningProviderContract} does.
 *
 * @param <P> the provider type
 * @param <S> the snapshot its discovery returns
 */
public abstract class ProviderContract<P, S> extends SpiContract<P> {

    /** Calls the SPI's discovery method. */
    protected abstract S discover(P provider, DiscoveryContext context);

    /** The snapshot's generation. */
    protected abstract long generation(S snapshot);

    /** The ids of the resources the snapshot holds (nodes, accelerators, fabrics, pools). */
    protected abstract Set<String> ids(S snapshot);

    /** Fails unless everything the snapshot's resources refer to is in the snapshot. */
    protected abstract void assertComplete(S snapshot);

    @Override
    protected final Object probe(P provider, DiscoveryContext context) {
        return discover(provider, context);
    }

    /** A discovery with {@link #callTimeout()} that must succeed and return a snapshot. */
    protected final S discover(P provider) {
        DiscoveryContext context = context();
        String what = "discovery " + context.operationId();
        return succeeding(what, () -> withinDeadline(what, context, () -> discover(provider, context)));
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void brokenProviderAnswered(Object result) {
        assertComplete((S) result); // a provider may report a broken source as data; then it must still be whole
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
        releaseNow(first);
        P second = newProvider();
        long after = generation(discover(second));
        assertTrue(after > before, "a new instance's first generation " + after + " is not greater than the old one's last " + before
                + ": a new bundle version would go backwards");
    }

    @Test
    public void snapshotsAreComplete() throws Exception {
        S snapshot = discover(newProvider());
        assertNotNull(snapshot);
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
}
