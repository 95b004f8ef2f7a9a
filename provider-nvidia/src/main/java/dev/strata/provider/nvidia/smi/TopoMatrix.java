package dev.strata.provider.nvidia.smi;

import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.DevicePath;
import dev.strata.platform.api.model.TopologyLevel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The matrix {@code nvidia-smi topo -m} prints: a header of device columns ({@code GPU0}...,
 * {@code NIC0}... or, from older drivers, {@code mlx5_0}...) followed by {@code CPU Affinity},
 * {@code NUMA Affinity} and {@code GPU NUMA ID} (the last two only from newer drivers); one row per
 * device; then a legend and, from newer drivers, a {@code NIC Legend} that names each {@code NICn}
 * (e.g. {@code NIC0: mlx5_0}). Columns are separated by tabs (as printed) or runs of spaces (as
 * often pasted); the header may be underlined with ANSI escapes. NICs are named by the legend when
 * it has them.
 *
 * @param devices every device column, GPUs first as printed, NICs under their legend names
 * @param cells the cell of each (row, column) pair, e.g. {@code NV18}, {@code PIX}, {@code SYS}, {@code X}
 * @param gpuColumns for each GPU, its other columns by header label ({@code CPU Affinity} and so on)
 */
public record TopoMatrix(List<String> devices, Map<String, Map<String, String>> cells, Map<String, Map<String, String>> gpuColumns) {

    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*m");
    private static final Pattern SEPARATOR = Pattern.compile("\\t|\\s{2,}");
    private static final Pattern GPU = Pattern.compile("GPU\\d+");
    private static final Pattern NV = Pattern.compile("NV(\\d+)");
    private static final Pattern NIC_LEGEND = Pattern.compile("^\\s*(NIC\\d+)\\s*:\\s*(\\S+)\\s*$");

    public TopoMatrix {
        devices = List.copyOf(devices);
        cells = Map.copyOf(cells);
        gpuColumns = Map.copyOf(gpuColumns);
    }

    /**
     * Parses the output.
     *
     * @throws IllegalArgumentException when the text has no matrix header, or a GPU of the header has no row or a row with
     *     fewer cells than the matrix has device columns
     */
    public static TopoMatrix parse(String text) {
        String[] lines = ANSI.matcher(text).replaceAll("").split("\\R");
        int headerAt = -1;
        List<String> header = null;
        for (int i = 0; i < lines.length && header == null; i++) {
            List<String> tokens = tokens(lines[i]);
            // The header starts with GPU0 like the first row, but only rows hold the diagonal X.
            if (!tokens.isEmpty() && GPU.matcher(tokens.get(0)).matches() && !tokens.contains("X")) {
                header = tokens;
                headerAt = i;
            }
        }
        if (header == null) {
            throw new IllegalArgumentException("no topology matrix header (a line starting with GPU0) in the output");
        }
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (int i = headerAt + 1; i < lines.length; i++) {
            if (lines[i].isBlank() || lines[i].strip().startsWith("Legend")) {
                break;
            }
            List<String> tokens = tokens(lines[i]);
            if (!tokens.isEmpty() && header.contains(tokens.get(0))) {
                rows.put(tokens.get(0), tokens.subList(1, tokens.size()));
            }
        }
        Map<String, String> legend = new HashMap<>();
        boolean inLegend = false;
        for (String line : lines) {
            if (line.strip().startsWith("NIC Legend")) {
                inLegend = true;
            } else if (inLegend) {
                Matcher m = NIC_LEGEND.matcher(line);
                if (m.matches()) {
                    legend.put(m.group(1), m.group(2));
                }
            }
        }
        List<String> columns = new ArrayList<>();
        for (String label : header) {
            if (rows.containsKey(label)) {
                columns.add(label);
            } else {
                break;
            }
        }
        // a matrix cut short (or garbled) would otherwise read as one without the missing GPUs' NVLinks and locality
        for (String label : header) {
            if (GPU.matcher(label).matches() && !rows.containsKey(label)) {
                throw new IllegalArgumentException("the header lists " + label + " but no row of " + label + " follows; expected a row"
                        + " for every GPU of the header (the output is cut short or garbled)");
            }
        }
        for (Map.Entry<String, List<String>> row : rows.entrySet()) {
            if (GPU.matcher(row.getKey()).matches() && row.getValue().size() < columns.size()) {
                throw new IllegalArgumentException("the row of " + row.getKey() + " has " + row.getValue().size() + " cells where the"
                        + " matrix has " + columns.size() + " device columns; expected a cell for every one (the output is cut short or"
                        + " garbled)");
            }
        }
        List<String> extras = header.subList(columns.size(), header.size());
        List<String> devices = new ArrayList<>();
        columns.forEach(c -> devices.add(legend.getOrDefault(c, c)));
        Map<String, Map<String, String>> cells = new LinkedHashMap<>();
        Map<String, Map<String, String>> gpuColumns = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> row : rows.entrySet()) {
            String from = legend.getOrDefault(row.getKey(), row.getKey());
            List<String> values = row.getValue();
            Map<String, String> rowCells = new LinkedHashMap<>();
            for (int c = 0; c < columns.size() && c < values.size(); c++) {
                rowCells.put(devices.get(c), values.get(c));
            }
            cells.put(from, Map.copyOf(rowCells));
            if (GPU.matcher(row.getKey()).matches()) {
                Map<String, String> other = new LinkedHashMap<>();
                for (int e = 0; e < extras.size() && columns.size() + e < values.size(); e++) {
                    other.put(extras.get(e), values.get(columns.size() + e));
                }
                gpuColumns.put(from, Map.copyOf(other));
            }
        }
        return new TopoMatrix(devices, cells, gpuColumns);
    }

    private static List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        for (String t : SEPARATOR.split(line)) {
            if (!t.isBlank()) {
                out.add(t.strip());
            }
        }
        return out;
    }

    /** The GPU labels ({@code GPU0}...), in order. */
    public List<String> gpus() {
        return devices.stream().filter(d -> GPU.matcher(d).matches()).toList();
    }

    /** The NIC names, in order. */
    public List<String> nics() {
        return devices.stream().filter(d -> !GPU.matcher(d).matches()).toList();
    }

    /** The cell of a pair (row first), or null. */
    public String cell(String from, String to) {
        Map<String, String> row = cells.get(from);
        String value = row == null ? null : row.get(to);
        if (value == null) {
            Map<String, String> mirrored = cells.get(to);
            value = mirrored == null ? null : mirrored.get(from);
        }
        return value;
    }

    /** The bonded NVLinks between two devices, 0 when none. */
    public int nvlinks(String from, String to) {
        String cell = cell(from, to);
        Matcher m = cell == null ? null : NV.matcher(cell);
        return m != null && m.matches() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** The CPUs local to a GPU ({@code CPU Affinity}), empty when not shown. */
    public CpuSet cpuAffinity(String gpu) {
        String value = column(gpu, "CPU Affinity");
        try {
            return value == null ? CpuSet.EMPTY : CpuSet.parseList(value);
        } catch (IllegalArgumentException e) {
            return CpuSet.EMPTY;
        }
    }

    /** The NUMA node a GPU is local to ({@code NUMA Affinity}), -1 when not shown or not a single node. */
    public int numaNode(String gpu) {
        String value = column(gpu, "NUMA Affinity");
        return value != null && value.matches("\\d+") ? Integer.parseInt(value) : -1;
    }

    /** The NUMA node of a GPU's own memory ({@code GPU NUMA ID}, Grace Hopper and the like), -1 when N/A. */
    public int gpuNumaId(String gpu) {
        String value = column(gpu, "GPU NUMA ID");
        return value != null && value.matches("\\d+") ? Integer.parseInt(value) : -1;
    }

    private String column(String gpu, String label) {
        Map<String, String> columns = gpuColumns.get(gpu);
        return columns == null ? null : columns.get(label);
    }

    /**
     * Every GPU-GPU and GPU-NIC path, both directions. An {@code NV#} cell is a path of # NVLinks
     * (its PCIe level is not shown, so it is null); other cells map through
     * {@link TopologyLevel#ofTopoCell}.
     *
     * @param idOf the id to report for a device label: GPU labels map to accelerator ids, NIC names usually to themselves
     */
    public List<DevicePath> paths(Function<String, String> idOf) {
        List<DevicePath> paths = new ArrayList<>();
        List<String> gpus = gpus();
        for (String from : devices) {
            for (String to : devices) {
                boolean gpuInvolved = gpus.contains(from) || gpus.contains(to);
                if (from.equals(to) || !gpuInvolved) {
                    continue;
                }
                String cell = cell(from, to);
                if (cell == null) {
                    continue;
                }
                int nvlinks = nvlinks(from, to);
                TopologyLevel level = nvlinks > 0 ? null : TopologyLevel.ofTopoCell(cell);
                if (level != null || nvlinks > 0) {
                    paths.add(new DevicePath(idOf.apply(from), idOf.apply(to), level, nvlinks));
                }
            }
        }
        return paths;
    }

    @Override
    public String toString() {
        return "TopoMatrix" + Arrays.toString(devices.toArray());
    }
}
