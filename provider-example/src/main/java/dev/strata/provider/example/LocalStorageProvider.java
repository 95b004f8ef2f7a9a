package dev.strata.provider.example;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.model.StorageClass;
import dev.strata.platform.api.model.StoragePool;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.Generations;
import dev.strata.platform.api.provider.StorageProvider;
import dev.strata.platform.api.provider.StorageSnapshot;
import dev.strata.platform.api.provider.StrataProvider;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * The example provider of the provider guide: each configured mount point of this host is a
 * {@link StorageClass#FILE} storage pool with the file system's capacity (a path on the file system
 * of one configured before it is left out: one file system is one pool).
 *
 * <p>It does what every provider does: it reads its source within the caller's deadline, keeps no
 * state the platform needs (pool ids derive from the mount point; generations from the clock, kept
 * above every earlier one across restarts by {@link Generations}, a mark in Karaf's data folder),
 * and lets only Strata's exceptions leave, translating the vendor's errors (here
 * {@link IOException}) in one place, {@link #translate}. A configuration change while Strata runs
 * applies in place ({@link #modified}); one it refuses leaves the previous settings in force.
 */
@Component(service = StorageProvider.class, immediate = true, configurationPid = LocalStorageProvider.PID)
@Designate(ocd = LocalStorageConfig.class)
@StrataProvider(id = LocalStorageProvider.ID, vendor = "example")
public class LocalStorageProvider implements StorageProvider {

    public static final String PID = "dev.strata.provider.example";
    public static final String ID = "example-storage";
    private static final Logger LOG = LoggerFactory.getLogger(LocalStorageProvider.class);

    /** The settings in force; replaced whole by a valid change ({@link #modified}), read once by each discovery. */
    private volatile Settings settings;
    private final Clock clock;
    /** Kept across configuration changes: the provider id, and so the mark's file, stays {@link #ID}. */
    private final Generations generations;
    /** Where the file system of a mount point is read: {@link Files#getFileStore}; another in tests (one that blocks as a hung mount does). */
    private final FileStores fileStores;
    /** The read of each mount point still running, at most one: a read stuck on a hung mount is waited for again, not started again. */
    private final java.util.Map<Path, FutureTask<FileSystemRead>> reading = new java.util.concurrent.ConcurrentHashMap<>();

    /** Reads the file system a mount point is on; may block as long as the mount does. */
    @FunctionalInterface
    interface FileStores {
        FileStore of(Path mountPoint) throws IOException;
    }

    /** What a discovery reads of a mount point: its file system, and the file system's size in bytes. */
    private record FileSystemRead(FileStore store, long totalSpace) {
    }

    /**
     * Where a refused configuration change is recorded in the provenance log, after the core's
     * record of the change; none where the provider runs without the core.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ConfigurationRejections rejections;

    /**
     * What one configuration reports: its mount points at its site, and the paths among them on a
     * file system another configured path reports, each warned about once.
     */
    private record Settings(List<Path> paths, String site, java.util.Set<Path> warned) {

        static Settings of(List<Path> paths, String site) {
            if (site == null || site.isBlank()) {
                throw new InvalidConfigurationException(PID, "site", site, "a site id such as local or fra-1");
            }
            if (!shownAsItself(site)) {
                throw new InvalidConfigurationException(PID, "site", site,
                        "a site id without control or format characters, such as local or fra-1");
            }
            // blanks around the id (a .cfg line's trailing blank) are dropped, as around each mount point: kept, every pool
            // was at a site "lab-1 " that no other provider reports and no contract naming lab-1 finds
            // a mount point listed twice is read once: read twice, it was warned of as on "the file system of" itself
            return new Settings(List.copyOf(new java.util.LinkedHashSet<>(paths)), site.strip(),
                    java.util.concurrent.ConcurrentHashMap.newKeySet());
        }
    }

    @Activate
    public LocalStorageProvider(LocalStorageConfig config) {
        this(paths(config.paths()), config.site(), Clock.systemUTC(), Generations.dataFolder());
    }

    /** A provider whose generations are kept in memory only (tests). */
    LocalStorageProvider(List<Path> paths, String site, Clock clock) {
        this(paths, site, clock, null);
    }

    /** A provider that keeps the mark of its generations in {@code dataFolder}; in memory only where it is null. */
    LocalStorageProvider(List<Path> paths, String site, Clock clock, Path dataFolder) {
        this(paths, site, clock, dataFolder, Files::getFileStore);
    }

    /** A provider that reads the file systems of its mount points through {@code fileStores} (tests: one that blocks). */
    LocalStorageProvider(List<Path> paths, String site, Clock clock, Path dataFolder, FileStores fileStores) {
        this.fileStores = fileStores;
        this.settings = Settings.of(paths, site);
        this.clock = clock;
        this.generations = dataFolder == null ? Generations.inMemory(clock)
                : Generations.inDataFolder(dataFolder, "example", ID, clock, message -> LOG.warn("Example storage provider: {}", message));
        LOG.info("Example storage provider reports {} at site {}", settings.paths(), settings.site());
    }

    /**
     * A configuration change: a valid one applies from the next discovery (a discovery already
     * running finishes on the settings it started with), and one the provider refuses leaves the
     * previous settings in force. Without this method Declarative Services made the component again
     * from the changed configuration, and a refused value left no provider at all: it departed, its
     * pools went stale, until the file was corrected. The provider id stays {@link #ID}, so the
     * generations go on; a mount point left out of {@code paths} is a pool gone from the next snapshot.
     */
    @Modified
    void modified(LocalStorageConfig config) {
        Settings next;
        try {
            next = Settings.of(paths(config.paths()), config.site());
        } catch (InvalidConfigurationException e) {
            LOG.error("Configuration change rejected, previous settings stay in force: {}", e.getMessage());
            ConfigurationRejections.tell(rejections, PID, e.getMessage());
            return;
        }
        settings = next;
        LOG.info("Example storage provider reports {} at site {}", next.paths(), next.site());
    }

    private static List<Path> paths(String[] configured) {
        List<String> entries = new ArrayList<>();
        for (String value : configured == null ? new String[0] : configured) {
            if (value == null || value.isBlank()) {
                entries.add(value); // refused below, as any other invalid value
                continue;
            }
            // Karaf's .cfg files give one string for the property: its mount points separated by commas
            for (String part : value.split(",")) {
                if (!part.isBlank()) {
                    entries.add(part.strip());
                }
            }
        }
        if (entries.isEmpty()) {
            throw new InvalidConfigurationException(PID, "paths", "", "one or more absolute mount points, e.g. /");
        }
        List<Path> paths = new ArrayList<>();
        for (String p : entries) {
            Path path;
            try {
                path = p == null || p.isBlank() ? null : Path.of(p);
            } catch (java.nio.file.InvalidPathException e) {
                path = null; // no path at all (a NUL in it): refused as any other invalid value, not with the JDK's exception
            }
            if (path != null && !shownAsItself(p)) {
                throw new InvalidConfigurationException(PID, "paths", p,
                        "an absolute mount point without control or format characters, e.g. / or /data");
            }
            if (path == null || !path.isAbsolute()) {
                // the value as configured: the exception shows its control characters escaped (exceptions' package 1.9; the
                // example reads it without InvalidConfigurationException.path, which came with 1.9, to run on every 1.x)
                throw new InvalidConfigurationException(PID, "paths", p, "an absolute mount point, e.g. / or /data");
            }
            paths.add(path.normalize());
        }
        return paths;
    }

    /**
     * Whether {@code text} holds no control or format character, line or paragraph separator or half
     * of a surrogate pair. A mount point or site holding one would reach the log as it is (a forged
     * line, a terminal escape) and be part of every pool's id or site, which the inventory leaves
     * out: the pool gone, with a warning about the pool but none naming the property to correct. It
     * is refused as configuration instead.
     */
    private static boolean shownAsItself(String text) {
        return text.codePoints().noneMatch(c -> {
            int type = Character.getType(c);
            return Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE;
        });
    }

    @Override
    public StorageSnapshot discoverStorage(DiscoveryContext context) {
        Settings in = settings;
        List<StoragePool> pools = new ArrayList<>();
        java.util.Map<FileStore, Path> seen = new java.util.HashMap<>();
        for (Path path : in.paths()) {
            context.checkDeadline("reading the file system of " + path);
            try {
                FileSystemRead read = read(path, context);
                Path first = seen.putIfAbsent(read.store(), path);
                if (first != null) {
                    // one file system is one pool: its capacity counted twice would be promised twice
                    if (in.warned().add(path)) {
                        LOG.warn("{} is on the file system of {} ({}); reported once, as {}", path, first, read.store(), first);
                    }
                    continue;
                }
                pools.add(StoragePool.builder()
                        .id(ID + ":" + path)
                        .storageClass(StorageClass.FILE)
                        .siteId(in.site())
                        .capacityBytes(read.totalSpace())
                        .build());
            } catch (IOException | RuntimeException e) {
                throw translate(path, e);
            }
        }
        context.checkDeadline("returning the storage pools");
        long generation = generations.next();
        return StorageSnapshot.builder(generation, clock.instant()).pools(pools).warnings(generations.warnings()).build();
    }

    /**
     * The file system of {@code path} and its size, read on a daemon thread and waited for until the
     * context's deadline: a read of a hung NFS mount blocks in the kernel and cannot be interrupted, and
     * read on the caller's thread it held discovery past its deadline. A read still blocked from an
     * earlier discovery is waited for again, not started again, so a hung mount holds one thread,
     * however many discoveries follow; the read after the one that returns starts afresh.
     *
     * @throws ProviderTimeoutException naming the mount point when the deadline passes or the caller is interrupted first
     */
    private FileSystemRead read(Path path, DiscoveryContext context) throws IOException {
        FutureTask<FileSystemRead> read = reading.computeIfAbsent(path, this::startReading);
        try {
            // TimeUnit.convert saturates where Duration.toNanos would overflow (a deadline centuries away)
            return read.get(TimeUnit.NANOSECONDS.convert(context.remaining()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new ProviderTimeoutException("the file system of mount point " + path + " did not answer by the deadline (a hung mount?);"
                    + " its read is left to finish on its own, and the next discovery waits for it rather than starting another", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderTimeoutException("interrupted while reading the file system of " + path, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } finally {
            if (read.isDone()) {
                reading.remove(path, read);
            }
        }
    }

    /** A read of {@code path}'s file system, started on a daemon thread of its own. */
    private FutureTask<FileSystemRead> startReading(Path path) {
        FutureTask<FileSystemRead> read = new FutureTask<>(() -> {
            FileStore store = fileStores.of(path);
            return new FileSystemRead(store, store.getTotalSpace());
        });
        Thread reader = new Thread(read, "strata-example-storage-read " + path);
        reader.setDaemon(true); // a read stuck on a hung mount does not keep the JVM from stopping
        reader.start();
        return read;
    }

    /** The one place where the source's errors become Strata's portable exceptions. */
    static StrataException translate(Path path, Exception e) {
        if (e instanceof StrataException strata) {
            return strata;
        }
        if (e instanceof java.nio.channels.ClosedByInterruptException || e instanceof java.io.InterruptedIOException) {
            // the caller interrupted the read (the core does when a call overruns or its service leaves): not a broken source
            return new ProviderTimeoutException("interrupted while reading the file system of " + path, e);
        }
        if (e instanceof NoSuchFileException) {
            return new ProviderUnavailableException("mount point " + path + " does not exist; expected an existing directory", e);
        }
        if (e instanceof IOException) {
            return new ProviderUnavailableException("cannot read the file system of " + path + ": " + e.getMessage(), e);
        }
        return new ProviderFailureException("reading the file system of " + path + " failed: " + e, e);
    }
}
