package dev.strata.provider.nvidia.device;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PCI addresses as NVIDIA tools print them, turned into the Linux form Strata uses. */
public final class PciAddresses {

    private static final Pattern BUS_ID =
            Pattern.compile("\\s*(?:([0-9a-fA-F]{1,8}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\\.([0-7])\\s*");

    private PciAddresses() {
    }

    /**
     * The Linux form {@code dddd:bb:dd.f}, lower case, of a bus id such as NVML's and nvidia-smi's
     * {@code 00000000:00:06.0} (an 8-digit domain) or {@code 0000:3B:00.0}.
     *
     * @return the normalised address, or null when {@code busId} is null, blank or not a bus id
     */
    public static String normalise(String busId) {
        if (busId == null) {
            return null;
        }
        Matcher m = BUS_ID.matcher(busId);
        if (!m.matches()) {
            return null;
        }
        long domain = m.group(1) == null ? 0 : Long.parseLong(m.group(1), 16);
        return String.format(Locale.ROOT, "%04x:%02x:%02x.%s", domain, Integer.parseInt(m.group(2), 16),
                Integer.parseInt(m.group(3), 16), m.group(4));
    }
}
