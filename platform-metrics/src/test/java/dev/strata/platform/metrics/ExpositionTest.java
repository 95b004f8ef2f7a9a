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

    /**
     * The format is the one the scraper's Accept header prefers by its q, as Prometheus weighs its
     * scrape_protocols: OpenMetrics was written whenever the header named it at all, so a Prometheus
     * told to prefer the text format, or a scraper refusing OpenMetrics with q=0, got OpenMetrics.
     */
    @Test
    void theFormatTheScraperPrefersByItsQualityIsWritten() {
        for (String accept : new String[] {
                // Prometheus with scrape_protocols: [PrometheusText0.0.4, OpenMetricsText1.0.0]
                "text/plain;version=0.0.4;q=0.5,application/openmetrics-text;version=1.0.0;q=0.4,*/*;q=0.3",
                "application/openmetrics-text;q=0, text/plain", "application/openmetrics-text; Q=0",
                "*/*;q=0.9,application/openmetrics-text;q=0.2", "application/openmetrics-text;q=high", "application/json"}) {
            assertThat(Exposition.render(scrape, accept).contentType()).as(accept).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        }
        for (String accept : new String[] {
                // Prometheus's default scrape_protocols
                "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,"
                        + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
                "text/plain;q=0.5, application/openmetrics-text", "Application/OpenMetrics-Text; version=1.0.0",
                "text/plain;q=0.5, */*, application/openmetrics-text;q=0.5", "application/openmetrics-text;q=0.1"}) {
            Exposition.Rendered page = Exposition.render(scrape, accept);
            assertThat(page.contentType()).as(accept).startsWith("application/openmetrics-text");
            assertThat(new String(page.body(), StandardCharsets.UTF_8)).as(accept).endsWith("# EOF\n");
        }
    }
}
