package dev.strata.provider.nvidia;

import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.DevicePath;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.MachineIdentity;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.Generations;
import dev.strata.platform.api.provider.GpuProvider;
import dev.strata.platform.api.provider.GpuSnapshot;
import dev.strata.platform.api.provider.StrataProvider;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.GpuTelemetrySource;
import dev.strata.provider.nvidia.device.DiscoveredGpus;
import dev.strata.provider.nvidia.device.GpuIds;
import dev.strata.provider.nvidia.device.GpuSource;
import dev.strata.provider.nvidia.device.PciSysfs;
import dev.strata.provider.nvidia.device.SourceUnavailableException;
import dev.strata.provider.nvidia.device.XidLog;
import dev.strata.provider.nvidia.nvml.NvmlSource;
import dev.strata.provider.nvidia.smi.SmiSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NVIDIA GPUs of this host through NVML, or through nvidia-smi where NVML cannot be loaded, and
 * their telemetry. Where neither is present the provider reports no devices with the reason
 * {@value #UNAVAILABLE} (logged once) and never fails.
 *
 * <p>Activation only validates the configuration and starts the idle sampling thread: NVML is
 * loaded and initialised, and processes are started, on the first discovery, within its deadline.
 * The provider keeps no state the platform needs: ids are GPU UUIDs, generations the wall clock,
 * kept above every earlier one across restarts by a mark in Karaf's data folder ({@link Generations}). A
 * GPU whose UUID cannot be read is reported FAILED under an id made of the host and its PCI address
 * ({@link GpuIds}), and the host's other GPUs are discovered as usual. A GPU NVML cannot reach, or
 * that nvidia-smi shows without a product name, is reported FAILED too (under its UUID where the
 * source still gives one), and does not hide the others either. Each GPU reported FAILED, whatever
 * the reason, is logged once as a warning (again if it fails anew after it was well).
 * Snapshots carry the host's {@link MachineIdentity}, by which the inventory attaches the GPUs to
 * the bare-metal node of the same machine.
 */
@Component(service = {GpuProvider.class, GpuTelemetrySource.class}, immediate = true, configurationPid = NvidiaGpuProvider.PID)
@Designate(ocd = NvidiaConfig.class)
@StrataProvider(id = NvidiaGpuProvider.ID, vendor = "nvidia")
public class NvidiaGpuProvider implements GpuProvider, GpuTelemetrySource {

    public static final String PID = "dev.strata.provider.nvidia";
    public static final String ID = "nvidia";
    /** The snapshot's unavailable reason when neither NVML nor nvidia-smi can be used. */
    public static final String UNAVAILABLE = "no NVML and no nvidia-smi";
    private static final Logger LOG = LoggerFactory.getLogger(NvidiaGpuProvider.class);

    private final GpuSource nvml;
    private final GpuSource smi;
    private final GpuSampler sampler;
    private final Clock clock;
    private final Path root;
    private final String machineId;
    private final Generations generations;
    private final AtomicBoolean unavailableLogged = new AtomicBoolean();
    private final Set<String> failedLogged = ConcurrentHashMap.newKeySet();
    private volatile String lastSource;

    @Activate
    public NvidiaGpuProvider(NvidiaConfig config) {
        this(NvidiaSettings.from(config), Clock.systemUTC(), new PciSysfs(), Path.of("/"), Generations.dataFolder());
    }

    /**
     * A provider whose generations are kept in memory only (tests).
     *
     * @param root the root of the host's {@code /proc}, {@code /sys} and {@code /etc}, for its name
     *     and machine identity ({@code /} for this host)
     */
    NvidiaGpuProvider(NvidiaSettings settings, Clock clock, PciSysfs sysfs, Path root) {
        this(settings, clock, sysfs, root, (Path) null);
    }

    /** A provider that keeps the mark of its generations in {@code dataFolder}; in memory only where it is null. */
    NvidiaGpuProvider(NvidiaSettings settings, Clock clock, PciSysfs sysfs, Path root, Path dataFolder) {
        this(settings, clock, sysfs, root, GpuIds.host(root), dataFolder);
    }

    private NvidiaGpuProvider(NvidiaSettings settings, Clock clock, PciSysfs sysfs, Path root, String host, Path dataFolder) {
        this(NvmlSource.jna(settings.nvmlLibrary(), new XidLog(clock), sysfs, clock, host),
                new SmiSource(settings.nvidiaSmi(), settings.commandTimeout(), sysfs, clock, host),
                // a round has the command's deadline, not the interval: nvidia-smi slower than the interval samples as often as it
                // answers, where a round cut at the interval was killed every time and gave no telemetry at all
                new GpuSampler(settings.telemetryInterval(), settings.telemetryHistory(), settings.commandTimeout()),
                clock, root, dataFolder);
    }

    NvidiaGpuProvider(GpuSource nvml, GpuSource smi, GpuSampler sampler, Clock clock, Path root) {
        this(nvml, smi, sampler, clock, root, null);
    }

    private NvidiaGpuProvider(GpuSource nvml, GpuSource smi, GpuSampler sampler, Clock clock, Path root, Path dataFolder) {
        this.nvml = nvml;
        this.smi = smi;
        this.sampler = sampler;
        this.clock = clock;
        this.root = root;
        this.generations = dataFolder == null ? Generations.inMemory(clock) : Generations.inDataFolder(dataFolder, ID, ID, clock,
                message -> LOG.warn("NVIDIA provider: {}", message));
        // the same identity the bare-metal provider gives this host's node: the inventory joins on it
        this.machineId = MachineIdentity.read(root).orElse(null);
        sampler.start();
    }

    @Deactivate
    void deactivate() {
        sampler.close();
        nvml.close();
        smi.close();
    }

    @Override
    public GpuSnapshot discoverGpus(DiscoveryContext context) {
        context.checkDeadline("GPU discovery");
        DiscoveredGpus found = null;
        GpuSource used = null;
        String nvmlReason;
        try {
            found = nvml.discover(context);
            used = nvml;
            nvmlReason = null;
        } catch (SourceUnavailableException e) {
            nvmlReason = e.getMessage();
        }
        String smiReason = null;
        if (found == null) {
            try {
                found = smi.discover(context);
                used = smi;
            } catch (SourceUnavailableException e) {
                smiReason = e.getMessage();
            }
        }
        if (found == null) {
            sampler.use(null);
            if (unavailableLogged.compareAndSet(false, true)) {
                LOG.info("NVIDIA provider sees no GPUs: {} ({}; {})", UNAVAILABLE, nvmlReason, smiReason);
            }
            return snapshot(List.of(), List.of(), List.of(), UNAVAILABLE);
        }
        if (!used.name().equals(lastSource)) {
            LOG.info("NVIDIA provider reads {} GPU(s) through {}{}", found.accelerators().size(), used.name(),
                    nvmlReason == null ? "" : " (NVML: " + nvmlReason + ")");
            lastSource = used.name();
        }
        unavailableLogged.set(false);
        logFailedGpus(found.accelerators());
        sampler.retain(found.accelerators().stream().map(Accelerator::id).toList());
        sampler.use(found.accelerators().isEmpty() ? null : used);
        context.checkDeadline("returning the GPU snapshot");
        return snapshot(found.accelerators(), found.interconnects(), found.paths(), null);
    }

    /**
     * Warns once about each GPU reported FAILED (one without UUID, one NVML cannot read, one without
     * product name, one its own health facts fail), again if it fails anew after it was well or gone.
     */
    private void logFailedGpus(List<Accelerator> accelerators) {
        Set<String> present = new HashSet<>();
        for (Accelerator a : accelerators) {
            if (a.health().status() == Health.Status.FAILED) {
                present.add(a.id());
                if (failedLogged.add(a.id())) {
                    LOG.warn("NVIDIA GPU {} reported with health FAILED (never placed on); the other GPUs are discovered as usual: {}",
                            a.id(), String.join("; ", a.health().reasons()));
                }
            }
        }
        failedLogged.retainAll(present);
    }

    private GpuSnapshot snapshot(List<Accelerator> accelerators, List<Fabric> fabrics,
            List<DevicePath> paths, String unavailableReason) {
        long generation = generations.next();
        return GpuSnapshot.builder(generation, clock.instant()).hostname(hostname()).machineId(machineId).accelerators(accelerators)
                .interconnects(fabrics).paths(paths).unavailableReason(unavailableReason).warnings(generations.warnings()).build();
    }

    private String hostname() {
        return GpuIds.hostname(root);
    }

    @Override
    public List<GpuSample> latest() {
        return sampler.latest();
    }

    @Override
    public List<GpuSample> recent(String acceleratorId, int limit) {
        return sampler.recent(acceleratorId, limit);
    }

    @Override
    public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
        return sampler.since(Objects.requireNonNull(acceleratorId, "acceleratorId"), Objects.requireNonNull(from, "from"), limit);
    }

    /** The sampler, for tests. */
    GpuSampler sampler() {
        return sampler;
    }
}
