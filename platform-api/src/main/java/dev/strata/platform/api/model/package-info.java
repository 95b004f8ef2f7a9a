/**
 * Strata's resource model: immutable records for sites, nodes and their processors, NUMA nodes,
 * PCI devices, accelerators, NICs and disks; fabrics, storage pools and power domains; and the
 * merged {@link dev.strata.platform.api.model.InventorySnapshot}. Records validate their
 * arguments and copy collections; they are safe to share between threads.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.4.0")
package dev.strata.platform.api.model;
