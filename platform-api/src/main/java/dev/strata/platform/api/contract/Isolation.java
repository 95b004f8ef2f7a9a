package dev.strata.platform.api.contract;

/** How isolated a workload must be from other tenants. */
public enum Isolation {
    /** Nodes may run other tenants' workloads too. */
    SHARED,
    /** No other tenant on any node the workload runs on, for as long as it runs. */
    DEDICATED_NODE
}
