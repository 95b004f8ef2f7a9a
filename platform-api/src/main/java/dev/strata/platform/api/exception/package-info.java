/**
 * Strata's portable unchecked exceptions. Vendor errors are translated into these at one
 * choke point in each provider, so callers never see vendor exception types.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.11.0")
package dev.strata.platform.api.exception;
