package dev.strata.provider.nvidia;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Variants of the real captures that no machine at hand can produce, made at run time from the
 * captures themselves (never stored in the project), each saying what it changed.
 */
public final class DerivedCaptures {

    private static final Pattern GPU = Pattern.compile("(?s)\t<gpu id=\"[^\"]*\">.*?</gpu>\n");

    private DerivedCaptures() {
    }

    /**
     * An eight-GPU host made of one captured {@code nvidia-smi -q -x}: the fixtures hold only
     * one-GPU machines. The captured {@code <gpu>} is kept as GPU 0 and copied seven times; copy
     * {@code i} sits at PCI bus {@code 0x10 + i} ({@code 00000000:1i:00.0} in the {@code id}
     * attribute, {@code <pci_bus_id>} and {@code <pci_bus>}), has minor number {@code i} and the
     * captured UUID with its last four digits replaced by {@code f00i}; {@code <attached_gpus>} says 8.
     * Then GPU {@code withoutUuid} gets {@code <uuid>N/A</uuid>}, as nvidia-smi prints it for a
     * GPU whose UUID NVML cannot read.
     */
    public static String eightGpusOneWithoutUuid(String captured, int withoutUuid) {
        return eightGpus(captured, withoutUuid, "uuid");
    }

    /**
     * The eight-GPU host of {@link #eightGpusOneWithoutUuid}, every GPU with its UUID, where GPU
     * {@code withoutName} gets {@code <product_name>N/A</product_name>} instead, as nvidia-smi prints
     * a value NVML cannot read.
     */
    public static String eightGpusOneWithoutProductName(String captured, int withoutName) {
        return eightGpus(captured, withoutName, "product_name");
    }

    /**
     * The captured {@code -q -x} with two bytes that are no UTF-8 ({@code 0xFF 0xFE}) put before
     * the digits of {@code <serial>}: what nvidia-smi, which prints the board's strings as read,
     * shows for a serial number stored garbled (a damaged InfoROM). The document is otherwise
     * unchanged.
     */
    public static byte[] serialWithBytesThatAreNoUtf8(byte[] captured) {
        String text = new String(captured, java.nio.charset.StandardCharsets.ISO_8859_1);
        String serial = field(text, "serial");
        String changed = text.replaceFirst("<serial>" + serial + "</serial>", "<serial>\u00FF\u00FE" + serial + "</serial>");
        return changed.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /**
     * The eight-GPU host of {@link #eightGpusOneWithoutUuid}, every GPU with its UUID, as
     * {@code nvidia-smi -q -x} lists it when GPU {@code lost} has fallen off the bus: that GPU's
     * {@code <gpu>} is left out, the others keep their place.
     */
    public static String eightGpusOneLost(String captured, int lost) {
        String eight = eightGpus(captured, -1, "uuid");
        Matcher m = GPU.matcher(eight);
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (m.find()) {
            m.appendReplacement(out, i++ == lost ? "" : Matcher.quoteReplacement(m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * A {@code nvidia-smi topo -m} of several GPUs in the captured one-GPU layout (tab-separated,
     * the header underlined with ANSI escapes, the padding tab before {@code GPU NUMA ID}, the
     * legend as captured): a column and a row for each label, {@code SYS} between GPUs, and GPU
     * {@code labels[k]}'s CPU affinity {@code cpus[k]} and NUMA affinity {@code numa[k]}.
     */
    public static String topo(String captured, List<String> labels, List<String> cpus, List<Integer> numa) {
        String[] lines = captured.split("\n", -1);
        if (!lines[0].contains("GPU0\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID") || !lines[1].matches("GPU0\t X \t[^\t]+\t[^\t]+\t\tN/A")) {
            throw new IllegalArgumentException("not the captured one-GPU layout: " + lines[0] + " / " + lines[1]);
        }
        StringBuilder out = new StringBuilder(lines[0].replace("GPU0\t", String.join("\t", labels) + "\t")).append('\n');
        for (int row = 0; row < labels.size(); row++) {
            out.append(labels.get(row));
            for (int col = 0; col < labels.size(); col++) {
                out.append('\t').append(row == col ? " X " : "SYS");
            }
            out.append('\t').append(cpus.get(row)).append('\t').append(numa.get(row)).append("\t\tN/A\n");
        }
        for (int i = 2; i < lines.length; i++) {
            out.append(lines[i]).append(i + 1 < lines.length ? "\n" : "");
        }
        return out.toString();
    }

    /** The captured {@code <gpu>} as eight GPUs, GPU {@code broken}'s {@code <element>} made N/A. */
    private static String eightGpus(String captured, int broken, String element) {
        Matcher m = GPU.matcher(captured);
        if (!m.find()) {
            throw new IllegalArgumentException("no <gpu> in the capture");
        }
        String gpu = m.group();
        String uuid = field(gpu, "uuid");
        StringBuilder gpus = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            String copy = gpu;
            if (i > 0) {
                String bus = String.format(Locale.ROOT, "%02X", 0x10 + i);
                String busId = "00000000:" + bus + ":00.0";
                copy = copy.replaceFirst("<gpu id=\"[^\"]*\">", "<gpu id=\"" + busId + "\">")
                        .replaceFirst("<pci_bus_id>[^<]*</pci_bus_id>", "<pci_bus_id>" + busId + "</pci_bus_id>")
                        .replaceFirst("<pci_bus>[^<]*</pci_bus>", "<pci_bus>" + bus + "</pci_bus>")
                        .replaceFirst("<minor_number>[^<]*</minor_number>", "<minor_number>" + i + "</minor_number>")
                        .replace("<uuid>" + uuid + "</uuid>", "<uuid>" + uuidOf(uuid, i) + "</uuid>");
            }
            if (i == broken) {
                field(copy, element);
                copy = copy.replaceFirst("<" + element + ">[^<]*</" + element + ">", "<" + element + ">N/A</" + element + ">");
            }
            gpus.append(copy);
        }
        String head = captured.substring(0, m.start()).replaceFirst("<attached_gpus>1</attached_gpus>", "<attached_gpus>8</attached_gpus>");
        return head + gpus + captured.substring(m.end());
    }

    /** The UUID {@link #eightGpusOneWithoutUuid} gives GPU {@code i}: 0 keeps the captured one, the others end in {@code f00i}. */
    public static String uuidOf(String captured, int i) {
        String uuid = i == 0 ? captured : captured.substring(0, captured.length() - 4) + "f00" + i;
        if (i > 0 && uuid.equals(captured)) {
            throw new IllegalArgumentException("the captured UUID already ends in f00" + i);
        }
        return uuid;
    }

    private static String field(String gpu, String name) {
        Matcher m = Pattern.compile("<" + name + ">([^<]*)</" + name + ">").matcher(gpu);
        if (!m.find()) {
            throw new IllegalArgumentException("no <" + name + "> in the captured <gpu>");
        }
        return m.group(1);
    }
}
