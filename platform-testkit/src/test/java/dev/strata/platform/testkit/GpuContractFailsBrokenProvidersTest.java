package dev.strata.platform.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.DevicePath;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.FabricType;
import dev.strata.platform.api.model.TopologyLevel;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.GpuProvider;
import dev.strata.platform.api.provider.GpuSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The GPU contract against GPU providers that see no driver: the SPI promises an empty snapshot
 * with {@code unavailableReason}, never an exception, so a provider that throws, or answers as if
 * the host had no GPUs, fails the broken-source check.
 */
class GpuContractFailsBrokenProvidersTest {

    /** How a provider without a driver answers. */
    enum NoDriver { UNAVAILABLE_SNAPSHOT, THROWS, EMPTY_WITHOUT_REASON, THROWS_NAMING_TOKEN }

    /** The token the provider of {@link NoDriver#THROWS_NAMING_TOKEN} is configured with. */
    static final String TOKEN = "dcgm-t0ken-0123456789";

    /** Which id of its snapshot does not show as itself, if any. */
    enum Unshown { NONE, ACCELERATOR_ID, INTERCONNECT_DOMAIN, INTERCONNECT_MEMBER, PATH_END }

    /** One GPU in an NVLink domain of an interconnect, with a path to a NIC; without a driver, it answers as it is told. */
    static final class Provider implements GpuProvider {
        private static final AtomicLong CLOCK = new AtomicLong(System.currentTimeMillis() * 1000);
        private final NoDriver noDriver;
        private final boolean broken;
        private final Unshown unshown;
        /** Whether its NVLink domain takes a new id on every call (an id made of the discovery's generation). */
        private final boolean unstableInterconnect;

        Provider(NoDriver noDriver, boolean broken) {
            this(noDriver, broken, Unshown.NONE);
        }

        Provider(NoDriver noDriver, boolean broken, Unshown unshown) {
            this(noDriver, broken, unshown, false);
        }

        Provider(NoDriver noDriver, boolean broken, Unshown unshown, boolean unstableInterconnect) {
            this.noDriver = noDriver;
            this.broken = broken;
            this.unshown = unshown;
            this.unstableInterconnect = unstableInterconnect;
        }

        @Override
        public GpuSnapshot discoverGpus(DiscoveryContext context) {
            context.checkDeadline("GPU discovery");
            long generation = CLOCK.incrementAndGet();
            GpuSnapshot.Builder snapshot = GpuSnapshot.builder(generation, Instant.now());
            if (!broken) {
                String gpu = unshown == Unshown.ACCELERATOR_ID ? "example:gpu-0\u001b[1A" : "example:gpu-0";
                String nvl = unstableInterconnect ? "example:nvl-" + generation : "example:nvl-0";
                return snapshot.accelerators(List.of(Accelerator.builder().id(gpu).model("H100")
                                .interconnectDomain(unshown == Unshown.INTERCONNECT_DOMAIN ? nvl + "\u2028" : nvl).build()))
                        .interconnects(List.of(Fabric.builder().id(nvl).type(FabricType.PCIE).technology("NVLink")
                                .members(unshown == Unshown.INTERCONNECT_MEMBER ? Set.of(gpu, "example:gpu-1\u200e") : Set.of(gpu)).build()))
                        .paths(List.of(new DevicePath(gpu, unshown == Unshown.PATH_END ? "ib0\u009b" : "ib0", TopologyLevel.SINGLE, 0)))
                        .build();
            }
            return switch (noDriver) {
                case UNAVAILABLE_SNAPSHOT -> snapshot.unavailableReason("no NVIDIA driver loaded").build();
                case THROWS -> throw new ProviderUnavailableException("nvidia-smi could not communicate with the NVIDIA driver");
                case EMPTY_WITHOUT_REASON -> snapshot.build();
                case THROWS_NAMING_TOKEN -> throw new ProviderUnavailableException("the DCGM host engine refused token " + TOKEN);
            };
        }
    }

    abstract static class Contract extends GpuProviderContract<Provider> {
        abstract NoDriver noDriver();

        Unshown unshown() {
            return Unshown.NONE;
        }

        @Override
        protected Provider createProvider() {
            return new Provider(noDriver(), false, unshown());
        }

        @Override
        protected Optional<Provider> createBrokenProvider() {
            return Optional.of(new Provider(noDriver(), true, unshown()));
        }

        @Override
        protected String providerId() {
            return "example";
        }
    }

    static class Good extends Contract {
        NoDriver noDriver() {
            return NoDriver.UNAVAILABLE_SNAPSHOT;
        }
    }

    static class Throws extends Contract {
        NoDriver noDriver() {
            return NoDriver.THROWS;
        }
    }

    static class EmptyWithoutReason extends Contract {
        NoDriver noDriver() {
            return NoDriver.EMPTY_WITHOUT_REASON;
        }
    }

    /** A provider whose NVLink domain, and the interconnect of it, takes a new id on every call. */
    static class UnstableInterconnect extends Good {
        @Override
        protected Provider createProvider() {
            return new Provider(noDriver(), false, unshown(), true);
        }
    }

    static class ThrowsNamingToken extends Contract {
        NoDriver noDriver() {
            return NoDriver.THROWS_NAMING_TOKEN;
        }

        @Override
        protected java.util.Collection<String> secrets() {
            return List.of(TOKEN);
        }
    }

    static class UnshownAcceleratorId extends Good {
        @Override
        Unshown unshown() {
            return Unshown.ACCELERATOR_ID;
        }
    }

    static class UnshownInterconnectDomain extends Good {
        @Override
        Unshown unshown() {
            return Unshown.INTERCONNECT_DOMAIN;
        }
    }

    static class UnshownInterconnectMember extends Good {
        @Override
        Unshown unshown() {
            return Unshown.INTERCONNECT_MEMBER;
        }
    }

    static class UnshownPathEnd extends Good {
        @Override
        Unshown unshown() {
            return Unshown.PATH_END;
        }
    }

    private static Map<String, String> failures(Class<?> contract) {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(contract)).execute().testEvents();
        assertThat(tests.started().count()).as("tests of the kit run for " + contract.getSimpleName()).isEqualTo(11);
        return tests.failed().stream().collect(Collectors.toMap(e -> e.getTestDescriptor().getDisplayName().replace("()", ""),
                e -> e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).map(String::valueOf).orElse(""),
                (a, b) -> a, TreeMap::new));
    }

    @Test
    void aGpuProviderThatReportsNoDriverAsUnavailablePassesEveryTest() {
        assertThat(failures(Good.class)).isEmpty();
    }

    /** Before, the broken-source check took any StrataException, though the GPU SPI promises a snapshot instead. */
    @Test
    void aGpuProviderThatThrowsWithoutADriverFailsTheBrokenSourceCheck() {
        assertThat(failures(Throws.class)).containsOnlyKeys("onlyStrataExceptionsLeaveABrokenProvider")
                .hasEntrySatisfying("onlyStrataExceptionsLeaveABrokenProvider", m -> assertThat(m)
                        .contains("the broken GPU provider threw ProviderUnavailableException (nvidia-smi could not communicate")
                        .contains("must not throw, but return an empty snapshot with unavailableReason"));
    }

    /**
     * A GPU provider that throws without a driver, naming its token, fails the broken-source check
     * without showing the token. Before, the GPU contract's failure quoted the exception's message,
     * the token in it, in the vendor's build log.
     */
    @Test
    void aGpuProviderThatThrowsNamingItsTokenFailsWithoutShowingIt() {
        Map<String, String> failures = failures(ThrowsNamingToken.class);
        assertThat(failures).containsKeys("onlyStrataExceptionsLeaveABrokenProvider");
        assertThat(failures.get("onlyStrataExceptionsLeaveABrokenProvider")).contains("the broken GPU provider threw "
                + "ProviderUnavailableException (the DCGM host engine refused token (secret 1 of secrets()))");
        assertThat(failures.values()).allSatisfy(m -> assertThat(m).doesNotContain(TOKEN));
    }

    /** Before, an empty snapshot without a reason passed: the core would take the host for one without GPUs. */
    @Test
    void aGpuProviderThatAnswersWithoutAReasonFailsTheBrokenSourceCheck() {
        assertThat(failures(EmptyWithoutReason.class)).containsOnlyKeys("onlyStrataExceptionsLeaveABrokenProvider")
                .hasEntrySatisfying("onlyStrataExceptionsLeaveABrokenProvider", m -> assertThat(m)
                        .contains("returned a snapshot of 0 accelerator(s) without unavailableReason"));
    }

    /**
     * A provider whose NVLink domain takes a new id on every call fails the id-stability checks,
     * naming the interconnect. Before, only accelerator ids were compared, and such a provider passed
     * though the README promises fabric ids stable across calls, as every resource id.
     */
    @Test
    void anInterconnectWhoseIdChangesBetweenCallsFails() {
        Map<String, String> failures = failures(UnstableInterconnect.class);
        assertThat(failures).containsOnlyKeys("idsAreStableAcrossCallsAndInstances", "concurrentCallsAreSafe");
        assertThat(failures.get("idsAreStableAcrossCallsAndInstances")).contains("ids changed between two calls of one instance")
                .contains("interconnect example:nvl-").contains("interconnect domain example:nvl-");
    }

    /**
     * An id the inventory would not take (it holds a control or format character, a line or
     * paragraph separator or half of a surrogate pair), of an accelerator or named by one, by an
     * interconnect or by a device path, fails the snapshot's completeness, shown escaped with what
     * the inventory does with it. Before, the kit passed it, and the inventory left it out.
     */
    @Test
    void anIdThatDoesNotShowAsItselfFailsTheCompletenessChecks() {
        String holds = ", which holds a control or format character, a line or paragraph separator or half of a surrogate pair (shown "
                + "here as a backslash, u and four hex digits): ";
        assertFailsCompleteness(UnshownAcceleratorId.class, "an accelerator has id example:gpu-0\\u001b[1A" + holds + "the inventory "
                + "leaves the accelerator out; expected an id of characters that show as themselves");
        assertFailsCompleteness(UnshownInterconnectDomain.class, "accelerator example:gpu-0 has interconnect domain id "
                + "example:nvl-0\\u2028" + holds + "the inventory drops it and takes the accelerator as in no interconnect domain; "
                + "expected an interconnect domain id of characters that show as themselves");
        assertFailsCompleteness(UnshownInterconnectMember.class, "interconnect example:nvl-0 has member id example:gpu-1\\u200e" + holds
                + "the inventory drops it from the interconnect's members; expected a member id of characters that show as themselves");
        assertFailsCompleteness(UnshownPathEnd.class, "the device path from example:gpu-0 to ib0\\u009b has end ib0\\u009b" + holds
                + "the inventory drops the path; expected an end of characters that show as themselves");
    }

    /** Exactly the two tests that check a snapshot's completeness fail for the contract, each with the message. */
    private static void assertFailsCompleteness(Class<?> contract, String message) {
        Map<String, String> failures = failures(contract);
        assertThat(failures).as(contract.getSimpleName()).containsOnlyKeys("snapshotsAreComplete", "concurrentCallsAreSafe");
        assertThat(failures.values()).as(contract.getSimpleName()).allSatisfy(m -> assertThat(m).contains(message));
    }
}
