package dev.strata.platform.core.placement.packing;

import java.util.Arrays;
import java.util.Objects;

/**
 * The capacity of one node, total and free: CPU (milli-CPU), memory (MiB) and, per GPU, the
 * milli-GPU still free (0..1000) and the interconnect domain the GPU belongs to (-1 = none; GPUs
 * with the same domain id on a node share an NVLink/NVSwitch clique). One GPU model per node.
 *
 * <p>A GPU may also hold MIG instances, in the slots its model's {@link MigTable} allows (its
 * <em>layout</em>); a GPU holds either MIG instances or plain fractions, never both. Each GPU has a
 * health ({@link #HEALTHY}, {@link #DEGRADED}, {@link #FAILED}): a failed GPU serves no demand, a
 * degraded one only demands that {@link Demand#allowDegraded() allow it}.
 *
 * <p>Mutable and <b>not thread-safe</b>: one placement thread owns it. Every change goes through
 * {@link #allocate} and {@link #release}, which check everything before they change anything, so a
 * refused call leaves the node as it was. Free amounts never go negative and never exceed the totals.
 */
public final class NodeCapacity {

    /** GPU health: OK or unknown. */
    public static final int HEALTHY = 0;
    /** GPU health: degraded (usable where a demand allows it). */
    public static final int DEGRADED = 1;
    /** GPU health: failed (never used). */
    public static final int FAILED = 2;

    private static final byte[] NO_HEALTH = new byte[0];

    private final String id;
    private final MigTable mig;
    private final byte[] gpuHealth;
    private final long[] gpuLayout;
    private final String model;
    private final long cpuTotalMilli;
    private final long memoryTotalMiB;
    private final int[] gpuDomain;
    private final int[] gpuFree;
    private long cpuFreeMilli;
    private long memoryFreeMiB;
    /** Sum of {@link #gpuFree}, and the part of it on failed GPUs: kept as the GPUs change, read in O(1). */
    private long gpuFreeTotal;
    private long gpuFreeOnFailed;

    /**
     * An idle node whose {@code gpus} GPUs belong to no interconnect domain.
     *
     * @param model the GPU model, null or empty for a node without GPUs
     */
    public NodeCapacity(String id, String model, long cpuMilli, long memoryMiB, int gpus) {
        this(id, model, cpuMilli, memoryMiB, filled(gpus));
    }

    /**
     * An idle node; {@code gpuDomains[i]} is the interconnect domain of GPU {@code i} (-1 = none).
     *
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public NodeCapacity(String id, String model, long cpuMilli, long memoryMiB, int[] gpuDomains) {
        this(id, model, cpuMilli, memoryMiB, gpuDomains, null, null);
    }

    /**
     * An idle node with GPU health and a MIG table.
     *
     * @param gpuHealth per GPU {@link #HEALTHY}, {@link #DEGRADED} or {@link #FAILED}; null for all healthy
     * @param mig the MIG table of the node's GPUs, or null when they cannot be partitioned
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public NodeCapacity(String id, String model, long cpuMilli, long memoryMiB, int[] gpuDomains, int[] gpuHealth, MigTable mig) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("NodeCapacity.id is blank; expected a node id");
        }
        if (cpuMilli < 0 || memoryMiB < 0) {
            throw new IllegalArgumentException("node " + id + ": cpuMilli " + cpuMilli + ", memoryMiB " + memoryMiB + "; expected >= 0");
        }
        Objects.requireNonNull(gpuDomains, "gpuDomains");
        if (gpuDomains.length > 0 && (model == null || model.isBlank())) {
            throw new IllegalArgumentException("node " + id + " has " + gpuDomains.length + " GPUs but no GPU model");
        }
        for (int d : gpuDomains) {
            if (d < -1) {
                throw new IllegalArgumentException("node " + id + ": GPU domain " + d + "; expected >= -1 (-1 = none)");
            }
        }
        this.id = id;
        this.model = gpuDomains.length == 0 ? null : model;
        this.cpuTotalMilli = cpuMilli;
        this.memoryTotalMiB = memoryMiB;
        this.gpuDomain = gpuDomains.clone();
        this.gpuFree = new int[gpuDomains.length];
        Arrays.fill(gpuFree, Demand.WHOLE_GPU);
        this.cpuFreeMilli = cpuMilli;
        this.memoryFreeMiB = memoryMiB;
        if (gpuHealth != null && gpuHealth.length != gpuDomains.length) {
            throw new IllegalArgumentException("node " + id + ": " + gpuHealth.length + " GPU health values for " + gpuDomains.length + " GPUs");
        }
        boolean anyUnhealthy = false;
        byte[] health = new byte[gpuDomains.length];
        for (int g = 0; gpuHealth != null && g < gpuHealth.length; g++) {
            if (gpuHealth[g] < HEALTHY || gpuHealth[g] > FAILED) {
                throw new IllegalArgumentException("node " + id + ": GPU " + g + " health " + gpuHealth[g] + "; expected 0 (OK), 1 (degraded) or 2 (failed)");
            }
            health[g] = (byte) gpuHealth[g];
            anyUnhealthy |= gpuHealth[g] != HEALTHY;
        }
        this.gpuHealth = anyUnhealthy ? health : NO_HEALTH;
        this.gpuFreeTotal = (long) gpuDomains.length * Demand.WHOLE_GPU;
        for (int g = 0; g < health.length; g++) {
            if (health[g] == FAILED) {
                gpuFreeOnFailed += Demand.WHOLE_GPU;
            }
        }
        this.mig = gpuDomains.length == 0 ? null : mig;
        this.gpuLayout = new long[this.mig == null ? 0 : gpuDomains.length];
    }

    private NodeCapacity(NodeCapacity other) {
        this.id = other.id;
        this.model = other.model;
        this.cpuTotalMilli = other.cpuTotalMilli;
        this.memoryTotalMiB = other.memoryTotalMiB;
        this.gpuDomain = other.gpuDomain;                // never changes: shared
        this.gpuHealth = other.gpuHealth;                // never changes: shared
        this.mig = other.mig;
        this.gpuLayout = other.gpuLayout.clone();
        this.gpuFree = other.gpuFree.clone();
        this.cpuFreeMilli = other.cpuFreeMilli;
        this.memoryFreeMiB = other.memoryFreeMiB;
        this.gpuFreeTotal = other.gpuFreeTotal;
        this.gpuFreeOnFailed = other.gpuFreeOnFailed;
    }

    private static int[] filled(int gpus) {
        if (gpus < 0) {
            throw new IllegalArgumentException("gpus is " + gpus + "; expected >= 0");
        }
        int[] domains = new int[gpus];
        Arrays.fill(domains, -1);
        return domains;
    }

    /** An independent copy in the same state. */
    public NodeCapacity copy() {
        return new NodeCapacity(this);
    }

    public String id() {
        return id;
    }

    /** The GPU model, null for a node without GPUs. */
    public String model() {
        return model;
    }

    public long cpuTotalMilli() {
        return cpuTotalMilli;
    }

    public long cpuFreeMilli() {
        return cpuFreeMilli;
    }

    public long memoryTotalMiB() {
        return memoryTotalMiB;
    }

    public long memoryFreeMiB() {
        return memoryFreeMiB;
    }

    public int gpuCount() {
        return gpuFree.length;
    }

    /** Milli-GPU still free on GPU {@code gpu}, 0..1000. */
    public int gpuFreeMilli(int gpu) {
        return gpuFree[gpu];
    }

    /** Interconnect domain of GPU {@code gpu}, -1 for none. */
    public int gpuDomain(int gpu) {
        return gpuDomain[gpu];
    }

    /** Health of GPU {@code gpu}: {@link #HEALTHY}, {@link #DEGRADED} or {@link #FAILED}. */
    public int gpuHealth(int gpu) {
        return gpuHealth.length == 0 ? HEALTHY : gpuHealth[gpu];
    }

    /** The MIG table of the node's GPUs, or null. */
    public MigTable mig() {
        return mig;
    }

    /** The MIG instances on GPU {@code gpu} ({@link MigTable} layout), 0 for none. */
    public long gpuLayout(int gpu) {
        return gpuLayout.length == 0 ? 0 : gpuLayout[gpu];
    }

    /**
     * Whether GPU {@code gpu} may serve the demand by its own state: its health is accepted, and
     * it has room of the demand's kind (a whole free GPU; a fraction's milli-GPU on a GPU without MIG
     * instances; a MIG instance's slots on a GPU without plain fractions). CPU, memory and model are
     * not checked.
     */
    public boolean gpuServes(int gpu, Demand demand) {
        if (!demand.accepts(gpuHealth(gpu))) {
            return false;
        }
        int free = gpuFree[gpu];
        if (demand.partitioned()) {
            long layout = gpuLayout(gpu);
            if (mig == null || free < gpuMilli(demand) || layout == 0 && free != Demand.WHOLE_GPU) {
                return false;
            }
            int p = mig.profile(demand.partition());
            return p >= 0 && mig.feasibleStarts(layout, p).length > 0;
        }
        if (demand.gpuMilli() == Demand.WHOLE_GPU) {
            return free == Demand.WHOLE_GPU;
        }
        return free >= demand.gpuMilli() && gpuLayout(gpu) == 0;
    }

    /** Where a MIG instance of the demand's profile would start on GPU {@code gpu} ({@link MigTable#bestStart}), -1 when nowhere. */
    public int bestSlot(int gpu, Demand demand) {
        if (!demand.partitioned() || mig == null) {
            return -1;
        }
        int p = mig.profile(demand.partition());
        return p < 0 ? -1 : mig.bestStart(gpuLayout(gpu), p);
    }

    /** Milli-GPU free on all GPUs together. */
    public long gpuFreeMilliTotal() {
        return gpuFreeTotal;
    }

    /** Milli-GPU free on the GPUs that have not failed. */
    public long gpuFreeMilliUsable() {
        return gpuFreeTotal - gpuFreeOnFailed;
    }

    /** GPUs that are entirely free. */
    public int wholeGpusFree() {
        int n = 0;
        for (int f : gpuFree) {
            if (f == Demand.WHOLE_GPU) {
                n++;
            }
        }
        return n;
    }

    /**
     * Whether the demand fits here in some way: CPU, memory, GPU model, enough GPUs with
     * {@code gpuMilli} free each and, for {@code oneDomain}, all of them in one domain. Cheap; says
     * nothing about which GPUs are best.
     */
    public boolean canHost(Demand demand) {
        if (demand.cpuMilli() > cpuFreeMilli || demand.memoryMiB() > memoryFreeMiB) {
            return false;
        }
        int count = demand.gpuCount();
        if (count == 0) {
            return true;
        }
        if (count > gpuFree.length || !demand.allows(model)) {
            return false;
        }
        if (!demand.oneDomain() || count == 1) {
            int n = 0;
            for (int g = 0; g < gpuFree.length; g++) {
                if (gpuServes(g, demand) && ++n >= count) {
                    return true;
                }
            }
            return false;
        }
        for (int i = 0; i < gpuFree.length; i++) {
            int d = gpuDomain[i];
            if (d < 0 || !gpuServes(i, demand)) {
                continue;
            }
            int n = 0;
            for (int j = i; j < gpuFree.length; j++) {
                if (gpuDomain[j] == d && gpuServes(j, demand) && ++n >= count) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Takes the demand from this node, on the given GPUs.
     *
     * @param gpus indexes of the GPUs, exactly {@code demand.gpuCount()} distinct ones
     * @throws IllegalArgumentException if the GPU indexes do not match the demand (count, range,
     *     duplicates, model, one domain), or the demand is a MIG instance (use {@link #allocate(Demand, int[], int)})
     * @throws IllegalStateException naming the node and the resource when there is not enough of it;
     *     nothing is changed then
     */
    public void allocate(Demand demand, int[] gpus) {
        allocate(demand, gpus, -1);
    }

    /**
     * Takes the demand from this node, on the given GPUs; a MIG instance at {@code slot} of its GPU.
     *
     * @param slot the start slot of a MIG instance ({@link #bestSlot}), -1 for any other demand
     * @throws IllegalArgumentException if the GPU indexes or the slot do not match the demand
     * @throws IllegalStateException naming the node and the resource when there is not enough of it
     *     (CPU, memory, milli-GPU, a GPU's health, MIG slots, compute slices or instances); nothing is
     *     changed then
     */
    public void allocate(Demand demand, int[] gpus, int slot) {
        allocate(demand, gpus, slot, false);
    }

    /**
     * Takes back a reservation made earlier (from the ledger): like {@link #allocate(Demand, int[], int)}
     * but whatever the GPUs' health is now, since a GPU that failed after it was reserved still holds
     * what it held.
     */
    public void restore(Demand demand, int[] gpus, int slot) {
        allocate(demand, gpus, slot, true);
    }

    private void allocate(Demand demand, int[] gpus, int slot, boolean anyHealth) {
        checkGpus(demand, gpus, slot);
        int milli = gpuMilli(demand);
        if (!demand.allows(model)) {
            throw new IllegalArgumentException("node " + id + ": GPU model " + model + " is not in " + demand.models());
        }
        if (demand.cpuMilli() > cpuFreeMilli) {
            throw short_("cpuMilli", demand.cpuMilli(), cpuFreeMilli);
        }
        if (demand.memoryMiB() > memoryFreeMiB) {
            throw short_("memoryMiB", demand.memoryMiB(), memoryFreeMiB);
        }
        long layout = 0;
        for (int g : gpus) {
            if (!anyHealth && !demand.accepts(gpuHealth(g))) {
                throw new IllegalStateException("node " + id + ": GPU " + g + " is " + (gpuHealth(g) == FAILED ? "failed" : "degraded")
                        + "; the demand does not accept it");
            }
            if (gpuFree[g] < milli) {
                throw short_("gpu " + g + " milli", milli, gpuFree[g]);
            }
            if (demand.partitioned()) {
                if (gpuLayout(g) == 0 && gpuFree[g] != Demand.WHOLE_GPU) {
                    throw new IllegalStateException("node " + id + ": GPU " + g + " holds fractions; a MIG instance needs a GPU without them");
                }
                layout = mig.place(gpuLayout(g), mig.profile(demand.partition()), slot);
            } else if (gpuLayout(g) != 0) {
                throw new IllegalStateException("node " + id + ": GPU " + g + " holds MIG instances (" + mig.describe(gpuLayout(g))
                        + "); only MIG instances may join them");
            }
        }
        cpuFreeMilli -= demand.cpuMilli();
        memoryFreeMiB -= demand.memoryMiB();
        for (int g : gpus) {
            gpuFree[g] -= milli;
            gpuFreeTotal -= milli;
            if (gpuHealth(g) == FAILED) {
                gpuFreeOnFailed -= milli;
            }
            if (demand.partitioned()) {
                gpuLayout[g] = layout;
            }
        }
    }

    /**
     * Gives back what {@link #allocate} took, on the same GPUs.
     *
     * @throws IllegalArgumentException if the GPU indexes do not match the demand
     * @throws IllegalStateException naming the node and the resource if the release would exceed
     *     the node's total (more is released than was allocated); nothing is changed then
     */
    public void release(Demand demand, int[] gpus) {
        release(demand, gpus, -1);
    }

    /**
     * Gives back what {@link #allocate(Demand, int[], int)} took, on the same GPUs and slot.
     *
     * @throws IllegalArgumentException if the GPU indexes or the slot do not match the demand
     * @throws IllegalStateException naming the node and the resource if the release would exceed
     *     the node's total, or no such MIG instance is there; nothing is changed then
     */
    public void release(Demand demand, int[] gpus, int slot) {
        checkGpus(demand, gpus, slot);
        int milli = gpuMilli(demand);
        if (cpuFreeMilli + demand.cpuMilli() > cpuTotalMilli) {
            throw over("cpuMilli", demand.cpuMilli(), cpuTotalMilli - cpuFreeMilli);
        }
        if (memoryFreeMiB + demand.memoryMiB() > memoryTotalMiB) {
            throw over("memoryMiB", demand.memoryMiB(), memoryTotalMiB - memoryFreeMiB);
        }
        long layout = 0;
        for (int g : gpus) {
            if (gpuFree[g] + milli > Demand.WHOLE_GPU) {
                throw over("gpu " + g + " milli", milli, Demand.WHOLE_GPU - gpuFree[g]);
            }
            if (demand.partitioned()) {
                layout = mig.remove(gpuLayout(g), mig.profile(demand.partition()), slot);
            }
        }
        cpuFreeMilli += demand.cpuMilli();
        memoryFreeMiB += demand.memoryMiB();
        for (int g : gpus) {
            gpuFree[g] += milli;
            gpuFreeTotal += milli;
            if (gpuHealth(g) == FAILED) {
                gpuFreeOnFailed += milli;
            }
            if (demand.partitioned()) {
                gpuLayout[g] = layout;
            }
        }
    }

    /**
     * The milli-GPU the demand takes of each of its GPUs: a MIG instance its profile's share of this
     * node's GPUs ({@link MigTable#milli}), whatever share the demand was made with before its GPU was
     * known (or stored with in the ledger); any other demand its own.
     */
    int gpuMilli(Demand demand) {
        int p = demand.partitioned() && mig != null ? mig.profile(demand.partition()) : -1;
        return p < 0 ? demand.gpuMilli() : mig.milli(p);
    }

    private void checkGpus(Demand demand, int[] gpus, int slot) {
        Objects.requireNonNull(demand, "demand");
        Objects.requireNonNull(gpus, "gpus");
        if (demand.partitioned()) {
            if (mig == null || mig.profile(demand.partition()) < 0) {
                throw new IllegalArgumentException("node " + id + ": GPUs have no MIG profile " + demand.partition());
            }
            if (slot < 0 || slot >= mig.slotCount()) {
                throw new IllegalArgumentException("node " + id + ": MIG slot " + slot + " for " + demand.partition() + "; expected 0.."
                        + (mig.slotCount() - 1));
            }
        } else if (slot != -1) {
            throw new IllegalArgumentException("node " + id + ": slot " + slot + " for a demand that is not a MIG instance; expected -1");
        }
        if (gpus.length != demand.gpuCount()) {
            throw new IllegalArgumentException("node " + id + ": " + gpus.length + " GPU indexes for a demand of " + demand.gpuCount() + " GPUs");
        }
        for (int i = 0; i < gpus.length; i++) {
            int g = gpus[i];
            if (g < 0 || g >= gpuFree.length) {
                throw new IllegalArgumentException("node " + id + ": GPU index " + g + " out of range 0.." + (gpuFree.length - 1));
            }
            for (int j = 0; j < i; j++) {
                if (gpus[j] == g) {
                    throw new IllegalArgumentException("node " + id + ": GPU index " + g + " given twice");
                }
            }
            if (demand.oneDomain() && gpus.length > 1 && (gpuDomain[g] < 0 || gpuDomain[g] != gpuDomain[gpus[0]])) {
                throw new IllegalArgumentException("node " + id + ": GPUs " + Arrays.toString(gpus) + " are not in one interconnect domain");
            }
        }
    }

    private IllegalStateException short_(String resource, long requested, long free) {
        return new IllegalStateException("node " + id + ": " + resource + " " + requested + " requested, " + free + " free");
    }

    private IllegalStateException over(String resource, long released, long allocated) {
        return new IllegalStateException("node " + id + ": " + resource + " " + released + " released, only " + allocated + " allocated");
    }

    @Override
    public String toString() {
        StringBuilder mig = new StringBuilder();
        for (int g = 0; g < gpuLayout.length; g++) {
            if (gpuLayout[g] != 0) {
                mig.append(" gpu").append(g).append('{').append(this.mig.describe(gpuLayout[g])).append('}');
            }
        }
        return "NodeCapacity[" + id + " " + model + " cpu " + cpuFreeMilli + "/" + cpuTotalMilli + "m, mem " + memoryFreeMiB + "/" + memoryTotalMiB
                + "MiB, gpu free " + Arrays.toString(gpuFree) + (hasDomains() ? " domains " + Arrays.toString(gpuDomain) : "")
                + (gpuHealth.length > 0 ? " health " + Arrays.toString(gpuHealth) : "") + (mig.length() > 0 ? " mig" + mig : "") + "]";
    }

    boolean hasDomains() {
        for (int d : gpuDomain) {
            if (d >= 0) {
                return true;
            }
        }
        return false;
    }

    static long code(int domain, int health, int free) {
        return ((long) (domain + 1) << 13) | ((long) health << 11) | free;
    }

    /**
     * GPU indexes ordered by (domain, health, free milli-GPU, MIG layout, index): nodes in the same
     * state have the same sequence of GPU states, so a choice made by position in this order on one
     * node means the same on any node in that state. Policies that break ties by position use it
     * ({@link GpuChoices}), which keeps a class's answer the same whichever member it was scored on.
     */
    public int[] canonicalOrder() {
        int[] free = gpuFree;
        long[] keyed = new long[free.length];
        for (int i = 0; i < free.length; i++) {
            keyed[i] = code(gpuDomain[i], gpuHealth(i), free[i]) << 20 | i;
        }
        Arrays.sort(keyed);
        int[] order = new int[free.length];
        for (int i = 0; i < free.length; i++) {
            order[i] = (int) (keyed[i] & 0xFFFFF);
        }
        if (gpuLayout.length > 0) {
            // equal codes: by MIG layout, then index (insertion sort; GPU counts are small)
            for (int i = 1; i < order.length; i++) {
                int x = order[i];
                long xCode = keyed[i] >>> 20;
                int j = i - 1;
                while (j >= 0 && code(gpuDomain[order[j]], gpuHealth(order[j]), free[order[j]]) == xCode && gpuLayout(order[j]) > gpuLayout(x)) {
                    order[j + 1] = order[j];
                    j--;
                }
                order[j + 1] = x;
            }
        }
        return order;
    }

    /** The free milli-GPU array itself, for the package's hot paths. Do not modify. */
    int[] gpuFreeArray() {
        return gpuFree;
    }

    int[] gpuDomainArray() {
        return gpuDomain;
    }

    /** The health per GPU, empty when all are healthy. Do not modify. */
    byte[] gpuHealthArray() {
        return gpuHealth;
    }

    /** The MIG layout per GPU, empty without a MIG table. Do not modify. */
    long[] gpuLayoutArray() {
        return gpuLayout;
    }
}
