package dev.strata.provider.baremetal.sysfs;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of {@code /proc/cpuinfo} that name a CPU, for every architecture's layout: one block
 * per {@code processor : N} plus keys outside any block (ARM's old {@code Processor} line,
 * POWER's platform block, s390's {@code vendor_id}).
 *
 * <p>Vendor and model follow the keys hwloc reads: x86 {@code vendor_id} and {@code model name};
 * IA-64 {@code vendor} and {@code model name}; ARM {@code CPU implementer} (named when known)
 * and {@code model name} or {@code Processor}; POWER {@code cpu}; s390 {@code vendor_id}.
 */
final class CpuInfo {
    static final CpuInfo EMPTY = new CpuInfo(Map.of(), Map.of());

    private static final Map<String, String> ARM_IMPLEMENTERS = Map.ofEntries(
            Map.entry("0x41", "ARM"), Map.entry("0x42", "Broadcom"), Map.entry("0x43", "Cavium"),
            Map.entry("0x46", "Fujitsu"), Map.entry("0x48", "HiSilicon"), Map.entry("0x4e", "NVIDIA"),
            Map.entry("0x50", "Applied Micro"), Map.entry("0x51", "Qualcomm"), Map.entry("0x53", "Samsung"),
            Map.entry("0x56", "Marvell"), Map.entry("0x61", "Apple"), Map.entry("0x69", "Intel"),
            Map.entry("0x6d", "Microsoft"), Map.entry("0xc0", "Ampere"));

    private final Map<Integer, Map<String, String>> processors;
    private final Map<String, String> global;

    private CpuInfo(Map<Integer, Map<String, String>> processors, Map<String, String> global) {
        this.processors = processors;
        this.global = global;
    }

    static CpuInfo read(SysfsFiles files) {
        return parse(files.lines(files.path("/proc/cpuinfo")));
    }

    static CpuInfo parse(List<String> lines) {
        Map<Integer, Map<String, String>> processors = new HashMap<>();
        Map<String, String> global = new HashMap<>();
        Map<String, String> current = null;
        for (String line : lines) {
            if (line.isBlank()) {
                current = null;
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (key.equals("processor")) {
                Integer number = parseInt(value);
                if (number != null) {
                    current = processors.computeIfAbsent(number, n -> new HashMap<>());
                    continue;
                }
            }
            (current != null ? current : global).putIfAbsent(key, value);
        }
        return new CpuInfo(processors, global);
    }

    /** The vendor of a logical CPU, or null when cpuinfo does not say. */
    String vendor(int cpu) {
        String vendor = first(cpu, "vendor_id", "vendor");
        if (vendor != null) {
            return vendor;
        }
        String implementer = first(cpu, "CPU implementer");
        if (implementer != null) {
            return ARM_IMPLEMENTERS.getOrDefault(implementer.toLowerCase(Locale.ROOT), implementer);
        }
        return null;
    }

    /** The model name of a logical CPU, or null when cpuinfo does not say. */
    String model(int cpu) {
        String model = first(cpu, "model name");
        if (model != null) {
            return model;
        }
        if (first(cpu, "CPU implementer") != null) {
            return first(cpu, "Processor");
        }
        return first(cpu, "cpu");
    }

    /** The machine architecture as uname names it, guessed from cpuinfo; null when unknown. */
    String architecture() {
        if ("IA-64".equals(any("arch"))) {
            return "ia64";
        }
        String vendorId = any("vendor_id");
        if (vendorId != null && vendorId.startsWith("IBM/S390")) {
            return "s390x";
        }
        if (vendorId != null && any("flags") != null) {
            return (" " + any("flags") + " ").contains(" lm ") ? "x86_64" : "i686";
        }
        String armArch = any("CPU architecture");
        if (armArch != null) {
            return armArch.startsWith("8") || armArch.startsWith("9") || armArch.equals("AArch64") ? "aarch64" : "arm";
        }
        String cpu = any("cpu");
        if (cpu != null && (cpu.startsWith("POWER") || cpu.startsWith("PPC"))) {
            return "ppc64";
        }
        return null;
    }

    private String first(int cpu, String... keys) {
        Map<String, String> block = processors.getOrDefault(cpu, Map.of());
        for (String key : keys) {
            String value = block.get(key);
            if (value == null) {
                value = global.get(key);
            }
            if (value != null && !value.isEmpty()) {
                return value;
            }
        }
        return null;
    }

    private String any(String key) {
        String value = global.get(key);
        if (value != null) {
            return value;
        }
        Optional<String> found = processors.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getValue().get(key))
                .filter(v -> v != null)
                .findFirst();
        return found.orElse(null);
    }

    private static Integer parseInt(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
