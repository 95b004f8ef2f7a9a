package dev.strata.platform.core.deployment;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of deployments and their reconciler ({@code etc/dev.strata.platform.core.deployment.cfg}).
 * Durations are a number with a unit ({@code ms}, {@code s}, {@code m}, {@code h}, ...); a bare number is seconds.
 */
@ObjectClassDefinition(name = "Strata deployments", description = "How deployments are provisioned and reconciled.")
public @interface DeploymentConfig {

    @AttributeDefinition(description = "Interval between reconciler passes while every deployment is settled (ready, degraded, failed), "
            + "e.g. 30s. At least 1s.")
    String reconcileInterval() default "30s";

    @AttributeDefinition(description = "Interval between passes while a deployment is being provisioned or deleted, e.g. 2s. At least 100ms.")
    String pollInterval() default "2s";

    @AttributeDefinition(description = "Deadline of one provider call (create, describe, delete, listing), e.g. 60s. At least 1s.")
    String operationTimeout() default "60s";

    @AttributeDefinition(description = "First wait before a provider call that failed is tried again, e.g. 2s; doubled at every failure. At least 10ms.")
    String retryBackoff() default "2s";

    @AttributeDefinition(description = "The longest wait between tries, e.g. 5m. At least retryBackoff.")
    String retryBackoffMax() default "5m";

    @AttributeDefinition(description = "Provider calls made at once, 1 to 256.")
    int workers() default 8;

    @AttributeDefinition(description = "What to do with a machine a provider lists with Strata's labels that belongs to no live deployment "
            + "(an unknown or deleted deployment, a superseded operation): delete (and record it) or report (record it only).")
    String leaks() default "delete";
}
