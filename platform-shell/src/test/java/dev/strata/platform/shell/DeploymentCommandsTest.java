package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.ContractReader;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.contract.OnMachineLoss;
import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentEvent;
import dev.strata.platform.api.deployment.DeploymentMember;
import dev.strata.platform.api.deployment.DeploymentResult;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.Deployments;
import dev.strata.platform.api.deployment.MemberState;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deployment commands call the deployment service and format what it returns (the service is tested in platform-core). */
class DeploymentCommandsTest {

    static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

    /** Records what the commands asked, returns fixed answers. */
    static class RecordingDeployments implements Deployments {
        final List<String> calls = new ArrayList<>();
        Deployment deployment = deployment(DeploymentState.READY, MemberState.RUNNING);
        Deployment awaited = deployment(DeploymentState.DELETED, MemberState.DELETED);
        /** False: the contract fits on no node, and neither a deploy nor a plan places it. */
        boolean fits = true;
        /** Why a contract that does not fit was not placed. */
        String why = "not placed: member trainer-0 fits on no node";
        /** True: the wait is interrupted (Ctrl-C): it returns {@link #awaited} with the thread's interrupt status set, as the engine's does. */
        boolean interruptedWhileWaiting;

        @Override
        public DeploymentResult deploy(Contract contract, String actor) {
            calls.add("deploy " + contract.name() + " by " + actor);
            if (!fits) {
                return new DeploymentResult(notPlaced(false, why), false, List.of(), null);
            }
            Deployment d = deployment(DeploymentState.REQUESTED, MemberState.REQUESTED);
            return new DeploymentResult(decision(false), false, d.members(), d);
        }

        @Override
        public DeploymentResult plan(Contract contract) {
            calls.add("plan " + contract.name());
            if (!fits) {
                return new DeploymentResult(notPlaced(true, why), true, List.of(), null);
            }
            return new DeploymentResult(decision(true), true, deployment.members(), null);
        }

        @Override
        public List<Deployment> list() {
            return List.of(deployment, awaited.id().equals(deployment.id()) ? deployment : awaited);
        }

        @Override
        public Optional<Deployment> get(String id) {
            return id.equals(deployment.id()) ? Optional.of(deployment) : Optional.empty();
        }

        @Override
        public List<DeploymentEvent> history(String id) {
            return List.of(new DeploymentEvent(7, T, "deployment", "alice", "deployment d-000001 of contract llm requested by alice: 2 members"),
                    new DeploymentEvent(9, T.plusSeconds(3), "provisioning", "system", "trainer-0: provider aws made i-0abc (running), operation op-1"));
        }

        @Override
        public Deployment undeploy(String id, String actor) {
            calls.add("undeploy " + id + " by " + actor);
            get(id).orElseThrow(() -> new NotFoundException("no deployment '" + id + "'"));
            return deployment(DeploymentState.DELETING, MemberState.DELETING);
        }

        @Override
        public Deployment await(String id, Set<DeploymentState> states, Duration timeout) {
            calls.add("await " + id + " " + new java.util.TreeSet<>(states) + " " + timeout);
            if (interruptedWhileWaiting) {
                Thread.currentThread().interrupt();
            }
            return awaited;
        }
    }

    static Deployment deployment(DeploymentState state, MemberState members) {
        List<DeploymentMember> list = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            boolean made = members == MemberState.RUNNING || members == MemberState.DELETING;
            list.add(new DeploymentMember("trainer-" + i, MachineTarget.offer("aws:eu-central-1a:p5.48xlarge"), "aws", "aws:eu-central-1a",
                    Map.of("image", "ami-0abc"), members, made ? new MachineHandle("aws", "i-000" + i, Map.of("region", "eu-central-1")) : null,
                    made ? "aws:i-000" + i : null, made ? "op-" + i : null, null, T));
        }
        return new Deployment("d-000001", "llm", "bank", "a-000004", state, state == DeploymentState.DELETED ? "allocation a-000004 released"
                : null, OnMachineLoss.REPLACE, T, T, 3, list);
    }

    static PlacementDecision decision(boolean dryRun) {
        List<MemberBinding> bindings = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            bindings.add(new MemberBinding("trainer-" + i, "aws:eu-central-1a:p5.48xlarge", "aws:eu-central-1a", List.of(), 1, null, -1, null,
                    192000, 2048L << 30, 0, null));
        }
        return new PlacementDecision("llm", "bank", true, dryRun, dryRun ? null : "a-000004", bindings, List.of(), List.of(),
                "placed 2 members", 5, 1, 3, Duration.ofMillis(1));
    }

    static PlacementDecision notPlaced(boolean dryRun) {
        return notPlaced(dryRun, "not placed: member trainer-0 fits on no node");
    }

    static PlacementDecision notPlaced(boolean dryRun, String summary) {
        return new PlacementDecision("llm", "bank", false, dryRun, null, List.of(), List.of(), List.of(), summary, 5, 1, 3, Duration.ofMillis(1));
    }

    static final Contract LLM = new Contract("llm", "bank", 0, List.of(new dev.strata.platform.api.contract.Member("trainer", 1000, 0,
            dev.strata.platform.api.contract.GpuRequest.NONE, dev.strata.platform.api.contract.TopologyRequest.ANY, 0)),
            dev.strata.platform.api.contract.FabricRequest.ANY, dev.strata.platform.api.contract.Sovereignty.ANY, Isolation.SHARED);

    /** Returns the contract above whatever it is given. */
    static final ContractReader READER = new ContractReader() {
        @Override
        public Contract read(String text, String source) {
            return LLM;
        }

        @Override
        public Contract read(Path file) {
            return LLM;
        }

        @Override
        public Contract read(java.io.InputStream in, String source) {
            return LLM;
        }
    };

    @Test
    void deployPlacesStoresAndListsEachMemberWithItsProviderAndTheShellUser(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("llm.yaml"), "name: llm\n");
        RecordingDeployments service = new RecordingDeployments();
        DeployCommand command = new DeployCommand();
        command.deployments = service;
        command.reader = READER;
        command.file = file.toString();
        command.noFormat = true;
        String out = CommandOutput.of(command::execute);
        assertThat(service.calls).containsExactly("deploy llm by shell");
        assertThat(out).startsWith("Contract llm of tenant bank: placed as a-000004");
        assertThat(out).contains("Deployment d-000001 of llm: requested, allocation a-000004; 'strata:deployment d-000001' shows its progress");
        assertThat(out.lines()).contains("trainer-0\toffer aws:eu-central-1a:p5.48xlarge\taws\taws:eu-central-1a\timage=ami-0abc\t-");
    }

    @Test
    void aDryRunPlansAndWaitsForNothing(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("llm.yaml"), "name: llm\n");
        RecordingDeployments service = new RecordingDeployments();
        DeployCommand command = new DeployCommand();
        command.deployments = service;
        command.reader = READER;
        command.file = file.toString();
        command.dryRun = true;
        command.await = true;
        String out = CommandOutput.of(command::execute);
        assertThat(service.calls).containsExactly("plan llm");
        assertThat(out).contains("Plan (dry run: nothing stored, nothing provisioned)");
    }

    /**
     * README, "The shell": a command run from the system shell returns 1 when it failed, so that
     * scripts can use it. {@code strata:deploy --wait} that saw its deployment end failed printed
     * so and returned normally: {@code bin/strata shell strata:deploy --wait -f x.yaml && start-job}
     * went on to the job with no machines.
     */
    @Test
    void deployWithWaitFailsTheCommandWhenTheDeploymentEndsFailed(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("llm.yaml"), "name: llm\n");
        RecordingDeployments service = new RecordingDeployments();
        Deployment failed = deployment(DeploymentState.FAILED, MemberState.FAILED);
        service.awaited = new Deployment(failed.id(), failed.contract(), failed.tenant(), failed.allocationId(), DeploymentState.FAILED,
                "trainer-0: provider aws refused: InsufficientInstanceCapacity", failed.onMachineLoss(), T, T, 4, failed.members());
        DeployCommand command = new DeployCommand();
        command.deployments = service;
        command.reader = READER;
        command.file = file.toString();
        command.await = true;
        command.noFormat = true;

        CommandOutput.Failure result = CommandOutput.ofFailing(command::execute);
        assertThat(result.output()).as("what the deployment came to is still printed")
                .contains("Deployment d-000001: failed (0 of 2 machines running): trainer-0: provider aws refused: InsufficientInstanceCapacity");
        assertThat(result.thrown()).as("strata:deploy --wait of a deployment that ends failed must fail (exit status 1)")
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("deployment d-000001 of llm failed: trainer-0: provider aws refused: InsufficientInstanceCapacity");
    }

    /**
     * A deploy whose contract does not fit deploys nothing, as one refused for a provider being
     * replaced does (which fails the command): it fails too, after the reasons, instead of
     * exiting 0 as if the machines were on their way. A dry run that does not fit answers the
     * question it was asked, as strata:place --dry-run does, and succeeds.
     */
    @Test
    void aDeployThatIsNotPlacedFailsTheCommand(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("llm.yaml"), "name: llm\n");
        RecordingDeployments service = new RecordingDeployments();
        service.fits = false;
        DeployCommand command = new DeployCommand();
        command.deployments = service;
        command.reader = READER;
        command.file = file.toString();
        command.await = true;

        CommandOutput.Failure result = CommandOutput.ofFailing(command::execute);
        assertThat(result.output()).startsWith("Contract llm of tenant bank: not placed\nnot placed: member trainer-0 fits on no node\n");
        assertThat(result.thrown()).as("strata:deploy of a contract that does not fit must fail (exit status 1)")
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("contract llm of tenant bank was not deployed: not placed: member trainer-0 fits on no node");
        assertThat(service.calls).containsExactly("deploy llm by shell");

        command.dryRun = true;
        assertThat(CommandOutput.of(command::execute)).startsWith("Contract llm of tenant bank: not placed\n");
    }

    /**
     * The reason a contract was not placed can quote text from outside the contract (a quota in the
     * state store edited by hand, say). The summary was printed made visible, but the error that fails
     * strata:place and strata:deploy repeated it as it was, and Karaf prints an error's message to the
     * terminal as it is: an escape sequence there was run by the operator's terminal.
     */
    @Test
    void theErrorOfAContractNotPlacedSendsNoEscapeSequenceToTheTerminal(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("llm.yaml"), "name: llm\n");
        String why = "not placed: tenant bank's quota in the state store cannot be read: its attribute quota.gpuMilli = '\u001b]0;owned\u0007'";
        String shown = "not placed: tenant bank's quota in the state store cannot be read: its attribute quota.gpuMilli = '\\x1b]0;owned\\x07'";
        RecordingPlacement placement = new RecordingPlacement();
        placement.decide = (contract, dryRun) -> notPlaced(dryRun, why);
        PlaceCommand place = new PlaceCommand();
        place.reader = READER;
        place.file = file.toString();
        place.placement = placement;
        assertThat(CommandOutput.ofFailing(place::execute).thrown()).hasMessage("contract llm of tenant bank was not placed: " + shown);

        RecordingDeployments service = new RecordingDeployments();
        service.fits = false;
        service.why = why;
        DeployCommand deploy = new DeployCommand();
        deploy.deployments = service;
        deploy.reader = READER;
        deploy.file = file.toString();
        assertThat(CommandOutput.ofFailing(deploy::execute).thrown()).hasMessage("contract llm of tenant bank was not deployed: " + shown);
    }

    /**
     * strata:place of a contract that does not fit reserves nothing and fails after the reasons, as
     * strata:deploy does; it exited 0, so a script went on as if it held the capacity. A dry run
     * that does not fit answers its question and succeeds, and a placement succeeds.
     */
    @Test
    void aPlaceThatIsNotPlacedFailsTheCommand(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("llm.yaml"), "name: llm\n");
        java.util.concurrent.atomic.AtomicBoolean fits = new java.util.concurrent.atomic.AtomicBoolean();
        RecordingPlacement placement = new RecordingPlacement();
        placement.decide = (contract, dryRun) -> fits.get() ? decision(dryRun) : notPlaced(dryRun);
        PlaceCommand command = new PlaceCommand();
        command.reader = READER;
        command.file = file.toString();
        command.placement = placement;

        CommandOutput.Failure result = CommandOutput.ofFailing(command::execute);
        assertThat(result.output()).startsWith("Contract llm of tenant bank: not placed\nnot placed: member trainer-0 fits on no node\n");
        assertThat(result.thrown()).as("strata:place of a contract that does not fit must fail (exit status 1)")
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("contract llm of tenant bank was not placed: not placed: member trainer-0 fits on no node");

        command.dryRun = true;
        assertThat(CommandOutput.of(command::execute)).startsWith("Contract llm of tenant bank: not placed\n");
        fits.set(true);
        command.dryRun = false;
        assertThat(CommandOutput.of(command::execute)).startsWith("Contract llm of tenant bank: placed as a-000004\n");
        assertThat(placement.calls).containsExactly("place llm", "place llm dry-run", "place llm");
    }

    /** {@code --wait} that runs out of time has not seen the deployment ready: the command fails, saying it goes on. */
    @Test
    void deployWithWaitFailsTheCommandWhenTheWaitEndsFirst(@TempDir Path dir) throws Exception {
        DeployCommand command = deployStillProvisioningWhenTheWaitEnds(dir, "2m");
        command.noFormat = true;

        CommandOutput.Failure result = CommandOutput.ofFailing(command::execute);
        assertThat(result.output()).contains("Deployment d-000001: provisioning (0 of 2 machines running)");
        assertThat(result.thrown()).isInstanceOf(IllegalStateException.class)
                .hasMessage("deployment d-000001 of llm is still provisioning after 2m; it goes on in the background "
                        + "('strata:deployment d-000001' shows its progress)");
    }

    /** A deployment that ends ready or degraded (its machines run, some lost) is what --wait waits for: exit status 0. */
    @Test
    void deployWithWaitSucceedsWhenTheDeploymentIsReadyOrDegraded(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("llm.yaml"), "name: llm\n");
        for (DeploymentState state : List.of(DeploymentState.READY, DeploymentState.DEGRADED)) {
            RecordingDeployments service = new RecordingDeployments();
            service.awaited = deployment(state, MemberState.RUNNING);
            DeployCommand command = new DeployCommand();
            command.deployments = service;
            command.reader = READER;
            command.file = file.toString();
            command.await = true;
            command.noFormat = true;
            assertThat(CommandOutput.of(command::execute)).contains("Deployment d-000001: " + DeployCommand.state(state) + " (2 of 2 machines running)");
        }
    }

    /**
     * A {@code --timeout} is parsed with the blanks around it, a carriage return or a vertical tab
     * among them, and was quoted as typed in the line and the error of a wait that ran out: a
     * carriage return sent to the terminal overwrote the line. It is now shown escaped, as every
     * value typed.
     */
    @Test
    void aTimeoutQuotedWhenTheWaitEndsIsShownEscaped(@TempDir Path dir) throws Exception {
        DeployCommand deploy = deployStillProvisioningWhenTheWaitEnds(dir, "2m\r\u000b");
        CommandOutput.Failure result = CommandOutput.ofFailing(deploy::execute);
        assertThat(result.output()).doesNotContain("\r", "\u000b").contains("Still provisioning after 2m\\x0d\\x0b; it goes on");
        assertThat(result.thrown()).hasMessageContaining("is still provisioning after 2m\\x0d\\x0b; it goes on")
                .message().doesNotContain("\r", "\u000b");

        UndeployCommand undeploy = undeployStillDeletingWhenTheWaitEnds("2m\r");
        result = CommandOutput.ofFailing(undeploy::execute);
        assertThat(result.output()).doesNotContain("\r").contains("still deleting after 2m\\x0d (waiting");
        assertThat(result.thrown()).hasMessage("deployment d-000001 is still deleting after 2m\\x0d; it goes on in the background");
    }

    /**
     * The error of a wait that ran out names the deployment and its contract, whose name is the
     * contract file's and may hold an escape sequence (the id is the store's): Karaf prints the
     * error's message to the terminal as it is, and the two were not escaped there, while the line
     * printed above them was.
     */
    @Test
    void theErrorOfAWaitThatRanOutSendsNoEscapeSequenceToTheTerminal(@TempDir Path dir) throws Exception {
        DeployCommand deploy = deployStillProvisioningWhenTheWaitEnds(dir, "2m");
        RecordingDeployments service = (RecordingDeployments) deploy.deployments;
        service.awaited = renamed(service.awaited, "d-\u001b[2J1", "llm\u001b]0;owned\u0007\u202e");
        CommandOutput.Failure result = CommandOutput.ofFailing(deploy::execute);
        assertThat(result.thrown()).hasMessage("deployment d-\\x1b[2J1 of llm\\x1b]0;owned\\x07\\u202e is still provisioning after 2m; it goes on "
                + "in the background ('strata:deployment d-\\x1b[2J1' shows its progress)");

        UndeployCommand undeploy = undeployStillDeletingWhenTheWaitEnds("2m");
        service = (RecordingDeployments) undeploy.deployments;
        service.awaited = renamed(service.awaited, "d-\u001b[2J1", "llm");
        result = CommandOutput.ofFailing(undeploy::execute);
        assertThat(result.thrown()).hasMessage("deployment d-\\x1b[2J1 is still deleting after 2m; it goes on in the background");
    }

    /**
     * Ctrl-C interrupts the command's thread, and the deployment service's wait then returns the
     * deployment as it is, the interrupt status kept. The command said the deployment was still
     * provisioning (or deleting) "after 10m", the whole --timeout, of a wait cut short after seconds;
     * it says the wait was interrupted, and keeps the interrupt status for Karaf.
     */
    @Test
    void aWaitInterruptedIsNotSaidToHaveRunItsTimeout(@TempDir Path dir) throws Exception {
        DeployCommand deploy = deployStillProvisioningWhenTheWaitEnds(dir, "10m");
        ((RecordingDeployments) deploy.deployments).interruptedWhileWaiting = true;
        CommandOutput.Failure result = CommandOutput.ofFailing(deploy::execute);
        assertThat(Thread.interrupted()).as("the interrupt status is kept").isTrue();
        assertThat(result.output()).contains("Still provisioning when the wait was interrupted; it goes on in the background")
                .doesNotContain("after 10m");
        assertThat(result.thrown()).hasMessage("deployment d-000001 of llm is still provisioning when the wait was interrupted; it goes on "
                + "in the background ('strata:deployment d-000001' shows its progress)");

        UndeployCommand undeploy = undeployStillDeletingWhenTheWaitEnds("10m");
        ((RecordingDeployments) undeploy.deployments).interruptedWhileWaiting = true;
        result = CommandOutput.ofFailing(undeploy::execute);
        assertThat(Thread.interrupted()).as("the interrupt status is kept").isTrue();
        assertThat(result.output()).contains("Deployment d-000001 still deleting when the wait was interrupted (waiting for its providers); "
                + "it goes on in the background").doesNotContain("after 10m");
        assertThat(result.thrown()).hasMessage("deployment d-000001 is still deleting when the wait was interrupted; it goes on in the "
                + "background");
    }

    /** {@code d} with another id and contract name. */
    private static Deployment renamed(Deployment d, String id, String contract) {
        return new Deployment(id, contract, d.tenant(), d.allocationId(), d.state(), d.message(), d.onMachineLoss(), d.createdAt(),
                d.updatedAt(), d.version(), d.members());
    }

    /** {@code strata:undeploy --wait} that runs out of time before the deployment is deleted fails as well. */
    @Test
    void undeployWithWaitFailsTheCommandWhenTheWaitEndsFirst() {
        UndeployCommand command = undeployStillDeletingWhenTheWaitEnds("2m");

        CommandOutput.Failure result = CommandOutput.ofFailing(command::execute);
        assertThat(result.output()).contains("Deployment d-000001 still deleting after 2m (waiting for its providers); it goes on in the background");
        assertThat(result.thrown()).isInstanceOf(IllegalStateException.class)
                .hasMessage("deployment d-000001 is still deleting after 2m; it goes on in the background");
    }

    /** strata:deploy --wait --timeout {@code timeout} of llm, whose deployment is still provisioning when the wait ends. */
    private static DeployCommand deployStillProvisioningWhenTheWaitEnds(Path dir, String timeout) throws IOException {
        Path file = Files.writeString(dir.resolve("llm.yaml"), "name: llm\n");
        RecordingDeployments service = new RecordingDeployments();
        service.awaited = deployment(DeploymentState.PROVISIONING, MemberState.PENDING);
        DeployCommand command = new DeployCommand();
        command.deployments = service;
        command.reader = READER;
        command.file = file.toString();
        command.await = true;
        command.timeout = timeout;
        return command;
    }

    /** strata:undeploy --wait --timeout {@code timeout} of d-000001, still deleting when the wait ends. */
    private static UndeployCommand undeployStillDeletingWhenTheWaitEnds(String timeout) {
        RecordingDeployments service = new RecordingDeployments();
        service.awaited = deployment(DeploymentState.DELETING, MemberState.DELETING);
        UndeployCommand command = new UndeployCommand();
        command.deployments = service;
        command.id = "d-000001";
        command.await = true;
        command.timeout = timeout;
        return command;
    }

    @Test
    void deploymentsListsStateRunningMachinesAndHidesDeletedOnesUnlessAsked() throws Exception {
        RecordingDeployments service = new RecordingDeployments();
        service.awaited = new Deployment("d-000002", "old", "bank", "a-000001", DeploymentState.DELETED, "allocation a-000001 released",
                OnMachineLoss.DEGRADE, T, T, 9, List.of());
        DeploymentsCommand command = new DeploymentsCommand();
        command.deployments = service;
        command.noFormat = true;
        String out = CommandOutput.of(command::execute);
        assertThat(out.lines()).hasSize(1);
        assertThat(out.lines().findFirst().orElseThrow()).startsWith("d-000001\tllm\tbank\tready\t2/2\ta-000004\t");
        command.all = true;
        assertThat(CommandOutput.of(command::execute).lines()).hasSize(2).anyMatch(l -> l.startsWith("d-000002\told\tbank\tdeleted\t0/0\t"));
    }

    @Test
    void deploymentShowsMembersMachinesHandlesAndHistory() throws Exception {
        DeploymentCommand command = new DeploymentCommand();
        command.deployments = new RecordingDeployments();
        command.id = "d-000001";
        command.noFormat = true;
        String out = CommandOutput.of(command::execute);
        assertThat(out).startsWith("Deployment d-000001 of contract llm, tenant bank: ready\n"
                + "Allocation a-000004; 2 of 2 machines running; a lost machine is replaced\n");
        assertThat(out.lines()).contains("trainer-1\trunning\toffer aws:eu-central-1a:p5.48xlarge\taws\ti-0001\taws:i-0001\top-1\t-",
                "9\t2026-12-01T10:00:03Z\tprovisioning\tsystem\ttrainer-0: provider aws made i-0abc (running), operation op-1");
    }

    /** A deployment of one machine said "1 of 1 machines running" (and "0 of 1 machines"); a count of one is now singular. */
    @Test
    void aDeploymentOfOneMachineCountsItInTheSingular(@TempDir Path dir) throws Exception {
        Deployment two = deployment(DeploymentState.READY, MemberState.RUNNING);
        Deployment one = new Deployment(two.id(), two.contract(), two.tenant(), two.allocationId(), two.state(), null, two.onMachineLoss(),
                T, T, 3, two.members().subList(0, 1));
        RecordingDeployments service = new RecordingDeployments();
        service.deployment = one;
        service.awaited = one;
        DeploymentCommand shown = new DeploymentCommand();
        shown.deployments = service;
        shown.id = "d-000001";
        assertThat(CommandOutput.of(shown::execute)).contains("Allocation a-000004; 1 of 1 machine running; a lost machine is replaced\n");

        Path file = Files.writeString(dir.resolve("llm.yaml"), "name: llm\n");
        DeployCommand deploy = new DeployCommand();
        deploy.deployments = service;
        deploy.reader = READER;
        deploy.file = file.toString();
        deploy.await = true;
        deploy.noFormat = true;
        assertThat(CommandOutput.of(deploy::execute)).contains("Deployment d-000001: ready (1 of 1 machine running)");
    }

    /**
     * The allocation id {@code strata:deployment} shows comes from the store, shared by every
     * instance and open to edits, as the deployment's other fields; it was printed as it is, so
     * an id holding an escape sequence or a bidi override acted on the operator's terminal.
     */
    @Test
    void theAllocationOfADeploymentIsShownEscaped() throws Exception {
        Deployment d = deployment(DeploymentState.READY, MemberState.RUNNING);
        RecordingDeployments service = new RecordingDeployments();
        service.deployment = new Deployment(d.id(), d.contract(), d.tenant(), "a-\u001b[2J4\u202e", d.state(), null, d.onMachineLoss(),
                T, T, 3, d.members());
        DeploymentCommand command = new DeploymentCommand();
        command.deployments = service;
        command.id = "d-000001";
        command.noFormat = true;
        String out = CommandOutput.of(command::execute);
        assertThat(out).contains("Allocation a-\\x1b[2J4\\u202e; 2 of 2 machines running").doesNotContain("\u001b").doesNotContain("\u202e");
    }

    @Test
    void anUnknownDeploymentIsNamed() {
        DeploymentCommand command = new DeploymentCommand();
        command.deployments = new RecordingDeployments();
        command.id = "d-999";
        assertThatThrownBy(command::execute).isInstanceOf(NotFoundException.class).hasMessageStartingWith("no deployment 'd-999'");
    }

    /**
     * Undeploying a deployment that was deleted before changes nothing, and the service answers it
     * as it is (DELETED); the command said "its 2 machines are being deleted", as if machines were
     * still there to delete. It says the deployment was already deleted, and waits for nothing.
     */
    @Test
    void undeployOfADeletedDeploymentSaysItWasAlreadyDeleted() throws Exception {
        RecordingDeployments service = new RecordingDeployments() {
            @Override
            public Deployment undeploy(String id, String actor) {
                calls.add("undeploy " + id + " by " + actor);
                return deployment(DeploymentState.DELETED, MemberState.DELETED);
            }
        };
        UndeployCommand command = new UndeployCommand();
        command.deployments = service;
        command.id = "d-000001";
        command.await = true;

        assertThat(CommandOutput.of(command::execute)).isEqualTo("Deployment d-000001 of llm: already deleted; its machines were "
                + "deleted and its allocation released" + System.lineSeparator());
        assertThat(service.calls).containsExactly("undeploy d-000001 by shell");
    }

    /**
     * strata:undeploy counts the machines it deletes: those on record, and one whose create is
     * under way, not a member that never got one (not asked for yet, or refused by its provider).
     * It counted every member: a deployment with one machine of three members said "its 3 machines
     * are being deleted", and one machine read "1 machines".
     */
    @Test
    void undeployCountsTheMachinesItDeletesNotTheMembers() throws Exception {
        Deployment[] answer = new Deployment[1];
        RecordingDeployments service = new RecordingDeployments() {
            @Override
            public Deployment undeploy(String id, String actor) {
                calls.add("undeploy " + id + " by " + actor);
                return answer[0];
            }
        };
        UndeployCommand command = new UndeployCommand();
        command.deployments = service;
        command.id = "d-000001";

        Deployment running = deployment(DeploymentState.DELETING, MemberState.RUNNING);
        DeploymentMember made = running.members().get(0);
        DeploymentMember requested = member("trainer-1", MemberState.REQUESTED);
        DeploymentMember refused = member("trainer-2", MemberState.FAILED);
        answer[0] = withMembers(running, List.of(made, requested, refused));
        assertThat(CommandOutput.of(command::execute)).isEqualTo("Deployment d-000001 of llm: deleting; its 1 machine is being deleted\n");

        answer[0] = withMembers(running, List.of(made, member("trainer-1", MemberState.CREATING), refused));
        assertThat(CommandOutput.of(command::execute)).isEqualTo("Deployment d-000001 of llm: deleting; its 2 machines are being deleted\n");

        answer[0] = withMembers(running, List.of(requested, refused));
        assertThat(CommandOutput.of(command::execute)).isEqualTo("Deployment d-000001 of llm: deleting; it has no machine to delete\n");
    }

    /** A member in {@code state} without a machine on record. */
    private static DeploymentMember member(String name, MemberState state) {
        return new DeploymentMember(name, MachineTarget.offer("aws:eu-central-1a:p5.48xlarge"), "aws", "aws:eu-central-1a", Map.of(), state,
                null, null, null, state == MemberState.FAILED ? "capacity refused" : null, T);
    }

    private static Deployment withMembers(Deployment d, List<DeploymentMember> members) {
        return new Deployment(d.id(), d.contract(), d.tenant(), d.allocationId(), d.state(), d.message(), d.onMachineLoss(), d.createdAt(),
                d.updatedAt(), d.version(), members);
    }

    @Test
    void undeployWithWaitWaitsForDeleted() throws Exception {
        RecordingDeployments service = new RecordingDeployments();
        UndeployCommand command = new UndeployCommand();
        command.deployments = service;
        command.id = "d-000001";
        command.await = true;
        command.timeout = "2m";
        String out = CommandOutput.of(command::execute);
        assertThat(service.calls).containsExactly("undeploy d-000001 by shell", "await d-000001 [DELETED] PT2M");
        assertThat(out).isEqualTo("Deployment d-000001 of llm: deleting; its 2 machines are being deleted\n"
                + "Deployment d-000001 deleted: allocation a-000004 released\n");
        // the count in ASCII digits whatever the JVM's locale (an Arabic one wrote it in its own)
        assertThat(CommandOutput.inLocale("ar-EG", command::execute)).isEqualTo(out);
    }

    /**
     * {@code --timeout} says how long {@code --wait} waits; given alone it was ignored and the
     * command returned at once, while the operator meant to wait. Refused now, before the contract
     * is deployed or the deployment undeployed. {@code --wait} alone waits the default 10 minutes.
     */
    @Test
    void aTimeoutWithoutWaitIsRefusedBeforeAnythingChanges(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("llm.yaml"), "name: llm\n");
        RecordingDeployments service = new RecordingDeployments();
        DeployCommand deploy = new DeployCommand();
        deploy.deployments = service;
        deploy.reader = READER;
        deploy.file = file.toString();
        deploy.timeout = "30m";
        assertThatThrownBy(deploy::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--timeout 30m is how long --wait waits, and --wait is not given; add --wait to wait for the outcome, "
                        + "or leave --timeout out");

        UndeployCommand undeploy = new UndeployCommand();
        undeploy.deployments = service;
        undeploy.id = "d-000001";
        undeploy.timeout = "30m";
        assertThatThrownBy(undeploy::execute).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--timeout 30m is how long");
        assertThat(service.calls).isEmpty();

        undeploy.timeout = null;
        undeploy.await = true;
        CommandOutput.of(undeploy::execute);
        assertThat(service.calls).containsExactly("undeploy d-000001 by shell", "await d-000001 [DELETED] PT10M");
    }

    @Test
    void withoutTheServiceTheCommandSaysSo() {
        DeploymentsCommand command = new DeploymentsCommand();
        assertThatThrownBy(command::execute).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("the Strata deployment service is not running");
    }

    /** The ids Tab offers after {@code command}'s deployment id, from {@code service}, through the completer the argument names. */
    static List<String> idCandidates(Class<?> command, Deployments service) throws Exception {
        Class<?> type = command.getDeclaredField("id").getAnnotation(org.apache.karaf.shell.api.action.Completion.class).value();
        org.apache.karaf.shell.api.console.Completer completer = (org.apache.karaf.shell.api.console.Completer) type
                .getDeclaredConstructor().newInstance();
        type.getDeclaredField("deployments").set(completer, service);
        List<org.apache.karaf.shell.api.console.Candidate> candidates = new ArrayList<>();
        completer.completeCandidates(null, CommandsTest.line(""), candidates);
        return candidates.stream().map(org.apache.karaf.shell.api.console.Candidate::value).toList();
    }

    /**
     * Tab after strata:undeploy offered every deployment the service keeps, every one ever deleted among them (undeploying
     * one changes nothing), so the few still running were lost in a list that only grows; it offers those not deleted.
     * strata:deployment, which shows a deleted one's history, still offers them all.
     */
    @Test
    void undeployCompletesOnlyDeploymentsNotDeleted() throws Exception {
        RecordingDeployments service = new RecordingDeployments();
        Deployment deleted = deployment(DeploymentState.DELETED, MemberState.DELETED);
        service.awaited = new Deployment("d-000002", deleted.contract(), deleted.tenant(), "a-000005", deleted.state(), deleted.message(),
                deleted.onMachineLoss(), deleted.createdAt(), deleted.updatedAt(), deleted.version(), deleted.members());
        assertThat(service.list()).extracting(Deployment::id).containsExactly("d-000001", "d-000002");
        assertThat(idCandidates(UndeployCommand.class, service)).containsExactly("d-000001");
        assertThat(idCandidates(DeploymentCommand.class, service)).containsExactly("d-000001", "d-000002");
    }
}
