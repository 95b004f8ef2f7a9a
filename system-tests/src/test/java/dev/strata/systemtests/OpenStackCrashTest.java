package dev.strata.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentMember;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.MemberState;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.provider.openstack.AllInOne;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} while Strata deploys onto the all-in-one OpenStack, then a restart on the same
 * data folder: exactly one Nova server per member and the deployment READY. Strata runs as a
 * separate JVM ({@link OpenStackDeploymentProcess}) on the embedded store; Nova is looked at
 * through the test's own client ({@link Nova}). Skipped without the all-in-one unless
 * {@code CI=true}, where its absence fails.
 */
class OpenStackCrashTest {

    static final int MEMBERS = 4;
    static AllInOne aio;
    static Nova nova;

    @TempDir
    Path work;

    @BeforeAll
    static void cloud() {
        aio = AllInOne.get();
        nova = new Nova(aio);
    }

    @BeforeEach
    @AfterEach
    void noStrataServers() {
        if (nova != null) {
            nova.deleteAll();
        }
    }

    /** The all-in-one's location, passed on to the Strata processes. */
    static List<String> properties() {
        List<String> p = new ArrayList<>();
        for (String key : List.of("strata.openstack.aio", "strata.project.root")) {
            String v = System.getProperty(key);
            if (v != null && !v.isBlank() && !v.startsWith("${")) {
                p.add("-D" + key + "=" + v);
            }
        }
        return p;
    }

    static StrataProcess strata(Path data, Path contract, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of(data.toString(), contract.toString(), "2"));
        args.addAll(List.of(options));
        return new StrataProcess(OpenStackDeploymentProcess.class, properties(), args, Map.of());
    }

    @Test
    void killedWhileCreatesAreInFlightStrataEndsWithOneServerPerMemberAndTheDeploymentReady() throws Exception {
        Path data = work.resolve("data");
        Path contract = Files.writeString(work.resolve("web.yaml"), OpenStackStrata.contract("web", MEMBERS, "sovereignty: {countries: [DE]}"));
        List<String> report = new ArrayList<>();
        Duration start = Duration.ofSeconds(120);
        String id = "d-000001";

        // 1. halted with the first create's operation id stored and the call not yet made
        try (StrataProcess s = strata(data, contract, "--halt-before-create", "1")) {
            assertThat(s.exits(Duration.ofSeconds(180))).as("halts: %s", s.lines).isTrue();
            assertThat(s.printed(l -> l.startsWith("DEPLOYED " + id))).as("%s", s.lines).isTrue();
            assertThat(s.printed(l -> l.startsWith("HALT before create 1"))).as("%s", s.lines).isTrue();
            report.add("halted with a create's operation stored, not sent: " + nova.of(id).size() + " servers");
        }
        // 2. halted just after Nova made a server ACTIVE, before Strata recorded the answer
        try (StrataProcess s = strata(data, contract, "--halt-after-create", "1")) {
            assertThat(s.exits(Duration.ofSeconds(180))).as("halts: %s", s.lines).isTrue();
            assertThat(s.printed(l -> l.startsWith("RESUMING " + id))).as("%s", s.lines).isTrue();
            assertThat(s.printed(l -> l.startsWith("HALT after create 1"))).as("%s", s.lines).isTrue();
            report.add("halted after Nova answered a create, answer not recorded: " + nova.of(id).size() + " servers");
        }
        // 3. kill -9 while a create is in flight: Nova holds a server of the deployment that is still building
        Set<String> before = nova.of(id).stream().map(Nova.Server::id).collect(Collectors.toSet());
        try (StrataProcess s = strata(data, contract)) {
            s.await("a new server of " + id + " building in Nova", () -> nova.of(id).stream()
                    .anyMatch(x -> x.status().equals("BUILD") && !before.contains(x.id())), start);
            s.kill();
            report.add("killed with a create in flight: " + nova.of(id).stream().map(Nova.Server::status).toList());
        }
        // restart: the deployment finishes
        try (StrataProcess s = strata(data, contract)) {
            s.await("the deployment resumed", () -> s.printed(l -> l.startsWith("RESUMING ")), start);
            assertThat(s.printed(l -> l.equals("RESUMING " + id + " PROVISIONING"))).as("the crashes were in the middle of the deployment: %s",
                    s.lines).isTrue();
            s.await("READY with " + MEMBERS + " running", () -> s.printed(l -> l.equals("STATE " + id + " READY " + MEMBERS)), Duration.ofMinutes(4));
            s.kill();
        }
        List<Nova.Server> servers = nova.of(id);
        assertThat(servers).as("one server per member: %s", report).hasSize(MEMBERS);
        assertThat(nova.servers()).hasSize(MEMBERS);
        assertThat(servers).extracting(Nova.Server::status).containsOnly("ACTIVE");
        Map<String, Long> perMember = servers.stream().collect(Collectors.groupingBy(x -> x.label(MachineLabels.MEMBER), Collectors.counting()));
        assertThat(perMember).hasSize(MEMBERS).allSatisfy((member, n) -> assertThat(n).as(member).isEqualTo(1L));

        try (JdbcStateStore store = AwsStrata.openStore(data)) {
            assertThat(store.deployments().unfinishedOperations()).isEmpty();
        }
        try (OpenStackStrata strata = new OpenStackStrata(data, aio, OpenStackStrata.SETTINGS)) {
            Deployment d = strata.engine.get(id).orElseThrow();
            assertThat(d.state()).isEqualTo(DeploymentState.READY);
            assertThat(d.members()).extracting(DeploymentMember::state).containsOnly(MemberState.RUNNING);
            Set<String> machines = d.members().stream().map(m -> m.machine().machineId()).collect(Collectors.toSet());
            assertThat(machines).isEqualTo(servers.stream().map(Nova.Server::id).collect(Collectors.toSet()));
            assertThat(d.members()).extracting(DeploymentMember::operationId)
                    .containsExactlyInAnyOrderElementsOf(servers.stream().map(x -> x.label(MachineLabels.OPERATION)).toList());
        }
        System.out.println("OpenStack crash points: " + report);
    }
}
