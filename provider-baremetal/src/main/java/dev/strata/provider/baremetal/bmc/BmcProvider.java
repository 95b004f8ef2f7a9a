package dev.strata.provider.baremetal.bmc;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provider.ComputeProvider;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.Generations;
import dev.strata.platform.api.provider.StrataProvider;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.ProviderJournal;
import dev.strata.platform.api.provisioning.ProvisioningProvider;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
 * Machines reached through their BMCs: discovery of every configured BMC ({@link BmcFleet}) and
 * provisioning of their systems ({@link BmcProvisioner}), as one provider with the id
 * {@value #ID} and two capabilities, compute and provisioning.
 *
 * <p>Nodes of a machine that Strata provisioned carry the operation's labels
 * ({@code strata:deployment}, {@code strata:member}, ...) in their attributes.
 *
 * <p>A configuration change applies in place ({@link #modified}); one the provider refuses leaves
 * the previous settings in force, and a change of where the operations are journalled waits for
 * the provider's restart; the provenance log records both as refused.
 */
@Component(service = {ComputeProvider.class, ProvisioningProvider.class}, immediate = true, configurationPid = BmcProvider.PID)
@Designate(ocd = BmcProviderConfig.class)
@StrataProvider(id = BmcProvider.ID, vendor = "baremetal")
public final class BmcProvider implements ComputeProvider, ProvisioningProvider {

    public static final String PID = "dev.strata.provider.bmcs";
    public static final String ID = "bmc";
    /** The longest {@code bmcTimeout}: one BMC's discovery. */
    static final Duration MAX_BMC_TIMEOUT = Duration.ofMinutes(10);
    /**
     * The shortest {@code bmcTimeout}: a discovery is several requests (service root, systems,
     * processors, memory), each of at least {@link BmcSettings#MIN_REQUEST_TIMEOUT}; below a second
     * every BMC would be reported unavailable.
     */
    static final Duration MIN_BMC_TIMEOUT = Duration.ofSeconds(1);
    /** The longest {@code powerTimeout}: a machine reaching the power state asked for. */
    static final Duration MAX_POWER_TIMEOUT = Duration.ofHours(1);
    /**
     * The shortest {@code powerTimeout}: no machine powers on or off in less, and a graceful
     * shutdown is forced after half of it, so an operating system has at least 5 s to stop.
     */
    static final Duration MIN_POWER_TIMEOUT = Duration.ofSeconds(10);
    /**
     * How long after the provider starts the core's journal may still be missing before discovery
     * warns that the labels of provisioned machines are not shown: at start-up the provider is
     * discovered before the core registers its journal (which waits for the state store), and the
     * journal's arrival has the provider rediscovered at once, so a missing journal says something
     * only once it is missing longer than a start-up explains, or once it went away.
     */
    static final Duration JOURNAL_START_UP_GRACE = Duration.ofMinutes(2);
    private static final Logger LOG = LoggerFactory.getLogger(BmcProvider.class);

    private final BmcFleet fleet;
    private final BmcProvisioner provisioner;
    private final Clock clock;
    private final Generations generations;

    /** Whether the operations are journalled in Strata's state store (given by {@link #bindJournal}). */
    private final boolean inStateStore;
    private final java.util.concurrent.atomic.AtomicReference<ProviderJournal> boundJournal = new java.util.concurrent.atomic.AtomicReference<>();
    /** When the provider started: the start of {@link #JOURNAL_START_UP_GRACE}. */
    private final Instant started;
    /** Whether the core's journal has been attached since the provider started. */
    private volatile boolean journalSeen;
    /** How many times the core's journal was attached: a discovery that read none sees whether one came meanwhile. */
    private final AtomicLong attachments = new AtomicLong();
    /** Whether the latest snapshot went without the labels because the journal could not be read. */
    private volatile boolean labelsWithheld;
    /** Whether a rediscovery was asked for and has not begun yet. */
    private final AtomicBoolean rediscoveryAsked = new AtomicBoolean();

    /** The core's registry, asked to rediscover the provider once the journal comes (see {@link #bindJournal}). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ProviderRegistry registry;

    /**
     * Where a refused configuration change is recorded in the provenance log, after the core's
     * record of the change; none where the provider runs without the core.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ConfigurationRejections rejections;

    @Activate
    public BmcProvider(BmcProviderConfig config) {
        this(config, InvalidConfigurationException.wholeNumber(PID, "discoveryThreads", config::discoveryThreads, "a whole number from 1 to 1024"));
    }

    /** The number of threads is read first: when it is no number, no journal has been opened yet. */
    private BmcProvider(BmcProviderConfig config, int threads) {
        this(config, validThreads(threads), BmcSettings.duration(PID, "bmcTimeout", config.bmcTimeout(), MIN_BMC_TIMEOUT, MAX_BMC_TIMEOUT),
                BmcSettings.duration(PID, "powerTimeout", config.powerTimeout(), MIN_POWER_TIMEOUT, MAX_POWER_TIMEOUT));
    }

    /** The timeouts are read before the journal is opened, so that a bad one leaves nothing behind. */
    private BmcProvider(BmcProviderConfig config, int threads, Duration bmcTimeout, Duration powerTimeout) {
        this(journal(config), threads, bmcTimeout, powerTimeout, Clock.systemUTC(), Generations.dataFolder());
    }

    /** A provider with plain settings (tests, benchmarks), journalling in a local directory; BMCs are added with {@link #bind}. */
    public BmcProvider(Path stateDirectory, int threads, Duration bmcTimeout, Duration powerTimeout, Clock clock) {
        this(new OperationJournal(stateDirectory), threads, bmcTimeout, powerTimeout, clock);
    }

    /**
     * A provider with plain settings and the given journal: one in a directory, or one in the state
     * store ({@link OperationJournal#inStateStore}) that {@link #bindJournal} attaches.
     */
    public BmcProvider(OperationJournal journal, int threads, Duration bmcTimeout, Duration powerTimeout, Clock clock) {
        this(journal, threads, bmcTimeout, powerTimeout, clock, null);
    }

    /**
     * A provider with plain settings and the given journal that keeps the mark of its snapshots'
     * generations in {@code dataFolder} ({@link Generations#file}); in memory only where it is null.
     */
    public BmcProvider(OperationJournal journal, int threads, Duration bmcTimeout, Duration powerTimeout, Clock clock, Path dataFolder) {
        validThreads(threads);
        this.clock = clock;
        this.started = clock.instant();
        this.generations = dataFolder == null ? Generations.inMemory(clock) : Generations.inDataFolder(dataFolder, ID, ID, clock,
                message -> LOG.warn("BMC provider: {}", message));
        this.inStateStore = journal.inStateStore();
        this.fleet = new BmcFleet(ID, threads, bmcTimeout, clock);
        this.provisioner = new BmcProvisioner(ID, fleet, journal, powerTimeout, clock);
        LOG.info("BMC provider started: {} discovery threads, {} per BMC, operations journalled in {}", threads, bmcTimeout,
                inStateStore ? "Strata's state store" : journal.location());
    }

    private static int validThreads(int threads) {
        if (threads < 1 || threads > 1024) {
            throw new InvalidConfigurationException(PID, "discoveryThreads", threads, "a whole number from 1 to 1024");
        }
        return threads;
    }

    private static OperationJournal journal(BmcProviderConfig config) {
        Path directory = stateDirectory(config.stateDirectory());
        return inStateStore(config) ? OperationJournal.inStateStore(directory) : new OperationJournal(directory);
    }

    /** Whether the configuration keeps the journal in the state store (else in a directory); read without opening it. */
    private static boolean inStateStore(BmcProviderConfig config) {
        String kind = config.journal() == null ? "store" : config.journal().trim().toLowerCase(java.util.Locale.ROOT);
        return switch (kind) {
            case "store", "" -> true;
            case "directory" -> false;
            default -> throw new InvalidConfigurationException(PID, "journal", config.journal(),
                    "store (Strata's state store) or directory (files in stateDirectory)");
        };
    }

    /**
     * A configuration change while the provider runs. One it refuses (a value out of its bounds,
     * a journal that is neither store nor directory) is logged, recorded in the provenance log as
     * refused ({@link ConfigurationRejections}), and leaves every previous setting in force, the
     * provider serving as before. A valid one applies in place: {@code discoveryThreads}
     * and {@code bmcTimeout} to the discoveries that begin from now on (one in progress finishes
     * on those it began with; the previous threads end after it), {@code powerTimeout} to each
     * operation from its next look. A change of {@code journal} or {@code stateDirectory} is not
     * applied while the provider runs: a create or delete in progress records its steps one after
     * the other, each before its request to the BMC, and a journal replaced between two steps
     * would hold half of an operation, or none of the operations that hold machines, so a
     * repeated request could be sent again or a held machine given twice. The journal in force
     * stays until the provider restarts, which takes the new one; the rest of the change applies.
     * That part is logged and recorded in the provenance log as refused, the journal before it in
     * force, so that an auditor does not read the change's record as a journal in force.
     * The snapshots' generations go on from where they were.
     */
    @Modified
    void modified(BmcProviderConfig config) {
        int threads;
        Duration bmcTimeout;
        Duration powerTimeout;
        boolean store;
        Path directory;
        try {
            threads = validThreads(InvalidConfigurationException.wholeNumber(PID, "discoveryThreads", config::discoveryThreads,
                    "a whole number from 1 to 1024"));
            bmcTimeout = BmcSettings.duration(PID, "bmcTimeout", config.bmcTimeout(), MIN_BMC_TIMEOUT, MAX_BMC_TIMEOUT);
            powerTimeout = BmcSettings.duration(PID, "powerTimeout", config.powerTimeout(), MIN_POWER_TIMEOUT, MAX_POWER_TIMEOUT);
            store = inStateStore(config);
            directory = stateDirectory(config.stateDirectory());
        } catch (InvalidConfigurationException e) {
            LOG.error("Configuration change rejected, previous settings stay in force: {}", e.getMessage());
            ConfigurationRejections.tell(rejections, PID, e.getMessage());
            return;
        }
        OperationJournal journal = provisioner.journal();
        if (store != inStateStore || !directory.toAbsolutePath().normalize().equals(journal.directory().toAbsolutePath().normalize())) {
            String why = "Configuration change of the BMC operation journal (journal = " + (store ? "store" : "directory")
                    + ", stateDirectory = " + directory + ") not applied while the provider runs: operations in progress record their "
                    + "steps in " + (inStateStore ? "Strata's state store" : journal.directory()) + ", and a journal replaced between two "
                    + "steps could send a request to a BMC again or give a held machine twice; the journal in force stays until the "
                    + "provider restarts, which applies the change. The other settings are applied";
            LOG.error("{}", why);
            ConfigurationRejections.tell(rejections, PID, why, true);
        }
        fleet.reconfigure(threads, bmcTimeout);
        provisioner.powerTimeout(powerTimeout);
        LOG.info("BMC provider reconfigured: {} discovery threads, {} per BMC, power timeout {}", threads, bmcTimeout, powerTimeout);
    }

    /**
     * The core's journal in the state store: from now on the operations are recorded there (records
     * left in the directory by an earlier version are imported). Without it, provisioning is refused
     * as unavailable, so nothing is sent to a BMC unrecorded. Ignored with {@code journal = directory}.
     * Where a snapshot went without the labels of provisioned machines for want of it (the provider
     * is discovered before the core registers its journal at start-up), the core is asked to
     * rediscover the provider now, so that the labels show without waiting for the next periodic
     * discovery.
     */
    @Reference(name = "journal", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindJournal")
    public void bindJournal(ProviderJournal journal) {
        if (!inStateStore) {
            return;
        }
        boundJournal.set(journal);
        try {
            provisioner.journal().attach(journal, ID);
        } catch (RuntimeException e) {
            LOG.error("The BMC operation journal in the state store could not be attached; provisioning is refused until it is: {}",
                    e.getMessage());
        }
        journalSeen = true;
        attachments.incrementAndGet();
        if (labelsWithheld) {
            rediscover();
        }
    }

    /**
     * Asks the core to rediscover the provider, on a thread of its own: the journal is bound on the
     * thread that registers the core's service, which must not wait for a discovery of every BMC.
     * Without the core's registry nothing is asked: its first discovery of the provider reads the
     * labels.
     */
    private void rediscover() {
        ProviderRegistry current = registry;
        if (current == null || !rediscoveryAsked.compareAndSet(false, true)) {
            return;
        }
        Thread thread = new Thread(() -> {
            rediscoveryAsked.set(false);
            try {
                current.refresh(ID, Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                // the failure is the provider's state (strata:providers); nothing more to say here
                LOG.debug("Rediscovery of the BMC provider once its operation journal came failed: {}", e.getMessage());
            }
        }, "strata-bmc-rediscovery");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Whether the core's journal in the state store has not come yet, no longer after the provider
     * started than a start-up explains: no reason to warn, as its arrival has the provider
     * rediscovered with the labels.
     */
    private boolean journalAwaitedAtStartUp() {
        return inStateStore && !journalSeen && Duration.between(started, clock.instant()).compareTo(JOURNAL_START_UP_GRACE) < 0;
    }

    public void unbindJournal(ProviderJournal journal) {
        if (inStateStore && boundJournal.compareAndSet(journal, null)) {
            provisioner.journal().detach("the BMC operation journal is kept in Strata's state store, which went away");
        }
    }

    private static Path stateDirectory(String configured) {
        if (configured != null && !configured.isBlank()) {
            // no path at all (a NUL in it) is refused there naming the property, not with the JDK's exception, which a change
            // would carry out of modified past the log line that says the previous settings stay in force
            return InvalidConfigurationException.path(PID, "stateDirectory", configured, null,
                    "the path of a directory for the operation journal, or empty for data/strata/bmc-operations");
        }
        return Path.of(System.getProperty("karaf.data", "data"), "strata", "bmc-operations");
    }

    @Reference(name = "bmcs", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbind")
    public void bind(ConfiguredBmc bmc) {
        fleet.add(bmc);
    }

    public void unbind(ConfiguredBmc bmc) {
        fleet.remove(bmc);
    }

    @Deactivate
    public void close() {
        fleet.close();
    }

    public BmcFleet fleet() {
        return fleet;
    }

    public BmcProvisioner provisioner() {
        return provisioner;
    }

    // ---- ComputeProvider ----------------------------------------------------------------

    @Override
    public ComputeSnapshot discoverCompute(DiscoveryContext context) {
        context.checkDeadline("discovering BMCs");
        List<Node> nodes = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Map<String, Map<String, String>> labelled;
        long attachedBefore = attachments.get();
        try {
            labelled = provisioner.labelsByNode();
            labelsWithheld = false;
        } catch (dev.strata.platform.api.exception.StrataException e) {
            labelled = Map.of();
            labelsWithheld = true;
            if (attachments.get() != attachedBefore) {
                // the journal came while this discovery read it: its bind may have found no labels withheld yet
                rediscover();
            }
            if (!journalAwaitedAtStartUp()) {
                warnings.add("the labels of provisioned machines are not shown: " + e.getMessage());
            }
        }
        for (Node node : fleet.discover(context)) {
            Map<String, String> labels = labelled.getOrDefault(node.id(), Map.of());
            if (labels.isEmpty()) {
                nodes.add(node);
            } else {
                Map<String, String> attributes = new LinkedHashMap<>(node.attributes());
                attributes.putAll(labels);
                nodes.add(BmcFleet.with(node, node.state(), attributes));
            }
        }
        long generation = generations.next();
        warnings.addAll(generations.warnings());
        // Sites and power domains come from the declared inventory: a BMC knows only their ids. Each site
        // its nodes are at is reported as a placeholder (no facts), which the declared site's facts fill in.
        List<Site> sites = nodes.stream().map(Node::siteId).distinct().sorted().map(id -> Site.local(id, ID)).toList();
        return ComputeSnapshot.builder(generation, clock.instant()).sites(sites).nodes(nodes).warnings(warnings).build();
    }

    // ---- ProvisioningProvider -----------------------------------------------------------

    @Override
    public MachineStatus create(MachineRequest request, DiscoveryContext context) {
        return provisioner.create(request, context);
    }

    @Override
    public MachineStatus describe(MachineHandle handle, DiscoveryContext context) {
        return provisioner.describe(handle, context);
    }

    @Override
    public Optional<MachineStatus> find(String operationId, DiscoveryContext context) {
        return provisioner.find(operationId, context);
    }

    @Override
    public List<MachineStatus> machines(DiscoveryContext context) {
        return provisioner.machines(context);
    }

    @Override
    public MachineStatus delete(MachineHandle handle, DiscoveryContext context) {
        return provisioner.delete(handle, context);
    }
}
