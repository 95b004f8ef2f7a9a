package dev.strata.platform.core.placement.packing;

import java.util.Arrays;
import java.util.Objects;

/**
 * The capacity of one node, total and free: CPU (milli-CPU), memory (MiB) and, per GPU, the
 * milli-GPU still free (0..1000) and the interconnect domain the GPU belongs to (-1 = none; GPUs
 * with the same domain id on a node share an NVLink/NVSwitch clique). One GPU model per node.
 *
 * <p>Mutable and <b>not thread-safe</b>: one placement thread owns it. Every change goes through
 * {@link #allocate} and {@link #release}, which check everything before they change anything, so a
 * refused call leaves the node as it was. Free amounts never go negative and never exceed the totals.
 */
public final class NodeCapacity {

    private final String id;
    private final String model;
    private final long cpuTotalMilli;
    private final long memoryTotalMiB;
    private final int[] gpuDomain;
    private final int[] gpuFree;
    private long cpuFreeMilli;
    private long memoryFreeMiB;

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
    }

    private NodeCapacity(NodeCapacity other) {
        this.id = other.id;
        this.model = other.model;
        this.cpuTotalMilli = other.cpuTotalMilli;
        this.memoryTotalMiB = other.memoryTotalMiB;
        this.gpuDomain = other.gpuDomain;                // never changes: shared
        this.gpuFree = other.gpuFree.clone();
        this.cpuFreeMilli = other.cpuFreeMilli;
        this.memoryFreeMiB = other.memoryFreeMiB;
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

    /** Milli-GPU free on all GPUs together. */
    public long gpuFreeMilliTotal() {
        long sum = 0;
        for (int f : gpuFree) {
            sum += f;
        }
        return sum;
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
        int milli = demand.gpuMilli();
        if (!demand.oneDomain() || count == 1) {
            int n = 0;
            for (int f : gpuFree) {
                if (f >= milli && ++n >= count) {
                    return true;
                }
            }
            return false;
        }
        for (int i = 0; i < gpuFree.length; i++) {
            int d = gpuDomain[i];
            if (d < 0 || gpuFree[i] < milli) {
                continue;
            }
            int n = 0;
            for (int j = i; j < gpuFree.length; j++) {
                if (gpuDomain[j] == d && gpuFree[j] >= milli && ++n >= count) {
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
     *     duplicates, model, one domain)
     * @throws IllegalStateException naming the node and the resource when there is not enough of it;
     *     nothing is changed then
     */
    public void allocate(Demand demand, int[] gpus) {
        checkGpus(demand, gpus);
        if (!demand.allows(model)) {
            throw new IllegalArgumentException("node " + id + ": GPU model " + model + " is not in " + demand.models());
        }
        if (demand.cpuMilli() > cpuFreeMilli) {
            throw short_("cpuMilli", demand.cpuMilli(), cpuFreeMilli);
        }
        if (demand.memoryMiB() > memoryFreeMiB) {
            throw short_("memoryMiB", demand.memoryMiB(), memoryFreeMiB);
        }
        for (int g : gpus) {
            if (gpuFree[g] < demand.gpuMilli()) {
                throw short_("gpu " + g + " milli", demand.gpuMilli(), gpuFree[g]);
            }
        }
        cpuFreeMilli -= demand.cpuMilli();
        memoryFreeMiB -= demand.memoryMiB();
        for (int g : gpus) {
            gpuFree[g] -= demand.gpuMilli();
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
        checkGpus(demand, gpus);
        if (cpuFreeMilli + demand.cpuMilli() > cpuTotalMilli) {
            throw over("cpuMilli", demand.cpuMilli(), cpuTotalMilli - cpuFreeMilli);
        }
        if (memoryFreeMiB + demand.memoryMiB() > memoryTotalMiB) {
            throw over("memoryMiB", demand.memoryMiB(), memoryTotalMiB - memoryFreeMiB);
        }
        for (int g : gpus) {
            if (gpuFree[g] + demand.gpuMilli() > Demand.WHOLE_GPU) {
                throw over("gpu " + g + " milli", demand.gpuMilli(), Demand.WHOLE_GPU - gpuFree[g]);
            }
        }
        cpuFreeMilli += demand.cpuMilli();
        memoryFreeMiB += demand.memoryMiB();
        for (int g : gpus) {
            gpuFree[g] += demand.gpuMilli();
        }
    }

    private void checkGpus(Demand demand, int[] gpus) {
        Objects.requireNonNull(demand, "demand");
        Objects.requireNonNull(gpus, "gpus");
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
        return "NodeCapacity[" + id + " " + model + " cpu " + cpuFreeMilli + "/" + cpuTotalMilli + "m, mem " + memoryFreeMiB + "/" + memoryTotalMiB
                + "MiB, gpu free " + Arrays.toString(gpuFree) + (hasDomains() ? " domains " + Arrays.toString(gpuDomain) : "") + "]";
    }

    boolean hasDomains() {
        for (int d : gpuDomain) {
            if (d >= 0) {
                return true;
            }
        }
        return false;
    }

    /** The free milli-GPU array itself, for the package's hot paths. Do not modify. */
    int[] gpuFreeArray() {
        return gpuFree;
    }

    int[] gpuDomainArray() {
        return gpuDomain;
    }
}
