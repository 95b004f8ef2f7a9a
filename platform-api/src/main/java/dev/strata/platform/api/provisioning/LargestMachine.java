package dev.strata.platform.api.provisioning;

import dev.strata.platform.api.model.Node;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The largest machine a provider can make on a node, where that is less than the node's room: an
 * OpenStack server takes its VCPU and its memory each from one resource provider of the host, at
 * most that provider's {@code max_unit} and free room, while the node shows the host's room summed
 * over them (and a CPU allocation ratio can make that room larger than any one server may be); its
 * whole GPUs likewise come from one provider. A provider reports it as node attributes
 * ({@link #CPU_MILLI}, {@link #MEMORY_BYTES}, {@link #GPUS}, each a whole number; absent: no limit
 * but the node's room), and placement binds no member larger than it to the node. Since 1.4.
 *
 * @param cpuMilli the most CPU one machine may have, in thousandths of a CPU; {@link #NO_LIMIT} for none
 * @param memoryBytes the most memory one machine may have; {@link #NO_LIMIT} for none
 * @param gpus the most whole GPUs one machine may have; {@link #NO_LIMIT} for none
 */
public record LargestMachine(long cpuMilli, long memoryBytes, long gpus) {

    /** The node attribute holding the most CPU one machine may have, in thousandths of a CPU. */
    public static final String CPU_MILLI = "strata.largestMachine.cpuMilli";
    /** The node attribute holding the most memory one machine may have, in bytes. */
    public static final String MEMORY_BYTES = "strata.largestMachine.memoryBytes";
    /** The node attribute holding the most whole GPUs one machine may have. */
    public static final String GPUS = "strata.largestMachine.gpus";
    /** No limit. */
    public static final long NO_LIMIT = Long.MAX_VALUE;
    /** No limit on either. */
    public static final LargestMachine NONE = new LargestMachine(NO_LIMIT, NO_LIMIT, NO_LIMIT);

    public LargestMachine {
        if (cpuMilli < 0 || memoryBytes < 0 || gpus < 0) {
            throw new IllegalArgumentException("largest machine of cpuMilli " + cpuMilli + ", memoryBytes " + memoryBytes + ", gpus " + gpus
                    + "; expected 0 or more of each");
        }
    }

    /** The node attributes that report this limit: one per limited dimension, none for {@link #NONE}. */
    public Map<String, String> attributes() {
        Map<String, String> out = new LinkedHashMap<>();
        if (cpuMilli != NO_LIMIT) {
            out.put(CPU_MILLI, Long.toString(cpuMilli));
        }
        if (memoryBytes != NO_LIMIT) {
            out.put(MEMORY_BYTES, Long.toString(memoryBytes));
        }
        if (gpus != NO_LIMIT) {
            out.put(GPUS, Long.toString(gpus));
        }
        return out;
    }

    /**
     * The limit a node's attributes report ({@link #NONE} without them).
     *
     * @throws IllegalArgumentException for an attribute that is not a whole number 0 or more, naming it
     */
    public static LargestMachine of(Node node) {
        return new LargestMachine(limit(node, CPU_MILLI), limit(node, MEMORY_BYTES), limit(node, GPUS));
    }

    /**
     * One limit a node's attributes report: {@code key} is {@link #CPU_MILLI}, {@link #MEMORY_BYTES}
     * or {@link #GPUS}; {@link #NO_LIMIT} without it.
     *
     * @throws IllegalArgumentException for a value that is not a whole number 0 or more, naming the attribute
     */
    public static long limit(Node node, String key) {
        String value = node.attributes().get(key);
        if (value == null) {
            return NO_LIMIT;
        }
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0) {
            throw new IllegalArgumentException("node " + node.id() + ": attribute " + key + " = '" + value
                    + "'; expected a whole number 0 or more");
        }
        return n;
    }
}
