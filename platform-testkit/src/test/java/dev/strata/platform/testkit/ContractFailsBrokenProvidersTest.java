package dev.strata.platform.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.DevicePath;
import dev.strata.platform.api.model.Disk;
import dev.strata.platform.api.model.Nic;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.model.TopologyLevel;
import dev.strata.platform.api.provider.ComputeProvider;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The kit must fail a provider that breaks a promise: each contract below is the compute contract
 * run against a provider that breaks exactly one obligation, and the test checks that exactly the
 * kit's tests for that obligation fail (and that a well-behaved provider passes all of them).
 */
class ContractFailsBrokenProvidersTest {

    /** How a provider under test misbehaves. */
    enum Flaw { NONE, STUCK_GENERATION, GENERATION_RESETS, IGNORES_DEADLINE, SWALLOWS_INTERRUPT, THROWS_RUNTIME, UNSTABLE_IDS, UNSTABLE_OFFER_IDS,
        INCOMPLETE, NOT_THREAD_SAFE, OWN_PARENT, CYCLE_OF_PARENTS,
        OFFER_AT_UNKNOWN_SITE, UNREADABLE_MACHINE_ATTRIBUTES, HANGS,
        MACHINE_OF_ANOTHER_PROVIDER, MACHINE_AT_ANOTHER_SITE, MACHINE_WITH_ANOTHER_ID, MACHINE_ACCELERATOR_ON_ANOTHER_NODE,
        UNSHOWN_SITE_ID, UNSHOWN_POWER_DOMAIN_ID, UNSHOWN_NODE_ID, UNSHOWN_OFFER_ID, UNSHOWN_OFFER_FABRIC_ID, UNSHOWN_ACCELERATOR_ID,
        UNSHOWN_INTERCONNECT_DOMAIN, UNSHOWN_NIC_NAME, UNSHOWN_DISK_NAME, UNSHOWN_PATH_END, MACHINE_ACCELERATOR_TWICE }

    /**
     * A small compute provider: one node at one site, in a rack of a row of a hall, with a GPU in
     * an NVLink domain, a NIC, a disk and a path between the GPU and the NIC, and one capacity
     * offer at that site whose machine has a GPU, with the flaw it is given.
     */
    static final class Provider implements ComputeProvider {
        private static final AtomicLong CLOCK = new AtomicLong(System.currentTimeMillis());
        private final Flaw flaw;
        private final boolean broken;
        private final AtomicLong last = new AtomicLong();
        private long unsafeCounter;

        Provider(Flaw flaw, boolean broken) {
            this.flaw = flaw;
            this.broken = broken;
            this.unsafeCounter = CLOCK.addAndGet(1_000); // past every earlier instance, as a wall clock would be
        }

        @Override
        public ComputeSnapshot discoverCompute(DiscoveryContext context) {
            if (flaw == Flaw.HANGS) {
                hang();
            }
            if (flaw != Flaw.IGNORES_DEADLINE && flaw != Flaw.SWALLOWS_INTERRUPT) {
                context.checkDeadline("discovery");
            }
            if (flaw == Flaw.SWALLOWS_INTERRUPT) {
                Thread.interrupted(); // the bug: clears the caller's interruption and carries on
                if (context.remaining().isNegative() || context.remaining().isZero()) {
                    context.checkDeadline("discovery");
                }
            }
            if (broken) {
                if (flaw == Flaw.THROWS_RUNTIME) {
                    throw new IllegalStateException("connection refused"); // a vendor exception leaks out
                }
                throw new ProviderUnavailableException("example source unreachable: connection refused");
            }
            long generation = switch (flaw) {
                case STUCK_GENERATION -> 42;
                case GENERATION_RESETS -> last.incrementAndGet();
                case NOT_THREAD_SAFE -> {
                    long read = unsafeCounter;
                    sleep(5);
                    unsafeCounter = read + 1;
                    yield read + 1;
                }
                default -> last.updateAndGet(previous -> Math.max(previous + 1, CLOCK.incrementAndGet()));
            };
            String id = switch (flaw) {
                case UNSTABLE_IDS -> "node-" + UUID.randomUUID();
                case UNSHOWN_NODE_ID -> "node-1\u001b[2J";
                default -> "node-1";
            };
            String site = flaw == Flaw.UNSHOWN_SITE_ID ? "site\u2028-1" : "site-1";
            String rack = flaw == Flaw.UNSHOWN_POWER_DOMAIN_ID ? "rack-1\u202e" : "rack-1";
            String gpu = flaw == Flaw.UNSHOWN_ACCELERATOR_ID ? "GPU-1\r" : "GPU-1";
            String nic = flaw == Flaw.UNSHOWN_NIC_NAME ? "ib0\u0007" : "ib0";
            Node node = Node.builder().id(id).providerId("example").siteId(flaw == Flaw.INCOMPLETE ? "nowhere" : site)
                    .kind(NodeKind.VIRTUAL_MACHINE).powerDomainId(rack)
                    .attributes(flaw == Flaw.UNREADABLE_MACHINE_ATTRIBUTES ? Map.of("strata.counted.a-000001/web-0", "2 CPUs") : Map.of())
                    .accelerators(List.of(Accelerator.builder().id(gpu).model("H100")
                            .interconnectDomain(flaw == Flaw.UNSHOWN_INTERCONNECT_DOMAIN ? "nvl-1\n" : "nvl-1").build()))
                    .nics(List.of(new Nic(nic, null, null, 0, -1, "infiniband")))
                    .disks(List.of(new Disk(flaw == Flaw.UNSHOWN_DISK_NAME ? "nvme0n1\u200b" : "nvme0n1", 1L << 40, false, null)))
                    .devicePaths(List.of(new DevicePath(gpu, flaw == Flaw.UNSHOWN_PATH_END ? "ib0\u0085" : nic, TopologyLevel.SINGLE, 0)))
                    .build();
            String hallParent = switch (flaw) {
                case OWN_PARENT -> "hall-1";
                case CYCLE_OF_PARENTS -> rack;
                default -> null;
            };
            List<PowerDomain> domains = List.of(new PowerDomain(rack, "rack", site, "row-1", 40_000),
                    new PowerDomain("row-1", "row", site, "hall-1", 400_000),
                    new PowerDomain("hall-1", "hall", site, hallParent, 4_000_000));
            String offerId = switch (flaw) {
                case UNSHOWN_OFFER_ID -> "example:site-1:large\u001b";
                case UNSTABLE_OFFER_IDS -> "example:site-1:large-" + generation; // a new id for the same offer on every call
                default -> "example:site-1:large";
            };
            Node machine = Node.builder().id(flaw == Flaw.MACHINE_WITH_ANOTHER_ID ? "example:site-1:medium" : offerId)
                    .providerId(flaw == Flaw.MACHINE_OF_ANOTHER_PROVIDER ? "examples" : "example")
                    .siteId(flaw == Flaw.MACHINE_AT_ANOTHER_SITE ? "site-2" : site).kind(NodeKind.VIRTUAL_MACHINE)
                    .accelerators(Stream.of(offerId + "/gpu-0", offerId + (flaw == Flaw.MACHINE_ACCELERATOR_TWICE ? "/gpu-0" : "/gpu-1"))
                            .map(gpuId -> Accelerator.builder().id(gpuId).model("H100")
                                    .nodeId(flaw == Flaw.MACHINE_ACCELERATOR_ON_ANOTHER_NODE ? "node-1" : null).build()).toList())
                    .build();
            CapacityOffer offer = CapacityOffer.builder().id(offerId).providerId("example")
                    .siteId(flaw == Flaw.OFFER_AT_UNKNOWN_SITE ? "nowhere" : site).shape("large").machine(machine).limit(4)
                    .fabricIds(Set.of(flaw == Flaw.UNSHOWN_OFFER_FABRIC_ID ? "efa-1\u2029" : "efa-1")).build();
            return ComputeSnapshot.builder(generation, Instant.now()).sites(List.of(Site.local(site, "example")))
                    .nodes(List.of(node)).powerDomains(domains).offers(List.of(offer)).build();
        }

        /** Blocks 20 s, heeding neither the deadline nor interruption, as a read from a socket without a timeout does. */
        private static void hang() {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < until) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                Thread.interrupted();
            }
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The compute contract with a provider of a given flaw; the subclasses below pick the flaw. */
    abstract static class FlawedContract extends ComputeProviderContract<Provider> {
        abstract Flaw flaw();

        @Override
        protected Provider createProvider() {
            return new Provider(flaw(), false);
        }

        @Override
        protected Optional<Provider> createBrokenProvider() {
            return Optional.of(new Provider(flaw(), true));
        }

        @Override
        protected String providerId() {
            return "example";
        }
    }

    static class Good extends FlawedContract {
        Flaw flaw() {
            return Flaw.NONE;
        }
    }

    static class StuckGeneration extends FlawedContract {
        Flaw flaw() {
            return Flaw.STUCK_GENERATION;
        }
    }

    static class GenerationResets extends FlawedContract {
        Flaw flaw() {
            return Flaw.GENERATION_RESETS;
        }
    }

    static class IgnoresDeadline extends FlawedContract {
        Flaw flaw() {
            return Flaw.IGNORES_DEADLINE;
        }
    }

    static class SwallowsInterrupt extends FlawedContract {
        Flaw flaw() {
            return Flaw.SWALLOWS_INTERRUPT;
        }
    }

    static class ThrowsRuntime extends FlawedContract {
        Flaw flaw() {
            return Flaw.THROWS_RUNTIME;
        }
    }

    static class UnstableIds extends FlawedContract {
        Flaw flaw() {
            return Flaw.UNSTABLE_IDS;
        }
    }

    static class UnstableOfferIds extends FlawedContract {
        Flaw flaw() {
            return Flaw.UNSTABLE_OFFER_IDS;
        }
    }

    static class Incomplete extends FlawedContract {
        Flaw flaw() {
            return Flaw.INCOMPLETE;
        }
    }

    static class NotThreadSafe extends FlawedContract {
        Flaw flaw() {
            return Flaw.NOT_THREAD_SAFE;
        }
    }

    static class OwnParent extends FlawedContract {
        Flaw flaw() {
            return Flaw.OWN_PARENT;
        }
    }

    static class CycleOfParents extends FlawedContract {
        Flaw flaw() {
            return Flaw.CYCLE_OF_PARENTS;
        }
    }

    static class OfferAtUnknownSite extends FlawedContract {
        Flaw flaw() {
            return Flaw.OFFER_AT_UNKNOWN_SITE;
        }
    }

    static class UnreadableMachineAttributes extends FlawedContract {
        Flaw flaw() {
            return Flaw.UNREADABLE_MACHINE_ATTRIBUTES;
        }
    }

    static class MachineOfAnotherProvider extends FlawedContract {
        Flaw flaw() {
            return Flaw.MACHINE_OF_ANOTHER_PROVIDER;
        }
    }

    static class MachineAtAnotherSite extends FlawedContract {
        Flaw flaw() {
            return Flaw.MACHINE_AT_ANOTHER_SITE;
        }
    }

    static class MachineWithAnotherId extends FlawedContract {
        Flaw flaw() {
            return Flaw.MACHINE_WITH_ANOTHER_ID;
        }
    }

    static class MachineAcceleratorOnAnotherNode extends FlawedContract {
        Flaw flaw() {
            return Flaw.MACHINE_ACCELERATOR_ON_ANOTHER_NODE;
        }
    }

    static class MachineAcceleratorTwice extends FlawedContract {
        Flaw flaw() {
            return Flaw.MACHINE_ACCELERATOR_TWICE;
        }
    }

    static class UnshownSiteId extends FlawedContract {
        Flaw flaw() {
            return Flaw.UNSHOWN_SITE_ID;
        }
    }

    static class UnshownPowerDomainId extends FlawedContract {
        Flaw flaw() {
            return Flaw.UNSHOWN_POWER_DOMAIN_ID;
        }
    }

    static class UnshownNodeId extends FlawedContract {
        Flaw flaw() {
            return Flaw.UNSHOWN_NODE_ID;
        }
    }

    static class UnshownOfferId extends FlawedContract {
        Flaw flaw() {
            return Flaw.UNSHOWN_OFFER_ID;
        }
    }

    static class UnshownOfferFabricId extends FlawedContract {
        Flaw flaw() {
            return Flaw.UNSHOWN_OFFER_FABRIC_ID;
        }
    }

    static class UnshownAcceleratorId extends FlawedContract {
        Flaw flaw() {
            return Flaw.UNSHOWN_ACCELERATOR_ID;
        }
    }

    static class UnshownInterconnectDomain extends FlawedContract {
        Flaw flaw() {
            return Flaw.UNSHOWN_INTERCONNECT_DOMAIN;
        }
    }

    static class UnshownNicName extends FlawedContract {
        Flaw flaw() {
            return Flaw.UNSHOWN_NIC_NAME;
        }
    }

    static class UnshownDiskName extends FlawedContract {
        Flaw flaw() {
            return Flaw.UNSHOWN_DISK_NAME;
        }
    }

    static class UnshownPathEnd extends FlawedContract {
        Flaw flaw() {
            return Flaw.UNSHOWN_PATH_END;
        }
    }

    static class Hangs extends FlawedContract {
        Flaw flaw() {
            return Flaw.HANGS;
        }

        @Override
        protected Duration callTimeout() {
            return Duration.ofSeconds(1);
        }

        @Override
        protected Duration promptly() {
            return Duration.ofMillis(500);
        }
    }

    private static Set<String> failed(Class<?> contract) {
        return failures(contract).keySet();
    }

    /** The kit's tests that failed for a contract, each with what it failed with (the exception and its message). */
    private static Map<String, String> failures(Class<?> contract) {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(contract)).execute().testEvents();
        assertThat(tests.started().count()).as("tests of the kit run for " + contract.getSimpleName()).isEqualTo(11);
        return tests.failed().stream().collect(Collectors.toMap(e -> e.getTestDescriptor().getDisplayName().replace("()", ""),
                e -> e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).map(String::valueOf).orElse(""),
                (a, b) -> a, TreeMap::new));
    }

    @Test
    void aWellBehavedProviderPassesEveryTest() {
        assertThat(failed(Good.class)).isEmpty();
    }

    /**
     * A provider that hangs fails every test that calls it, each saying so, within the deadline
     * and {@code promptly()}. Before, the kit called it on the test's own thread: the test, and the
     * vendor's build, hung with it.
     */
    @Test
    void aProviderThatHangsFailsItsTestsInsteadOfHangingThem() {
        long start = System.nanoTime();
        Map<String, String> hangs = failures(Hangs.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        assertThat(hangs).containsOnlyKeys("aCallWithNoTimeLeftFailsPromptlyWithProviderTimeout",
                "anInterruptedCallerFailsPromptlyWithProviderTimeout", "aCallInterruptedWhileItRunsEndsPromptly",
                "onlyStrataExceptionsLeaveABrokenProvider", "generationsStrictlyIncreaseAcrossCalls",
                "generationsStrictlyIncreaseAcrossANewInstance", "snapshotsAreComplete", "idsAreStableAcrossCallsAndInstances",
                "concurrentCallsAreSafe");
        hangs.remove("aCallInterruptedWhileItRunsEndsPromptly"); // says "ignored the interruption", as before
        assertThat(hangs.values()).allSatisfy(m -> assertThat(m).contains("the provider hangs: ")
                .contains("had not returned 500 ms after its deadline"));
    }

    @Test
    void eachBrokenPromiseFailsItsTests() {
        assertThat(failed(StuckGeneration.class)).containsExactlyInAnyOrder(
                "generationsStrictlyIncreaseAcrossCalls", "generationsStrictlyIncreaseAcrossANewInstance", "concurrentCallsAreSafe");
        assertThat(failed(GenerationResets.class)).containsExactly("generationsStrictlyIncreaseAcrossANewInstance");
        assertThat(failed(IgnoresDeadline.class)).containsExactlyInAnyOrder(
                "aCallWithNoTimeLeftFailsPromptlyWithProviderTimeout", "anInterruptedCallerFailsPromptlyWithProviderTimeout",
                "aCallInterruptedWhileItRunsEndsPromptly");
        assertThat(failed(SwallowsInterrupt.class)).containsExactlyInAnyOrder(
                "anInterruptedCallerFailsPromptlyWithProviderTimeout", "aCallInterruptedWhileItRunsEndsPromptly");
        assertThat(failed(ThrowsRuntime.class)).containsExactly("onlyStrataExceptionsLeaveABrokenProvider");
        assertThat(failed(UnstableIds.class)).containsExactlyInAnyOrder("idsAreStableAcrossCallsAndInstances", "concurrentCallsAreSafe");
        assertThat(failed(Incomplete.class)).containsExactlyInAnyOrder("snapshotsAreComplete", "concurrentCallsAreSafe");
        assertThat(failed(NotThreadSafe.class)).containsExactly("concurrentCallsAreSafe");
        Map<String, String> offer = failures(OfferAtUnknownSite.class);
        assertThat(offer).containsOnlyKeys("snapshotsAreComplete", "concurrentCallsAreSafe");
        assertThat(offer.values()).allSatisfy(m -> assertThat(m).contains("capacity offer example:site-1:large is at site nowhere, "
                + "which the snapshot does not hold"));
        Map<String, String> ownParent = failures(OwnParent.class);
        assertThat(ownParent).containsOnlyKeys("snapshotsAreComplete", "concurrentCallsAreSafe");
        assertThat(ownParent.values()).allSatisfy(m -> assertThat(m).contains("power domain hall-1 is its own parent"
                + " (hall-1 -> hall-1, reached from rack-1): following the parents from a power domain must end at one without a parent"));
        Map<String, String> unreadable = failures(UnreadableMachineAttributes.class);
        assertThat(unreadable).containsOnlyKeys("snapshotsAreComplete", "concurrentCallsAreSafe");
        assertThat(unreadable.values()).allSatisfy(m -> assertThat(m).contains("node node-1 reports its machines in a form placement "
                + "cannot read: node attribute strata.counted.a-000001/web-0 = '2 CPUs'; expected cpuMilli=<n>,memoryBytes=<n>,gpus=<n>"));
        Map<String, String> cycle = failures(CycleOfParents.class);
        assertThat(cycle).containsOnlyKeys("snapshotsAreComplete", "concurrentCallsAreSafe");
        assertThat(cycle.values()).allSatisfy(m -> assertThat(m).contains("power domains are a cycle of parents"
                + " (rack-1 -> row-1 -> hall-1 -> rack-1): following the parents from a power domain must end at one without a parent"));
    }

    /**
     * A provider that gives its capacity offer a new id on every call (its generation in it) fails
     * the stability of ids, naming the offer. Before, the kit compared the nodes' ids alone, and
     * such a provider passed: the offer placement bound a member to would be gone by the time the
     * core asked the provider to make the machine of it.
     */
    @Test
    void anOfferWhoseIdChangesBetweenCallsFails() {
        Map<String, String> failures = failures(UnstableOfferIds.class);
        assertThat(failures).containsOnlyKeys("idsAreStableAcrossCallsAndInstances", "concurrentCallsAreSafe");
        assertThat(failures.get("idsAreStableAcrossCallsAndInstances")).contains("ids changed between two calls of one instance")
                .contains("capacity offer example:site-1:large-");
    }

    /**
     * A capacity offer whose machine names another provider, is at another site or has another id
     * than the offer fails the snapshot's completeness, naming the offer and what was expected: the
     * inventory leaves out an offer whose machine names another provider or site, and the API
     * makes the machine's id the offer's. So does one whose machine's GPU names another node.
     */
    @Test
    void anOffersMachineOfAnotherProviderSiteOrIdFailsItsTests() {
        assertFailsCompleteness(MachineOfAnotherProvider.class, "capacity offer example:site-1:large's machine names provider examples; "
                + "expected the offer's provider example (the inventory leaves out an offer whose machine names another provider)");
        assertFailsCompleteness(MachineAtAnotherSite.class, "capacity offer example:site-1:large is at site site-1 but its machine at "
                + "site site-2; expected the machine's site id to be the offer's (the inventory leaves out an offer whose machine is at "
                + "another site)");
        assertFailsCompleteness(MachineWithAnotherId.class, "capacity offer example:site-1:large's machine has id example:site-1:medium; "
                + "expected the offer's id example:site-1:large (the machine of a capacity offer has the offer's id)");
        assertFailsCompleteness(MachineAcceleratorOnAnotherNode.class, "accelerator example:site-1:large/gpu-0 of the machine of capacity "
                + "offer example:site-1:large says it is on node-1; expected example:site-1:large or none (an accelerator is on the node "
                + "whose accelerators list it)");
    }

    /**
     * A capacity offer whose machine lists one accelerator id twice fails the snapshot's
     * completeness, naming the accelerator and the offer. Before, the kit checked accelerator ids
     * for duplicates on nodes alone, and such a provider passed: each launch slot made of the
     * machine would hold two GPUs under one id.
     */
    @Test
    void anOffersMachineWithAnAcceleratorTwiceFails() {
        assertFailsCompleteness(MachineAcceleratorTwice.class, "accelerator example:site-1:large/gpu-0 is in the machine of capacity offer "
                + "example:site-1:large twice; expected each accelerator of the machine once");
    }

    /**
     * An id the inventory would not take (it holds a control or format character, a line or
     * paragraph separator or half of a surrogate pair), of a resource or named by one, fails the
     * snapshot's completeness, shown escaped with what the inventory does with it.
     */
    @Test
    void anIdThatDoesNotShowAsItselfFailsItsTests() {
        String holds = ", which holds a control or format character, a line or paragraph separator or half of a surrogate pair (shown "
                + "here as a backslash, u and four hex digits): ";
        assertFailsCompleteness(UnshownSiteId.class, "a site has id site\\u2028-1" + holds + "the inventory leaves the site out; "
                + "expected an id of characters that show as themselves");
        assertFailsCompleteness(UnshownPowerDomainId.class, "a power domain has id rack-1\\u202e" + holds + "the inventory leaves the "
                + "power domain out; expected an id of characters that show as themselves");
        assertFailsCompleteness(UnshownNodeId.class, "a node has id node-1\\u001b[2J" + holds + "the inventory leaves the node out; "
                + "expected an id of characters that show as themselves");
        assertFailsCompleteness(UnshownOfferId.class, "a capacity offer has id example:site-1:large\\u001b" + holds + "the inventory "
                + "leaves the offer out; expected an id of characters that show as themselves");
        assertFailsCompleteness(UnshownOfferFabricId.class, "capacity offer example:site-1:large has fabric id efa-1\\u2029" + holds
                + "the inventory drops it from the offer's fabrics; expected a fabric id of characters that show as themselves");
        assertFailsCompleteness(UnshownAcceleratorId.class, "an accelerator of node node-1 has id GPU-1\\u000d" + holds + "the inventory "
                + "leaves the accelerator out; expected an id of characters that show as themselves");
        assertFailsCompleteness(UnshownInterconnectDomain.class, "accelerator GPU-1 of node node-1 has interconnect domain id nvl-1\\u000a"
                + holds + "the inventory drops it and takes the accelerator as in no interconnect domain; expected an interconnect "
                + "domain id of characters that show as themselves");
        assertFailsCompleteness(UnshownNicName.class, "a NIC of node node-1 has name ib0\\u0007" + holds + "the inventory leaves the NIC "
                + "out of the node; expected a name of characters that show as themselves");
        assertFailsCompleteness(UnshownDiskName.class, "a disk of node node-1 has name nvme0n1\\u200b" + holds + "the inventory leaves "
                + "the disk out of the node; expected a name of characters that show as themselves");
        assertFailsCompleteness(UnshownPathEnd.class, "the device path from GPU-1 to ib0\\u0085 of node node-1 has end ib0\\u0085" + holds
                + "the inventory drops the path; expected an end of characters that show as themselves");
    }

    /** Exactly the two tests that check a snapshot's completeness fail for the contract, each with the message. */
    private static void assertFailsCompleteness(Class<?> contract, String message) {
        Map<String, String> failures = failures(contract);
        assertThat(failures).as(contract.getSimpleName()).containsOnlyKeys("snapshotsAreComplete", "concurrentCallsAreSafe");
        assertThat(failures.values()).as(contract.getSimpleName()).allSatisfy(m -> assertThat(m).contains(message));
    }
}
