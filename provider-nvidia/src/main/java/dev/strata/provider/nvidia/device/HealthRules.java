package dev.strata.provider.nvidia.device;

import dev.strata.platform.api.model.Health;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * How NVIDIA's error and state reports become a {@link Health}. The same rules serve NVML and
 * {@code nvidia-smi -q -x}; a fact a source does not report (null) is simply not considered.
 *
 * <ul>
 * <li><b>FAILED</b> when the row remapper reports a failure (a bank ran out of spare rows: the
 *     memory can no longer be repaired), when the driver reports the memory unrepairable, when it
 *     asks for a GPU reset or a reboot as the recovery action ({@code Reset}, {@code Reboot}: the GPU
 *     cannot be used until then), or when the device reported one of the XID errors after
 *     which it cannot continue without a reset or replacement: {@value #CRITICAL_XIDS_TEXT}
 *     (48 double-bit ECC error, 79 fallen off the bus, 95 uncontained ECC error, 119/120 GSP
 *     timeout/error, 140 unrecovered ECC error).</li>
 * <li><b>DEGRADED</b> when pages wait to be retired, rows to be remapped, or a memory channel or
 *     TPC to be repaired (they take effect at the next reset, until then the device is suspect),
 *     when the driver asks for another recovery action than none ({@code Drain P2P},
 *     {@code Drain and Reset}: work goes on, peer-to-peer traffic or the GPU is to be drained),
 *     when its SRAM's uncorrectable errors are over the driver's threshold, when any other XID was reported except
 *     those that application faults cause ({@value #APPLICATION_XIDS_TEXT}: graphics exception, MMU
 *     fault, stopped or pre-empted channel), or when the clocks are held down for a reason other
 *     than the ones a healthy GPU shows under its configured limits ({@code GPU_IDLE},
 *     {@code APPLICATIONS_CLOCKS_SETTING}, {@code SW_POWER_CAP}, {@code SYNC_BOOST},
 *     {@code DISPLAY_CLOCK_SETTING}): thermal or hardware slowdown, power brake; or when the infoROM
 *     is corrupted (NVML's {@code nvmlDeviceValidateInforom}, nvidia-smi's {@code WARNING: infoROM is
 *     corrupted at gpu ...}): the GPU works, but the configuration and ECC counts the board stores
 *     there may be wrong, so it is not FAILED.</li>
 * <li><b>OK</b> otherwise.</li>
 * </ul>
 * Each finding adds a reason, so a DEGRADED device lists every cause it has.
 */
public final class HealthRules {

    static final String CRITICAL_XIDS_TEXT = "48, 79, 95, 119, 120, 140";
    static final String APPLICATION_XIDS_TEXT = "13, 31, 43, 45";
    private static final Set<Integer> CRITICAL_XIDS = Set.of(48, 79, 95, 119, 120, 140);
    private static final Set<Integer> APPLICATION_XIDS = Set.of(13, 31, 43, 45);

    private HealthRules() {
    }

    /**
     * The memory repair flags that drivers from 570 report ({@code nvidia-smi -q -x}:
     * {@code unrepairable_memory}, {@code channel_repair_pending}, {@code tpc_repair_pending} and
     * {@code sram_threshold_exceeded} under {@code ecc_errors}), and the recovery action the driver
     * asks for after an uncorrectable error ({@code gpu_recovery_action}, {@code None} when there is
     * nothing to do: NVIDIA's error recovery flags); each null when not reported.
     */
    public record MemoryRepair(Boolean unrepairable, Boolean channelRepairPending, Boolean tpcRepairPending,
            Boolean sramThresholdExceeded, String recoveryAction) {
        /** Nothing reported. */
        public static final MemoryRepair UNKNOWN = new MemoryRepair(null, null, null, null, null);
    }

    /** The health that the facts add up to, with no memory repair flags and no infoROM state reported. */
    public static Health evaluate(Collection<String> throttleReasons, Boolean retiredPagesPending, Boolean remappedRowsPending,
            Boolean remappingFailed, Collection<Integer> xids) {
        return evaluate(throttleReasons, retiredPagesPending, remappedRowsPending, remappingFailed, xids, MemoryRepair.UNKNOWN, null);
    }

    /**
     * The health that the facts add up to.
     *
     * @param throttleReasons the active throttle reasons under NVML's names, empty when none or unknown
     * @param retiredPagesPending whether retired pages await a reset, null when unknown
     * @param remappedRowsPending whether remapped rows await a reset, null when unknown
     * @param remappingFailed whether row remapping has failed, null when unknown
     * @param xids XID errors the device reported recently, empty when none (or not watched)
     * @param repair the memory repair flags, {@link MemoryRepair#UNKNOWN} when not reported
     * @param inforomCorrupted whether the infoROM's checksums fail, null when unknown (not checked or not supported)
     */
    public static Health evaluate(Collection<String> throttleReasons, Boolean retiredPagesPending, Boolean remappedRowsPending,
            Boolean remappingFailed, Collection<Integer> xids, MemoryRepair repair, Boolean inforomCorrupted) {
        List<String> failures = new ArrayList<>();
        List<String> degradations = new ArrayList<>();
        if (Boolean.TRUE.equals(remappingFailed)) {
            failures.add("row remapping failed");
        }
        if (Boolean.TRUE.equals(repair.unrepairable())) {
            failures.add("memory unrepairable");
        }
        String action = repair.recoveryAction() == null ? "" : repair.recoveryAction().strip();
        if (!action.isEmpty() && !action.equalsIgnoreCase("None")) {
            String reason = "the driver asks for recovery action " + action;
            String lower = action.toLowerCase(Locale.ROOT);
            if (lower.contains("drain")) {
                // peer-to-peer traffic to quiesce (then the driver says what else), or a reset when convenient
                degradations.add(reason);
            } else if (lower.contains("reset") || lower.contains("reboot")) {
                // unusable until the GPU is reset or the node rebooted
                failures.add(reason);
            } else {
                degradations.add(reason);
            }
        }
        for (int xid : new TreeSet<>(xids)) {
            if (CRITICAL_XIDS.contains(xid)) {
                failures.add("XID " + xid + " reported");
            } else if (!APPLICATION_XIDS.contains(xid)) {
                degradations.add("XID " + xid + " reported");
            }
        }
        if (Boolean.TRUE.equals(retiredPagesPending)) {
            degradations.add("retired pages pending (reset required)");
        }
        if (Boolean.TRUE.equals(remappedRowsPending)) {
            degradations.add("remapped rows pending (reset required)");
        }
        if (Boolean.TRUE.equals(repair.channelRepairPending())) {
            degradations.add("memory channel repair pending (reset required)");
        }
        if (Boolean.TRUE.equals(repair.tpcRepairPending())) {
            degradations.add("TPC repair pending (reset required)");
        }
        if (Boolean.TRUE.equals(repair.sramThresholdExceeded())) {
            degradations.add("SRAM uncorrectable errors over their threshold");
        }
        Set<String> throttled = new TreeSet<>();
        for (String reason : throttleReasons) {
            if (ThrottleReasons.affectsHealth(reason)) {
                throttled.add(reason);
            }
        }
        if (!throttled.isEmpty()) {
            degradations.add("clocks throttled: " + String.join(", ", throttled));
        }
        if (Boolean.TRUE.equals(inforomCorrupted)) {
            degradations.add("infoROM corrupted");
        }
        if (!failures.isEmpty()) {
            List<String> reasons = new ArrayList<>(failures);
            reasons.addAll(degradations);
            return new Health(Health.Status.FAILED, reasons);
        }
        if (!degradations.isEmpty()) {
            return new Health(Health.Status.DEGRADED, degradations);
        }
        return Health.OK;
    }
}
