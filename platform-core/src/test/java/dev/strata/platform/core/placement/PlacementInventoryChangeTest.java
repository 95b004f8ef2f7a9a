package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.PowerDraw;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.core.contract.ContractDocumentReader;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * A placement whose bound node changes in the inventory between its decision and its commit: it
 * is decided again on the node as it now is; a change to a node it did not bind leaves it
 * standing; a node that never stops changing cannot hold it forever.
 */
class PlacementInventoryChangeTest {

    private static final String TWO_GPUS = "{name: c, tenant: t1, members: [{name: m, gpus: 2}]}";

    private final ContractDocumentReader reader = new ContractDocumentReader();

    /** Node a fits two GPUs exactly (the best fit); node b has four. */
    private static Infra twoNodes() {
        return new Infra().s1()
                .node("a", "s1", null, 32, 256, 2, "NVIDIA L40S", 48, 0, 1, 350, 2000)
                .node("b", "s1", null, 32, 256, 4, "NVIDIA L40S", 48, 0, 1, 350, 2000);
    }

    /**
     * An inventory that answers its {@code n}-th read (from 0) with {@code snapshots.apply(n)}: the
     * engine reads it when it takes a model to decide on, and again before it commits, so a test
     * can change the inventory between the two.
     */
    private static final class Reads implements Inventory {
        final AtomicInteger reads = new AtomicInteger();
        private final IntFunction<InventorySnapshot> snapshots;

        Reads(IntFunction<InventorySnapshot> snapshots) {
            this.snapshots = snapshots;
        }

        @Override
        public InventorySnapshot snapshot() {
            return snapshots.apply(reads.getAndIncrement());
        }

        @Override
        public InventorySnapshot refresh(Duration maxWait) {
            return snapshot();
        }
    }

    private PlacementService service(Inventory inventory) {
        return new PlacementService(inventory, new InMemoryLedger(), "strata", Clock.systemUTC());
    }

    @Test
    void aBoundNodeWhoseGpuFailedBeforeTheCommitIsDecidedAgain() {
        Infra infra = twoNodes();
        InventorySnapshot before = infra.snapshot();
        assertThat(service(new Reads(n -> before)).place(reader.read(TWO_GPUS, "c"), true).bindings())
                .as("node a is the best fit while its GPUs are well").extracting(MemberBinding::nodeId).containsExactly("a");
        InventorySnapshot failed = infra.health("a", 0, Health.Status.FAILED).snapshot();
        Reads inventory = new Reads(n -> n == 0 ? before : failed);
        PlacementService service = service(inventory);

        PlacementDecision d = service.place(reader.read(TWO_GPUS, "c"), false);

        assertThat(d.placed()).isTrue();
        assertThat(d.bindings()).as("a GPU of node a failed after the decision: decided again, on b")
                .extracting(MemberBinding::nodeId).containsExactly("b");
        assertThat(d.inventoryGeneration()).as("decided on the inventory with the failed GPU").isEqualTo(failed.generation());
        assertThat(service.engine().inventoryRedecisions()).isEqualTo(1);
        assertThat(service.allocations()).singleElement().satisfies(a -> assertThat(a.bindings().get(0).nodeId()).isEqualTo("b"));
    }

    @Test
    void aBoundNodeThatLeftBeforeTheCommitIsDecidedAgain() {
        Infra infra = twoNodes();
        InventorySnapshot before = infra.snapshot();
        InventorySnapshot withoutA = new InventorySnapshot(before.generation() + 1, before.takenAt(), before.sites(),
                before.nodes().stream().filter(n -> !n.id().equals("a")).toList(), before.fabrics(), before.storagePools(),
                before.powerDomains(), before.offers());
        PlacementService service = service(new Reads(n -> n == 0 ? before : withoutA));

        PlacementDecision d = service.place(reader.read(TWO_GPUS, "c"), false);

        assertThat(d.bindings()).extracting(MemberBinding::nodeId).containsExactly("b");
        assertThat(service.engine().inventoryRedecisions()).isEqualTo(1);
    }

    @Test
    void aBoundNodeThatWasDrainedBeforeTheCommitIsDecidedAgain() {
        Infra infra = twoNodes();
        InventorySnapshot before = infra.snapshot();
        InventorySnapshot drained = infra.change("a", n -> n.withState(ResourceState.STALE)).snapshot();
        PlacementService service = service(new Reads(n -> n == 0 ? before : drained));

        PlacementDecision d = service.place(reader.read(TWO_GPUS, "c"), false);

        assertThat(d.bindings()).extracting(MemberBinding::nodeId).containsExactly("b");
        assertThat(service.engine().inventoryRedecisions()).isEqualTo(1);
    }

    @Test
    void aChangeToANodeTheDecisionDidNotBindLeavesItStanding() {
        Infra infra = twoNodes();
        InventorySnapshot before = infra.snapshot();
        InventorySnapshot otherChanged = infra.health("b", 3, Health.Status.FAILED).snapshot();
        PlacementService service = service(new Reads(n -> n == 0 ? before : otherChanged));

        PlacementDecision d = service.place(reader.read(TWO_GPUS, "c"), false);

        assertThat(d.bindings()).extracting(MemberBinding::nodeId).containsExactly("a");
        assertThat(d.inventoryGeneration()).as("committed as decided, on the first inventory").isEqualTo(before.generation());
        assertThat(service.engine().inventoryRedecisions()).as("no node it binds changed").isZero();
    }

    @Test
    void aFactPlacementDoesNotReadLeavesItStanding() {
        Infra infra = twoNodes();
        InventorySnapshot before = infra.snapshot();
        InventorySnapshot renamed = infra.change("a", n -> n.toBuilder().hostname("a.example").build()).snapshot();
        PlacementService service = service(new Reads(n -> n == 0 ? before : renamed));

        PlacementDecision d = service.place(reader.read(TWO_GPUS, "c"), false);

        assertThat(d.bindings()).extracting(MemberBinding::nodeId).containsExactly("a");
        assertThat(service.engine().inventoryRedecisions()).as("a host name is not a fact placement reads").isZero();
    }

    @Test
    void aBoundNodeThatNeverStopsChangingIsCommittedAfterABoundedNumberOfDecisions() {
        Infra infra = twoNodes();
        // each read a new generation in which node a draws one watt more: a's facts change between every decision and its commit
        Reads inventory = new Reads(n -> infra.change("a", node -> node.toBuilder()
                .power(new PowerDraw(0, 2000 + n)).build()).snapshot());
        PlacementService service = service(inventory);

        PlacementDecision d = service.place(reader.read(TWO_GPUS, "c"), false);

        assertThat(d.placed()).isTrue();
        assertThat(d.bindings()).extracting(MemberBinding::nodeId).containsExactly("a");
        assertThat(service.engine().inventoryRedecisions()).isEqualTo(PlacementEngine.INVENTORY_REDECISIONS);
        assertThat(service.engine().serialised()).as("deciding again for the inventory is not a lost race of the ledger").isZero();
        assertThat(service.allocations()).hasSize(1);
    }

    @Test
    void aDryRunIsNotDecidedAgain() {
        Infra infra = twoNodes();
        InventorySnapshot before = infra.snapshot();
        InventorySnapshot failed = infra.health("a", 0, Health.Status.FAILED).snapshot();
        PlacementService service = service(new Reads(n -> n == 0 ? before : failed));

        PlacementDecision d = service.place(reader.read(TWO_GPUS, "c"), true);

        assertThat(d.bindings()).as("a dry run answers on the inventory it read").extracting(MemberBinding::nodeId).containsExactly("a");
        assertThat(service.engine().inventoryRedecisions()).isZero();
        assertThat(service.allocations()).isEmpty();
    }
}
