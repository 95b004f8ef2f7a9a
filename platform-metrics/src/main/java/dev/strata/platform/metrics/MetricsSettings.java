package dev.strata.platform.metrics;

import java.nio.file.Path;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics endpoint's configuration ({@value #PID}): who may scrape ({@link ScrapeAuth}). A
 * component apart from the servlet, so that a change of it never changes the servlet's service:
 * Declarative Services copies a component's configuration into the properties of the service it
 * registers, and the HTTP whiteboard takes a servlet service whose properties changed away and
 * registers it again, so {@code /metrics} answered 404 for a moment after every change (a
 * rotated token file setting, a scrape in between). Thread-safe.
 */
@Component(service = MetricsSettings.class, configurationPid = MetricsSettings.PID, immediate = true)
@Designate(ocd = MetricsConfig.class)
public class MetricsSettings {

    /** The configuration's PID. */
    static final String PID = "dev.strata.platform.metrics";
    private static final Logger LOG = LoggerFactory.getLogger(MetricsSettings.class);

    private volatile ScrapeAuth auth = ScrapeAuth.open();

    @Activate
    @Modified
    void configure(MetricsConfig config) {
        ScrapeAuth configured = ScrapeAuth.configured(config.tokenFile(), Path.of(System.getProperty("karaf.etc", "etc")));
        auth = configured;
        LOG.info("Metrics endpoint /metrics: {}", configured);
    }

    /** Who may scrape now. */
    ScrapeAuth auth() {
        return auth;
    }
}
