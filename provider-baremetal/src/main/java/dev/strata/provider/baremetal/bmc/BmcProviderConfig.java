package dev.strata.provider.baremetal.bmc;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the BMC provider as a whole ({@code etc/dev.strata.provider.bmcs.cfg}). */
@ObjectClassDefinition(name = "Strata BMC provider", description = "Discovers and provisions machines through their BMCs.")
public @interface BmcProviderConfig {

    @AttributeDefinition(description = "Where provisioning operations are journalled: store (Strata's state store, read by every instance of a "
            + "highly available Strata; the default) or directory (files in stateDirectory, seen by this instance only).")
    String journal() default "store";

    @AttributeDefinition(description = "The journal's directory with journal = directory; with journal = store, records an earlier version left "
            + "there are imported. Empty: data/strata/bmc-operations under Karaf's data directory.")
    String stateDirectory() default "";

    @AttributeDefinition(description = "BMCs read at once during a discovery.")
    int discoveryThreads() default 16;

    @AttributeDefinition(description = "The most one BMC's discovery may take, 1s to 10m, e.g. 20s; a slower BMC is reported UNAVAILABLE.")
    String bmcTimeout() default "20s";

    @AttributeDefinition(description = "How long a machine may take to reach the power state asked for before it is reported FAILED, 10s to 1h, e.g. 120s.")
    String powerTimeout() default "120s";
}
