package dev.strata.platform.metrics;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes a scrape in the format the scraper asks for: OpenMetrics text when its {@code Accept}
 * header names {@code application/openmetrics-text}, else the Prometheus text format 0.0.4.
 */
final class Exposition {

    private static final ExpositionFormatWriter OPEN_METRICS = OpenMetricsTextFormatWriter.create();
    private static final ExpositionFormatWriter TEXT = PrometheusTextFormatWriter.create();

    /** A scrape written out: its content type and body. */
    record Rendered(String contentType, byte[] body) {
    }

    private Exposition() {
    }

    /**
     * @param accept the request's {@code Accept} header, or null
     */
    static Rendered render(MetricSnapshots families, String accept) {
        ExpositionFormatWriter writer = accept != null && OPEN_METRICS.accepts(accept) ? OPEN_METRICS : TEXT;
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, families, EscapingScheme.fromAcceptHeader(accept));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Rendered(writer.getContentType(), out.toByteArray());
    }
}
