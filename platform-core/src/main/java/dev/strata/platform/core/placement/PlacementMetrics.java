package dev.strata.platform.core.placement;

import dev.strata.platform.api.contract.InvalidContractException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.placement.PlacementDecision;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.function.Supplier;

/**
 * Placement's outcomes and latency: counted outside the engine, around each call, so nothing is
 * added under the ledger's lock; a counter is a lock-free add. One per placement service.
 */
final class PlacementMetrics {

    /** How a placement was asked for: {@code place}, {@code dry_run} or {@code deployment} (placeFor). */
    static final String PLACE = "place";
    static final String DRY_RUN = "dry_run";
    static final String DEPLOYMENT = "deployment";

    static final String PLACED = "placed";
    static final String REFUSED = "refused";
    static final String INVALID = "invalid";
    /** Not made: other instances kept changing the ledger until placement gave up (shared writers); placing again may succeed. */
    static final String CONFLICT = "conflict";
    static final String ERROR = "error";

    private final Counter placements = Counter.builder().name("strata_placements_total")
            .help("Placements decided, by mode (place, dry_run, deployment) and outcome (placed, refused: nothing fits; invalid: "
                    + "the request was refused as malformed; conflict: other instances kept changing the ledger until placement gave up, "
                    + "placing again may succeed; error: the call failed, e.g. not the leader, store down)")
            .labelNames("mode", "outcome").withoutExemplars().build();
    private final Histogram latency = Histogram.builder().name("strata_placement_duration_seconds")
            .help("How long placement calls took, by mode, whatever their outcome").labelNames("mode").classicOnly().withoutExemplars()
            .build();
    private final Counter releases = Counter.builder().name("strata_releases_total")
            .help("Allocations released, by outcome (released, held: refused, a deployment holds it; not_found, error)").labelNames("outcome").withoutExemplars().build();

    PlacementMetrics() {
        for (String mode : new String[] {PLACE, DRY_RUN, DEPLOYMENT}) {
            for (String outcome : new String[] {PLACED, REFUSED, INVALID, CONFLICT, ERROR}) {
                placements.initLabelValues(mode, outcome);
            }
            latency.initLabelValues(mode);
        }
        for (String outcome : new String[] {"released", "held", "not_found", ERROR}) {
            releases.initLabelValues(outcome);
        }
    }

    PlacementDecision place(String mode, Supplier<PlacementDecision> call) {
        long start = System.nanoTime();
        String outcome = ERROR;
        try {
            PlacementDecision d = call.get();
            outcome = d.placed() ? PLACED : REFUSED;
            return d;
        } catch (IllegalArgumentException | InvalidContractException e) {
            outcome = INVALID;
            throw e;
        } catch (dev.strata.platform.api.exception.ConflictException e) {
            outcome = CONFLICT;
            throw e;
        } finally {
            latency.labelValues(mode).observe(Unit.nanosToSeconds(System.nanoTime() - start));
            placements.labelValues(mode, outcome).inc();
        }
    }

    <T> T release(Supplier<T> call) {
        String outcome = ERROR;
        try {
            T released = call.get();
            outcome = "released";
            return released;
        } catch (NotFoundException e) {
            outcome = "not_found";
            throw e;
        } catch (dev.strata.platform.api.exception.ConflictException e) {
            outcome = "held";
            throw e;
        } finally {
            releases.labelValues(outcome).inc();
        }
    }

    MetricSnapshots collect() {
        return MetricSnapshots.of(placements.collect(), latency.collect(), releases.collect());
    }
}
