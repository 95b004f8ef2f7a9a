package dev.strata.platform.core.commitment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.strata.platform.api.commitment.CommitmentStatus;
import dev.strata.platform.api.commitment.Finding;
import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.FabricRequest;
import dev.strata.platform.api.contract.GpuRequest;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.contract.Sovereignty;
import dev.strata.platform.api.contract.TopologyRequest;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.Telemetry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The clauses the verifier holds to GPU telemetry: a member's power ceiling against what its whole
 * GPUs drew (each GPU's mean over the window), and uncorrected ECC errors. The samples are handed
 * in through {@link Samples}, an in-memory {@link Telemetry} holding what a source would have
 * sampled (the NVIDIA provider's own tests read real captures into such samples).
 */
class TelemetryClausesTest {

    static final String NODE = CommitmentCheckTest.NODE;
    static final String GPU0 = NODE + "/gpu0";
    static final String GPU1 = NODE + "/gpu1";
    static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
    static final Duration WINDOW = Duration.ofMinutes(1);
    /** How far a pass that cannot read leans back on what was read, with the default interval and window: 2 minutes. */
    static final Duration REACH = CommitmentSettings.DEFAULTS.latePassReach();

    /** Samples kept per GPU, oldest first, as a telemetry source keeps them. */
    static class Samples implements Telemetry {
        final Map<String, List<GpuSample>> byGpu = new LinkedHashMap<>();

        Samples power(String gpu, int secondsAgo, double watts) {
            return add(GpuSample.builder().acceleratorId(gpu).at(NOW.minusSeconds(secondsAgo)).powerWatts(watts).eccUncorrected(0).build());
        }

        /** A sample that reports no power draw: the device's -1 where {@code watts} is null, else a value that is not finite. */
        Samples noPower(String gpu, int secondsAgo, Double watts) {
            GpuSample.Builder b = GpuSample.builder().acceleratorId(gpu).at(NOW.minusSeconds(secondsAgo)).eccUncorrected(0);
            return add((watts == null ? b : b.powerWatts(watts)).build());
        }

        Samples add(GpuSample s) {
            List<GpuSample> list = byGpu.computeIfAbsent(s.acceleratorId(), k -> new ArrayList<>());
            list.add(s);
            list.sort(java.util.Comparator.comparing(GpuSample::at));
            return this;
        }

        @Override
        public List<GpuSample> latestGpuSamples() {
            return byGpu.values().stream().map(l -> l.get(l.size() - 1)).toList();
        }

        @Override
        public Optional<GpuSample> latest(String acceleratorId) {
            List<GpuSample> l = byGpu.getOrDefault(acceleratorId, List.of());
            return l.isEmpty() ? Optional.empty() : Optional.of(l.get(l.size() - 1));
        }

        @Override
        public List<GpuSample> recent(String acceleratorId, int limit) {
            List<GpuSample> l = byGpu.getOrDefault(acceleratorId, List.of());
            return List.copyOf(l.subList(Math.max(0, l.size() - limit), l.size()));
        }
    }

    static Contract contract(double ceilingWatts) {
        Member trainer = new Member("trainer", 8000, 64L << 30, new GpuRequest(2, Set.of("H100"), 0, 1, null, false), TopologyRequest.ANY,
                ceilingWatts);
        return new Contract("train", "t1", 10, List.of(trainer), FabricRequest.ANY, Sovereignty.ANY, Isolation.SHARED);
    }

    static Allocation allocation(double gpuFraction, String partition, int slot, String... gpus) {
        return new Allocation("a-1", "train", "t1", 10, false, Instant.parse("2026-01-01T00:00:00Z"), List.of(new MemberBinding("trainer",
                NODE, "fra-1", List.of(gpus), gpuFraction, null, 0, null, 8000, 64L << 30, 600, null, partition, slot)));
    }

    static final Allocation WHOLE = allocation(1, null, -1, GPU0, GPU1);

    static CommitmentCheck.Verdict check(Allocation a, Contract c, Telemetry t) {
        return check(a, c, t, NOW);
    }

    static CommitmentCheck.Verdict check(Allocation a, Contract c, Telemetry t, Instant now) {
        InventorySnapshot inv = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        return new CommitmentCheck.Pass(inv, List.of(a), t, now, WINDOW).check(a, c);
    }

    /** {@link #WHOLE} placed {@code secondsAgo} before the pass. */
    static Allocation placed(int secondsAgo) {
        return new Allocation("a-2", "train", "t1", 10, false, NOW.minusSeconds(secondsAgo), WHOLE.bindings());
    }

    /**
     * A GPU's draw before its allocation was placed is another workload's (the one released to make room, or none): a
     * member placed 10 s ago is judged by what its GPUs drew since. Before, the whole window counted, so a member placed
     * on GPUs a hotter workload had just left read as over its ceiling.
     */
    @Test
    void onlyWhatTheGpusDrewSinceTheAllocationWasPlacedCountsTowardsTheCeiling() {
        Samples t = new Samples().power(GPU0, 50, 700).power(GPU0, 30, 700).power(GPU0, 5, 100)
                .power(GPU1, 50, 700).power(GPU1, 30, 700).power(GPU1, 5, 150);
        assertThat(check(WHOLE, contract(600), t).status()).as("placed long before: the whole window counts").isEqualTo(CommitmentStatus.BREACHED);
        CommitmentCheck.Verdict v = check(placed(10), contract(600), t);
        assertThat(v.status()).isEqualTo(CommitmentStatus.HONORED);
        assertThat(v.findings()).isEmpty();
        Samples hot = new Samples().power(GPU0, 50, 700).power(GPU0, 5, 400).power(GPU1, 50, 700).power(GPU1, 5, 300);
        assertThat(check(placed(10), contract(600), hot).findings()).containsExactly(new Finding("trainer", "members.trainer.power",
                CommitmentStatus.BREACHED, "GPUs " + GPU0 + ", " + GPU1 + " on node " + NODE + " drew 700.0 W in all (mean of 2 samples "
                        + "within the last 60s), more than the member's ceiling of 600.0 W; the rest of what it draws on the node comes on top"));
    }

    /**
     * GPUs sampled within the window only before their allocation was placed have not yet drawn anything of the member's:
     * its ceiling is not judged until a sample is taken after the placement, neither breached by the workload before it
     * nor unchecked (the GPUs are sampled; the next sample is the member's).
     */
    @Test
    void gpusSampledOnlyBeforeTheirAllocationWasPlacedAreNotJudgedByThatDraw() {
        Samples t = new Samples().power(GPU0, 40, 900).power(GPU0, 20, 900).power(GPU1, 40, 900).power(GPU1, 20, 900);
        CommitmentCheck.Verdict v = check(placed(3), contract(600), t);
        assertThat(v.findings()).isEmpty();
        assertThat(v.status()).isEqualTo(CommitmentStatus.HONORED);
        t.power(GPU0, 1, 450).power(GPU1, 1, 400);
        assertThat(check(placed(3), contract(600), t).status()).as("the first samples of its own").isEqualTo(CommitmentStatus.BREACHED);
    }

    /**
     * A breach by the GPUs measured since the placement names apart a GPU sampled within the window only before it: that
     * GPU is not silent, it has no sample since the placement yet. Before, it was counted among the GPUs "without
     * samples", as if its telemetry had stopped.
     */
    @Test
    void aBreachNamesAGpuSampledOnlyBeforeThePlacementApartFromGpusWithoutSamples() {
        Samples t = new Samples().power(GPU0, 5, 700).power(GPU1, 20, 300);
        assertThat(check(placed(10), contract(600), t).findings()).containsExactly(new Finding("trainer", "members.trainer.power",
                CommitmentStatus.BREACHED, "GPU " + GPU0 + " on node " + NODE + " drew 700.0 W (mean of 1 sample within the last 60s; 1 of "
                        + "its 2 GPUs with no sample since the placement at 2026-12-05T09:59:50Z, not counted), more than the member's ceiling"
                        + " of 600.0 W; the rest of what it draws on the node comes on top"));
    }

    @Test
    void wholeGpusThatDrewMoreThanTheCeilingOnAverageBreachIt() {
        Samples t = new Samples().power(GPU0, 50, 300).power(GPU0, 20, 340).power(GPU1, 10, 310);
        CommitmentCheck.Verdict v = check(WHOLE, contract(600), t);
        assertThat(v.status()).isEqualTo(CommitmentStatus.BREACHED);
        assertThat(v.findings()).containsExactly(new Finding("trainer", "members.trainer.power", CommitmentStatus.BREACHED,
                "GPUs " + GPU0 + ", " + GPU1 + " on node " + NODE + " drew 630.0 W in all (mean of 3 samples within the last 60s), more "
                        + "than the member's ceiling of 600.0 W; the rest of what it draws on the node comes on top"));
    }

    /**
     * A breach's evidence shows the draw with as many decimals as it takes to read more than the ceiling, and the ceiling
     * as the contract gives it: before, both were rounded to one decimal, and a member 0.04 W over its ceiling of 600 W
     * read "drew 600.0 W in all, more than the member's ceiling of 600.0 W", one of 600.25 W read as one of 600.3 W.
     */
    @Test
    void aBreachByLessThanATenthOfAWattReadsMoreThanTheCeiling() {
        Samples t = new Samples().power(GPU0, 10, 300.02).power(GPU1, 10, 300.02);
        assertThat(check(WHOLE, contract(600), t).findings()).containsExactly(new Finding("trainer", "members.trainer.power",
                CommitmentStatus.BREACHED, "GPUs " + GPU0 + ", " + GPU1 + " on node " + NODE + " drew 600.04 W in all (mean of 2 samples "
                        + "within the last 60s), more than the member's ceiling of 600.0 W; the rest of what it draws on the node comes on top"));
        assertThat(check(WHOLE, contract(600.03), t).findings()).singleElement().satisfies(f -> assertThat(f.evidence())
                .contains("drew 600.04 W in all").contains("more than the member's ceiling of 600.03 W"));
        assertThat(check(WHOLE, contract(599.5), t).findings()).singleElement().satisfies(f -> assertThat(f.evidence())
                .contains("drew 600.0 W in all").contains("more than the member's ceiling of 599.5 W"));
        assertThat(check(WHOLE, contract(600.25), new Samples().power(GPU0, 10, 300).noPower(GPU1, 10, null)).findings()).singleElement()
                .satisfies(f -> assertThat(f.evidence()).endsWith(": the member's ceiling of 600.25 W cannot be checked"));
    }

    @Test
    void aDrawAtOrUnderTheCeilingOnAverageIsHonoredThoughOneSampleSpiked() {
        Samples t = new Samples().power(GPU0, 50, 290).power(GPU0, 30, 520).power(GPU0, 10, 90).power(GPU1, 10, 300);
        // GPU0's mean is 300: 600 in all, at the ceiling
        assertThat(check(WHOLE, contract(600), t).findings()).isEmpty();
        assertThat(check(WHOLE, contract(599.9), t).status()).isEqualTo(CommitmentStatus.BREACHED);
    }

    @Test
    void samplesOutsideTheWindowOrNotReportingPowerAreNotCounted() {
        Samples t = new Samples().power(GPU0, 61, 900).power(GPU0, 5, 250).power(GPU1, 5, 250)
                .add(GpuSample.builder().acceleratorId(GPU1).at(NOW.minusSeconds(3)).build()) // power not reported: -1
                .add(GpuSample.builder().acceleratorId(GPU1).at(NOW.plusSeconds(30)).powerWatts(5000).build()); // after the pass
        // GPU1's latest sample is after the pass: the latest within the window is the one that counts
        assertThat(check(WHOLE, contract(600), t).findings()).isEmpty();
        assertThat(check(WHOLE, contract(499), t).findings()).singleElement().satisfies(f -> assertThat(f.evidence())
                .contains("drew 500.0 W in all (mean of 2 samples within the last 60s)"));
    }

    /**
     * A power reading no accelerator draws (a vendor's garbled value: 1e308 W, more than {@link TelemetryClauses#MOST_WATTS})
     * is not a measurement: it is not counted, as a sample reporting no power is not, so that a GPU whose samples within
     * the window are all such leaves the ceiling unchecked, AT_RISK, and one among good samples leaves their mean as it is.
     * Before, it was summed: two of them read BREACHED, "drew Infinity W", and one among good samples breached any ceiling.
     */
    @Test
    void aPowerReadingNoGpuDrawsIsNotAMeasurementAndCannotBreachTheCeiling() {
        Samples garbled = new Samples().power(GPU0, 20, 1e308).power(GPU0, 10, 1e308).power(GPU1, 10, 300);
        assertThat(check(WHOLE, contract(600), garbled).findings()).containsExactly(new Finding("trainer", "members.trainer.power",
                CommitmentStatus.AT_RISK, "GPU " + GPU0 + " on node " + NODE + " reports no power draw in its samples within the last 60s:"
                        + " the member's ceiling of 600.0 W cannot be checked"));
        Samples among = new Samples().power(GPU0, 30, 250).power(GPU0, 20, 150_000).power(GPU0, 10, 250).power(GPU1, 10, 300);
        assertThat(check(WHOLE, contract(600), among).findings()).isEmpty();
        assertThat(check(WHOLE, contract(549), among).findings()).singleElement().satisfies(f -> assertThat(f.evidence())
                .contains("drew 550.0 W in all (mean of 3 samples within the last 60s)"));
        Samples atTheBound = new Samples().power(GPU0, 10, TelemetryClauses.MOST_WATTS).power(GPU1, 10, 300);
        assertThat(check(WHOLE, contract(600), atTheBound).findings()).singleElement().satisfies(f -> assertThat(f.evidence())
                .contains("drew 100300.0 W in all (mean of 2 samples within the last 60s)"));
    }

    /**
     * A sample a source answers twice (the same in every field, at one instant: repeated within its page, or again at the
     * start of the next page) is counted once, while two readings taken at one instant that differ are both counted.
     * Before, a repeated sample weighed twice in the mean: a GPU sampled at 300 W and then 900 W, its 900 W sample
     * repeated, read 700 W rather than 600 W, and its member BREACHED its ceiling of 950 W, drawing 900 W in all.
     */
    @Test
    void aSampleASourceRepeatsIsCountedOnceAndReadingsThatDifferAtOneInstantAreEachCounted() {
        GpuSample hot = GpuSample.builder().acceleratorId(GPU0).at(NOW.minusSeconds(10)).powerWatts(900).eccUncorrected(0).build();
        Samples repeated = new Samples().power(GPU0, 30, 300).add(hot).add(hot).power(GPU1, 10, 300);
        assertThat(check(WHOLE, contract(950), repeated).findings()).isEmpty();
        assertThat(check(WHOLE, contract(899), repeated).findings()).singleElement().satisfies(f -> assertThat(f.evidence())
                .contains("drew 900.0 W in all (mean of 3 samples within the last 60s)"));
        Samples differing = new Samples().power(GPU0, 30, 300).add(hot).power(GPU0, 10, 300).power(GPU1, 10, 300);
        assertThat(check(WHOLE, contract(799), differing).findings()).singleElement().satisfies(f -> assertThat(f.evidence())
                .contains("drew 800.0 W in all (mean of 4 samples within the last 60s)"));
        // 1,500 samples over the window, 1,000 at 100 W then 500 at 900 W, each page's first sample answered twice
        Samples atPageStarts = new Samples() {
            @Override
            public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
                List<GpuSample> page = new ArrayList<>(super.since(acceleratorId, from, limit));
                if (!page.isEmpty()) {
                    page.add(0, page.get(0));
                }
                return page.subList(0, Math.min(limit, page.size()));
            }
        };
        every(atPageStarts, GPU0, WINDOW, 40_000_000L, 1000, 100, 900);
        atPageStarts.power(GPU1, 5, 100);
        assertThat(check(WHOLE, contract(400), atPageStarts).findings()).singleElement().satisfies(f -> assertThat(f.evidence())
                .startsWith("GPUs " + GPU0 + ", " + GPU1 + " on node " + NODE + " drew 466.7 W in all (mean of 1501 samples within the last 60s)"));
    }

    @Test
    void aGpuWithoutSamplesIsNotCountedAndTheEvidenceSaysSo() {
        Samples t = new Samples().power(GPU0, 5, 700);
        // one GPU measured: "GPU", whatever the member holds (before, "GPUs" after the member's count)
        assertThat(check(WHOLE, contract(600), t).findings()).singleElement().satisfies(f -> assertThat(f.evidence()).isEqualTo("GPU "
                + GPU0 + " on node " + NODE + " drew 700.0 W (mean of 1 sample within the last 60s; 1 of its 2 GPUs without samples, "
                + "not counted), more than the member's ceiling of 600.0 W; the rest of what it draws on the node comes on top"));
        assertThat(check(WHOLE, contract(600), new Samples()).findings()).isEmpty();
    }

    @Test
    void sharedGpusAndMembersWithoutACeilingAreNotHeldToADraw() {
        Samples t = new Samples().power(GPU0, 5, 700).power(GPU1, 5, 700);
        assertThat(check(allocation(0.5, null, -1, GPU0), contract(100), t).findings()).as("a share").isEmpty();
        assertThat(check(allocation(3.0 / 7, "3g.40gb", 0, GPU0), contract(100), t).findings()).as("a partition").isEmpty();
        assertThat(check(WHOLE, contract(0), t).findings()).as("no ceiling").isEmpty();
        assertThat(check(WHOLE, contract(100), null).findings()).as("no telemetry").isEmpty();
        assertThat(CommitmentCheck.check(WHOLE, contract(100), CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(),
                CommitmentCheckTest.node()), List.of(WHOLE)).findings()).as("a pass without telemetry").isEmpty();
    }

    @Test
    void uncorrectedEccErrorsPutTheGpusMemberAtRisk() {
        Samples t = new Samples().add(GpuSample.builder().acceleratorId(GPU1).at(NOW.minusSeconds(4)).eccUncorrected(2).eccCorrected(40).build())
                .add(GpuSample.builder().acceleratorId(GPU0).at(NOW.minusSeconds(4)).eccUncorrected(0).eccCorrected(7).build());
        CommitmentCheck.Verdict v = check(WHOLE, contract(0), t);
        assertThat(v.status()).isEqualTo(CommitmentStatus.AT_RISK);
        assertThat(v.findings()).containsExactly(new Finding("trainer", "members.trainer.gpus", CommitmentStatus.AT_RISK, "GPU " + GPU1
                + " on node " + NODE + " reports 2 uncorrected ECC errors since its driver loaded (telemetry at 2026-12-05T09:59:56Z); "
                + "work on it may have been lost"));

        // an old sample says nothing of now: the errors cannot be checked; a FAILED GPU is a breach already, said once
        Samples old = new Samples().add(GpuSample.builder().acceleratorId(GPU1).at(NOW.minusSeconds(120)).eccUncorrected(2).build());
        assertThat(check(WHOLE, contract(0), old).findings()).containsExactly(new Finding("trainer", "members.trainer.gpus",
                CommitmentStatus.AT_RISK, "GPU " + GPU1 + " (latest sample at 2026-12-05T09:58:00Z) on node " + NODE + " has no telemetry "
                        + "sample within the last 60s: uncorrected ECC errors cannot be checked"));
        InventorySnapshot failed = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.withGpu(1,
                g -> g.toBuilder().health(new Health(Health.Status.FAILED, List.of("XID 48"))).build()));
        assertThat(new CommitmentCheck.Pass(failed, List.of(WHOLE), t, NOW, WINDOW).check(WHOLE, contract(0)).findings())
                .extracting(Finding::status).containsExactly(CommitmentStatus.BREACHED);
    }

    /**
     * A GPU telemetry covered, whose samples stopped (a source still answering what its sampler last
     * read, nvidia-smi hung): once the window has passed, nothing checks its ECC errors or its share
     * of the member's draw, and the member is AT_RISK on both clauses, not HONORED; the findings name
     * the GPUs, their latest samples and the window, the same each pass while the gap lasts; once
     * the samples resume, the allocation is HONORED again.
     */
    @Test
    void aCoveredGpuWhoseSamplesStoppedLeavesItsClausesUncheckedUntilTheyResume() {
        Samples t = new Samples().power(GPU0, 10, 200).power(GPU0, 5, 210).power(GPU1, 5, 190);
        assertThat(check(WHOLE, contract(600), t).findings()).as("measured within the window, under the ceiling").isEmpty();

        Instant later = NOW.plusSeconds(120);
        List<Finding> stopped = List.of(
                new Finding("trainer", "members.trainer.gpus", CommitmentStatus.AT_RISK, "GPUs " + GPU0 + " (latest sample at "
                        + "2026-12-05T09:59:55Z), " + GPU1 + " (latest sample at 2026-12-05T09:59:55Z) on node " + NODE + " have no telemetry "
                        + "sample within the last 60s: uncorrected ECC errors cannot be checked"),
                new Finding("trainer", "members.trainer.power", CommitmentStatus.AT_RISK, "GPUs " + GPU0 + " (latest sample at "
                        + "2026-12-05T09:59:55Z), " + GPU1 + " (latest sample at 2026-12-05T09:59:55Z) on node " + NODE + " have no telemetry "
                        + "sample within the last 60s: the member's ceiling of 600.0 W cannot be checked"));
        CommitmentCheck.Verdict gap = check(WHOLE, contract(600), t, later);
        assertThat(gap.status()).isEqualTo(CommitmentStatus.AT_RISK);
        assertThat(gap.findings()).containsExactlyElementsOf(stopped);
        assertThat(check(WHOLE, contract(600), t, NOW.plusSeconds(3600)).findings()).as("an hour on: the same findings")
                .containsExactlyElementsOf(stopped);

        // one GPU's samples resume: the other is still named, the ceiling still unchecked (the one measured is under it)
        t.power(GPU0, -115, 250);
        assertThat(check(WHOLE, contract(600), t, later).findings()).extracting(Finding::status, Finding::evidence).containsExactly(
                org.assertj.core.groups.Tuple.tuple(CommitmentStatus.AT_RISK, "GPU " + GPU1 + " (latest sample at 2026-12-05T09:59:55Z) on "
                        + "node " + NODE + " has no telemetry sample within the last 60s: uncorrected ECC errors cannot be checked"),
                org.assertj.core.groups.Tuple.tuple(CommitmentStatus.AT_RISK, "GPU " + GPU1 + " (latest sample at 2026-12-05T09:59:55Z) on "
                        + "node " + NODE + " has no telemetry sample within the last 60s: the member's ceiling of 600.0 W cannot be checked"));

        t.power(GPU1, -115, 250);
        CommitmentCheck.Verdict resumed = check(WHOLE, contract(600), t, later);
        assertThat(resumed.status()).isEqualTo(CommitmentStatus.HONORED);
        assertThat(resumed.findings()).isEmpty();
    }

    /**
     * Only a GPU telemetry covered is held to have a gap: one no source ever gave a sample of is not
     * named (not every GPU has telemetry), nor is a FAILED one in the ECC clause (a breach of that
     * clause already, said once); a member without a ceiling gets no power finding.
     */
    @Test
    void onlyAGapInTelemetryThatCoveredAGpuIsAFinding() {
        Samples gpu0Stopped = new Samples().power(GPU0, 300, 250);
        assertThat(check(WHOLE, contract(0), gpu0Stopped).findings()).as("GPU1 never covered").containsExactly(new Finding("trainer",
                "members.trainer.gpus", CommitmentStatus.AT_RISK, "GPU " + GPU0 + " (latest sample at 2026-12-05T09:55:00Z) on node " + NODE
                        + " has no telemetry sample within the last 60s: uncorrected ECC errors cannot be checked"));
        assertThat(check(WHOLE, contract(600), gpu0Stopped).findings()).extracting(Finding::clause, Finding::evidence).contains(
                org.assertj.core.groups.Tuple.tuple("members.trainer.power", "GPU " + GPU0 + " (latest sample at 2026-12-05T09:55:00Z) on "
                        + "node " + NODE + " has no telemetry sample within the last 60s: the member's ceiling of 600.0 W cannot be checked"));

        Samples bothStopped = new Samples().power(GPU0, 300, 250).power(GPU1, 300, 250);
        InventorySnapshot failed = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.withGpu(1,
                g -> g.toBuilder().health(new Health(Health.Status.FAILED, List.of("XID 79"))).build()));
        assertThat(new CommitmentCheck.Pass(failed, List.of(WHOLE), bothStopped, NOW, WINDOW).check(WHOLE, contract(0)).findings())
                .extracting(Finding::status, Finding::evidence).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(CommitmentStatus.BREACHED, "GPU " + GPU1 + " on node " + NODE
                                + " has FAILED (XID 79)"),
                        org.assertj.core.groups.Tuple.tuple(CommitmentStatus.AT_RISK, "GPU " + GPU0 + " (latest sample at "
                                + "2026-12-05T09:55:00Z) on node " + NODE + " has no telemetry sample within the last 60s: uncorrected ECC "
                                + "errors cannot be checked"));
    }

    /**
     * GPUs measured that drew more than the ceiling on their own breach it though another GPU of the
     * member has a gap: what the stopped one drew could only add to it. The gap is still named in
     * the ECC clause.
     */
    @Test
    void measuredGpusOverTheCeilingBreachItThoughAnotherStopped() {
        Samples t = new Samples().power(GPU0, 5, 700).power(GPU1, 300, 100);
        CommitmentCheck.Verdict v = check(WHOLE, contract(600), t);
        assertThat(v.status()).isEqualTo(CommitmentStatus.BREACHED);
        assertThat(v.findings()).containsExactly(
                new Finding("trainer", "members.trainer.gpus", CommitmentStatus.AT_RISK, "GPU " + GPU1 + " (latest sample at "
                        + "2026-12-05T09:55:00Z) on node " + NODE + " has no telemetry sample within the last 60s: uncorrected ECC errors "
                        + "cannot be checked"),
                new Finding("trainer", "members.trainer.power", CommitmentStatus.BREACHED, "GPU " + GPU0 + " on node " + NODE + " drew "
                        + "700.0 W (mean of 1 sample within the last 60s; 1 of its 2 GPUs without samples, not counted), more than the "
                        + "member's ceiling of 600.0 W; the rest of what it draws on the node comes on top"));
    }

    /** Samples of a GPU every {@code everyNanos} over {@code window} before {@link #NOW}, oldest first: the first {@code early} at {@code earlyWatts}, the rest at {@code watts}. */
    static void every(Samples t, String gpu, Duration window, long everyNanos, int early, double earlyWatts, double watts) {
        List<GpuSample> list = t.byGpu.computeIfAbsent(gpu, k -> new ArrayList<>());
        int n = (int) (window.toNanos() / everyNanos);
        for (int i = 0; i < n; i++) {
            list.add(GpuSample.builder().acceleratorId(gpu).at(NOW.minus(window).plusNanos((i + 1) * everyNanos))
                    .powerWatts(i < early ? earlyWatts : watts).eccUncorrected(0).build());
        }
    }

    /**
     * The draw is the mean over the whole window, however many samples it holds: sampled every second over a window of
     * 30 minutes, 1,800 samples a GPU, the first half over what the member may draw and the second under it. Before, a
     * pass read the latest 1,000 samples of a GPU alone, so that the draw of the window's last 16 minutes was judged,
     * HONORED, while the evidence named the whole window; as the verifier reads it (through what it remembers) too.
     */
    @Test
    void theDrawIsTheMeanOverTheWholeWindowThoughItHoldsMoreThanAThousandSamples() {
        Duration window = Duration.ofMinutes(30);
        Samples t = new Samples();
        every(t, GPU0, window, 1_000_000_000L, 900, 900, 300);
        every(t, GPU1, window, 1_000_000_000L, 900, 900, 300);
        InventorySnapshot inv = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        Finding breach = new Finding("trainer", "members.trainer.power", CommitmentStatus.BREACHED, "GPUs " + GPU0 + ", " + GPU1
                + " on node " + NODE + " drew 1200.0 W in all (mean of 3600 samples within the last 1800s), more than the member's ceiling"
                + " of 1000.0 W; the rest of what it draws on the node comes on top");
        assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), t, NOW, window).check(WHOLE, contract(1000)).findings())
                .containsExactly(breach);
        Telemetry read = new RememberedTelemetry().over(t, NOW, window, window.plus(Duration.ofMinutes(1)), Set.of(GPU0, GPU1)::contains);
        assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), read, NOW, window).check(WHOLE, contract(1000)).findings())
                .as("as the verifier reads").containsExactly(breach);
    }

    /**
     * A pass holds at most one page of a GPU's samples: a window of 7,200 samples a GPU (every 250 ms over 30 minutes, the
     * first half over what the member may draw) is judged from all of them, while the source is never asked for, nor
     * answers, more than {@link TelemetryClauses#PAGE} samples at once, as the verifier reads it (each call on its own
     * thread with a deadline, through what it remembers) and given directly. Before, a pass asked for the latest 1,000
     * samples, then for as many as the window held (up to 100,000) in one list. The source pages its own samples as the
     * NVIDIA provider does; it is hand-written here to count what it is asked for.
     */
    @Test
    void aWindowLargerThanAPageIsJudgedFromAllItsSamplesWhileTheSourceIsAskedForOnePageAtATime() {
        int page = 1000; // TelemetryClauses.PAGE
        Duration window = Duration.ofMinutes(30);
        List<Integer> asked = new ArrayList<>();
        AtomicInteger mostAnswered = new AtomicInteger();
        Samples t = new Samples() {
            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                asked.add(limit);
                List<GpuSample> answer = super.recent(acceleratorId, limit);
                mostAnswered.accumulateAndGet(answer.size(), Math::max);
                return answer;
            }

            @Override
            public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
                asked.add(limit);
                List<GpuSample> answer = byGpu.getOrDefault(acceleratorId, List.of()).stream().filter(s -> !s.at().isBefore(from))
                        .limit(limit).toList();
                mostAnswered.accumulateAndGet(answer.size(), Math::max);
                return answer;
            }
        };
        every(t, GPU0, window, 250_000_000L, 3600, 900, 300);
        every(t, GPU1, window, 250_000_000L, 3600, 900, 300);
        InventorySnapshot inv = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        Finding breach = new Finding("trainer", "members.trainer.power", CommitmentStatus.BREACHED, "GPUs " + GPU0 + ", " + GPU1
                + " on node " + NODE + " drew 1200.0 W in all (mean of 14400 samples within the last 1800s), more than the member's"
                + " ceiling of 1000.0 W; the rest of what it draws on the node comes on top");
        try (BoundedTelemetry bounded = new BoundedTelemetry(() -> t, Duration.ofSeconds(30))) {
            Telemetry read = new RememberedTelemetry().over(bounded.forPass(), NOW, window, window.plus(Duration.ofMinutes(1)),
                    Set.of(GPU0, GPU1)::contains);
            assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), read, NOW, window).check(WHOLE, contract(1000)).findings())
                    .as("as the verifier reads").containsExactly(breach);
        }
        assertThat(asked).as("pages asked for").isNotEmpty().allSatisfy(limit -> assertThat(limit).isLessThanOrEqualTo(page));
        assertThat(mostAnswered.get()).as("the most samples answered at once").isEqualTo(page);
        asked.clear();
        assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), t, NOW, window).check(WHOLE, contract(1000)).findings())
                .as("the source given directly").containsExactly(breach);
        assertThat(asked).as("pages asked for").hasSize(2 * 8).containsOnly(page);
    }

    /**
     * A source whose pages do not start at the instant asked (it answers its oldest samples whatever {@code from} says)
     * does not hold a pass in an endless walk: a full page that brings nothing new ends it, and the GPU's samples read as
     * not read (the ceiling unchecked), not as a window made of its first page.
     */
    @Test
    void aSourceWhosePagesIgnoreTheInstantAskedEndsTheWalkAndReadsAsUnread() {
        Duration window = Duration.ofMinutes(30);
        Samples t = new Samples() {
            @Override
            public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
                return byGpu.getOrDefault(acceleratorId, List.of()).stream().limit(limit).toList(); // from is ignored
            }
        };
        every(t, GPU0, window, 250_000_000L, 3600, 900, 300);
        every(t, GPU1, window, 250_000_000L, 3600, 900, 300);
        InventorySnapshot inv = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        List<Finding> findings = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> new CommitmentCheck.Pass(inv, List.of(WHOLE), t, NOW, window).check(WHOLE, contract(1000)).findings());
        assertThat(findings).filteredOn(f -> f.clause().equals("members.trainer.power")).singleElement()
                .satisfies(f -> assertThat(f.status()).isEqualTo(CommitmentStatus.AT_RISK))
                .satisfies(f -> assertThat(f.evidence()).contains("could not be read"));
    }

    /**
     * A window holding more samples of a GPU than a pass reads ({@link TelemetryClauses#MOST_SAMPLES}) is not judged as if
     * the latest read were all of it: a mean of them under the ceiling leaves it unchecked, AT_RISK, naming the GPU; a
     * mean over it breaches it, its evidence naming how many samples the mean covers, the first and the last.
     */
    @Test
    void aWindowHoldingMoreSamplesThanAPassReadsIsSaidToBeAveragedInPart() {
        Samples t = new Samples();
        every(t, GPU0, WINDOW, 500_000L, 20_000, 900, 300); // 120,000 samples within the minute
        t.power(GPU1, 5, 100);
        assertThat(check(WHOLE, contract(500), t).findings()).containsExactly(new Finding("trainer", "members.trainer.power",
                CommitmentStatus.AT_RISK, "GPU " + GPU0 + " on node " + NODE + " has more samples within the last 60s than the 100000 of a GPU"
                        + " the verifier reads, so that its mean covers only the latest: the member's ceiling of 500.0 W cannot be checked"));
        assertThat(check(WHOLE, contract(350), t).findings()).containsExactly(new Finding("trainer", "members.trainer.power",
                CommitmentStatus.BREACHED, "GPUs " + GPU0 + ", " + GPU1 + " on node " + NODE + " drew 400.0 W in all (mean of 100001 samples"
                        + " within the last 60s; GPU " + GPU0 + "'s mean covers only its latest 100000 samples, from 2026-12-05T09:59:10.000500Z"
                        + " to 2026-12-05T10:00:00Z, of more within the window), more than the member's ceiling of 350.0 W; the rest of what"
                        + " it draws on the node comes on top"));
    }

    /**
     * A window holding exactly as many samples of a GPU as a pass reads ({@link TelemetryClauses#MOST_SAMPLES}: the NVIDIA
     * provider's largest {@code telemetryHistory}, the whole of it within the window) is averaged whole: the mean covers
     * every sample, so the ceiling is checked. Before, such a walk was taken as cut, and the member was AT_RISK every pass
     * with evidence saying the window held more samples than the verifier reads, and a breach named a part of the window.
     */
    @Test
    void aWindowHoldingExactlyAsManySamplesAsAPassReadsIsAveragedWhole() {
        Samples t = new Samples();
        every(t, GPU0, WINDOW, 600_000L, 0, 300, 300); // 100,000 samples within the minute
        t.power(GPU1, 5, 100);
        assertThat(t.byGpu.get(GPU0)).hasSize(TelemetryClauses.MOST_SAMPLES);
        assertThat(check(WHOLE, contract(500), t).findings()).as("400 W under a ceiling of 500 W, every sample averaged").isEmpty();
        assertThat(check(WHOLE, contract(350), t).findings()).containsExactly(new Finding("trainer", "members.trainer.power",
                CommitmentStatus.BREACHED, "GPUs " + GPU0 + ", " + GPU1 + " on node " + NODE + " drew 400.0 W in all (mean of 100001 samples"
                        + " within the last 60s), more than the member's ceiling of 350.0 W; the rest of what it draws on the node comes on top"));
    }

    /**
     * A GPU whose samples could not be read (its source's recent samples failing, while its latest sample is within the
     * window) is not one without samples: where the GPUs measured breach the ceiling, the evidence counts it as one whose
     * samples could not be read. Before, it was counted among the GPUs "without samples", telling an operator the GPU
     * was silent when it was its samples that could not be read.
     */
    @Test
    void aBreachCountsAGpuWhoseSamplesCouldNotBeReadApartFromGpusWithoutSamples() {
        Samples t = new Samples() {
            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return acceleratorId.equals(GPU1) ? List.of() : super.recent(acceleratorId, limit);
            }
        };
        t.power(GPU0, 5, 700).power(GPU1, 5, 100);
        assertThat(check(WHOLE, contract(600), t).findings()).containsExactly(new Finding("trainer", "members.trainer.power",
                CommitmentStatus.BREACHED, "GPU " + GPU0 + " on node " + NODE + " drew 700.0 W (mean of 1 sample within the last 60s; "
                        + "1 of its 2 GPUs whose samples could not be read, not counted), more than the member's ceiling of 600.0 W; the "
                        + "rest of what it draws on the node comes on top"));

        Samples silent = new Samples().power(GPU0, 5, 700).power(GPU1, 300, 100);
        assertThat(check(WHOLE, contract(600), silent).findings()).extracting(Finding::evidence).last().asString()
                .as("a GPU with no sample within the window is one without samples").contains("1 of its 2 GPUs without samples, not counted");
    }

    /**
     * GPUs sampled within the window whose samples report no power draw (a device or driver that
     * does not: -1, or a value that is not finite) leave the member's ceiling unchecked, AT_RISK, and
     * not HONORED: nothing measures their share of what it draws. The finding names the GPUs and the
     * window, no sample's time nor any value, so it reads the same each pass while they report none.
     * GPUs measured that drew more than the ceiling on their own still breach it, the evidence
     * saying how many of the member's GPUs report no power. Shared GPUs and members without a
     * ceiling are not held to a draw, as before.
     */
    @Test
    void gpusSampledWithinTheWindowThatReportNoPowerLeaveTheCeilingUnchecked() {
        Samples none = new Samples().noPower(GPU0, 20, null).noPower(GPU0, 5, null).noPower(GPU1, 5, Double.NaN);
        List<Finding> unchecked = List.of(new Finding("trainer", "members.trainer.power", CommitmentStatus.AT_RISK, "GPUs " + GPU0 + ", "
                + GPU1 + " on node " + NODE + " report no power draw in their samples within the last 60s: the member's ceiling of 600.0 W "
                + "cannot be checked"));
        CommitmentCheck.Verdict v = check(WHOLE, contract(600), none);
        assertThat(v.status()).isEqualTo(CommitmentStatus.AT_RISK);
        assertThat(v.findings()).containsExactlyElementsOf(unchecked);
        none.noPower(GPU0, -25, null).noPower(GPU1, -25, Double.POSITIVE_INFINITY);
        assertThat(check(WHOLE, contract(600), none, NOW.plusSeconds(30)).findings()).as("a pass later, new samples reporting none: the "
                + "same finding").containsExactlyElementsOf(unchecked);

        Samples one = new Samples().power(GPU0, 5, 250).noPower(GPU1, 5, null);
        assertThat(check(WHOLE, contract(600), one).findings()).as("the GPU measured under the ceiling, the other's draw unknown")
                .containsExactly(new Finding("trainer", "members.trainer.power", CommitmentStatus.AT_RISK, "GPU " + GPU1 + " on node " + NODE
                        + " reports no power draw in its samples within the last 60s: the member's ceiling of 600.0 W cannot be checked"));

        Samples over = new Samples().power(GPU0, 5, 700).noPower(GPU1, 5, null);
        assertThat(check(WHOLE, contract(600), over).findings()).containsExactly(new Finding("trainer", "members.trainer.power",
                CommitmentStatus.BREACHED, "GPU " + GPU0 + " on node " + NODE + " drew 700.0 W (mean of 1 sample within the last 60s; 1 of "
                        + "its 2 GPUs reporting no power draw, not counted), more than the member's ceiling of 600.0 W; the rest of what it "
                        + "draws on the node comes on top"));

        assertThat(check(WHOLE, contract(0), none).findings()).as("no ceiling").isEmpty();
        assertThat(check(allocation(0.5, null, -1, GPU0), contract(100), none).findings()).as("a share").isEmpty();
        assertThat(check(allocation(3.0 / 7, "3g.40gb", 0, GPU0), contract(100), none).findings()).as("a partition").isEmpty();
    }

    /**
     * A GPU whose samples stopped and another whose samples report no power leave the ceiling
     * unchecked in one finding naming each with its reason. A pass judging gaps from an earlier
     * instant (one that could not read the telemetry in time, what the pass before read being out
     * of its window) judges the GPUs that report no power as of then too: the finding does not come
     * and go with a late pass.
     */
    @Test
    void aGapAndAGpuReportingNoPowerAreOneFindingOnTheCeilingThatALatePassKeeps() {
        Samples t = new Samples().power(GPU0, 300, 250).noPower(GPU1, 5, null);
        assertThat(check(WHOLE, contract(600), t).findings()).containsExactly(
                new Finding("trainer", "members.trainer.gpus", CommitmentStatus.AT_RISK, "GPU " + GPU0 + " (latest sample at "
                        + "2026-12-05T09:55:00Z) on node " + NODE + " has no telemetry sample within the last 60s: uncorrected ECC errors "
                        + "cannot be checked"),
                new Finding("trainer", "members.trainer.power", CommitmentStatus.AT_RISK, "GPU " + GPU0 + " (latest sample at "
                        + "2026-12-05T09:55:00Z) on node " + NODE + " has no telemetry sample within the last 60s; GPU " + GPU1 + " on node "
                        + NODE + " reports no power draw in its samples within the last 60s: the member's ceiling of 600.0 W cannot be "
                        + "checked"));

        Samples read = new Samples().noPower(GPU0, 70, null).noPower(GPU1, 70, null);
        InventorySnapshot inv = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        List<Finding> unchecked = check(WHOLE, contract(600), read, NOW.minusSeconds(10)).findings();
        assertThat(unchecked).as("the pass that read them").extracting(Finding::evidence).containsExactly("GPUs " + GPU0 + ", " + GPU1
                + " on node " + NODE + " report no power draw in their samples within the last 60s: the member's ceiling of 600.0 W cannot "
                + "be checked");
        assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), read, NOW, WINDOW, NOW.minusSeconds(10)).check(WHOLE, contract(600))
                .findings()).as("a late pass, judging as of the last that read").isEqualTo(unchecked);
        assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), read, NOW, WINDOW, NOW).check(WHOLE, contract(600)).findings())
                .as("judged as of the pass: a gap").extracting(Finding::evidence).allMatch(e -> e.contains("no telemetry sample within"));
    }

    /**
     * A pass judging gaps from an earlier instant (its own telemetry calls not answered in time,
     * what the pass before read being out of its window) judges a GPU's uncorrected ECC errors by
     * the sample the last pass that could read had, in the same words: the finding does not vanish
     * for one late pass. Judged as of the pass, the GPUs are a gap.
     */
    @Test
    void aLatePassJudgesEccErrorsByTheSampleTheLastPassThatCouldReadHad() {
        Samples read = new Samples().add(GpuSample.builder().acceleratorId(GPU0).at(NOW.minusSeconds(70)).eccUncorrected(0).build())
                .add(GpuSample.builder().acceleratorId(GPU1).at(NOW.minusSeconds(70)).eccUncorrected(2).build());
        InventorySnapshot inv = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        List<Finding> errors = check(WHOLE, contract(0), read, NOW.minusSeconds(10)).findings();
        assertThat(errors).as("the pass that read them").containsExactly(new Finding("trainer", "members.trainer.gpus",
                CommitmentStatus.AT_RISK, "GPU " + GPU1 + " on node " + NODE + " reports 2 uncorrected ECC errors since its driver loaded "
                        + "(telemetry at 2026-12-05T09:58:50Z); work on it may have been lost"));
        assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), read, NOW, WINDOW, NOW.minusSeconds(10)).check(WHOLE, contract(0))
                .findings()).as("a late pass, judging as of the last that read").isEqualTo(errors);
        assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), read, NOW, WINDOW, NOW).check(WHOLE, contract(0)).findings())
                .as("judged as of the pass: a gap").extracting(Finding::evidence).containsExactly("GPUs " + GPU0 + " (latest sample at "
                        + "2026-12-05T09:58:50Z), " + GPU1 + " (latest sample at 2026-12-05T09:58:50Z) on node " + NODE + " have no telemetry "
                        + "sample within the last 60s: uncorrected ECC errors cannot be checked");
    }

    /**
     * A GPU FAILED or gone from its node breaches the GPU clause already; without samples (its
     * driver gone with it) or with samples that report no power, it does not also leave the member's
     * ceiling unchecked: a failed GPU draws nothing to check, and the power clause judges the
     * member's other GPUs, as the ECC clause does.
     */
    @Test
    void aFailedOrGoneGpuLeavesTheCeilingToTheMembersOtherGpus() {
        InventorySnapshot failed = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.withGpu(1,
                g -> g.toBuilder().health(new Health(Health.Status.FAILED, List.of("XID 79"))).build()));
        Finding failure = new Finding("trainer", "members.trainer.gpus", CommitmentStatus.BREACHED, "GPU " + GPU1 + " on node " + NODE
                + " has FAILED (XID 79)");
        Samples stopped = new Samples().power(GPU0, 5, 250).power(GPU1, 300, 250);
        assertThat(new CommitmentCheck.Pass(failed, List.of(WHOLE), stopped, NOW, WINDOW).check(WHOLE, contract(600)).findings())
                .as("its samples stopped").containsExactly(failure);
        Samples unreported = new Samples().power(GPU0, 5, 250).noPower(GPU1, 5, null);
        assertThat(new CommitmentCheck.Pass(failed, List.of(WHOLE), unreported, NOW, WINDOW).check(WHOLE, contract(600)).findings())
                .as("its samples report no power").containsExactly(failure);

        Samples bothStopped = new Samples().power(GPU0, 300, 250).power(GPU1, 300, 250);
        assertThat(new CommitmentCheck.Pass(failed, List.of(WHOLE), bothStopped, NOW, WINDOW).check(WHOLE, contract(600)).findings())
                .as("the other GPU's samples stopped too").containsExactly(failure,
                        new Finding("trainer", "members.trainer.gpus", CommitmentStatus.AT_RISK, "GPU " + GPU0 + " (latest sample at "
                                + "2026-12-05T09:55:00Z) on node " + NODE + " has no telemetry sample within the last 60s: uncorrected ECC "
                                + "errors cannot be checked"),
                        new Finding("trainer", "members.trainer.power", CommitmentStatus.AT_RISK, "GPU " + GPU0 + " (latest sample at "
                                + "2026-12-05T09:55:00Z) on node " + NODE + " has no telemetry sample within the last 60s: the member's "
                                + "ceiling of 600.0 W cannot be checked"));
        Samples over = new Samples().power(GPU0, 5, 700).power(GPU1, 300, 250);
        assertThat(new CommitmentCheck.Pass(failed, List.of(WHOLE), over, NOW, WINDOW).check(WHOLE, contract(600)).findings())
                .as("the other GPU over the ceiling on its own").extracting(Finding::clause, Finding::status).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("members.trainer.gpus", CommitmentStatus.BREACHED),
                        org.assertj.core.groups.Tuple.tuple("members.trainer.power", CommitmentStatus.BREACHED));

        dev.strata.platform.api.model.Node node = CommitmentCheckTest.node();
        InventorySnapshot gone = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), node.withAccelerators(List.of(
                node.accelerators().get(0))));
        assertThat(new CommitmentCheck.Pass(gone, List.of(WHOLE), unreported, NOW, WINDOW).check(WHOLE, contract(600)).findings())
                .as("gone from the node").containsExactly(new Finding("trainer", "members.trainer.gpus", CommitmentStatus.BREACHED, "GPU "
                        + GPU1 + " is no longer on node " + NODE));
    }

    /**
     * A pass given an earlier instant to judge gaps from (that of the last pass whose telemetry calls
     * were answered, where its own were not) names only the GPUs with no sample within the window
     * before that instant either, in the same words, and judges the draw of a GPU with none within
     * its own window but one within the window before that instant as of then too: the late pass
     * says what the last pass that could read said, the 700 W over the ceiling included, where it
     * used to leave that GPU uncounted and the ceiling unbreached. An instant after the pass's is
     * taken as the pass's.
     */
    @Test
    void aPassJudgingGapsFromAnEarlierInstantJudgesTheGpusAsOfThatInstant() {
        Samples t = new Samples().power(GPU0, 70, 700).power(GPU1, 130, 200);
        InventorySnapshot inv = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        List<Finding> asOf30sAgo = check(WHOLE, contract(600), t, NOW.minusSeconds(30)).findings();
        assertThat(asOf30sAgo).as("the pass 30 s ago: GPU0 measured, GPU1 a gap").containsExactly(
                new Finding("trainer", "members.trainer.gpus", CommitmentStatus.AT_RISK, "GPU " + GPU1 + " (latest sample at "
                        + "2026-12-05T09:57:50Z) on node " + NODE + " has no telemetry sample within the last 60s: uncorrected ECC errors "
                        + "cannot be checked"),
                new Finding("trainer", "members.trainer.power", CommitmentStatus.BREACHED, "GPU " + GPU0 + " on node " + NODE + " drew "
                        + "700.0 W (mean of 1 sample within the last 60s; 1 of its 2 GPUs without samples, not counted), more than the "
                        + "member's ceiling of 600.0 W; the rest of what it draws on the node comes on top"));
        assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), t, NOW, WINDOW, NOW.minusSeconds(30)).check(WHOLE, contract(600))
                .findings()).as("a late pass, judging as of the pass 30 s ago").isEqualTo(asOf30sAgo);

        List<Finding> asOf70sAgo = check(WHOLE, contract(600), t, NOW.minusSeconds(70)).findings();
        assertThat(asOf70sAgo).as("the pass 70 s ago: both measured").extracting(Finding::status, Finding::evidence).containsExactly(
                org.assertj.core.groups.Tuple.tuple(CommitmentStatus.BREACHED, "GPUs " + GPU0 + ", " + GPU1 + " on node " + NODE
                        + " drew 900.0 W in all (mean of 2 samples within the last 60s), more than the member's ceiling of 600.0 W; the rest "
                        + "of what it draws on the node comes on top"));
        assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), t, NOW, WINDOW, NOW.minusSeconds(70)).check(WHOLE, contract(600))
                .findings()).as("a late pass, judging as of the pass 70 s ago").isEqualTo(asOf70sAgo);

        assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), t, NOW, WINDOW, NOW).check(WHOLE, contract(600)).findings())
                .as("judged as of the pass").extracting(Finding::evidence).allMatch(e -> e.startsWith("GPUs " + GPU0 + " (latest sample at "
                        + "2026-12-05T09:58:50Z), " + GPU1));
        assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), t, NOW, WINDOW, NOW.plusSeconds(120)).check(WHOLE, contract(600))
                .findings()).as("a later instant is the pass's").isEqualTo(check(WHOLE, contract(600), t).findings()).hasSize(2);
    }

    /**
     * Over what the verifier remembers ({@link RememberedTelemetry}): a pass whose telemetry calls
     * were not answered, what the pass before read being out of its window, judges the draw of the
     * GPUs whose samples it could not read as the last pass that read them did, in the same words
     * (before, they were not counted, and a member over its ceiling read HONORED); a window after
     * the first pass that could not read them, judged as of itself, their gap shows.
     */
    @Test
    void aLatePassJudgesTheDrawOfGpusItCouldNotReadAsTheLastPassThatReadThem() {
        RememberedTelemetry remembered = new RememberedTelemetry();
        Predicate<String> checked = Set.of(GPU0, GPU1)::contains;
        InventorySnapshot inv = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        Samples source = new Samples().power(GPU0, 30, 410).power(GPU0, 1, 390).power(GPU1, 30, 410).power(GPU1, 1, 390);
        CommitmentCheck.Verdict read = new CommitmentCheck.Pass(inv, List.of(WHOLE), remembered.over(source, NOW, WINDOW, REACH, checked), NOW,
                WINDOW).check(WHOLE, contract(600));
        assertThat(read.findings()).extracting(Finding::status, Finding::evidence).containsExactly(org.assertj.core.groups.Tuple.tuple(
                CommitmentStatus.BREACHED, "GPUs " + GPU0 + ", " + GPU1 + " on node " + NODE + " drew 800.0 W in all (mean of 4 samples "
                        + "within the last 60s), more than the member's ceiling of 600.0 W; the rest of what it draws on the node comes on top"));

        Instant late = NOW.plusSeconds(61);
        assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), remembered.over(new Samples(), late, WINDOW, REACH, checked), late, WINDOW, NOW)
                .check(WHOLE, contract(600))).as("a late pass: nothing answered, gaps judged as of the pass before").isEqualTo(read);

        Instant windowOn = NOW.plusSeconds(121);
        assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), remembered.over(new Samples(), windowOn, WINDOW, REACH, checked), windowOn, WINDOW,
                windowOn).check(WHOLE, contract(600)).findings()).as("a window on").extracting(Finding::status, Finding::evidence)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(CommitmentStatus.AT_RISK, "GPUs " + GPU0 + " (latest sample at "
                                + "2026-12-05T09:59:59Z), " + GPU1 + " (latest sample at 2026-12-05T09:59:59Z) on node " + NODE + " have no "
                                + "telemetry sample within the last 60s: uncorrected ECC errors cannot be checked"),
                        org.assertj.core.groups.Tuple.tuple(CommitmentStatus.AT_RISK, "GPUs " + GPU0 + " (latest sample at "
                                + "2026-12-05T09:59:59Z), " + GPU1 + " (latest sample at 2026-12-05T09:59:59Z) on node " + NODE + " have no "
                                + "telemetry sample within the last 60s: the member's ceiling of 600.0 W cannot be checked"));
    }

    /**
     * What a late pass does read counts: a GPU whose recent samples it read, over the ceiling
     * within its own window, breaches the ceiling of a member that was HONORED, the member's other
     * GPU (its samples not read) counted as the last pass that read it had it.
     */
    @Test
    void aLatePassCountsTheSamplesItDidRead() {
        RememberedTelemetry remembered = new RememberedTelemetry();
        Predicate<String> checked = Set.of(GPU0, GPU1)::contains;
        InventorySnapshot inv = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        Samples source = new Samples().power(GPU0, 5, 250).power(GPU1, 5, 250);
        assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), remembered.over(source, NOW, WINDOW, REACH, checked), NOW, WINDOW)
                .check(WHOLE, contract(600)).status()).isEqualTo(CommitmentStatus.HONORED);

        Samples recentOnly = new Samples() {
            @Override
            public List<GpuSample> latestGpuSamples() {
                return List.of(); // not answered
            }
        }.power(GPU0, -50, 700);
        Instant late = NOW.plusSeconds(61);
        assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), remembered.over(recentOnly, late, WINDOW, REACH, checked), late, WINDOW, NOW)
                .check(WHOLE, contract(600)).findings()).extracting(Finding::status, Finding::evidence).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(CommitmentStatus.BREACHED, "GPUs " + GPU0 + ", " + GPU1 + " on node " + NODE
                                + " drew 950.0 W in all (mean of 2 samples within the last 60s), more than the member's ceiling of 600.0 W; "
                                + "the rest of what it draws on the node comes on top"));
    }

    /**
     * A source that answers the GPUs' latest samples but not their recent ones (the pass's deadline
     * spent before they were read, a call that fails): their draw is judged as the last pass that
     * read them had it, for one window from the first pass that could not; then it is not known,
     * and the ceiling is unchecked, AT_RISK in words that name no value, until the samples are read
     * again. Before, such GPUs were not counted, the ceiling unbreached.
     */
    @Test
    void gpusWhoseRecentSamplesCannotBeReadAreJudgedAsLastReadForAWindowThenLeaveTheCeilingUnchecked() {
        RememberedTelemetry remembered = new RememberedTelemetry();
        Predicate<String> checked = Set.of(GPU0, GPU1)::contains;
        InventorySnapshot inv = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        Samples source = new Samples().power(GPU0, 1, 400).power(GPU1, 1, 400);
        CommitmentCheck.Verdict read = new CommitmentCheck.Pass(inv, List.of(WHOLE), remembered.over(source, NOW, WINDOW, REACH, checked), NOW,
                WINDOW).check(WHOLE, contract(600));
        assertThat(read.status()).isEqualTo(CommitmentStatus.BREACHED);

        Samples latestOnly = new Samples() {
            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return List.of();
            }
        };
        for (int seconds : new int[] {61, 120}) {
            Instant at = NOW.plusSeconds(seconds);
            latestOnly.power(GPU0, -(seconds - 1), 400).power(GPU1, -(seconds - 1), 400);
            assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), remembered.over(latestOnly, at, WINDOW, REACH, checked), at, WINDOW)
                    .check(WHOLE, contract(600))).as("%ds on", seconds).isEqualTo(read);
        }
        List<Finding> unread = List.of(new Finding("trainer", "members.trainer.power", CommitmentStatus.AT_RISK, "the samples of GPUs "
                + GPU0 + ", " + GPU1 + " on node " + NODE + " within the last 60s could not be read: the member's ceiling of 600.0 W cannot "
                + "be checked"));
        for (int seconds : new int[] {121, 180}) {
            Instant at = NOW.plusSeconds(seconds);
            latestOnly.power(GPU0, -(seconds - 1), 400).power(GPU1, -(seconds - 1), 400);
            assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), remembered.over(latestOnly, at, WINDOW, REACH, checked), at, WINDOW)
                    .check(WHOLE, contract(600)).findings()).as("%ds on: a window after the first pass that could not read", seconds)
                    .isEqualTo(unread);
        }
        Samples one = new Samples().power(GPU0, -239, 250).power(GPU1, -239, 250);
        Instant back = NOW.plusSeconds(240);
        assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), remembered.over(one, back, WINDOW, REACH, checked), back, WINDOW)
                .check(WHOLE, contract(600)).status()).as("read again").isEqualTo(CommitmentStatus.HONORED);
        assertThat(check(WHOLE, contract(600), latestOnly, NOW.plusSeconds(180)).findings()).as("a pass given such a source alone")
                .isEqualTo(unread);
    }

    /**
     * A pass that cannot read a GPU's recent samples is answered those the last pass that read them had only where that
     * pass was within the reach, {@code interval + telemetryWindow} before it: with passes every 5 minutes and a window
     * of 1, a pass 6 minutes on; with passes on demand only, one a window on; with the defaults, two minutes on. Beyond
     * it (a second further, or hours on: passes on demand, a pause) the draw read then says nothing of now: it is not
     * known, and the ceiling is unchecked, not BREACHED by the draw of then.
     */
    @Test
    void recentSamplesAreAnsweredToAPassThatCannotReadThemOnlyWithinTheReach() {
        Predicate<String> checked = Set.of(GPU0, GPU1)::contains;
        InventorySnapshot inv = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        List<Finding> unread = List.of(new Finding("trainer", "members.trainer.power", CommitmentStatus.AT_RISK, "the samples of GPUs "
                + GPU0 + ", " + GPU1 + " on node " + NODE + " within the last 60s could not be read: the member's ceiling of 600.0 W cannot "
                + "be checked"));
        record Case(Duration interval, long seconds, boolean answered) {
        }
        for (Case c : List.of(new Case(Duration.ofMinutes(5), 360, true), new Case(Duration.ofMinutes(5), 361, false),
                new Case(Duration.ZERO, 60, true), new Case(Duration.ZERO, 61, false), new Case(Duration.ofMinutes(1), 120, true),
                new Case(Duration.ofMinutes(1), 121, false), new Case(Duration.ofMinutes(1), 3 * 3600, false),
                new Case(Duration.ZERO, 3 * 3600, false))) {
            Duration reach = new CommitmentSettings(c.interval(), WINDOW).latePassReach();
            RememberedTelemetry remembered = new RememberedTelemetry();
            CommitmentCheck.Verdict read = new CommitmentCheck.Pass(inv, List.of(WHOLE), remembered.over(new Samples().power(GPU0, 1, 400)
                    .power(GPU1, 1, 400), NOW, WINDOW, reach, checked), NOW, WINDOW).check(WHOLE, contract(600));
            assertThat(read.status()).isEqualTo(CommitmentStatus.BREACHED);

            Samples latestOnly = new Samples() {
                @Override
                public List<GpuSample> recent(String acceleratorId, int limit) {
                    return List.of();
                }
            }.power(GPU0, (int) -(c.seconds() - 1), 400).power(GPU1, (int) -(c.seconds() - 1), 400);
            Instant at = NOW.plusSeconds(c.seconds());
            CommitmentCheck.Verdict v = new CommitmentCheck.Pass(inv, List.of(WHOLE), remembered.over(latestOnly, at, WINDOW, reach, checked),
                    at, WINDOW).check(WHOLE, contract(600));
            if (c.answered()) {
                assertThat(v).as("%s", c).isEqualTo(read);
            } else {
                assertThat(v.findings()).as("%s", c).isEqualTo(unread);
            }
        }
    }

    /**
     * A pass's telemetry says whether its calls were all answered in time: not where one missed the
     * deadline, nor where one was not made because the one before is still in the source; yes
     * where they answered, and where no call was made (no telemetry service).
     */
    @Test
    void aPassesTelemetryTellsWhetherItsCallsWereAnswered() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        Samples hangs = new Samples() {
            @Override
            public List<GpuSample> latestGpuSamples() {
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.latestGpuSamples();
            }
        }.power(GPU0, 5, 100);
        try (BoundedTelemetry bounded = new BoundedTelemetry(() -> hangs, Duration.ofMillis(200))) {
            assertThat(bounded.answered()).as("no pass yet").isTrue();
            Telemetry first = bounded.forPass();
            assertThat(bounded.answered()).as("no call yet").isTrue();
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThat(first.latestGpuSamples()).isEmpty());
            assertThat(bounded.answered()).as("past the deadline").isFalse();
            assertThat(bounded.forPass().latestGpuSamples()).isEmpty();
            assertThat(bounded.answered()).as("the call before still in the source").isFalse();
            hold.countDown();
            // the held call returns meanwhile: until it has, a pass's call is not made; then one is, and answered
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            List<GpuSample> answered = bounded.forPass().latestGpuSamples();
            while (answered.isEmpty() && System.nanoTime() < until) {
                Thread.sleep(20);
                answered = bounded.forPass().latestGpuSamples();
            }
            assertThat(answered).hasSize(1);
            assertThat(bounded.answered()).isTrue();
        }
        try (BoundedTelemetry none = new BoundedTelemetry(() -> null, Duration.ofSeconds(5))) {
            assertThat(none.forPass().latestGpuSamples()).isEmpty();
            assertThat(none.answered()).isTrue();
        }
    }

    @Test
    void aTelemetryThatHangsCostsAPassOneDeadlineAndNoFindings() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        Telemetry hangs = new Samples() {
            @Override
            public List<GpuSample> latestGpuSamples() {
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return List.of();
            }
        };
        try (BoundedTelemetry bounded = new BoundedTelemetry(() -> hangs, Duration.ofMillis(200))) {
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                assertThat(check(WHOLE, contract(100), bounded).findings()).isEmpty();
                // the call is still in the source: the next is not made, and answers at once
                assertThat(bounded.latestGpuSamples()).isEmpty();
            });
            hold.countDown();
        }
        Samples answering = new Samples().power(GPU0, 5, 700).power(GPU1, 5, 700);
        try (BoundedTelemetry bounded = new BoundedTelemetry(() -> answering, Duration.ofSeconds(5))) {
            assertThat(check(WHOLE, contract(100), bounded).status()).isEqualTo(CommitmentStatus.BREACHED);
        }
        try (BoundedTelemetry none = new BoundedTelemetry(() -> null, Duration.ofSeconds(5))) {
            assertThat(none.latestGpuSamples()).isEmpty();
        }
    }

    /**
     * A source that answers every call, each just under the deadline, is given the deadline once
     * per pass in all, not once per GPU: the README promises 2 s a pass, and a pass over thousands
     * of GPUs would otherwise take as many times that, holding the verifier. Once a pass has spent
     * it, its calls answer nothing; the next pass is given a deadline of its own.
     */
    @Test
    void aTelemetrySlowOnEveryCallCostsAPassOneDeadlineInAll() throws Exception {
        AtomicInteger recentCalls = new AtomicInteger();
        Samples slow = new Samples() {
            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                recentCalls.incrementAndGet();
                try {
                    Thread.sleep(150);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.recent(acceleratorId, limit);
            }
        };
        List<Allocation> ledger = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String a = NODE + "/gpu" + (2 * i);
            String b = NODE + "/gpu" + (2 * i + 1);
            slow.power(a, 5, 400).power(b, 5, 400);
            ledger.add(new Allocation("a-" + i, "train", "t1", 10, false, Instant.parse("2026-01-01T00:00:00Z"), List.of(new MemberBinding(
                    "trainer", NODE, "fra-1", List.of(a, b), 1, null, 0, null, 8000, 64L << 30, 600, null))));
        }
        InventorySnapshot inv = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        try (BoundedTelemetry bounded = new BoundedTelemetry(() -> slow, Duration.ofMillis(250))) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                CommitmentCheck.Pass pass = new CommitmentCheck.Pass(inv, ledger, bounded.forPass(), NOW, WINDOW);
                ledger.forEach(a -> pass.check(a, contract(100)));
            });
            assertThat(recentCalls.get()).as("calls made in one pass of 20 GPUs, each call 150 ms, 250 ms in all").isLessThanOrEqualTo(2);

            Thread.sleep(400); // the call cut short returns meanwhile
            int before = recentCalls.get();
            CommitmentCheck.Pass next = new CommitmentCheck.Pass(inv, ledger, bounded.forPass(), NOW, WINDOW);
            assertThat(next.check(ledger.get(0), contract(100)).findings()).as("the next pass, its own deadline")
                    .extracting(Finding::clause).containsExactly("members.trainer.power");
            assertThat(recentCalls.get()).isGreaterThan(before);

            // only the time the calls wait is counted, not the pass's own work between them (a first pass reads every contract)
            Thread.sleep(400);
            CommitmentCheck.Pass third = new CommitmentCheck.Pass(inv, ledger, bounded.forPass(), NOW, WINDOW);
            Thread.sleep(400);
            assertThat(third.check(ledger.get(1), contract(100)).findings()).extracting(Finding::clause).contains("members.trainer.power");
        }
    }

    /**
     * What a source answers is read within the bounded call: an answer holding nulls is read
     * without them, and one that cannot be read (a source's live list, changed while it is read)
     * costs the pass its telemetry, as a call that throws does, not its verdict: the other clauses
     * are still verified.
     */
    @Test
    void anAnswerThatCannotBeReadCostsThePassItsTelemetryNotItsVerdict() {
        Samples withNulls = new Samples() {
            @Override
            public List<GpuSample> latestGpuSamples() {
                return java.util.Arrays.asList(sample(GPU0), null, sample(GPU1));
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return java.util.Arrays.asList(null, sample(acceleratorId));
            }

            GpuSample sample(String gpu) {
                return GpuSample.builder().acceleratorId(gpu).at(NOW.minusSeconds(5)).powerWatts(700).eccUncorrected(0).build();
            }
        };
        try (BoundedTelemetry bounded = new BoundedTelemetry(() -> withNulls, Duration.ofSeconds(5))) {
            assertThat(check(WHOLE, contract(1000), bounded).findings()).singleElement().satisfies(f -> assertThat(f.evidence())
                    .contains("drew 1400.0 W in all (mean of 2 samples within the last 60s)"));
        }

        Samples changing = new Samples() {
            @Override
            public List<GpuSample> latestGpuSamples() {
                return new java.util.AbstractList<>() {
                    @Override
                    public GpuSample get(int index) {
                        throw new ConcurrentModificationException();
                    }

                    @Override
                    public int size() {
                        return 2;
                    }
                };
            }
        };
        InventorySnapshot failed = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.withGpu(1,
                g -> g.toBuilder().health(new Health(Health.Status.FAILED, List.of("XID 48"))).build()));
        try (BoundedTelemetry bounded = new BoundedTelemetry(() -> changing, Duration.ofSeconds(5))) {
            assertThat(new CommitmentCheck.Pass(failed, List.of(WHOLE), bounded, NOW, WINDOW).check(WHOLE, contract(100)).findings())
                    .extracting(Finding::clause).containsExactly("members.trainer.gpus");
        }
    }

    /**
     * The ECC clause reads a GPU's latest sample within the window, as documented: where the
     * latest sample of all was taken after the pass's instant (a source whose clock runs ahead of
     * Strata's), the latest one within the window is read, not none.
     */
    @Test
    void theEccClauseReadsTheLatestSampleWithinTheWindowThoughALaterOneIsAfterThePass() {
        Samples t = new Samples()
                .add(GpuSample.builder().acceleratorId(GPU1).at(NOW.minusSeconds(7)).eccUncorrected(1).build())
                .add(GpuSample.builder().acceleratorId(GPU1).at(NOW.minusSeconds(4)).eccUncorrected(2).build())
                .add(GpuSample.builder().acceleratorId(GPU1).at(NOW.plusSeconds(3)).eccUncorrected(2).build())
                .add(GpuSample.builder().acceleratorId(GPU0).at(NOW.minusSeconds(4)).eccUncorrected(0).build());
        assertThat(check(WHOLE, contract(0), t).findings()).containsExactly(new Finding("trainer", "members.trainer.gpus",
                CommitmentStatus.AT_RISK, "GPU " + GPU1 + " on node " + NODE + " reports 2 uncorrected ECC errors since its driver loaded "
                        + "(telemetry at 2026-12-05T09:59:56Z); work on it may have been lost"));
        Samples onlyAfter = new Samples().add(GpuSample.builder().acceleratorId(GPU1).at(NOW.plusSeconds(3)).eccUncorrected(2).build());
        assertThat(check(WHOLE, contract(0), onlyAfter).findings()).as("no sample within the window: the errors cannot be checked")
                .containsExactly(new Finding("trainer", "members.trainer.gpus", CommitmentStatus.AT_RISK, "GPU " + GPU1 + " (latest sample "
                        + "at 2026-12-05T10:00:03Z) on node " + NODE + " has no telemetry sample within the last 60s: uncorrected ECC errors "
                        + "cannot be checked"));
    }

    /**
     * A pass reads each GPU's recent samples from the source once, however many clauses and bindings judge it: a GPU whose
     * latest sample is after the pass (a source whose clock runs a little ahead) had them read again by each of its ECC
     * clause, its gap and its ceiling, three calls where one does, each spending the 2 s all of a pass's telemetry calls
     * are given, so that such a source with many GPUs made passes late. The verdict is the same.
     */
    @Test
    void aPassReadsAGpusRecentSamplesOnceThoughItsLatestIsAfterThePass() {
        AtomicInteger calls = new AtomicInteger();
        Samples ahead = new Samples() {
            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                calls.incrementAndGet();
                return super.recent(acceleratorId, limit);
            }
        };
        ahead.power(GPU0, 20, 350).power(GPU0, -2, 350).power(GPU1, 20, 350).power(GPU1, -2, 350);
        InventorySnapshot inv = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        CommitmentCheck.Verdict v = new CommitmentCheck.Pass(inv, List.of(WHOLE), new RememberedTelemetry().over(ahead, NOW, WINDOW, REACH,
                Set.of(GPU0, GPU1)::contains), NOW, WINDOW).check(WHOLE, contract(600));
        assertThat(v.findings()).singleElement().satisfies(f -> assertThat(f.evidence()).contains("drew 700.0 W in all (mean of 2 samples"));
        assertThat(calls.get()).as("one call per GPU").isEqualTo(2);
        calls.set(0);
        assertThat(check(WHOLE, contract(600), ahead).findings()).as("the source given directly").isEqualTo(v.findings());
        assertThat(calls.get()).as("one call per GPU").isEqualTo(2);
    }

    /**
     * The telemetry service lists every source's latest samples, so a GPU two sources sample (one that stopped sampling,
     * bound first, and the one sampling it now) is listed twice. The verifier judges it by the newest, as a pass given the
     * service directly does: before, it kept the first listed, so that a GPU sampled a second ago read as a gap (AT_RISK,
     * no sample within the window) and one reporting ECC errors now was judged by the stopped source's sample without them.
     */
    @Test
    void aGpuTwoSourcesSampleIsJudgedByItsNewestSampleThroughWhatTheVerifierRemembers() {
        Samples stopped = new Samples().add(GpuSample.builder().acceleratorId(GPU0).at(NOW.minusSeconds(300)).eccUncorrected(0).build())
                .add(GpuSample.builder().acceleratorId(GPU1).at(NOW.minusSeconds(30)).eccUncorrected(0).build());
        Samples sampling = new Samples().add(GpuSample.builder().acceleratorId(GPU0).at(NOW.minusSeconds(1)).eccUncorrected(0).build())
                .add(GpuSample.builder().acceleratorId(GPU1).at(NOW.minusSeconds(2)).eccUncorrected(2).build());
        Telemetry both = new Samples() {
            @Override
            public List<GpuSample> latestGpuSamples() {
                List<GpuSample> all = new ArrayList<>(stopped.latestGpuSamples());
                all.addAll(sampling.latestGpuSamples());
                return all;
            }

            @Override
            public List<GpuSample> recent(String acceleratorId, int limit) {
                return sampling.recent(acceleratorId, limit);
            }
        };
        Finding ecc = new Finding("trainer", "members.trainer.gpus", CommitmentStatus.AT_RISK, "GPU " + GPU1 + " on node " + NODE
                + " reports 2 uncorrected ECC errors since its driver loaded (telemetry at 2026-12-05T09:59:58Z); work on it may have been lost");
        assertThat(check(WHOLE, contract(0), both).findings()).as("the service given directly").containsExactly(ecc);
        InventorySnapshot inv = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        CommitmentCheck.Verdict v = new CommitmentCheck.Pass(inv, List.of(WHOLE), new RememberedTelemetry().over(both, NOW, WINDOW, REACH,
                Set.of(GPU0, GPU1)::contains), NOW, WINDOW).check(WHOLE, contract(0));
        assertThat(v.findings()).as("through what the verifier remembers").containsExactly(ecc);
    }

    /**
     * What the verifier read stays for as long as the window holds it, where the source answers
     * nothing any more (its provider replaced, a pass it did not answer in time): the verdict does
     * not flip to HONORED for the length of a swap. Once out of the window the samples are
     * forgotten, but not that telemetry covered the GPUs: a source gone for good leaves its GPUs'
     * clauses unchecked, AT_RISK with the time of each one's latest sample, and not HONORED, for as
     * long as the GPUs are checked (in the inventory or bound); one no longer checked is forgotten.
     */
    @Test
    void samplesReadBeforeCountWhileTheWindowHoldsThemAndTheGpusOfASourceGoneForGoodStayCovered() {
        RememberedTelemetry remembered = new RememberedTelemetry();
        Predicate<String> checked = Set.of(GPU0, GPU1)::contains;
        Samples before = new Samples().power(GPU0, 20, 400).power(GPU1, 20, 400)
                .add(GpuSample.builder().acceleratorId(GPU1).at(NOW.minusSeconds(10)).powerWatts(400).eccUncorrected(3).build());
        InventorySnapshot inv = CommitmentCheckTest.inventory(CommitmentCheckTest.fra1(), CommitmentCheckTest.node());
        CommitmentCheck.Verdict first = new CommitmentCheck.Pass(inv, List.of(WHOLE), remembered.over(before, NOW, WINDOW, REACH, checked), NOW,
                WINDOW).check(WHOLE, contract(600));
        assertThat(first.findings()).extracting(Finding::clause).containsExactly("members.trainer.gpus", "members.trainer.power");

        Instant later = NOW.plusSeconds(30);
        CommitmentCheck.Verdict gone = new CommitmentCheck.Pass(inv, List.of(WHOLE), remembered.over(new Samples(), later, WINDOW, REACH, checked),
                later, WINDOW).check(WHOLE, contract(600));
        assertThat(gone.findings()).as("the source answers nothing: what was read within the window still counts")
                .extracting(Finding::clause).containsExactly("members.trainer.gpus", "members.trainer.power");
        assertThat(gone.findings().get(1).evidence()).contains("drew 800.0 W in all (mean of 3 samples within the last 60s)");

        List<Finding> unchecked = List.of(
                new Finding("trainer", "members.trainer.gpus", CommitmentStatus.AT_RISK, "GPUs " + GPU0 + " (latest sample at "
                        + "2026-12-05T09:59:40Z), " + GPU1 + " (latest sample at 2026-12-05T09:59:50Z) on node " + NODE + " have no telemetry "
                        + "sample within the last 60s: uncorrected ECC errors cannot be checked"),
                new Finding("trainer", "members.trainer.power", CommitmentStatus.AT_RISK, "GPUs " + GPU0 + " (latest sample at "
                        + "2026-12-05T09:59:40Z), " + GPU1 + " (latest sample at 2026-12-05T09:59:50Z) on node " + NODE + " have no telemetry "
                        + "sample within the last 60s: the member's ceiling of 600.0 W cannot be checked"));
        for (int minutes : new int[] {2, 10, 59}) {
            Instant past = NOW.plus(Duration.ofMinutes(minutes));
            CommitmentCheck.Verdict v = new CommitmentCheck.Pass(inv, List.of(WHOLE), remembered.over(new Samples(), past, WINDOW, REACH, checked),
                    past, WINDOW).check(WHOLE, contract(600));
            assertThat(v.status()).as("%d min on", minutes).isEqualTo(CommitmentStatus.AT_RISK);
            assertThat(v.findings()).as("%d min on: out of the window, the errors and the draw are not known, nor held to hold", minutes)
                    .containsExactlyElementsOf(unchecked);
        }

        // a source that answers again is taken as it answers
        Samples back = new Samples().power(GPU0, -3590, 100).power(GPU1, -3590, 100);
        Instant again = NOW.plusSeconds(3600);
        assertThat(new CommitmentCheck.Pass(inv, List.of(WHOLE), remembered.over(back, again, WINDOW, REACH, checked), again, WINDOW).check(WHOLE,
                contract(600)).findings()).isEmpty();

        // gone again, and the GPUs no longer checked (out of the inventory, bound by no allocation): forgotten with the window
        Instant released = again.plus(Duration.ofMinutes(5));
        remembered.over(new Samples(), released, WINDOW, REACH, gpu -> false);
        assertThat(remembered.gpus()).isZero();
    }
}
