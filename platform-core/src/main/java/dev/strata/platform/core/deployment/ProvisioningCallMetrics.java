package dev.strata.platform.core.deployment;

import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * The deployment engine's calls of provisioning providers ({@code create}, {@code find},
 * {@code describe}, {@code list}, {@code delete}), counted as the caller saw each end, by provider,
 * call and outcome, with how long the caller waited: {@code ok}; {@code timeout} (past
 * {@code operationTimeout}, or not made because the last call for the same member or machine is
 * still in the provider); {@code unavailable} (the provider is being replaced or cannot be
 * reached); {@code error} (any other failure). Provider ids are plain words and the calls five:
 * the label sets stay small.
 */
final class ProvisioningCallMetrics {

    static final String CREATE = "create";
    static final String FIND = "find";
    static final String DESCRIBE = "describe";
    static final String LIST = "list";
    static final String DELETE = "delete";

    private final Counter calls = Counter.builder().name("strata_provisioning_calls_total")
            .help("Provisioning provider calls of the deployment engine, by provider, call (create, find, describe, list, delete) and "
                    + "outcome (ok, timeout, unavailable, error)")
            .labelNames("provider", "call", "outcome").withoutExemplars().build();
    private final Histogram latency = Histogram.builder().name("strata_provisioning_call_duration_seconds")
            .help("How long the deployment engine waited for provisioning provider calls, by provider and call (calls not made are "
                    + "not observed)")
            .labelNames("provider", "call").classicOnly().withoutExemplars().build();

    /**
     * A call that ended as its caller saw it.
     *
     * @param error what the caller got instead of an answer, or null
     * @param nanos how long the caller waited; negative for a call that was not made
     */
    void ended(String provider, String call, Throwable error, long nanos) {
        calls.labelValues(provider, call, outcome(error)).inc();
        if (nanos >= 0) {
            latency.labelValues(provider, call).observe(Unit.nanosToSeconds(nanos));
        }
    }

    static String outcome(Throwable error) {
        if (error == null) {
            return "ok";
        }
        if (error instanceof ProviderTimeoutException) {
            return "timeout";
        }
        return error instanceof ProviderUnavailableException ? "unavailable" : "error";
    }

    MetricSnapshots collect() {
        return MetricSnapshots.of(calls.collect(), latency.collect());
    }
}
