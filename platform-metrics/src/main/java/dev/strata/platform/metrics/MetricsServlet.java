package dev.strata.platform.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code GET /metrics}: every {@link MultiCollector} and {@link Collector} service, whichever
 * bundle registered it, in the Prometheus text format (OpenMetrics when asked for). The scrape is
 * written to memory first, one family at a time, so that a family that cannot be written is left
 * out whole ({@link Exposition}) rather than truncating the page or failing the scrape. Strata's
 * own collectors read in-memory state only; none of them calls a provider. Every collector is
 * read with a deadline ({@link MetricSources}): one that hangs is left out, and does not hold the
 * request.
 *
 * <p>With {@code tokenFile} configured ({@link MetricsConfig}), a scrape must send the token that
 * file holds as {@code Authorization: Bearer}; one without it is answered 401, and every scrape 503
 * while the file gives no token ({@link ScrapeAuth}). Neither answer says more to the caller.
 */
@Component(service = Servlet.class, configurationPolicy = ConfigurationPolicy.IGNORE)
@HttpWhiteboardServletPattern("/metrics")
@HttpWhiteboardServletName("strata-metrics")
public class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    /** The methods answered (TRACE is refused, other methods are HttpServlet's 405). */
    private static final String ALLOWED_METHODS = "GET, HEAD, OPTIONS";

    private final transient MetricSources sources = new MetricSources();

    /**
     * Who may scrape, from the configuration ({@link MetricsSettings}): read at every scrape, so a
     * change applies to the next one without this servlet's service changing.
     */
    @Reference
    transient MetricsSettings settings;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addMultiCollector(MultiCollector collector) {
        sources.add(collector);
    }

    void removeMultiCollector(MultiCollector collector) {
        sources.remove(collector);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addCollector(Collector collector) {
        sources.add(collector);
    }

    void removeCollector(Collector collector) {
        sources.remove(collector);
    }

    @Deactivate
    void deactivate() {
        sources.close();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        switch (settings.auth().check(request.getHeader("Authorization"))) {
            case UNAUTHORISED -> {
                response.setHeader("WWW-Authenticate", "Bearer realm=\"strata-metrics\"");
                plain(response, HttpServletResponse.SC_UNAUTHORIZED, "a bearer token is required to scrape Strata's metrics\n");
                return;
            }
            case UNAVAILABLE -> {
                plain(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                        "Strata's metrics token file gives no token; Strata's log says what is wrong with it\n");
                return;
            }
            case ALLOWED -> {
                // scraped below
            }
        }
        MetricSnapshots scraped = sources.collect();
        if (scraped == null) {
            // the servlet is being deactivated: its collectors are no longer called (each would have logged a failure)
            plain(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Strata's metrics endpoint is stopping; scrape again shortly\n");
            return;
        }
        Exposition.Rendered page = Exposition.render(scraped, request.getHeader("Accept"));
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(page.contentType());
        response.setContentLength(page.body().length);
        response.getOutputStream().write(page.body());
    }

    /**
     * Refused: HttpServlet's TRACE echoes every header of the request, the scrape token with them,
     * which a proxy that adds the token for its scrapers would hand to anyone who reaches it.
     */
    @Override
    protected void doTrace(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Allow", ALLOWED_METHODS);
        plain(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "only GET and HEAD are answered here\n");
    }

    @Override
    protected void doOptions(HttpServletRequest request, HttpServletResponse response) {
        response.setHeader("Allow", ALLOWED_METHODS);
    }

    private static void plain(HttpServletResponse response, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("text/plain; charset=utf-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
