package dev.strata.platform.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ExpositionTest {

    final MetricSnapshots scrape = MetricSnapshots.of(new Family("strata_allocations", "Allocations in the ledger").set(3).snapshot());

    @Test
    void prometheusTextUnlessOpenMetricsIsAskedFor() {
        for (String accept : new String[] {null, "text/plain", "*/*", "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"}) {
            Exposition.Rendered page = Exposition.render(scrape, accept);
            assertThat(page.contentType()).as(accept).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            assertThat(new String(page.body(), StandardCharsets.UTF_8)).as(accept)
                    .isEqualTo("# HELP strata_allocations Allocations in the ledger\n# TYPE strata_allocations gauge\nstrata_allocations 3.0\n"
                            + "# HELP strata_metrics_render_errors Metric families left out of this scrape because they could not be written "
                            + "(Strata's log names them)\n# TYPE strata_metrics_render_errors gauge\nstrata_metrics_render_errors 0.0\n");
        }
        Exposition.Rendered open = Exposition.render(scrape, "application/openmetrics-text;version=1.0.0,text/plain;q=0.5");
        assertThat(open.contentType()).startsWith("application/openmetrics-text");
        assertThat(new String(open.body(), StandardCharsets.UTF_8)).contains("strata_allocations 3.0\n").endsWith("# EOF\n");
    }
}
