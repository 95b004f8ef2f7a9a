package dev.strata.platform.core.store;

import dev.strata.platform.api.telemetry.GpuSample;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The GPUs that telemetry covered, as the commitment verifier keeps them across a restart (table
 * {@code telemetry_coverage}): each GPU's latest sample as the verifier read it. A GPU whose
 * telemetry source went for good is known by it to have been covered, so that after a restart its
 * clauses read as unchecked (AT_RISK) and not as those of a GPU no telemetry ever covered (no
 * finding, HONORED where nothing verified it).
 *
 * <p>Of a sample only what the verifier judges a GPU's latest sample by is kept: the GPU, the
 * instant (to the nanosecond, as the findings name it), the power draw and the uncorrected ECC
 * errors; a sample read back has -1 (not reported) for every other measurement, and -1 for a power
 * draw that was not a finite number (both mean: no power reported). Not in the provenance log: a
 * row is the verifier's working knowledge of what it read, not a decision of Strata's.
 */
public interface TelemetryCoverageStore {

    /** The longest GPU id kept: a sample of a GPU with a longer id is not stored (no GPU's id comes near it). */
    int MAX_ID = 512;

    /** Every GPU's latest sample stored, by GPU id. */
    Map<String, GpuSample> all();

    /**
     * Stores the latest samples given and removes the GPUs given as forgotten, in one transaction (all of it or
     * nothing); completes once durable. The latest sample wins whichever instance read it: a stored sample newer than
     * the one given stays, and a forgotten GPU whose stored sample is newer than the one named (another instance read it
     * since) is kept. Refused on an instance that is not the leader, as every write is.
     *
     * @param latest the samples to keep, at most one per GPU
     * @param forgotten the GPUs no longer kept, each with the instant of the sample this instance knows stored
     */
    CompletableFuture<Void> write(Collection<GpuSample> latest, Map<String, Instant> forgotten);
}
