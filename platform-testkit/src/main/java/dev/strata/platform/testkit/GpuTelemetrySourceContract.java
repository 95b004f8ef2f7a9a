package dev.strata.platform.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.GpuTelemetrySource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link GpuTelemetrySource}, as its Javadoc states it:
 * <ul>
 * <li>{@code latest()} is never null, holds no null, at most one sample per accelerator, and for
 *     each accelerator that has samples its newest one (the last that {@code recent} answers); it
 *     holds samples only of the accelerators the source covers, so a sample of one that
 *     {@link #acceleratorIds()} does not name is its newest too, and one of an accelerator whose
 *     {@code recent} keeps nothing (one the source does not cover) breaks the promise;</li>
 * <li>{@code recent(id, limit)} answers samples of that accelerator, oldest first, at most
 *     {@code limit}, the newest ones kept ({@code recent(id, Integer.MAX_VALUE)} is every sample
 *     kept, on which the default {@code since} relies), no null among them; an accelerator the
 *     source does not cover has an empty list, not an exception;</li>
 * <li>{@code recent} with a limit of 0 or less answers an empty list, not an exception, as for
 *     {@code since}; the NVIDIA provider and the core's merged view ({@code Telemetry}) answer so
 *     for both;</li>
 * <li>{@code since(id, from, limit)} answers the samples kept taken at or after {@code from},
 *     oldest first, at most {@code limit}, the oldest such first: none for a limit of 0 or less,
 *     from the oldest kept where {@code from} is before it, a sample taken at {@code from} itself
 *     included, none where {@code from} is after the newest, never one taken before {@code from};
 *     and {@link NullPointerException} for a null id or a null {@code from};</li>
 * <li>walking a whole history page by page with {@code since}, as its Javadoc describes (asking
 *     again from the instant of the last sample answered, leaving out those already had at that
 *     instant, until a page holds fewer than the limit), reassembles exactly what
 *     {@code recent(id, Integer.MAX_VALUE)} answers; the kit walks with small limits, so that
 *     pages end inside runs of samples taken at one instant where the source has any;</li>
 * <li>every call answers within {@link #callBound()}: a source serves from what its sampler last
 *     read and never blocks on the device. Each call is made on a thread of its own; one that has
 *     not answered by then fails its test, saying the source hangs, rather than hang the build.</li>
 * </ul>
 *
 * <p>The source under test must hold still: {@link #createSource()} supplies one that has already
 * sampled and takes no sample while a test runs (its sampler stopped or paused, or samples recorded
 * by the test itself). The kit compares answers of calls made one after the other, which a sample
 * taken between them would change; a live source would make it fail at random. Where two readings
 * of the whole history, one before a test's comparisons and one after, differ, the test fails
 * saying that the source sampled meanwhile, not that it broke a promise.
 *
 * <p>A source's test extends this class and supplies the source and the accelerators to look at.
 * The kit asks a page from every instant kept, so a history of tens to a few hundred samples per
 * accelerator suits it best.
 *
 * @param <S> the source type
 */
public abstract class GpuTelemetrySourceContract<S extends GpuTelemetrySource> {

    private static final AtomicInteger CALLS = new AtomicInteger();

    private final List<S> created = new ArrayList<>();

    // ---- what a source's test supplies -----------------------------------------------------

    /**
     * A new source that has sampled already, holding at least {@link #minimumSamples()} samples of
     * at least one accelerator of {@link #acceleratorIds()}, and that takes no more while the test
     * runs (see the class comment). Called once per test.
     */
    protected abstract S createSource() throws Exception;

    /**
     * The accelerators whose samples the kit reads (those the source covers; an empty history is
     * read too). It need not name every accelerator the source covers: a sample {@code latest()}
     * answers of another is compared with what {@code recent} keeps of it.
     */
    protected abstract Collection<String> acceleratorIds();

    /** How many samples at least one accelerator of {@link #acceleratorIds()} must hold; 6 unless overridden. */
    protected int minimumSamples() {
        return 6;
    }

    /** An accelerator id the source does not cover. */
    protected String unknownAcceleratorId() {
        return "testkit-no-such-accelerator";
    }

    /** How long any call may take to answer: it serves from memory. 2 s unless overridden. */
    protected Duration callBound() {
        return Duration.ofSeconds(2);
    }

    /** Releases a source the kit created; the default closes it when it is {@link AutoCloseable}. */
    protected void release(S source) throws Exception {
        if (source instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** A new source, released after the test. */
    protected final S newSource() throws Exception {
        S source = createSource();
        assertNotNull(source, "createSource() returned null");
        created.add(source);
        return source;
    }

    @AfterEach
    public final void releaseSources() throws Exception {
        List<S> all = new ArrayList<>(created);
        created.clear();
        for (S source : all) {
            release(source);
        }
    }

    /**
     * Runs a call of the source on a thread of its own and waits {@link #callBound()} for it: a call
     * that has not answered by then fails the test, naming it. What the call returns or throws is
     * returned or thrown here; a null answer fails the test.
     */
    protected final <T> T answer(String what, Supplier<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                result.complete(call.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, "testkit-telemetry-" + CALLS.incrementAndGet());
        caller.setDaemon(true);
        caller.start();
        T answered;
        try {
            answered = result.get(callBound().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            caller.interrupt();
            throw new AssertionError("the source hangs: " + what + " had not answered within " + callBound().toMillis()
                    + " ms; a telemetry source serves from what its sampler last read and never blocks on the device");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new AssertionError(what + " threw " + cause, cause);
        } catch (InterruptedException e) {
            caller.interrupt();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        }
        assertNotNull(answered, what + " returned null; it answers an empty list where it has nothing");
        return answered;
    }

    /** {@code recent(id, limit)}, bounded, its answer checked for nulls and copied. */
    protected final List<GpuSample> recent(S source, String id, int limit) {
        String what = "recent(" + id + ", " + limit + ")";
        List<GpuSample> samples = answer(what, () -> source.recent(id, limit));
        assertNoNull(samples, what);
        return List.copyOf(samples);
    }

    /** {@code since(id, from, limit)}, bounded, its answer checked for nulls and copied. */
    protected final List<GpuSample> since(S source, String id, Instant from, int limit) {
        String what = "since(" + id + ", " + from + ", " + limit + ")";
        List<GpuSample> samples = answer(what, () -> source.since(id, from, limit));
        assertNoNull(samples, what);
        return List.copyOf(samples);
    }

    /** Every sample kept of an accelerator ({@code recent(id, Integer.MAX_VALUE)}), checked to be oldest first. */
    private List<GpuSample> kept(S source, String id) {
        List<GpuSample> all = recent(source, id, Integer.MAX_VALUE);
        assertOldestFirstOf(all, id, "recent(" + id + ", Integer.MAX_VALUE)");
        return all;
    }

    /** Every sample kept of each accelerator of {@link #acceleratorIds()}, after checking that one holds enough. */
    private Map<String, List<GpuSample>> history(S source) {
        Collection<String> ids = acceleratorIds();
        assertTrue(ids != null && !ids.isEmpty(), "acceleratorIds() names no accelerator to read");
        Map<String, List<GpuSample>> history = new LinkedHashMap<>();
        int most = 0;
        for (String id : ids) {
            List<GpuSample> all = kept(source, id);
            history.put(id, all);
            most = Math.max(most, all.size());
        }
        if (most < minimumSamples()) {
            fail("the source supplied holds " + most + " sample(s) of its most sampled accelerator of " + ids + "; createSource() "
                    + "must return a source that has sampled at least minimumSamples() = " + minimumSamples()
                    + " times, or the kit has too little to check");
        }
        return history;
    }

    /** Fails where the whole history changed since it was read: the source sampled while the test compared its answers. */
    private void assertStill(S source, Map<String, List<GpuSample>> before) {
        for (Map.Entry<String, List<GpuSample>> e : before.entrySet()) {
            List<GpuSample> now = recent(source, e.getKey(), Integer.MAX_VALUE);
            if (!now.equals(e.getValue())) {
                fail("the source took samples of " + e.getKey() + " while the test compared its answers (" + e.getValue().size()
                        + " kept before, " + now.size() + " after, the newest then at " + newest(e.getValue()) + ", now at "
                        + newest(now) + "); createSource() must return a source whose sampler is stopped or paused");
            }
        }
    }

    /**
     * Runs a test's comparisons, then checks that the history did not change meanwhile: where it
     * did, the test fails saying so (whatever a comparison found, which a sample taken between two
     * calls explains), not that the source broke a promise.
     */
    private void stillWhile(S source, Map<String, List<GpuSample>> history, Runnable comparisons) {
        try {
            comparisons.run();
        } catch (AssertionError e) {
            try {
                assertStill(source, history);
            } catch (AssertionError moved) {
                moved.addSuppressed(e);
                throw moved;
            }
            throw e;
        }
        assertStill(source, history);
    }

    private static Instant newest(List<GpuSample> samples) {
        return samples.isEmpty() ? null : samples.get(samples.size() - 1).at();
    }

    private static void assertNoNull(List<GpuSample> samples, String what) {
        for (int i = 0; i < samples.size(); i++) {
            if (samples.get(i) == null) {
                fail(what + " answered null as sample " + (i + 1) + " of " + samples.size() + "; a source answers samples, never null");
            }
        }
    }

    private static void assertOldestFirstOf(List<GpuSample> samples, String id, String what) {
        for (int i = 0; i < samples.size(); i++) {
            GpuSample s = samples.get(i);
            assertEquals(id, s.acceleratorId(), what + " answered, as sample " + (i + 1) + ", one of another accelerator");
            if (i > 0 && s.at().isBefore(samples.get(i - 1).at())) {
                fail(what + " is not oldest first: sample " + (i + 1) + " was taken at " + s.at() + ", before sample " + i + " at "
                        + samples.get(i - 1).at());
            }
        }
    }

    private static void assertAtMost(List<GpuSample> samples, int limit, String what) {
        if (samples.size() > Math.max(0, limit)) {
            fail(what + " answered " + samples.size() + " samples; expected at most " + Math.max(0, limit)
                    + (limit <= 0 ? " (none for a limit of 0 or less)" : ""));
        }
    }

    /** The samples of {@code all} taken at or after {@code from}, at most {@code limit}, oldest first: what since answers. */
    private static List<GpuSample> expectedSince(List<GpuSample> all, Instant from, int limit) {
        return all.stream().filter(s -> !s.at().isBefore(from)).limit(Math.max(0, limit)).toList();
    }

    /** The distinct instants of a history, oldest first. */
    private static List<Instant> instants(List<GpuSample> all) {
        List<Instant> instants = new ArrayList<>();
        for (GpuSample s : all) {
            if (instants.isEmpty() || !instants.get(instants.size() - 1).equals(s.at())) {
                instants.add(s.at());
            }
        }
        return instants;
    }

    /** The most samples a history holds taken at one instant. */
    private static int longestRun(List<GpuSample> all) {
        int longest = 0;
        int run = 0;
        for (int i = 0; i < all.size(); i++) {
            run = i > 0 && all.get(i).at().equals(all.get(i - 1).at()) ? run + 1 : 1;
            longest = Math.max(longest, run);
        }
        return longest;
    }

    // ---- the obligations -----------------------------------------------------------------------

    @Test
    public void latestHoldsTheNewestSampleOfEachAcceleratorOnce() throws Exception {
        S source = newSource();
        Map<String, List<GpuSample>> history = history(source);
        stillWhile(source, history, () -> {
            List<GpuSample> latest = answer("latest()", source::latest);
            assertNoNull(latest, "latest()");
            Map<String, GpuSample> byId = new LinkedHashMap<>();
            for (GpuSample s : latest) {
                if (byId.put(s.acceleratorId(), s) != null) {
                    fail("latest() answered two samples of " + s.acceleratorId() + "; it answers the latest sample of each accelerator, once");
                }
            }
            for (Map.Entry<String, List<GpuSample>> e : history.entrySet()) {
                List<GpuSample> all = e.getValue();
                if (all.isEmpty()) {
                    // latest() answers the newest sample each accelerator's history keeps: of one with none, it answers none
                    assertTrue(!byId.containsKey(e.getKey()), "latest() answered a sample of " + e.getKey() + ", taken at "
                            + (byId.containsKey(e.getKey()) ? byId.get(e.getKey()).at() : null) + ", of which recent(" + e.getKey()
                            + ", Integer.MAX_VALUE) keeps none; latest() answers the newest sample recent keeps of each accelerator,"
                            + " and none of one without samples");
                    continue;
                }
                GpuSample newest = all.get(all.size() - 1);
                assertTrue(byId.containsKey(e.getKey()), "latest() holds no sample of " + e.getKey() + ", of which recent keeps " + all.size());
                assertEquals(newest, byId.get(e.getKey()), "latest() answered a sample of " + e.getKey()
                        + " other than its newest, the last recent(" + e.getKey() + ", Integer.MAX_VALUE) answers");
            }
            // latest() answers samples of the accelerators the source covers alone: one acceleratorIds() leaves out is read too
            for (Map.Entry<String, GpuSample> e : byId.entrySet()) {
                if (history.containsKey(e.getKey())) {
                    continue;
                }
                List<GpuSample> all = kept(source, e.getKey());
                if (all.isEmpty()) {
                    fail("latest() answered a sample of " + e.getKey() + ", taken at " + e.getValue().at() + ", an accelerator that "
                            + "acceleratorIds() does not name and of which recent(" + e.getKey() + ", Integer.MAX_VALUE) keeps none; "
                            + "latest() answers samples only of the accelerators the source covers, each the newest recent keeps");
                }
                assertEquals(all.get(all.size() - 1), e.getValue(), "latest() answered a sample of " + e.getKey() + " (which "
                        + "acceleratorIds() does not name) other than its newest, the last recent(" + e.getKey()
                        + ", Integer.MAX_VALUE) answers");
            }
        });
    }

    @Test
    public void recentIsOldestFirstTheNewestAndAtMostTheLimit() throws Exception {
        S source = newSource();
        Map<String, List<GpuSample>> history = history(source);
        stillWhile(source, history, () -> {
            for (Map.Entry<String, List<GpuSample>> e : history.entrySet()) {
                String id = e.getKey();
                List<GpuSample> all = e.getValue();
                Set<Integer> limits = new java.util.TreeSet<>(List.of(1, 2, 3, Math.max(1, all.size() - 1), Math.max(1, all.size()),
                        all.size() + 1));
                for (int limit : limits) {
                    String what = "recent(" + id + ", " + limit + ")";
                    List<GpuSample> page = recent(source, id, limit);
                    assertOldestFirstOf(page, id, what);
                    assertAtMost(page, limit, what);
                    assertEquals(all.subList(all.size() - page.size(), all.size()), page, what + " answered samples other than the newest "
                            + page.size() + " of the " + all.size() + " that recent(" + id + ", Integer.MAX_VALUE) answers");
                }
            }
        });
    }

    @Test
    public void recentAnswersNoneForALimitOfZeroOrLess() throws Exception {
        S source = newSource();
        Map<String, List<GpuSample>> history = history(source);
        for (String id : history.keySet()) {
            for (int limit : new int[] {0, -1, Integer.MIN_VALUE}) {
                assertAtMost(recent(source, id, limit), limit, "recent(" + id + ", " + limit + ")");
            }
        }
    }

    @Test
    public void anUnknownAcceleratorHasNoSamples() throws Exception {
        S source = newSource();
        history(source);
        String unknown = unknownAcceleratorId();
        assertEquals(List.of(), recent(source, unknown, 10), "recent(" + unknown + ", 10) of an accelerator the source does not cover");
        assertEquals(List.of(), since(source, unknown, Instant.EPOCH, 10),
                "since(" + unknown + ", " + Instant.EPOCH + ", 10) of an accelerator the source does not cover");
        List<GpuSample> latest = answer("latest()", source::latest);
        assertTrue(latest.stream().noneMatch(s -> s != null && unknown.equals(s.acceleratorId())),
                "latest() holds a sample of " + unknown + ", which the source does not cover");
    }

    @Test
    public void sinceAnswersNoneForALimitOfZeroOrLess() throws Exception {
        S source = newSource();
        Map<String, List<GpuSample>> history = history(source);
        for (Map.Entry<String, List<GpuSample>> e : history.entrySet()) {
            Instant from = e.getValue().isEmpty() ? Instant.EPOCH : e.getValue().get(0).at();
            for (int limit : new int[] {0, -1, Integer.MIN_VALUE}) {
                assertAtMost(since(source, e.getKey(), from, limit), limit, "since(" + e.getKey() + ", " + from + ", " + limit + ")");
            }
        }
    }

    @Test
    public void sinceIsOldestFirstAndAtMostTheLimit() throws Exception {
        S source = newSource();
        Map<String, List<GpuSample>> history = history(source);
        stillWhile(source, history, () -> {
            for (Map.Entry<String, List<GpuSample>> e : history.entrySet()) {
                String id = e.getKey();
                List<GpuSample> all = e.getValue();
                for (Instant from : instants(all)) {
                    for (int limit : new int[] {1, 2, 3, all.size()}) {
                        String what = "since(" + id + ", " + from + ", " + limit + ")";
                        List<GpuSample> page = since(source, id, from, limit);
                        assertOldestFirstOf(page, id, what);
                        assertAtMost(page, limit, what);
                    }
                }
            }
        });
    }

    @Test
    public void sinceFromBeforeTheOldestKeptStartsAtTheOldest() throws Exception {
        S source = newSource();
        Map<String, List<GpuSample>> history = history(source);
        stillWhile(source, history, () -> {
            for (Map.Entry<String, List<GpuSample>> e : history.entrySet()) {
                List<GpuSample> all = e.getValue();
                if (all.isEmpty()) {
                    continue;
                }
                Instant before = all.get(0).at().minusSeconds(1);
                for (int limit : new int[] {1, 2, 3, all.size(), Integer.MAX_VALUE}) {
                    assertEquals(expectedSince(all, before, limit), since(source, e.getKey(), before, limit), "since(" + e.getKey() + ", "
                            + before + ", " + limit + "), a second before the oldest sample kept, must answer from the oldest on");
                }
            }
        });
    }

    @Test
    public void sinceFromASamplesOwnInstantIncludesIt() throws Exception {
        S source = newSource();
        Map<String, List<GpuSample>> history = history(source);
        stillWhile(source, history, () -> {
            for (Map.Entry<String, List<GpuSample>> e : history.entrySet()) {
                List<GpuSample> all = e.getValue();
                for (Instant from : instants(all)) {
                    for (int limit : new int[] {1, 2, 3, all.size()}) {
                        List<GpuSample> page = since(source, e.getKey(), from, limit);
                        assertEquals(expectedSince(all, from, limit), page, "since(" + e.getKey() + ", " + from + ", " + limit
                                + "), at the instant of a sample kept, must answer from the first sample taken at that instant on, "
                                + "it included, oldest first, as many as the limit allows");
                    }
                }
            }
        });
    }

    @Test
    public void sinceAnswersNoSampleTakenBeforeFrom() throws Exception {
        S source = newSource();
        Map<String, List<GpuSample>> history = history(source);
        stillWhile(source, history, () -> {
            for (Map.Entry<String, List<GpuSample>> e : history.entrySet()) {
                List<GpuSample> all = e.getValue();
                List<Instant> froms = new ArrayList<>();
                for (Instant at : instants(all)) {
                    froms.add(at);
                    froms.add(at.plusNanos(1));
                }
                for (Instant from : froms) {
                    for (int limit : new int[] {1, 3, Integer.MAX_VALUE}) {
                        List<GpuSample> page = since(source, e.getKey(), from, limit);
                        for (GpuSample s : page) {
                            if (s.at().isBefore(from)) {
                                fail("since(" + e.getKey() + ", " + from + ", " + limit + ") answered a sample taken at " + s.at()
                                        + ", before from; it answers only samples taken at or after from");
                            }
                        }
                    }
                }
            }
        });
    }

    @Test
    public void sinceFromAfterTheNewestAnswersNone() throws Exception {
        S source = newSource();
        Map<String, List<GpuSample>> history = history(source);
        stillWhile(source, history, () -> {
            for (Map.Entry<String, List<GpuSample>> e : history.entrySet()) {
                List<GpuSample> all = e.getValue();
                if (all.isEmpty()) {
                    continue;
                }
                Instant newest = all.get(all.size() - 1).at();
                for (Instant after : List.of(newest.plusNanos(1), newest.plusSeconds(3600))) {
                    assertEquals(List.of(), since(source, e.getKey(), after, 10), "since(" + e.getKey() + ", " + after
                            + ", 10), after the newest sample kept (taken at " + newest + ")");
                }
            }
        });
    }

    @Test
    public void sinceThrowsNullPointerExceptionForANullIdOrFrom() throws Exception {
        S source = newSource();
        Map<String, List<GpuSample>> history = history(source);
        String id = history.keySet().iterator().next();
        assertThrowsNullPointerException("since(null, " + Instant.EPOCH + ", 10)", () -> source.since(null, Instant.EPOCH, 10));
        assertThrowsNullPointerException("since(" + id + ", null, 10)", () -> source.since(id, null, 10));
    }

    /** Fails unless the call throws {@link NullPointerException}; a call that hangs fails as such, not as a wrong exception. */
    private void assertThrowsNullPointerException(String what, Supplier<List<GpuSample>> call) {
        List<GpuSample> answered;
        try {
            answered = answer(what, call);
        } catch (NullPointerException expected) {
            return;
        } catch (RuntimeException other) {
            throw new AssertionError(what + " threw " + other + "; expected NullPointerException", other);
        }
        fail(what + " answered " + answered.size() + " samples; expected NullPointerException, as the SPI says");
    }

    /**
     * Walks each accelerator's whole history page by page, as the verifier does, with the smallest
     * limits that can pass every instant (one, two and three more than the most samples taken at
     * one instant: a page of fewer could not get past that instant, since it asks again from it),
     * so that pages end inside runs of samples taken at one instant; and with a limit of the whole
     * history. Each walk must give back exactly what {@code recent(id, Integer.MAX_VALUE)} answers.
     */
    @Test
    public void walkingTheHistoryPageByPageWithSinceReassemblesRecent() throws Exception {
        S source = newSource();
        Map<String, List<GpuSample>> history = history(source);
        stillWhile(source, history, () -> {
            for (Map.Entry<String, List<GpuSample>> e : history.entrySet()) {
                List<GpuSample> all = e.getValue();
                if (all.isEmpty()) {
                    continue;
                }
                int run = longestRun(all);
                Set<Integer> limits = new java.util.TreeSet<>(List.of(run + 1, run + 2, run + 3, all.size()));
                for (int limit : limits) {
                    List<GpuSample> walked = walk(source, e.getKey(), all, limit);
                    assertEquals(all, walked, "walking " + e.getKey() + "'s history with since, " + limit + " at a time from its oldest "
                            + "sample, gave " + walked.size() + " samples other than the " + all.size() + " recent(" + e.getKey()
                            + ", Integer.MAX_VALUE) answers");
                }
            }
        });
    }

    /** One walk, as {@link GpuTelemetrySource#since} describes it, failing where it cannot end. */
    private List<GpuSample> walk(S source, String id, List<GpuSample> all, int limit) {
        List<GpuSample> walked = new ArrayList<>();
        Instant from = all.get(0).at();
        int had = 0; // samples taken at from that an earlier page answered
        for (int pages = 1; ; pages++) {
            String what = "since(" + id + ", " + from + ", " + limit + ")";
            List<GpuSample> page = since(source, id, from, limit);
            assertAtMost(page, limit, what);
            int skipped = 0;
            int added = 0;
            for (GpuSample s : page) {
                if (s.at().equals(from) && skipped < had) {
                    skipped++;
                } else {
                    walked.add(s);
                    added++;
                }
            }
            if (page.size() < limit) {
                return walked;
            }
            if (added == 0 || walked.size() > all.size() || pages > all.size()) {
                fail("walking " + id + "'s history with since, " + limit + " at a time, does not end: page " + pages + " (" + what
                        + ") held " + page.size() + " samples, " + added + " of them new, " + walked.size() + " read in all of the "
                        + all.size() + " kept; a page from an instant answers the samples taken at or after it, oldest first");
            }
            Instant last = page.get(page.size() - 1).at();
            had = (int) walked.stream().filter(s -> s.at().equals(last)).count();
            from = last;
        }
    }

    /** Every call of the SPI, for each accelerator, answers within {@link #callBound()}. */
    @Test
    public void everyCallAnswersWithinItsBound() throws Exception {
        S source = newSource();
        Map<String, List<GpuSample>> history = history(source);
        answer("latest()", source::latest);
        for (String id : history.keySet()) {
            recent(source, id, 1);
            since(source, id, Instant.EPOCH, 1);
        }
        recent(source, unknownAcceleratorId(), 1);
        since(source, unknownAcceleratorId(), Instant.EPOCH, 1);
    }
}
