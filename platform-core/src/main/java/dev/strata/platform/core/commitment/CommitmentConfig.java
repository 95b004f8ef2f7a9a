package dev.strata.platform.core.commitment;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the verifier ({@code etc/dev.strata.platform.core.commitment.cfg}). A duration is
 * a number with a unit ({@code ms}, {@code s}, {@code m}, {@code h}, ...); a bare number is seconds.
 */
@ObjectClassDefinition(name = "Strata commitments", description = "How often what placement committed to is verified.")
public @interface CommitmentConfig {

    @AttributeDefinition(description = "Interval between passes that verify every allocation, e.g. 1m; at least 1s. "
            + "0: only on demand (strata:commitments).")
    String interval() default "1m";

    @AttributeDefinition(description = "How far back GPU telemetry counts when an allocation is verified, e.g. 1m; at least 1s. "
            + "A power ceiling is held to each GPU's mean draw over its samples in that window; uncorrected ECC errors are read "
            + "from the latest sample in it.")
    String telemetryWindow() default "1m";
}
