package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.placement.TenantUse;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.InventorySnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class StatusCommandTest {

    static Placement ledger(Allocation... allocations) {
        return ledger(null, allocations);
    }

    /** As {@link #ledger(Allocation...)}, answering {@code tenants} for what the tenants hold (null: the API's reading of the allocations). */
    static Placement ledger(List<TenantUse> tenants, Allocation... allocations) {
        return ledger(tenants, () -> List.of(allocations));
    }

    /** As {@link #ledger(List, Allocation...)}, the allocations read from {@code allocations} each time they are asked. */
    static Placement ledger(List<TenantUse> tenants, Supplier<List<Allocation>> allocations) {
        return new Placement() {
            @Override
            public PlacementDecision place(Contract contract, boolean dryRun) {
                throw new UnsupportedOperationException();
            }

            @Override
            public PlacementDecision placeFor(Contract contract, String deploymentId) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<Allocation> allocations() {
                return allocations.get();
            }

            @Override
            public Optional<Allocation> allocation(String id) {
                return allocations().stream().filter(a -> a.id().equals(id)).findFirst();
            }

            @Override
            public List<TenantUse> tenants() {
                return tenants == null ? Placement.super.tenants() : tenants;
            }

            @Override
            public Allocation release(String id) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Allocation forceRelease(String id) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Allocation releaseFor(String id, String deploymentId) {
                throw new UnsupportedOperationException();
            }
        };
    }

    static Allocation allocationOn(String id, String... nodes) {
        return new Allocation(id, "c-" + id, "t", 0, false, Instant.EPOCH, java.util.Arrays.stream(nodes)
                .map(n -> new MemberBinding("m-" + n, n, "s", List.of(), 1, null, -1, null, 1000, 1L << 30, 0, null)).toList());
    }

    /**
     * strata:status and strata:allocations read the inventory before the ledger, so a node that
     * joined and was placed on between the two reads was named as one that left the inventory
     * ("1 holds nodes that left", NODES GONE), while it was there. They read the ledger first:
     * every node it names is then in the inventory read after, unless it left.
     */
    @Test
    void aNodeThatJoinedBetweenTheReadsIsNotShownAsGone() throws Exception {
        AtomicBoolean joined = new AtomicBoolean();
        Inventory before = Fixtures.inventory(Fixtures.node());
        Inventory inventory = new Inventory() {
            @Override
            public InventorySnapshot snapshot() {
                InventorySnapshot read = before.snapshot();
                // right after this read, baremetal:gpu2 joins and is placed on
                joined.set(true);
                return read;
            }

            @Override
            public InventorySnapshot refresh(Duration maxWait) {
                return before.refresh(maxWait);
            }
        };
        Placement ledger = ledger(null, () -> joined.get() ? List.of(allocationOn("a-1", "baremetal:gpu1"),
                allocationOn("a-2", "baremetal:gpu2")) : List.of(allocationOn("a-1", "baremetal:gpu1")));

        StatusCommand status = new StatusCommand();
        status.registry = Fixtures.registry(Fixtures.status("baremetal", ProviderState.ACTIVE, null));
        status.inventory = inventory;
        status.placement = ledger;
        assertThat(CommandOutput.of(status::execute)).contains("Allocations: 1" + System.lineSeparator()).doesNotContain("left");

        joined.set(false);
        AllocationsCommand allocations = new AllocationsCommand();
        allocations.inventory = inventory;
        allocations.placement = ledger;
        allocations.noFormat = true;
        assertThat(CommandOutput.of(allocations::execute).lines().map(l -> CommandsTest.cells(l).get(10)).toList()).containsExactly("-");
    }

    @Test
    void summarisesProvidersNodesBySiteGpusByModelAndAllocationsOnNodesThatLeft() throws Exception {
        StatusCommand command = new StatusCommand();
        command.registry = Fixtures.registry(Fixtures.status("baremetal", ProviderState.ACTIVE, null),
                Fixtures.status("nvidia", ProviderState.UNAVAILABLE, "no NVML and no nvidia-smi"));
        command.inventory = Fixtures.inventory(GpuAndPlacementCommandsTest.gpuNode());
        command.placement = ledger(allocationOn("a-1", "baremetal:gpu1"), allocationOn("a-2", "fra-1-gone-07"));

        String out = CommandOutput.of(command::execute);

        assertThat(out).startsWith("2 providers, 1 node at 0 sites, 1 GPU (inventory generation ");
        assertThat(out).contains("nvidia    | UNAVAILABLE | 1         | no NVML and no nvidia-smi");
        assertThat(out).contains("local | 1     | 1         | 0     | 0        | 0");
        assertThat(out).contains("NVIDIA H200 | 1    | 1");
        assertThat(out).contains("Allocations: 2; 1 holds nodes that left the inventory: a-2 (see strata:allocations)");
    }

    /**
     * The counts are written as every number the shell prints, whatever the JVM's locale: in an
     * Arabic or Persian locale the summary's counts were written in that locale's digits
     * ({@code ٢}), which neither a script nor an operator reading the other commands' output expects.
     */
    @Test
    void theSummarysCountsAreWrittenInAsciiDigitsWhateverTheLocale() throws Exception {
        StatusCommand command = new StatusCommand();
        command.registry = Fixtures.registry(Fixtures.status("baremetal", ProviderState.ACTIVE, null));
        command.inventory = Fixtures.inventory(GpuAndPlacementCommandsTest.gpuNode());
        command.placement = ledger(allocationOn("a-1", "baremetal:gpu1"), allocationOn("a-2", "baremetal:gpu1"));
        command.commitments = new dev.strata.platform.api.commitment.Commitments() {
            @Override
            public List<dev.strata.platform.api.commitment.Commitment> commitments() {
                return List.of();
            }

            @Override
            public dev.strata.platform.api.commitment.Commitment verify(String allocationId) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<dev.strata.platform.api.commitment.Commitment> verifyAll() {
                throw new UnsupportedOperationException();
            }
        };
        String out = CommandOutput.inLocale("ar-EG", command::execute);

        assertThat(out).containsPattern("^1 provider, 1 node at 0 sites, 1 GPU \\(inventory generation [0-9]+\\)\n")
                .contains("\nAllocations: 2\n", "\nCommitments: 0 honored, 0 at risk, 0 breached\n");
    }

    /**
     * The ids of the allocations that hold nodes that left come from the ledger, a shared store an
     * operator or a program may have written: they were printed as they are, where every other id
     * is shown escaped.
     */
    @Test
    void theAllocationsOnNodesThatLeftAreShownEscaped() throws Exception {
        StatusCommand command = new StatusCommand();
        command.registry = Fixtures.registry(Fixtures.status("baremetal", ProviderState.ACTIVE, null));
        command.inventory = Fixtures.inventory(GpuAndPlacementCommandsTest.gpuNode());
        command.placement = ledger(allocationOn("a-\u001b[2J\u202e2", "fra-1-gone-07"));

        String out = CommandOutput.of(command::execute);

        assertThat(out).doesNotContain("\u001b", "\u202e")
                .contains("Allocations: 1; 1 holds nodes that left the inventory: a-\\x1b[2J\\u202e2 (see strata:allocations)");
    }

    @Test
    void allocationsShowTheNodesThatLeftTheInventory() throws Exception {
        AllocationsCommand command = new AllocationsCommand();
        command.inventory = Fixtures.inventory(Fixtures.node());
        command.placement = ledger(allocationOn("a-1", "baremetal:gpu1"), allocationOn("a-2", "fra-1-gone-07", "baremetal:gpu1"));
        command.noFormat = true;

        List<List<String>> rows = CommandOutput.of(command::execute).lines().map(CommandsTest::cells).toList();

        assertThat(rows).extracting(r -> r.get(0) + "=" + r.get(r.size() - 1)).containsExactly("a-1=-", "a-2=fra-1-gone-07");
    }

    /**
     * GPUS was the sum of the shares in two decimals: a share of 0.001 showed 0.00, an allocation
     * holding a GPU that read as holding none, and a 1g.10gb partition (1/7) 0.14 where strata:tenants
     * and the quota count 0.143. It is counted as placement reserves and strata:tenants counts.
     */
    @Test
    void anAllocationsGpusAreCountedAsTheQuotaCountsThem() throws Exception {
        AllocationsCommand command = new AllocationsCommand();
        command.inventory = Fixtures.inventory(Fixtures.node());
        Allocation tiny = new Allocation("a-1", "c", "bank-risk", 0, false, java.time.Instant.EPOCH, List.of(new MemberBinding("m",
                "baremetal:gpu1", "local", List.of("baremetal:gpu1/gpu0"), 0.001, null, -1, null, 0, 0, 0, null)));
        Allocation mig = new Allocation("a-2", "c", "bank-risk", 0, false, java.time.Instant.EPOCH, List.of(new MemberBinding("m",
                "baremetal:gpu1", "local", List.of("baremetal:gpu1/gpu0", "baremetal:gpu1/gpu1"), 1.0 / 7, null, -1, null, 0, 0, 0, null)));
        Allocation whole = new Allocation("a-3", "c", "bank-risk", 0, false, java.time.Instant.EPOCH, List.of(new MemberBinding("m",
                "baremetal:gpu1", "local", List.of("baremetal:gpu1/gpu0", "baremetal:gpu1/gpu1"), 1, null, -1, null, 0, 0, 0, null)));
        command.placement = ledger(tiny, mig, whole);
        command.noFormat = true;

        List<List<String>> rows = CommandOutput.of(command::execute).lines().map(CommandsTest::cells).toList();

        assertThat(rows).extracting(r -> r.get(0) + " " + r.get(7)).containsExactly("a-1 0.001", "a-2 0.286", "a-3 2");
    }
}
