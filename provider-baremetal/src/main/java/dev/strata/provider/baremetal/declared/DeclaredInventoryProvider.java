package dev.strata.provider.baremetal.declared;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provider.ComputeProvider;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.FabricProvider;
import dev.strata.platform.api.provider.FabricSnapshot;
import dev.strata.platform.api.provider.StrataProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Infrastructure declared in a YAML file: sites with their country, jurisdictions and operator,
 * power domains with budgets, fabrics, and nodes listed one by one or as {@code count x model}
 * from the node catalogue. The file is read again when its size or modification time changes;
 * a file with errors is rejected whole (every error listed) and the last good content stays.
 */
@Component(service = {ComputeProvider.class, FabricProvider.class}, immediate = true, configurationPid = DeclaredInventoryProvider.PID)
@Designate(ocd = DeclaredInventoryConfig.class)
@StrataProvider(id = DeclaredInventoryProvider.ID, vendor = "strata")
public class DeclaredInventoryProvider implements ComputeProvider, FabricProvider {

    public static final String PID = "dev.strata.provider.declared";
    public static final String ID = "declared";
    private static final Logger LOG = LoggerFactory.getLogger(DeclaredInventoryProvider.class);

    private final Path file;
    private final InventoryDocumentReader reader;
    private final Clock clock;
    private final AtomicLong lastGeneration = new AtomicLong();
    private final Object lock = new Object();
    private String loadedStamp;
    private DeclaredInventory loaded = DeclaredInventory.EMPTY;

    @Activate
    public DeclaredInventoryProvider(DeclaredInventoryConfig config) {
        this(resolve(config.file()), InventoryDocumentReader.withBuiltInCatalogue(), Clock.systemUTC());
    }

    DeclaredInventoryProvider(Path file, InventoryDocumentReader reader, Clock clock) {
        this.file = file;
        this.reader = reader;
        this.clock = clock;
        LOG.info("Declared inventory is read from {}", file);
    }

    private static Path resolve(String configured) {
        if (configured == null || configured.isBlank()) {
            throw new InvalidConfigurationException(PID, "file", configured, "the path of a YAML inventory file, e.g. strata-inventory.yaml");
        }
        Path path = Path.of(configured);
        return path.isAbsolute() ? path : Path.of(System.getProperty("karaf.etc", "etc")).resolve(path);
    }

    @Override
    public ComputeSnapshot discoverCompute(DiscoveryContext context) {
        DeclaredInventory inventory = current(context);
        return new ComputeSnapshot(nextGeneration(), clock.instant(), inventory.sites(), inventory.nodes(), inventory.powerDomains());
    }

    @Override
    public FabricSnapshot discoverFabrics(DiscoveryContext context) {
        return new FabricSnapshot(nextGeneration(), clock.instant(), current(context).fabrics());
    }

    private long nextGeneration() {
        long now = clock.millis();
        return lastGeneration.updateAndGet(previous -> Math.max(previous + 1, now));
    }

    /** The file's content, read again only when it changed. */
    private DeclaredInventory current(DiscoveryContext context) {
        context.checkDeadline("reading " + file);
        synchronized (lock) {
            String stamp;
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                stamp = attributes.size() + "@" + attributes.lastModifiedTime().toMillis();
            } catch (NoSuchFileException e) {
                if (loadedStamp == null || !loadedStamp.isEmpty()) {
                    LOG.info("No declared inventory at {}; declare sites and nodes there (see etc/strata-inventory.example.yaml)", file);
                }
                loadedStamp = "";
                loaded = DeclaredInventory.EMPTY;
                return loaded;
            } catch (IOException e) {
                throw new ProviderUnavailableException("cannot read the declared inventory " + file + ": " + e.getMessage(), e);
            }
            if (!stamp.equals(loadedStamp)) {
                String text;
                try {
                    text = Files.readString(file, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new ProviderUnavailableException("cannot read the declared inventory " + file + ": " + e.getMessage(), e);
                }
                DeclaredInventory read = reader.read(text, file.toString(), ID);
                LOG.info("Declared inventory {} loaded: {} sites, {} power domains, {} fabrics, {} nodes", file,
                        read.sites().size(), read.powerDomains().size(), read.fabrics().size(), read.nodes().size());
                loaded = read;
                loadedStamp = stamp;
            }
            return loaded;
        }
    }
}
