package dev.strata.platform.core.placement;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of placement ({@code etc/dev.strata.platform.core.placement.cfg}). */
@ObjectClassDefinition(name = "Strata placement", description = "How contracts are placed on the inventory.")
public @interface PlacementConfig {

    @AttributeDefinition(description = "Packing policy: strata (fragmentation-aware, the default), fgd (Fragmentation "
            + "Gradient Descent as published), bestfit, or random (not deterministic); strata:name=value,... for Strata with "
            + "other weights, e.g. strata:ss=1000 for the Sum-of-Squares term.")
    String policy() default "strata";

    @AttributeDefinition(description = "How many placement decisions may run at once, each on its own copy of the capacity "
            + "model (memory grows with it); 0 for as many as the machine has processors, at least 2.")
    int deciders() default 0;

    @AttributeDefinition(description = "Whether dry runs are written to the provenance log (kind placement-dry-run) as "
            + "placements are; off by default, since a dry run changes nothing.")
    boolean recordDryRuns() default false;
}
