package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.exception.ConflictException;
import org.junit.jupiter.api.Test;

class ReleaseCommandTest {

    static final String HELD = "allocation a-000004 is held by deployment d-000001 of contract llm (ready); releasing it would leave its "
            + "machines running on capacity placement gives to others. 'strata:undeploy d-000001' deletes the machines and then releases "
            + "it; a forced release (strata:release --force a-000004, or Placement.forceRelease) releases it anyway";

    /**
     * Releasing the allocation of a deployment that still runs freed its capacity under its machines,
     * and the next contract was placed on GPUs those machines use. Placement refuses it, naming the
     * deployment and strata:undeploy; the command passes that on, and --force asks for the forced
     * release.
     */
    @Test
    void passesOnPlacementsRefusalAndForcesWithForce() throws Exception {
        RecordingPlacement placement = new RecordingPlacement();
        placement.heldBy = HELD;
        ReleaseCommand command = new ReleaseCommand();
        command.placement = placement;
        command.id = "a-000004";

        CommandOutput.Failure refused = CommandOutput.ofFailing(command::execute);
        assertThat(refused.thrown()).isInstanceOf(ConflictException.class).hasMessage(HELD);
        assertThat(placement.released).isEmpty();

        command.force = true;
        assertThat(CommandOutput.of(command::execute)).isEqualTo("Released a-000004: c-a-000004 of tenant t, 1 member (forced)\n");
        assertThat(placement.released).containsExactly("a-000004 forced");
    }

    /** An allocation no deployment holds is released without force, as placement answers; one member is "1 member". */
    @Test
    void releasesAnAllocationNoDeploymentHolds() throws Exception {
        RecordingPlacement placement = new RecordingPlacement();
        ReleaseCommand command = new ReleaseCommand();
        command.placement = placement;
        command.id = "a-000004";
        assertThat(CommandOutput.of(command::execute)).isEqualTo("Released a-000004: c-a-000004 of tenant t, 1 member\n");
        assertThat(placement.released).containsExactly("a-000004");
        // the count in ASCII digits whatever the JVM's locale (an Arabic one wrote it in its own)
        assertThat(CommandOutput.inLocale("ar-EG", command::execute)).isEqualTo("Released a-000004: c-a-000004 of tenant t, 1 member\n");
    }

    /** A contract name with a control character in the refusal is shown escaped, never sent to the terminal. */
    @Test
    void showsTheRefusalsTextEscaped() throws Exception {
        RecordingPlacement placement = new RecordingPlacement();
        placement.heldBy = "allocation a-000004 is held by deployment d-000001 of contract l\u001b[2Jlm (ready)";
        ReleaseCommand command = new ReleaseCommand();
        command.placement = placement;
        command.id = "a-000004";
        CommandOutput.Failure refused = CommandOutput.ofFailing(command::execute);
        assertThat(refused.thrown()).isInstanceOf(ConflictException.class).hasMessageNotContaining("\u001b");
    }
}
