package dev.strata.provider.baremetal.bmc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.provider.baremetal.peers.StandInRedfish;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A delete of an operation that stopped before its power request: recorded at CLAIMED (its create
 * never reached the BMC, or was cut off while setting the boot source) or at BOOT_SET (the boot
 * source set, the power request withdrawn as surely not sent). Strata never powered the machine,
 * which is on, perhaps running what its operator runs there: the node is given up, and no power
 * request reaches the BMC. The BMC is a {@link StandInRedfish}, which counts the resets that reach
 * it. Before, the delete powered the machine off as it does a machine it provisioned.
 */
class BmcUnpoweredDeleteTest {

    static final String SYSTEM = StandInProvisioning.SYSTEM;

    @TempDir
    Path dir;
    StandInProvisioning bmc;
    final AtomicInteger resets = new AtomicInteger();

    @BeforeEach
    void start() {
        bmc = new StandInProvisioning("unpowered", dir);
        bmc.endpoint.power("On").onReset(resets::incrementAndGet);
    }

    @AfterEach
    void stop() {
        bmc.close();
    }

    @Test
    void aDeleteBeforeAnyPowerRequestGivesUpTheNodeAndLeavesItsPowerAlone() {
        Instant at = Instant.now().minusSeconds(60);
        Operation claimed = bmc.journal.put(new Operation("op-claimed", "d1", "m1", "t1", "node-1", "rack1", SYSTEM, "pxe", null, "force",
                Operation.Phase.CLAIMED, null, null, at, at, null));
        // a power-on withdrawn at BOOT_SET (step power-request-failed): it surely did not reach the BMC
        Operation bootSet = bmc.journal.put(new Operation("op-boot-set", "d1", "m2", "t1", "node-2", "rack1", SYSTEM, "pxe", null, "force",
                Operation.Phase.BOOT_SET, PowerAction.ON, at, at, at, null).withStep("power-request-failed", "On did not reach the BMC", at));

        for (Operation op : new Operation[] {claimed, bootSet}) {
            MachineStatus status = bmc.provisioner.delete(bmc.provisioner.handle(op), DiscoveryContext.withTimeout("delete", Duration.ofSeconds(5)));

            assertThat(resets.get()).as("power requests that reached the BMC, after deleting %s", op.operationId()).isZero();
            assertThat(status.state()).as(op.operationId()).isEqualTo(MachineState.GONE);
            Operation now = bmc.journal.get(op.operationId()).orElseThrow();
            assertThat(now.phase()).as(op.operationId()).isEqualTo(Operation.Phase.GONE);
            assertThat(now.steps()).as(op.operationId()).anySatisfy(step -> assertThat(step).contains("boot-override-cleared"))
                    .anySatisfy(step -> assertThat(step).contains("released").contains("power left as it was"));
            assertThat(bmc.journal.holding(op.nodeId())).as("the node is free for the next create").isEmpty();
        }
    }
}
