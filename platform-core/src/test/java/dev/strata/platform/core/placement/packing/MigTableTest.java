package dev.strata.platform.core.placement.packing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.model.PartitionProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * MIG as NVIDIA places it, on the H100 table as {@code nvidia-smi mig -lgip} and {@code -lgipp}
 * print it on a real H100 80GB HBM3 ({@code shared/fixtures/nvidia/h100-vm}): profile ids 19, 20,
 * 15, 14, 9, 5, 0 with placements {@code {0..6}:1}, {@code {0..6}:1} (one instance),
 * {@code {0,2,4,6}:2}, {@code {0,2,4}:2}, {@code {0,4}:4}, {@code {0}:4}, {@code {0}:8}.
 */
public class MigTableTest {

    public static List<PartitionProfile> h100() {
        return List.of(
                new PartitionProfile("1g.10gb", 19, 7, 9984L << 20, 16, 1, 7, List.of(0, 1, 2, 3, 4, 5, 6), 1),
                new PartitionProfile("1g.10gb+me", 20, 1, 9984L << 20, 16, 1, 7, List.of(0, 1, 2, 3, 4, 5, 6), 1),
                new PartitionProfile("1g.20gb", 15, 4, 20096L << 20, 26, 1, 7, List.of(0, 2, 4, 6), 2),
                new PartitionProfile("2g.20gb", 14, 3, 20096L << 20, 32, 2, 7, List.of(0, 2, 4), 2),
                new PartitionProfile("3g.40gb", 9, 2, 40448L << 20, 60, 3, 7, List.of(0, 4), 4),
                new PartitionProfile("4g.40gb", 5, 1, 40448L << 20, 64, 4, 7, List.of(0), 4),
                new PartitionProfile("7g.80gb", 0, 1, 81152L << 20, 132, 7, 7, List.of(0), 8));
    }

    /** An A30's MIG table ({@code nvidia-smi mig -lgip} / {@code -lgipp}): 4 compute slices over 4 memory slots. */
    public static List<PartitionProfile> a30() {
        return List.of(
                new PartitionProfile("1g.6gb", 14, 4, 5836L << 20, 14, 1, 4, List.of(0, 1, 2, 3), 1),
                new PartitionProfile("1g.6gb+me", 21, 1, 5836L << 20, 14, 1, 4, List.of(0, 1, 2, 3), 1),
                new PartitionProfile("2g.12gb", 5, 2, 11950L << 20, 28, 2, 4, List.of(0, 2), 2),
                new PartitionProfile("4g.24gb", 0, 1, 24062L << 20, 56, 4, 4, List.of(0), 4));
    }

    /**
     * A declared model's MIG table of 8 compute slices over 8 memory slots ({@code gpus.migProfiles}
     * in full form may give one; NVIDIA's have 7, or 4 on an A30): a {@code 1g} is 1/8 of its GPU.
     */
    public static List<PartitionProfile> eightSlices() {
        return List.of(
                new PartitionProfile("1g.10gb", -1, 8, 10L << 30, 0, 1, 8, List.of(0, 1, 2, 3, 4, 5, 6, 7), 1),
                new PartitionProfile("1g.20gb", -1, 4, 20L << 30, 0, 1, 8, List.of(0, 2, 4, 6), 2),
                new PartitionProfile("2g.20gb", -1, 4, 20L << 30, 0, 2, 8, List.of(0, 2, 4, 6), 2),
                new PartitionProfile("3g.40gb", -1, 2, 40L << 30, 0, 3, 8, List.of(0, 4), 4),
                new PartitionProfile("4g.40gb", -1, 2, 40L << 30, 0, 4, 8, List.of(0, 4), 4),
                new PartitionProfile("8g.80gb", -1, 1, 80L << 30, 0, 8, 8, List.of(0), 8));
    }

    static final MigTable H100 = MigTable.of(h100());

    /**
     * A MIG instance takes its compute slices over its GPU's own: a {@code 1g} is a quarter of an A30
     * (4 slices) and a seventh of an H100, and an A30 full of instances has nothing left. Counted as
     * sevenths whatever the GPU, four {@code 1g.6gb} left an A30 with 0.432 of it free.
     */
    @Test
    void aPartitionTakesItsShareOfItsOwnGpusComputeSlices() {
        MigTable a30 = MigTable.of(a30());
        assertThat(a30.computeSlices()).isEqualTo(4);
        assertThat(a30.milli(a30.profile("1g.6gb"))).isEqualTo(250);
        assertThat(a30.milli(a30.profile("2g.12gb"))).isEqualTo(500);
        assertThat(a30.milli(a30.profile("4g.24gb"))).isEqualTo(1000);
        assertThat(H100.milli(H100.profile("1g.10gb"))).isEqualTo(142);
        assertThat(H100.milli(H100.profile("3g.40gb"))).isEqualTo(428);
        assertThat(H100.milli(H100.profile("7g.80gb"))).isEqualTo(1000);

        NodeCapacity node = new NodeCapacity("n", "A30", 64_000, 512 * 1024, new int[] {-1}, null, a30);
        assertThat(fill(node, "1g.6gb", "1g.6gb", "1g.6gb")).isEmpty();
        assertThat(node.gpuFreeMilli(0)).isEqualTo(250);
        assertThat(fill(node, "1g.6gb", "1g.6gb")).as("the A30 holds four").containsExactly("1g.6gb");
        assertThat(node.gpuFreeMilli(0)).isZero();
        node.release(mig("1g.6gb"), new int[] {0}, 3);
        assertThat(node.gpuFreeMilli(0)).isEqualTo(250);

        NodeCapacity h100 = gpu();
        assertThat(fill(h100, "1g.10gb")).isEmpty();
        assertThat(h100.gpuFreeMilli(0)).isEqualTo(858);
    }

    private static NodeCapacity gpu() {
        return new NodeCapacity("n", "H100", 64_000, 512 * 1024, new int[] {-1}, null, H100);
    }

    private static Demand mig(String profile) {
        int g = Integer.parseInt(profile.substring(0, profile.indexOf('g')));
        return Demand.partition(1000, 1024, profile, g, Set.of(), false);
    }

    /** Places the profiles one after another where the kernel would, or says which did not fit. */
    private static List<String> fill(NodeCapacity node, String... profiles) {
        List<String> refused = new ArrayList<>();
        for (String p : profiles) {
            Demand d = mig(p);
            int slot = node.gpuServes(0, d) ? node.bestSlot(0, d) : -1;
            if (slot < 0) {
                refused.add(p);
            } else {
                node.allocate(d, new int[] {0}, slot);
            }
        }
        return refused;
    }

    @Test
    void theTableIsReadFromThePlacements() {
        assertThat(H100.slotCount()).isEqualTo(8);
        assertThat(H100.computeSlices()).isEqualTo(7);
        assertThat(H100.profileCount()).isEqualTo(7);
        assertThat(MigTable.of(List.of(new PartitionProfile("1g.10gb", -1, 7, 10L << 30, 0, 1, 7, List.of(), 0)))).as("no placements").isNull();
    }

    @Test
    void aPlacementListedTwiceIsOneStart() {
        MigTable table = MigTable.of(List.of(new PartitionProfile("1g.0gb", 0, 2, 1L << 30, 1, 1, 3, List.of(0, 3, 3), 4)));
        assertThat(table.profile(0).starts()).containsExactly(0, 3);
        assertThat(table.feasibleStarts(0, 0)).containsExactly(0, 3);
    }

    @Test
    void sevenSmallestInstancesFillTheGpuAndAnEighthIsRefused() {
        NodeCapacity node = gpu();
        assertThat(fill(node, "1g.10gb", "1g.10gb", "1g.10gb", "1g.10gb", "1g.10gb", "1g.10gb", "1g.10gb")).isEmpty();
        assertThat(fill(node, "1g.10gb")).containsExactly("1g.10gb");
        assertThat(node.gpuFreeMilli(0)).isEqualTo(1000 - 7 * 142);
    }

    @Test
    void fourOf1g20gbAndNotFive() {
        // issue case 1: five 1g.20gb were placed on one GPU that allows four (100 GB of partitions on 80 GB)
        NodeCapacity node = gpu();
        assertThat(fill(node, "1g.20gb", "1g.20gb", "1g.20gb", "1g.20gb", "1g.20gb")).containsExactly("1g.20gb");
        assertThat(H100.occupied(node.gpuLayout(0))).isEqualTo(0xFF);
    }

    @Test
    void fourPlusThreeFillsTheGpuInEitherOrder() {
        // issue case 2: 4g.40gb + 3g.40gb was refused ("no GPU with 42.9 % free")
        assertThat(fill(gpu(), "4g.40gb", "3g.40gb")).isEmpty();
        NodeCapacity other = gpu();
        assertThat(fill(other, "3g.40gb", "4g.40gb")).as("3g.40gb starts at slot 4, leaving slot 0 to the 4g").isEmpty();
        assertThat(H100.describe(other.gpuLayout(0))).isEqualTo("4g.40gb@0 3g.40gb@4");
        assertThat(fill(other, "1g.10gb")).as("no compute slice left").containsExactly("1g.10gb");
    }

    @Test
    void instanceCountsAndComputeSlicesBound() {
        NodeCapacity node = gpu();
        assertThat(fill(node, "1g.10gb+me", "1g.10gb+me")).as("one media-extension instance per GPU").containsExactly("1g.10gb+me");
        NodeCapacity twos = gpu();
        assertThat(fill(twos, "2g.20gb", "2g.20gb", "2g.20gb", "1g.10gb", "1g.10gb")).containsExactly("1g.10gb");
        assertThat(H100.computeUsed(twos.gpuLayout(0))).isEqualTo(7);
    }

    @Test
    void aGpuHoldsMigInstancesOrFractionsNeverBoth() {
        NodeCapacity node = gpu();
        node.allocate(Demand.sharedGpu(1000, 1024, 250), new int[] {0});
        assertThat(node.gpuServes(0, mig("1g.10gb"))).isFalse();
        assertThatThrownBy(() -> node.allocate(mig("1g.10gb"), new int[] {0}, 6)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("holds fractions");
        NodeCapacity other = gpu();
        fill(other, "1g.10gb");
        assertThat(other.gpuServes(0, Demand.sharedGpu(1000, 1024, 100))).isFalse();
        assertThat(other.gpuServes(0, Demand.wholeGpus(1000, 1024, 1))).isFalse();
    }

    @Test
    void releaseGivesTheSlotsBackExactly() {
        NodeCapacity node = gpu();
        Demand d = mig("3g.40gb");
        node.allocate(d, new int[] {0}, 4);
        NodeCapacity before = node.copy();
        node.allocate(mig("4g.40gb"), new int[] {0}, 0);
        node.release(mig("4g.40gb"), new int[] {0}, 0);
        assertThat(node.toString()).isEqualTo(before.toString());
        assertThatThrownBy(() -> node.release(d, new int[] {0}, 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no MIG 3g.40gb instance at slot 0");
        node.release(d, new int[] {0}, 4);
        assertThat(node.gpuLayout(0)).isZero();
        assertThat(node.gpuFreeMilli(0)).isEqualTo(1000);
    }

    @Test
    void failedGpusServeNothingAndDegradedOnlyWhenAllowed() {
        NodeCapacity node = new NodeCapacity("n", "H100", 64_000, 512 * 1024, new int[] {-1, -1, -1},
                new int[] {NodeCapacity.FAILED, NodeCapacity.DEGRADED, NodeCapacity.HEALTHY}, null);
        Demand one = Demand.wholeGpus(1000, 1024, 1);
        assertThat(GpuChoices.onHost(node, one)).extracting(g -> g[0]).containsExactly(2);
        assertThat(GpuChoices.onHost(node, one.withDegradedAllowed(true))).extracting(g -> g[0]).containsExactlyInAnyOrder(1, 2);
        assertThat(node.canHost(Demand.wholeGpus(1000, 1024, 2))).isFalse();
        assertThat(node.canHost(Demand.wholeGpus(1000, 1024, 2).withDegradedAllowed(true))).isTrue();
        assertThat(node.canHost(Demand.wholeGpus(1000, 1024, 3).withDegradedAllowed(true))).as("failed is never used").isFalse();
        assertThatThrownBy(() -> node.allocate(one, new int[] {0})).isInstanceOf(IllegalStateException.class).hasMessageContaining("failed");
    }

    @Test
    void thePackerNamesTheSlot() {
        Packer packer = new Packer(List.of(gpu()), new BestFitPolicy(64_000, 1000));
        Optional<Fit> first = packer.place(mig("3g.40gb"));
        assertThat(first).get().extracting(Fit::slot).isEqualTo(4);
        assertThat(packer.place(mig("4g.40gb"))).get().extracting(Fit::slot).isEqualTo(0);
        assertThat(packer.place(mig("1g.10gb"))).isEmpty();
    }

    /**
     * A table of 8 compute slices (a declared model's may have them): a {@code 1g} takes 1/8 of
     * its GPU, so the kernel places eight of them. Its first check counted the demand's 1/7, and
     * refused the eighth with 125 thousandths free.
     */
    @Test
    void thePackerFillsAGpuOfEightSlicesAsItsTableAllows() {
        MigTable eight = MigTable.of(eightSlices());
        Packer packer = new Packer(List.of(new NodeCapacity("n", "Declared", 64_000, 512 * 1024, new int[] {-1}, null, eight)),
                new BestFitPolicy(64_000, 1000));
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Optional<Fit> fit = packer.place(mig("1g.10gb"));
            assertThat(fit).as("1g.10gb number %d of 8", i + 1).isPresent();
            slots.add(fit.get().slot());
        }
        assertThat(slots).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(packer.place(mig("1g.10gb"))).as("every slot is taken").isEmpty();
        assertThat(packer.nodes().get(0).gpuFreeMilli(0)).isEqualTo(0);
    }

    /** Whatever is placed and released, in any order, a GPU's layout keeps NVIDIA's rules. */
    @Property(tries = 300)
    void layoutsKeepTheRules(@ForAll long seed) {
        Random r = new Random(seed);
        NodeCapacity node = gpu();
        List<int[]> held = new ArrayList<>(); // {profile, slot}
        for (int step = 0; step < 40; step++) {
            if (!held.isEmpty() && r.nextInt(3) == 0) {
                int[] h = held.remove(r.nextInt(held.size()));
                node.release(mig(H100.profile(h[0]).name()), new int[] {0}, h[1]);
            } else {
                int p = r.nextInt(H100.profileCount());
                Demand d = mig(H100.profile(p).name());
                int[] starts = H100.feasibleStarts(node.gpuLayout(0), p);
                if (starts.length > 0 && node.gpuServes(0, d)) {
                    int slot = r.nextBoolean() ? starts[r.nextInt(starts.length)] : node.bestSlot(0, d);
                    node.allocate(d, new int[] {0}, slot);
                    held.add(new int[] {p, slot});
                }
            }
            long layout = node.gpuLayout(0);
            int mask = 0;
            int compute = 0;
            int[] count = new int[H100.profileCount()];
            for (int[] h : held) {
                MigTable.Profile p = H100.profile(h[0]);
                int slots = ((1 << p.slots()) - 1) << h[1];
                assertThat(mask & slots).as("no two instances share a memory slot").isZero();
                assertThat(p.starts()).contains(h[1]);
                mask |= slots;
                compute += p.computeSlices();
                count[h[0]]++;
                assertThat(count[h[0]]).isLessThanOrEqualTo(p.maxInstances());
            }
            assertThat(mask).isEqualTo(H100.occupied(layout));
            assertThat(compute).isLessThanOrEqualTo(7).isEqualTo(H100.computeUsed(layout));
            assertThat(node.gpuFreeMilli(0)).isGreaterThanOrEqualTo(0);
        }
    }

    /**
     * Any MIG table, not only the H100's: random profiles (instance sizes from one slot to all 16,
     * placements anywhere they fit, repeated now and then, up to every compute slice, instance
     * limits from none to many, some profiles unusable: no placements, no compute, no instances)
     * and random places (at a start the table allows, at the start the table advises, or anywhere,
     * slot -1 and one past the end included) and releases. The model is a list of the instances
     * held, checked against the raw profiles only: a start is allowed exactly when it is one of the
     * profile's placements, its memory slots are free, a compute slice is left for each of its
     * own and the profile has an instance left. The node must serve, list and accept exactly those
     * starts, refuse every other without changing, and show the model's slots and compute.
     */
    @Property(tries = 300)
    void anyTablePlacesAnInstanceExactlyWhereItsProfilesAllow(@ForAll long seed) {
        Random r = new Random(seed);
        int slotCount = 1 + r.nextInt(MigTable.MAX_SLOTS);
        int compute = 1 + r.nextInt(7);
        List<PartitionProfile> raw = new ArrayList<>();
        int count = 1 + r.nextInt(6);
        for (int i = 0; i < count; i++) {
            int size = 1 + r.nextInt(slotCount);
            List<Integer> placements = new ArrayList<>();
            for (int s = 0; s + size <= slotCount; s++) {
                if (r.nextInt(3) > 0) {
                    placements.add(s);
                    if (r.nextInt(10) == 0) {
                        placements.add(s); // a placement listed twice
                    }
                }
            }
            int slices = 1 + r.nextInt(compute);
            int max = 1 + r.nextInt(slotCount);
            if (i > 0) {
                // some profiles the table cannot use
                switch (r.nextInt(10)) {
                    case 0 -> placements.clear();
                    case 1 -> slices = 0;
                    case 2 -> max = 0;
                    default -> { }
                }
            }
            if (i == 0 && placements.isEmpty()) {
                placements.add(r.nextInt(slotCount - size + 1));
            }
            raw.add(new PartitionProfile(slices + "g." + i + "gb", i, max, 1L << 30, 1, slices, compute, placements, size));
        }
        MigTable table = MigTable.of(raw);
        NodeCapacity node = new NodeCapacity("n", "H100", 64_000, 512 * 1024, new int[] {-1}, null, table);
        List<int[]> held = new ArrayList<>(); // {raw profile, start}
        for (int step = 0; step < 40; step++) {
            if (!held.isEmpty() && r.nextInt(3) == 0) {
                int[] h = held.remove(r.nextInt(held.size()));
                node.release(demand(raw.get(h[0])), new int[] {0}, h[1]);
            } else {
                int p = r.nextInt(raw.size());
                PartitionProfile profile = raw.get(p);
                Demand d = demand(profile);
                List<Integer> allowed = allowedStarts(raw, held, p);
                String why = "profile " + profile.name() + " of " + raw + " holding " + describe(raw, held);
                assertThat(node.gpuServes(0, d)).as(why).isEqualTo(!allowed.isEmpty());
                int index = table.profile(profile.name());
                if (index >= 0) {
                    assertThat(table.feasibleStarts(node.gpuLayout(0), index)).as(why).containsExactly(allowed.stream().mapToInt(Integer::intValue).toArray());
                }
                int best = node.bestSlot(0, d);
                if (allowed.isEmpty()) {
                    assertThat(best).as(why).isEqualTo(-1);
                } else {
                    assertThat(allowed).as(why).contains(best);
                }
                int start = switch (r.nextInt(3)) {
                    case 0 -> allowed.isEmpty() ? -1 : allowed.get(r.nextInt(allowed.size()));
                    case 1 -> best;
                    default -> r.nextInt(slotCount + 2) - 1;
                };
                String before = node.toString();
                if (allowed.contains(start)) {
                    node.allocate(d, new int[] {0}, start);
                    held.add(new int[] {p, start});
                } else {
                    int refused = start;
                    assertThatThrownBy(() -> node.allocate(d, new int[] {0}, refused)).as("%s at %d", why, start)
                            .isInstanceOfAny(IllegalStateException.class, IllegalArgumentException.class);
                    assertThat(node.toString()).as("a refusal changes nothing").isEqualTo(before);
                }
            }
            int mask = 0;
            int slices = 0;
            for (int[] h : held) {
                PartitionProfile profile = raw.get(h[0]);
                mask |= ((1 << profile.placementSize()) - 1) << h[1];
                slices += profile.computeSlices();
            }
            long layout = node.gpuLayout(0);
            assertThat(table.occupied(layout)).as(describe(raw, held)).isEqualTo(mask);
            assertThat(table.computeUsed(layout)).as(describe(raw, held)).isEqualTo(slices);
            for (int p = 0; p < raw.size(); p++) {
                int index = table.profile(raw.get(p).name());
                int p0 = p;
                long n = held.stream().filter(h -> h[0] == p0).count();
                assertThat(index >= 0 ? table.instances(layout, index) : 0).as("instances of %s", raw.get(p).name()).isEqualTo((int) n);
            }
            assertThat(node.gpuFreeMilli(0)).isBetween(0, 1000);
        }
    }

    private static Demand demand(PartitionProfile p) {
        return Demand.partition(1000, 1024, p.name(), Math.max(1, p.computeSlices()), Set.of(), false);
    }

    /** The starts, ascending, at which the model allows another instance of raw profile {@code p}. */
    private static List<Integer> allowedStarts(List<PartitionProfile> raw, List<int[]> held, int p) {
        PartitionProfile profile = raw.get(p);
        int mask = 0;
        int slices = 0;
        int instances = 0;
        for (int[] h : held) {
            mask |= ((1 << raw.get(h[0]).placementSize()) - 1) << h[1];
            slices += raw.get(h[0]).computeSlices();
            instances += h[0] == p ? 1 : 0;
        }
        List<Integer> out = new ArrayList<>();
        if (profile.computeSlices() <= 0 || slices + profile.computeSlices() > profile.totalSlices() || instances >= profile.maxInstances()) {
            return out;
        }
        for (int s = 0; s < 32; s++) {
            int need = ((1 << profile.placementSize()) - 1) << s;
            if (profile.placements().contains(s) && (mask & need) == 0) {
                out.add(s);
            }
        }
        return out;
    }

    private static String describe(List<PartitionProfile> raw, List<int[]> held) {
        StringBuilder sb = new StringBuilder("[");
        for (int[] h : held) {
            sb.append(' ').append(raw.get(h[0]).name()).append('@').append(h[1]);
        }
        return sb.append(" ]").toString();
    }
}
