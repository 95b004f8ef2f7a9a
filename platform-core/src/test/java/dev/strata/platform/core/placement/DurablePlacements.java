package dev.strata.platform.core.placement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.audit.LogRecord;
import dev.strata.platform.core.contract.ContractDocumentReader;
import dev.strata.platform.core.store.AuditFilter;
import dev.strata.platform.core.store.StateStore;
import dev.strata.platform.core.store.StoredContract;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.SortedMap;

/**
 * What the durable placement tests share: a small inventory (4 H100 servers, 32 GPUs), a random
 * mix of contracts, a placement service over a store, and the oracle that checks what a store
 * holds against the capacity recomputed from scratch.
 */
final class DurablePlacements {

    private static final ContractDocumentReader READER = new ContractDocumentReader();
    private static final ObjectMapper JSON = new ObjectMapper();

    private DurablePlacements() {
    }

    static Infra infra() {
        Infra infra = new Infra().s1().domain("rack-0", "s1", 200_000);
        for (int i = 0; i < 4; i++) {
            infra.h100("n" + i, "s1", "rack-0");
        }
        return infra;
    }

    /** Contract {@code k} of a random mix: 1 to 4 whole GPUs, a quarter GPU, a gang of two, or CPU only. */
    static Contract contract(Random random, int k) {
        String tenant = "t" + random.nextInt(3);
        String yaml = switch (random.nextInt(5)) {
            case 0 -> "{name: c" + k + ", tenant: " + tenant + ", members: [{name: m, cpu: 2, memory: 16GiB, gpus: {fraction: 0.25}}]}";
            case 1 -> "{name: c" + k + ", tenant: " + tenant + ", members: [{name: a, cpu: 4, memory: 64GiB, gpus: 1}, "
                    + "{name: b, cpu: 4, memory: 64GiB, gpus: 1}]}";
            case 2 -> "{name: c" + k + ", tenant: " + tenant + ", members: [{name: m, cpu: 8, memory: 32GiB}]}";
            default -> "{name: c" + k + ", tenant: " + tenant + ", members: [{name: m, cpu: 4, memory: 64GiB, gpus: " + (1 + random.nextInt(4))
                    + "}]}";
        };
        return READER.read(yaml, "contract c" + k);
    }

    static PlacementService durable(Inventory inventory, StateStore store) {
        return new PlacementService(inventory, new StoreLedger(store), "strata", PackingPolicies.byName("strata"), Clock.systemUTC(), 4);
    }

    /**
     * Checks a store's ledger against the inventory, from scratch: each allocation has its bindings
     * (as many as its stored contract has members), its stored contract and exactly one placement
     * record; no node holds more CPU or memory than it has, no GPU more than all of it; and the
     * free capacity a placement service reports after loading the ledger equals the inventory's
     * capacity less what the bindings hold.
     *
     * @return the problems found, empty when none
     */
    static List<String> check(StateStore store, Inventory inventory) {
        List<String> problems = new ArrayList<>();
        List<Allocation> held = store.ledger().load().allocations();
        Map<String, Long> cpu = new HashMap<>();
        Map<String, Long> memory = new HashMap<>();
        Map<String, Long> gpuMilli = new HashMap<>();
        for (Allocation a : held) {
            Optional<StoredContract> contract = store.contracts().get("c-" + a.id());
            if (contract.isEmpty()) {
                problems.add(a.id() + ": no stored contract");
            } else {
                try {
                    JsonNode doc = JSON.readTree(contract.get().document());
                    if (doc.get("members").size() != a.bindings().size()) {
                        problems.add(a.id() + ": " + a.bindings().size() + " bindings for " + doc.get("members").size() + " members");
                    }
                } catch (java.io.IOException e) {
                    problems.add(a.id() + ": stored contract is not JSON: " + e.getMessage());
                }
            }
            List<LogRecord> records = store.provenance().find(new AuditFilter(null, null, a.id(), null, "placement", null, null, 10, false));
            if (records.size() != 1) {
                problems.add(a.id() + ": " + records.size() + " placement records");
            }
            for (MemberBinding b : a.bindings()) {
                cpu.merge(b.nodeId(), b.cpuMilli(), Long::sum);
                memory.merge(b.nodeId(), b.memoryBytes() >> 20, Long::sum);
                for (String g : b.acceleratorIds()) {
                    gpuMilli.merge(g, Math.round(b.gpuFraction() * 1000), Long::sum);
                }
            }
        }
        PlacementService empty = new PlacementService(inventory, new InMemoryLedger(), "strata", Clock.systemUTC());
        SortedMap<String, String> base = empty.freeCapacity();
        SortedMap<String, String> loaded = durable(inventory, store).freeCapacity();
        for (Node n : inventory.snapshot().nodes()) {
            long[] b = numbers(base.get(n.id()));
            long[] l = numbers(loaded.get(n.id()));
            long cpuHeld = cpu.getOrDefault(n.id(), 0L);
            long memHeld = memory.getOrDefault(n.id(), 0L);
            if (cpuHeld > b[0] || memHeld > b[1]) {
                problems.add(n.id() + ": holds " + cpuHeld + " mCPU and " + memHeld + " MiB of " + b[0] + " and " + b[1]);
            }
            if (l[0] != b[0] - cpuHeld || l[1] != b[1] - memHeld) {
                problems.add(n.id() + ": the loaded ledger leaves " + l[0] + " mCPU / " + l[1] + " MiB free; recomputed " + (b[0] - cpuHeld) + " / "
                        + (b[1] - memHeld));
            }
            List<Accelerator> gpus = n.accelerators();
            for (int g = 0; g < gpus.size(); g++) {
                long used = gpuMilli.getOrDefault(gpus.get(g).id(), 0L);
                if (used > 1000) {
                    problems.add(gpus.get(g).id() + ": " + used + " milli-GPU held");
                }
                if (l[2 + g] != b[2 + g] - used) {
                    problems.add(gpus.get(g).id() + ": the loaded ledger leaves " + l[2 + g] + " free; recomputed " + (b[2 + g] - used));
                }
            }
        }
        return problems;
    }

    /** CPU, memory and each GPU's free milli from a {@link PlacementService#freeCapacity()} line. */
    private static long[] numbers(String line) {
        String head = line.substring(0, line.indexOf(" tenants "));
        String[] parts = head.split("/", 3);
        String[] gpus = parts[2].isBlank() ? new String[0] : parts[2].replaceAll("\\{[^}]*\\}", "").trim().split("\\s+");
        long[] out = new long[2 + gpus.length];
        out[0] = Long.parseLong(parts[0]);
        out[1] = Long.parseLong(parts[1]);
        for (int i = 0; i < gpus.length; i++) {
            out[2 + i] = Long.parseLong(gpus[i]);
        }
        return out;
    }
}
