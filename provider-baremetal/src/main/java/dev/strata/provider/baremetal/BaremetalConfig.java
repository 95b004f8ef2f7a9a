package dev.strata.provider.baremetal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the bare-metal provider ({@code etc/dev.strata.provider.baremetal.cfg}). */
@ObjectClassDefinition(name = "Strata bare-metal provider", description = "Discovers this host's hardware from /sys and /proc.")
public @interface BaremetalConfig {

    @AttributeDefinition(description = "Root of the /sys and /proc tree to read; / for this host, or a captured tree for tests.")
    String root() default "/";

    @AttributeDefinition(description = "Node id; empty for baremetal:<hostname>.")
    String nodeId() default "";

    @AttributeDefinition(description = "Id of the site the host is at.")
    String site() default "local";
}
