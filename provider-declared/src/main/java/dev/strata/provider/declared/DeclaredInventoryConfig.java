package dev.strata.provider.declared;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the declared-inventory provider ({@code etc/dev.strata.provider.declared.cfg}). */
@ObjectClassDefinition(name = "Strata declared inventory",
        description = "Sites, power domains, fabrics and nodes that Strata cannot discover, declared in a YAML file.")
public @interface DeclaredInventoryConfig {

    @AttributeDefinition(description = "The inventory file; a relative path is relative to Karaf's etc/ directory. "
            + "Read again whenever it changes; no file means no declared resources.")
    String file() default "strata-inventory.yaml";
}
