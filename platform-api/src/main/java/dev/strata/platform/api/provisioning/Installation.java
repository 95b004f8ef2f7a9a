package dev.strata.platform.api.provisioning;

/**
 * The Strata installation this core belongs to. The core registers this service once its state
 * store is up.
 *
 * <p>A provider whose machines are found by their labels in a cloud account or project that
 * several installations may share (EC2 tags, OpenStack metadata) tells this installation's machines
 * from another's by it: a machine whose {@link MachineLabels#INSTALLATION} is another id is not a
 * node of this installation, nor in its capacity offers' launch slots, though it still uses the
 * account's quota. A machine without the label counts as this installation's, as the reconciler
 * counts it. Since 1.3.
 */
public interface Installation {

    /**
     * This installation's id, the label {@link MachineLabels#INSTALLATION} of the machines it makes:
     * the id of its state store's provenance log, which every instance sharing the store has.
     */
    String id();
}
