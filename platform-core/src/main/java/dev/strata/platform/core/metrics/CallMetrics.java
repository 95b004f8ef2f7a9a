package dev.strata.platform.core.metrics;

import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Calls of provider services, counted when each ends, by its labels and outcome, with how long it
 * took: the inventory's discoveries ({@link #discoveries()}) and the deployment engine's
 * provisioning calls ({@link #provisioning()}). Provider ids are plain words, capabilities and
 * calls a handful: the label sets stay small. Thread-safe.
 */
public final class CallMetrics {

    public static final String DISCOVERY = "discovery";
    public static final String CREATE = "create";
    public static final String FIND = "find";
    public static final String DESCRIBE = "describe";
    public static final String LIST = "list";
    public static final String DELETE = "delete";

    private final Counter calls;
    private final Histogram latency;
    private final Function<Throwable, String> outcomes;

    private CallMetrics(String name, String callsHelp, String latencyHelp, Function<Throwable, String> outcomes, String... labelNames) {
        String[] withOutcome = Arrays.copyOf(labelNames, labelNames.length + 1);
        withOutcome[labelNames.length] = "outcome";
        this.calls = Counter.builder().name(name + "_calls_total").help(callsHelp).labelNames(withOutcome).withoutExemplars().build();
        this.latency = Histogram.builder().name(name + "_call_duration_seconds").help(latencyHelp).labelNames(labelNames).classicOnly()
                .withoutExemplars().build();
        this.outcomes = outcomes;
    }

    /**
     * The inventory's discoveries, by provider, capability and call ({@link #DISCOVERY}), with
     * the outcome {@code ok}, {@code timeout} (past its deadline, or not made because the last
     * call is still in the provider) or {@code error}.
     */
    public static CallMetrics discoveries() {
        return new CallMetrics("strata_provider",
                "Provider calls, by provider, capability, call (discovery) and outcome (ok, timeout, error)",
                "How long provider calls took until they returned, failed or ran past their deadline, by provider, capability and call",
                e -> e instanceof ProviderTimeoutException ? "timeout" : "error", "provider", "capability", "call");
    }

    /**
     * The deployment engine's calls of provisioning providers ({@link #CREATE}, {@link #FIND},
     * {@link #DESCRIBE}, {@link #LIST}, {@link #DELETE}), by provider and call, counted as the
     * caller saw each end, with how long the caller waited: {@code ok}; {@code timeout} (past
     * {@code operationTimeout}, or not made because the last call for the same member or machine
     * is still in the provider); {@code unavailable} (the provider is being replaced or cannot be
     * reached); {@code error} (any other failure).
     */
    public static CallMetrics provisioning() {
        return new CallMetrics("strata_provisioning",
                "Provisioning provider calls of the deployment engine, by provider, call (create, find, describe, list, delete) and "
                        + "outcome (ok, timeout, unavailable, error)",
                "How long the deployment engine waited for provisioning provider calls, by provider and call (calls not made are "
                        + "not observed)",
                e -> e instanceof ProviderTimeoutException ? "timeout" : e instanceof ProviderUnavailableException ? "unavailable" : "error",
                "provider", "call");
    }

    /**
     * A call that ended.
     *
     * @param error what the caller got instead of an answer (unwrapped), or null
     * @param nanos how long it took; negative for a call that was not made
     * @param labelValues the values of the labels other than {@code outcome}, in their order
     */
    public void ended(Throwable error, long nanos, String... labelValues) {
        String[] withOutcome = Arrays.copyOf(labelValues, labelValues.length + 1);
        withOutcome[labelValues.length] = error == null ? "ok" : outcomes.apply(error);
        calls.labelValues(withOutcome).inc();
        if (nanos >= 0) {
            latency.labelValues(labelValues).observe(Unit.nanosToSeconds(nanos));
        }
    }

    public MetricSnapshots collect() {
        return MetricSnapshots.of(calls.collect(), latency.collect());
    }
}
