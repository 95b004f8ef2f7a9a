/**
 * The packing kernel of placement: which node, and which GPUs on it, take a demand of CPU, memory
 * and GPUs (whole or a shared fraction of one), scored by a {@link
 * dev.strata.platform.core.placement.packing.PackingPolicy}.
 *
 * <p>Internal to platform-core (not exported). Plain Java: no OSGi, no JSON. Units everywhere:
 * CPU in milli-CPU, memory in MiB, GPU in milli-GPU (1000 = one whole GPU). The hard filters
 * (sovereignty, topology, power, fabric, isolation) and gang binding live around this package:
 * it sees only capacities.
 *
 * <p>Threading: {@link dev.strata.platform.core.placement.packing.NodeCapacity} and {@link
 * dev.strata.platform.core.placement.packing.Packer} are mutable and not thread-safe; one placement
 * thread owns a packer and its nodes. {@link dev.strata.platform.core.placement.packing.Demand},
 * {@link dev.strata.platform.core.placement.packing.Fit} and {@link
 * dev.strata.platform.core.placement.packing.WorkloadProfile} are immutable.
 */
package dev.strata.platform.core.placement.packing;
