package dev.strata.platform.core.commitment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.commitment.CommitmentStatus;
import dev.strata.platform.api.commitment.Finding;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The power domain a binding's power is reserved in, read again: the node moved out of it, or the domain gone. */
class PowerDomainClauseTest {

    static final String NODE = CommitmentCheckTest.NODE;
    static final Allocation PLACED = new Allocation("a-1", "train", "t1", 10, false, Instant.parse("2026-01-01T00:00:00Z"),
            List.of(new MemberBinding("trainer", NODE, "fra-1", List.of(NODE + "/gpu0", NODE + "/gpu1"), 1, null, 0, null, 8000, 64L << 30,
                    700, "rack-1")));

    static List<Finding> check(Node node, PowerDomain... domains) {
        InventorySnapshot inv = new InventorySnapshot(7, Instant.now(), List.of(CommitmentCheckTest.fra1()), List.of(node), List.of(),
                List.of(), List.of(domains), List.of(), List.of());
        return CommitmentCheck.check(PLACED, CommitmentCheckTest.contract(Isolation.SHARED, false), inv, List.of(PLACED)).findings();
    }

    static final PowerDomain RACK_1 = new PowerDomain("rack-1", "rack", "fra-1", null, 20_000);
    static final PowerDomain RACK_2 = new PowerDomain("rack-2", "rack", "fra-1", null, 20_000);

    @Test
    void whileTheNodeIsInTheDomainItsPowerIsReservedInNothingIsFound() {
        assertThat(check(CommitmentCheckTest.node().toBuilder().powerDomainId("rack-1").build(), RACK_1, RACK_2)).isEmpty();
    }

    @Test
    void aNodeMovedToAnotherDomainOrOutOfAnyPutsItsReservationAtRisk() {
        assertThat(check(CommitmentCheckTest.node().toBuilder().powerDomainId("rack-2").build(), RACK_1, RACK_2)).containsExactly(
                new Finding("trainer", "members.trainer.power", CommitmentStatus.AT_RISK, "node " + NODE + " is now in power domain rack-2, "
                        + "while its 700.0 W are reserved in rack-1: no budget holds what it draws now"));
        assertThat(check(CommitmentCheckTest.node(), RACK_1)).extracting(Finding::evidence).containsExactly("node " + NODE
                + " is now in no power domain, while its 700.0 W are reserved in rack-1: no budget holds what it draws now");
    }

    @Test
    void aDomainGoneFromTheInventoryLeavesItsBudgetUnknown() {
        assertThat(check(CommitmentCheckTest.node().toBuilder().powerDomainId("rack-1").build(), RACK_2)).containsExactly(new Finding(
                "trainer", "members.trainer.power", CommitmentStatus.AT_RISK, "power domain rack-1, where the 700.0 W of node " + NODE
                        + " are reserved, is no longer in the inventory: its budget is unknown"));
    }
}
