package dev.strata.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentMember;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.core.store.AuditFilter;
import dev.strata.platform.core.store.JdbcStateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * {@code kill -9} in the middle of deploying 20 machines, at several points, then a restart:
 * exactly 20 instances exist (none twice, none leaked) and the deployment finishes. Strata runs as
 * a separate JVM ({@link DeploymentProcess}) on the embedded store; moto is EC2.
 */
class DeploymentCrashTest {

    static final int MACHINES = 20;
    static Moto moto;
    static Ec2 ec2;

    @TempDir
    Path work;

    @BeforeAll
    static void emulator() {
        moto = Moto.start();
        ec2 = new Ec2(moto.endpoint());
    }

    @AfterAll
    static void stop() {
        if (ec2 != null) {
            ec2.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    /** Strata deploying {@code contract} on moto's EC2 in a JVM of its own ({@link DeploymentProcess}), with {@code workers} provisioning workers. */
    static StrataProcess strata(Path data, Path contract, int workers, String... options) throws IOException {
        List<String> arguments = new ArrayList<>(List.of(data.toString(), moto.endpoint().toString(), contract.toString(), Integer.toString(workers)));
        arguments.addAll(List.of(options));
        return new StrataProcess(DeploymentProcess.class, List.of(), arguments, Map.of());
    }

    static List<Instance> tagged() {
        return ec2.live().stream().filter(i -> Ec2.tag(i, MachineLabels.DEPLOYMENT) != null).toList();
    }

    @Test
    void killedAtSeveralPointsWhileDeployingTwentyMachinesStrataEndsWithExactlyTwentyAndFinishes() throws Exception {
        moto.reset();
        Path data = work.resolve("data");
        Path contract = Files.writeString(work.resolve("twenty.yaml"), AwsStrata.contract("twenty", MACHINES, "sovereignty: {countries: [DE]}"));
        List<String> report = new ArrayList<>();
        Duration start = Duration.ofSeconds(90);

        // 1. kill -9 as soon as the deployment is stored: maybe nothing was asked of EC2 yet
        try (StrataProcess s = strata(data, contract, 2)) {
            s.await("the deployment stored", () -> s.printed(l -> l.startsWith("DEPLOYED ")), start);
            s.kill();
            report.add("killed right after the deploy: " + tagged().size() + " instances");
        }
        // 2. halted just after EC2 made the 3rd machine of this run, before Strata recorded the answer
        try (StrataProcess s = strata(data, contract, 2, "--halt-after-create", "3")) {
            assertThat(s.exits(Duration.ofSeconds(120))).as("halts: %s", s.lines).isTrue();
            assertThat(s.printed(l -> l.startsWith("RESUMING "))).as("%s", s.lines).isTrue();
            assertThat(s.printed(l -> l.startsWith("HALT after create 3"))).as("%s", s.lines).isTrue();
            report.add("halted after EC2 answered a create, answer not recorded: " + tagged().size() + " instances");
        }
        // 3. kill -9 while machines are being made: once EC2 holds at least 9
        try (StrataProcess s = strata(data, contract, 2)) {
            s.await("9 instances on EC2", () -> tagged().size() >= 9, start);
            s.kill();
            report.add("killed with provider calls in flight: " + tagged().size() + " instances");
        }
        // 4. halted with the operation id of a create stored and the call not yet made
        try (StrataProcess s = strata(data, contract, 2, "--halt-before-create", "2")) {
            assertThat(s.exits(Duration.ofSeconds(120))).as("halts: %s", s.lines).isTrue();
            assertThat(s.printed(l -> l.startsWith("HALT before create 2"))).as("%s", s.lines).isTrue();
            report.add("halted with a create's operation stored, not sent: " + tagged().size() + " instances");
        }
        assertThat(tagged().size()).as("the crashes were in the middle of the deployment").isLessThan(MACHINES);

        // restart: the deployment finishes
        try (StrataProcess s = strata(data, contract, 2)) {
            s.await("READY with 20 running", () -> s.printed(l -> l.matches("STATE d-\\d+ READY " + MACHINES)), Duration.ofMinutes(3));
            s.kill();
        }
        List<Instance> live = tagged();
        assertThat(live).as("exactly 20 instances: %s", report).hasSize(MACHINES);
        assertThat(ec2.live()).hasSize(MACHINES);
        Map<String, Long> perMember = live.stream().collect(Collectors.groupingBy(i -> Ec2.tag(i, MachineLabels.MEMBER), Collectors.counting()));
        assertThat(perMember).hasSize(MACHINES).allSatisfy((member, n) -> assertThat(n).as(member).isEqualTo(1L));

        try (JdbcStateStore store = AwsStrata.openStore(data)) {
            assertThat(store.deployments().unfinishedOperations()).isEmpty();
        }
        try (AwsStrata strata = new AwsStrata(data, moto.endpoint(), 32, AwsStrata.SETTINGS)) {
            Deployment d = strata.engine.list().get(0);
            assertThat(d.state()).isEqualTo(DeploymentState.READY);
            Set<String> machines = d.members().stream().map(m -> m.machine().machineId()).collect(Collectors.toSet());
            assertThat(machines).isEqualTo(live.stream().map(Instance::instanceId).collect(Collectors.toSet()));
            assertThat(d.members()).extracting(DeploymentMember::operationId)
                    .containsExactlyInAnyOrderElementsOf(live.stream().map(i -> Ec2.tag(i, MachineLabels.OPERATION)).toList());
        }
        System.out.println("Crash points: " + report);
    }

    /**
     * Halted as soon as the deployment's allocation is durable and before the deployment is
     * stored: the restarted Strata finds no deployment and deploys the contract again, and its first
     * pass frees the allocation the halted process placed, recording why. Before, that allocation
     * was held for good, next to the one of the deployment that runs.
     */
    @Test
    void haltedBetweenPlacingAndStoringTheDeploymentTheRestartFreesTheAllocationItLeft() throws Exception {
        moto.reset();
        Path data = work.resolve("data");
        Path contract = Files.writeString(work.resolve("two.yaml"), AwsStrata.contract("two", 2, "sovereignty: {countries: [DE]}"));
        String left;
        String never;
        try (StrataProcess s = strata(data, contract, 2, "--halt-after-place")) {
            assertThat(s.exits(Duration.ofSeconds(120))).as("halts: %s", s.lines).isTrue();
            String halt = s.lines.stream().filter(l -> l.startsWith("HALT after place ")).findFirst().orElseThrow(
                    () -> new AssertionError("no halt: " + s.lines));
            String[] words = halt.split(" ");
            left = words[3];
            never = words[5];
        }
        try (JdbcStateStore store = AwsStrata.openStore(data)) {
            assertThat(store.deployments().list()).as("nothing stored").isEmpty();
            assertThat(store.ledger().load().allocations()).extracting(a -> a.id()).containsExactly(left);
        }
        assertThat(tagged()).isEmpty();

        try (StrataProcess s = strata(data, contract, 2)) {
            s.await("READY with 2 running", () -> s.printed(l -> l.matches("STATE d-\\d+ READY 2")), Duration.ofMinutes(2));
            s.kill();
        }
        assertThat(tagged()).hasSize(2);
        try (JdbcStateStore store = AwsStrata.openStore(data)) {
            List<dev.strata.platform.core.store.DeploymentRecord> deployments = store.deployments().list();
            assertThat(deployments).hasSize(1);
            assertThat(deployments.get(0).id()).isNotEqualTo(never);
            assertThat(store.ledger().load().allocations()).extracting(a -> a.id()).as("only the running deployment's allocation")
                    .containsExactly(deployments.get(0).allocationId());
            assertThat(store.provenance().find(new AuditFilter(null, null, left, never, "leak", null, null, 10, false)))
                    .singleElement().satisfies(r -> assertThat(r.payload().get("summary")).asString().contains("which was never stored"));
        }
    }
}
