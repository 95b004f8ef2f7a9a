package dev.strata.platform.metrics;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the metrics endpoint ({@code etc/dev.strata.platform.metrics.cfg}). */
@ObjectClassDefinition(name = "Strata metrics", description = "Who may scrape Strata's /metrics endpoint.")
public @interface MetricsConfig {

    @AttributeDefinition(description = "The file holding the bearer token a scrape must send (Authorization: Bearer <token>; "
            + "Prometheus's authorization.credentials_file); one line of at least " + ScrapeAuth.MIN_TOKEN_LENGTH
            + " visible ASCII characters, read again at every scrape, so it is rotated by rewriting it. A relative path "
            + "is resolved against karaf.etc. Empty: no token asked for (listen on a trusted address only).")
    String tokenFile() default "";
}
