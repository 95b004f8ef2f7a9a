package dev.strata.provider.baremetal.bmc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.provider.baremetal.peers.StandInRedfish;
import dev.strata.provider.baremetal.peers.TestBmcs;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change of {@code powerTimeout} while an operation is looked at: what the look records is
 * judged and quoted with one reading of it. The BMC is a {@link StandInRedfish} (the emulator
 * cannot run the test's code while it takes a reset) whose system stays On, and which has the
 * provider's power timeout changed while it takes the ForceOff the look sends: between the
 * judgement that the graceful shutdown is over its grace and the step that quotes that grace.
 */
class BmcPowerTimeoutChangeTest {

    static final String SYSTEM = StandInRedfish.SYSTEM;

    @TempDir
    Path dir;
    StandInRedfish endpoint;
    BmcFleet fleet;
    BmcProvisioner provisioner;

    @BeforeEach
    void start() {
        // the change, made while the look forces the machine off
        endpoint = StandInRedfish.start("power", 2).onReset(() -> provisioner.powerTimeout(Duration.ofHours(1)));
    }

    @AfterEach
    void stop() {
        if (fleet != null) {
            fleet.close();
        }
        endpoint.close();
    }

    /**
     * A graceful shutdown past its grace (half of a 20 s powerTimeout) is forced off by the look,
     * and the power timeout is changed to 1 h while the ForceOff is sent: the step recorded says
     * the shutdown was forced after the 10 s it was judged by. It quoted the new figure, 1800 s,
     * beside a judgement made with the old one, which no grace of 1800 s would have made.
     */
    @Test
    void aChangeDuringALookLeavesTheStepQuotingTheGraceItWasJudgedBy() {
        Clock clock = Clock.systemUTC();
        Map<String, Object> config = TestBmcs.redfish("rack1", endpoint.address(), "root", "Stand-in-Pw1");
        config.put("auth", "basic");
        fleet = new BmcFleet(BmcProvider.ID, 1, Duration.ofSeconds(30), clock);
        fleet.add(TestBmcs.bmc(config));
        OperationJournal journal = new OperationJournal(dir.resolve("journal"));
        provisioner = new BmcProvisioner(BmcProvider.ID, fleet, journal, Duration.ofSeconds(20), clock);
        Instant asked = clock.instant().minusSeconds(15);
        Operation op = journal.put(new Operation("op-1", "d1", "m1", "t1", "node-1", "rack1", SYSTEM, "pxe", null, "graceful",
                Operation.Phase.POWER_OFF_SENT, PowerAction.GRACEFUL_SHUTDOWN, asked, asked, asked, null));

        MachineStatus status = provisioner.describe(provisioner.handle(op), DiscoveryContext.withTimeout("look", Duration.ofSeconds(30)));

        assertThat(status.state()).isEqualTo(MachineState.DELETING);
        Operation forced = journal.get("op-1").orElseThrow();
        assertThat(forced.powerAction()).as("forced off by the look").isEqualTo(PowerAction.FORCE_OFF);
        assertThat(provisioner.powerTimeout()).as("the change applied").isEqualTo(Duration.ofHours(1));
        assertThat(forced.steps()).last().asString().endsWith("power-off-requested ForceOff (no graceful shutdown within 10 s)");
    }
}
