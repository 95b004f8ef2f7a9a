package dev.strata.provider.nvidia.smi;

import dev.strata.provider.nvidia.device.PciAddresses;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The warnings nvidia-smi prints before its output on a machine whose GPUs work but whose state it
 * wants the operator to know, one line each:
 * <pre>
 * WARNING: infoROM is corrupted at gpu 0000:41:00.0
 * </pre>
 * Taken for the output, such a line became the {@code --query-gpu} CSV's header, or text before
 * the {@code -q -x} document's prolog, and the discovery and the sampling failed with an error that
 * did not point at it. Only lines that start with {@code WARNING:} and come before the output
 * proper are warnings: the parsers skip them, and the source logs each once. A corrupted infoROM
 * is a fact of the GPU at that bus id ({@link #inforomCorrupted}), as NVML's
 * {@code nvmlDeviceValidateInforom} reports it.
 */
final class SmiWarnings {

    static final String PREFIX = "WARNING:";
    private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.US_ASCII);
    private static final Pattern INFOROM_CORRUPTED = Pattern.compile(
            "^WARNING:\\s*infoROM is corrupted at gpu\\s+([0-9A-Fa-f]{1,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\\.[0-7])\\s*$",
            Pattern.CASE_INSENSITIVE);

    private SmiWarnings() {
    }

    /** Whether a line is one of nvidia-smi's warnings. */
    static boolean isWarning(String line) {
        return line.startsWith(PREFIX);
    }

    /** The warning lines before the output proper (blank lines between them passed over), as printed. */
    static List<String> leading(String text) {
        List<String> warnings = new ArrayList<>();
        // line by line up to the output proper: a sample's or a discovery's whole output is not split for the few lines before it
        for (Iterator<String> lines = text.lines().iterator(); lines.hasNext();) {
            String line = lines.next();
            if (isWarning(line)) {
                warnings.add(line);
            } else if (!line.isBlank()) {
                break;
            }
        }
        return warnings;
    }

    /**
     * The GPUs whose infoROM a command's warnings say is corrupted: the leading warnings of its standard output and the
     * warnings on its standard error.
     *
     * @return their PCI addresses in the Linux form ({@code 0000:41:00.0}), as {@link PciAddresses#normalise} writes
     *     both the warning's {@code 0000:41:00.0} and {@code -q -x}'s {@code 00000000:41:00.0}
     */
    static Set<String> inforomCorrupted(SmiRunner.Result result) {
        Set<String> corrupted = new TreeSet<>();
        List<String> warnings = new ArrayList<>(leading(result.stdout()));
        result.stderr().lines().filter(SmiWarnings::isWarning).forEach(warnings::add);
        for (String warning : warnings) {
            Matcher m = INFOROM_CORRUPTED.matcher(warning);
            if (m.matches()) {
                corrupted.add(PciAddresses.normalise(m.group(1)));
            }
        }
        return corrupted;
    }

    /**
     * Where the output proper starts in {@code bytes}: after the lines that start with {@code WARNING:} and the blank lines
     * among and after them, as {@link #leading} passes over them; 0 when there are none.
     */
    static int skipLeading(byte[] bytes) {
        int start = 0;
        while (startsWithPrefix(bytes, start) || blankLineAt(bytes, start)) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            start = Math.min(end + 1, bytes.length);
        }
        return start;
    }

    /** Whether a line of nothing but white space, ended by a line feed, starts at {@code at}. */
    private static boolean blankLineAt(byte[] bytes, int at) {
        for (int i = at; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return true;
            }
            if (bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\r') {
                return false;
            }
        }
        return false;
    }

    private static boolean startsWithPrefix(byte[] bytes, int at) {
        if (bytes.length - at < PREFIX_BYTES.length) {
            return false;
        }
        for (int i = 0; i < PREFIX_BYTES.length; i++) {
            if (bytes[at + i] != PREFIX_BYTES[i]) {
                return false;
            }
        }
        return true;
    }
}
