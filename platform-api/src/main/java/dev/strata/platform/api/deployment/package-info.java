/**
 * Deployments: a placed contract made real by the providers of the nodes and capacity offers its
 * members were bound to, kept real by a reconciler. The {@link dev.strata.platform.api.deployment.Deployments}
 * service and its plain records.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.strata.platform.api.deployment;
