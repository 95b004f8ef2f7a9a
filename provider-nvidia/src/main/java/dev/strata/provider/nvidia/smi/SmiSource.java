package dev.strata.provider.nvidia.smi;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.DeviceLink;
import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.provider.nvidia.device.DiscoveredGpus;
import dev.strata.provider.nvidia.device.DriverText;
import dev.strata.provider.nvidia.device.GpuIds;
import dev.strata.provider.nvidia.device.GpuSource;
import dev.strata.provider.nvidia.device.PciSysfs;
import dev.strata.provider.nvidia.device.SourceUnavailableException;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPUs read through the nvidia-smi binary: {@code -q -x}, then (each optional: a failure only
 * leaves its facts out) {@code --query-gpu=uuid,compute_cap}, {@code topo -m}, {@code mig -lgip},
 * {@code mig -lgipp} and, where {@code topo -m} shows NVLinks, {@code nvlink -s}. Each command gets
 * the command timeout or the time left before the deadline, whichever is shorter. Telemetry comes
 * from one {@code --query-gpu} call for all GPUs; a GPU without UUID is not sampled (its row cannot
 * be told apart from another's). A GPU nvidia-smi cannot reach (fallen off the bus) makes it print
 * a line naming it ({@link LostGpus}), list the others and exit non-zero: the others are discovered
 * and sampled as usual, and the lost one is reported FAILED under its PCI address. A warning that
 * nvidia-smi prints before its output ({@link SmiWarnings}: {@code WARNING: infoROM is corrupted
 * at gpu ...}) is logged once, and the output read after it; the GPU it names is DEGRADED, as
 * through NVML. The exit status 14 that goes with it (infoROM corrupted) is no failure where the
 * command printed its output besides ({@link SmiErrors}).
 */
public final class SmiSource implements GpuSource {

    public static final String NAME = "nvidia-smi";
    private static final Logger LOG = LoggerFactory.getLogger(SmiSource.class);
    /** The most distinct warnings remembered as logged: nvidia-smi prints a few, one per GPU at most. */
    private static final int WARNINGS_KEPT = 64;

    private final String configured;
    private final Duration commandTimeout;
    private final PciSysfs sysfs;
    private final Clock clock;
    private final String host;
    private volatile SmiRunner runner;
    private volatile List<String> gpuIds = List.of();
    private volatile boolean legacyThrottleField;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /**
     * @param configured the binary: a path, or a name looked up on {@code PATH}
     * @param commandTimeout the most one command may take
     * @param host this host, as {@link GpuIds#host} names it: part of the id of a GPU without UUID
     */
    public SmiSource(String configured, Duration commandTimeout, PciSysfs sysfs, Clock clock, String host) {
        this.configured = configured;
        this.commandTimeout = commandTimeout;
        this.sysfs = sysfs;
        this.clock = clock;
        this.host = host;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The binary to run, or null when there is none. */
    public Path locate() {
        String name = configured == null || configured.isBlank() ? NAME : configured.strip();
        if (name.contains("/")) {
            Path path = Path.of(name);
            return Files.isRegularFile(path) && Files.isExecutable(path) ? path : null;
        }
        String pathVariable = System.getenv("PATH");
        if (pathVariable == null) {
            return null;
        }
        for (String dir : pathVariable.split(File.pathSeparator)) {
            if (!dir.isBlank()) {
                Path candidate = Path.of(dir, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    @Override
    public DiscoveredGpus discover(DiscoveryContext context) throws SourceUnavailableException {
        Path binary = locate();
        if (binary == null) {
            // the configured path is shown escaped: this reaches the log line that tells why no GPU is seen
            throw new SourceUnavailableException("nvidia-smi not found (" + InvalidConfigurationException.printable(configured) + ")");
        }
        SmiRunner smi = new SmiRunner(binary);
        SmiRunner.Result listed = run(smi, context, "-q", "-x");
        List<LostGpus.LostGpu> lost = LostGpus.in(listed);
        Set<String> inforomCorrupted = SmiWarnings.inforomCorrupted(listed);
        SmiRunner.Result xml = SmiErrors.checkedListing(listed);
        if (!lost.isEmpty()) {
            LOG.debug("{} exited with {} and names {} lost GPU(s): {}", xml.command(), xml.exitCode(), lost.size(), lost);
        }
        SmiLog log = SmiErrors.parsed(xml.command(), () -> SmiXmlParser.parse(xml.stdout().getBytes(StandardCharsets.UTF_8)));
        Map<String, String> computeCapabilities = new HashMap<>();
        Map<Integer, List<PartitionProfile>> profiles = Map.of();
        Map<String, List<DeviceLink>> nvLinks = Map.of();
        TopoMatrix topo = null;
        if (!log.gpus().isEmpty()) {
            SmiRunner.Result query = optional(run(smi, context, "--query-gpu=uuid,compute_cap", "--format=csv"));
            if (query != null) {
                for (Map<String, String> row : SmiErrors.parsed(query.command(), () -> QueryCsv.parse(query.stdout()))) {
                    String uuid = GpuIds.uuidOrNull(row.get("uuid"));
                    String cc = row.get("compute_cap");
                    if (uuid != null && cc != null && cc.matches("\\d+\\.\\d+")) {
                        computeCapabilities.put(uuid, cc);
                    }
                }
            }
            SmiRunner.Result topoResult = optional(run(smi, context, "topo", "-m"));
            if (topoResult != null) {
                topo = SmiErrors.parsed(topoResult.command(), () -> TopoMatrix.parse(topoResult.stdout()));
            }
            SmiRunner.Result lgip = optional(run(smi, context, "mig", "-lgip"));
            if (lgip != null) {
                SmiRunner.Result lgipp = optional(run(smi, context, "mig", "-lgipp"));
                profiles = SmiErrors.parsed(lgip.command(), () -> MigProfileParser.parse(lgip.stdout(), lgipp == null ? null : lgipp.stdout()));
            }
            TopoMatrix matrix = topo;
            boolean anyNvLink = matrix != null && matrix.gpus().stream()
                    .anyMatch(a -> matrix.gpus().stream().anyMatch(b -> !a.equals(b) && matrix.nvlinks(a, b) > 0));
            if (anyNvLink) {
                SmiRunner.Result status = optional(run(smi, context, "nvlink", "-s"));
                if (status != null) {
                    nvLinks = NvLinkStatusParser.parse(status.stdout());
                }
            }
        }
        DiscoveredGpus found = SmiMapper.map(log, lost, inforomCorrupted, computeCapabilities, topo, profiles, nvLinks, sysfs, host);
        List<String> ids = new ArrayList<>();
        found.accelerators().forEach(a -> ids.add(a.id()));
        runner = smi;
        gpuIds = List.copyOf(ids);
        return found;
    }

    @Override
    public List<GpuSample> sample(Duration timeout) {
        SmiRunner smi = runner;
        if (smi == null || gpuIds.isEmpty()) {
            return List.of();
        }
        try {
            SmiRunner.Result result = smi.run(timeout, "--query-gpu=" + fields(), "--format=csv");
            if (result.exitCode() != 0 && LostGpus.in(result).isEmpty() && !SmiErrors.warnedOnly(result) && !legacyThrottleField) {
                // drivers before 535 know the throttle mask only as clocks_throttle_reasons.active
                SmiRunner.Result legacy = smi.run(timeout, "--query-gpu=" + SmiSamples.LEGACY_QUERY_FIELDS, "--format=csv");
                if (legacy.exitCode() == 0) {
                    legacyThrottleField = true;
                    result = legacy;
                }
            }
            warnOnce(result);
            // a lost GPU has no row; the rows of the others are sampled
            SmiRunner.Result checked = SmiErrors.checkedListing(result);
            Instant at = clock.instant();
            List<GpuSample> samples = new ArrayList<>();
            for (Map<String, String> row : SmiErrors.parsed(checked.command(), () -> QueryCsv.parse(checked.stdout()))) {
                String uuid = GpuIds.uuidOrNull(row.get("uuid"));
                if (uuid != null) {
                    samples.add(SmiSamples.of(uuid, at, row));
                }
            }
            return samples;
        } catch (SourceUnavailableException e) {
            throw new ProviderUnavailableException(e.getMessage(), e);
        }
    }

    private String fields() {
        return legacyThrottleField ? SmiSamples.LEGACY_QUERY_FIELDS : SmiSamples.QUERY_FIELDS;
    }

    private SmiRunner.Result run(SmiRunner smi, DiscoveryContext context, String... args) throws SourceUnavailableException {
        context.checkDeadline("nvidia-smi " + String.join(" ", args));
        Duration remaining = context.remaining();
        SmiRunner.Result result = smi.run(remaining.compareTo(commandTimeout) < 0 ? remaining : commandTimeout, args);
        warnOnce(result);
        return result;
    }

    /**
     * Logs, once each, the warnings nvidia-smi printed before a command's output: the parsers pass over them, so that a
     * machine whose GPUs work is still discovered and sampled, and the operator learns of them here. They are the driver's
     * text, so {@linkplain DriverText cleaned}.
     */
    private void warnOnce(SmiRunner.Result result) {
        for (String line : SmiWarnings.leading(result.stdout())) {
            String warning = DriverText.clean(line);
            if (warned.size() < WARNINGS_KEPT && warned.add(warning)) {
                LOG.warn("{} printed a warning: {}", result.command(), warning);
            }
        }
    }

    /**
     * A command whose facts are optional: null when it failed; its output without the lines naming
     * lost GPUs when it exited non-zero for them, listing the others.
     */
    private static SmiRunner.Result optional(SmiRunner.Result result) {
        SmiRunner.Result listing = SmiErrors.listing(result);
        if (listing == null) {
            LOG.debug("{} exited with {}; its facts are left out: {}", result.command(), result.exitCode(), printed(result));
        }
        return listing;
    }

    /**
     * What a command that failed printed, as the debug log quotes it: the driver's text, so {@linkplain DriverText cleaned},
     * as every other output that reaches the log is; a terminal escape in it would otherwise reach the operator's screen.
     */
    static String printed(SmiRunner.Result result) {
        return DriverText.clean(result.stdout());
    }

    @Override
    public void close() {
        runner = null;
        gpuIds = List.of();
    }
}
