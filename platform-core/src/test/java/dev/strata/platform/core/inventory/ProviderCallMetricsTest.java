package dev.strata.platform.core.inventory;

import static dev.strata.platform.core.inventory.TestNodes.compute;
import static dev.strata.platform.core.inventory.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.provider.Capability;
import dev.strata.platform.core.metrics.Scraped;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each discovery the inventory makes is counted once, under its provider and outcome, when it ends. */
class ProviderCallMetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private ProviderDirectory directory = directory(Duration.ofSeconds(30));
    private final AtomicInteger calls = new AtomicInteger();

    private static ProviderDirectory directory(Duration timeout) {
        return new ProviderDirectory(new InventorySettings(Duration.ofHours(1), timeout, WAIT, Duration.ofMinutes(15)), new DeadlineExecutor(8),
                Clock.systemUTC());
    }

    @AfterEach
    void close() {
        directory.close();
    }

    private void register(String id, Registration.Discoverer discoverer) {
        directory.register(new Registration(id, id, "1", "bundle." + id, 1, Capability.COMPUTE, ctx -> {
            calls.incrementAndGet();
            return discoverer.discover(ctx);
        }));
    }

    private Scraped scrape() {
        return new Scraped(directory.metrics().collect());
    }

    /** The provider's discovery counters and latency count, only those not 0. */
    private static Map<String, Double> counts(Scraped s, String provider) {
        Map<String, Double> out = new TreeMap<>();
        for (String outcome : new String[] {"ok", "error", "timeout"}) {
            double v = s.value("strata_provider_calls", "provider", provider, "capability", "COMPUTE", "call", "discovery", "outcome", outcome);
            if (v != 0) {
                out.put(outcome, v);
            }
        }
        long n = s.histogramCount("strata_provider_call_duration_seconds", "provider", provider, "capability", "COMPUTE", "call", "discovery");
        if (n != 0) {
            out.put("latency", (double) n);
        }
        return out;
    }

    private static Map<String, Double> minus(Map<String, Double> after, Map<String, Double> before) {
        Map<String, Double> out = new TreeMap<>();
        after.forEach((k, v) -> {
            double d = v - before.getOrDefault(k, 0.0);
            if (d != 0) {
                out.put(k, d);
            }
        });
        return out;
    }

    @Test
    void aDiscoveryThatSucceedsIsCountedOk() {
        register("good", ctx -> compute(1, node("g1", "good", "g")));
        directory.refresh("good", WAIT);
        // every call made so far ended, and each was counted once
        assertThat(counts(scrape(), "good")).isEqualTo(Map.of("ok", (double) calls.get(), "latency", (double) calls.get()));
        Map<String, Double> before = counts(scrape(), "good");
        directory.refresh("good", WAIT);
        assertThat(minus(counts(scrape(), "good"), before)).isEqualTo(Map.of("ok", 1.0, "latency", 1.0));
    }

    @Test
    void aDiscoveryThatThrowsIncrementsItsProvidersErrorCounterAndNoOther() {
        register("good", ctx -> compute(1, node("g1", "good", "g")));
        register("broken", ctx -> {
            throw new IllegalStateException("BMC unreachable");
        });
        directory.refresh("good", WAIT);
        assertThatThrownBy(() -> directory.refresh("broken", WAIT)).isInstanceOf(ProviderFailureException.class);
        Map<String, Double> good = counts(scrape(), "good");
        Map<String, Double> before = counts(scrape(), "broken");
        assertThat(before.keySet()).containsExactlyInAnyOrder("error", "latency");

        assertThatThrownBy(() -> directory.refresh("broken", WAIT)).isInstanceOf(ProviderFailureException.class);
        assertThat(minus(counts(scrape(), "broken"), before)).isEqualTo(Map.of("error", 1.0, "latency", 1.0));
        assertThat(counts(scrape(), "good")).as("another provider's counters").isEqualTo(good);
    }

    @Test
    void aDiscoveryPastItsDeadlineIncrementsItsTimeoutCounter() {
        directory.close();
        directory = directory(Duration.ofMillis(200));
        CountDownLatch never = new CountDownLatch(1);
        register("slow", ctx -> {
            try {
                never.await(); // until the deadline interrupts it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return compute(1);
        });
        assertThatThrownBy(() -> directory.refresh("slow", WAIT)).isInstanceOf(ProviderTimeoutException.class);
        Map<String, Double> before = counts(scrape(), "slow");
        assertThat(before).containsKey("timeout").doesNotContainKeys("ok", "error");

        assertThatThrownBy(() -> directory.refresh("slow", WAIT)).isInstanceOf(ProviderTimeoutException.class);
        Map<String, Double> moved = minus(counts(scrape(), "slow"), before);
        // made and run past its deadline (with its latency), or not made because the last call is still in the provider (without)
        assertThat(moved.get("timeout")).isEqualTo(1.0);
        assertThat(moved.keySet()).isSubsetOf("timeout", "latency");
    }
}
