package dev.strata.platform.core.store;

import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A tiny placement for store tests: {@code nodes} nodes of 8 GPUs, one whole GPU per allocation.
 * The independent check: no GPU appears in two allocations.
 */
final class Capacity {

    private Capacity() {
    }

    /** A free GPU given what the ledger holds, or null when all are taken. */
    static String[] freeGpu(List<Allocation> held, int nodes, int salt) {
        Set<String> used = used(held);
        int total = nodes * 8;
        for (int k = 0; k < total; k++) {
            int i = Math.floorMod(k + salt * 7, total);
            String node = "node-" + (i / 8);
            String gpu = "gpu" + (i % 8);
            if (!used.contains(node + "/" + gpu)) {
                return new String[] {node, gpu};
            }
        }
        return null;
    }

    static Set<String> used(List<Allocation> held) {
        Set<String> used = new HashSet<>();
        for (Allocation a : held) {
            for (MemberBinding b : a.bindings()) {
                for (String g : b.acceleratorIds()) {
                    used.add(b.nodeId() + "/" + g);
                }
            }
        }
        return used;
    }

    /** GPUs held twice, as "node/gpu" strings. */
    static List<String> doubleBooked(List<Allocation> held) {
        Set<String> seen = new HashSet<>();
        List<String> twice = new java.util.ArrayList<>();
        for (Allocation a : held) {
            for (MemberBinding b : a.bindings()) {
                for (String g : b.acceleratorIds()) {
                    if (!seen.add(b.nodeId() + "/" + g)) {
                        twice.add(b.nodeId() + "/" + g);
                    }
                }
            }
        }
        return twice;
    }

    static Allocation one(String id, String node, String gpu) {
        return new Allocation(id, "c-" + id, "tenant-a", 50, false, java.time.Instant.now(),
                List.of(new MemberBinding("m", node, "site", List.of(gpu), 1.0, null, 0, null, 1000, 1L << 30, 300.0, null)));
    }
}
