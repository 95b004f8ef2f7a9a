package dev.strata.systemtests;

import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentResult;
import dev.strata.platform.api.deployment.MemberState;
import dev.strata.provider.openstack.AllInOne;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Strata's deployment path on the all-in-one OpenStack as a process of its own, for
 * {@link OpenStackCrashTest}: opens the store in a folder, deploys the contract unless a
 * deployment is stored already (a restart), and lets the reconciler run, printing each change of
 * state ({@code STATE d-000001 READY 4}). The all-in-one is found as in the tests
 * ({@code -Dstrata.openstack.aio=DIR}). {@code --halt-before-create N} and
 * {@code --halt-after-create N} halt it at its N-th create (see {@link Halting}).
 *
 * <p>Arguments: data folder, contract file, workers, options.
 */
public final class OpenStackDeploymentProcess {

    private OpenStackDeploymentProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        Path contract = Path.of(args[1]);
        int workers = Integer.parseInt(args[2]);
        int haltBefore = 0;
        int haltAfter = 0;
        for (int i = 3; i < args.length; i += 2) {
            switch (args[i]) {
                case "--halt-before-create" -> haltBefore = Integer.parseInt(args[i + 1]);
                case "--halt-after-create" -> haltAfter = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        var s = OpenStackStrata.SETTINGS;
        OpenStackStrata strata = new OpenStackStrata(data, AllInOne.get(), new dev.strata.platform.core.deployment.DeploymentSettings(
                s.reconcileInterval(), s.pollInterval(), s.operationTimeout(), s.retryBackoff(), s.retryBackoffMax(), workers, s.deleteLeaks()));
        if (haltBefore > 0 || haltAfter > 0) {
            strata.providers.add(OpenStackStrata.PROVIDER_ID, 1_000, new Halting(strata.provider(), haltBefore, haltAfter));
        }
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
