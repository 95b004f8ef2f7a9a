package dev.strata.provider.example;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the example provider ({@code etc/dev.strata.provider.example.cfg}). */
@ObjectClassDefinition(name = "Strata example storage provider", description = "This host's file systems as storage pools.")
public @interface LocalStorageConfig {

    @AttributeDefinition(description = "Mount points to report, one pool each, e.g. / and /data (in a .cfg file one value, separated by commas: /, /data).")
    String[] paths() default {"/"};

    @AttributeDefinition(description = "Id of the site the host is at.")
    String site() default "local";
}
