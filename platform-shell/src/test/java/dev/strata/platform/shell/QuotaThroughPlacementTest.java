package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.placement.InvalidQuotaException;
import dev.strata.platform.core.placement.PlacementConfig;
import dev.strata.platform.core.placement.PlacementService;
import dev.strata.platform.core.store.DataSources;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.StoreConfig;
import dev.strata.platform.core.store.StoreSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.util.converter.Converters;

/**
 * {@code strata:quota} run against the core's placement service over a real embedded store, as
 * the distribution wires them: what placement refuses reaches the operator in the shell's words,
 * and what it sets is printed. The shell depends on the API alone; here the two meet, so that a
 * change to how the core refuses a limit that the shell does not follow fails here.
 */
class QuotaThroughPlacementTest {

    private static final String EXPECTED = "expected limits RESOURCE=VALUE, RESOURCE gpus (a number of GPUs, e.g. 64 or 2.5), cpu (e.g. "
            + "512 or 500m) or memory (e.g. 4TiB), each once";

    @TempDir
    Path data;

    private JdbcStateStore store() {
        StoreConfig config = Converters.standardConverter().convert(Map.of("instanceId", "shell-test")).to(StoreConfig.class);
        StoreSettings settings = StoreSettings.from(config, data, data);
        return JdbcStateStore.open(settings, DataSources.direct(settings, new org.h2.util.OsgiDataSourceFactory(new org.h2.Driver())),
                Clock.systemUTC());
    }

    private static PlacementService placement(JdbcStateStore store) {
        PlacementConfig config = Converters.standardConverter().convert(Map.of()).to(PlacementConfig.class);
        return new PlacementService(Fixtures.inventory(Fixtures.node()), store, config, Map.of());
    }

    private static QuotaCommand command(PlacementService placement, String tenant, String... limits) {
        QuotaCommand c = new QuotaCommand();
        c.placement = placement;
        c.tenant = tenant;
        c.limits = List.of(limits);
        return c;
    }

    @Test
    void aLimitPlacementRefusesIsRefusedInTheShellsWordsAndNothingIsSet() throws Exception {
        try (JdbcStateStore store = store()) {
            PlacementService placement = placement(store);
            assertThatThrownBy(() -> placement.setQuota("bank-risk", Map.of("gpu", "8"))).as("what the API's callers are told")
                    .isInstanceOf(InvalidQuotaException.class)
                    .hasMessage("quota of tenant bank-risk: gpu=8 is invalid: 'gpu' is no resource; " + EXPECTED + "; none to remove the quota");

            assertThatThrownBy(command(placement, "bank-risk", "gpu=8")::execute).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("quota of tenant bank-risk: gpu=8 is invalid: 'gpu' is no resource; " + EXPECTED
                            + "; --remove to remove the quota");
            for (String wrong : List.of("gpus=lots", "gpus=-1", "gpus=0.0005", "memory=4tb", "cpu=", "disk=1TiB")) {
                assertThatThrownBy(command(placement, "bank-risk", wrong)::execute).as(wrong)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("quota of tenant bank-risk: " + wrong + " is invalid: ")
                        .hasMessageEndingWith("; " + EXPECTED + "; --remove to remove the quota")
                        .message().doesNotContain("none to remove");
            }
            assertThat(placement.tenants()).as("nothing set").isEmpty();

            String set = CommandOutput.of(command(placement, "bank-risk", "gpus=2.5", "memory=1TiB")::execute);
            assertThat(set.strip()).isEqualTo("Quota of tenant bank-risk: at most 2.5 GPUs, 1.0 TiB of memory (it holds 0 GPUs, 0 CPUs, "
                    + "0 B of memory in 0 allocations)");
            QuotaCommand remove = command(placement, "bank-risk");
            remove.remove = true;
            assertThat(CommandOutput.of(remove::execute).strip()).isEqualTo("Quota of tenant bank-risk removed: nothing limited (it holds "
                    + "0 GPUs, 0 CPUs, 0 B of memory in 0 allocations)");
        }
    }

    /**
     * A tenant's user may not set a quota: placement refuses it before it looks at the tenant,
     * quoting the tenant as typed, and the command passed the refusal on as it was, so an escape
     * sequence or a direction override in it reached the terminal. It is now shown escaped, as
     * every id a command quotes, and stays a refusal (AuthorizationException).
     */
    @Test
    void aTenantsUsersRefusalQuotesTheTenantAsTypedShownEscaped() throws Exception {
        try (JdbcStateStore store = store()) {
            PlacementService placement = placement(store);
            String typed = "bank\u001b[2J\u001b]0;owned\u0007\u202eksir";
            QuotaCommand c = command(placement, typed, "gpus=8");
            assertThatThrownBy(() -> TenantLoginShellTest.as("tenant:bank-risk", c::execute))
                    .isInstanceOf(dev.strata.platform.api.exception.AuthorizationException.class)
                    .hasMessageEndingWith("refused to set the quota of tenant bank\\u001b[2J\\u001b]0;owned\\u0007\\u202eksir")
                    .message().doesNotContain("\u001b", "\u0007", "\u202e");
            assertThat(placement.tenants()).as("nothing set").isEmpty();
        }
    }
}
