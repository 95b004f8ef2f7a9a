/**
 * The provisioning SPI: how a placed member becomes a running machine.
 * {@link dev.strata.platform.api.provisioning.ProvisioningProvider} creates, describes, lists and
 * deletes machines, keyed by operation ids that the core chooses and stores before each call.
 * Since 1.1 a provider may report the steps it took on a machine
 * ({@link dev.strata.platform.api.provisioning.MachineStatus#STEPS}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.strata.platform.api.provisioning;
