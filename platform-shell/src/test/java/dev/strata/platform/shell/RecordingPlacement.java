package dev.strata.platform.shell;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.exception.ConflictException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A placement service for the commands' tests: a ledger of one allocation, and decisions made by
 * the test; records what it is asked to place and release (a forced release as {@code <id> forced}).
 */
final class RecordingPlacement implements Placement {
    final List<String> calls = new ArrayList<>();
    final List<String> released = new ArrayList<>();
    /** Set: a plain release is refused with this message, as placement refuses one a deployment holds. */
    String heldBy;
    /** The decision on a contract and whether it is a dry run; unset, placing is not supported. */
    BiFunction<Contract, Boolean, PlacementDecision> decide;

    @Override
    public PlacementDecision place(Contract contract, boolean dryRun) {
        if (decide == null) {
            throw new UnsupportedOperationException();
        }
        calls.add("place " + contract.name() + (dryRun ? " dry-run" : ""));
        return decide.apply(contract, dryRun);
    }

    @Override
    public PlacementDecision placeFor(Contract contract, String deploymentId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<Allocation> allocations() {
        return List.of(StatusCommandTest.allocationOn("a-000004", "aws:eu-central-1a:p5.48xlarge"));
    }

    @Override
    public Optional<Allocation> allocation(String id) {
        return allocations().stream().filter(a -> a.id().equals(id)).findFirst();
    }

    @Override
    public Allocation release(String id) {
        if (heldBy != null) {
            throw new ConflictException(heldBy);
        }
        released.add(id);
        return allocation(id).orElseThrow(() -> new NotFoundException("no allocation '" + id + "'"));
    }

    @Override
    public Allocation forceRelease(String id) {
        released.add(id + " forced");
        return allocation(id).orElseThrow(() -> new NotFoundException("no allocation '" + id + "'"));
    }

    @Override
    public Allocation releaseFor(String id, String deploymentId) {
        throw new UnsupportedOperationException();
    }
}
