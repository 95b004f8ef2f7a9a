package dev.strata.platform.core.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.core.placement.TenantUsers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A login holding roles {@code tenant:ID} deploys, reads and undeploys its tenants' deployments only. */
class DeploymentTenantAccessTest {

    @TempDir
    Path dir;

    Lab lab;
    DeploymentComponent deployments;

    @BeforeEach
    void open() {
        lab = new Lab(dir);
        deployments = new DeploymentComponent(lab.engine());
    }

    @AfterEach
    void close() {
        lab.close();
    }

    @Test
    void aTenantsUserDeploysForItsTenantAndAnotherTenantsDeploymentReadsAsAbsent() {
        // bank-risk's deployment, made by an operator
        Deployment theirs = deployments.deploy(lab.workers("train", 1, "lab", ""), "ops").deployment();
        String[] ann = {"ssh", "tenant:bank-payments"};
        assertThatThrownBy(() -> TenantUsers.as("ann", () -> deployments.deploy(lab.workers("more", 1, "lab", ""), "ann"), ann))
                .isInstanceOf(AuthorizationException.class)
                .hasMessage("user ann may act for tenant bank-payments only (its roles tenant:ID), not for tenant bank-risk: refused to "
                        + "deploy contract more");
        assertThatThrownBy(() -> TenantUsers.as("ann", () -> deployments.plan(lab.workers("more", 1, "lab", "")), ann))
                .isInstanceOf(AuthorizationException.class).hasMessageEndingWith("refused to plan contract more");
        assertThat(deployments.list()).as("nothing deployed for the refused one").hasSize(1);

        assertThat(TenantUsers.as("ann", deployments::list, ann)).isEmpty();
        assertThat(TenantUsers.as("ann", () -> deployments.get(theirs.id()), ann)).isEmpty();
        for (Runnable call : new Runnable[] {() -> deployments.history(theirs.id()), () -> deployments.undeploy(theirs.id(), "ann"),
                () -> deployments.await(theirs.id(), Set.of(DeploymentState.READY), Duration.ofMillis(1))}) {
            assertThatThrownBy(() -> TenantUsers.run("ann", call, ann)).isInstanceOf(NotFoundException.class)
                    .hasMessage("no deployment '" + theirs.id() + "'");
        }
        assertThat(deployments.get(theirs.id())).as("left as it was").hasValueSatisfying(d -> assertThat(d.state())
                .isNotEqualTo(DeploymentState.DELETING).isNotEqualTo(DeploymentState.DELETED));

        // bank-risk's own user sees it and may undeploy it; an admin sees everything
        String[] bob = {"ssh", "tenant:bank-risk"};
        assertThat(TenantUsers.as("bob", deployments::list, bob)).extracting(Deployment::id).containsExactly(theirs.id());
        assertThat(TenantUsers.as("bob", () -> deployments.history(theirs.id()), bob)).isNotEmpty();
        Deployment mine = TenantUsers.as("bob", () -> deployments.deploy(lab.workers("more", 1, "lab", ""), "bob"), bob).deployment();
        assertThat(TenantUsers.as("root", deployments::list, "tenant:bank-payments", "admin")).hasSize(2);
        assertThat(TenantUsers.as("bob", () -> deployments.undeploy(mine.id(), "bob"), bob).id()).isEqualTo(mine.id());
    }

    /**
     * Another tenant's deployment whose spec cannot be read (a row a later version wrote) reads as
     * absent to a tenant's user, as a readable one does; its own tenant's user and an operator are
     * told why it cannot be read.
     */
    @Test
    void anotherTenantsDeploymentThatCannotBeReadReadsAsAbsent() {
        FailingStore later = new FailingStore(lab.store);
        DeploymentComponent on = new DeploymentComponent(lab.engine(Lab.FAST, later));
        Deployment theirs = on.deploy(lab.workers("train", 1, "lab", ""), "ops").deployment();
        later.specAsRead = spec -> "[" + spec + "]";

        String[] ann = {"ssh", "tenant:bank-payments"};
        assertThat(TenantUsers.as("ann", () -> on.get(theirs.id()), ann)).isEmpty();
        assertThatThrownBy(() -> TenantUsers.run("ann", () -> on.undeploy(theirs.id(), "ann"), ann)).isInstanceOf(NotFoundException.class)
                .hasMessage("no deployment '" + theirs.id() + "'");
        String[] bob = {"ssh", "tenant:bank-risk"};
        assertThatThrownBy(() -> TenantUsers.as("bob", () -> on.get(theirs.id()), bob))
                .isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                .hasMessageStartingWith("the spec of deployment " + theirs.id() + " cannot be read");
    }
}
