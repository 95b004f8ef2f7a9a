package dev.strata.platform.api.provisioning;

import dev.strata.platform.api.model.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one of this installation's machines already uses of its node's room, as the node shows
 * it. A provider whose nodes show only the room left after the machines on them (OpenStack hosts:
 * what Placement says is free) reports each machine it made for a binding of the ledger (the
 * machine's {@link MachineLabels#ALLOCATION} and {@link MachineLabels#MEMBER}) as a node
 * attribute ({@link #attributeKey()} = {@link #attributeValue()}). The core then reserves for that
 * binding only what it holds beyond what the machine uses, not the whole binding a second time:
 * CPU and memory beyond the machine's, and its GPUs only when the machine has fewer than the
 * binding. A binding whose machine is not made yet (no attribute) is reserved whole, and a
 * machine whose binding the ledger no longer holds is already left out of the node's room.
 * Since 1.4.
 *
 * @param allocationId the ledger allocation the machine's member is bound in (no {@code /})
 * @param member the member's name
 * @param cpuMilli the CPU the machine uses of the node's room, in thousandths of a CPU
 * @param memoryBytes the memory it uses of the node's room
 * @param gpus how many of the node's GPUs it uses
 */
public record CountedMachine(String allocationId, String member, long cpuMilli, long memoryBytes, int gpus) {

    /** The prefix of the node attribute keys that report counted machines. */
    public static final String ATTRIBUTE_PREFIX = "strata.counted.";

    public CountedMachine {
        Objects.requireNonNull(allocationId, "allocationId");
        Objects.requireNonNull(member, "member");
        if (allocationId.isBlank() || allocationId.indexOf('/') >= 0) {
            throw new IllegalArgumentException("allocation id '" + allocationId + "'; expected a ledger allocation id, not blank, without '/'");
        }
        if (member.isBlank()) {
            throw new IllegalArgumentException("member name is blank; expected the bound member's name");
        }
        if (cpuMilli < 0 || memoryBytes < 0 || gpus < 0) {
            throw new IllegalArgumentException("machine of " + allocationId + "/" + member + " uses cpuMilli " + cpuMilli + ", memoryBytes "
                    + memoryBytes + ", gpus " + gpus + "; expected 0 or more of each");
        }
    }

    /** The node attribute key: {@code strata.counted.<allocation id>/<member>}. */
    public String attributeKey() {
        return ATTRIBUTE_PREFIX + allocationId + "/" + member;
    }

    /** The node attribute value: {@code cpuMilli=<n>,memoryBytes=<n>,gpus=<n>}. */
    public String attributeValue() {
        return "cpuMilli=" + cpuMilli + ",memoryBytes=" + memoryBytes + ",gpus=" + gpus;
    }

    /**
     * The counted machine a node attribute reports, or empty when the key is not a counted
     * machine's.
     *
     * @throws IllegalArgumentException for a counted machine's key whose key or value is not in the
     *     form {@link #attributeKey()} and {@link #attributeValue()} write, naming what was expected
     */
    public static Optional<CountedMachine> parse(String key, String value) {
        if (key == null || !key.startsWith(ATTRIBUTE_PREFIX)) {
            return Optional.empty();
        }
        String rest = key.substring(ATTRIBUTE_PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new IllegalArgumentException("node attribute " + key + "; expected " + ATTRIBUTE_PREFIX + "<allocation id>/<member>");
        }
        long cpu = -1;
        long memory = -1;
        long gpus = -1;
        for (String part : (value == null ? "" : value).split(",", -1)) {
            int eq = part.indexOf('=');
            String name = eq < 0 ? part : part.substring(0, eq).trim();
            long n;
            try {
                n = eq < 0 ? -1 : Long.parseLong(part.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0 || !(name.equals("cpuMilli") && cpu < 0 || name.equals("memoryBytes") && memory < 0 || name.equals("gpus") && gpus < 0)) {
                throw unreadable(key, value);
            }
            switch (name) {
                case "cpuMilli" -> cpu = n;
                case "memoryBytes" -> memory = n;
                default -> gpus = n;
            }
        }
        if (cpu < 0 || memory < 0 || gpus < 0 || gpus > Integer.MAX_VALUE) {
            throw unreadable(key, value);
        }
        try {
            return Optional.of(new CountedMachine(rest.substring(0, slash), rest.substring(slash + 1), cpu, memory, (int) gpus));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("node attribute " + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every counted machine a node's attributes report, in attribute order.
     *
     * @throws IllegalArgumentException for an attribute that is not in the form written here
     */
    public static List<CountedMachine> on(Node node) {
        List<CountedMachine> out = new ArrayList<>();
        for (Map.Entry<String, String> e : node.attributes().entrySet()) {
            parse(e.getKey(), e.getValue()).ifPresent(out::add);
        }
        return out;
    }

    private static IllegalArgumentException unreadable(String key, String value) {
        return new IllegalArgumentException("node attribute " + key + " = '" + value
                + "'; expected cpuMilli=<n>,memoryBytes=<n>,gpus=<n>, each a whole number 0 or more, once");
    }
}
