package dev.strata.provider.baremetal.bmc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.provider.baremetal.peers.StandInRedfish;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A running machine is told failed ("powered off outside Strata") only when its BMC says it is
 * off or going off. The BMC is a {@link StandInRedfish}, which answers the power state the test
 * sets (the emulator reads its own): a state that is no power-off (a machine powering on again
 * after a reboot outside Strata, a state this version does not know, such as Redfish's
 * {@code Paused}, or none at all) leaves it running with that state shown. Before, each was
 * reported FAILED, "it was powered off outside Strata", which it was not.
 */
class BmcRunningPowerStateTest {

    static final String SYSTEM = StandInProvisioning.SYSTEM;

    @TempDir
    Path dir;
    StandInProvisioning bmc;
    StandInRedfish endpoint;
    OperationJournal journal;
    BmcProvisioner provisioner;

    @BeforeEach
    void start() {
        bmc = new StandInProvisioning("running", dir);
        endpoint = bmc.endpoint;
        journal = bmc.journal;
        provisioner = bmc.provisioner;
    }

    @AfterEach
    void stop() {
        bmc.close();
    }

    private MachineStatus describeRunning() {
        Instant at = Instant.now().minusSeconds(60);
        Operation op = journal.put(new Operation("op-1", "d1", "m1", "t1", "node-1", "rack1", SYSTEM, "pxe", null, "force",
                Operation.Phase.RUNNING, PowerAction.ON, at, at, at, null));
        return provisioner.describe(provisioner.handle(op), DiscoveryContext.withTimeout("look", Duration.ofSeconds(30)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"PoweringOn", "Paused", ""})
    void aRunningMachineWhoseBmcReadsNoPowerOffStaysRunning(String state) {
        endpoint.power(state);

        MachineStatus status = describeRunning();

        assertThat(status.state()).as("BMC reads '%s'", state).isEqualTo(MachineState.RUNNING);
        assertThat(status.message()).isNull();
        assertThat(status.attributes()).containsEntry(NodeTemplate.POWER_STATE,
                PowerState.fromRedfish(state).label());
        assertThat(journal.get("op-1").orElseThrow().phase()).isEqualTo(Operation.Phase.RUNNING);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Off", "PoweringOff"})
    void aRunningMachineWhoseBmcReadsOffOrGoingOffHasFailed(String state) {
        endpoint.power(state);

        MachineStatus status = describeRunning();

        assertThat(status.state()).isEqualTo(MachineState.FAILED);
        assertThat(status.message()).contains("node node-1 is " + PowerState.fromRedfish(state).label() + " on its BMC")
                .contains("outside Strata");
    }

    @Test
    void aRunningMachineThatReadsOnIsRunning() {
        endpoint.power("On");

        assertThat(describeRunning().state()).isEqualTo(MachineState.RUNNING);
    }
}
