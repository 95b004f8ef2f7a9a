package dev.strata.platform.core.placement.packing;

import dev.strata.platform.api.model.PartitionProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The MIG table of one GPU model, as NVIDIA places GPU instances: a GPU has {@link #slotCount()}
 * memory slots (8 on A100, H100, H200) and {@link #computeSlices()} compute slices (7); each profile
 * occupies {@code slots} consecutive memory slots from one of its allowed starts ({@code nvidia-smi
 * mig -lgipp}: {@code {0,2,4,6}:2}), uses {@code computeSlices} compute slices, and may have at
 * most {@code maxInstances} instances on one GPU. Partitions of one GPU never share a memory slot,
 * their compute slices add up to at most the GPU's, and a GPU is full exactly when its table says
 * so (seven {@code 1g.10gb}, or {@code 4g.40gb} + {@code 3g.40gb}, on an H100).
 *
 * <p>The partitions on one GPU are a <em>layout</em>: a {@code long} holding, for each slot, the
 * index + 1 of the profile whose instance starts there (4 bits per slot; 0 = none). Immutable;
 * equal tables are equal by content.
 */
public final class MigTable {

    /** At most this many memory slots (4 bits each in a {@code long} layout). */
    public static final int MAX_SLOTS = 16;

    /**
     * One profile.
     *
     * @param name e.g. {@code 3g.40gb}
     * @param computeSlices compute slices of one instance (the {@code g} count)
     * @param slots memory slots one instance occupies from its start
     * @param starts the allowed starts, ascending, each once (a start a provider lists twice is one start)
     * @param maxInstances the most instances on one GPU
     */
    public record Profile(String name, int computeSlices, int slots, int[] starts, int maxInstances) {
        public Profile {
            Objects.requireNonNull(name, "name");
            starts = Arrays.stream(starts).distinct().sorted().toArray();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Profile p && name.equals(p.name) && computeSlices == p.computeSlices && slots == p.slots
                    && Arrays.equals(starts, p.starts) && maxInstances == p.maxInstances;
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, computeSlices, slots, Arrays.hashCode(starts), maxInstances);
        }
    }

    private final Profile[] profiles;
    private final Map<String, Integer> byName = new HashMap<>();
    private final int slotCount;
    private final int computeSlices;
    private final int hash;

    private MigTable(List<Profile> profiles, int slotCount, int computeSlices) {
        this.profiles = profiles.toArray(new Profile[0]);
        for (int i = 0; i < this.profiles.length; i++) {
            byName.putIfAbsent(this.profiles[i].name(), i);
        }
        this.slotCount = slotCount;
        this.computeSlices = computeSlices;
        this.hash = Objects.hash(Arrays.hashCode(this.profiles), slotCount, computeSlices);
    }

    /**
     * The table of a GPU's partition profiles: those with known placements (profiles without
     * them cannot be placed and are left out). Null when no profile has placements.
     *
     * @throws IllegalArgumentException when the profiles need more than {@link #MAX_SLOTS} slots or 15 profiles
     */
    public static MigTable of(List<PartitionProfile> partitionProfiles) {
        List<Profile> out = new ArrayList<>();
        int slots = 0;
        int compute = 0;
        for (PartitionProfile p : partitionProfiles) {
            if (p.placements().isEmpty() || p.placementSize() <= 0 || p.computeSlices() <= 0 || p.maxInstances() <= 0) {
                continue;
            }
            int[] starts = p.placements().stream().mapToInt(Integer::intValue).toArray();
            for (int s : starts) {
                slots = Math.max(slots, s + p.placementSize());
                if (s < 0) {
                    throw new IllegalArgumentException("MIG profile " + p.name() + " has placement start " + s + "; expected 0 or more");
                }
            }
            compute = Math.max(compute, Math.max(p.computeSlices(), p.totalSlices()));
            out.add(new Profile(p.name(), p.computeSlices(), p.placementSize(), starts, p.maxInstances()));
        }
        if (out.isEmpty()) {
            return null;
        }
        if (slots > MAX_SLOTS || out.size() > 15) {
            throw new IllegalArgumentException("MIG table with " + slots + " slots and " + out.size() + " profiles; expected at most "
                    + MAX_SLOTS + " slots and 15 profiles");
        }
        return new MigTable(out, slots, compute);
    }

    public int slotCount() {
        return slotCount;
    }

    public int computeSlices() {
        return computeSlices;
    }

    /**
     * The share of the GPU one instance of profile {@code index} counts, in milli-GPU: its compute
     * slices over this GPU's own ({@code floor(1000 * g / computeSlices())}: 1/7 for a {@code 1g}
     * on an A100 or H100, 1/4 on an A30), so that the instances a GPU can hold never add up to
     * more than a whole GPU.
     */
    public int milli(int index) {
        return Math.max(1, Math.min(Demand.WHOLE_GPU, Demand.WHOLE_GPU * profiles[index].computeSlices() / computeSlices));
    }

    /** The index of the profile with this name, -1 when the table has none. */
    public int profile(String name) {
        Integer i = byName.get(name);
        return i == null ? -1 : i;
    }

    public Profile profile(int index) {
        return profiles[index];
    }

    public int profileCount() {
        return profiles.length;
    }

    /** The profile index + 1 of the instance starting at {@code slot}, 0 for none. */
    static int at(long layout, int slot) {
        return (int) (layout >>> (4 * slot)) & 0xF;
    }

    /** The memory slots the layout's instances occupy, as a bit mask. */
    public int occupied(long layout) {
        int mask = 0;
        for (int s = 0; s < slotCount; s++) {
            int p = at(layout, s);
            if (p > 0) {
                mask |= ((1 << profiles[p - 1].slots()) - 1) << s;
            }
        }
        return mask;
    }

    /** Compute slices the layout's instances use. */
    public int computeUsed(long layout) {
        int used = 0;
        for (int s = 0; s < slotCount; s++) {
            int p = at(layout, s);
            if (p > 0) {
                used += profiles[p - 1].computeSlices();
            }
        }
        return used;
    }

    /** Instances of profile {@code index} in the layout. */
    public int instances(long layout, int index) {
        int n = 0;
        for (int s = 0; s < slotCount; s++) {
            if (at(layout, s) == index + 1) {
                n++;
            }
        }
        return n;
    }

    /** Whether an instance of profile {@code index} may start at {@code start} in the layout. */
    public boolean canPlace(long layout, int index, int start) {
        Profile p = profiles[index];
        if (Arrays.binarySearch(p.starts(), start) < 0) {
            return false;
        }
        int need = ((1 << p.slots()) - 1) << start;
        return (occupied(layout) & need) == 0 && computeUsed(layout) + p.computeSlices() <= computeSlices
                && instances(layout, index) < p.maxInstances();
    }

    /** The layout with an instance of profile {@code index} added at {@code start}. */
    public long place(long layout, int index, int start) {
        if (!canPlace(layout, index, start)) {
            throw new IllegalStateException("MIG profile " + profiles[index].name() + " cannot start at slot " + start + " of a GPU holding "
                    + describe(layout));
        }
        return layout | ((long) (index + 1) << (4 * start));
    }

    /** The layout without the instance of profile {@code index} at {@code start}. */
    public long remove(long layout, int index, int start) {
        if (start < 0 || start >= slotCount || at(layout, start) != index + 1) {
            throw new IllegalStateException("no MIG " + profiles[index].name() + " instance at slot " + start + " of a GPU holding "
                    + describe(layout));
        }
        return layout & ~(0xFL << (4 * start));
    }

    /** The starts at which an instance of profile {@code index} fits now, ascending. */
    public int[] feasibleStarts(long layout, int index) {
        int[] starts = profiles[index].starts();
        int[] out = new int[starts.length];
        int n = 0;
        for (int s : starts) {
            if (canPlace(layout, index, s)) {
                out[n++] = s;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * Where an instance of profile {@code index} should start: the feasible start that leaves the
     * most instance placements open afterwards (summed over every profile, larger profiles first
     * when tied), so that a small instance does not block the slots a large one needs; the lowest
     * start on equality. -1 when it fits nowhere.
     */
    public int bestStart(long layout, int index) {
        int best = -1;
        long bestKey = Long.MIN_VALUE;
        for (int s : profiles[index].starts()) {
            if (!canPlace(layout, index, s)) {
                continue;
            }
            long after = layout | ((long) (index + 1) << (4 * s));
            long key = 0;
            // weight by compute slices so that keeping a large profile placeable counts first
            for (int q = 0; q < profiles.length; q++) {
                int open = 0;
                for (int t : profiles[q].starts()) {
                    if (canPlace(after, q, t)) {
                        open++;
                    }
                }
                key += (long) open * (1L << (3 * profiles[q].computeSlices()));
            }
            if (key > bestKey) {
                bestKey = key;
                best = s;
            }
        }
        return best;
    }

    /** The layout as text: {@code 3g.40gb@0 1g.10gb@4}. */
    public String describe(long layout) {
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < slotCount; s++) {
            int p = at(layout, s);
            if (p > 0) {
                sb.append(sb.length() == 0 ? "" : " ").append(profiles[p - 1].name()).append('@').append(s);
            }
        }
        return sb.length() == 0 ? "no instances" : sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MigTable t && t.hash == hash && t.slotCount == slotCount && t.computeSlices == computeSlices
                && Arrays.equals(t.profiles, profiles);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("MigTable[" + slotCount + " slots, " + computeSlices + " compute slices:");
        for (Profile p : profiles) {
            sb.append(' ').append(p.name()).append(Arrays.toString(p.starts())).append(':').append(p.slots()).append('x').append(p.maxInstances());
        }
        return sb.append(']').toString();
    }
}
