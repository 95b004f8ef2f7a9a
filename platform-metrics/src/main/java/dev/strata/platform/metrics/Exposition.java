package dev.strata.platform.metrics;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a scrape in the format the scraper asks for: OpenMetrics text when its {@code Accept}
 * header asks for {@code application/openmetrics-text} at least as much as for the text format
 * (by their {@code q}, as Prometheus weighs its {@code scrape_protocols}; {@code q=0} refuses it),
 * else the Prometheus text format 0.0.4.
 *
 * <p>Each family is written on its own, to memory: one that cannot be written (a collector's
 * family with a null label value, which the model accepts and the writer does not) is left out
 * whole, never half written, since Prometheus refuses a whole scrape for one malformed line. The
 * others are written, and every page ends with {@value #RENDER_ERRORS}, the families it left out.
 * A family that fails is logged once, naming it and the exception's type and place but not its
 * message (which may quote label values), until it is written again. Thread-safe.
 */
final class Exposition {

    /** The gauge of the families a scrape left out because they could not be written. */
    static final String RENDER_ERRORS = "strata_metrics_render_errors";

    private static final Logger LOG = LoggerFactory.getLogger(Exposition.class);
    private static final ExpositionFormatWriter OPEN_METRICS = OpenMetricsTextFormatWriter.create();
    private static final ExpositionFormatWriter TEXT = PrometheusTextFormatWriter.create();
    private static final byte[] EOF = "# EOF\n".getBytes(StandardCharsets.UTF_8);

    /** Families whose last writing failed, with the cause logged for them (one endpoint per framework: static). */
    private static final Map<String, String> FAILING = new ConcurrentHashMap<>();

    /** A scrape written out: its content type and body. */
    record Rendered(String contentType, byte[] body) {
    }

    private Exposition() {
    }

    /**
     * @param families the scrape's families, no two of one name ({@link MetricSources} leaves such out)
     * @param accept the request's {@code Accept} header, or null
     */
    static Rendered render(MetricSnapshots families, String accept) {
        ExpositionFormatWriter writer = prefersOpenMetrics(accept) ? OPEN_METRICS : TEXT;
        EscapingScheme escaping = EscapingScheme.fromAcceptHeader(accept);
        ByteArrayOutputStream page = new ByteArrayOutputStream(8192);
        int errors = 0;
        for (MetricSnapshot family : families) {
            String name = family.getMetadata().getPrometheusName();
            byte[] written;
            try {
                written = write(writer, family, escaping);
            } catch (RuntimeException e) {
                errors++;
                failed(name, e);
                continue;
            }
            if (FAILING.remove(name) != null) {
                LOG.info("Metric family {} is written again", name);
            }
            page.writeBytes(written);
        }
        page.writeBytes(write(writer, new Family(RENDER_ERRORS, "Metric families left out of this scrape because they could not be "
                + "written (Strata's log names them)").set(errors).snapshot(), escaping));
        if (writer == OPEN_METRICS) {
            page.writeBytes(EOF);
        }
        return new Rendered(writer.getContentType(), page.toByteArray());
    }

    /**
     * Whether {@code accept} (the request's {@code Accept} header, or null) asks for OpenMetrics at
     * least as much as for the text format: the highest {@code q} of its {@code application/openmetrics-text}
     * ranges (any version) is above 0 and not below the {@code q} of the text format, taken from its
     * most specific range ({@code text/plain}, else {@code text/*}, else {@code *}{@code /*}; none: 0).
     * Media types and parameter names in any case; a range whose {@code q} is not a number from 0 to 1
     * is not counted. Not the writer's own test, which took any header naming OpenMetrics, whatever
     * its {@code q}: a scraper that prefers the text format (Prometheus with
     * {@code scrape_protocols: [PrometheusText0.0.4, OpenMetricsText1.0.0]}) or refuses OpenMetrics
     * ({@code q=0}) was written OpenMetrics.
     */
    static boolean prefersOpenMetrics(String accept) {
        if (accept == null) {
            return false;
        }
        double openMetrics = 0;
        double[] text = {-1, -1, -1}; // text/plain, text/*, */*
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].strip().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String[] parameter = parts[i].split("=", 2);
                if (parameter.length == 2 && parameter[0].strip().equalsIgnoreCase("q")) {
                    q = quality(parameter[1].strip());
                }
            }
            if (Double.isNaN(q)) {
                continue;
            }
            switch (type) {
                case "application/openmetrics-text" -> openMetrics = Math.max(openMetrics, q);
                case "text/plain" -> text[0] = Math.max(text[0], q);
                case "text/*" -> text[1] = Math.max(text[1], q);
                case "*/*" -> text[2] = Math.max(text[2], q);
                default -> {
                    // another format: neither of these
                }
            }
        }
        double textQuality = text[0] >= 0 ? text[0] : text[1] >= 0 ? text[1] : Math.max(0, text[2]);
        return openMetrics > 0 && openMetrics >= textQuality;
    }

    /** A {@code q} parameter's value, NaN when it is not a number from 0 to 1. */
    private static double quality(String value) {
        try {
            double q = Double.parseDouble(value);
            return q >= 0 && q <= 1 ? q : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** One family as the writer writes it, without the {@code # EOF} that ends an OpenMetrics page. */
    private static byte[] write(ExpositionFormatWriter writer, MetricSnapshot family, EscapingScheme escaping) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try {
            writer.write(out, MetricSnapshots.of(family), escaping);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] written = out.toByteArray();
        if (writer == OPEN_METRICS && written.length >= EOF.length
                && Arrays.equals(written, written.length - EOF.length, written.length, EOF, 0, EOF.length)) {
            return Arrays.copyOf(written, written.length - EOF.length);
        }
        return written;
    }

    private static void failed(String family, RuntimeException e) {
        StackTraceElement[] at = e.getStackTrace();
        // the type and place only: the message may quote label values (tenants, ids)
        String cause = e.getClass().getName() + (at.length > 0 ? " at " + at[0] : "");
        if (!cause.equals(FAILING.put(family, cause))) {
            LOG.warn("Metric family {} left out of the scrape: it could not be written ({}); expected label values that are not null "
                    + "and no two series with the same labels. Logged again only when the cause changes", family, cause);
        } else {
            LOG.debug("Metric family {} left out again: {}", family, cause);
        }
    }
}
