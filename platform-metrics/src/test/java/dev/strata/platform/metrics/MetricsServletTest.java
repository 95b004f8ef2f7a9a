package dev.strata.platform.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The servlet as the HTTP whiteboard calls it, with a scrape token configured: which methods answer, and what. */
class MetricsServletTest {

    private static final String TOKEN = "3f9c1e7a2b8d4c6e0a5f1b9d7c3e2a4f";

    @TempDir
    Path etc;
    private MetricsServlet servlet;

    /** What the servlet answered. */
    static final class Answer {
        int status = 200;
        final Map<String, String> headers = new LinkedHashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        String body() {
            return body.toString(StandardCharsets.UTF_8);
        }
    }

    @BeforeEach
    void configure() throws IOException {
        Files.writeString(etc.resolve("metrics.token"), TOKEN + "\n");
        System.setProperty("karaf.etc", etc.toString());
        servlet = new MetricsServlet();
        MetricsSettings settings = new MetricsSettings();
        settings.configure(config("metrics.token"));
        servlet.settings = settings;
    }

    @AfterEach
    void close() {
        System.clearProperty("karaf.etc");
        servlet.deactivate();
    }

    /**
     * The servlet is configured through a component of its own: Declarative Services copies a
     * component's configuration into its service's properties, and the HTTP whiteboard registers a
     * servlet whose service properties changed again, so a configuration change made /metrics
     * answer 404 for a moment (MetricsIT saw it in CI). The servlet ignores configuration; the
     * settings component has the PID and the metatype.
     */
    @Test
    void theServletsServiceDoesNotChangeWhenTheConfigurationDoes() throws IOException {
        String servletXml = descriptor("dev.strata.platform.metrics.MetricsServlet");
        org.assertj.core.api.Assertions.assertThat(servletXml).contains("configuration-policy=\"ignore\"")
                .doesNotContain("configuration-pid");
        String settingsXml = descriptor("dev.strata.platform.metrics.MetricsSettings");
        org.assertj.core.api.Assertions.assertThat(settingsXml).contains("configuration-pid=\"dev.strata.platform.metrics\"")
                .contains("modified=\"configure\"");
    }

    /** The component descriptor bnd generated for a class, as the bundle carries it. */
    private static String descriptor(String component) throws IOException {
        try (java.io.InputStream in = MetricsServletTest.class.getClassLoader().getResourceAsStream("OSGI-INF/" + component + ".xml")) {
            org.assertj.core.api.Assertions.assertThat(in).as("OSGI-INF/" + component + ".xml").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static MetricsConfig config(String tokenFile) {
        return (MetricsConfig) Proxy.newProxyInstance(MetricsConfig.class.getClassLoader(), new Class<?>[] {MetricsConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "tokenFile" -> tokenFile;
                    case "annotationType" -> MetricsConfig.class;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** The answer to {@code method /metrics} sending {@code authorization} (null: none). */
    Answer call(String method, String authorization) throws Exception {
        return call(method, authorization, null);
    }

    /** The answer to {@code method /metrics} sending {@code authorization} and {@code accept} (null: none). */
    Answer call(String method, String authorization, String accept) throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", "127.0.0.1:8181");
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        if (accept != null) {
            headers.put("Accept", accept);
        }
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "getMethod" -> method;
                    case "getRequestURI" -> "/metrics";
                    case "getProtocol" -> "HTTP/1.1";
                    case "getHeader" -> headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase((String) args[0]))
                            .map(Map.Entry::getValue).findFirst().orElse(null);
                    case "getHeaderNames" -> Collections.enumeration(headers.keySet());
                    case "getHeaders" -> Collections.enumeration(headers.entrySet().stream()
                            .filter(e -> e.getKey().equalsIgnoreCase((String) args[0])).map(Map.Entry::getValue).toList());
                    case "getDateHeader" -> -1L;
                    case "getCharacterEncoding", "getContentType", "getQueryString", "getPathInfo" -> null;
                    case "getServletPath" -> "/metrics";
                    case "getRequestURL" -> new StringBuffer("http://127.0.0.1:8181/metrics");
                    case "toString" -> method + " /metrics";
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        Answer answer = new Answer();
        ServletOutputStream out = new ServletOutputStream() {
            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
            }

            @Override
            public void write(int b) {
                answer.body.write(b);
            }
        };
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, m, args) -> {
                    switch (m.getName()) {
                        case "setStatus" -> answer.status = (Integer) args[0];
                        case "sendError" -> answer.status = (Integer) args[0];
                        case "setHeader", "addHeader" -> answer.headers.put((String) args[0], (String) args[1]);
                        case "setContentType" -> answer.headers.put("Content-Type", (String) args[0]);
                        case "setContentLength" -> answer.headers.put("Content-Length", String.valueOf(args[0]));
                        case "getOutputStream" -> {
                            return out;
                        }
                        case "getCharacterEncoding" -> {
                            return "ISO-8859-1";
                        }
                        case "containsHeader" -> {
                            return answer.headers.containsKey((String) args[0]);
                        }
                        case "isCommitted" -> {
                            return false;
                        }
                        case "setCharacterEncoding", "setLocale", "flushBuffer", "setBufferSize", "reset", "resetBuffer" -> {
                        }
                        case "toString" -> {
                            return "response";
                        }
                        default -> throw new UnsupportedOperationException(m.getName());
                    }
                    return null;
                });
        servlet.service(request, response);
        return answer;
    }

    @Test
    void aGetOrHeadIsAnsweredOnlyWithTheToken() throws Exception {
        assertThat(call("GET", "Bearer " + TOKEN).status).isEqualTo(200);
        Answer refused = call("GET", "Bearer " + TOKEN.substring(1));
        assertThat(refused.status).isEqualTo(401);
        assertThat(refused.headers).containsEntry("WWW-Authenticate", "Bearer realm=\"strata-metrics\"");
        assertThat(call("HEAD", null).status).isEqualTo(401);
        assertThat(call("HEAD", "Bearer " + TOKEN).status).isEqualTo(200);
    }

    /**
     * TRACE is refused: HttpServlet's own answer echoes every header of the request, the scrape
     * token with them, which a proxy that adds the token for its scrapers would hand to anyone who
     * reaches it. OPTIONS says what is allowed, without TRACE.
     */
    @Test
    void traceIsRefusedAndNeverEchoesTheAuthorization() throws Exception {
        for (String authorization : new String[] {"Bearer " + TOKEN, null, "Bearer wrong-token-0123456789"}) {
            Answer trace = call("TRACE", authorization);
            assertThat(trace.status).as("TRACE sending %s", authorization).isEqualTo(405);
            assertThat(trace.body()).doesNotContain(TOKEN).doesNotContain("Authorization").doesNotContain("wrong-token");
            assertThat(trace.headers).containsEntry("Allow", "GET, HEAD, OPTIONS");
        }
        Answer options = call("OPTIONS", null);
        assertThat(options.status).isEqualTo(200);
        assertThat(options.headers.get("Allow")).doesNotContain("TRACE").contains("GET");
        assertThat(call("POST", "Bearer " + TOKEN).status).isEqualTo(405);
    }

    /**
     * A family the writer cannot write (here a vendor's gauge with a null label value, which the
     * model accepts) failed the whole scrape: the exception left the servlet, and the container
     * answered 500 with its error page, so Prometheus lost every series, Strata's too. The family is
     * left out, the others are written, and the page says how many it left out; nothing of the
     * failure reaches the scraper.
     */
    @Test
    void aFamilyThatCannotBeWrittenIsLeftOutAndTheRestIsServed() throws Exception {
        servlet.addCollector((Collector) () -> GaugeSnapshot.builder().name("vendor_broken").help("broken")
                .dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("tenant", null)).value(1).build()).build());
        servlet.addMultiCollector((MultiCollector) () -> MetricSnapshots.of(
                GaugeSnapshot.builder().name("vendor_a").dataPoint(GaugeDataPointSnapshot.builder().value(1).build()).build(),
                GaugeSnapshot.builder().name("vendor_z").dataPoint(GaugeDataPointSnapshot.builder().value(2).build()).build(),
                // a vendor's family of the endpoint's name cannot hide it
                GaugeSnapshot.builder().name("strata_metrics_render_errors").dataPoint(GaugeDataPointSnapshot.builder().value(0).build())
                        .build()));
        Answer text = call("GET", "Bearer " + TOKEN);
        assertThat(text.status).isEqualTo(200);
        assertThat(text.body()).contains("vendor_a 1.0\n", "vendor_z 2.0\n", "strata_metrics_collector_errors 0.0\n",
                "# TYPE strata_metrics_render_errors gauge\nstrata_metrics_render_errors 1.0\n")
                .doesNotContain("vendor_broken", "Exception", "tenant", "strata_metrics_render_errors 0.0").endsWith("\n");
        Answer open = call("GET", "Bearer " + TOKEN, "application/openmetrics-text;version=1.0.0");
        assertThat(open.status).isEqualTo(200);
        assertThat(open.body()).contains("vendor_a 1.0\n", "vendor_z 2.0\n", "strata_metrics_render_errors 1.0\n")
                .doesNotContain("vendor_broken").endsWith("strata_metrics_render_errors 1.0\n# EOF\n");
        assertThat(open.body().indexOf("# EOF")).isEqualTo(open.body().length() - "# EOF\n".length());
    }

    /**
     * A scrape that came while the servlet was being deactivated called collectors on threads
     * already shut down: each was logged as a failed collector with a stack trace, and the page
     * said they failed. It is answered 503, saying the endpoint is stopping.
     */
    @Test
    void aScrapeOnceDeactivationBeganIsAnswered503() throws Exception {
        servlet.addMultiCollector((MultiCollector) () -> MetricSnapshots.of(
                GaugeSnapshot.builder().name("vendor_a").dataPoint(GaugeDataPointSnapshot.builder().value(1).build()).build()));
        assertThat(call("GET", "Bearer " + TOKEN).status).isEqualTo(200);
        servlet.deactivate();
        Answer stopping = call("GET", "Bearer " + TOKEN);
        assertThat(stopping.status).isEqualTo(503);
        assertThat(stopping.body()).isEqualTo("Strata's metrics endpoint is stopping; scrape again shortly\n").doesNotContain("vendor_a");
        // the token is still asked for first
        assertThat(call("GET", null).status).isEqualTo(401);
    }
}
