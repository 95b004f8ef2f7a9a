package dev.strata.systemtests;

import dev.strata.provider.openstack.AllInOne;
import java.nio.file.Path;

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
        DeploymentProcess.run(strata.engine, strata.reader, contract, false);
    }
}
