package dev.strata.provider.nvidia;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.platform.api.model.PciLink;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.provider.nvidia.device.DiscoveredGpus;
import dev.strata.provider.nvidia.device.GpuIds;
import dev.strata.provider.nvidia.device.GpuSource;
import dev.strata.provider.nvidia.device.PciAddresses;
import dev.strata.provider.nvidia.device.PciSysfs;
import dev.strata.provider.nvidia.device.SourceUnavailableException;
import dev.strata.provider.nvidia.device.XidLog;
import dev.strata.provider.nvidia.nvml.NvmlSource;
import dev.strata.provider.nvidia.smi.SmiGpu;
import dev.strata.provider.nvidia.smi.SmiLog;
import dev.strata.provider.nvidia.smi.SmiRunner;
import dev.strata.provider.nvidia.smi.SmiSource;
import dev.strata.provider.nvidia.smi.SmiXmlParser;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Checks on a GPU host, without OSGi, that Strata discovers the same GPUs through NVML and through
 * nvidia-smi, and that both agree with {@code nvidia-smi -q -x}: UUID, name, memory, compute
 * capability, PCI address, power limits, PCIe generation and width, MIG mode and MIG profiles
 * (profile memory within 0.01 GiB, the precision nvidia-smi prints). Prints a table and the time
 * each discovery took (cold: the first, which loads NVML or starts the JVM's process machinery;
 * warm: the second).
 *
 * <pre>
 * java -cp provider-nvidia.jar:platform-api.jar:jna.jar:slf4j-api.jar:slf4j-simple.jar \
 *     dev.strata.provider.nvidia.GpuCheck [--nvidia-smi PATH] [--nvml PATH] [--timeout 60s]
 * </pre>
 * Exit status: 0 when everything matches, 1 on any difference, 2 when a source is unavailable or fails, or for wrong
 * arguments (an unknown option, an option without its value, a timeout that is no duration).
 * Changes nothing on the GPU.
 */
public final class GpuCheck {

    private static final double PROFILE_MEMORY_TOLERANCE_GIB = 0.01;
    private static final double GIB = 1L << 30;

    private record Row(String gpu, String field, String xml, String nvml, String smi, boolean ok) {
    }

    private record Timed(DiscoveredGpus found, String failure, long coldMs, long warmMs) {
    }

    private GpuCheck() {
    }

    private static final String USAGE = "usage: GpuCheck [--nvidia-smi PATH] [--nvml LIBRARY] [--timeout 60s]";

    /** Wrong arguments: what is wrong and the usage line, exit status 2 (1 would say that the sources differ). */
    private static int usageError(PrintStream out, String message) {
        out.println("GpuCheck: " + message);
        out.println(USAGE);
        return 2;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    static int run(String[] args, PrintStream out) {
        String smiBinary = "nvidia-smi";
        String nvmlLibrary = "";
        Duration timeout = Duration.ofSeconds(60);
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (!List.of("--nvidia-smi", "--nvml", "--timeout").contains(option)) {
                out.println(USAGE);
                return 2;
            }
            if (i + 1 == args.length) {
                return usageError(out, option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--nvidia-smi" -> smiBinary = value;
                case "--nvml" -> nvmlLibrary = value;
                default -> {
                    try {
                        timeout = NvidiaSettings.duration(option, value);
                    } catch (InvalidConfigurationException e) {
                        return usageError(out, option + " '" + value + "' is invalid; expected " + NvidiaSettings.DURATION_EXPECTED);
                    }
                }
            }
        }
        Clock clock = Clock.systemUTC();
        PciSysfs sysfs = new PciSysfs();
        String host = GpuIds.host(Path.of("/"));
        out.printf(Locale.ROOT, "Strata GPU check: java %s (%s), %s%n", System.getProperty("java.version"),
                System.getProperty("java.vm.name"), System.getProperty("os.arch"));

        SmiSource smi = new SmiSource(smiBinary, timeout, sysfs, clock, host);
        SmiLog xml = null;
        long xmlMs = -1;
        Path binary = smi.locate();
        if (binary != null) {
            try {
                long start = System.nanoTime();
                SmiRunner.Result result = new SmiRunner(binary).run(timeout, "-q", "-x");
                xml = SmiXmlParser.parse(result.stdout().getBytes(StandardCharsets.UTF_8));
                xmlMs = (System.nanoTime() - start) / 1_000_000;
            } catch (SourceUnavailableException | RuntimeException e) {
                out.println("nvidia-smi -q -x failed: " + e.getMessage());
            }
        } else {
            out.println("nvidia-smi not found: " + smiBinary);
        }

        NvmlSource nvml = NvmlSource.jna(nvmlLibrary, new XidLog(clock), sysfs, clock, host);
        Timed viaNvml = timed(nvml, timeout);
        List<GpuSample> nvmlSamples = samples(nvml, timeout, out);
        nvml.close();
        Timed viaSmi = timed(smi, timeout);
        List<GpuSample> smiSamples = samples(smi, timeout, out);
        smi.close();

        out.printf(Locale.ROOT, "%ntiming: nvidia-smi -q -x run+parse %d ms; NVML discovery cold %d ms, warm %d ms;"
                + " nvidia-smi discovery cold %d ms, warm %d ms%n", xmlMs, viaNvml.coldMs(), viaNvml.warmMs(), viaSmi.coldMs(),
                viaSmi.warmMs());
        boolean failed = false;
        if (viaNvml.failure() != null) {
            out.println("NVML discovery failed: " + viaNvml.failure());
            failed = true;
        }
        if (viaSmi.failure() != null) {
            out.println("nvidia-smi discovery failed: " + viaSmi.failure());
            failed = true;
        }
        if (xml == null) {
            failed = true;
        }
        List<Row> rows = compare(xml, host, viaNvml.found(), viaSmi.found());
        printTable(out, rows);
        describe(out, "NVML", viaNvml.found(), nvmlSamples);
        describe(out, "nvidia-smi", viaSmi.found(), smiSamples);
        long differences = rows.stream().filter(r -> !r.ok()).count();
        out.printf(Locale.ROOT, "%nresult: %s (%d fields compared, %d differ)%n",
                failed ? "INCOMPLETE" : differences == 0 ? "MATCH" : "MISMATCH", rows.size(), differences);
        return failed ? 2 : differences == 0 ? 0 : 1;
    }

    private static Timed timed(GpuSource source, Duration timeout) {
        long[] ms = {-1, -1};
        DiscoveredGpus found = null;
        try {
            for (int round = 0; round < 2; round++) {
                long start = System.nanoTime();
                found = source.discover(DiscoveryContext.withTimeout("gpu-check-" + source.name() + "-" + round, timeout));
                ms[round] = (System.nanoTime() - start) / 1_000_000;
            }
            return new Timed(found, null, ms[0], ms[1]);
        } catch (SourceUnavailableException | RuntimeException e) {
            return new Timed(found, e.getClass().getSimpleName() + ": " + e.getMessage(), ms[0], ms[1]);
        }
    }

    private static List<GpuSample> samples(GpuSource source, Duration timeout, PrintStream out) {
        try {
            return source.sample(timeout);
        } catch (RuntimeException e) {
            out.println(source.name() + " sampling failed: " + e.getMessage());
            return List.of();
        }
    }

    private static List<Row> compare(SmiLog xml, String host, DiscoveredGpus nvml, DiscoveredGpus smi) {
        Map<String, SmiGpu> raw = new LinkedHashMap<>();
        if (xml != null) {
            // under the id the sources give it, a GPU without UUID included
            xml.gpus().forEach(g -> raw.put(GpuIds.of(host, g.uuid(), PciAddresses.normalise(g.pciBusId()), g.index()), g));
        }
        Map<String, Accelerator> byNvml = index(nvml);
        Map<String, Accelerator> bySmi = index(smi);
        List<String> ids = new ArrayList<>(raw.keySet());
        byNvml.keySet().stream().filter(id -> !ids.contains(id)).forEach(ids::add);
        bySmi.keySet().stream().filter(id -> !ids.contains(id)).forEach(ids::add);
        List<Row> rows = new ArrayList<>();
        rows.add(row("-", "gpu count", xml == null ? null : Integer.toString(raw.size()),
                nvml == null ? null : Integer.toString(byNvml.size()), smi == null ? null : Integer.toString(bySmi.size())));
        for (String id : ids) {
            SmiGpu x = raw.get(id);
            Accelerator n = byNvml.get(id);
            Accelerator s = bySmi.get(id);
            String gpu = x != null ? "GPU" + x.index() : id;
            rows.add(row(gpu, "uuid", x == null ? null : x.uuid() == null ? id : x.uuid(), n == null ? null : n.id(),
                    s == null ? null : s.id()));
            rows.add(field(gpu, "name", x == null ? null : x.productName(), n, s, Accelerator::model));
            rows.add(field(gpu, "memory", x == null ? null : x.memoryTotalMiB() + " MiB", n, s, a -> (a.memoryBytes() >> 20) + " MiB"));
            rows.add(field(gpu, "compute capability", null, n, s, Accelerator::computeCapability));
            rows.add(field(gpu, "pci address", x == null ? null : PciAddresses.normalise(x.pciBusId()), n, s, Accelerator::pciAddress));
            rows.add(field(gpu, "power enforced", x == null ? null : watts(x.powerEnforcedWatts()), n, s,
                    a -> watts(a.power().enforcedWatts())));
            rows.add(field(gpu, "power default", x == null ? null : watts(x.powerDefaultWatts()), n, s,
                    a -> watts(a.power().defaultWatts())));
            rows.add(field(gpu, "power min", x == null ? null : watts(x.powerMinWatts()), n, s, a -> watts(a.power().minWatts())));
            rows.add(field(gpu, "power max", x == null ? null : watts(x.powerMaxWatts()), n, s, a -> watts(a.power().maxWatts())));
            rows.add(field(gpu, "pcie current", x == null ? null : link(x.pcieGenCurrent(), x.pcieWidthCurrent()), n, s,
                    a -> a.pcie() == null ? null : link(a.pcie().currentGeneration(), a.pcie().currentWidth())));
            rows.add(field(gpu, "pcie max", x == null ? null : link(x.pcieGenMax(), x.pcieWidthMax()), n, s,
                    a -> a.pcie() == null ? null : link(a.pcie().maxGeneration(), a.pcie().maxWidth())));
            rows.add(field(gpu, "mig mode", x == null ? null : mig(x.migCurrent()), n, s, a -> a.partitioningEnabled() ? "Enabled"
                    : a.partitionProfiles().isEmpty() ? "N/A" : "Disabled"));
            rows.add(profiles(gpu, n, s));
        }
        return rows;
    }

    private static Map<String, Accelerator> index(DiscoveredGpus found) {
        Map<String, Accelerator> byId = new LinkedHashMap<>();
        if (found != null) {
            found.accelerators().forEach(a -> byId.put(a.id(), a));
        }
        return byId;
    }

    private static Row field(String gpu, String name, String xml, Accelerator nvml, Accelerator smi, Function<Accelerator, String> value) {
        return row(gpu, name, xml, nvml == null ? null : value.apply(nvml), smi == null ? null : value.apply(smi));
    }

    /** A row matches when every value present equals the others and NVML and nvidia-smi both have one. */
    private static Row row(String gpu, String name, String xml, String nvml, String smi) {
        boolean ok = nvml != null && smi != null && nvml.equals(smi) && (xml == null || xml.equals(nvml));
        if ("mig mode".equals(name) && "N/A".equals(xml) && "N/A".equals(nvml) && "N/A".equals(smi)) {
            ok = true;
        }
        return new Row(gpu, name, xml, nvml, smi, ok);
    }

    private static Row profiles(String gpu, Accelerator nvml, Accelerator smi) {
        String n = nvml == null ? null : profilesText(nvml.partitionProfiles());
        String s = smi == null ? null : profilesText(smi.partitionProfiles());
        boolean ok = nvml != null && smi != null && nvml.partitionProfiles().size() == smi.partitionProfiles().size();
        for (int i = 0; ok && i < nvml.partitionProfiles().size(); i++) {
            PartitionProfile a = nvml.partitionProfiles().get(i);
            PartitionProfile b = smi.partitionProfiles().get(i);
            ok = a.name().equals(b.name()) && a.profileId() == b.profileId() && a.maxInstances() == b.maxInstances()
                    && a.multiprocessors() == b.multiprocessors() && a.computeSlices() == b.computeSlices()
                    && a.totalSlices() == b.totalSlices() && a.placements().equals(b.placements())
                    && a.placementSize() == b.placementSize()
                    && Math.abs(a.memoryBytes() - b.memoryBytes()) / GIB <= PROFILE_MEMORY_TOLERANCE_GIB + 1e-9;
        }
        return new Row(gpu, "mig profiles", null, n, s, ok);
    }

    private static String profilesText(List<PartitionProfile> profiles) {
        List<String> parts = new ArrayList<>();
        for (PartitionProfile p : profiles) {
            parts.add(String.format(Locale.ROOT, "%s(id %d, %d x, %s GiB, %d SM, %d/%d, %s:%d)", p.name(), p.profileId(),
                    p.maxInstances(), BigDecimal.valueOf(p.memoryBytes() / GIB).setScale(3, RoundingMode.HALF_EVEN).toPlainString(),
                    p.multiprocessors(), p.computeSlices(), p.totalSlices(), p.placements(), p.placementSize()));
        }
        return parts.isEmpty() ? "none" : String.join(" ", parts);
    }

    private static String watts(double watts) {
        return String.format(Locale.ROOT, "%.2f W", watts);
    }

    private static String link(int generation, int width) {
        return "gen " + generation + " x" + width;
    }

    private static String mig(Boolean current) {
        return current == null ? "N/A" : current ? "Enabled" : "Disabled";
    }

    private static void printTable(PrintStream out, List<Row> rows) {
        out.printf(Locale.ROOT, "%n%-6s %-18s %-42s %-42s %-42s %s%n", "gpu", "field", "nvidia-smi -q -x", "Strata via NVML",
                "Strata via nvidia-smi", "");
        for (Row r : rows) {
            boolean longValue = r.field().equals("mig profiles");
            if (longValue) {
                out.printf(Locale.ROOT, "%-6s %-18s %s%n", r.gpu(), r.field(), r.ok() ? "ok" : "DIFFERENT");
                out.printf(Locale.ROOT, "       NVML:       %s%n       nvidia-smi: %s%n", dash(r.nvml()), dash(r.smi()));
            } else {
                out.printf(Locale.ROOT, "%-6s %-18s %-42s %-42s %-42s %s%n", r.gpu(), r.field(), dash(r.xml()), dash(r.nvml()),
                        dash(r.smi()), r.ok() ? "ok" : "DIFFERENT");
            }
        }
    }

    private static void describe(PrintStream out, String source, DiscoveredGpus found, List<GpuSample> samples) {
        out.printf(Locale.ROOT, "%nStrata via %s:%n", source);
        if (found == null) {
            out.println("  nothing discovered");
            return;
        }
        for (Accelerator a : found.accelerators()) {
            PciLink pcie = a.pcie();
            out.printf(Locale.ROOT, "  %s %s numa=%d cpus=%s pcie=%s health=%s %s links=%d domain=%s%n    attributes=%s%n", a.id(),
                    a.model(), a.numaNode(), a.cpuAffinity(), pcie == null ? "-" : pcie.currentSpeedGts() + "GT/s x" + pcie.currentWidth(),
                    a.health().status(), a.health().reasons(), a.links().size(), a.interconnectDomain(), a.attributes());
        }
        out.printf(Locale.ROOT, "  fabrics=%s%n  paths=%s%n", found.interconnects(), found.paths());
        for (GpuSample s : samples) {
            out.printf(Locale.ROOT, "  sample %s: gpu %.0f%% mem %.0f%% used %d MiB power %.2f W temp %.0f C sm %d MHz throttle %s"
                    + " ecc %d/%d%n", s.acceleratorId(), s.gpuUtilisationPercent(), s.memoryUtilisationPercent(),
                    s.memoryUsedBytes() < 0 ? -1 : s.memoryUsedBytes() >> 20, s.powerWatts(), s.temperatureCelsius(), s.smClockMHz(),
                    s.throttleReasons(), s.eccCorrected(), s.eccUncorrected());
        }
    }

    private static String dash(String value) {
        return value == null ? "-" : value;
    }
}
