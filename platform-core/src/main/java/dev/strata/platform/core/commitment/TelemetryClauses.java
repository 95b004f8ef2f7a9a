package dev.strata.platform.core.commitment;

import dev.strata.platform.api.commitment.CommitmentStatus;
import dev.strata.platform.api.commitment.Finding;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.Telemetry;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clauses one pass holds to GPU telemetry (uncorrected ECC errors and gaps in the GPU clause, the power ceiling), as
 * {@link CommitmentCheck} documents them, and what the pass reads of the telemetry for them: each GPU's latest sample,
 * its samples within the window, and the instant gaps are judged from. Without telemetry, none of them gives a finding.
 *
 * <p>A late pass (its telemetry calls not all answered in time) does not claim more than it read: a GPU whose samples it
 * could not read is judged as the last pass that could read them judged it ({@link #judgedBy}, {@link #meanPower}), with
 * the same finding in the same words, for one window from the first pass that could not, where that last pass was the
 * one before it (no longer than {@code interval + telemetryWindow} before: {@link CommitmentSettings#latePassReach});
 * otherwise, and after that, what is not known is said to be unchecked, AT_RISK. Nothing reads better than what was last
 * verified: a member over its ceiling stays BREACHED, a GPU reporting ECC errors AT_RISK, and one late pass records no
 * change either way.
 */
final class TelemetryClauses {

    /**
     * The samples of one GPU a pass asks for at a time ({@link Telemetry#since}): it walks a GPU's window a page at a
     * time, keeping running sums, so that it holds at most one page of a GPU's samples whatever the window holds.
     */
    static final int PAGE = 1000;
    /**
     * The most samples of one GPU a mean covers (as many as a source such as the NVIDIA provider keeps at most). Where the
     * window holds more, the mean of the latest this many does not judge the window: the ceiling is unchecked, AT_RISK,
     * unless breached, the evidence then naming the samples the mean covers ({@link #powerCeiling}). Such a window is
     * walked twice, the second time leaving out all but the latest this many; how much a pass reads is bounded by the
     * time its telemetry calls are given together ({@link BoundedTelemetry#forPass}), not by a count.
     */
    static final int MOST_SAMPLES = 100_000;
    /**
     * The most power one GPU's sample may report and count as a measurement: 100 kW, some forty times what the largest
     * accelerator package draws, so that no real reading is left out, while a reading past it (garbled by a vendor's
     * telemetry) is not summed ({@link #reportsPower}); bounded so, the sums of a window cannot overflow.
     */
    static final double MOST_WATTS = 100_000;

    private final Telemetry telemetry;
    /** The latest sample of each GPU, whenever it was taken. */
    private final Map<String, GpuSample> latestSamples = new HashMap<>();
    /**
     * The GPUs some source covers (whenever their latest sample was taken), or covered, where the
     * telemetry given still answers a latest sample of a source gone (the verifier's does,
     * {@link RememberedTelemetry}).
     */
    private final Set<String> covered = new HashSet<>();
    private final Instant now;
    private final Instant windowStart;
    private final Duration window;
    /** The instant gaps are judged from ({@link #gap}): the pass's own, or that of the last pass that could read. */
    private final Instant gapsFrom;
    /**
     * Each GPU's walk as this pass made it ({@link #walk}), made once: a GPU is judged by several clauses (its ECC errors,
     * a gap, a ceiling) and bindings, and each call spends what is left of the pass's telemetry deadline.
     */
    private final Map<String, Walk> walks = new ConcurrentHashMap<>();
    /** The instants the allocations binding each GPU whole were placed at ({@link #placed}): a walk sums the draw since each. */
    private final Map<String, Set<Instant>> placements = new ConcurrentHashMap<>();

    /**
     * @param telemetry the telemetry of every source, or null for none
     * @param now the time of the pass
     * @param window how far back a sample counts
     * @param gapsFrom the instant gaps are judged from: {@code now}, or an earlier one (a later one is taken as {@code now})
     */
    TelemetryClauses(Telemetry telemetry, Instant now, Duration window, Instant gapsFrom) {
        this.telemetry = telemetry;
        this.now = now;
        this.window = window;
        this.windowStart = now.minus(window);
        this.gapsFrom = gapsFrom.isBefore(now) ? gapsFrom : now;
        if (telemetry != null) {
            for (GpuSample sample : telemetry.latestGpuSamples()) {
                covered.add(sample.acceleratorId());
                latestSamples.merge(sample.acceleratorId(), sample, (a, b) -> b.at().isAfter(a.at()) ? b : a);
            }
        }
    }

    private boolean inWindow(Instant at, Instant end) {
        return !at.isBefore(windowStart) && !at.isAfter(end);
    }

    /** Whether telemetry covers or covered a GPU: a source gave a latest sample of it, whenever it was taken. */
    private boolean covered(String acceleratorId) {
        return telemetry != null && covered.contains(acceleratorId);
    }

    /**
     * Says that an allocation binding a GPU whole was placed at {@code since}, before the pass judges it: the GPU's walk
     * sums its draw since then as well ({@link #meanPower}). A draw asked since another instant costs another walk.
     */
    void placed(String acceleratorId, Instant since) {
        if (since != null) {
            placements.computeIfAbsent(acceleratorId, k -> ConcurrentHashMap.newKeySet()).add(since);
        }
    }

    /**
     * A GPU's walk as the pass has it: the pass's own, or where the telemetry given is the verifier's
     * ({@link RememberedTelemetry}) and the pass could not read the GPU's samples, the one the last pass that could made.
     * Made once a pass.
     */
    private Walk read(String acceleratorId) {
        return walks.computeIfAbsent(acceleratorId, id -> {
            Set<Instant> since = new HashSet<>(placements.getOrDefault(id, Set.of()));
            since.add(Instant.MIN);
            Walk walk = walk(id, since);
            if (!(telemetry instanceof RememberedTelemetry.Reading r)) {
                return walk == null ? new Walk(now, null, Map.of(), Map.of()) : walk;
            }
            if (walk != null) {
                r.keep(id, walk);
                return walk;
            }
            Walk before = r.walked(id);
            return before == null ? new Walk(now, null, Map.of(), Map.of()) : before;
        });
    }

    /**
     * What one pass read of a GPU's samples, a page at a time, as sums rather than samples: the instant of the pass that
     * read them ({@code at}), its latest sample at or before that instant within the window, and for each end of a window
     * the pass judges (its own instant, and the earlier one it judges gaps from) and each instant the GPU's draw counts
     * from ({@link #placed}; {@link Instant#MIN} for the whole window), what the GPU drew ({@link Draw}), and for each end
     * how many samples within the window report power, the first and the last ({@code whole}). Kept by the
     * verifier in place of the samples ({@link RememberedTelemetry}), so that a late pass judges the draw as this one did.
     */
    record Walk(Instant at, GpuSample latest, Map<Instant, Map<Instant, Draw>> draws, Map<Instant, Span> whole) {
        /**
         * The draw over the window ending at {@code end} since {@code since}, or null where this walk did not sum it and
         * cannot tell it from the whole window's: it can where every sample reporting power in the window was taken
         * before {@code since} (none of the member's yet) or none was ({@link #whole}: the first and the last of them).
         */
        Draw draw(Instant end, Instant since) {
            Map<Instant, Draw> byEnd = draws.get(end);
            if (byEnd == null) {
                return null;
            }
            Instant from = since == null ? Instant.MIN : since;
            Draw summed = byEnd.get(from);
            Span all = whole.get(end);
            if (summed != null || all == null) {
                return summed != null ? summed : byEnd.get(Instant.MIN); // none reports power: the same since any instant
            }
            if (from.isAfter(all.last())) {
                return new Draw(Optional.empty(), true, null);
            }
            return from.isAfter(all.first()) ? null : byEnd.get(Instant.MIN);
        }
    }

    /** The running sums of one GPU's draw over one window since one instant. */
    private static final class Sum {
        double watts;
        int samples;
        boolean before;
        Instant first;
        Instant last;

        void add(GpuSample s, Instant since) {
            if (s.at().isBefore(since)) {
                before = true;
                return;
            }
            watts += s.powerWatts();
            samples++;
            first = first == null || s.at().isBefore(first) ? s.at() : first;
            last = last == null || s.at().isAfter(last) ? s.at() : last;
        }

        Draw draw(boolean cut) {
            return samples == 0 ? new Draw(Optional.empty(), before, null)
                    : new Draw(Optional.of(new double[] {watts / samples, samples}), false, cut ? new Span(samples, first, last) : null);
        }
    }

    /**
     * Walks a GPU's samples from {@code gapsFrom - window} (the start of the earliest window the pass averages over) to the
     * newest, {@link #PAGE} at a time ({@link Telemetry#since}), each page asked from the instant of the last sample of the
     * one before (those already had at that instant left out), summing the draw of each window and each instant in
     * {@code since}; null where the first page answered none or a page was not answered in time
     * ({@link BoundedTelemetry#UNANSWERED}): the GPU's samples could not be read. Where the walk counted more than
     * {@link #MOST_SAMPLES}, the GPU's means cover only the latest that many (walked again without the others), and say
     * so ({@link Span}); exactly that many are all of them, averaged whole (the NVIDIA provider's largest history, all
     * within the window, was said to hold more, its member AT_RISK every pass).
     *
     * <p>A sample a page answers again at one instant, equal in every field to one already counted (a source repeating
     * it, within a page or at the start of the next), is counted once: counted twice, it weighed twice in the mean. Samples
     * at one instant that differ are each a reading (the NVIDIA provider keeps those its clock stamped alike), so the
     * instant alone does not make a repeat; nor are two sources' samples summed together, a page being one source's.
     */
    private Walk walk(String acceleratorId, Set<Instant> since) {
        Pages read = pages(acceleratorId, since, 0);
        if (read == null || read.count <= MOST_SAMPLES) {
            return read == null ? null : read.walk(false);
        }
        read = pages(acceleratorId, since, read.count - MOST_SAMPLES); // the latest MOST_SAMPLES, as the first walk counted them
        return read == null ? null : read.walk(true);
    }

    /** One walk over a GPU's pages, the first {@code skip} samples counted but not summed; null where they could not be read. */
    private Pages pages(String acceleratorId, Set<Instant> since, long skip) {
        Pages read = new Pages(since);
        Instant from = gapsFrom.minus(window);
        int had = 0; // samples taken at {@code from} that the page before answered
        Instant countedAt = null; // the instant of the latest sample counted, and the samples counted at it (on any page)
        Set<GpuSample> counted = new HashSet<>();
        while (true) {
            List<GpuSample> page = telemetry.since(acceleratorId, from, PAGE);
            if (page == null || page == BoundedTelemetry.UNANSWERED) {
                return null;
            }
            Instant last = null;
            int atLast = 0;
            int atFrom = 0;
            for (GpuSample s : page) {
                if (s == null || !acceleratorId.equals(s.acceleratorId()) || s.at().isBefore(from)) {
                    continue;
                }
                if (last == null || s.at().isAfter(last)) {
                    last = s.at();
                    atLast = 0;
                }
                atLast += s.at().equals(last) ? 1 : 0;
                if (s.at().equals(from) && atFrom++ < had) {
                    continue;
                }
                if (!s.at().equals(countedAt)) {
                    countedAt = s.at();
                    counted.clear();
                }
                if (!counted.add(s)) {
                    continue; // the same sample again (a source repeating it, within a page or at a page's start): counted once
                }
                if (read.count++ >= skip) {
                    read.add(s);
                }
            }
            if (page.size() < PAGE || last == null) {
                return read.count == 0 ? null : read;
            }
            if (last.equals(from) && atLast <= had) {
                // a full page that holds nothing new (a source that does not answer from the instant asked): the walk would
                // never end, and what it read is not the window: the GPU's samples could not be read
                return null;
            }
            // the next page from the last instant answered, those had at it left out; a page all at one instant goes past it
            from = atLast >= PAGE ? last.plusNanos(1) : last;
            had = atLast >= PAGE ? 0 : atLast;
        }
    }

    /** The running sums of one walk ({@link #pages}): how many samples it counted, the latest, and each window's draw. */
    private final class Pages {
        private final Map<Instant, Map<Instant, Sum>> sums = new HashMap<>();
        private long count;
        private GpuSample latest;

        Pages(Set<Instant> since) {
            for (Instant end : gapsFrom.isBefore(now) ? List.of(now, gapsFrom) : List.of(now)) {
                Map<Instant, Sum> bySince = new HashMap<>();
                since.forEach(i -> bySince.put(i, new Sum()));
                sums.put(end, bySince);
            }
        }

        void add(GpuSample s) {
            if (!s.at().isAfter(now) && (latest == null || s.at().isAfter(latest.at()))) {
                latest = s;
            }
            if (!reportsPower(s)) {
                return;
            }
            sums.forEach((end, bySince) -> {
                if (!s.at().isBefore(end.minus(window)) && !s.at().isAfter(end)) {
                    bySince.forEach((since, sum) -> sum.add(s, since));
                }
            });
        }

        Walk walk(boolean cut) {
            Map<Instant, Map<Instant, Draw>> draws = new HashMap<>();
            Map<Instant, Span> whole = new HashMap<>();
            sums.forEach((end, bySince) -> {
                Map<Instant, Draw> d = new HashMap<>();
                bySince.forEach((since, sum) -> d.put(since, sum.draw(cut)));
                draws.put(end, d);
                Sum all = bySince.get(Instant.MIN);
                if (all != null && all.samples > 0) {
                    whole.put(end, new Span(all.samples, all.first, all.last));
                }
            });
            return new Walk(now, latest, draws, whole);
        }
    }

    /**
     * The ECC part of the GPU clause ({@code clause}) for one bound GPU that has not FAILED: the sample it is judged by
     * ({@link #judgedBy}: its latest within the window, or in a late pass the one the last pass that could read had)
     * reports uncorrected ECC errors since its driver loaded, AT_RISK.
     */
    void eccErrors(List<Finding> out, String member, String clause, String id, Node n) {
        GpuSample sample = judgedBy(id);
        if (sample != null && sample.eccUncorrected() > 0) {
            out.add(new Finding(member, clause, CommitmentStatus.AT_RISK, "GPU " + id + " on node " + n.id() + " reports "
                    + sample.eccUncorrected() + " uncorrected ECC error" + (sample.eccUncorrected() == 1 ? "" : "s")
                    + " since its driver loaded (telemetry at " + sample.at() + "); work on it may have been lost"));
        }
    }

    /** The GPU clause's one finding on a binding's GPUs (not FAILED) with a gap ({@link #gap}), if any: their ECC errors cannot be checked. */
    void gaps(List<Finding> out, String member, String clause, List<String> gapped, Node n) {
        if (!gapped.isEmpty()) {
            out.add(new Finding(member, clause, CommitmentStatus.AT_RISK, lastSampled(gapped) + " on node " + n.id()
                    + (gapped.size() == 1 ? " has" : " have") + " no telemetry sample within the last " + seconds(window)
                    + ": uncorrected ECC errors cannot be checked"));
        }
    }

    /**
     * The latest sample of a GPU taken within the window, or null. Where its latest sample of
     * all was taken after the pass's instant (a source whose clock runs ahead of Strata's), its
     * recent samples are read for the latest one within the window.
     */
    GpuSample latestInWindow(String acceleratorId) {
        GpuSample latest = latestSamples.get(acceleratorId);
        if (latest == null || latest.at().isBefore(windowStart)) {
            return null;
        }
        if (!latest.at().isAfter(now)) {
            return latest;
        }
        GpuSample found = read(acceleratorId).latest();
        return found != null && inWindow(found.at(), now) ? found : null;
    }

    /**
     * The sample a GPU is judged by: its latest one within the window ({@link #latestInWindow}); where there is none and
     * the pass judges gaps from an earlier instant (a late pass: the last pass whose telemetry calls were answered), its
     * latest one of all where that was taken within the window before that instant, the one the last pass that could
     * read had, so that the late pass judges the GPU as that one did; else null.
     */
    GpuSample judgedBy(String acceleratorId) {
        GpuSample inWindow = latestInWindow(acceleratorId);
        if (inWindow != null || !gapsFrom.isBefore(now)) {
            return inWindow;
        }
        GpuSample latest = latestSamples.get(acceleratorId);
        return latest == null || latest.at().isBefore(gapsFrom.minus(window)) ? null : latest;
    }

    /**
     * Whether a GPU is covered by telemetry but has no sample to be judged by ({@link #judgedBy}): a source gave a
     * latest sample of it (whenever it was taken), and none was taken within the window; where gaps are judged from
     * an earlier instant than the pass's, none within the window before that instant either.
     */
    boolean gap(String acceleratorId) {
        return telemetry != null && covered.contains(acceleratorId) && judgedBy(acceleratorId) == null;
    }

    /**
     * The GPUs with a gap, each with the instant of its latest sample: {@code GPU a (latest sample at t)}
     * or {@code GPUs a (latest sample at t), b (latest sample at u)}.
     */
    private String lastSampled(List<String> gapped) {
        StringBuilder out = new StringBuilder(gapped.size() == 1 ? "GPU " : "GPUs ");
        for (int i = 0; i < gapped.size(); i++) {
            GpuSample latest = latestSamples.get(gapped.get(i));
            out.append(i == 0 ? "" : ", ").append(gapped.get(i)).append(" (latest sample at ").append(latest.at()).append(')');
        }
        return out.toString();
    }

    /**
     * The mean power draw of a GPU over its samples within the window, and how many there were;
     * empty without such a sample reporting power. A late pass does not read more into a GPU than
     * it could read: where it could not read the GPU's recent samples, it averages those the last
     * pass that read them had, within the window before that pass ({@link RememberedTelemetry}:
     * for one window from the first pass that could not), unless the GPU is a gap; where it read
     * them but none is within its own window and it judges the GPU as of the last pass whose
     * telemetry calls were answered ({@link #judgedBy}), it averages those within the window
     * before that pass. Either way the mean is the one that pass had, and so is the finding. The
     * samples a late pass did read within its own window count as they are.
     *
     * <p>Only samples taken from {@code since} on count (the instant the allocation was placed):
     * what the GPU drew before is another workload's draw, or none. Where samples within the
     * window report power but none taken since, {@link Draw#before} says so.
     *
     * @param since the earliest instant a sample counts from; null for the whole window
     */
    Draw meanPower(String acceleratorId, Instant since) {
        if (!covered(acceleratorId)) {
            return Draw.NONE;
        }
        Walk read = read(acceleratorId);
        if (read.at().isBefore(now)) {
            if (gap(acceleratorId)) {
                return Draw.NONE;
            }
            Draw then = read.draw(read.at(), since);
            return then == null ? Draw.NONE : then; // a draw since an instant that pass did not sum is not known
        }
        Draw mean = mean(acceleratorId, now, since);
        if (mean.mean().isEmpty() && !mean.before() && latestInWindow(acceleratorId) == null && judgedBy(acceleratorId) != null) {
            return mean(acceleratorId, gapsFrom, since); // judged as of the last pass whose calls were answered
        }
        return mean;
    }

    /**
     * What a GPU drew for a member: the mean of its samples that count and how many there were ({@code mean}: empty
     * without one that reports power), and whether samples within the window reported power but were all taken before
     * the allocation was placed ({@code before}), so that its draw is not known yet.
     */
    record Draw(Optional<double[]> mean, boolean before, Span cut) {
        static final Draw NONE = new Draw(Optional.empty(), false, null);
    }

    /**
     * Where a GPU's samples within the window were more than a pass reads ({@link #MOST_SAMPLES}), the samples its mean
     * covers: how many, the first and the last.
     */
    record Span(int samples, Instant first, Instant last) {
    }

    /**
     * The mean power draw of a GPU's samples within the window that ends at {@code end} (the pass's instant, or the one it
     * judges gaps from) and taken from {@code since} on (null: the whole window), and how many; empty without one
     * reporting power. From the pass's walk, or where that did not sum the draw since that instant (an allocation the
     * pass was not told of, {@link #placed}), from another walk, kept with the first.
     */
    private Draw mean(String acceleratorId, Instant end, Instant since) {
        Walk read = read(acceleratorId);
        Draw draw = read.draw(end, since);
        if (draw != null || read.draws().isEmpty()) {
            return draw == null ? Draw.NONE : draw; // summed, or not read at all
        }
        Instant from = since == null ? Instant.MIN : since;
        Walk more = walk(acceleratorId, Set.of(from));
        if (more == null) {
            return Draw.NONE;
        }
        Map<Instant, Map<Instant, Draw>> draws = new HashMap<>();
        read.draws().forEach((e, bySince) -> draws.put(e, new HashMap<>(bySince)));
        more.draws().forEach((e, bySince) -> draws.computeIfAbsent(e, k -> new HashMap<>()).putAll(bySince));
        Walk merged = new Walk(read.at(), read.latest(), draws, read.whole());
        walks.put(acceleratorId, merged);
        if (telemetry instanceof RememberedTelemetry.Reading r) {
            r.keep(acceleratorId, merged);
        }
        Draw found = merged.draw(end, since);
        return found == null ? Draw.NONE : found;
    }

    /**
     * Whether a GPU that is neither measured ({@link #meanPower} empty) nor a gap ({@link #gap})
     * was sampled but reports no power: telemetry covers it, and the sample it is judged by
     * ({@link #judgedBy}: its latest within the window, or in a late pass the one the last pass
     * that could read had) reports no power either, so that a late pass judges it as that one did.
     * A GPU whose recent samples could not be read in time but whose latest one reports power is
     * not one: its draw is merely not known this pass.
     */
    boolean reportsNoPower(String acceleratorId) {
        if (telemetry == null || !covered.contains(acceleratorId)) {
            return false;
        }
        GpuSample judged = judgedBy(acceleratorId);
        return judged != null && !reportsPower(judged);
    }

    /**
     * Whether a sample reports a power draw: not the -1 of a device that does not, nor a value that is not finite, nor one
     * over {@link #MOST_WATTS}, which no accelerator draws (a vendor's garbled reading: 1e308 W). Such a reading is not a
     * measurement: counted, one of 1e308 W breached any ceiling, and two summed to infinity ("drew Infinity W").
     */
    private static boolean reportsPower(GpuSample s) {
        return s.powerWatts() >= 0 && s.powerWatts() <= MOST_WATTS;
    }

    /**
     * The member's power ceiling against what its whole GPUs drew, each averaged over its samples
     * in the pass's window ({@link #meanPower}; in a late pass, as the last pass that read them had
     * them): more than the ceiling on them alone is BREACHED; otherwise a GPU whose draw is not
     * known leaves the ceiling unchecked, AT_RISK: one covered by telemetry but without a sample
     * within the window, one sampled whose samples report no power, or one sampled whose recent
     * samples this pass could not read, where what the last pass that read them had is not known or
     * no longer counts (a window after the first pass that could not). A GPU the GPU clause found
     * FAILED or gone from the node ({@code failedOrGone}) is left out of that: the clause is
     * breached already, and a failed GPU draws nothing to check.
     */
    void powerCeiling(List<Finding> out, Member member, MemberBinding b, Node n, Set<String> failedOrGone, Instant placedAt) {
        if (telemetry == null || b.partition() != null || b.gpuFraction() < 1 || b.acceleratorIds().isEmpty()) {
            return; // no telemetry, or GPUs shared with others: their draw is not the member's alone
        }
        double drawn = 0;
        int samples = 0;
        List<String> measured = new ArrayList<>();
        List<String> gapped = new ArrayList<>();
        List<String> unreported = new ArrayList<>();
        List<String> unread = new ArrayList<>();
        Map<String, Span> partly = new LinkedHashMap<>();
        int unreportedAll = 0;
        int unreadAll = 0;
        int notYet = 0;
        for (String id : b.acceleratorIds()) {
            Draw draw = meanPower(id, placedAt);
            Optional<double[]> mean = draw.mean();
            if (draw.before()) {
                notYet++; // sampled within the window only before the allocation was placed: another workload's draw, not the member's
            } else if (mean.isPresent()) {
                drawn += mean.get()[0];
                samples += (int) mean.get()[1];
                measured.add(id);
                if (draw.cut() != null) {
                    partly.put(id, draw.cut());
                }
            } else if (gap(id)) {
                if (!failedOrGone.contains(id)) {
                    gapped.add(id);
                }
            } else if (reportsNoPower(id)) {
                unreportedAll++;
                if (!failedOrGone.contains(id)) {
                    unreported.add(id);
                }
            } else if (covered(id)) {
                unreadAll++; // sampled, but its samples could not be read: not a GPU without samples
                if (!failedOrGone.contains(id)) {
                    unread.add(id);
                }
            }
        }
        double ceiling = member.powerCeilingWatts();
        if (measured.isEmpty() || drawn <= ceiling) {
            List<String> why = new ArrayList<>();
            if (!gapped.isEmpty()) {
                why.add(lastSampled(gapped) + " on node " + n.id() + (gapped.size() == 1 ? " has" : " have")
                        + " no telemetry sample within the last " + seconds(window));
            }
            if (!unreported.isEmpty()) {
                boolean one = unreported.size() == 1;
                why.add((one ? "GPU " : "GPUs ") + String.join(", ", unreported) + " on node " + n.id() + (one ? " reports" : " report")
                        + " no power draw in " + (one ? "its" : "their") + " samples within the last " + seconds(window));
            }
            if (!unread.isEmpty()) {
                why.add("the samples of " + (unread.size() == 1 ? "GPU " : "GPUs ") + String.join(", ", unread) + " on node " + n.id()
                        + " within the last " + seconds(window) + " could not be read");
            }
            if (!partly.isEmpty()) {
                boolean one = partly.size() == 1;
                why.add((one ? "GPU " : "GPUs ") + String.join(", ", partly.keySet()) + " on node " + n.id() + (one ? " has" : " have")
                        + " more samples within the last " + seconds(window) + " than the " + MOST_SAMPLES + " of a GPU the verifier reads,"
                        + " so that " + (one ? "its" : "their") + " mean covers only the latest");
            }
            if (!why.isEmpty()) {
                out.add(new Finding(b.member(), "members." + b.member() + ".power", CommitmentStatus.AT_RISK, String.join("; ", why)
                        + ": the member's ceiling of " + ceiling(ceiling) + " cannot be checked"));
            }
            return;
        }
        int all = b.acceleratorIds().size();
        int withoutSamples = all - measured.size() - unreportedAll - unreadAll - notYet;
        List<String> kinds = new ArrayList<>();
        if (withoutSamples > 0) {
            kinds.add(withoutSamples + " without samples");
        }
        if (notYet > 0) {
            kinds.add(notYet + " with no sample since the placement at " + placedAt); // sampled, but only before: not silent
        }
        if (unreadAll > 0) {
            kinds.add(unreadAll + " whose samples could not be read");
        }
        if (unreportedAll > 0) {
            kinds.add(unreportedAll + " reporting no power draw");
        }
        String notCounted = kinds.isEmpty() ? "" : kinds.get(0).replaceFirst(" ", " of its " + all + " GPUs ")
                + (kinds.size() > 1 ? ", " + String.join(", ", kinds.subList(1, kinds.size())) : "");
        out.add(new Finding(b.member(), "members." + b.member() + ".power", CommitmentStatus.BREACHED, (measured.size() == 1 ? "GPU " : "GPUs ")
                + String.join(", ", measured) + " on node " + n.id() + " drew " + drawnOver(drawn, ceiling)
                + (measured.size() == 1 ? "" : " in all") + " (mean of " + samples + " sample" + (samples == 1 ? "" : "s")
                + " within the last " + seconds(window) + (measured.size() < all ? "; " + notCounted + ", not counted" : "")
                + spans(partly)
                + "), more than the member's ceiling of " + ceiling(ceiling)
                + "; the rest of what it draws on the node comes on top"));
    }

    /**
     * The spans the means of GPUs with more samples within the window than a pass reads cover, as a breach's evidence
     * names them: {@code ; GPU a's mean covers only its latest 100000 samples, from t to u}; empty without such a GPU.
     */
    private static String spans(Map<String, Span> partly) {
        StringBuilder out = new StringBuilder();
        partly.forEach((id, span) -> out.append("; GPU ").append(id).append("'s mean covers only its latest ").append(span.samples())
                .append(" samples, from ").append(span.first()).append(" to ").append(span.last()).append(", of more within the window"));
        return out.toString();
    }

    /** A member's ceiling in watts as its contract gives it, with one decimal at least and six at most: {@code 600.0 W}, {@code 600.25 W}. */
    static String ceiling(double watts) {
        if (!Double.isFinite(watts)) {
            return CommitmentCheck.watts(watts);
        }
        BigDecimal w = BigDecimal.valueOf(watts);
        return w.setScale(Math.max(1, Math.min(6, w.stripTrailingZeros().scale())), RoundingMode.HALF_UP).toPlainString() + " W";
    }

    /**
     * A draw over a ceiling in watts, with one decimal or as many more (six at most) as it takes to read more than the
     * ceiling: {@code 600.04 W} over a ceiling of 600 W, where one decimal would read {@code 600.0 W}, no more than it.
     */
    static String drawnOver(double drawn, double ceiling) {
        if (!Double.isFinite(drawn) || !Double.isFinite(ceiling)) {
            return CommitmentCheck.watts(drawn);
        }
        BigDecimal d = BigDecimal.valueOf(drawn);
        BigDecimal c = BigDecimal.valueOf(ceiling);
        int scale = 1;
        while (scale < 6 && d.setScale(scale, RoundingMode.HALF_UP).compareTo(c) <= 0) {
            scale++;
        }
        return d.setScale(scale, RoundingMode.HALF_UP).toPlainString() + " W";
    }

    /** A duration in seconds, or milliseconds where it has a fraction of a second: {@code 60s}, {@code 1500ms}. */
    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
