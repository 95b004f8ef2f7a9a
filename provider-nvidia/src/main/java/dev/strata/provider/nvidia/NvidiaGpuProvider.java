package dev.strata.provider.nvidia;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.DevicePath;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.MachineIdentity;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.provider.ConfigurationRejections;
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
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
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
 *
 * <p>A configuration change applies in place, the provider staying registered: a change it refuses
 * leaves the previous settings in force (logged at ERROR), and a valid one replaces the sampler (its
 * thread stops, and the new one samples at the new interval, keeping the newest samples of each GPU
 * that fit the new history) and, where {@code nvmlLibrary}, {@code nvidiaSmi} or
 * {@code commandTimeout} changed, the sources, which read the GPUs from the next discovery on (the
 * sampling resumes with it, as at activation). A discovery running meanwhile ends on the sources it
 * began with, which are closed only then. The provider's id is not part of its configuration.
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

    private final Clock clock;
    private final Path root;
    /** What the sources of a new configuration are made with; the XIDs seen are kept across changes, in the health of their GPUs. */
    private final PciSysfs sysfs;
    private final XidLog xids;
    private final String host;
    private final String machineId;
    private final Generations generations;
    private final AtomicBoolean unavailableLogged = new AtomicBoolean();
    private final Set<String> failedLogged = ConcurrentHashMap.newKeySet();
    private volatile String lastSource;
    /** Guards which sampler a discovery's findings go to against a change replacing the sampler ({@link #sampleThrough}). */
    private final Object swap = new Object();
    /** The settings in force with their sources and sampler; replaced whole by a valid configuration change ({@link #modified}). */
    private volatile State state;
    /** Set by {@link #deactivate}: no discovery begins after it. */
    private volatile boolean stopped;

    /**
     * Where a refused configuration change is recorded in the provenance log, after the core's
     * record of the change; none where the provider runs without the core.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ConfigurationRejections rejections;

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
        this(settings, null, null, null, clock, root, sysfs, host, dataFolder);
    }

    /** A provider on the caller's sources and sampler (tests); a configuration change makes its sources as configured. */
    NvidiaGpuProvider(GpuSource nvml, GpuSource smi, GpuSampler sampler, Clock clock, Path root) {
        this(null, nvml, smi, sampler, clock, root, new PciSysfs(), GpuIds.host(root), null);
    }

    /** Sources and sampler as given, or as {@code settings} say where they are null. */
    private NvidiaGpuProvider(NvidiaSettings settings, GpuSource nvml, GpuSource smi, GpuSampler sampler, Clock clock, Path root,
            PciSysfs sysfs, String host, Path dataFolder) {
        this.clock = clock;
        this.root = root;
        this.sysfs = sysfs;
        this.xids = new XidLog(clock);
        this.host = host;
        this.generations = dataFolder == null ? Generations.inMemory(clock) : Generations.inDataFolder(dataFolder, ID, ID, clock,
                message -> LOG.warn("NVIDIA provider: {}", message));
        // the same identity the bare-metal provider gives this host's node: the inventory joins on it
        this.machineId = MachineIdentity.read(root).orElse(null);
        State first = new State(settings, nvml == null ? sources(settings) : new Sources(nvml, smi),
                sampler == null ? sampler(settings) : sampler);
        this.state = first;
        first.sampler().start();
    }

    private Sources sources(NvidiaSettings settings) {
        return new Sources(NvmlSource.jna(settings.nvmlLibrary(), xids, sysfs, clock, host),
                new SmiSource(settings.nvidiaSmi(), settings.commandTimeout(), sysfs, clock, host));
    }

    private static GpuSampler sampler(NvidiaSettings settings) {
        // a round has the command's deadline, not the interval: nvidia-smi slower than the interval samples as often as it
        // answers, where a round cut at the interval was killed every time and gave no telemetry at all
        return new GpuSampler(settings.telemetryInterval(), settings.telemetryHistory(), settings.commandTimeout());
    }

    /**
     * A configuration change, applied in place: Declarative Services keeps the component (and its
     * registration) and calls this. A change the provider refuses leaves the previous settings in
     * force, the GPUs discovered and sampled as before; without this method the component was made
     * again from the change, so a refused one left no provider at all ({@code DEPARTED}) until the
     * file was corrected. A valid one replaces the sampler and, where it changed how NVML or
     * nvidia-smi is reached, the sources; the generations go on from the same mark.
     */
    @Modified
    void modified(NvidiaConfig config) {
        NvidiaSettings settings;
        try {
            settings = NvidiaSettings.from(config);
        } catch (InvalidConfigurationException e) {
            LOG.error("Configuration change rejected, previous settings stay in force: {}", e.getMessage());
            ConfigurationRejections.tell(rejections, PID, e.getMessage());
            return;
        }
        apply(settings);
    }

    /**
     * Puts valid settings in force. The sampler is replaced: the previous one stops (its thread ends, a round under way cut
     * short) and the new one keeps the newest samples of each GPU that fit its history, so that telemetry read across the
     * change finds what was sampled before it. The sources are kept where the change left {@code nvmlLibrary},
     * {@code nvidiaSmi} and {@code commandTimeout} as they were (the new sampler samples through them at once); else new ones
     * read the GPUs from the next discovery on, the sampling resuming with it, and the previous ones are closed once the
     * discoveries that began on them have ended.
     */
    private synchronized void apply(NvidiaSettings settings) {
        State previous = state;
        NvidiaSettings before = previous.settings();
        if (settings.equals(before)) {
            return;
        }
        boolean keepSources = before != null && before.nvmlLibrary().equals(settings.nvmlLibrary())
                && before.nvidiaSmi().equals(settings.nvidiaSmi()) && before.commandTimeout().equals(settings.commandTimeout());
        Sources sources = keepSources ? previous.sources() : sources(settings);
        GpuSampler sampler = sampler(settings);
        previous.sampler().close();
        synchronized (swap) {
            sampler.keepHistoryOf(previous.sampler());
            sampler.use(keepSources ? sources.sampling : null);
            state = new State(settings, sources, sampler);
        }
        sampler.start();
        if (!keepSources) {
            previous.sources().replaced();
        }
        LOG.info("NVIDIA provider's settings changed: nvmlLibrary '{}', nvidiaSmi '{}', telemetryInterval {} ms, telemetryHistory {}, "
                + "commandTimeout {} ms{}", InvalidConfigurationException.printable(settings.nvmlLibrary()),
                InvalidConfigurationException.printable(settings.nvidiaSmi()), settings.telemetryInterval().toMillis(),
                settings.telemetryHistory(), settings.commandTimeout().toMillis(),
                keepSources ? "" : "; the GPUs are read with them from the next discovery on");
    }

    /**
     * Stops the sampler and lets the sources go as a configuration change does: closed now, or by the last discovery still
     * running on them when it ends. Closed under a running discovery, NVML was shut down under it (one running past two
     * seconds interrupted, and NVML's shutdown dropped with it), and a discovery that had not yet reached NVML started its
     * thread and the library anew, which nobody closed. A discovery asked for afterwards is refused.
     */
    @Deactivate
    synchronized void deactivate() {
        stopped = true;
        State last = state;
        last.sampler().close();
        last.sources().replaced();
    }

    @Override
    public GpuSnapshot discoverGpus(DiscoveryContext context) {
        context.checkDeadline("GPU discovery");
        State in = begin();
        try {
            return discover(in, context);
        } finally {
            in.sources().ends();
        }
    }

    /** The settings in force, their sources held until the discovery ends: a change meanwhile closes them only then. */
    private State begin() {
        while (true) {
            if (stopped) {
                throw new ProviderUnavailableException("GPU discovery: the NVIDIA provider was stopped");
            }
            State current = state;
            if (current.sources().begins()) {
                return current;
            }
            // replaced between the read and the hold: the change put its successor in force before it let these go, or the
            // provider was stopped
        }
    }

    private GpuSnapshot discover(State in, DiscoveryContext context) {
        GpuSource nvml = in.sources().nvml;
        GpuSource smi = in.sources().smi;
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
            sampleThrough(in, null, null);
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
        sampleThrough(in, found.accelerators().isEmpty() ? null : used, found.accelerators().stream().map(Accelerator::id).toList());
        context.checkDeadline("returning the GPU snapshot");
        return snapshot(found.accelerators(), found.interconnects(), found.paths(), null);
    }

    /**
     * Samples through {@code source} from now on (null: nothing), keeping only the history of the GPUs {@code ids} names
     * (all, where null). Where a change replaced the sampler but kept the sources this discovery ran on, the sampler in
     * force is the one told; where it replaced the sources, it is the replaced (stopped) sampler, and the new sources are
     * sampled from their own first discovery on.
     */
    private void sampleThrough(State in, GpuSource source, List<String> ids) {
        synchronized (swap) {
            in.sources().sampling = source;
            State now = state;
            GpuSampler sampler = now.sources() == in.sources() ? now.sampler() : in.sampler();
            if (ids != null) {
                sampler.retain(ids);
            }
            sampler.use(source);
        }
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
        return state.sampler().latest();
    }

    @Override
    public List<GpuSample> recent(String acceleratorId, int limit) {
        return state.sampler().recent(acceleratorId, limit);
    }

    @Override
    public List<GpuSample> since(String acceleratorId, Instant from, int limit) {
        return state.sampler().since(Objects.requireNonNull(acceleratorId, "acceleratorId"), Objects.requireNonNull(from, "from"), limit);
    }

    /** The sampler in force, for tests. */
    GpuSampler sampler() {
        return state.sampler();
    }

    /**
     * The settings in force (null where the provider was made on given sources, in tests), with the sources and the
     * sampler made for them.
     */
    private record State(NvidiaSettings settings, Sources sources, GpuSampler sampler) {
    }

    /**
     * NVML and nvidia-smi as one configuration reaches them. Replaced by a change of how they are reached, they are closed
     * once the discoveries that began on them have ended: a discovery running while a change applies finishes on the
     * sources it started with, and does not fail because of the change.
     */
    private static final class Sources {
        final GpuSource nvml;
        final GpuSource smi;
        /** What the last discovery through these sources samples through (null: nothing); guarded by the provider's swap lock. */
        GpuSource sampling;
        private int discovering;
        private boolean replaced;

        Sources(GpuSource nvml, GpuSource smi) {
            this.nvml = nvml;
            this.smi = smi;
        }

        /** A discovery begins on these sources; false where a change has replaced them (the caller takes those in force). */
        synchronized boolean begins() {
            if (replaced) {
                return false;
            }
            discovering++;
            return true;
        }

        /** A discovery on these sources has ended; the last to end after they were replaced closes them. */
        void ends() {
            synchronized (this) {
                if (--discovering > 0 || !replaced) {
                    return;
                }
            }
            close();
        }

        /** A change put other sources in force: these are closed now, or by the last discovery still on them. */
        void replaced() {
            synchronized (this) {
                replaced = true;
                if (discovering > 0) {
                    return;
                }
            }
            close();
        }

        void close() {
            nvml.close();
            smi.close();
        }
    }
}
