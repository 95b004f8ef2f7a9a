package dev.strata.systemtests;

import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentMember;
import dev.strata.platform.api.deployment.DeploymentResult;
import dev.strata.platform.api.deployment.MemberState;
import dev.strata.provider.baremetal.peers.TestBmcs;
import java.nio.file.Files;
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
        String id;
        List<Deployment> stored = strata.engine.list();
        if (stored.isEmpty()) {
            DeploymentResult result = strata.engine.deploy(strata.reader.read(Files.readString(contract), contract.getFileName().toString()),
                    "crash-test");
            if (!result.decision().placed()) {
                System.out.println("NOT-PLACED " + result.decision().summary());
                System.exit(2);
            }
            id = result.deployment().id();
            System.out.println("DEPLOYED " + id);
            for (DeploymentMember m : result.deployment().members()) {
                System.out.println("BOUND " + m.name() + " " + m.target().id());
            }
        } else {
            id = stored.get(0).id();
            System.out.println("RESUMING " + id + " " + stored.get(0).state());
        }
        System.out.flush();
        strata.engine.start();
        String last = "";
        while (true) {
            Deployment d = strata.engine.get(id).orElseThrow();
            String now = "STATE " + id + " " + d.state() + " " + d.count(MemberState.RUNNING);
            if (!now.equals(last)) {
                System.out.println(now);
                System.out.flush();
                last = now;
            }
            Thread.sleep(50);
        }
    }
}
