package dev.strata.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentEvent;
import dev.strata.platform.api.deployment.DeploymentMember;
import dev.strata.platform.api.deployment.DeploymentResult;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.MemberState;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.platform.core.deployment.DeploymentEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * Deployments on AWS, emulated by moto: the deployment engine, the placement engine, the embedded
 * state store and the AWS provider, all real; moto is the EC2 API (see {@link Moto} for what it
 * does not model). The test looks at the emulator through its own SDK client.
 */
class AwsDeploymentTest {

    static final Duration PATIENCE = Duration.ofSeconds(90);
    static Moto moto;
    static Ec2 ec2;

    @TempDir
    Path data;

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

    @BeforeEach
    void reset() {
        moto.reset();
    }

    /** Runs passes until the deployment is in one of the states; fails after the timeout. */
    static Deployment settle(DeploymentEngine engine, String id, Set<DeploymentState> states, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            engine.reconcileNow();
            engine.awaitIdle(Duration.ofSeconds(30));
            Deployment d = engine.get(id).orElseThrow();
            if (states.contains(d.state())) {
                return d;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("deployment " + id + " is " + d.state() + " (" + d.message() + "), not in " + states + " after "
                        + timeout + ": " + d.members());
            }
            Moto.sleep(100);
        }
    }

    static List<Instance> of(String deployment) {
        return ec2.live().stream().filter(i -> deployment.equals(Ec2.tag(i, MachineLabels.DEPLOYMENT))).toList();
    }

    @Test
    void aFourMemberContractBecomesFourTaggedInstancesBoundToItAndUndeployLeavesNone() {
        try (AwsStrata strata = new AwsStrata(data, moto.endpoint(), 16, AwsStrata.SETTINGS)) {
            DeploymentResult result = strata.engine.deploy(strata.reader.read(AwsStrata.contract("train", 4, "sovereignty: {countries: [DE]}"),
                    "train.yaml"), "alice");
            assertThat(result.decision().placed()).as(result.decision().summary()).isTrue();
            assertThat(result.decision().bindings()).extracting(MemberBinding::nodeId).allMatch(id -> id.matches("aws:eu-central-1[abc]:p4d\\.24xlarge#\\d+"));
            assertThat(result.deployment().members()).extracting(m -> m.target().kind()).containsOnly(MachineTarget.Kind.OFFER);
            assertThat(result.decision().evidence()).filteredOn(e -> e.clause().endsWith(".node")).hasSize(4).allSatisfy(e -> assertThat(e.evidence())
                    .matches("p4d\\.24xlarge in eu-central-1[abc], account quota \\d+ of \\d+ left \\(offer aws:eu-central-1[abc]:p4d\\.24xlarge, 0 used "
                            + "by others; launch slot \\d+\\)"));
            String id = result.deployment().id();

            Deployment ready = settle(strata.engine, id, EnumSet.of(DeploymentState.READY), PATIENCE);
            assertThat(ready.members()).extracting(DeploymentMember::state).containsOnly(MemberState.RUNNING);

            List<Instance> instances = of(id);
            assertThat(instances).hasSize(4);
            assertThat(instances).extracting(i -> i.instanceTypeAsString()).containsOnly("p4d.24xlarge");
            assertThat(instances).extracting(i -> i.placement().availabilityZone()).allMatch(z -> z.startsWith("eu-central-1"));
            assertThat(instances).extracting(i -> Ec2.tag(i, MachineLabels.MEMBER)).containsExactlyInAnyOrder("trainer-0", "trainer-1", "trainer-2",
                    "trainer-3");
            assertThat(instances).extracting(i -> Ec2.tag(i, MachineLabels.TENANT)).containsOnly("bank-risk");
            assertThat(instances.stream().map(i -> Ec2.tag(i, MachineLabels.OPERATION)).collect(Collectors.toSet()))
                    .isEqualTo(ready.members().stream().map(DeploymentMember::operationId).collect(Collectors.toSet()));
            assertThat(ready.members()).extracting(m -> m.machine().machineId())
                    .containsExactlyInAnyOrderElementsOf(instances.stream().map(Instance::instanceId).toList());

            // the inventory shows the launched instances as nodes bound to the deployment
            InventorySnapshot inventory = strata.inventory.refresh(Duration.ofSeconds(30));
            List<Node> bound = inventory.nodes().stream().filter(n -> id.equals(n.attributes().get(MachineLabels.DEPLOYMENT))).toList();
            assertThat(bound).hasSize(4);
            assertThat(bound).extracting(Node::id).containsExactlyInAnyOrderElementsOf(ready.members().stream().map(DeploymentMember::nodeId).toList());
            assertThat(bound).extracting(Node::ownerTenant).containsOnly("bank-risk");

            List<DeploymentEvent> history = strata.engine.history(id);
            assertThat(history.get(0).actor()).isEqualTo("alice");
            assertThat(history).filteredOn(e -> e.summary().contains("provider aws made i-")).hasSize(4);

            strata.engine.undeploy(id, "alice");
            Deployment deleted = settle(strata.engine, id, EnumSet.of(DeploymentState.DELETED), PATIENCE);
            assertThat(deleted.members()).extracting(DeploymentMember::state).containsOnly(MemberState.DELETED);
            assertThat(ec2.live()).isEmpty();
            assertThat(strata.placement.allocations()).isEmpty();
            assertThat(strata.engine.history(id).get(strata.engine.history(id).size() - 1).summary()).contains("4 machines deleted")
                    .contains("released");
        }
    }

    @Test
    void anInstanceTerminatedBehindStratasBackIsReplacedWhenTheContractSaysReplace() {
        try (AwsStrata strata = new AwsStrata(data, moto.endpoint(), 16, AwsStrata.SETTINGS)) {
            String id = strata.engine.deploy(strata.reader.read(AwsStrata.contract("train", 2,
                    "sovereignty: {countries: [DE]}\ndeployment: {onMachineLoss: replace}"), "train.yaml"), "alice").deployment().id();
            Deployment ready = settle(strata.engine, id, EnumSet.of(DeploymentState.READY), PATIENCE);
            Instance victim = of(id).get(0);
            String member = Ec2.tag(victim, MachineLabels.MEMBER);
            ec2.terminate(victim);

            Deployment again = settle(strata.engine, id, EnumSet.of(DeploymentState.READY), PATIENCE);
            List<Instance> live = of(id);
            assertThat(live).hasSize(2).noneMatch(i -> i.instanceId().equals(victim.instanceId()));
            DeploymentMember replaced = again.members().stream().filter(m -> m.name().equals(member)).findFirst().orElseThrow();
            assertThat(replaced.machine().machineId()).isNotEqualTo(victim.instanceId());
            assertThat(replaced.operationId()).isNotEqualTo(ready.members().stream().filter(m -> m.name().equals(member)).findFirst()
                    .orElseThrow().operationId());
            assertThat(strata.engine.history(id)).anyMatch(e -> e.summary().contains(victim.instanceId()) && e.summary().contains("replacing"));
        }
    }

    @Test
    void anInstanceTerminatedBehindStratasBackDegradesTheDeploymentByDefault() {
        try (AwsStrata strata = new AwsStrata(data, moto.endpoint(), 16, AwsStrata.SETTINGS)) {
            String id = strata.engine.deploy(strata.reader.read(AwsStrata.contract("train", 2, "sovereignty: {countries: [DE]}"), "train.yaml"),
                    "alice").deployment().id();
            settle(strata.engine, id, EnumSet.of(DeploymentState.READY), PATIENCE);
            Instance victim = of(id).get(0);
            ec2.terminate(victim);

            Deployment degraded = settle(strata.engine, id, EnumSet.of(DeploymentState.DEGRADED), PATIENCE);
            assertThat(degraded.members()).extracting(DeploymentMember::state).containsExactlyInAnyOrder(MemberState.LOST, MemberState.RUNNING);
            assertThat(of(id)).hasSize(1);
            // nothing is made for the lost member: a pass later there is still one instance
            strata.engine.reconcileNow();
            strata.engine.awaitIdle(Duration.ofSeconds(30));
            assertThat(of(id)).hasSize(1);
        }
    }

    @Test
    void sovereigntyExcludingUsOperatorsIsRefusedOnAwsWithTheEvidenceAndGermanyAloneLandsInFrankfurt() {
        try (AwsStrata strata = new AwsStrata(data, moto.endpoint(), 16, AwsStrata.SETTINGS)) {
            DeploymentResult refused = strata.engine.deploy(strata.reader.read(AwsStrata.contract("eu-only", 1,
                    "sovereignty: {countries: [DE], excludeOperatorJurisdictions: [US]}"), "eu-only.yaml"), "alice");
            assertThat(refused.decision().placed()).isFalse();
            assertThat(refused.deployment()).isNull();
            assertThat(refused.decision().rejections().toString()).contains("operator subject to excluded jurisdiction [US]");
            assertThat(strata.engine.list()).isEmpty();
            assertThat(ec2.live()).isEmpty();

            DeploymentResult de = strata.engine.deploy(strata.reader.read(AwsStrata.contract("de", 1, "sovereignty: {countries: [DE]}"),
                    "de.yaml"), "alice");
            assertThat(de.decision().placed()).isTrue();
            assertThat(de.deployment().members()).extracting(DeploymentMember::siteId).allMatch(s -> s.startsWith("aws:eu-central-1"));
            settle(strata.engine, de.deployment().id(), EnumSet.of(DeploymentState.READY), PATIENCE);
            assertThat(ec2.live()).extracting(i -> i.placement().availabilityZone()).allMatch(z -> z.startsWith("eu-central-1")).hasSize(1);
        }
    }

    @Test
    void anEmulatorAnswering500MakesTheDeploymentWaitWithAClearMessageAndItResumes() throws Exception {
        try (FaultProxy proxy = new FaultProxy(moto.endpoint());
                AwsStrata strata = new AwsStrata(data, proxy.endpoint(), 16, AwsStrata.SETTINGS)) {
            strata.inventory.refresh(Duration.ofSeconds(30));
            proxy.fail500 = true;
            String id = strata.engine.deploy(strata.reader.read(AwsStrata.contract("train", 2, "sovereignty: {countries: [DE]}"), "train.yaml"),
                    "alice").deployment().id();
            Deployment waiting = waitForMessage(strata.engine, id, "waiting for provider aws");
            assertThat(waiting.state()).isEqualTo(DeploymentState.PROVISIONING);
            assertThat(waiting.message()).contains("InternalError").contains("HTTP 500");
            assertThat(waiting.members()).extracting(DeploymentMember::state).doesNotContain(MemberState.FAILED);
            // the rest of Strata answers: placement decides, the store lists
            assertThat(strata.engine.plan(strata.reader.read(AwsStrata.contract("other", 1, ""), "other.yaml")).decision().placed()).isTrue();
            assertThat(strata.engine.list()).hasSize(1);
            assertThat(proxy.injected.get()).isPositive();

            proxy.fail500 = false;
            settle(strata.engine, id, EnumSet.of(DeploymentState.READY), PATIENCE);
            assertThat(of(id)).hasSize(2);
        }
    }

    @Test
    void anEmulatorThatIsDownMakesTheDeploymentWaitAndItResumesWhenTheEmulatorIsBack() {
        try (Moto own = Moto.start(); Ec2 ownEc2 = new Ec2(own.endpoint());
                AwsStrata strata = new AwsStrata(data, own.endpoint(), 16, AwsStrata.SETTINGS)) {
            strata.inventory.refresh(Duration.ofSeconds(30));
            own.stop();
            String id = strata.engine.deploy(strata.reader.read(AwsStrata.contract("train", 2, "sovereignty: {countries: [DE]}"), "train.yaml"),
                    "alice").deployment().id();
            Deployment waiting = waitForMessage(strata.engine, id, "waiting for provider aws");
            assertThat(waiting.state()).isEqualTo(DeploymentState.PROVISIONING);
            assertThat(waiting.message()).contains("could not be reached");

            own.startAgain();
            settle(strata.engine, id, EnumSet.of(DeploymentState.READY), PATIENCE);
            assertThat(ownEc2.live().stream().filter(i -> id.equals(Ec2.tag(i, MachineLabels.DEPLOYMENT)))).hasSize(2);
        }
    }

    private static Deployment waitForMessage(DeploymentEngine engine, String id, String text) {
        Instant deadline = Instant.now().plus(PATIENCE);
        while (true) {
            engine.reconcileNow();
            engine.awaitIdle(Duration.ofSeconds(60));
            Deployment d = engine.get(id).orElseThrow();
            if (d.message() != null && d.message().contains(text)) {
                return d;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("deployment " + id + " never said '" + text + "': " + d.state() + " " + d.message() + " " + d.members());
            }
            Moto.sleep(100);
        }
    }
}
