package dev.strata.platform.core.placement;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of placement ({@code etc/dev.strata.platform.core.placement.cfg}). */
@ObjectClassDefinition(name = "Strata placement", description = "How contracts are placed on the inventory.")
public @interface PlacementConfig {

    @AttributeDefinition(description = "Packing policy: strata (fragmentation-aware, the default), fgd (Fragmentation "
            + "Gradient Descent as published), bestfit, or random.")
    String policy() default "strata";
}
