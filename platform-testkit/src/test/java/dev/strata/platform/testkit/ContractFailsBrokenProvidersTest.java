package dev.strata.platform.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.Site;
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
    enum Flaw { NONE, STUCK_GENERATION, GENERATION_RESETS, IGNORES_DEADLINE, SWALLOWS_INTERRUPT, THROWS_RUNTIME, UNSTABLE_IDS,
        INCOMPLETE, NOT_THREAD_SAFE, OWN_PARENT, CYCLE_OF_PARENTS,
        OFFER_AT_UNKNOWN_SITE, UNREADABLE_MACHINE_ATTRIBUTES, HANGS }

    /**
     * A small compute provider: one node at one site, in a rack of a row of a hall, and one capacity
     * offer at that site, with the flaw it is given.
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
            String id = flaw == Flaw.UNSTABLE_IDS ? "node-" + UUID.randomUUID() : "node-1";
            Node node = Node.builder().id(id).providerId("example").siteId(flaw == Flaw.INCOMPLETE ? "nowhere" : "site-1")
                    .kind(NodeKind.VIRTUAL_MACHINE).powerDomainId("rack-1")
                    .attributes(flaw == Flaw.UNREADABLE_MACHINE_ATTRIBUTES ? Map.of("strata.counted.a-000001/web-0", "2 CPUs") : Map.of())
                    .build();
            String hallParent = switch (flaw) {
                case OWN_PARENT -> "hall-1";
                case CYCLE_OF_PARENTS -> "rack-1";
                default -> null;
            };
            List<PowerDomain> domains = List.of(new PowerDomain("rack-1", "rack", "site-1", "row-1", 40_000),
                    new PowerDomain("row-1", "row", "site-1", "hall-1", 400_000),
                    new PowerDomain("hall-1", "hall", "site-1", hallParent, 4_000_000));
            CapacityOffer offer = CapacityOffer.builder().id("example:site-1:large").providerId("example")
                    .siteId(flaw == Flaw.OFFER_AT_UNKNOWN_SITE ? "nowhere" : "site-1").shape("large")
                    .machine(Node.builder().id("example:site-1:large").providerId("example").siteId("site-1").kind(NodeKind.VIRTUAL_MACHINE)
                            .build()).limit(4).build();
            return ComputeSnapshot.builder(generation, Instant.now()).sites(List.of(Site.local("site-1", "example")))
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
}
