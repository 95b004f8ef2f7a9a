package dev.strata.provider.nvidia.smi;

import dev.strata.platform.api.model.DeviceLink;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code nvidia-smi nvlink -s}: per GPU ({@code GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-...)})
 * one line per link, {@code Link 0: 26.562 GB/s} when active or {@code Link 1: <inactive>}. The
 * peer is not shown, so links carry no peer address or kind.
 */
public final class NvLinkStatusParser {

    private static final Pattern GPU = Pattern.compile("^GPU\\s+\\d+:.*\\(UUID:\\s*([^)\\s]+)\\s*\\)\\s*$");
    private static final Pattern LINK = Pattern.compile("^\\s*Link\\s+(\\d+):\\s*(?:([0-9.]+)\\s*GB/s|(.*))\\s*$");

    private NvLinkStatusParser() {
    }

    /** The links of each GPU UUID. */
    public static Map<String, List<DeviceLink>> parse(String text) {
        Map<String, List<DeviceLink>> links = new LinkedHashMap<>();
        List<DeviceLink> current = null;
        for (String line : text.split("\\R")) {
            Matcher gpu = GPU.matcher(line.strip());
            if (gpu.matches()) {
                current = links.computeIfAbsent(gpu.group(1), k -> new ArrayList<>());
                continue;
            }
            Matcher link = LINK.matcher(line);
            if (current != null && link.matches()) {
                boolean active = link.group(2) != null;
                current.add(new DeviceLink(Integer.parseInt(link.group(1)), null, null,
                        active ? Double.parseDouble(link.group(2)) : 0, active));
            }
        }
        links.replaceAll((k, v) -> List.copyOf(v));
        return links;
    }
}
