package dev.strata.provider.baremetal.bmc;

import dev.strata.provider.baremetal.peers.StandInRedfish;
import dev.strata.provider.baremetal.peers.TestBmcs;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * A BMC provisioner over one {@link StandInRedfish} BMC, {@code rack1}, with basic authentication,
 * and its operation journal in {@code dir}: what the provisioner's tests against the stand-in set
 * up (the stand-in answers the power state a test sets and counts the requests that reach it).
 */
final class StandInProvisioning implements AutoCloseable {

    static final String SYSTEM = StandInRedfish.SYSTEM;

    final StandInRedfish endpoint;
    final BmcFleet fleet;
    final OperationJournal journal;
    final BmcProvisioner provisioner;

    StandInProvisioning(String name, Path dir) {
        endpoint = StandInRedfish.start(name, 2);
        Clock clock = Clock.systemUTC();
        Map<String, Object> config = TestBmcs.redfish("rack1", endpoint.address(), "root", "Stand-in-Pw1");
        config.put("auth", "basic");
        fleet = new BmcFleet(BmcProvider.ID, 1, Duration.ofSeconds(30), clock);
        fleet.add(TestBmcs.bmc(config));
        journal = new OperationJournal(dir.resolve("journal"));
        provisioner = new BmcProvisioner(BmcProvider.ID, fleet, journal, Duration.ofSeconds(20), clock);
    }

    @Override
    public void close() {
        fleet.close();
        endpoint.close();
    }
}
