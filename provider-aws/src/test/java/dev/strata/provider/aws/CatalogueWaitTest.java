package dev.strata.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Compute and fabric discovery read a region's catalogue once between them: a call that finds
 * another reading it waits for that read at most until its own deadline. EC2 is moto behind the
 * proxy, which holds the first DescribeAvailabilityZones for 10 s (what moto never does). Before,
 * the waiting call sat on the read's monitor for as long as the read took, far past its deadline.
 */
class CatalogueWaitTest {

    @Test
    void aCallWaitingForAnotherCallsCatalogueReadGivesUpAtItsOwnDeadline() throws Exception {
        Moto moto = Moto.shared();
        moto.reset();
        try (Ec2Proxy proxy = new Ec2Proxy(moto.endpoint())) {
            java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean();
            proxy.inject(call -> call.action().equals("DescribeAvailabilityZones") && held.compareAndSet(false, true)
                    ? Ec2Proxy.Answer.hang(Duration.ofSeconds(10)) : null);
            AwsProvider provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "endpoint", proxy.endpoint().toString(),
                    "regions", "eu-central-1", "requestTimeout", "20s")), Clock.systemUTC());
            ExecutorService first = Executors.newSingleThreadExecutor();
            try {
                Future<?> patient = first.submit(() -> provider.discoverCompute(DiscoveryContext.withTimeout("patient", Duration.ofSeconds(30))));
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (proxy.calls("DescribeAvailabilityZones").isEmpty()) {
                    assertThat(System.nanoTime()).as("the first call's catalogue read reached EC2").isLessThan(until);
                    Thread.sleep(20);
                }
                long start = System.nanoTime();
                assertThatThrownBy(() -> provider.discoverFabrics(DiscoveryContext.withTimeout("hurried", Duration.ofMillis(800))))
                        .isInstanceOf(ProviderTimeoutException.class)
                        .hasMessageContaining("another call was still reading the eu-central-1 catalogue when this one's deadline passed "
                                + "(operation hurried)");
                // well before the held read ends (10 s after it reached EC2), with room for a loaded machine
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("given up at its own deadline").isLessThan(Duration.ofSeconds(6));
                patient.get(60, TimeUnit.SECONDS);
            } finally {
                first.shutdownNow();
                provider.deactivate();
            }
        }
    }
}
