package dev.strata.platform.api.cluster;

import org.osgi.annotation.versioning.ProviderType;

/** The instances that share Strata's state store, and which one leads. Offered by the core; thread-safe. */
@ProviderType
public interface Cluster {

    /** The instances as the database records them. */
    ClusterStatus status();
}
