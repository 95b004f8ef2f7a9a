package dev.strata.platform.core.inventory;

import dev.strata.platform.api.exception.ProviderTimeoutException;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * Provider calls the inventory makes (discoveries), counted when each call ends, by provider,
 * capability and outcome, with their latency: {@code ok}, {@code timeout} (past its deadline, or
 * not made because the last call is still in the provider) or {@code error}. Provider ids are
 * plain words, capabilities a handful: the label sets stay small.
 */
final class ProviderCallMetrics {

    static final String DISCOVERY = "discovery";

    private final Counter calls = Counter.builder().name("strata_provider_calls_total")
            .help("Provider calls, by provider, capability, call (discovery) and outcome (ok, timeout, error)")
            .labelNames("provider", "capability", "call", "outcome").withoutExemplars().build();
    private final Histogram latency = Histogram.builder().name("strata_provider_call_duration_seconds")
            .help("How long provider calls took until they returned, failed or ran past their deadline, by provider, capability and call")
            .labelNames("provider", "capability", "call").classicOnly().withoutExemplars().build();

    /**
     * A call that ended.
     *
     * @param error the call's failure, unwrapped, or null
     * @param nanos how long it took; negative for a call that was not made
     */
    void ended(String provider, String capability, String call, Throwable error, long nanos) {
        String outcome = error == null ? "ok" : error instanceof ProviderTimeoutException ? "timeout" : "error";
        calls.labelValues(provider, capability, call, outcome).inc();
        if (nanos >= 0) {
            latency.labelValues(provider, capability, call).observe(Unit.nanosToSeconds(nanos));
        }
    }

    MetricSnapshots collect() {
        return MetricSnapshots.of(calls.collect(), latency.collect());
    }
}
