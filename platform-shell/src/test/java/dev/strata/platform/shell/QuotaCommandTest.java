package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.InvalidQuotaException;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.placement.TenantUse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code strata:quota}: the words it is given become the limits placement is asked to set, as
 * given; what placement answers is printed. Placement's own checks of the limits and of who asks
 * are in the core's {@code StoreQuotasTest}, against the real store.
 */
class QuotaCommandTest {

    /** A placement service that records the quotas it is asked to set and answers with them (this test checks the command, not placement). */
    static class RecordingPlacement implements Placement {
        final List<Map<String, String>> asked = new ArrayList<>();
        final List<String> tenants = new ArrayList<>();
        TenantUse answer;

        @Override
        public TenantUse setQuota(String tenant, Map<String, String> limits) {
            tenants.add(tenant);
            asked.add(Map.copyOf(limits));
            return answer;
        }

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
            return List.of();
        }

        @Override
        public Optional<Allocation> allocation(String id) {
            return Optional.empty();
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
    }

    private static QuotaCommand command(RecordingPlacement placement, String tenant, boolean remove, String... limits) {
        QuotaCommand c = new QuotaCommand();
        c.placement = placement;
        c.tenant = tenant;
        c.remove = remove;
        c.limits = limits.length == 0 ? null : List.of(limits);
        return c;
    }

    @Test
    void theLimitsGivenAreSetAndTheTenantsNewQuotaIsPrinted() throws Exception {
        RecordingPlacement placement = new RecordingPlacement();
        placement.answer = new TenantUse("bank-risk", 2, 8_500, 24_000, 512L << 30, 64_000, -1, 4L << 40);
        String out = CommandOutput.of(command(placement, "bank-risk", false, "gpus=64", "memory=4TiB")::execute);
        assertThat(placement.asked).containsExactly(Map.of("gpus", "64", "memory", "4TiB"));
        assertThat(out.strip()).isEqualTo("Quota of tenant bank-risk: at most 64 GPUs, 4.0 TiB of memory (it holds 8.5 GPUs, 24 CPUs, "
                + "512.0 GiB of memory in 2 allocations)");
    }

    @Test
    void oneIsWrittenInTheSingular() throws Exception {
        RecordingPlacement placement = new RecordingPlacement();
        placement.answer = new TenantUse("solo", 1, 1_000, 1_000, 1L << 30, 1_000, 1_000, -1);
        String out = CommandOutput.of(command(placement, "solo", false, "gpus=1", "cpu=1")::execute);
        assertThat(out.strip()).isEqualTo("Quota of tenant solo: at most 1 GPU, 1 CPU (it holds 1 GPU, 1 CPU, 1.0 GiB of memory in "
                + "1 allocation)");
    }

    @Test
    void removeAsksForNoLimits() throws Exception {
        RecordingPlacement placement = new RecordingPlacement();
        placement.answer = new TenantUse("bank", 1, 0, 500, 0, -1, -1, -1);
        String out = CommandOutput.of(command(placement, "bank", true)::execute);
        assertThat(placement.asked).containsExactly(Map.of());
        assertThat(out.strip()).isEqualTo("Quota of tenant bank removed: nothing limited (it holds 0 GPUs, 0.5 CPUs, 0 B of memory in "
                + "1 allocation)");
        // written after the tenant, Karaf's parser hands the option to the limits
        CommandOutput.of(command(placement, "bank", false, "--remove")::execute);
        assertThat(placement.asked).containsExactly(Map.of(), Map.of());
    }

    /** The tenant is completed from those that hold an allocation or have a quota. */
    @Test
    void theTenantIsCompletedFromThoseStrataKnows() {
        TenantIdCompleter completer = new TenantIdCompleter();
        completer.placement = StatusCommandTest.ledger(List.of(new TenantUse("bank-risk", 1, 0, 0, 0, -1, -1, -1),
                new TenantUse("bank-payments", 0, 0, 0, 0, 2_000, -1, -1), new TenantUse("web", 2, 0, 0, 0, -1, -1, -1)));
        List<String> candidates = new ArrayList<>();
        completer.complete(null, CommandsTest.line("bank"), candidates);
        assertThat(candidates).map(String::strip).containsExactlyInAnyOrder("bank-risk", "bank-payments");
        candidates.clear();
        new TenantIdCompleter().complete(null, CommandsTest.line(""), candidates);
        assertThat(candidates).as("without placement, nothing").isEmpty();
    }

    /** Nothing given is not taken for a removal; a word that is no limit, or a resource given twice, asks placement for nothing. */
    @Test
    void wordsThatAreNoLimitsAreRefusedBeforePlacementIsAsked() {
        RecordingPlacement placement = new RecordingPlacement();
        assertThatThrownBy(() -> command(placement, "bank", false).execute()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no limits given for tenant bank; expected RESOURCE=VALUE: gpus=64 (2.5 allowed), cpu=512 (or 500m), memory=4TiB, "
                        + "or --remove to remove its quota");
        assertThatThrownBy(() -> command(placement, "bank", true, "gpus=1").execute()).hasMessageStartingWith("--remove takes no limits");
        assertThatThrownBy(() -> command(placement, "bank", false, "gpus", "64").execute())
                .hasMessageStartingWith("'gpus' is not a limit; expected RESOURCE=VALUE");
        assertThatThrownBy(() -> command(placement, "bank", false, "=64").execute()).hasMessageStartingWith("'=64' is not a limit");
        assertThatThrownBy(() -> command(placement, "bank", false, "gpus=1", "gpus=2").execute())
                .hasMessage("gpus is given twice; expected each resource once");
        assertThat(placement.asked).isEmpty();
    }

    /**
     * Placement refuses a wrong limit with what its API expects, ending "none to remove the
     * quota"; from the shell no limits are refused and {@code --remove} removes it, so the
     * shell's message ends so, composed from the refusal's parts. Another message of placement is
     * passed on as it is.
     */
    @Test
    void aWrongLimitIsRefusedNamingWhatTheShellTakesToRemoveTheQuota() {
        String core = "quota of tenant bank-risk: gpu=8x is invalid: 'gpu' is no resource; expected limits RESOURCE=VALUE, "
                + "RESOURCE gpus (a number of GPUs, e.g. 64 or 2.5), cpu (e.g. 512 or 500m) or memory (e.g. 4TiB), each once; none to "
                + "remove the quota";
        RecordingPlacement refusing = new RecordingPlacement() {
            @Override
            public TenantUse setQuota(String tenant, Map<String, String> limits) {
                if (tenant.equals("bank-risk")) {
                    throw new InvalidQuotaException(tenant, "gpu=8x is invalid: 'gpu' is no resource", "limits RESOURCE=VALUE, "
                            + "RESOURCE gpus (a number of GPUs, e.g. 64 or 2.5), cpu (e.g. 512 or 500m) or memory (e.g. 4TiB), each once");
                }
                throw new IllegalArgumentException("user ann may not set quotas");
            }
        };
        assertThatThrownBy(() -> refusing.setQuota("bank-risk", Map.of())).as("the API's message").hasMessage(core);
        assertThatThrownBy(() -> command(refusing, "bank-risk", false, "gpu=8x").execute()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("quota of tenant bank-risk: gpu=8x is invalid: 'gpu' is no resource; expected limits RESOURCE=VALUE, "
                        + "RESOURCE gpus (a number of GPUs, e.g. 64 or 2.5), cpu (e.g. 512 or 500m) or memory (e.g. 4TiB), each once; "
                        + "--remove to remove the quota");
        assertThatThrownBy(() -> command(refusing, "web", false, "gpus=1").execute()).hasMessage("user ann may not set quotas");
    }

    /**
     * Karaf reads every word starting with {@code -} before the first argument as an option,
     * quoted or not, and refuses one the command does not declare: a tenant whose id starts with
     * {@code -} (contracts may name one) could not be given at all. It is given after
     * {@code --tenant}; the words are read here by Karaf's own preparer, as the shell reads them.
     */
    @Test
    void aTenantWhoseIdStartsWithADashIsGivenAfterTenant() throws Exception {
        RecordingPlacement placement = new RecordingPlacement();
        placement.answer = new TenantUse("-ops", 0, 0, 0, 0, 8_000, -1, -1);
        QuotaCommand set = new QuotaCommand();
        set.placement = placement;
        assertThat(new org.apache.karaf.shell.impl.action.command.DefaultActionPreparator().prepare(set, null,
                List.<Object>of("--tenant", "-ops", "gpus=8", "memory=1TiB"))).isTrue();
        String out = CommandOutput.of(set::execute);
        QuotaCommand remove = new QuotaCommand();
        remove.placement = placement;
        assertThat(new org.apache.karaf.shell.impl.action.command.DefaultActionPreparator().prepare(remove, null,
                List.<Object>of("--tenant", "--remove", "--remove"))).isTrue();
        CommandOutput.of(remove::execute);
        assertThat(placement.tenants).containsExactly("-ops", "--remove");
        assertThat(placement.asked).containsExactly(Map.of("gpus", "8", "memory", "1TiB"), Map.of());
        assertThat(out.strip()).startsWith("Quota of tenant -ops: at most 8 GPUs");

        QuotaCommand none = new QuotaCommand();
        none.placement = placement;
        assertThat(new org.apache.karaf.shell.impl.action.command.DefaultActionPreparator().prepare(none, null, List.<Object>of("--remove")))
                .isTrue();
        assertThatThrownBy(none::execute).isInstanceOf(IllegalArgumentException.class).hasMessage("no tenant given; expected strata:quota "
                + "TENANT RESOURCE=VALUE: gpus=64 (2.5 allowed), cpu=512 (or 500m), memory=4TiB (--tenant TENANT for an id that starts with -)");
        assertThat(placement.tenants).hasSize(2);
    }
}
