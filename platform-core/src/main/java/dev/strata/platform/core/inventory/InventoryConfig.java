package dev.strata.platform.core.inventory;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the inventory ({@code etc/dev.strata.platform.core.inventory.cfg}). Durations
 * are a whole number with a unit: {@code ms}, {@code s}, {@code m} or {@code h}; a bare number is
 * seconds.
 */
@ObjectClassDefinition(name = "Strata inventory", description = "How often providers are discovered and how departed providers are treated.")
public @interface InventoryConfig {

    @AttributeDefinition(description = "Interval between full discoveries of every provider, e.g. 60s. At least 1s.")
    String refreshInterval() default "60s";

    @AttributeDefinition(description = "Deadline of one provider discovery call, e.g. 30s. At least 100ms.")
    String discoveryTimeout() default "30s";

    @AttributeDefinition(description = "How long a caller that needs a provider waits for it while it is being replaced, e.g. 30s. 0 fails at once.")
    String swapWait() default "30s";

    @AttributeDefinition(description = "How long the resources of a departed or failing provider stay (stale) before they are dropped, e.g. 15m.")
    String staleGracePeriod() default "15m";
}
