package dev.strata.platform.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MultiCollector;
import java.io.IOException;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Component;
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
 * written to memory first, so that a failure answers 500 rather than a truncated page. Strata's
 * own collectors read in-memory state only; none of them calls a provider. Every collector is
 * read with a deadline ({@link MetricSources}): one that hangs is left out, and does not hold the
 * request.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/metrics")
@HttpWhiteboardServletName("strata-metrics")
public class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient MetricSources sources = new MetricSources();

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
        Exposition.Rendered page = Exposition.render(sources.collect(), request.getHeader("Accept"));
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(page.contentType());
        response.setContentLength(page.body().length);
        response.getOutputStream().write(page.body());
    }
}
