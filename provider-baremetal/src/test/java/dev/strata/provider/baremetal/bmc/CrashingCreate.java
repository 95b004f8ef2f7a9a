package dev.strata.provider.baremetal.bmc;

import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.provider.baremetal.peers.TestBmcs;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * A separate JVM that provisions one machine, for the kill -9 test: the test kills it at a
 * random moment and resumes the operation in its own JVM from the same journal.
 * Arguments: journal directory, BMC address, user, password, operation id, node id.
 */
public final class CrashingCreate {

    private CrashingCreate() {
    }

    public static void main(String[] args) {
        BmcProvider provider = new BmcProvider(Path.of(args[0]), 2, Duration.ofSeconds(20), Duration.ofSeconds(60), Clock.systemUTC());
        provider.bind(TestBmcs.bmc(TestBmcs.redfish("sushy", args[1], args[2], args[3])));
        // warm up (class loading, the HTTP client, the BMC's systems) so that the kill lands in create's own steps
        provider.fleet().find(args[5], DiscoveryContext.withTimeout("warm-up", Duration.ofSeconds(60)));
        System.out.println("STARTED");
        MachineStatus status = provider.create(BmcFaultsTest.request(args[4], args[5]), DiscoveryContext.withTimeout("child", Duration.ofSeconds(60)));
        System.out.println("DONE " + status.state());
        provider.close();
    }
}
