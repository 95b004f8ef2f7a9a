package dev.strata.provider.nvidia.device;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Clock throttle ("clocks event") reasons under NVML's names: the bits of
 * {@code nvmlDeviceGetCurrentClocksEventReasons} ({@code nvmlClocksEventReason*}), the
 * {@code clocks_event_reasons} (older drivers: {@code clocks_throttle_reasons}) elements of
 * {@code nvidia-smi -q -x}, and the hexadecimal mask of the {@code clocks_event_reasons.active}
 * query field.
 */
public final class ThrottleReasons {

    public static final String GPU_IDLE = "GPU_IDLE";
    public static final String APPLICATIONS_CLOCKS_SETTING = "APPLICATIONS_CLOCKS_SETTING";
    public static final String SW_POWER_CAP = "SW_POWER_CAP";
    public static final String HW_SLOWDOWN = "HW_SLOWDOWN";
    public static final String SYNC_BOOST = "SYNC_BOOST";
    public static final String SW_THERMAL_SLOWDOWN = "SW_THERMAL_SLOWDOWN";
    public static final String HW_THERMAL_SLOWDOWN = "HW_THERMAL_SLOWDOWN";
    public static final String HW_POWER_BRAKE_SLOWDOWN = "HW_POWER_BRAKE_SLOWDOWN";
    public static final String DISPLAY_CLOCK_SETTING = "DISPLAY_CLOCK_SETTING";

    /** NVML's bit for each reason, in NVML's order. */
    private static final Map<String, Long> BITS;

    /** The suffix of the nvidia-smi XML element after {@code clocks_event_reason_} / {@code clocks_throttle_reason_}. */
    private static final Map<String, String> XML_SUFFIXES;

    static {
        Map<String, Long> bits = new LinkedHashMap<>();
        bits.put(GPU_IDLE, 0x1L);
        bits.put(APPLICATIONS_CLOCKS_SETTING, 0x2L);
        bits.put(SW_POWER_CAP, 0x4L);
        bits.put(HW_SLOWDOWN, 0x8L);
        bits.put(SYNC_BOOST, 0x10L);
        bits.put(SW_THERMAL_SLOWDOWN, 0x20L);
        bits.put(HW_THERMAL_SLOWDOWN, 0x40L);
        bits.put(HW_POWER_BRAKE_SLOWDOWN, 0x80L);
        bits.put(DISPLAY_CLOCK_SETTING, 0x100L);
        BITS = Collections.unmodifiableMap(bits);
        Map<String, String> xml = new LinkedHashMap<>();
        xml.put("gpu_idle", GPU_IDLE);
        xml.put("applications_clocks_setting", APPLICATIONS_CLOCKS_SETTING);
        xml.put("sw_power_cap", SW_POWER_CAP);
        xml.put("hw_slowdown", HW_SLOWDOWN);
        xml.put("sync_boost", SYNC_BOOST);
        xml.put("sw_thermal_slowdown", SW_THERMAL_SLOWDOWN);
        xml.put("hw_thermal_slowdown", HW_THERMAL_SLOWDOWN);
        xml.put("hw_power_brake_slowdown", HW_POWER_BRAKE_SLOWDOWN);
        xml.put("display_clocks_setting", DISPLAY_CLOCK_SETTING);
        XML_SUFFIXES = Collections.unmodifiableMap(xml);
    }

    private ThrottleReasons() {
    }

    /** The names of the reasons set in an NVML reasons mask; unknown bits are named {@code 0x...}. */
    public static Set<String> ofMask(long mask) {
        Set<String> names = new TreeSet<>();
        long known = 0;
        for (Map.Entry<String, Long> e : BITS.entrySet()) {
            known |= e.getValue();
            if ((mask & e.getValue()) != 0) {
                names.add(e.getKey());
            }
        }
        long unknown = mask & ~known;
        if (unknown != 0) {
            names.add("0x" + Long.toHexString(unknown));
        }
        return names;
    }

    /** The NVML mask of a set of reason names (unknown names are ignored). */
    public static long maskOf(Set<String> names) {
        long mask = 0;
        for (String name : names) {
            mask |= BITS.getOrDefault(name, 0L);
        }
        return mask;
    }

    /**
     * The NVML name of an nvidia-smi XML element such as {@code clocks_event_reason_sw_power_cap}
     * or {@code clocks_throttle_reason_hw_slowdown}; null for elements that are not reasons.
     */
    public static String ofXmlElement(String element) {
        String e = element.toLowerCase(Locale.ROOT);
        for (String prefix : new String[] {"clocks_event_reason_", "clocks_throttle_reason_"}) {
            if (e.startsWith(prefix)) {
                return XML_SUFFIXES.get(e.substring(prefix.length()));
            }
        }
        return null;
    }

    /**
     * Whether a reason says something about the device's condition. Idle, application clocks,
     * the software power cap, sync boost and the display clock are how a healthy GPU runs under
     * its configured limits (a GPU at full load sits at its power cap); thermal and hardware
     * slowdowns and the power brake are not.
     */
    public static boolean affectsHealth(String reason) {
        return !Set.of("GPU_IDLE", "APPLICATIONS_CLOCKS_SETTING", "SW_POWER_CAP", "SYNC_BOOST", "DISPLAY_CLOCK_SETTING").contains(reason);
    }
}
