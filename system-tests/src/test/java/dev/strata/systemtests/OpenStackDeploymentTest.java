package dev.strata.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentEvent;
import dev.strata.platform.api.deployment.DeploymentMember;
import dev.strata.platform.api.deployment.DeploymentResult;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.MemberState;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.provisioning.LargestMachine;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.provider.openstack.AllInOne;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deployments on the all-in-one OpenStack ({@code scripts/openstack-aio.sh}: Keystone, Placement,
 * Nova with the fake driver, ...): the deployment engine, the placement engine, the embedded state
 * store and the OpenStack provider, all real. The test looks at Nova through its own client
 * ({@link Nova}), not Strata's. Skipped without the all-in-one unless {@code CI=true}, where its
 * absence fails (see {@link AllInOne}).
 */
class OpenStackDeploymentTest {

    static final Duration PATIENCE = Duration.ofMinutes(3);
    /** Servers deployed and undeployed by the first test (its figures go to docs/benchmarks.md). */
    static final int SERVERS = Integer.getInteger("strata.openstack.servers", 4);

    static AllInOne aio;
    static Nova nova;

    @TempDir
    Path data;

    @BeforeAll
    static void cloud() {
        aio = AllInOne.get();
        nova = new Nova(aio);
    }

    /** Deployment ids start at d-000001 in every fresh store: servers of an earlier test would look like this test's. */
    @BeforeEach
    @AfterEach
    void noStrataServers() {
        if (nova != null) {
            nova.deleteAll();
        }
    }

    @Test
    void aContractBecomesActiveServersBoundToItRecordedInProvenanceAndUndeployLeavesNone() {
        try (OpenStackStrata strata = new OpenStackStrata(data, aio, OpenStackStrata.SETTINGS)) {
            long t0 = System.nanoTime();
            DeploymentResult result = strata.engine.deploy(strata.reader.read(OpenStackStrata.contract("web", SERVERS,
                    "sovereignty: {countries: [DE]}"), "web.yaml"), "alice");
            long placed = System.nanoTime();
            assertThat(result.decision().placed()).as(result.decision().summary()).isTrue();
            assertThat(result.decision().bindings()).extracting(MemberBinding::nodeId).containsOnly(strata.nodeId());
            String id = result.deployment().id();

            Deployment ready = AwsDeploymentTest.settle(strata.engine, id, EnumSet.of(DeploymentState.READY), PATIENCE);
            long readyAt = System.nanoTime();
            assertThat(ready.members()).extracting(DeploymentMember::state).containsOnly(MemberState.RUNNING);
            assertThat(ready.members()).extracting(DeploymentMember::providerId).containsOnly(OpenStackStrata.PROVIDER_ID);

            // Nova, asked directly: one ACTIVE server per member, carrying the deployment, member and operation
            List<Nova.Server> servers = nova.of(id);
            assertThat(servers).hasSize(SERVERS);
            assertThat(servers).extracting(Nova.Server::status).containsOnly("ACTIVE");
            assertThat(servers).extracting(s -> s.label(MachineLabels.MEMBER))
                    .containsExactlyInAnyOrderElementsOf(ready.members().stream().map(DeploymentMember::name).toList());
            assertThat(servers).extracting(s -> s.label(MachineLabels.TENANT)).containsOnly("bank-risk");
            assertThat(servers).extracting(s -> s.label("strata:node")).containsOnly(strata.nodeId());
            assertThat(servers).allSatisfy(s -> assertThat(s.tags()).contains("strata"));
            for (DeploymentMember m : ready.members()) {
                Nova.Server s = servers.stream().filter(x -> x.id().equals(m.machine().machineId())).findFirst()
                        .orElseThrow(() -> new AssertionError("member " + m.name() + " holds " + m.machine() + ", which Nova does not list"));
                assertThat(s.label(MachineLabels.MEMBER)).isEqualTo(m.name());
                assertThat(s.label(MachineLabels.OPERATION)).isEqualTo(m.operationId());
                assertThat(m.nodeId()).isEqualTo(strata.nodeId());
            }

            // one provenance record per create, naming the server Nova made
            List<DeploymentEvent> history = strata.engine.history(id);
            assertThat(history.get(0).actor()).isEqualTo("alice");
            for (Nova.Server s : servers) {
                assertThat(history).filteredOn(e -> e.summary().contains("provider " + OpenStackStrata.PROVIDER_ID + " made " + s.id()))
                        .as("the record of %s", s.id()).hasSize(1);
            }
            assertThat(history).filteredOn(e -> e.summary().contains(" made ")).hasSize(SERVERS);

            long undeployAt = System.nanoTime();
            strata.engine.undeploy(id, "alice");
            Deployment deleted = AwsDeploymentTest.settle(strata.engine, id, EnumSet.of(DeploymentState.DELETED), PATIENCE);
            long deletedAt = System.nanoTime();
            assertThat(deleted.members()).extracting(DeploymentMember::state).containsOnly(MemberState.DELETED);
            assertThat(nova.of(id)).isEmpty();
            assertThat(nova.servers()).isEmpty();
            assertThat(strata.placement.allocations()).isEmpty();
            List<DeploymentEvent> after = strata.engine.history(id);
            for (Nova.Server s : servers) {
                assertThat(after).anyMatch(e -> e.summary().contains("deleted " + s.id()));
            }
            System.out.printf(Locale.ROOT, "OpenStack all-in-one, %d servers: placed in %d ms, READY %.1f s after the deploy; "
                    + "undeploy DELETED (none left in Nova) after %.1f s%n", SERVERS, (placed - t0) / 1_000_000, (readyAt - t0) / 1e9,
                    (deletedAt - undeployAt) / 1e9);
        }
    }

    @Test
    void aServerDeletedBehindStratasBackIsSeenByTheReconciler() {
        try (OpenStackStrata strata = new OpenStackStrata(data, aio, OpenStackStrata.SETTINGS)) {
            String id = strata.engine.deploy(strata.reader.read(OpenStackStrata.contract("web", 2, ""), "web.yaml"), "alice").deployment().id();
            AwsDeploymentTest.settle(strata.engine, id, EnumSet.of(DeploymentState.READY), PATIENCE);
            Nova.Server victim = nova.of(id).get(0);
            nova.delete(victim.id());

            Deployment degraded = AwsDeploymentTest.settle(strata.engine, id, EnumSet.of(DeploymentState.DEGRADED), PATIENCE);
            DeploymentMember lost = degraded.members().stream().filter(m -> m.name().equals(victim.label(MachineLabels.MEMBER))).findFirst()
                    .orElseThrow();
            assertThat(lost.state()).isEqualTo(MemberState.LOST);
            assertThat(lost.machine().machineId()).isEqualTo(victim.id());
            assertThat(degraded.members()).extracting(DeploymentMember::state).containsExactlyInAnyOrder(MemberState.LOST, MemberState.RUNNING);
            assertThat(strata.engine.history(id)).anyMatch(e -> e.summary().contains(victim.id()));
            // the contract says nothing of replacing: a pass later nothing new was made
            strata.engine.reconcileNow();
            strata.engine.awaitIdle(Duration.ofSeconds(30));
            assertThat(nova.of(id)).hasSize(1).noneMatch(s -> s.id().equals(victim.id()));

            strata.engine.undeploy(id, "alice");
            AwsDeploymentTest.settle(strata.engine, id, EnumSet.of(DeploymentState.DELETED), PATIENCE);
            assertThat(nova.servers()).isEmpty();
        }
    }

    /**
     * The host's node shows what Placement says is free, and Placement counts this installation's
     * servers as used; the ledger holds their members' reservations too. After two members are
     * deployed and the host rediscovered, placement sees exactly what is free on the host: a
     * contract taking all of it fits, one taking a CPU or 256 MiB more does not (each in members no
     * larger than the largest server the host takes).
     */
    @Test
    void aMembersServerIsNotCountedTwiceAgainstItsHost() {
        try (OpenStackStrata strata = new OpenStackStrata(data, aio, OpenStackStrata.SETTINGS)) {
            Node idle = node(strata, strata.inventory.refresh(Duration.ofSeconds(30)));
            int cpus = idle.cpu().online().size();
            long mib = idle.memoryBytes() >> 20;
            assertThat(cpus).as("free VCPUs on the host").isGreaterThan(3);
            assertThat(mib).as("free MiB on the host").isGreaterThan(1024);

            String id = strata.engine.deploy(strata.reader.read(OpenStackStrata.contract("web", 2, ""), "web.yaml"), "alice").deployment().id();
            AwsDeploymentTest.settle(strata.engine, id, EnumSet.of(DeploymentState.READY), PATIENCE);
            Node busy = node(strata, strata.inventory.refresh(Duration.ofSeconds(30)));
            assertThat(busy.cpu().online().size()).as("Placement counts the two servers").isEqualTo(cpus - 2);
            long free = busy.memoryBytes() >> 20; // each server holds its flavor's memory, at least the member's 256 MiB
            assertThat(free).as("Placement counts the two servers").isLessThanOrEqualTo(mib - 512);

            PlacementDecision all = dryRun(strata, cpus - 2, free);
            assertThat(all.placed()).as("all that is free fits: %s", all.summary()).isTrue();
            assertThat(dryRun(strata, cpus - 1, 256).placed()).as("a CPU more than is free").isFalse();
            assertThat(dryRun(strata, 2, free + 256).placed()).as("256 MiB more than is free").isFalse();

            strata.engine.undeploy(id, "alice");
            AwsDeploymentTest.settle(strata.engine, id, EnumSet.of(DeploymentState.DELETED), PATIENCE);
        }
    }

    /**
     * Members placed whose servers are not made yet hold room Placement does not count: they must
     * stay reserved when the host is rediscovered with a deployed member's server on it. Two
     * contracts are placed (committed, not deployed) beside a deployed member; once the member's
     * server is seen, a contract larger than what is really left must be refused.
     */
    @Test
    void membersWhoseServersAreNotMadeYetKeepTheirRoomWhenTheHostIsRediscovered() {
        try (OpenStackStrata strata = new OpenStackStrata(data, aio, OpenStackStrata.SETTINGS)) {
            long mib = node(strata, strata.inventory.refresh(Duration.ofSeconds(30))).memoryBytes() >> 20;
            long a = mib * 4 / 9 / 512 * 512;
            long b = (mib - a) / 2 / 512 * 512;
            assertThat(b).as("the placed members do not fit beside the deployed one twice over").isGreaterThan(mib - 2 * a);
            String id = strata.engine.deploy(strata.reader.read(member("a", a), "a.yaml"), "alice").deployment().id();
            PlacementDecision second = strata.placement.place(strata.reader.read(member("b", b), "b.yaml"), false);
            PlacementDecision third = strata.placement.place(strata.reader.read(member("c", b), "c.yaml"), false);
            assertThat(second.placed()).as(second.summary()).isTrue();
            assertThat(third.placed()).as(third.summary()).isTrue();
            AwsDeploymentTest.settle(strata.engine, id, EnumSet.of(DeploymentState.READY), PATIENCE);
            long free = node(strata, strata.inventory.refresh(Duration.ofSeconds(30))).memoryBytes() >> 20;
            assertThat(free).as("Placement counts the deployed member's server").isLessThanOrEqualTo(mib - a);

            long left = free - 2 * b;
            PlacementDecision more = dryRun(strata, 1, left + 512);
            assertThat(more.placed()).as("%d MiB are left (%d less the two placed members' %d): %s", left, free, 2 * b, more.summary())
                    .isFalse();

            strata.placement.release(second.allocationId());
            strata.placement.release(third.allocationId());
            strata.engine.undeploy(id, "alice");
            AwsDeploymentTest.settle(strata.engine, id, EnumSet.of(DeploymentState.DELETED), PATIENCE);
        }
    }

    private static String member(String name, long mib) {
        return "name: " + name + "\ntenant: bank-risk\nmembers:\n  - {name: " + name + ", replicas: 1, cpu: 1, memory: " + mib + "MiB}\n";
    }

    private static Node node(OpenStackStrata strata, InventorySnapshot snapshot) {
        return snapshot.nodes().stream().filter(n -> n.id().equals(strata.nodeId())).findFirst().orElseThrow();
    }

    /**
     * A dry run of a contract taking {@code cpus} CPUs and {@code mib} MiB of the host in all, in
     * as few members as the largest server the host takes allows ({@link LargestMachine}: a CPU
     * allocation ratio above 1 makes the host's room larger than one server may be).
     */
    private static PlacementDecision dryRun(OpenStackStrata strata, int cpus, long mib) {
        LargestMachine largest = LargestMachine.of(node(strata, strata.inventory.snapshot()));
        long k = Math.max(1, Math.max(ceil(cpus * 1000L, largest.cpuMilli()), ceil(mib << 20, largest.memoryBytes())));
        assertThat(k).as("members of at most %s", largest).isLessThanOrEqualTo(cpus);
        StringBuilder yaml = new StringBuilder("name: big\ntenant: bank-risk\nmembers:\n");
        for (int i = 0; i < k; i++) {
            yaml.append("  - {name: big-").append(i).append(", replicas: 1, cpu: ").append(cpus / k + (i < cpus % k ? 1 : 0))
                    .append(", memory: ").append(mib / k + (i < mib % k ? 1 : 0)).append("MiB}\n");
        }
        return strata.placement.place(strata.reader.read(yaml.toString(), "big.yaml"), true);
    }

    private static long ceil(long amount, long largest) {
        return largest == LargestMachine.NO_LIMIT ? 1 : (amount + largest - 1) / largest;
    }

    /**
     * Another Strata installation shares the project. Its store counts deployments from d-000001
     * too, so its server carries this installation's deployment id and member name, with its own
     * {@code strata:installation} and an operation this installation never recorded: it is neither
     * a member here nor a leak, and the reconciler, deleting leaks, leaves it alone pass after
     * pass. A server exactly like it but with this installation's id is a leak, and is deleted.
     * The member keeps its one server.
     */
    @Test
    void anotherInstallationsServerInTheProjectIsNeitherAMemberNorALeak() {
        try (OpenStackStrata strata = new OpenStackStrata(data, aio, OpenStackStrata.SETTINGS)) {
            String id = strata.engine.deploy(strata.reader.read(OpenStackStrata.contract("web", 1, ""), "web.yaml"), "alice").deployment().id();
            Deployment ready = AwsDeploymentTest.settle(strata.engine, id, EnumSet.of(DeploymentState.READY), PATIENCE);
            Nova.Server mine = nova.of(id).get(0);
            String installation = strata.store.info().logId();
            assertThat(mine.label(MachineLabels.INSTALLATION)).isEqualTo(installation);

            String theirs = nova.create("strata-" + id + "-theirs", mine, labels(id, mine, "9d1e5b7a-another-installation"),
                    List.of("strata", "strata-op-theirs"));
            String stray = nova.create("strata-" + id + "-stray", mine, labels(id, mine, installation), List.of("strata", "strata-op-stray"));
            for (int i = 0; i < 3; i++) {
                strata.engine.reconcileNow();
                strata.engine.awaitIdle(Duration.ofSeconds(60));
            }
            for (int i = 0; i < 240 && nova.servers().stream().anyMatch(s -> s.id().equals(stray)); i++) {
                Moto.sleep(250);
            }
            assertThat(nova.servers()).extracting(Nova.Server::id).containsExactlyInAnyOrder(mine.id(), theirs);
            Deployment after = strata.engine.get(id).orElseThrow();
            assertThat(after.state()).isEqualTo(DeploymentState.READY);
            assertThat(machines(after)).isEqualTo(machines(ready));
            assertThat(strata.engine.history(id)).anyMatch(e -> e.summary().contains(stray)).noneMatch(e -> e.summary().contains(theirs));

            strata.engine.undeploy(id, "alice");
            AwsDeploymentTest.settle(strata.engine, id, EnumSet.of(DeploymentState.DELETED), PATIENCE);
            assertThat(nova.servers()).extracting(Nova.Server::id).containsExactly(theirs);
        }
    }

    /** Strata's labels of a server of deployment {@code id}, of the member of {@code like}, by an operation no store recorded, of {@code installation}. */
    private static Map<String, String> labels(String id, Nova.Server like, String installation) {
        return Map.of(MachineLabels.DEPLOYMENT, id, MachineLabels.MEMBER, like.label(MachineLabels.MEMBER), MachineLabels.TENANT, "bank-risk",
                MachineLabels.OPERATION, "op-" + UUID.randomUUID(), MachineLabels.INSTALLATION, installation, "strata:node",
                like.label("strata:node"));
    }

    /**
     * The provider replaced as Karaf replaces it on a bundle update (unbind, deactivate, a new
     * instance bound under a new service id), ten times, while one deployment is ready, a second is
     * being made and then both are deleted, with the reconciler running on its schedule: the
     * ready deployment keeps its servers, every member ends with exactly one server, and undeploy
     * leaves none.
     */
    @Test
    void replacingTheProviderWhileDeploymentsExistLosesAndDuplicatesNothing() throws Exception {
        try (OpenStackStrata strata = new OpenStackStrata(data, aio, OpenStackStrata.SETTINGS)) {
            strata.engine.start();
            String a = strata.engine.deploy(strata.reader.read(OpenStackStrata.contract("a", 2, ""), "a.yaml"), "alice").deployment().id();
            Deployment readyA = strata.engine.await(a, EnumSet.of(DeploymentState.READY), PATIENCE);
            assertThat(readyA.state()).as("%s", readyA).isEqualTo(DeploymentState.READY);
            Map<String, String> machinesOfA = machines(readyA);

            AtomicInteger swaps = new AtomicInteger();
            List<Throwable> swapErrors = java.util.Collections.synchronizedList(new ArrayList<>());
            String b;
            Deployment readyB;
            int refusals = 0;
            try (Swapper swapper = new Swapper(strata, swaps, swapErrors)) {
                // deployed while the provider comes and goes; a deploy that lands in a gap is refused, storing and holding nothing, and repeated
                String bId = null;
                while (bId == null) {
                    try {
                        bId = strata.engine.deploy(strata.reader.read(OpenStackStrata.contract("b", 3, ""), "b.yaml"), "bob").deployment().id();
                    } catch (ProviderFailureException e) {
                        assertThat(e.getMessage()).contains("no provisioning provider with the id " + OpenStackStrata.PROVIDER_ID + " is running");
                        refusals++;
                        assertThat(strata.engine.list()).extracting(Deployment::id).containsExactly(a);
                        assertThat(strata.placement.allocations()).hasSize(1);
                        Thread.sleep(100);
                    }
                }
                b = bId;
                readyB = strata.engine.await(b, EnumSet.of(DeploymentState.READY), PATIENCE);
                while (swaps.get() < 10 && swapErrors.isEmpty()) {
                    Thread.sleep(100);
                }
            }
            assertThat(swapErrors).isEmpty();
            assertThat(readyB.state()).as("%s", readyB).isEqualTo(DeploymentState.READY);
            int swapsWhileDeploying = swaps.get();

            // nothing lost: a is READY on the same servers; nothing duplicated: one server per member in Nova
            Deployment nowA = strata.engine.get(a).orElseThrow();
            assertThat(nowA.state()).isEqualTo(DeploymentState.READY);
            assertThat(machines(nowA)).isEqualTo(machinesOfA);
            assertOneServerPerMember(a, nowA);
            assertOneServerPerMember(b, strata.engine.get(b).orElseThrow());
            assertThat(nova.servers()).hasSize(5);
            assertThat(strata.engine.history(a)).filteredOn(e -> e.summary().contains(" made ")).hasSize(2);
            long waitedB = strata.engine.history(b).stream().filter(e -> e.summary().contains("waiting for it")).count();

            // both deleted while the provider is replaced again
            Deployment deletedA;
            Deployment deletedB;
            try (Swapper swapper = new Swapper(strata, swaps, swapErrors)) {
                strata.engine.undeploy(a, "alice");
                strata.engine.undeploy(b, "bob");
                deletedA = strata.engine.await(a, EnumSet.of(DeploymentState.DELETED), PATIENCE);
                deletedB = strata.engine.await(b, EnumSet.of(DeploymentState.DELETED), PATIENCE);
            }
            assertThat(swapErrors).isEmpty();
            assertThat(deletedA.state()).as("%s", deletedA).isEqualTo(DeploymentState.DELETED);
            assertThat(deletedB.state()).as("%s", deletedB).isEqualTo(DeploymentState.DELETED);
            assertThat(nova.servers()).isEmpty();
            assertThat(strata.placement.allocations()).isEmpty();
            System.out.printf(Locale.ROOT, "OpenStack provider replaced %d times (%d while deploying b, which was refused %d times in a gap "
                    + "and whose history shows %d waits for the provider): a kept %s, each of b's %d members has one server; none left after undeploy%n", swaps.get(),
                    swapsWhileDeploying, refusals, waitedB, machinesOfA.values(),
                    readyB.members().size());
        }
    }

    /** Replaces the provider again and again (a 400 ms gap, 800 ms apart) until closed; counts the swaps and keeps what failed. */
    private static final class Swapper implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Swapper(OpenStackStrata strata, AtomicInteger swaps, List<Throwable> errors) {
            thread = new Thread(() -> {
                try {
                    while (running.get()) {
                        strata.swap(Duration.ofMillis(400));
                        swaps.incrementAndGet();
                        Thread.sleep(800);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "swapper");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }
    }

    private static Map<String, String> machines(Deployment d) {
        return d.members().stream().collect(Collectors.toMap(DeploymentMember::name, m -> m.machine().machineId()));
    }

    private static void assertOneServerPerMember(String deployment, Deployment d) {
        List<Nova.Server> servers = nova.of(deployment);
        Map<String, Long> perMember = servers.stream().collect(Collectors.groupingBy(s -> s.label(MachineLabels.MEMBER), Collectors.counting()));
        assertThat(perMember.keySet()).isEqualTo(d.members().stream().map(DeploymentMember::name).collect(Collectors.toSet()));
        assertThat(perMember).allSatisfy((member, n) -> assertThat(n).as(member).isEqualTo(1L));
        assertThat(servers).extracting(Nova.Server::status).containsOnly("ACTIVE");
        Set<String> ids = servers.stream().map(Nova.Server::id).collect(Collectors.toSet());
        assertThat(d.members()).allSatisfy(m -> assertThat(ids).contains(m.machine().machineId()));
        assertThat(d.members()).extracting(DeploymentMember::state).containsOnly(MemberState.RUNNING);
    }
}
