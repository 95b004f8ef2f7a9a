package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.placement.TenantUse;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A login holding roles {@code tenant:ID} (and not {@code admin}) acts for and sees those tenants
 * only; every other caller acts for all, as before tenant roles existed.
 */
class TenantAccessTest {

    @Test
    void tenantRolesRestrictALoginUnlessItIsAnAdmin() {
        assertThat(TenantAccess.restriction()).as("no subject: a bundle's call").isEmpty();
        assertThat(TenantUsers.as("ops", () -> TenantAccess.restriction(), "ssh", "viewer")).as("a login without tenant roles").isEmpty();
        assertThat(TenantUsers.as("ann", () -> TenantAccess.restriction(), "ssh", "tenant:bank", "tenant:acme, inc"))
                .contains(Set.of("bank", "acme, inc"));
        assertThat(TenantUsers.as("root", () -> TenantAccess.restriction(), "tenant:bank", "admin")).as("an admin").isEmpty();
        assertThat(TenantUsers.as("odd", () -> TenantAccess.restriction(), "tenant:")).as("a role naming no tenant").isEmpty();
        // a principal that is not a role does not restrict: the user principal of a user named tenant:x
        assertThat(TenantUsers.as("tenant:x", () -> TenantAccess.restriction())).isEmpty();
    }

    @Test
    void aTenantsUserPlacesAndReleasesForItsTenantOnlyAndSeesOnlyItsAllocations() {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null).h100("n2", "fra-1", null);
        PlacementService service = TenantQuotasTest.service(infra, "");
        PlacementDecision theirs = service.place(TenantQuotasTest.contract("{name: other, tenant: acme, members: [{name: m, cpu: 1, gpus: 2}]}"),
                false);
        assertThat(theirs.placed()).isTrue();

        PlacementDecision mine = TenantUsers.as("ann", () -> service.place(TenantQuotasTest.contract(
                "{name: mine, tenant: bank, members: [{name: m, cpu: 1, gpus: 1}]}"), false), "ssh", "tenant:bank");
        assertThat(mine.placed()).isTrue();
        for (boolean dryRun : new boolean[] {true, false}) {
            assertThatThrownBy(() -> TenantUsers.as("ann", () -> service.place(TenantQuotasTest.contract(
                    "{name: theirs, tenant: acme, members: [{name: m, cpu: 1, gpus: 1}]}"), dryRun), "ssh", "tenant:bank"))
                    .isInstanceOf(AuthorizationException.class)
                    .hasMessage("user ann may act for tenant bank only (its roles tenant:ID), not for tenant acme: refused to "
                            + (dryRun ? "dry-run" : "place") + " contract theirs");
        }
        assertThatThrownBy(() -> TenantUsers.as("ann", () -> service.placeFor(TenantQuotasTest.contract(
                "{name: theirs, tenant: acme, members: [{name: m, cpu: 1, gpus: 1}]}"), "d-1"), "tenant:bank"))
                .isInstanceOf(AuthorizationException.class);
        assertThat(service.allocations()).as("no refused placement was made").hasSize(2);

        // reads: the other tenant's allocation is absent to ann, present to everyone else
        assertThat(TenantUsers.as("ann", service::allocations, "tenant:bank")).extracting(Allocation::id).containsExactly(mine.allocationId());
        assertThat(TenantUsers.as("ann", () -> service.allocation(theirs.allocationId()), "tenant:bank")).isEmpty();
        assertThat(TenantUsers.as("ann", () -> service.allocation(mine.allocationId()), "tenant:bank")).isPresent();
        assertThat(TenantUsers.as("ann", service::tenants, "tenant:bank")).extracting(TenantUse::tenant).containsExactly("bank");
        assertThat(TenantUsers.as("ops", service::allocations, "ssh")).hasSize(2);
        assertThat(TenantUsers.as("root", service::tenants, "tenant:bank", "admin")).extracting(TenantUse::tenant).containsExactly("acme", "bank");

        // a release of another tenant's allocation reads as no such allocation, names no other allocation, and frees nothing
        assertThatThrownBy(() -> TenantUsers.as("ann", () -> service.release(theirs.allocationId()), "tenant:bank"))
                .isInstanceOf(NotFoundException.class).hasMessage("no allocation '" + theirs.allocationId() + "'");
        assertThatThrownBy(() -> TenantUsers.as("ann", () -> service.forceRelease(theirs.allocationId()), "tenant:bank"))
                .isInstanceOf(NotFoundException.class).hasMessage("no allocation '" + theirs.allocationId() + "'");
        assertThatThrownBy(() -> TenantUsers.as("ann", () -> service.releaseFor(theirs.allocationId(), "d-1"), "tenant:bank"))
                .isInstanceOf(NotFoundException.class).hasMessage("no allocation '" + theirs.allocationId() + "'");
        assertThatThrownBy(() -> TenantUsers.as("ann", () -> service.release("no-such"), "tenant:bank"))
                .isInstanceOf(NotFoundException.class).hasMessage("no allocation 'no-such'");
        assertThat(service.allocation(theirs.allocationId())).isPresent();
        assertThat(TenantUsers.as("ann", () -> service.release(mine.allocationId()), "tenant:bank").id()).isEqualTo(mine.allocationId());
        assertThat(service.allocations()).extracting(Allocation::id).containsExactly(theirs.allocationId());
    }

    /**
     * A tenant's user places only for its tenants' deployments: the id of another tenant's
     * deployment, stored or being made (placed for, not stored yet), is refused before anything is
     * decided, without naming the other tenant. Before, the allocation was placed for that
     * deployment: held by it (a release refused naming it and its state), or freed with it as one
     * never stored.
     */
    @Test
    void aTenantsUserDoesNotPlaceForAnotherTenantsDeployment(@org.junit.jupiter.api.io.TempDir java.nio.file.Path data) {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null).h100("n2", "fra-1", null);
        dev.strata.platform.core.store.JdbcStateStore store = dev.strata.platform.core.store.StoreTestAccess.embedded(data);
        try {
            dev.strata.platform.api.placement.Placement service = PlacementEngines.durable(infra.inventory(), store, "strata",
                    java.time.Clock.systemUTC(), 1);
            String acmes = "{name: other, tenant: acme, members: [{name: m, cpu: 1, gpus: 1}]}";
            PlacementDecision stored = service.placeFor(TenantQuotasTest.contract(acmes), "d-000001");
            store.deployments().create(new dev.strata.platform.core.store.NewDeployment("d-000001", stored.allocationId(), null, "acme",
                    "requested", null, List.of()), null).join();
            PlacementDecision underWay = service.placeFor(TenantQuotasTest.contract(acmes), "d-000002"); // placed, not stored yet
            long generation = store.ledger().generation();
            String mine = "{name: mine, tenant: bank, members: [{name: m, cpu: 1, gpus: 1}]}";
            for (String other : List.of("d-000001", "d-000002")) {
                assertThatThrownBy(() -> TenantUsers.as("ann", () -> service.placeFor(TenantQuotasTest.contract(mine), other), "ssh",
                        "tenant:bank")).isInstanceOf(AuthorizationException.class)
                        .hasMessage("user ann may act for tenant bank only (its roles tenant:ID): refused to place contract mine for "
                                + "deployment " + other + ", which is not one of its tenants'");
            }
            assertThat(store.ledger().generation()).as("nothing placed").isEqualTo(generation);
            assertThat(store.ledger().placedForMissingDeployments()).containsOnlyKeys(underWay.allocationId());

            // its own deployment's id (a new one) is placed for; an operator is not restricted
            assertThat(TenantUsers.as("ann", () -> service.placeFor(TenantQuotasTest.contract(mine), "d-000003"), "tenant:bank").placed())
                    .isTrue();
            assertThat(TenantUsers.as("root", () -> service.placeFor(TenantQuotasTest.contract(mine), "d-000004"), "tenant:bank", "admin")
                    .placed()).isTrue();
        } finally {
            store.close();
        }
    }

    @Test
    void theVisibleItemsKeepTheirOrderAndAPlatformRunSeesEverything() {
        List<String> items = List.of("b:1", "a:2", "b:3");
        assertThat(TenantUsers.as("ann", () -> TenantAccess.visible(items, i -> i.substring(0, 1)), "tenant:b")).containsExactly("b:1", "b:3");
        assertThat(TenantUsers.as("ann", () -> TenantAccess.visible(Optional.of("a:2"), i -> i.substring(0, 1)), "tenant:b")).isEmpty();
        assertThat(TenantUsers.as("ann", () -> TenantAccess.asPlatform(() -> TenantAccess.restriction()), "tenant:b")).isEmpty();
        assertThat(TenantUsers.as("ann", () -> TenantAccess.asPlatform(Actors::current), "tenant:b")).isEqualTo(Actors.SYSTEM);
        assertThatThrownBy(() -> TenantUsers.run("ann", () -> TenantAccess.requireEveryTenant("it spans all", "do it"), "tenant:b"))
                .isInstanceOf(AuthorizationException.class).hasMessage("user ann may act for tenant b only (its roles tenant:ID); it spans all: "
                        + "refused to do it");
    }

    /**
     * A refusal names the login and its roles' tenants as the API shows a configured value: a line
     * break, an ESC, a line separator, a lone surrogate and a NUL each as a backslash, u and four
     * hex digits, since the message reaches the log and the provenance log, which do not escape it
     * as the shell does. Before, the login went into the message as it was.
     */
    @Test
    void aRefusalShowsTheLoginAndItsTenantsEscaped() {
        assertThatThrownBy(() -> TenantUsers.run("ann\nINFO forged\u001b[2J\u2028\ud800\u0000",
                () -> TenantAccess.requireEveryTenant("it spans all", "do it"), "tenant:bank", "tenant:x\u001by"))
                .isInstanceOf(AuthorizationException.class)
                .hasMessage("user ann\\u000aINFO forged\\u001b[2J\\u2028\\ud800\\u0000 may act for tenants bank, x\\u001by only (its roles "
                        + "tenant:ID); it spans all: refused to do it");
    }

    /**
     * The tenant a refused contract names is shown as the login and its tenants are: a contract
     * built in code is not read by the contract reader, which refuses a control character there,
     * and the API's model takes any tenant that is not blank, so a line break, an ESC and a line
     * separator reach the refusal, and are each shown as a backslash, u and four hex digits. Before,
     * the tenant went into the message as it was, and a line break forged a line of the log.
     */
    @Test
    void aRefusalShowsTheTenantOfAContractBuiltInCodeEscaped() {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null);
        PlacementService service = TenantQuotasTest.service(infra, "");
        Contract read = TenantQuotasTest.contract("{name: theirs, tenant: acme, members: [{name: m, cpu: 1, gpus: 1}]}");
        Contract built = new Contract(read.name(), "acme\nINFO forged\u001b[2J\u2028",
                read.priority(), read.members(), read.fabric(), read.sovereignty(), read.isolation(), read.deployment());

        assertThatThrownBy(() -> TenantUsers.as("ann", () -> service.place(built, false), "tenant:bank"))
                .isInstanceOf(AuthorizationException.class)
                .hasMessage("user ann may act for tenant bank only (its roles tenant:ID), not for tenant acme\\u000aINFO forged\\u001b[2J\\u2028: "
                        + "refused to place contract theirs");
        assertThat(service.allocations()).as("the refused contract was not placed").isEmpty();
    }

    /**
     * The name a refused contract has is shown as its tenant is: the API's model takes any name that
     * is not blank, so a contract built in code brings a line break, an ESC and a line separator to
     * the refusal, and each is shown as a backslash, u and four hex digits. Before, the name went
     * into the message as it was, and a line break forged a line of the log.
     */
    @Test
    void aRefusalShowsTheNameOfAContractBuiltInCodeEscaped() {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null);
        PlacementService service = TenantQuotasTest.service(infra, "");
        Contract read = TenantQuotasTest.contract("{name: theirs, tenant: acme, members: [{name: m, cpu: 1, gpus: 1}]}");
        Contract built = new Contract("theirs\nINFO forged\u001b[2J\u2028", read.tenant(),
                read.priority(), read.members(), read.fabric(), read.sovereignty(), read.isolation(), read.deployment());

        assertThatThrownBy(() -> TenantUsers.as("ann", () -> service.place(built, true), "tenant:bank"))
                .isInstanceOf(AuthorizationException.class)
                .hasMessage("user ann may act for tenant bank only (its roles tenant:ID), not for tenant acme: "
                        + "refused to dry-run contract theirs\\u000aINFO forged\\u001b[2J\\u2028");
        assertThat(service.allocations()).as("the refused contract was not placed").isEmpty();
    }

    /**
     * A refusal of what spans tenants ({@link TenantAccess#requireAll}) shows what was asked as
     * {@code require} does: placement names the contract there, whose name a contract built in code
     * may give with a line break. Before, it went into the message as it was.
     */
    @Test
    void aRefusalOfWhatSpansTenantsShowsWhatWasAskedEscaped() {
        assertThatThrownBy(() -> TenantUsers.as("ann", () -> {
            TenantAccess.requireAll(List.of("bank", "acme"), "place contract theirs\nINFO forged\u001b[2J for deployment d-1");
            return null;
        }, "tenant:bank"))
                .isInstanceOf(AuthorizationException.class)
                .hasMessage("user ann may act for tenant bank only (its roles tenant:ID): "
                        + "refused to place contract theirs\\u000aINFO forged\\u001b[2J for deployment d-1");
    }

    /**
     * A tenant's user who asks to set the quota of a tenant whose id holds a line break and an ESC
     * is refused with the id shown escaped, as every other refusal shows what was asked: the
     * quota's tenant comes from the shell or the API as typed. Before, that refusal alone
     * ({@link TenantAccess#requireEveryTenant}) put what was asked into the message as it was, and a
     * line break forged a line of the log.
     */
    @Test
    void aRefusalToSetAQuotaShowsTheTenantAskedEscaped() {
        Infra infra = Infra.threeSites().h100("n1", "fra-1", null);
        PlacementService service = TenantQuotasTest.service(infra, "");

        assertThatThrownBy(() -> TenantUsers.as("ann", () -> service.setQuota("acme\nINFO forged\u001b[2J", java.util.Map.of("gpus", "1")),
                "tenant:bank"))
                .isInstanceOf(AuthorizationException.class)
                .hasMessage("user ann may act for tenant bank only (its roles tenant:ID); a tenant's quota is set by the platform's "
                        + "operators: refused to set the quota of tenant acme\\u000aINFO forged\\u001b[2J");
    }

    /**
     * A thread started inside a login's subject inherits it: a pool whose thread a tenant's command
     * happened to start would run later work, every tenant's, as that tenant's user. Strata's pools
     * start their threads as the platform.
     */
    @Test
    void aThreadStartedForThePlatformDoesNotInheritTheLoginsSubject() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Optional<Set<String>>> plain = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<Optional<Set<String>>> platform = new java.util.concurrent.atomic.AtomicReference<>();
        Thread[] threads = TenantUsers.as("ann", () -> new Thread[] {new Thread(() -> plain.set(TenantAccess.restriction())),
            TenantAccess.platformThread(() -> platform.set(TenantAccess.restriction()), "test-platform")}, "tenant:bank");
        for (Thread t : threads) {
            t.start();
            t.join();
        }
        assertThat(plain.get()).as("a plain thread inherits the subject").contains(Set.of("bank"));
        assertThat(platform.get()).isEmpty();
        assertThat(threads[1].getName()).isEqualTo("test-platform");
        assertThat(threads[1].isDaemon()).isTrue();
    }
}
