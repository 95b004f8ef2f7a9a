package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.placement.TenantUse;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tenant quotas at their edges: shares finer than a thousandth, messages near a limit, what the parser takes. */
class TenantQuotaReviewTest {

    private static final String PID = RetiredQuotaFile.PID;
    private static Contract contract(String yaml) {
        return TenantQuotasTest.contract(yaml);
    }

    private static PlacementService service(Infra infra, String quotas) {
        return TenantQuotasTest.service(infra, quotas);
    }

    /**
     * A contract may hold a share finer than a thousandth (0.0014: the contract reader refuses it, a
     * contract built through the API does not).
     * Placement reserves it as 2 thousandths of the GPU (rounded up), but the quota counted it as 1
     * (rounded to the nearest), so a tenant held to 0.002 GPUs took two such shares: 0.0028 GPUs by
     * their shares, 0.004 GPUs of capacity.
     */
    /** The contract with its one member's share of a GPU set to {@code fraction}, as the API allows and the reader does not. */
    private static dev.strata.platform.api.contract.Contract finer(dev.strata.platform.api.contract.Contract c, double fraction) {
        dev.strata.platform.api.contract.Member m = c.members().get(0);
        dev.strata.platform.api.contract.GpuRequest g = m.gpus();
        dev.strata.platform.api.contract.Member finer = new dev.strata.platform.api.contract.Member(m.name(), m.cpuMilli(), m.memoryBytes(),
                new dev.strata.platform.api.contract.GpuRequest(g.count(), g.models(), g.minMemoryBytes(), fraction, g.partitionProfile(),
                        g.allowDegraded()), m.topology(), m.powerCeilingWatts(), m.provisioning());
        return new dev.strata.platform.api.contract.Contract(c.name(), c.tenant(), c.priority(), java.util.List.of(finer), c.fabric(),
                c.sovereignty(), c.isolation(), c.deployment());
    }

    @Test
    void aShareFinerThanAThousandthCountsAtLeastWhatItIsAndWhatPlacementReserves() {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null);
        PlacementService service = service(infra, "t/gpus=0.002");
        PlacementDecision first = service.place(finer(contract("{name: a, tenant: t, members: [{name: m, cpu: 1, gpus: {fraction: 0.001}}]}"), 0.0014), false);
        assertThat(first.placed()).isTrue();
        PlacementDecision second = service.place(finer(contract("{name: b, tenant: t, members: [{name: m, cpu: 1, gpus: {fraction: 0.001}}]}"), 0.0014),
                false);
        assertThat(second.placed()).as("0.0014 + 0.0014 = 0.0028 GPUs is more than the 0.002 GPUs of the quota: " + second.summary()).isFalse();
        assertThat(TenantUse.gpuMilli(first.bindings().get(0))).as("0.0014 of a GPU, reserved as 2 thousandths").isEqualTo(2);
        assertThat(service.tenants()).as("what strata:tenants and the metrics show").extracting(TenantUse::gpuMilli).containsExactly(2L);
    }

    /**
     * Quotas and holdings are kept in thousandths of a GPU, but the refusal wrote them with two
     * decimals: 0.142 more on 0.859 held (1.001) of 1 read "0.14 GPUs more on the 0.86 GPUs it holds,
     * of 1 GPUs", which adds up to the quota and so reads as a placement that fits (and "1 GPUs").
     */
    @Test
    void aRefusalNearTheLimitWritesTheThousandthsItWasDecidedOn() {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null);
        PlacementService service = service(infra, "t/gpus=1");
        assertThat(service.place(contract("{name: a, tenant: t, members: [{name: m, cpu: 1, gpus: {fraction: 0.859}}]}"), false).placed())
                .isTrue();
        PlacementDecision over = service.place(contract("{name: b, tenant: t, members: [{name: m, cpu: 1, gpus: {partition: 1g.10gb}}]}"),
                false);
        assertThat(over.placed()).isFalse();
        assertThat(over.summary()).as("the numbers of the refusal must not add up to the quota")
                .contains("0.142 GPUs more on the 0.859 GPUs it holds, of 1 GPU");
    }

    /**
     * cpu and memory take a plain decimal (Quantities: digits, an optional fraction, a unit) and
     * refuse a sign, an exponent or a bare point; gpus took whatever BigDecimal takes, so "-0" was
     * a quota of 0 GPUs and "1e3" one of 1000 GPUs, although "-1" is refused.
     */
    @ParameterizedTest
    @ValueSource(strings = {"+5", "-0", "1e3", "1E2", ".5", "5."})
    void gpusTakeAPlainDecimalAsCpuAndMemoryDo(String amount) {
        assertThatThrownBy(() -> TenantQuotas.parse(PID, "t/cpu=" + amount)).as("cpu").isInstanceOf(InvalidConfigurationException.class);
        assertThatThrownBy(() -> TenantQuotas.parse(PID, "t/gpus=" + amount)).as("gpus")
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("'" + amount + "' is not an amount of gpus");
    }

    /**
     * A launch slot holds one member and the whole machine it becomes: nobody else is placed on the
     * rest of it (OfferSlots). A member asking for one GPU on a slot of an 8-GPU shape counted one
     * GPU towards its tenant's quota while its tenant held all eight of the launched machine, so a
     * tenant held to 2 GPUs launched a p4d.24xlarge for each placement.
     */
    @Test
    void aMemberOnACloudLaunchSlotCountsTheMachineItHolds() {
        PlacementService held = new PlacementService(OfferSlots.view(OfferSlotsTest.fixed(OfferSlotsTest.inventory(3, 0))),
                new InMemoryLedger(), "strata", Clock.systemUTC());
        held.engine().quotas(TenantQuotas.parse(PID, "t/gpus=2"));
        assertThat(held.place(contract("{name: a, tenant: t, members: [{name: m, cpu: 1, gpus: 1}]}"), false).summary())
                .isEqualTo("not placed: tenant t would exceed its quota: 8 GPUs more on the 0 GPUs it holds, of 2 GPUs");

        PlacementService service = new PlacementService(OfferSlots.view(OfferSlotsTest.fixed(OfferSlotsTest.inventory(3, 0))),
                new InMemoryLedger(), "strata", Clock.systemUTC());
        service.engine().quotas(TenantQuotas.parse(PID, "t/gpus=16"));
        PlacementDecision d = service.place(contract("{name: a, tenant: t, members: [{name: m, cpu: 1, gpus: 1}]}"), false);
        assertThat(d.placed() ? d.bindings().get(0).nodeId() : d.summary()).as("bound to a launch slot of the offer")
                .startsWith(OfferSlotsTest.OFFER + "#");
        assertThat(d.evidence()).anyMatch(e -> e.clause().equals("quota") && e.evidence().startsWith("tenant t: 8 GPUs more on the 0 GPUs"));
        assertThat(service.tenants()).as("the tenant holds the launched machine's 8 GPUs").extracting(TenantUse::gpuMilli)
                .containsExactly(8_000L);
        PlacementDecision cpuOnly = service.place(contract("{name: b, tenant: t, members: [{name: m, cpu: 1}]}"), false);
        assertThat(cpuOnly.placed() ? cpuOnly.bindings().get(0).nodeId() : cpuOnly.summary()).startsWith(OfferSlotsTest.OFFER + "#");
        assertThat(service.tenants()).as("a CPU-only member on a GPU shape holds its GPUs too").extracting(TenantUse::gpuMilli)
                .containsExactly(16_000L);
        assertThat(service.place(contract("{name: c, tenant: t, members: [{name: m, cpu: 1}]}"), false).summary())
                .isEqualTo("not placed: tenant t would exceed its quota: 8 GPUs more on the 16 GPUs it holds, of 16 GPUs");
        service.release(d.allocationId());
        assertThat(service.tenants()).extracting(TenantUse::gpuMilli).containsExactly(8_000L);
    }
}
