package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.FabricRequest;
import dev.strata.platform.api.contract.GpuRequest;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.contract.Sovereignty;
import dev.strata.platform.api.contract.TopologyRequest;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.placement.Rejection;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The GPU share a gang needs, as the check of an RDMA fabric's free GPUs (and the search's) counts
 * it before binding: what the members' demands reserve, so that a fabric without room for the gang
 * is refused for that, not tried and refused as though the gang did not fit some other way.
 */
class RdmaFabricShareTest {

    private static Member member(String name, GpuRequest gpus) {
        return new Member(name, 1000, 1L << 30, gpus, TopologyRequest.ANY, 0);
    }

    private static Contract gang(String name, Member... members) {
        return new Contract(name, "t", 0, List.of(members), new FabricRequest(true, 0), Sovereignty.ANY, Isolation.SHARED);
    }

    /**
     * Shares finer than a thousandth of a GPU: each member takes one thousandth when bound, but the
     * check rounded 0.0004 to none, so a fabric with two thousandths free was tried for three such
     * members and the gang refused as though it did not fit there some other way ("1 fabric with
     * room tried"), instead of for the fabric's free GPUs.
     */
    @Test
    void aShareFinerThanAThousandthCountsTheThousandthItTakes() {
        Infra infra = new Infra().s1().node("n0", "s1", null, 16, 64, 1, "NVIDIA L40S", 48, 0, 1, 350, 0).rdma("ib", "s1", 400, "n0");
        PlacementService service = new PlacementService(infra.inventory(), new InMemoryLedger(), "strata", Clock.systemUTC());
        PlacementDecision filler = service.place(new Contract("filler", "t", 0, List.of(member("f", new GpuRequest(1, Set.of(), 0, 0.998,
                null))), FabricRequest.ANY, Sovereignty.ANY, Isolation.SHARED), false);
        assertThat(filler.placed()).as(filler.summary()).isTrue();
        GpuRequest tiny = new GpuRequest(1, Set.of(), 0, 0.0004, null);

        PlacementDecision two = service.place(gang("two", member("a", tiny), member("b", tiny)), true);
        assertThat(two.placed()).as("two thousandths are free for two members: %s", two.summary()).isTrue();

        PlacementDecision three = service.place(gang("three", member("a", tiny), member("b", tiny), member("c", tiny)), true);
        assertThat(three.placed()).isFalse();
        assertThat(three.summary()).isEqualTo("not placed: no RDMA fabric has the free GPUs the gang needs on nodes that meet the contract");
        assertThat(three.rejections()).extracting(Rejection::reason)
                .contains("RDMA fabric ib has 0.002 free GPUs on nodes that meet the contract; the gang needs 0.003");
    }
}
