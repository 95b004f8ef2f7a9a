package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.FabricRequest;
import dev.strata.platform.api.contract.GpuRequest;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.contract.Sovereignty;
import dev.strata.platform.api.contract.TopologyRequest;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.CpuCore;
import dev.strata.platform.api.model.CpuPackage;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.CpuTopology;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.provisioning.CountedMachine;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A node whose room already leaves out this installation's machine on it (what OpenStack's
 * Placement says is free) reports the machine as a counted machine: the ledger's binding of that
 * machine then reserves only what it holds beyond the machine's use, and its GPUs only when the
 * machine uses fewer GPUs than the binding holds, so that a member's room is not counted twice.
 */
class PlacementModelCountedTest {

    private static final long GIB = 1L << 30;

    private static Contract contract(String name, long cpuMilli, long memoryBytes, int gpus) {
        GpuRequest g = gpus == 0 ? GpuRequest.NONE : new GpuRequest(gpus, Set.of(), 0, 1, null, false);
        return new Contract(name, "t1", 0, List.of(new Member("m0", cpuMilli, memoryBytes, g, TopologyRequest.ANY, 0)), FabricRequest.ANY,
                Sovereignty.ANY, Isolation.SHARED);
    }

    private static boolean fits(PlacementService service, long cpuMilli, long memoryBytes) {
        return fits(service, cpuMilli, memoryBytes, 0);
    }

    private static boolean fits(PlacementService service, long cpuMilli, long memoryBytes, int gpus) {
        return service.place(contract("probe", cpuMilli, memoryBytes, gpus), true).placed();
    }

    /** The node as Placement would show it: {@code cpus} CPUs and {@code memory} bytes free, with these counted machines. */
    private static UnaryOperator<Node> shows(int cpus, long memory, CountedMachine... machines) {
        return n -> {
            Node.Builder b = n.toBuilder().cpu(cpus(cpus)).memoryBytes(memory);
            for (CountedMachine m : machines) {
                b.attribute(m.attributeKey(), m.attributeValue());
            }
            return b.build();
        };
    }

    private static CpuTopology cpus(int threads) {
        List<CpuCore> cores = new ArrayList<>();
        for (int c = 0; c < threads; c++) {
            cores.add(new CpuCore(c, CpuSet.of(c)));
        }
        return new CpuTopology(List.of(new CpuPackage(0, "x", "x", cores)), CpuSet.parseList("0-" + (threads - 1)), CpuSet.EMPTY);
    }

    /** A host of 8 CPUs and 16 GiB, with {@code gpus} GPUs, no power domain and no known draw. */
    private static Infra.Swapped host(int gpus) {
        return new Infra().s1().node("h1", "s1", null, 8, 16, gpus, gpus == 0 ? null : "NVIDIA L40S", 48, 0, 1, 0, 0).swappable();
    }

    private static PlacementService service(Inventory inventory, InMemoryLedger ledger) {
        return new PlacementService(inventory, ledger, "strata", Clock.systemUTC());
    }

    /** What an empty ledger leaves free on the inventory now: what a release must come back to. */
    private static Object freeWithNothingHeld(Infra.Swapped inventory) {
        InventorySnapshot now = inventory.snapshot();
        return service(PlacementOracleTest.fixed(now), new InMemoryLedger()).freeCapacity();
    }

    @Test
    void aCountedMachineIsNotReservedASecondTime() {
        Infra.Swapped inventory = host(0);
        InMemoryLedger ledger = new InMemoryLedger();
        PlacementService service = service(inventory, ledger);
        PlacementDecision placed = service.place(contract("c1", 2000, 4 * GIB, 0), false);
        assertThat(placed.placed()).isTrue();
        assertThat(placed.allocationId()).isEqualTo("a-000001");
        MemberBinding b = placed.bindings().get(0);
        assertThat(b.member()).isEqualTo("m0");
        assertThat(fits(service, 6000, 12 * GIB)).as("before the machine is made: 8 CPUs, 16 GiB less the binding").isTrue();
        assertThat(fits(service, 7000, 1 * GIB)).isFalse();

        // the machine is made: the host shows 6 CPUs and 12 GiB free and reports the machine as counted
        inventory.change("h1", shows(6, 12 * GIB, new CountedMachine("a-000001", b.member(), 2000, 4 * GIB, 0)));
        assertThat(fits(service, 6000, 12 * GIB)).as("the machine's room is left out once, by the host").isTrue();
        assertThat(fits(service, 7000, 12 * GIB)).isFalse();
        assertThat(fits(service, 6000, 13 * GIB)).isFalse();
        assertThat(fits(service, 6000, 12 * GIB + (1 << 20))).as("not a MiB more").isFalse();
        assertThat(service.place(dedicated("t2"), true).placed()).as("its tenant still holds the node, though no room is reserved").isFalse();
    }

    @Test
    void withoutTheAttributeTheMachineIsCountedTwice() {
        Infra.Swapped inventory = host(0);
        PlacementService service = service(inventory, new InMemoryLedger());
        assertThat(service.place(contract("c1", 2000, 4 * GIB, 0), false).placed()).isTrue();
        // the host leaves the machine out of its room but does not say so (a provider before 1.4)
        inventory.change("h1", shows(6, 12 * GIB));
        assertThat(fits(service, 4000, 8 * GIB)).as("6 CPUs, 12 GiB less the whole binding").isTrue();
        assertThat(fits(service, 5000, 1 * GIB)).isFalse();
        assertThat(fits(service, 1000, 9 * GIB)).isFalse();
    }

    @Test
    void anAttributeNotInTheDocumentedFormCountsNothing() {
        Infra.Swapped inventory = host(0);
        PlacementService service = service(inventory, new InMemoryLedger());
        assertThat(service.place(contract("c1", 2000, 4 * GIB, 0), false).placed()).isTrue();
        inventory.change("h1", n -> shows(6, 12 * GIB).apply(n).toBuilder()
                .attribute(CountedMachine.ATTRIBUTE_PREFIX + "a-000001/m0", "cpuMilli=2000,memoryBytes=4GiB,gpus=0").build());
        assertThat(fits(service, 4000, 8 * GIB)).as("the binding is reserved whole").isTrue();
        assertThat(fits(service, 5000, 1 * GIB)).isFalse();
    }

    @Test
    void aCountedMachineOfAnotherAllocationOrMemberCountsNothing() {
        Infra.Swapped inventory = host(0);
        PlacementService service = service(inventory, new InMemoryLedger());
        assertThat(service.place(contract("c1", 2000, 4 * GIB, 0), false).placed()).isTrue();
        inventory.change("h1", shows(4, 8 * GIB, new CountedMachine("a-000001", "m1", 2000, 4 * GIB, 0),
                new CountedMachine("a-000009", "m0", 2000, 4 * GIB, 0)));
        assertThat(fits(service, 2000, 4 * GIB)).as("4 CPUs, 8 GiB less the whole binding").isTrue();
        assertThat(fits(service, 3000, 1 * GIB)).isFalse();
        assertThat(fits(service, 1000, 5 * GIB)).isFalse();
    }

    @Test
    void aBindingLargerThanItsMachineReservesWhatItHoldsBeyondIt() {
        Infra.Swapped inventory = host(0);
        PlacementService service = service(inventory, new InMemoryLedger());
        assertThat(service.place(contract("c1", 4000, 4 * GIB, 0), false).placed()).isTrue();
        // the machine uses 2 CPUs and 3.5 GiB of the host: the binding still holds 2 CPUs and 512 MiB beyond it
        inventory.change("h1", shows(6, 12 * GIB + 512 * (1 << 20), new CountedMachine("a-000001", "m0", 2000, 3 * GIB + 512 * (1 << 20), 0)));
        assertThat(fits(service, 4000, 12 * GIB)).isTrue();
        assertThat(fits(service, 5000, 1 * GIB)).as("2 CPUs still reserved").isFalse();
        assertThat(fits(service, 1000, 12 * GIB + (1 << 20))).as("512 MiB still reserved").isFalse();
    }

    @Test
    void aMachineLargerThanItsBindingReservesNothingMore() {
        Infra.Swapped inventory = host(0);
        PlacementService service = service(inventory, new InMemoryLedger());
        assertThat(service.place(contract("c1", 2000, 4 * GIB, 0), false).placed()).isTrue();
        // a flavor larger than the member: the host leaves out 3 CPUs and 6 GiB; the binding holds nothing beyond
        inventory.change("h1", shows(5, 10 * GIB, new CountedMachine("a-000001", "m0", 3000, 6 * GIB, 0)));
        assertThat(fits(service, 5000, 10 * GIB)).isTrue();
        assertThat(fits(service, 6000, 1 * GIB)).isFalse();
    }

    @Test
    void aMemoryUseNotInWholeMiBCountsItsWholeMiBOnly() {
        Infra.Swapped inventory = host(0);
        PlacementService service = service(inventory, new InMemoryLedger());
        assertThat(service.place(contract("c1", 2000, 4 * GIB, 0), false).placed()).isTrue();
        // the machine reports a byte less than 4 GiB: 4095 whole MiB, so the binding still holds 1 MiB
        inventory.change("h1", shows(6, 12 * GIB, new CountedMachine("a-000001", "m0", 2000, 4 * GIB - 1, 0)));
        assertThat(fits(service, 6000, 12 * GIB - (1 << 20))).isTrue();
        assertThat(fits(service, 6000, 12 * GIB)).isFalse();
    }

    @Test
    void aMachineWithTheBindingsGpusLeavesThemToTheHostsRoomWhateverTheirIds() {
        Infra.Swapped inventory = host(2);
        PlacementService service = service(inventory, new InMemoryLedger());
        PlacementDecision placed = service.place(contract("c1", 1000, GIB, 1), false);
        assertThat(placed.placed()).isTrue();
        List<String> bound = placed.bindings().get(0).acceleratorIds();
        assertThat(bound).hasSize(1);
        assertThat(fits(service, 1000, GIB, 1)).isTrue();
        assertThat(fits(service, 1000, GIB, 2)).isFalse();
        // the host shows one GPU, under an id neither of the node's GPUs had (OpenStack's PGPU ids shift), and counts the machine's
        inventory.change("h1", n -> shows(7, 15 * GIB, new CountedMachine("a-000001", "m0", 1000, GIB, 1)).apply(n).toBuilder()
                .accelerators(List.of(n.accelerators().get(0).toBuilder().id("h1/pgpu-7").build())).build());
        assertThat(inventory.snapshot().nodes().get(0).accelerators()).extracting(a -> a.id()).doesNotContainAnyElementsOf(bound);
        assertThat(fits(service, 1000, GIB, 1)).as("the shown GPU is free").isTrue();
        assertThat(fits(service, 1000, GIB, 2)).isFalse();
        assertThat(fits(service, 7000, 15 * GIB)).as("nor are its CPU and memory reserved again").isTrue();
        assertThat(service.place(dedicated("t2"), true).placed()).as("the binding still holds its node for its tenant").isFalse();
        assertThat(service.place(dedicated("t1"), true).placed()).isTrue();
    }

    /** A one-CPU member of a tenant that shares its node with no other tenant. */
    private static Contract dedicated(String tenant) {
        return new Contract("alone", tenant, 0, List.of(new Member("m0", 1000, GIB, GpuRequest.NONE, TopologyRequest.ANY, 0)),
                FabricRequest.ANY, Sovereignty.ANY, Isolation.DEDICATED_NODE);
    }

    @Test
    void aMachineWithFewerGpusThanItsBindingLeavesTheBindingsGpusReserved() {
        Infra.Swapped inventory = host(2);
        PlacementService service = service(inventory, new InMemoryLedger());
        assertThat(service.place(contract("c1", 1000, GIB, 1), false).placed()).isTrue();
        // the host still shows both GPUs; the machine's GPU is not counted in its room
        inventory.change("h1", shows(7, 15 * GIB, new CountedMachine("a-000001", "m0", 1000, GIB, 0)));
        assertThat(fits(service, 1000, GIB, 1)).isTrue();
        assertThat(fits(service, 1000, GIB, 2)).as("the binding's GPU is reserved").isFalse();
        assertThat(fits(service, 7000, 15 * GIB)).isTrue();
        // as many GPUs counted as the binding holds: none reserved
        inventory.change("h1", shows(7, 15 * GIB, new CountedMachine("a-000001", "m0", 1000, GIB, 1)));
        assertThat(fits(service, 1000, GIB, 2)).isTrue();
    }

    @Test
    void aReleaseGivesBackWhatWasReservedAndTheMachineIsThenIgnored() {
        Infra.Swapped inventory = host(0);
        PlacementService service = service(inventory, new InMemoryLedger());
        assertThat(service.place(contract("c1", 4000, 4 * GIB, 0), false).placed()).isTrue();
        assertThat(service.place(contract("c2", 1000, 2 * GIB, 0), false).placed()).isTrue();
        // c1's machine is made (2 CPUs reserved beyond it), c2's is not yet
        inventory.change("h1", shows(6, 12 * GIB, new CountedMachine("a-000001", "m0", 2000, 4 * GIB, 0)));
        assertThat(fits(service, 3000, 10 * GIB)).isTrue();
        assertThat(fits(service, 4000, 1 * GIB)).isFalse();
        service.release("a-000001");
        // the host still leaves the machine out until it is deleted: its attribute now names no binding of the ledger
        assertThat(fits(service, 5000, 10 * GIB)).isTrue();
        assertThat(fits(service, 6000, 1 * GIB)).isFalse();
        service.release("a-000002");
        assertThat(service.freeCapacity()).as("exactly what nothing held leaves").isEqualTo(freeWithNothingHeld(inventory));
        assertThat(fits(service, 6000, 12 * GIB)).isTrue();
        assertThat(fits(service, 7000, 1 * GIB)).isFalse();
    }

    @Test
    void aReleaseOfAPartlyCountedBindingOnAFreshModelRestoresTheRoom() {
        Infra.Swapped inventory = host(2);
        InMemoryLedger ledger = new InMemoryLedger();
        PlacementService service = service(inventory, ledger);
        assertThat(service.place(contract("c1", 4000, 4 * GIB, 2), false).placed()).isTrue();
        inventory.change("h1", shows(6, 12 * GIB, new CountedMachine("a-000001", "m0", 2000, 2 * GIB, 1)));
        // a restart: a model built afresh from the ledger on this inventory, then the release
        PlacementService restarted = service(inventory, ledger);
        assertThat(fits(restarted, 1000, GIB, 1)).as("both GPUs held: the machine counts fewer than the binding").isFalse();
        assertThat(fits(restarted, 4000, 10 * GIB)).isTrue();
        assertThat(fits(restarted, 5000, 1 * GIB)).isFalse();
        restarted.release("a-000001");
        assertThat(restarted.freeCapacity()).isEqualTo(freeWithNothingHeld(inventory));
        assertThat(fits(restarted, 6000, 12 * GIB, 2)).isTrue();
    }
}
