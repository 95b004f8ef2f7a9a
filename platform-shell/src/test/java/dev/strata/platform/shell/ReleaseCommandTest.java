package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.MemberState;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReleaseCommandTest {

    /**
     * Releasing the allocation of a deployment that still runs freed its capacity under its machines,
     * and the next contract was placed on GPUs those machines use; it is refused, naming the
     * deployment and strata:undeploy, unless --force.
     */
    @Test
    void refusesAnAllocationALiveDeploymentHoldsUnlessForced() throws Exception {
        RecordingPlacement placement = new RecordingPlacement();
        DeploymentCommandsTest.RecordingDeployments deployments = new DeploymentCommandsTest.RecordingDeployments();
        ReleaseCommand command = new ReleaseCommand();
        command.placement = placement;
        command.deployments = deployments;
        command.id = "a-000004";

        CommandOutput.Failure refused = CommandOutput.ofFailing(command::execute);
        assertThat(refused.thrown()).isInstanceOf(IllegalStateException.class).hasMessage("allocation a-000004 is held by deployment "
                + "d-000001 of contract llm (ready); releasing it would leave its machines running on capacity placement gives to others. "
                + "'strata:undeploy d-000001' deletes the machines and then releases it; --force releases it anyway");
        assertThat(placement.released).isEmpty();

        command.force = true;
        assertThat(CommandOutput.of(command::execute)).isEqualTo("Released a-000004: c-a-000004 of tenant t, 1 members\n");
        assertThat(placement.released).containsExactly("a-000004");
    }

    /** A deleted deployment no longer holds its allocation (one kept after a restart is freed as any other). */
    @Test
    void releasesAnAllocationOnlyADeletedDeploymentNamed() throws Exception {
        RecordingPlacement placement = new RecordingPlacement();
        DeploymentCommandsTest.RecordingDeployments deployments = new DeploymentCommandsTest.RecordingDeployments();
        deployments.deployment = DeploymentCommandsTest.deployment(DeploymentState.DELETED, MemberState.DELETED);
        ReleaseCommand command = new ReleaseCommand();
        command.placement = placement;
        command.deployments = deployments;
        command.id = "a-000004";
        assertThat(CommandOutput.of(command::execute)).startsWith("Released a-000004");
        assertThat(placement.released).containsExactly("a-000004");
    }
}
