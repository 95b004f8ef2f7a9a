package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.placement.ClauseEvidence;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.placement.Rejection;
import dev.strata.platform.core.contract.ContractDocumentReader;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link TenantQuotas}: the configured value, and placement held to it. */
class TenantQuotasTest {

    private static final String PID = RetiredQuotaFile.PID;
    private static final ContractDocumentReader READER = new ContractDocumentReader();

    static Contract contract(String yaml) {
        return READER.read(yaml, "test");
    }

    /** Placement over the infrastructure on an in-memory ledger, held to these quotas. */
    static PlacementService service(Infra infra, String quotas) {
        PlacementService service = new PlacementService(infra.inventory(), new InMemoryLedger(), "strata", Clock.systemUTC());
        service.engine().quotas(TenantQuotas.parse(PID, quotas));
        return service;
    }

    @Test
    void entriesAreReadPerTenantAndResource() {
        TenantQuotas q = TenantQuotas.parse(PID, " bank-risk/gpus=64, bank-risk/memory=4TiB,bank-risk/cpu=500m , web/gpus=2.5, a/b/gpus=1");
        assertThat(q.of("bank-risk")).contains(new TenantQuotas.Limits(64_000, 500, 4L << 40));
        assertThat(q.of("web")).contains(new TenantQuotas.Limits(2_500, -1, -1));
        assertThat(q.of("a/b")).as("a tenant may hold a slash: the last one ends it").contains(new TenantQuotas.Limits(1_000, -1, -1));
        assertThat(q.of("other")).isEmpty();
        assertThat(TenantQuotas.parse(PID, "").all()).isEmpty();
        assertThat(TenantQuotas.parse(PID, null).all()).isEmpty();
        assertThat(TenantQuotas.parse(PID, "t/gpus=0").of("t")).contains(new TenantQuotas.Limits(0, -1, -1));
    }

    /** A tenant id holding a comma, a quote or spaces at its ends is written in double quotes, a quote inside doubled. */
    @Test
    void aTenantIdInDoubleQuotesMayHoldCommasQuotesAndSpaces() {
        TenantQuotas q = TenantQuotas.parse(PID, "\"acme, inc\"/gpus=4, \"say \"\"hi\"\"\"/cpu=2,\" padded \"/memory=1GiB, "
                + "\"a/b=c\"/gpus=1, plain/gpus=1");
        assertThat(q.of("acme, inc")).contains(new TenantQuotas.Limits(4_000, -1, -1));
        assertThat(q.of("say \"hi\"")).contains(new TenantQuotas.Limits(-1, 2_000, -1));
        assertThat(q.of(" padded ")).contains(new TenantQuotas.Limits(-1, -1, 1L << 30));
        assertThat(q.of("a/b=c")).contains(new TenantQuotas.Limits(1_000, -1, -1));
        assertThat(q.of("plain")).contains(new TenantQuotas.Limits(1_000, -1, -1));
        assertThat(q.all()).hasSize(5);
        // and placement holds such a tenant to it
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null);
        PlacementService service = service(infra, "\"acme, inc\"/gpus=4");
        assertThat(service.place(contract("{name: a, tenant: 'acme, inc', members: [{name: m, cpu: 1, gpus: 4}]}"), false).placed()).isTrue();
        assertThat(service.place(contract("{name: b, tenant: 'acme, inc', members: [{name: m, cpu: 1, gpus: 1}]}"), true).summary())
                .endsWith("tenant acme, inc would exceed its quota: 1 GPU more on the 4 GPUs it holds, of 4 GPUs");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "bank-risk=64|bank-risk=64",
        "bank-risk/gpus|bank-risk/gpus",
        "/gpus=4|/gpus=4",
        "t/gpus=|t/gpus=",
        "t/disks=4|'disks' is no resource",
        "t/gpus=-1|'-1' is not an amount of gpus",
        "t/gpus=0.0005|'0.0005' is not an amount of gpus",
        "t/gpus=lots|'lots' is not an amount of gpus",
        "t/memory=4tb|'4tb' is not an amount of memory",
        "t/cpu=-2|'-2' is not an amount of cpu",
        "t/gpus=1, t/gpus=2|t/gpus is given twice",
        "t/gpus=1,|expected entries TENANT/RESOURCE=VALUE",
        "\"acme, inc/gpus=4|a tenant id in double quotes ends with a double quote",
        "\"acme\" inc/gpus=4|a tenant id in double quotes is the whole of what stands before /RESOURCE",
        "\"\"/gpus=4|\"\"/gpus=4"})
    void aBadEntryIsRefusedNamingItAndWhatWasExpected(String value, String message) {
        assertThatThrownBy(() -> TenantQuotas.parse(PID, value))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining(PID).hasMessageContaining("tenantQuotas").hasMessageContaining(message)
                .hasMessageContaining("expected entries TENANT/RESOURCE=VALUE separated by commas");
    }

    /**
     * A tenant id holding a control character is refused, the entry shown as every configuration
     * error shows a value: its control characters escaped, as the exception writes them. Before,
     * TenantQuotas replaced them by '?' itself, which the exception's own escaping now does the one way.
     */
    @Test
    void aTenantIdHoldingAControlCharacterIsShownEscaped() {
        assertThatThrownBy(() -> TenantQuotas.parse(PID, "\"bank\nrisk\u001b[2J\"/gpus=4"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("tenantQuotas = '\"bank\\u000arisk\\u001b[2J\"/gpus=4' is invalid")
                .hasMessageContaining("a tenant id is 1 to 256 characters, no control characters")
                .satisfies(e -> assertThat(e.getMessage().codePoints().noneMatch(Character::isISOControl)).isTrue());
    }

    /**
     * A quota set for a tenant id that cannot have one (strata:quota set) is refused with the id
     * shown as the API shows a configured value: a NUL, an ESC, a line separator and a lone surrogate
     * each as a backslash, u and four hex digits. Before, the control characters were '?', which
     * lost what the id held, and the separator and the surrogate went through as they were.
     */
    @Test
    void aTenantIdThatCannotHaveAQuotaIsShownEscaped() {
        assertThatThrownBy(() -> TenantQuotas.limits("a\u0000b\u001b[2Jc\u2028d\ud800e", Map.of("gpus", "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("tenant id 'a\\u0000b\\u001b[2Jc\\u2028d\\ud800e' cannot have a quota;");
    }

    @Test
    void aGangThatWouldTakeTheTenantPastItsQuotaIsRefusedWholeAndAReleaseMakesRoom() {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null).h100("n2", "fra-1", null);
        PlacementService service = service(infra, "bank/gpus=10, bank/memory=1TiB");
        PlacementDecision first = service.place(contract("{name: a, tenant: bank, members: [{name: m, replicas: 2, cpu: 1, gpus: 4}]}"), false);
        assertThat(first.placed()).isTrue();
        assertThat(first.evidence()).as("the placement record shows what it took of the quota").contains(new ClauseEvidence("quota",
                "tenant bank: 8 GPUs more on the 0 GPUs it holds, of 10 GPUs; 0 B of memory more on the 0 B of memory it holds, of 1 TiB of memory"));
        assertThat(service.place(contract("{name: x, tenant: other, members: [{name: m, cpu: 1, gpus: 1}]}"), true).evidence())
                .as("no quota, no such line").noneMatch(e -> e.clause().equals("quota"));
        Contract three = contract("{name: b, tenant: bank, members: [{name: m, cpu: 1, gpus: 2}, {name: n, cpu: 1, gpus: 1}]}");
        PlacementDecision over = service.place(three, false);
        assertThat(over.placed()).isFalse();
        assertThat(over.summary()).isEqualTo("not placed: tenant bank would exceed its quota: 3 GPUs more on the 8 GPUs it holds, of 10 GPUs");
        assertThat(over.rejections()).containsExactly(new Rejection("*", "tenant bank would exceed its quota: 3 GPUs more on the 8 GPUs it "
                + "holds, of 10 GPUs", 0));
        assertThat(service.allocations()).hasSize(1);
        PlacementDecision dry = service.place(three, true);
        assertThat(dry.placed()).as("a dry run says what the placement would do").isFalse();
        assertThat(dry.summary()).isEqualTo(over.summary());
        assertThat(service.place(contract("{name: c, tenant: bank, members: [{name: m, cpu: 1, gpus: 2}]}"), false).placed())
                .as("up to the quota exactly").isTrue();
        assertThat(service.place(contract("{name: d, tenant: other, members: [{name: m, cpu: 1, gpus: 4}]}"), false).placed())
                .as("a tenant without a quota").isTrue();
        assertThat(service.place(contract("{name: e, tenant: bank, members: [{name: m, cpu: 1, memory: 1GiB}]}"), false).placed())
                .as("no GPU asked: the GPU quota, used up, does not refuse it").isTrue();
        service.release(first.allocationId());
        assertThat(service.place(three, false).placed()).as("the release gave back 8 GPUs").isTrue();
    }

    @Test
    void sharesAndPartitionsCountAsTheirShareAndEveryResourceOverIsNamed() {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null);
        PlacementService service = service(infra, "t/gpus=0.5, t/cpu=3, t/memory=10GiB");
        assertThat(service.place(contract("{name: a, tenant: t, members: [{name: m, cpu: 1, memory: 4GiB, gpus: {fraction: 0.25}}]}"),
                false).placed()).isTrue();
        assertThat(service.place(contract("{name: b, tenant: t, members: [{name: m, cpu: 1, memory: 4GiB, gpus: {partition: 1g.10gb}}]}"),
                false).placed()).as("0.25 + 0.142").isTrue();
        PlacementDecision over = service.place(contract("{name: c, tenant: t, members: [{name: m, cpu: 1.5, memory: 4GiB, gpus: {partition: "
                + "1g.10gb}}]}"), false);
        assertThat(over.placed()).isFalse();
        assertThat(over.summary()).isEqualTo("not placed: tenant t would exceed its quota: 0.142 GPUs more on the 0.392 GPUs it holds, of "
                + "0.5 GPUs; 1.5 CPUs more on the 2 CPUs it holds, of 3 CPUs; 4 GiB of memory more on the 8 GiB of memory it holds, of "
                + "10 GiB of memory");
    }

    /**
     * A MIG instance counts its compute slices over its GPU's own: an A30 has 4, so a {@code 1g.6gb}
     * is a quarter of it. Counted as sevenths whatever the GPU, two of them held 0.284 of a 0.5 GPU
     * quota and a third was placed, taking the tenant to three quarters of a GPU.
     */
    @Test
    void aPartitionOfAnA30CountsAQuarterOfAGpu() {
        Infra infra = Infra.threeSites().node("a30", "fra-1", null, 32, 256, 1, "NVIDIA A30", 24, 0, 1, 165, 1_000)
                .mig("a30", dev.strata.platform.core.placement.packing.MigTableTest.a30());
        PlacementService service = service(infra, "t/gpus=0.5");
        String oneG = "{name: %s, tenant: t, members: [{name: m, cpu: 1, memory: 1GiB, gpus: {partition: 1g.6gb}}]}";
        PlacementDecision first = service.place(contract(oneG.formatted("a")), false);
        assertThat(first.placed()).isTrue();
        assertThat(first.bindings()).singleElement().satisfies(b -> assertThat(b.gpuFraction()).isEqualTo(0.25));
        assertThat(service.place(contract(oneG.formatted("b")), false).placed()).isTrue();
        assertThat(service.engine().tenantHolds()).containsEntry("t", new TenantQuotas.Limits(500, 2_000, 2L << 30));
        assertThat(service.place(contract(oneG.formatted("c")), false).summary())
                .isEqualTo("not placed: tenant t would exceed its quota: 0.25 GPUs more on the 0.5 GPUs it holds, of 0.5 GPUs");
    }

    /**
     * An allocation already in the ledger records a {@code 1g.6gb} of an A30 as 0.142 of a GPU (the
     * sevenths it was counted as): it holds the quarter of the A30 it takes all the same, and the
     * A30's capacity books it so.
     */
    @Test
    void aPartitionOfAnA30RecordedAsASeventhHoldsAQuarter() {
        Infra infra = Infra.threeSites().node("a30", "fra-1", null, 32, 256, 1, "NVIDIA A30", 24, 0, 1, 165, 1_000)
                .mig("a30", dev.strata.platform.core.placement.packing.MigTableTest.a30());
        InMemoryLedger ledger = new InMemoryLedger();
        for (int slot = 0; slot < 3; slot++) {
            ledger.commit(ledger.generation(), new dev.strata.platform.api.placement.Allocation("old-" + slot, "old-" + slot, "t", 0, false,
                    java.time.Instant.EPOCH, java.util.List.of(new dev.strata.platform.api.placement.MemberBinding("m", "a30", "fra-1",
                            java.util.List.of("a30/gpu0"), 0.142, null, 0, null, 1_000, 1L << 30, 0, null, "1g.6gb", slot))));
        }
        PlacementService service = new PlacementService(infra.inventory(), ledger, "strata", Clock.systemUTC());
        service.engine().quotas(TenantQuotas.parse(PID, "t/gpus=1"));
        assertThat(service.engine().tenantHolds()).containsEntry("t", new TenantQuotas.Limits(750, 3_000, 3L << 30));
        String oneG = "{name: %s, tenant: t, members: [{name: m, cpu: 1, memory: 1GiB, gpus: {partition: 1g.6gb}}]}";
        assertThat(service.place(contract(oneG.formatted("a")), false).placed()).as("the fourth slot").isTrue();
        assertThat(service.place(contract(oneG.formatted("b")), false).placed()).as("the A30 is full").isFalse();
        assertThat(service.engine().tenantHolds()).containsEntry("t", new TenantQuotas.Limits(1_000, 4_000, 4L << 30));
    }

    /** On an A100 or H100 (7 compute slices) a {@code 1g} instance is a seventh of a GPU, rounded down. */
    @Test
    void aPartitionOfAnH100CountsASeventhOfAGpu() {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null).mig("n1", dev.strata.platform.core.placement.packing.MigTableTest.h100());
        PlacementService service = service(infra, "t/gpus=1");
        PlacementDecision placed = service.place(contract("{name: a, tenant: t, members: [{name: m, cpu: 1, memory: 1GiB, gpus: "
                + "{partition: 1g.10gb}}]}"), false);
        assertThat(placed.bindings()).singleElement().satisfies(b -> assertThat(b.gpuFraction()).isEqualTo(0.142));
        assertThat(service.engine().tenantHolds()).containsEntry("t", new TenantQuotas.Limits(142, 1_000, 1L << 30));
    }

    @Test
    void aQuotaLoweredBelowWhatIsHeldRefusesMoreButTakesNothingBack() {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null);
        PlacementService service = service(infra, "");
        assertThat(service.place(contract("{name: a, tenant: t, members: [{name: m, cpu: 1, gpus: 4}]}"), false).placed()).isTrue();
        service.engine().quotas(TenantQuotas.parse(PID, "t/gpus=2"));
        assertThat(service.allocations()).hasSize(1);
        assertThat(service.place(contract("{name: b, tenant: t, members: [{name: m, cpu: 1, gpus: 1}]}"), false).summary())
                .isEqualTo("not placed: tenant t would exceed its quota: 1 GPU more on the 4 GPUs it holds, of 2 GPUs");
        assertThat(service.engine().tenantHolds()).containsEntry("t", new TenantQuotas.Limits(4_000, 1_000, 0));
    }
}
