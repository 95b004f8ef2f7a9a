package dev.strata.platform.api.deployment;

/** Where one member's machine is, as the core tracks it. */
public enum MemberState {
    /** Nothing asked of the provider yet. */
    REQUESTED,
    /** A create operation is recorded and the provider was (or is about to be) asked; its answer is awaited. */
    CREATING,
    /** The provider made the machine; it is not running yet. */
    PENDING,
    /** The machine runs. */
    RUNNING,
    /** The provider refused or gave up; the member's message says why. */
    FAILED,
    /** The machine disappeared behind Strata's back and the contract says not to replace it. */
    LOST,
    /** Being deleted. */
    DELETING,
    /** Gone. */
    DELETED
}
