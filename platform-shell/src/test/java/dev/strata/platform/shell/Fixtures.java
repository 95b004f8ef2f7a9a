package dev.strata.platform.shell;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.inventory.ProviderStatus;
import dev.strata.platform.api.model.CpuCore;
import dev.strata.platform.api.model.CpuPackage;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.CpuTopology;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Nic;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.NumaNode;
import dev.strata.platform.api.model.PciDevice;
import dev.strata.platform.api.model.PciLink;
import dev.strata.platform.api.model.PowerDraw;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.provider.Capability;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A fixed inventory and registry for command tests: the commands only read them. */
final class Fixtures {

    private Fixtures() {
    }

    static Node node() {
        CpuPackage p0 = new CpuPackage(0, "GenuineIntel", "Xeon Gold 6338",
                List.of(new CpuCore(0, CpuSet.of(0, 2)), new CpuCore(1, CpuSet.of(1, 3))));
        PciDevice gpu = new PciDevice("0000:3b:00.0", 0x10de, 0x2335, 0x030200, null, null, 0, CpuSet.of(0, 1, 2, 3),
                new PciLink(16, 16, 32, 16), "nvidia");
        PciDevice nic = new PciDevice("0000:5e:00.0", 0x15b3, 0x101b, 0x020700, null, null, 0, CpuSet.of(0, 1, 2, 3),
                new PciLink(16, 16, 16, 16), "mlx5_core");
        return new Node("baremetal:gpu1", "baremetal", "local", "gpu1", NodeKind.BARE_METAL,
                new CpuTopology(List.of(p0), CpuSet.of(0, 1, 2, 3), CpuSet.EMPTY),
                List.of(new NumaNode(0, CpuSet.of(0, 1, 2, 3), 64L << 30, List.of(10))), 64L << 30, List.of(gpu, nic), List.of(),
                List.of(new Nic("ib0", "0000:5e:00.0", null, 200_000, 0, "infiniband")), List.of(), PowerDraw.UNKNOWN, null,
                Set.of(), ResourceState.AVAILABLE, null, Map.of("kernel", "6.1.0"));
    }

    static Inventory inventory(Node... nodes) {
        return inventory(List.of(nodes), List.of());
    }

    /** An inventory that also holds accelerators attached to no node. */
    static Inventory inventory(List<Node> nodes, List<dev.strata.platform.api.model.Accelerator> unattached) {
        InventorySnapshot snapshot = new InventorySnapshot(3, Instant.now(), List.of(), nodes, List.of(), List.of(), List.of(), List.of(),
                unattached);
        return new Inventory() {
            @Override
            public InventorySnapshot snapshot() {
                return snapshot;
            }

            @Override
            public InventorySnapshot refresh(Duration maxWait) {
                return snapshot;
            }
        };
    }

    static ProviderRegistry registry(ProviderStatus... statuses) {
        return new ProviderRegistry() {
            @Override
            public List<ProviderStatus> providers() {
                return List.of(statuses);
            }

            @Override
            public Optional<ProviderStatus> provider(String id) {
                return providers().stream().filter(p -> p.id().equals(id)).findFirst();
            }

            @Override
            public ProviderStatus refresh(String id, Duration maxWait) {
                return provider(id).orElseThrow(() -> new dev.strata.platform.api.exception.NotFoundException("no provider '" + id + "'"));
            }
        };
    }

    static ProviderStatus status(String id, ProviderState state, String message, String... warnings) {
        Instant now = Instant.now();
        return new ProviderStatus(id, id, "0.1.0", "dev.strata.provider." + id, Set.of(Capability.COMPUTE), state, now,
                now.minusSeconds(4), Duration.ofMillis(12), 42, 1, message, 2, List.of(warnings), null);
    }
}
