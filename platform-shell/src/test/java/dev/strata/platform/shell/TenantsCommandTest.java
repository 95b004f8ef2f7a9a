package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.TenantUse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TenantsCommandTest {

    /** A ledger of no allocations whose tenants are {@code uses}. */
    private static Placement tenants(List<TenantUse> uses) {
        return StatusCommandTest.ledger(uses);
    }

    @Test
    void showsWhatEachTenantHoldsAgainstItsQuotaAndADashWhereThereIsNoLimit() throws Exception {
        TenantsCommand command = new TenantsCommand();
        command.placement = tenants(List.of(
                new TenantUse("bank-risk", 3, 8_500, 24_000, 512L << 30, 10_000, -1, 1L << 40),
                new TenantUse("web", 1, 143, 500, 0, -1, -1, -1),
                new TenantUse("idle\u001b[31m", 0, 0, 0, 0, 0, 2_000, 0)));
        command.noFormat = true;

        List<List<String>> rows = CommandOutput.of(command::execute).lines().map(CommandsTest::cells).toList();

        assertThat(rows).containsExactly(
                List.of("bank-risk", "3", "8.5", "10", "24", "-", "512.0 GiB", "1.0 TiB"),
                List.of("web", "1", "0.143", "-", "0.5", "-", "0 B", "-"),
                List.of("idle\\x1b[31m", "0", "0", "0", "0", "2", "0 B", "0 B"));
    }

    /**
     * A tenant over its memory quota (lowered below what it holds, which takes nothing back) read
     * as at it: 1 GiB over a quota of 4 TiB showed {@code 4.0 TiB} in both columns, and
     * {@code strata:quota} said the same. Amounts that differ are shown apart, in enough decimals;
     * equal ones and distant ones as before.
     */
    @Test
    void memoryHeldOverItsQuotaDoesNotReadAsTheQuota() throws Exception {
        long quota = 4L << 40;
        TenantsCommand command = new TenantsCommand();
        command.placement = tenants(List.of(
                new TenantUse("over", 2, 0, 0, quota + (1L << 30), -1, -1, quota),
                new TenantUse("just-under", 1, 0, 0, quota - 1, -1, -1, quota),
                new TenantUse("at", 1, 0, 0, quota, -1, -1, quota),
                new TenantUse("far", 1, 0, 0, 512L << 30, -1, -1, quota)));
        command.noFormat = true;

        List<List<String>> rows = CommandOutput.of(command::execute).lines().map(CommandsTest::cells).toList();

        assertThat(rows).extracting(r -> r.get(0) + " " + r.get(6) + " of " + r.get(7)).containsExactly(
                "over 4.001 TiB of 4.000 TiB",
                "just-under 4398046511103 B of 4398046511104 B",
                "at 4.0 TiB of 4.0 TiB",
                "far 512.0 GiB of 4.0 TiB");
        assertThat(QuotaCommand.describe(new TenantUse("over", 2, 0, 0, quota + (1L << 30), -1, -1, quota)))
                .isEqualTo("Quota of tenant over: at most 4.000 TiB of memory (it holds 0 GPUs, 0 CPUs, 4.001 TiB of memory in 2 allocations)");
    }

    /**
     * A tenant whose quota in the state store cannot be read shows {@code unreadable} in its quota
     * columns, and why under the table: placement holds it to nothing and refuses its placements,
     * and its quota showed as 0, as though an operator had set a quota of nothing.
     */
    @Test
    void aQuotaThatCannotBeReadIsShownAsSuchWithWhy() throws Exception {
        TenantsCommand command = new TenantsCommand();
        List<TenantUse> uses = List.of(new TenantUse("bank-risk", 1, 2_000, 1_000, 0, 0, 0, 0), new TenantUse("web", 0, 0, 0, 0, 4_000, -1, -1));
        Placement ledger = tenants(uses);
        command.placement = (Placement) java.lang.reflect.Proxy.newProxyInstance(Placement.class.getClassLoader(), new Class<?>[] {Placement.class},
                (proxy, method, args) -> method.getName().equals("unreadableQuotas")
                        ? java.util.Map.of("bank-risk", "its attribute quota.gpuMilli = 'lots' is not a whole number of 0 or more")
                        : method.invoke(ledger, args));
        command.noFormat = true;

        List<String> lines = CommandOutput.of(command::execute).lines().toList();

        assertThat(lines.stream().map(CommandsTest::cells).filter(r -> r.size() == 8).toList()).containsExactly(
                List.of("bank-risk", "1", "2", "unreadable", "1", "unreadable", "0 B", "unreadable"),
                List.of("web", "0", "0", "4", "0", "-", "0 B", "-"));
        assertThat(lines).contains("Tenant bank-risk's quota in the state store cannot be read: its attribute quota.gpuMilli = 'lots' is not "
                + "a whole number of 0 or more; its placements are refused until it is set again with strata:quota");
    }

    @Test
    void withoutTenantsItSaysSo() throws Exception {
        TenantsCommand command = new TenantsCommand();
        command.placement = tenants(List.of());
        assertThat(CommandOutput.of(command::execute)).contains("No tenant holds an allocation or has a quota.");
    }

    /** The API's own reading: every binding's GPUs at its share, summed per tenant, with no quota. */
    @Test
    void aPlacementWithoutQuotasSumsTheLedgerPerTenant() {
        Placement ledger = StatusCommandTest.ledger(
                new Allocation("a-1", "c", "t", 0, false, Instant.EPOCH, List.of(
                        new MemberBinding("m", "n1", "s", List.of("g0", "g1"), 1, null, -1, null, 2_000, 4L << 30, 0, null),
                        new MemberBinding("n", "n1", "s", List.of("g2"), 0.25, null, -1, null, 500, 1L << 30, 0, null))),
                new Allocation("a-2", "c", "u", 0, false, Instant.EPOCH, List.of(
                        new MemberBinding("m", "n2", "s", List.of(), 1, null, -1, null, 1_000, 0, 0, null))),
                new Allocation("a-3", "d", "t", 0, false, Instant.EPOCH, List.of(
                        new MemberBinding("m", "n1", "s", List.of("g3"), 0.142, null, -1, null, 0, 0, 0, null, "1g.10gb", 0))));
        assertThat(ledger.tenants()).containsExactly(
                new TenantUse("t", 2, 2_392, 2_500, 5L << 30, -1, -1, -1),
                new TenantUse("u", 1, 0, 1_000, 0, -1, -1, -1));
    }

    /** The help names the command the quotas are set with, not the retired file or placement's. */
    @Test
    void theHelpNamesTheCommandTheQuotasAreSetWith() {
        String description = TenantsCommand.class.getAnnotation(org.apache.karaf.shell.api.action.Command.class).description();
        assertThat(description).contains("strata:quota").doesNotContain(".cfg");
    }
}
