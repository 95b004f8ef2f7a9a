package dev.strata.provider.nvidia.smi;

import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.provider.nvidia.device.ThrottleReasons;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one mapping from nvidia-smi telemetry fields to a {@link GpuSample}, used by the sampler for
 * {@code --query-gpu} rows and by tests for the captured {@code query-loop.csv} and {@code dmon} output.
 * Values such as {@code 691.37 W}, {@code 883 MiB}, {@code 100 %}, {@code [N/A]} and
 * {@code [Not Supported]} are read; what is not reported is -1.
 */
public final class SmiSamples {

    /** The fields the sampler queries, in order. */
    public static final String QUERY_FIELDS = "uuid,utilization.gpu,utilization.memory,memory.used,power.draw,temperature.gpu,"
            + "clocks.sm,clocks_event_reasons.active,ecc.errors.corrected.volatile.total,ecc.errors.uncorrected.volatile.total";

    /** The same fields under the name drivers before 535 use for the throttle mask. */
    public static final String LEGACY_QUERY_FIELDS = QUERY_FIELDS.replace("clocks_event_reasons.active", "clocks_throttle_reasons.active");

    private static final Pattern NUMBER = Pattern.compile("\\s*(-?[0-9]+(?:\\.[0-9]+)?)\\s*(?:[A-Za-z%/]+)?\\s*");
    private static final long MIB = 1L << 20;

    private SmiSamples() {
    }

    /**
     * Maps one row.
     *
     * @param acceleratorId the id to report when the row has no {@code uuid} field
     * @param at when the row was sampled
     * @param row query field name to printed value
     */
    public static GpuSample of(String acceleratorId, Instant at, Map<String, String> row) {
        String uuid = row.get("uuid");
        long memoryUsed = (long) number(row.get("memory.used"));
        return GpuSample.builder()
                .acceleratorId(uuid == null || uuid.isBlank() ? acceleratorId : uuid)
                .at(at)
                .gpuUtilisationPercent(number(row.get("utilization.gpu")))
                .memoryUtilisationPercent(number(row.get("utilization.memory")))
                .memoryUsedBytes(memoryUsed < 0 ? -1 : memoryUsed * MIB)
                .powerWatts(number(row.get("power.draw")))
                .temperatureCelsius(number(row.get("temperature.gpu")))
                .smClockMHz((int) number(row.get("clocks.sm")))
                .throttleReasons(throttleReasons(row.get("clocks_event_reasons.active")))
                .eccCorrected((long) number(row.get("ecc.errors.corrected.volatile.total")))
                .eccUncorrected((long) number(row.get("ecc.errors.uncorrected.volatile.total")))
                .build();
    }

    static double number(String value) {
        if (value == null) {
            return -1;
        }
        Matcher m = NUMBER.matcher(value);
        return m.matches() ? Double.parseDouble(m.group(1)) : -1;
    }

    static Set<String> throttleReasons(String mask) {
        if (mask == null) {
            return Set.of();
        }
        String m = mask.strip();
        try {
            return ThrottleReasons.ofMask(m.startsWith("0x") || m.startsWith("0X") ? Long.parseUnsignedLong(m.substring(2), 16)
                    : Long.parseLong(m));
        } catch (NumberFormatException e) {
            return Set.of();
        }
    }
}
