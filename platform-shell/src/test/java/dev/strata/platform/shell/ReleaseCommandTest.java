package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.MemberState;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReleaseCommandTest {

    static final class RecordingPlacement implements Placement {
        final List<String> released = new ArrayList<>();

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
            return List.of(StatusCommandTest.allocationOn("a-000004", "aws:eu-central-1a:p5.48xlarge"));
        }

        @Override
        public Optional<Allocation> allocation(String id) {
            return allocations().stream().filter(a -> a.id().equals(id)).findFirst();
        }

        @Override
        public Allocation release(String id) {
            released.add(id);
            return allocation(id).orElseThrow(() -> new NotFoundException("no allocation '" + id + "'"));
        }
    }

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
