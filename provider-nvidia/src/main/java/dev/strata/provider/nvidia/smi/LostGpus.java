package dev.strata.provider.nvidia.smi;

import dev.strata.provider.nvidia.device.DriverText;
import dev.strata.provider.nvidia.device.PciAddresses;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GPUs nvidia-smi could not reach while it listed the others. When a GPU has fallen off the bus
 * (or NVML cannot get its handle for another reason), nvidia-smi prints one line for it, lists the
 * GPUs it still reaches, and exits with a non-zero status (15 for a GPU that is lost, 255 and others
 * too). Drivers word the line in several ways:
 * <pre>
 * Unable to determine the device handle for GPU3: 0000:04:00.0: Unknown Error
 * Unable to determine the device handle for GPU0000:3B:00.0: Unknown Error
 * Unable to determine the device handle for GPU 0000:02:00.0: GPU is lost. Reboot the system to recover this GPU
 * Unable to determine the device handle for gpu 0000:08:00.0: Unknown Error
 * </pre>
 * that is, with the GPU's index, its PCI address, or both. Such lines may come on standard error or
 * among the output on standard output; {@link #withoutThem} takes them out of the latter.
 */
public final class LostGpus {

    private static final String BUS = "[0-9A-Fa-f]{1,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\\.[0-7]";
    private static final Pattern LINE = Pattern.compile(
            "^\\s*Unable to determine the device handle for (?:GPU|gpu)\\s*(?:(" + BUS + ")|(\\d+)(?::\\s*(" + BUS + "))?)\\s*:\\s*(.*?)\\s*$");

    /**
     * One GPU nvidia-smi could not reach.
     *
     * @param index its NVML index, -1 when the line does not give it
     * @param pciAddress its PCI address in the Linux form ({@code 0000:3b:00.0}), null when the line does not give it
     * @param printed the line nvidia-smi printed, {@linkplain DriverText cleaned}
     */
    public record LostGpu(int index, String pciAddress, String printed) {
    }

    private LostGpus() {
    }

    /** The lost GPUs a command's output names, from standard output and standard error, in the order printed. */
    public static List<LostGpu> in(SmiRunner.Result result) {
        List<LostGpu> lost = new ArrayList<>();
        for (String text : List.of(result.stdout(), result.stderr())) {
            for (String line : text.split("\\R")) {
                Matcher m = LINE.matcher(line);
                if (m.matches()) {
                    String bus = m.group(1) != null ? m.group(1) : m.group(3);
                    int index = m.group(2) == null ? -1 : Integer.parseInt(m.group(2));
                    lost.add(new LostGpu(index, PciAddresses.normalise(bus), DriverText.clean(line)));
                }
            }
        }
        return List.copyOf(lost);
    }

    /** The output without the lines that name lost GPUs. */
    public static String withoutThem(String output) {
        StringBuilder kept = new StringBuilder();
        for (String line : output.split("\\R", -1)) {
            if (!LINE.matcher(line).matches()) {
                kept.append(line).append('\n');
            }
        }
        return kept.toString();
    }
}
