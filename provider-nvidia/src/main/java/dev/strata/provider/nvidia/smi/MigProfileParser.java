package dev.strata.provider.nvidia.smi;

import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.provider.nvidia.device.DriverText;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the MIG GPU instance profiles that {@code nvidia-smi mig -lgip} lists, with the
 * placements of {@code nvidia-smi mig -lgipp}.
 *
 * <p>{@code -lgip} prints one table row per profile and GPU:
 * <pre>
 * |   0  MIG 1g.18gb         19     7/7        16.00      No     16     1     0   |
 * </pre>
 * (GPU index, name, profile id, free/total instances, memory in GiB with two decimals, P2P, SM,
 * DEC, ENC; a second row carries CE, JPEG, OFA). {@code -lgipp} prints
 * {@code GPU  0 Profile ID 15 Placements: {0,2,4,6}:2}, or {@code Placement : {0}:8} for a single
 * start slot: the start slots and, after the colon, the memory slots an instance occupies.
 *
 * <p>Memory is converted exactly from the printed GiB, which nvidia-smi rounds to 0.01 GiB (so
 * {@code 19.62} stands for NVML's 20096 MiB = 19.625 GiB). The compute slices are the {@code g}
 * count of the name; the device's total slices are the largest {@code g} among its profiles (7).
 *
 * <p>A table cut short (output truncated) is refused rather than read as a smaller one: read with
 * fewer profiles, the largest {@code g} seen would be taken for the device's total slices (4
 * instead of 7), and every profile's share of the GPU, by which placement reserves partitions,
 * would be too large. A complete table closes each profile's rows with a border line
 * ({@code +---...---+}) and ends with one; and as nvidia-smi lists the profiles up to the whole
 * GPU, whose {@code g} is the device's slices, no profile's instances together take more slices
 * than the largest profile has ({@code 1g} with 7 instances needs the {@code 7g} after it). A table
 * cut between two profiles' blocks ends with a border too, and is told by the latter.
 */
public final class MigProfileParser {

    private static final Pattern PROFILE_ROW = Pattern.compile(
            "^\\|\\s*(\\d+)\\s+MIG\\s+(\\S+)\\s+(\\d+)\\s+(\\d+)/(\\d+)\\s+([0-9.]+)\\s+(\\S+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s*\\|\\s*$");
    private static final Pattern PLACEMENT_ROW = Pattern.compile(
            "^\\s*GPU\\s+(\\d+)\\s+Profile ID\\s+(\\d+)\\s+Placements?\\s*:\\s*\\{([0-9,\\s]*)\\}\\s*:\\s*(\\d+)\\s*$");
    private static final Pattern SLICES = Pattern.compile("^(\\d+)g\\..*");
    private static final Pattern BORDER = Pattern.compile("^\\+-+\\+\\s*$");
    private static final BigDecimal GIB = BigDecimal.valueOf(1L << 30);

    private MigProfileParser() {
    }

    private record Row(int gpu, String name, int id, int total, long memoryBytes, int sm) {
    }

    private record Placements(List<Integer> starts, int size) {
    }

    /**
     * The profiles of each GPU index.
     *
     * @param lgip the output of {@code nvidia-smi mig -lgip}
     * @param lgipp the output of {@code nvidia-smi mig -lgipp}, or null when not available
     * @return profiles by GPU index, in the order {@code -lgip} lists them; empty when it lists none
     * @throws IllegalArgumentException naming the row, when a row's numbers cannot be read; naming
     *     what is missing, when the {@code -lgip} table is cut short
     */
    public static Map<Integer, List<PartitionProfile>> parse(String lgip, String lgipp) {
        List<Row> rows = new ArrayList<>();
        Row open = null;
        String lastTableLine = null;
        for (String line : lgip.split("\\R")) {
            if (line.startsWith("+") || line.startsWith("|")) {
                lastTableLine = line;
            }
            if (BORDER.matcher(line).matches()) {
                open = null;
            }
            Matcher m = PROFILE_ROW.matcher(line);
            if (m.matches()) {
                try {
                    long bytes = new BigDecimal(m.group(6)).multiply(GIB).longValue();
                    rows.add(new Row(Integer.parseInt(m.group(1)), m.group(2), Integer.parseInt(m.group(3)),
                            Integer.parseInt(m.group(5)), bytes, Integer.parseInt(m.group(8))));
                    open = rows.get(rows.size() - 1);
                } catch (NumberFormatException e) {
                    throw unreadable("mig -lgip row", line, "the GPU index, profile id, instance counts and SM count as whole numbers"
                            + " and the memory in GiB such as 16.00");
                }
            }
        }
        if (lastTableLine != null && !BORDER.matcher(lastTableLine).matches()) {
            String where = open != null ? " inside the rows of profile " + open.name() + " of GPU " + open.gpu()
                    : rows.isEmpty() ? " before any profile" : "";
            throw cutShort("it ends" + where + " at '" + DriverText.clean(lastTableLine.strip()) + "' without a border line");
        }
        Map<String, Placements> placements = new HashMap<>();
        if (lgipp != null) {
            for (String line : lgipp.split("\\R")) {
                Matcher m = PLACEMENT_ROW.matcher(line);
                if (m.matches()) {
                    try {
                        List<Integer> starts = new ArrayList<>();
                        for (String s : m.group(3).split(",")) {
                            if (!s.isBlank()) {
                                starts.add(Integer.parseInt(s.strip()));
                            }
                        }
                        placements.put(Integer.parseInt(m.group(1)) + "/" + Integer.parseInt(m.group(2)),
                                new Placements(starts, Integer.parseInt(m.group(4))));
                    } catch (NumberFormatException e) {
                        throw unreadable("mig -lgipp line", line, "the GPU index, profile id, start slots and slot count as whole numbers");
                    }
                }
            }
        }
        Map<Integer, Integer> totalSlices = new HashMap<>();
        for (Row row : rows) {
            totalSlices.merge(row.gpu(), slices(row.name()), Math::max);
        }
        for (Row row : rows) {
            int largest = totalSlices.get(row.gpu());
            long taken = (long) slices(row.name()) * row.total();
            if (taken > largest) {
                throw cutShort("its largest profile of GPU " + row.gpu() + " has " + largest + " slices, but the " + row.total()
                        + " instances of profile " + row.name() + " take " + taken + ": the profiles up to the whole GPU are missing");
            }
        }
        Map<Integer, List<PartitionProfile>> byGpu = new TreeMap<>();
        for (Row row : rows) {
            Placements p = placements.getOrDefault(row.gpu() + "/" + row.id(), new Placements(List.of(), 0));
            byGpu.computeIfAbsent(row.gpu(), k -> new ArrayList<>()).add(PartitionProfile.builder().name(row.name()).profileId(row.id())
                    .maxInstances(row.total()).memoryBytes(row.memoryBytes()).multiprocessors(row.sm()).computeSlices(slices(row.name()))
                    .totalSlices(totalSlices.get(row.gpu())).placements(p.starts()).placementSize(p.size()).build());
        }
        byGpu.replaceAll((gpu, profiles) -> List.copyOf(profiles));
        return byGpu;
    }

    /**
     * A row whose fields the pattern matched but whose numbers cannot be read (a value garbled into
     * {@code 16..00}, or one beyond an int): refused, naming the row, rather than thrown as the
     * number parser's bare message, which named neither the command nor what was expected.
     */
    private static IllegalArgumentException unreadable(String what, String line, String expected) {
        return new IllegalArgumentException("nvidia-smi " + what + " '" + DriverText.clean(line.strip()) + "' cannot be read; expected "
                + expected);
    }

    /** A table cut short: refused naming what is missing and what a complete table has. */
    private static IllegalArgumentException cutShort(String missing) {
        return new IllegalArgumentException("nvidia-smi mig -lgip table is cut short: " + missing + "; expected each profile's rows"
                + " closed by a border line such as +---+, and the profiles listed up to the whole GPU");
    }

    /** The {@code g} count of a profile name such as {@code 3g.71gb}; 0 when the name has none. */
    static int slices(String name) {
        Matcher m = SLICES.matcher(name);
        return m.matches() ? Integer.parseInt(m.group(1)) : 0;
    }
}
