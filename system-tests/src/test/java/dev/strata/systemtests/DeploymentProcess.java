package dev.strata.systemtests;

import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentMember;
import dev.strata.platform.api.deployment.DeploymentResult;
import dev.strata.platform.api.deployment.MemberState;
import dev.strata.platform.core.contract.ContractDocumentReader;
import dev.strata.platform.core.deployment.DeploymentEngine;
import dev.strata.platform.core.deployment.DeploymentSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Strata's deployment path as a process of its own, for the crash test: opens the store in a
 * folder, deploys the contract unless a deployment is stored already (a restart), and lets the
 * reconciler run, printing each change of state ({@code STATE d-000001 READY}). The test kills it
 * with {@code kill -9}; {@code --halt-before-create N} and {@code --halt-after-create N} make it
 * halt (no shutdown hook, nothing flushed, as a kill) at its N-th create: just before the call
 * reaches EC2 (its operation id is stored), or just after EC2 answered (the answer not stored);
 * {@code --halt-after-place} as soon as the deployment's allocation is durable, before the
 * deployment is stored.
 */
public final class DeploymentProcess {

    private DeploymentProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        URI endpoint = URI.create(args[1]);
        Path contract = Path.of(args[2]);
        int workers = Integer.parseInt(args[3]);
        int haltBefore = 0;
        int haltAfter = 0;
        boolean haltAfterPlace = false;
        for (int i = 4; i < args.length; i++) {
            switch (args[i]) {
                case "--halt-before-create" -> haltBefore = Integer.parseInt(args[++i]);
                case "--halt-after-create" -> haltAfter = Integer.parseInt(args[++i]);
                case "--halt-after-place" -> haltAfterPlace = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        DeploymentSettings settings = new DeploymentSettings(Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(20),
                Duration.ofMillis(200), Duration.ofSeconds(2), workers, true);
        AwsStrata strata = new AwsStrata(data, endpoint, 32, settings, haltAfterPlace ? HaltingPlacement::new : p -> p);
        if (haltBefore > 0 || haltAfter > 0) {
            strata.providers.add("aws", 2, new Halting(strata.aws, haltBefore, haltAfter));
        }
        run(strata.engine, strata.reader, contract, false);
    }

    /**
     * Deploys the contract unless a deployment is stored already (then resumes it), starts the
     * reconciler and prints each change of state ({@code STATE d-000001 READY 4}) until killed;
     * shared by the crash tests' processes. {@code bindings}: also print each member's target.
     */
    static void run(DeploymentEngine engine, ContractDocumentReader reader, Path contract, boolean bindings) throws Exception {
        String id;
        List<Deployment> stored = engine.list();
        if (stored.isEmpty()) {
            DeploymentResult result = engine.deploy(reader.read(Files.readString(contract), contract.getFileName().toString()), "crash-test");
            if (!result.decision().placed()) {
                System.out.println("NOT-PLACED " + result.decision().summary());
                System.exit(2);
            }
            id = result.deployment().id();
            System.out.println("DEPLOYED " + id);
            if (bindings) {
                for (DeploymentMember m : result.deployment().members()) {
                    System.out.println("BOUND " + m.name() + " " + m.target().id());
                }
            }
        } else {
            id = stored.get(0).id();
            System.out.println("RESUMING " + id + " " + stored.get(0).state());
        }
        System.out.flush();
        engine.start();
        String last = "";
        while (true) {
            Deployment d = engine.get(id).orElseThrow();
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
