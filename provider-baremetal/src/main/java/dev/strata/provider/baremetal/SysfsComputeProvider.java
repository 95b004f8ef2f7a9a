package dev.strata.provider.baremetal;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provider.ComputeProvider;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.Generations;
import dev.strata.platform.api.provider.StrataProvider;
import dev.strata.provider.baremetal.sysfs.SysfsDiscovery;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This host as a bare-metal node, read from {@code /sys} and {@code /proc} under a configurable
 * root. Keeps no state the platform needs: the node id derives from the host name (or the
 * configuration), so a new version of the bundle reports the same node. The snapshots' generations
 * are kept above every earlier one across restarts by a mark in Karaf's data folder
 * ({@link Generations}).
 */
@Component(service = ComputeProvider.class, immediate = true, configurationPid = SysfsComputeProvider.PID)
@Designate(ocd = BaremetalConfig.class)
@StrataProvider(id = SysfsComputeProvider.ID, vendor = "baremetal")
public class SysfsComputeProvider implements ComputeProvider {

    public static final String PID = "dev.strata.provider.baremetal";
    public static final String ID = "baremetal";
    private static final Logger LOG = LoggerFactory.getLogger(SysfsComputeProvider.class);

    private final Path root;
    private final SysfsDiscovery discovery;
    private final String nodeId;
    private final String siteId;
    private final Clock clock;
    private final Generations generations;

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
        if (siteId == null || siteId.isBlank()) {
            throw new InvalidConfigurationException(PID, "site", siteId, "a site id such as local or fra-1");
        }
        this.root = root;
        this.discovery = new SysfsDiscovery(root);
        String host = discovery.hostname();
        this.nodeId = nodeId == null || nodeId.isBlank() ? ID + ":" + (host == null ? "localhost" : host) : nodeId;
        this.siteId = siteId;
        this.clock = clock;
        this.generations = dataFolder == null ? Generations.inMemory(clock) : Generations.inDataFolder(dataFolder, ID, ID, clock,
                message -> LOG.warn("Bare-metal provider: {}", message));
        LOG.info("Bare-metal provider reads {} as node {} at site {}", root, this.nodeId, siteId);
    }

    private static Path validRoot(String root) {
        Path path;
        try {
            path = root == null || root.isBlank() ? null : Path.of(root);
        } catch (InvalidPathException e) {
            path = null; // no path at all (a NUL in it): refused as any other invalid value, not with the JDK's exception
        }
        if (path == null || !Files.isDirectory(path)) {
            String shown = root == null ? null : root.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            throw new InvalidConfigurationException(PID, "root", shown, "an existing directory holding sys/ and proc/ (/ for this host)");
        }
        return path;
    }

    @Override
    public ComputeSnapshot discoverCompute(DiscoveryContext context) {
        context.checkDeadline("reading " + nodeId);
        SysfsDiscovery.Discovered found;
        try {
            found = discovery.discoverWithWarnings(nodeId, ID, siteId);
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
        return ComputeSnapshot.builder(generation, clock.instant()).sites(List.of(Site.local(siteId, ID))).nodes(List.of(found.node()))
                .warnings(warnings).build();
    }
}
