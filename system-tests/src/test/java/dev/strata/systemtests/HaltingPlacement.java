package dev.strata.systemtests;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import java.util.List;
import java.util.Optional;

/**
 * A placement service that halts the process (no shutdown hook, nothing flushed, as
 * {@code kill -9}) as soon as a placement for a deployment is durable: the allocation is in the
 * ledger, the deployment not yet stored. For the crash tests' Strata processes.
 */
final class HaltingPlacement implements Placement {
    private final Placement delegate;

    HaltingPlacement(Placement delegate) {
        this.delegate = delegate;
    }

    @Override
    public PlacementDecision placeFor(Contract contract, String deploymentId) {
        PlacementDecision decision = delegate.placeFor(contract, deploymentId);
        System.out.println("HALT after place " + decision.allocationId() + " for " + deploymentId);
        System.out.flush();
        Runtime.getRuntime().halt(137);
        return decision;
    }

    @Override
    public PlacementDecision place(Contract contract, boolean dryRun) {
        return delegate.place(contract, dryRun);
    }

    @Override
    public List<Allocation> allocations() {
        return delegate.allocations();
    }

    @Override
    public Optional<Allocation> allocation(String id) {
        return delegate.allocation(id);
    }

    @Override
    public Allocation release(String id) {
        return delegate.release(id);
    }

    @Override
    public Allocation forceRelease(String id) {
        return delegate.forceRelease(id);
    }

    @Override
    public Allocation releaseFor(String id, String deploymentId) {
        return delegate.releaseFor(id, deploymentId);
    }
}
