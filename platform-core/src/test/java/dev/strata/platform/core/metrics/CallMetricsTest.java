package dev.strata.platform.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The two families of provider calls keep their names, labels and outcomes. */
class CallMetricsTest {

    private static List<String> labelNames(CallMetrics metrics, String family) {
        MetricSnapshot f = metrics.collect().stream().filter(m -> m.getMetadata().getName().equals(family)).findFirst().orElseThrow();
        List<String> names = new java.util.ArrayList<>();
        f.getDataPoints().get(0).getLabels().forEach(l -> names.add(l.getName()));
        return names;
    }

    @Test
    void discoveriesAreOkTimeoutOrErrorByProviderCapabilityAndCall() {
        CallMetrics m = CallMetrics.discoveries();
        m.ended(null, 1_000_000, "aws", "COMPUTE", CallMetrics.DISCOVERY);
        m.ended(new ProviderTimeoutException("late"), 2_000_000, "aws", "COMPUTE", CallMetrics.DISCOVERY);
        m.ended(new ProviderUnavailableException("down"), 3_000_000, "aws", "COMPUTE", CallMetrics.DISCOVERY);
        m.ended(new ProviderTimeoutException("still running"), -1, "aws", "COMPUTE", CallMetrics.DISCOVERY);
        Scraped s = new Scraped(m.collect());
        String[] call = {"capability", "COMPUTE", "call", "discovery", "provider", "aws"};
        assertThat(s.value("strata_provider_calls", with(call, "outcome", "ok"))).isEqualTo(1);
        assertThat(s.value("strata_provider_calls", with(call, "outcome", "timeout"))).isEqualTo(2);
        // the inventory has no unavailable outcome: an unreachable provider is an error
        assertThat(s.value("strata_provider_calls", with(call, "outcome", "error"))).isEqualTo(1);
        assertThat(s.value("strata_provider_calls", with(call, "outcome", "unavailable"))).isZero();
        // a call not made is counted, not observed
        assertThat(s.histogramCount("strata_provider_call_duration_seconds", call)).isEqualTo(3);
        assertThat(labelNames(m, "strata_provider_calls")).containsExactlyInAnyOrder("provider", "capability", "call", "outcome");
    }

    @Test
    void provisioningCallsAreOkTimeoutUnavailableOrErrorByProviderAndCall() {
        CallMetrics m = CallMetrics.provisioning();
        m.ended(null, 1_000_000, "lab", CallMetrics.CREATE);
        m.ended(new ProviderTimeoutException("late"), 2_000_000, "lab", CallMetrics.CREATE);
        m.ended(new ProviderUnavailableException("down"), 3_000_000, "lab", CallMetrics.CREATE);
        m.ended(new ProviderFailureException("quota"), 4_000_000, "lab", CallMetrics.CREATE);
        Scraped s = new Scraped(m.collect());
        for (String outcome : new String[] {"ok", "timeout", "unavailable", "error"}) {
            assertThat(s.value("strata_provisioning_calls", "call", "create", "outcome", outcome, "provider", "lab")).as(outcome).isEqualTo(1);
        }
        assertThat(s.histogramCount("strata_provisioning_call_duration_seconds", "call", "create", "provider", "lab")).isEqualTo(4);
        assertThat(labelNames(m, "strata_provisioning_calls")).containsExactlyInAnyOrder("provider", "call", "outcome");
    }

    private static String[] with(String[] labels, String name, String value) {
        String[] out = java.util.Arrays.copyOf(labels, labels.length + 2);
        out[labels.length] = name;
        out[labels.length + 1] = value;
        return out;
    }
}
