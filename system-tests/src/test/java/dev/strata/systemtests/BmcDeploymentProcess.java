package dev.strata.systemtests;

import dev.strata.provider.baremetal.peers.TestBmcs;
import java.nio.file.Path;
import java.util.List;

/**
 * Strata's deployment path onto BMC-managed machines as a process of its own, for the crash
 * test: opens the store and the BMC operation journal in their folders, deploys the contract
 * unless a deployment is stored already (a restart), and lets the reconciler run, printing each
 * change of state ({@code STATE d-000001 READY 1}). The test kills it with {@code kill -9}.
 * Arguments: data folder, journal folder, BMC address, BMC user, contract file; the BMC password
 * comes in the environment ({@value #PASSWORD_VARIABLE}), never on the command line.
 */
public final class BmcDeploymentProcess {

    static final String PASSWORD_VARIABLE = "STRATA_TEST_BMC_PASSWORD";

    private BmcDeploymentProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        Path journal = Path.of(args[1]);
        String address = args[2];
        String user = args[3];
        Path contract = Path.of(args[4]);
        String password = System.getenv(PASSWORD_VARIABLE);
        BmcStrata strata = new BmcStrata(data, journal, List.of(TestBmcs.redfish("sushy", address, user, password)), BmcStrata.SETTINGS);
        DeploymentProcess.run(strata.engine, strata.reader, contract, true);
    }
}
