package dev.strata.platform.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.GpuProvider;
import dev.strata.platform.api.provider.GpuSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    enum NoDriver { UNAVAILABLE_SNAPSHOT, THROWS, EMPTY_WITHOUT_REASON }

    static final class Provider implements GpuProvider {
        private static final AtomicLong CLOCK = new AtomicLong(System.currentTimeMillis() * 1000);
        private final NoDriver noDriver;
        private final boolean broken;

        Provider(NoDriver noDriver, boolean broken) {
            this.noDriver = noDriver;
            this.broken = broken;
        }

        @Override
        public GpuSnapshot discoverGpus(DiscoveryContext context) {
            context.checkDeadline("GPU discovery");
            GpuSnapshot.Builder snapshot = GpuSnapshot.builder(CLOCK.incrementAndGet(), Instant.now());
            if (!broken) {
                return snapshot.accelerators(List.of(Accelerator.builder().id("example:gpu-0").model("H100").build())).build();
            }
            return switch (noDriver) {
                case UNAVAILABLE_SNAPSHOT -> snapshot.unavailableReason("no NVIDIA driver loaded").build();
                case THROWS -> throw new ProviderUnavailableException("nvidia-smi could not communicate with the NVIDIA driver");
                case EMPTY_WITHOUT_REASON -> snapshot.build();
            };
        }
    }

    abstract static class Contract extends GpuProviderContract<Provider> {
        abstract NoDriver noDriver();

        @Override
        protected Provider createProvider() {
            return new Provider(noDriver(), false);
        }

        @Override
        protected Optional<Provider> createBrokenProvider() {
            return Optional.of(new Provider(noDriver(), true));
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

    /** Before, an empty snapshot without a reason passed: the core would take the host for one without GPUs. */
    @Test
    void aGpuProviderThatAnswersWithoutAReasonFailsTheBrokenSourceCheck() {
        assertThat(failures(EmptyWithoutReason.class)).containsOnlyKeys("onlyStrataExceptionsLeaveABrokenProvider")
                .hasEntrySatisfying("onlyStrataExceptionsLeaveABrokenProvider", m -> assertThat(m)
                        .contains("returned a snapshot of 0 accelerator(s) without unavailableReason"));
    }
}
