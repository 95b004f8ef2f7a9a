package dev.strata.provider.baremetal;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provider.ComputeProvider;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.Generations;
import dev.strata.platform.api.provider.StrataProvider;
import dev.strata.provider.baremetal.sysfs.SysfsDiscovery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This host as a bare-metal node, read from {@code /sys} and {@code /proc} under a configurable
 * root. Keeps no state the platform needs: the node id derives from the host name (or the
 * configuration), so a new version of the bundle reports the same node. The snapshots' generations
 * are kept above every earlier one across restarts by a mark in Karaf's data folder
 * ({@link Generations}).
 *
 * <p>A configuration change while Strata runs applies in place from the next discovery
 * ({@link #modified}); one the provider refuses leaves the previous settings in force, so the node
 * stays discovered rather than the provider departing until the file is corrected.
 */
@Component(service = ComputeProvider.class, immediate = true, configurationPid = SysfsComputeProvider.PID)
@Designate(ocd = BaremetalConfig.class)
@StrataProvider(id = SysfsComputeProvider.ID, vendor = "baremetal")
public class SysfsComputeProvider implements ComputeProvider {

    public static final String PID = "dev.strata.provider.baremetal";
    public static final String ID = "baremetal";
    private static final Logger LOG = LoggerFactory.getLogger(SysfsComputeProvider.class);

    /** The settings in force; replaced whole by a valid change ({@link #modified}), read once by each discovery. */
    private volatile Settings settings;
    private final Clock clock;
    /** Kept across configuration changes: the provider id, and so the mark's file, stays {@link #ID}. */
    private final Generations generations;

    /**
     * Where a refused configuration change is recorded in the provenance log, after the core's
     * record of the change; none where the provider runs without the core.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ConfigurationRejections rejections;

    /** What one configuration reads: the tree under {@code root}, as node {@code nodeId} at site {@code siteId}. */
    private record Settings(Path root, SysfsDiscovery discovery, String nodeId, String siteId) {

        /** The settings of a valid configuration; {@code nodeId} null or blank is {@code baremetal:<host name under root>}. */
        static Settings of(Path root, String nodeId, String siteId) {
            if (siteId == null || siteId.isBlank() || !siteId.equals(InvalidConfigurationException.printable(siteId))) {
                throw new InvalidConfigurationException(PID, "site", siteId, "a site id such as local or fra-1"
                        + (siteId == null || siteId.isBlank() ? "" : ", without control or format characters"));
            }
            // an id the core cannot show is left out of the inventory at every discovery, with a warning: refused here, the
            // operator learns it from the configuration, and the settings before stay in force
            if (nodeId != null && !nodeId.isBlank() && !nodeId.equals(InvalidConfigurationException.printable(nodeId))) {
                throw new InvalidConfigurationException(PID, "nodeId", nodeId, "a node id without control or format characters, "
                        + "or none for baremetal:<host name>");
            }
            SysfsDiscovery discovery = new SysfsDiscovery(root);
            String host = discovery.hostname();
            // a host name is whatever bytes the kernel was given: one with a control or bidirectional
            // character made an id the core leaves out of the inventory, as one it cannot show, and the
            // machine vanished; escaped, the id shows as it is and is the same on every start
            String shown = host == null ? "localhost" : InvalidConfigurationException.printable(host);
            String id = nodeId == null || nodeId.isBlank() ? ID + ":" + shown : nodeId;
            return new Settings(root, discovery, id, siteId);
        }
    }

    @Activate
    public SysfsComputeProvider(BaremetalConfig config) {
        this(validRoot(config.root()), config.nodeId(), config.site(), Clock.systemUTC(), Generations.dataFolder());
    }

    /** A provider whose generations are kept in memory only (tests). */
    SysfsComputeProvider(Path root, String nodeId, String siteId, Clock clock) {
        this(root, nodeId, siteId, clock, null);
    }

    /** A provider that keeps the mark of its generations in {@code dataFolder}; in memory only where it is null. */
    SysfsComputeProvider(Path root, String nodeId, String siteId, Clock clock, Path dataFolder) {
        this.settings = Settings.of(root, nodeId, siteId);
        this.clock = clock;
        this.generations = dataFolder == null ? Generations.inMemory(clock) : Generations.inDataFolder(dataFolder, ID, ID, clock,
                message -> LOG.warn("Bare-metal provider: {}", message));
        LOG.info("Bare-metal provider reads {} as node {} at site {}", root, settings.nodeId(), siteId);
    }

    /**
     * A configuration change: a valid one applies from the next discovery (a discovery already
     * running finishes on the settings it started with), and one the provider refuses leaves the
     * previous settings in force. Without this method Declarative Services made the component again
     * from the changed configuration, and a refused value left no provider at all: the node's
     * provider {@code DEPARTED}, its node {@code STALE}, until the file was corrected. A new
     * {@code root} or {@code nodeId} is a new node id: the next snapshot reports that node, and the
     * one before is no longer in it. The provider id stays {@link #ID}, so the generations go on.
     */
    @Modified
    void modified(BaremetalConfig config) {
        Settings next;
        try {
            next = Settings.of(validRoot(config.root()), config.nodeId(), config.site());
        } catch (InvalidConfigurationException e) {
            LOG.error("Configuration change rejected, previous settings stay in force: {}", e.getMessage());
            ConfigurationRejections.tell(rejections, PID, e.getMessage());
            return;
        }
        settings = next;
        LOG.info("Bare-metal provider reads {} as node {} at site {}", next.root(), next.nodeId(), next.siteId());
    }

    private static Path validRoot(String root) {
        String expected = "an existing directory holding sys/ and proc/ (/ for this host)";
        // no path at all (a NUL in it) is refused there naming the property, not with the JDK's exception
        Path path = root == null || root.isBlank() ? null : InvalidConfigurationException.path(PID, "root", root, null, expected);
        if (path == null || !Files.isDirectory(path)) {
            throw new InvalidConfigurationException(PID, "root", root, expected);
        }
        return path;
    }

    @Override
    public ComputeSnapshot discoverCompute(DiscoveryContext context) {
        Settings in = settings;
        String nodeId = in.nodeId();
        Path root = in.root();
        context.checkDeadline("reading " + nodeId);
        SysfsDiscovery.Discovered found;
        try {
            found = in.discovery().discoverWithWarnings(nodeId, ID, in.siteId());
        } catch (StrataException e) {
            throw e;
        } catch (RuntimeException e) {
            // the one choke point: nothing but Strata's exceptions leaves the provider
            throw new ProviderFailureException("discovery of " + nodeId + " below " + root + " failed: " + e, e);
        }
        context.checkDeadline("returning " + nodeId);
        long generation = generations.next();
        List<String> warnings = new ArrayList<>(found.warnings());
        warnings.addAll(generations.warnings());
        return ComputeSnapshot.builder(generation, clock.instant()).sites(List.of(Site.local(in.siteId(), ID))).nodes(List.of(found.node()))
                .warnings(warnings).build();
    }
}
