/** Strata instances sharing one database: the {@link dev.strata.platform.api.cluster.Cluster} service. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.strata.platform.api.cluster;
