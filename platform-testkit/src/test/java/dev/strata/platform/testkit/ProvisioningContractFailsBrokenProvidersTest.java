package dev.strata.platform.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.platform.api.provisioning.ProvisioningProvider;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The provisioning contract must fail a provider that breaks a promise of provisioning: the
 * contract runs against a small provider of machines kept in memory (standing in for a vendor's
 * side, which the kit cannot reach) with one flaw at a time, and exactly the tests of that
 * promise must fail; without a flaw, all pass.
 */
class ProvisioningContractFailsBrokenProvidersTest {

    enum Flaw { NONE, NOT_IDEMPOTENT, FORGETS_ACROSS_INSTANCES, RACES, FOREIGN_INSTALLATION, OTHER_ALLOCATION, LISTS_WITHOUT_LABELS,
        CONCURRENT_CREATES_FAIL, HANGS, ANSWER_LOST, CREATE_OVERRUNS, FIND_IGNORES_OPERATION,
        DESCRIBE_FORGETS_ACROSS_INSTANCES, NULL_WHEN_BROKEN, CHANGES_IGNORE_DEADLINE, KEYED_BY_MEMBER, DELETE_FORGETS, SECRET_IN_HANDLE,
        READS_NAME_ANOTHER_PROVIDER, RACES_FOR_AN_ALLOCATION }

    /** The password the provider of {@link Flaw#SECRET_IN_HANDLE} is configured with. */
    static final String SECRET = "bmc-p4ssw0rd-0123456789";

    /** Machines as a vendor would keep them, shared by every instance of one test class run. */
    static final Map<String, Map<String, Machine>> VENDORS = new ConcurrentHashMap<>();

    record Machine(String id, Map<String, String> labels, MachineState state) {
    }

    static final class Provider implements ProvisioningProvider {
        private final Flaw flaw;
        private final boolean broken;
        private final Map<String, Machine> vendor;
        private final java.util.concurrent.atomic.AtomicInteger creating = new java.util.concurrent.atomic.AtomicInteger();
        /** The machines this instance made, which the flawed provider's describe alone knows. */
        private final Set<String> made = ConcurrentHashMap.newKeySet();
        /** The machines this instance deleted, which the flawed provider of {@link Flaw#DELETE_FORGETS} only forgets. */
        private final Set<String> forgotten = ConcurrentHashMap.newKeySet();

        Provider(Flaw flaw, boolean broken, String account) {
            this.flaw = flaw;
            this.broken = broken;
            // the flawed provider keeps its own record instead of finding machines on the vendor's side
            this.vendor = flaw == Flaw.FORGETS_ACROSS_INSTANCES ? new ConcurrentHashMap<>()
                    : VENDORS.computeIfAbsent(account, k -> new ConcurrentHashMap<>());
        }

        private void check(DiscoveryContext context) {
            if (flaw == Flaw.HANGS) {
                // a vendor's call that never returns and ignores its interruption (a socket without a read timeout)
                long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < until) {
                    java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10));
                    Thread.interrupted();
                }
            }
            context.checkDeadline("the call");
            if (broken) {
                throw new ProviderUnavailableException("example cloud unreachable: connection refused");
            }
        }

        private MachineStatus status(Machine m) {
            // the flawed provider keeps the password it logs in with in the handle, to log in again from a new instance
            MachineHandle handle = flaw == Flaw.SECRET_IN_HANDLE ? new MachineHandle("example", m.id(), Map.of("password", SECRET))
                    : MachineHandle.of("example", m.id());
            return new MachineStatus(handle, m.state(), null, null, m.labels(), Map.of(), Instant.now());
        }

        /**
         * A machine as describe, find and machines() answer it: the flawed provider of {@link Flaw#READS_NAME_ANOTHER_PROVIDER}
         * builds those handles with the id it had before it was renamed, and create's and delete's with its own.
         */
        private MachineStatus read(MachineStatus status) {
            if (flaw != Flaw.READS_NAME_ANOTHER_PROVIDER) {
                return status;
            }
            return new MachineStatus(new MachineHandle("example-old", status.handle().machineId(), status.handle().attributes()),
                    status.state(), status.message(), status.nodeId(), status.labels(), status.attributes(), status.observedAt());
        }

        /** Whether a machine is the one made for a request: the flawed provider of {@link Flaw#KEYED_BY_MEMBER} goes by deployment and member. */
        private boolean madeFor(Machine m, MachineRequest request) {
            if (flaw == Flaw.KEYED_BY_MEMBER) {
                return request.deploymentId().equals(m.labels().get(MachineLabels.DEPLOYMENT))
                        && request.member().equals(m.labels().get(MachineLabels.MEMBER));
            }
            return request.operationId().equals(m.labels().get("strata:operation"));
        }

        @Override
        public MachineStatus create(MachineRequest request, DiscoveryContext context) {
            if (flaw == Flaw.CREATE_OVERRUNS) {
                // a create that ignores its deadline and its interruption, and makes its machine when it is done
                long until = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(2500);
                while (System.nanoTime() < until) {
                    java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10));
                    Thread.interrupted();
                }
                if (broken) {
                    throw new ProviderUnavailableException("example cloud unreachable: connection refused");
                }
            } else if (flaw != Flaw.CHANGES_IGNORE_DEADLINE) { // the flawed provider checks its deadline on machines() alone
                check(context);
            }
            if (flaw == Flaw.ANSWER_LOST) {
                // the machine is made, and the answer to the create is lost on the way back, every time
                Machine machine = new Machine("i-" + UUID.randomUUID(), request.labels(), MachineState.PENDING);
                vendor.put(machine.id(), machine);
                throw new ProviderUnavailableException("example cloud: the answer to the create was lost");
            }
            if (flaw == Flaw.CONCURRENT_CREATES_FAIL) {
                // a repeated create finds the machine; creates at once each make one, and one that overlapped another fails
                Optional<Machine> made = vendor.values().stream()
                        .filter(m -> request.operationId().equals(m.labels().get("strata:operation")) && m.state() != MachineState.GONE)
                        .findFirst();
                if (made.isPresent()) {
                    return status(made.get());
                }
                creating.incrementAndGet();
                sleep(50);
                Machine machine = new Machine("i-" + UUID.randomUUID(), request.labels(), MachineState.PENDING);
                vendor.put(machine.id(), machine);
                sleep(50);
                boolean overlapped = creating.get() > 1;
                sleep(50);
                creating.decrementAndGet();
                if (overlapped) {
                    throw new ProviderUnavailableException("example cloud: the answer to the create was lost");
                }
                return status(machine);
            }
            if (flaw != Flaw.NOT_IDEMPOTENT) {
                Optional<Machine> made = vendor.values().stream()
                        .filter(m -> madeFor(m, request) && m.state() != MachineState.GONE && !forgotten.contains(m.id()))
                        .findFirst();
                if (made.isPresent()) {
                    return status(made.get());
                }
            }
            // the flawed provider of RACES_FOR_AN_ALLOCATION races only where the request names a ledger allocation, as the core's do
            boolean races = flaw == Flaw.RACES || flaw == Flaw.RACES_FOR_AN_ALLOCATION && request.allocationId() != null;
            if (races) {
                sleep(20); // the check and the creation are not atomic
            }
            Map<String, String> labels = request.labels();
            if (flaw == Flaw.FOREIGN_INSTALLATION) {
                // labels its machines with an installation of its own, not the request's
                labels = new java.util.HashMap<>(labels);
                labels.put(MachineLabels.INSTALLATION, "installation-of-the-provider");
            }
            if (flaw == Flaw.OTHER_ALLOCATION) {
                // labels its machines with another ledger allocation than the request's (placement would count it for another binding)
                labels = new java.util.HashMap<>(labels);
                labels.put(MachineLabels.ALLOCATION, "a-999999");
            }
            Machine machine = new Machine("i-" + UUID.randomUUID(), labels, MachineState.PENDING);
            synchronized (vendor) {
                if (!races && flaw != Flaw.NOT_IDEMPOTENT) { // the flaws that are not about idempotency keep it
                    Optional<Machine> raced = vendor.values().stream()
                            .filter(m -> madeFor(m, request) && m.state() != MachineState.GONE && !forgotten.contains(m.id()))
                            .findFirst();
                    if (raced.isPresent()) {
                        return status(raced.get());
                    }
                }
                vendor.put(machine.id(), machine);
                made.add(machine.id());
            }
            return status(machine);
        }

        @Override
        public MachineStatus describe(MachineHandle handle, DiscoveryContext context) {
            check(context);
            if (flaw == Flaw.DESCRIBE_FORGETS_ACROSS_INSTANCES && !made.contains(handle.machineId()) || forgotten.contains(handle.machineId())) {
                // the flawed provider describes from its own memory, not the vendor's: a machine an earlier instance made is gone to it
                return new MachineStatus(handle, MachineState.GONE, null, null, Map.of(), Map.of(), Instant.now());
            }
            Machine m = vendor.computeIfPresent(handle.machineId(), (id, old) -> old.state() == MachineState.PENDING
                    ? new Machine(id, old.labels(), MachineState.RUNNING) : old.state() == MachineState.DELETING
                    ? new Machine(id, old.labels(), MachineState.GONE) : old);
            return read(m == null ? new MachineStatus(handle, MachineState.GONE, null, null, Map.of(), Map.of(), Instant.now()) : status(m));
        }

        @Override
        public Optional<MachineStatus> find(String operationId, DiscoveryContext context) {
            check(context);
            // the flawed provider returns whatever machine it has, whichever operation made it
            return vendor.values().stream().filter(m -> (flaw == Flaw.FIND_IGNORES_OPERATION || operationId.equals(m.labels().get("strata:operation")))
                    && m.state() != MachineState.GONE && !forgotten.contains(m.id())).findFirst().map(this::status).map(this::read);
        }

        @Override
        public List<MachineStatus> machines(DiscoveryContext context) {
            if (broken && flaw == Flaw.NULL_WHEN_BROKEN) {
                return null; // the flawed provider swallows its source's failure and answers nothing
            }
            check(context);
            // the flawed provider reads its machines back without their tags
            return vendor.values().stream().filter(m -> m.state() != MachineState.GONE && !forgotten.contains(m.id()))
                    .map(m -> flaw == Flaw.LISTS_WITHOUT_LABELS ? new Machine(m.id(), Map.of(), m.state()) : m).map(this::status).map(this::read).toList();
        }

        @Override
        public MachineStatus delete(MachineHandle handle, DiscoveryContext context) {
            if (flaw != Flaw.CHANGES_IGNORE_DEADLINE) {
                check(context);
            }
            if (flaw == Flaw.DELETE_FORGETS) {
                // the flawed provider forgets the machine (a record of its own marked deleted) and leaves it on the vendor's side
                forgotten.add(handle.machineId());
                return new MachineStatus(handle, MachineState.GONE, null, null, Map.of(), Map.of(), Instant.now());
            }
            Machine m = vendor.computeIfPresent(handle.machineId(), (id, old) -> old.state() == MachineState.GONE ? old
                    : new Machine(id, old.labels(), MachineState.DELETING));
            return m == null ? new MachineStatus(handle, MachineState.GONE, null, null, Map.of(), Map.of(), Instant.now()) : status(m);
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    abstract static class FlawedContract extends ProvisioningProviderContract<Provider> {
        private final String account = UUID.randomUUID().toString();

        abstract Flaw flaw();

        /** The vendor account the providers' machines are at: one of the test class's own, unless a test looks at it afterwards. */
        String account() {
            return account;
        }

        @Override
        protected Provider createProvider() {
            return new Provider(flaw(), false, account());
        }

        @Override
        protected Optional<Provider> createBrokenProvider() {
            return Optional.of(new Provider(flaw(), true, account()));
        }

        @Override
        protected String providerId() {
            return "example";
        }

        @Override
        protected MachineRequest request(String operationId) {
            return new MachineRequest(operationId, "dep-1", "worker-0", "bank-risk", MachineTarget.offer("example:zone-a:gpu.8x"),
                    new MachineResources(8000, 64L << 30, 0, List.of(), null), Map.of());
        }
    }

    static class Good extends FlawedContract {
        Flaw flaw() {
            return Flaw.NONE;
        }
    }

    static class NotIdempotent extends FlawedContract {
        Flaw flaw() {
            return Flaw.NOT_IDEMPOTENT;
        }
    }

    static class ForgetsAcrossInstances extends FlawedContract {
        Flaw flaw() {
            return Flaw.FORGETS_ACROSS_INSTANCES;
        }
    }

    static class Races extends FlawedContract {
        Flaw flaw() {
            return Flaw.RACES;
        }
    }

    /** Its check and creation are not atomic where the request names an allocation (it reads the allocation's ledger entry between). */
    static class RacesForAnAllocation extends FlawedContract {
        Flaw flaw() {
            return Flaw.RACES_FOR_AN_ALLOCATION;
        }
    }

    static class ForeignInstallation extends FlawedContract {
        Flaw flaw() {
            return Flaw.FOREIGN_INSTALLATION;
        }
    }

    static class OtherAllocation extends FlawedContract {
        Flaw flaw() {
            return Flaw.OTHER_ALLOCATION;
        }
    }

    static class ListsWithoutLabels extends FlawedContract {
        Flaw flaw() {
            return Flaw.LISTS_WITHOUT_LABELS;
        }
    }

    /** Its machines are all at one vendor account, which the test then looks at. */
    static class FindIgnoresOperation extends FlawedContract {
        Flaw flaw() {
            return Flaw.FIND_IGNORES_OPERATION;
        }
    }

    static class DescribeForgetsAcrossInstances extends FlawedContract {
        Flaw flaw() {
            return Flaw.DESCRIBE_FORGETS_ACROSS_INSTANCES;
        }
    }

    static class KeyedByMember extends FlawedContract {
        Flaw flaw() {
            return Flaw.KEYED_BY_MEMBER;
        }
    }

    /** Its machines are all at one vendor account, which the test then looks at. */
    static class DeleteForgets extends FlawedContract {
        static final String ACCOUNT = "delete-forgets";

        Flaw flaw() {
            return Flaw.DELETE_FORGETS;
        }

        @Override
        String account() {
            return ACCOUNT;
        }
    }

    static class SecretInHandle extends FlawedContract {
        Flaw flaw() {
            return Flaw.SECRET_IN_HANDLE;
        }

        @Override
        protected java.util.Collection<String> secrets() {
            return List.of(SECRET);
        }
    }

    static class ReadsNameAnotherProvider extends FlawedContract {
        Flaw flaw() {
            return Flaw.READS_NAME_ANOTHER_PROVIDER;
        }
    }

    /** A provider without a flaw, configured with a secret that it shows nowhere. */
    static class GoodWithSecret extends FlawedContract {
        Flaw flaw() {
            return Flaw.NONE;
        }

        @Override
        protected java.util.Collection<String> secrets() {
            return List.of(SECRET);
        }
    }

    static class NullWhenBroken extends FlawedContract {
        Flaw flaw() {
            return Flaw.NULL_WHEN_BROKEN;
        }
    }

    /** Its machines are all at one vendor account, which the test then looks at. */
    static class ChangesIgnoreDeadline extends FlawedContract {
        static final String ACCOUNT = "changes-ignore-deadline";

        Flaw flaw() {
            return Flaw.CHANGES_IGNORE_DEADLINE;
        }

        @Override
        String account() {
            return ACCOUNT;
        }
    }

    static class ConcurrentCreatesFail extends FlawedContract {
        static final String ACCOUNT = "concurrent-creates-fail";

        Flaw flaw() {
            return Flaw.CONCURRENT_CREATES_FAIL;
        }

        @Override
        String account() {
            return ACCOUNT;
        }
    }

    /** Its machines are all at one vendor account, which the test then looks at. */
    static class AnswerLost extends FlawedContract {
        static final String ACCOUNT = "answer-lost";

        Flaw flaw() {
            return Flaw.ANSWER_LOST;
        }

        @Override
        String account() {
            return ACCOUNT;
        }
    }

    /** A provider whose calls overrun: its calls get 1 s, and half a second more before the kit says it hangs. */
    abstract static class Overrunning extends FlawedContract {
        @Override
        protected java.time.Duration callTimeout() {
            return java.time.Duration.ofSeconds(1);
        }

        @Override
        protected java.time.Duration promptly() {
            return java.time.Duration.ofMillis(500);
        }
    }

    static class Hangs extends Overrunning {
        Flaw flaw() {
            return Flaw.HANGS;
        }

        /** Its calls hang for 20 s: the clean-up waits this long for them, then says they are still running. */
        @Override
        protected java.time.Duration settleTimeout() {
            return java.time.Duration.ofSeconds(1);
        }
    }

    /** Its machines are all at one vendor account, which the test then looks at. */
    static class CreateOverruns extends Overrunning {
        static final String ACCOUNT = "create-overruns";

        Flaw flaw() {
            return Flaw.CREATE_OVERRUNS;
        }

        @Override
        String account() {
            return ACCOUNT;
        }
    }

    private static Set<String> failed(Class<?> contract) {
        return new TreeSet<>(failures(contract).keySet());
    }

    /** The kit's tests that failed for a contract, each with what it failed with. */
    private static Map<String, String> failures(Class<?> contract) {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(contract)).execute().testEvents();
        assertThat(tests.started().count()).as("tests of the kit run for " + contract.getSimpleName()).isEqualTo(16);
        return tests.failed().stream().collect(Collectors.toMap(e -> e.getTestDescriptor().getDisplayName().replace("()", ""),
                e -> e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).map(String::valueOf).orElse(""),
                (a, b) -> a, TreeMap::new));
    }

    @Test
    void aWellBehavedProviderPassesEveryTest() {
        assertThat(failed(Good.class)).isEmpty();
        assertThat(failed(GoodWithSecret.class)).isEmpty();
    }

    /**
     * A provider that answers a create with the machine it already made for another operation of
     * the same deployment and member (it finds "its" machine by those, not by the operation id)
     * fails, naming both operations. Before, every test had one operation's machine on the account
     * at a time, and such a provider passed: it would hand a replacement for a lost machine back as
     * the lost one.
     */
    @Test
    void aCreateThatAnswersAnotherOperationsMachineFails() {
        Map<String, String> failures = failures(KeyedByMember.class);
        assertThat(failures).containsOnlyKeys("eachOperationMakesItsOwnMachine");
        assertThat(failures.get("eachOperationMakesItsOwnMachine")).containsPattern("create of testkit-op-[-0-9a-f]+, with machine "
                + "i-[-0-9a-f]+ of operation testkit-op-[-0-9a-f]+ on the account, answered machine i-[-0-9a-f]+ of operation "
                + "testkit-op-[-0-9a-f]+; a create answers the machine made for its own operation id");
    }

    /**
     * A provider whose delete only forgets the machine (the instance describes it GONE, and neither
     * finds nor lists it) but leaves it on the vendor's side fails, since a new instance still
     * finds it. Before, the kit asked only the instance that deleted it, and such a provider passed
     * while every machine it "deleted" was left running on the account.
     */
    @Test
    void aDeleteThatLeavesTheMachineOnTheVendorsSideFails() {
        Map<String, String> failures = failures(DeleteForgets.class);
        assertThat(failures).containsOnlyKeys("deleteIsIdempotentAndTheMachineEndsGone");
        assertThat(failures.get("deleteIsIdempotentAndTheMachineEndsGone")).containsPattern("a new instance describes machine i-[-0-9a-f]+, "
                + "which the instance that deleted it described as GONE, as RUNNING; the delete left the machine on the vendor's side");
    }

    /**
     * A provider that keeps its password in the handles of its machines fails, naming where the
     * secret shows and not showing it. Before, the kit looked for secrets only in what
     * {@code machines()} answered on an empty account, and such a provider passed: the core would
     * persist the password with every deployment.
     */
    @Test
    void aSecretInAMachinesHandleFails() {
        Map<String, String> failures = failures(SecretInHandle.class);
        assertThat(failures).containsOnlyKeys("noSecretIsShownOnAMachine");
        assertThat(failures.get("noSecretIsShownOnAMachine")).contains("what create answered shows secret 1 of secrets() (23 characters)")
                .doesNotContain(SECRET);
    }

    /**
     * A provider whose describe, find and machines() answer handles naming another provider (its
     * id before a rename) fails every test that reads a machine back, naming the call, the machine
     * and both ids. Before, only create's handle was compared with {@code providerId()}, and such a
     * provider passed.
     */
    @Test
    void aHandleOfDescribeFindOrMachinesNamingAnotherProviderFails() {
        Map<String, String> failures = failures(ReadsNameAnotherProvider.class);
        assertThat(failures).containsKeys("machinesListsWhatWasMade", "anOperationThatMadeNothingIsNotFound",
                "aNewInstanceContinuesWhatTheOldOneStarted", "deleteIsIdempotentAndTheMachineEndsGone");
        assertThat(failures.get("machinesListsWhatWasMade")).containsPattern("machines answered machine i-[-0-9a-f]+ with a handle naming "
                + "provider example-old; expected example");
        assertThat(failures.get("anOperationThatMadeNothingIsNotFound")).containsPattern("find of testkit-op-[-0-9a-f]+ answered machine "
                + "i-[-0-9a-f]+ with a handle naming provider example-old; expected example");
        assertThat(failures.values()).allSatisfy(f -> assertThat(f).contains("with a handle naming provider example-old; expected example"));
    }

    /**
     * A provider whose concurrent creates race only for a request that names a ledger allocation,
     * as every request of the core since 1.4 does, fails the concurrent-creates test. Before, that
     * test (and the new-instance and delete tests) built its request without the installation and
     * allocation that {@code installed} adds, as no core sends it, and such a provider passed.
     */
    @Test
    void concurrentCreatesAreMadeWithTheLabelsTheCoreSends() {
        assertThat(failed(RacesForAnAllocation.class)).containsExactly("concurrentCreatesOfOneOperationMakeOneMachine");
    }

    @Test
    void eachBrokenPromiseFailsItsTests() {
        assertThat(failed(NotIdempotent.class)).containsExactlyInAnyOrder("createIsIdempotentByOperationIdAndLabelsTheMachine",
                "aNewInstanceContinuesWhatTheOldOneStarted", "concurrentCreatesOfOneOperationMakeOneMachine");
        assertThat(failed(ForgetsAcrossInstances.class)).containsExactly("aNewInstanceContinuesWhatTheOldOneStarted");
        assertThat(failed(Races.class)).containsExactly("concurrentCreatesOfOneOperationMakeOneMachine");
        assertThat(failed(ForeignInstallation.class)).containsExactlyInAnyOrder("createIsIdempotentByOperationIdAndLabelsTheMachine",
                "machinesListsWhatWasMade");
        assertThat(failed(OtherAllocation.class)).containsExactlyInAnyOrder("createIsIdempotentByOperationIdAndLabelsTheMachine",
                "machinesListsWhatWasMade");
    }

    /**
     * A provider whose find returns a machine of another operation fails, naming the machine and its
     * operation. Before, the check ran on an empty account, where such a provider finds nothing.
     */
    @Test
    void aFindThatReturnsAnotherOperationsMachineFails() {
        Map<String, String> failures = failures(FindIgnoresOperation.class);
        assertThat(failures).containsOnlyKeys("anOperationThatMadeNothingIsNotFound");
        assertThat(failures.get("anOperationThatMadeNothingIsNotFound")).containsPattern("find\\(testkit-op-[-0-9a-f]+\\) returns machine i-[-0-9a-f]+ "
                + "\\(operation testkit-op-[-0-9a-f]+\\) for an operation that made none");
    }

    /**
     * A provider whose new instance describes an earlier instance's machine as gone fails, and the
     * message says which machine and what describe must do. Before, it read only "expected: not
     * equal but was: &lt;GONE&gt;".
     */
    @Test
    void aNewInstanceThatDescribesTheOldOnesMachineAsGoneIsNamedSo() {
        Map<String, String> failures = failures(DescribeForgetsAcrossInstances.class);
        assertThat(failures).containsOnlyKeys("aNewInstanceContinuesWhatTheOldOneStarted");
        assertThat(failures.get("aNewInstanceContinuesWhatTheOldOneStarted")).containsPattern("a new instance describes machine "
                + "i-[-0-9a-f]+, which the old instance made and did not delete, as GONE; describe must find a machine by its handle alone");
    }

    /**
     * A broken provider that answers null instead of throwing fails the broken-source check, which
     * says so. Before, only an exception was checked, and null passed.
     */
    @Test
    void aBrokenProviderThatAnswersNullFails() {
        Map<String, String> failures = failures(NullWhenBroken.class);
        assertThat(failures).containsOnlyKeys("onlyStrataExceptionsLeaveABrokenProvider");
        assertThat(failures.get("onlyStrataExceptionsLeaveABrokenProvider")).contains("a call of the broken provider returned null; "
                + "a provider whose source is broken throws a StrataException saying what is wrong");
    }

    /**
     * When some of the concurrent creates of one operation fail, the kit fails the test with the
     * first failure, and deletes every machine the creates made, those of the failed creates
     * (which only machines() shows) too. Before, the first failure ended the test at once, and the
     * machines of the creates not yet looked at were left behind, on a vendor's real account.
     */
    @Test
    void machinesOfConcurrentCreatesThatFailedAreDeletedToo() {
        assertThat(failures(ConcurrentCreatesFail.class)).containsOnlyKeys("concurrentCreatesOfOneOperationMakeOneMachine")
                .hasEntrySatisfying("concurrentCreatesOfOneOperationMakeOneMachine", f -> assertThat(f)
                        .contains("the answer to the create was lost"));
        Map<String, Machine> vendor = VENDORS.get(ConcurrentCreatesFail.ACCOUNT);
        assertThat(vendor.values()).hasSizeGreaterThan(1)
                .allSatisfy(m -> assertThat(m.state()).as(m.id()).isIn(MachineState.DELETING, MachineState.GONE));
    }

    /**
     * A create that made its machine and then failed (its answer lost) fails the tests that
     * create, and every machine those creates made is deleted after each test, found by its
     * operation id: the tests never held their handles. Before, they were left on the account,
     * which a vendor's test may run against for real.
     */
    @Test
    void machinesOfCreatesThatFailedAreDeletedAfterTheTest() {
        assertThat(failed(AnswerLost.class)).containsExactlyInAnyOrder("createIsIdempotentByOperationIdAndLabelsTheMachine",
                "aNewInstanceContinuesWhatTheOldOneStarted", "machinesListsWhatWasMade", "deleteIsIdempotentAndTheMachineEndsGone",
                "concurrentCreatesOfOneOperationMakeOneMachine", "anOperationThatMadeNothingIsNotFound",
                "deleteHonoursTheDeadlineAndInterruption", "eachOperationMakesItsOwnMachine");
        Map<String, Machine> vendor = VENDORS.get(AnswerLost.ACCOUNT);
        assertThat(vendor.values()).hasSizeGreaterThanOrEqualTo(6)
                .allSatisfy(m -> assertThat(m.state()).as(m.id()).isIn(MachineState.DELETING, MachineState.GONE));
    }

    /**
     * A provider whose provisioning calls hang fails every test, each saying the provider hangs,
     * within the deadline and {@code promptly()}. Before, create, describe, find, machines and
     * delete were called on the test's own thread: the test, and the vendor's build, hung with it.
     */
    @Test
    void aProviderThatHangsFailsItsTestsInsteadOfHangingThem() {
        long start = System.nanoTime();
        Map<String, String> hangs = failures(Hangs.class);
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(60));
        assertThat(hangs).containsOnlyKeys("aCallWithNoTimeLeftFailsPromptlyWithProviderTimeout",
                "anInterruptedCallerFailsPromptlyWithProviderTimeout", "aCallInterruptedWhileItRunsEndsPromptly",
                "onlyStrataExceptionsLeaveABrokenProvider", "createIsIdempotentByOperationIdAndLabelsTheMachine",
                "aNewInstanceContinuesWhatTheOldOneStarted", "machinesListsWhatWasMade", "deleteIsIdempotentAndTheMachineEndsGone",
                "concurrentCreatesOfOneOperationMakeOneMachine", "anOperationThatMadeNothingIsNotFound",
                "createHonoursTheDeadlineAndInterruption", "deleteHonoursTheDeadlineAndInterruption", "eachOperationMakesItsOwnMachine");
        hangs.remove("aCallInterruptedWhileItRunsEndsPromptly"); // says "ignored the interruption"
        assertThat(hangs.values()).allSatisfy(m -> assertThat(m).contains("the provider hangs: ")
                .contains("had not returned 500 ms after its deadline"));
    }

    /**
     * A create that overruns its deadline fails its test, saying the provider hangs, and the
     * machine it makes afterwards is deleted all the same: the clean-up waits for the call to end
     * before it looks. Before, the clean-up looked at once, found nothing, and the machine the
     * create made a second later was left on the account.
     */
    @Test
    void aMachineACreateMakesAfterItsDeadlineIsDeletedToo() {
        Map<String, String> overruns = failures(CreateOverruns.class);
        assertThat(overruns).containsKeys("createIsIdempotentByOperationIdAndLabelsTheMachine")
                .hasEntrySatisfying("createIsIdempotentByOperationIdAndLabelsTheMachine", f -> assertThat(f).contains("the provider hangs: ")
                        .doesNotContain("may be left on the provider's account"));
        Map<String, Machine> vendor = VENDORS.get(CreateOverruns.ACCOUNT);
        assertThat(vendor.values()).isNotEmpty()
                .allSatisfy(m -> assertThat(m.state()).as(m.id()).isIn(MachineState.DELETING, MachineState.GONE));
    }

    /**
     * A provider whose create and delete ignore the deadline and interruption (it checks them on
     * {@code machines()} alone, which is all the kit looked at before) fails the two tests of
     * them, each naming the call and how it was made.
     */
    @Test
    void createAndDeleteThatIgnoreTheDeadlineFail() {
        Map<String, String> failures = failures(ChangesIgnoreDeadline.class);
        assertThat(failures).containsOnlyKeys("createHonoursTheDeadlineAndInterruption", "deleteHonoursTheDeadlineAndInterruption");
        assertThat(failures.get("createHonoursTheDeadlineAndInterruption")).contains("the provider called create with a deadline that had "
                + "passed returned instead of throwing ProviderTimeoutException");
        assertThat(failures.get("deleteHonoursTheDeadlineAndInterruption")).contains("the provider called delete with a deadline that had "
                + "passed returned instead of throwing ProviderTimeoutException");
        assertThat(VENDORS.get(ChangesIgnoreDeadline.ACCOUNT).values()).as("the late creates made machines, deleted after the test")
                .isNotEmpty().allSatisfy(m -> assertThat(m.state()).as(m.id()).isIn(MachineState.DELETING, MachineState.GONE));
    }

    /**
     * A provider that lists its machine but without the labels it was made with is told that: the
     * kit said "machines() does not list i-...", which sent its author looking for a listing that
     * was there.
     */
    @Test
    void aMachineListedWithoutItsLabelsIsNamedSo() {
        Map<String, String> failures = failures(ListsWithoutLabels.class);
        assertThat(failures).containsKeys("machinesListsWhatWasMade");
        assertThat(failures.get("machinesListsWhatWasMade")).contains("the machine machines() lists does not carry its request's labels: {}")
                .doesNotContain("does not list");
    }
}
