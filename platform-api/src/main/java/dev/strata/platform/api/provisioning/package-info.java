/**
 * The provisioning SPI: how a placed member becomes a running machine.
 * {@link dev.strata.platform.api.provisioning.ProvisioningProvider} creates, describes, lists and
 * deletes machines, keyed by operation ids that the core chooses and stores before each call.
 * Since 1.1 a provider may report the steps it took on a machine
 * ({@link dev.strata.platform.api.provisioning.MachineStatus#STEPS}). Since 1.2 the core offers
 * a provider whose vendor keeps no labels a durable journal of its operations in Strata's state store
 * ({@link dev.strata.platform.api.provisioning.ProviderJournal}). Since 1.3 a request names the
 * installation that makes the machine ({@link dev.strata.platform.api.provisioning.MachineLabels#INSTALLATION}),
 * and a provider reports it back among the labels of {@link dev.strata.platform.api.provisioning.ProvisioningProvider#machines};
 * the core registers {@link dev.strata.platform.api.provisioning.Installation}, this installation's id, for providers that
 * discover machines of several installations in one account. Since 1.4 a request names the ledger
 * allocation its member is bound in ({@link dev.strata.platform.api.provisioning.MachineLabels#ALLOCATION}),
 * and a provider whose nodes show only the room left after its machines tells the core, per
 * binding, what of that room a machine already uses ({@link dev.strata.platform.api.provisioning.CountedMachine}),
 * and a provider that cannot make one machine as large as a node's room says how large it can
 * ({@link dev.strata.platform.api.provisioning.LargestMachine}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.4.0")
package dev.strata.platform.api.provisioning;
