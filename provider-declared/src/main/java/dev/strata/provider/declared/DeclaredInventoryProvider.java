package dev.strata.provider.declared;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.provider.ComputeProvider;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.FabricProvider;
import dev.strata.platform.api.provider.FabricSnapshot;
import dev.strata.platform.api.provider.Generations;
import dev.strata.platform.api.provider.StrataProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
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
 * Infrastructure declared in a YAML file: sites with their country, jurisdictions and operator,
 * power domains with budgets, fabrics, and nodes listed one by one or as {@code count x model}
 * from the node catalogue.
 *
 * <p>The file is watched: a saved change is read within a second or two (the provider asks the
 * {@link ProviderRegistry} to rediscover it), not at the next periodic discovery. A file that is
 * still being written is not read: a change is read once the file has stayed the same for
 * {@value #SETTLE_MILLIS} ms, and again if it changed while it was read. A file with errors, an
 * empty one (what an editor may leave for a moment while saving) included, is refused whole with
 * every error listed, and the last good content stays.
 *
 * <p>The snapshots' generations are kept above every one given before across restarts, through a
 * mark in Karaf's data folder ({@link Generations}), so a clock set back does not take them back.
 *
 * <p>A configuration change while Strata runs applies in place ({@link #modified}): another file is
 * watched and read from then on, the generations going on; one the provider refuses leaves the
 * previous file and its watch in force.
 */
@Component(service = {ComputeProvider.class, FabricProvider.class}, immediate = true, configurationPid = DeclaredInventoryProvider.PID)
@Designate(ocd = DeclaredInventoryConfig.class)
@StrataProvider(id = DeclaredInventoryProvider.ID, vendor = "strata")
public class DeclaredInventoryProvider implements ComputeProvider, FabricProvider {

    public static final String PID = "dev.strata.provider.declared";
    public static final String ID = "declared";
    /** How long a changed file must stay the same before it is read. */
    static final long SETTLE_MILLIS = 250;
    /** The largest file read; the YAML reader itself takes at most 3 MiB of text (3,145,728 characters). */
    static final long MAX_BYTES = 16L << 20;
    /** The file, in Karaf's data folder under strata/declared/, that keeps the last generation across restarts. */
    static final String GENERATION_FILE = "generation";
    private static final Logger LOG = LoggerFactory.getLogger(DeclaredInventoryProvider.class);

    /** The file read; changed only under {@link #lock}, so a read of it under the lock sees one file throughout. */
    private volatile Path file;
    private final InventoryDocumentReader reader;
    private final Clock clock;
    private final Duration settle;
    /** Whether the file is watched: a file a configuration change names is watched in its turn. */
    private final boolean watch;
    /** The watch of {@link #file}; null where the file is not watched. Changed only under {@link #lock}. */
    private volatile FileWatcher watcher;
    /** Kept across configuration changes: the provider id, and so the mark's file, stays {@link #ID}. */
    private final Generations generations;
    private final Object lock = new Object();
    /** The stamp of the content in {@link #loaded}; null before the first read, {@link Stamp#MISSING} when there is no file. */
    private Stamp loadedStamp;
    private DeclaredInventory loaded = DeclaredInventory.EMPTY;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ProviderRegistry registry;

    /**
     * Where a refused configuration change is recorded in the provenance log, after the core's
     * record of the change; none where the provider runs without the core.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ConfigurationRejections rejections;

    @Activate
    public DeclaredInventoryProvider(DeclaredInventoryConfig config) {
        this(resolve(config.file()), InventoryDocumentReader.withBuiltInCatalogue(), Clock.systemUTC(), Duration.ofMillis(SETTLE_MILLIS), true,
                stored(Generations.dataFolder().resolve("strata").resolve(ID).resolve(GENERATION_FILE), Clock.systemUTC()));
    }

    /** A provider that does not watch its file and keeps its generations in memory only (tests drive it). */
    DeclaredInventoryProvider(Path file, InventoryDocumentReader reader, Clock clock) {
        this(file, reader, clock, Duration.ofMillis(SETTLE_MILLIS), false);
    }

    /** A provider that keeps its generations in memory only (tests). */
    DeclaredInventoryProvider(Path file, InventoryDocumentReader reader, Clock clock, Duration settle, boolean watch) {
        this(file, reader, clock, settle, watch, Generations.inMemory(clock));
    }

    /** A provider that does not watch its file and keeps the last generation in {@code generationFile} (tests drive it). */
    DeclaredInventoryProvider(Path file, InventoryDocumentReader reader, Clock clock, Path generationFile) {
        this(file, reader, clock, Duration.ofMillis(SETTLE_MILLIS), false, stored(generationFile, clock));
    }

    /** The generations kept in {@code generationFile}; what goes wrong with it is logged. */
    private static Generations stored(Path generationFile, Clock clock) {
        return Generations.stored(generationFile, clock, message -> LOG.warn("Declared inventory: {}", message));
    }

    private DeclaredInventoryProvider(Path file, InventoryDocumentReader reader, Clock clock, Duration settle, boolean watch,
            Generations generations) {
        this.file = file.toAbsolutePath().normalize();
        this.reader = reader;
        this.clock = clock;
        this.settle = settle;
        this.generations = generations;
        this.watch = watch;
        this.watcher = watch ? FileWatcher.start(this.file, settle, this::fileChanged) : null;
        LOG.info("Declared inventory is read from {}{}", this.file, watch ? " and watched" : "");
    }

    /**
     * A configuration change: a valid one naming another file stops the watch of the file read so
     * far, watches the new one and has the core rediscover the provider once the change has settled,
     * so that the next discovery reads the new file; its generations go on above the earlier ones. A
     * discovery under way when the change comes finishes on the file it started with (the change
     * waits for it, through {@link #lock}). A change the provider refuses (a blank {@code file})
     * leaves the previous file and its watch in force. Without this method Declarative Services made
     * the component again from the changed configuration, and a refused value left no provider at
     * all: it departed, everything declared went stale, until the file was corrected.
     */
    @Modified
    void modified(DeclaredInventoryConfig config) {
        Path next;
        try {
            next = resolve(config.file()).toAbsolutePath().normalize();
        } catch (InvalidConfigurationException e) {
            LOG.error("Configuration change rejected, previous settings stay in force: {}", e.getMessage());
            ConfigurationRejections.tell(rejections, PID, e.getMessage());
            return;
        }
        if (next.equals(file)) {
            return; // the same file, read and watched as before
        }
        FileWatcher started = watch ? FileWatcher.start(next, settle, this::fileChanged) : null;
        FileWatcher stopped;
        Path before;
        synchronized (lock) {
            before = file;
            stopped = watcher;
            file = next;
            watcher = started;
            loadedStamp = null; // read the new file at the next discovery, whatever its stamp
        }
        if (stopped != null) {
            stopped.close();
        }
        LOG.info("Declared inventory is read from {}{}, no longer from {}", next, started != null ? " and watched" : "", before);
        if (started != null) {
            started.changed(); // the new file's content is in the inventory within the settle time, as a saved change is
        }
    }

    @Deactivate
    void deactivate() {
        FileWatcher current = watcher;
        if (current != null) {
            current.close();
        }
    }

    private static Path resolve(String configured) {
        if (configured == null || configured.isBlank()) {
            throw new InvalidConfigurationException(PID, "file", configured, "the path of a YAML inventory file, e.g. strata-inventory.yaml");
        }
        // no path at all (a NUL in it) is refused there naming the property, not with the JDK's exception
        return InvalidConfigurationException.path(PID, "file", configured, Path.of(System.getProperty("karaf.etc", "etc")),
                "the path of a YAML inventory file, e.g. strata-inventory.yaml");
    }

    /** Called by the watcher once a change of the file has settled: asks the core to rediscover this provider now. */
    void fileChanged() {
        ProviderRegistry current = registry;
        if (current == null) {
            return; // no core yet: the first discovery reads the file
        }
        try {
            current.refresh(ID, Duration.ofSeconds(5));
        } catch (StrataException e) {
            // the failure is the provider's state (strata:providers); nothing more to say here
            LOG.debug("Rediscovery after a change of {} failed: {}", file, e.getMessage());
        }
    }

    @Override
    public ComputeSnapshot discoverCompute(DiscoveryContext context) {
        DeclaredInventory inventory = current(context);
        return ComputeSnapshot.builder(generations.next(), clock.instant()).sites(inventory.sites()).nodes(inventory.nodes())
                .powerDomains(inventory.powerDomains()).warnings(generations.warnings()).build();
    }

    @Override
    public FabricSnapshot discoverFabrics(DiscoveryContext context) {
        DeclaredInventory inventory = current(context);
        return FabricSnapshot.builder(generations.next(), clock.instant()).fabrics(inventory.fabrics()).warnings(generations.warnings()).build();
    }

    /**
     * The file's content, read again only when it changed, and only once the change has settled.
     *
     * @throws dev.strata.platform.api.exception.ProviderFailureException when the file is empty or has errors, or is a
     *     symbolic link to nothing
     */
    private DeclaredInventory current(DiscoveryContext context) {
        context.checkDeadline("reading " + file);
        synchronized (lock) {
            Stamp seen = null;
            while (true) {
                Stamp stamp = stamp();
                if (stamp.equals(loadedStamp)) {
                    return loaded;
                }
                if (!stamp.equals(seen) && !stamp.settled(System.currentTimeMillis(), settle)) {
                    // changed a moment ago, perhaps still being written (or briefly gone while an
                    // editor replaces it): look again once it had time to settle
                    if (!pause(context)) {
                        return loaded; // no time left to wait: the last good content stands
                    }
                    seen = stamp;
                    continue;
                }
                if (stamp == Stamp.MISSING) {
                    if (loadedStamp != Stamp.MISSING) {
                        LOG.info("No declared inventory at {}; declare sites and nodes there (see etc/strata-inventory.example.yaml)", file);
                    }
                    loadedStamp = Stamp.MISSING;
                    loaded = DeclaredInventory.EMPTY;
                    return loaded;
                }
                if (stamp.size() > MAX_BYTES) {
                    // never read into memory: the YAML reader takes 3 MiB of text at most, and a file of gigabytes would
                    // exhaust the heap of the whole server
                    throw new ProviderFailureException("declared inventory " + file + " is " + stamp.size() + " bytes; expected a YAML"
                            + " document of at most " + MAX_BYTES + " bytes (16 MiB)");
                }
                String text = read();
                if (!stamp.equals(stamp())) {
                    seen = null; // changed while it was read: read it again
                    continue;
                }
                DeclaredInventory read = reader.read(text, file.toString(), ID);
                LOG.info("Declared inventory {} loaded: {} sites, {} power domains, {} fabrics, {} nodes", file,
                        read.sites().size(), read.powerDomains().size(), read.fabrics().size(), read.nodes().size());
                loaded = read;
                loadedStamp = stamp;
                return loaded;
            }
        }
    }

    /** Waits one settle period within the deadline; false when the deadline leaves no time for it. */
    private boolean pause(DiscoveryContext context) {
        Duration left = context.remaining();
        if (left.compareTo(settle) <= 0) {
            return false;
        }
        try {
            Thread.sleep(settle.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderTimeoutException("interrupted while waiting for " + file + " to settle (operation " + context.operationId() + ")");
        }
        return true;
    }

    private Stamp stamp() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            if (!a.isRegularFile()) {
                // a directory cannot be read (it was reported as unavailable, which is no failure), a pipe blocks the read
                // until something writes to it, and a device such as /dev/zero never ends
                throw new ProviderFailureException("declared inventory " + file + (Files.isSymbolicLink(file) ? " (a symbolic link to "
                        + target() + ")" : "") + " is " + (a.isDirectory() ? "a directory" : "not a regular file (a pipe, a device or"
                        + " a socket)") + "; expected a YAML file (to declare nothing, remove it or set file to a path where there is none)");
            }
            return new Stamp(a.size(), a.lastModifiedTime().toMillis(), String.valueOf(a.fileKey()), changeTime());
        } catch (NoSuchFileException e) {
            if (Files.isSymbolicLink(file)) {
                // the link is there, what it points to is not: a broken configuration, not "nothing declared"
                throw new ProviderFailureException("declared inventory " + file + " is a symbolic link to " + target()
                        + ", which does not exist; expected a link to the inventory file (to declare nothing, delete the link)");
            }
            return Stamp.MISSING;
        } catch (IOException e) {
            throw new ProviderUnavailableException("cannot read the declared inventory " + file + ": " + why(e), e);
        }
    }

    /**
     * When the file's content or attributes last changed (its inode's ctime), which no one can set:
     * a copy that keeps the modification time ({@code cp -p}, {@code rsync -t}, an archive
     * unpacked) of a file of the same size, on the same or a reused inode, differs only there.
     * Null where the file system does not tell.
     */
    private String changeTime() {
        try {
            return String.valueOf(Files.getAttribute(file, "unix:ctime"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Where the link {@link #file} leads, as a message shows it: escaped as a value of the file is
     * ({@link Problems#shown}), since a link's target is anyone's text and may hold a line break or a
     * direction override.
     */
    private String target() {
        try {
            return Problems.shown(String.valueOf(Files.readSymbolicLink(file)), 4096);
        } catch (IOException | UnsupportedOperationException e) {
            return "a file";
        }
    }

    /**
     * The file's text, read up to {@link #MAX_BYTES}: the bound holds for the bytes read, not only
     * for the size looked at before, since a file may grow in between (or tell no size, as a file
     * under /proc tells 0).
     */
    private String read() {
        try (InputStream in = Files.newInputStream(file)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                bytes.write(buffer, 0, n);
                if (bytes.size() > MAX_BYTES) {
                    // the rest is never read into memory: it may be gigabytes, or never end
                    throw new ProviderFailureException("declared inventory " + file + " holds more than " + MAX_BYTES + " bytes when"
                            + " read, more than its size said (it grew meanwhile, or tells no size, as a file under /proc); expected a YAML"
                            + " document of at most "
                            + MAX_BYTES + " bytes (16 MiB)");
                }
            }
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new ProviderFailureException("declared inventory " + file
                    + " is not UTF-8 text; expected a YAML document in UTF-8");
        } catch (NoSuchFileException e) {
            return ""; // removed between stat and read: the next stamp differs and it is looked at again
        } catch (IOException e) {
            throw new ProviderUnavailableException("cannot read the declared inventory " + file + ": " + why(e), e);
        }
    }

    /**
     * Why the file could not be read, without its path: the message of Java's exception about a file
     * is the path itself, with the reason after it where there is one ({@code /etc/strata/inv.yaml:
     * Not a directory}), and an {@link AccessDeniedException}'s is the path alone, so the message
     * named the path twice and, for a file Strata may not read, said nothing else.
     */
    static String why(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "access denied (the user Strata runs as may not read the file, or not enter one of the folders above it)";
        }
        if (e instanceof NoSuchFileException) {
            return "not found";
        }
        if (e instanceof FileSystemException f) {
            return f.getReason() != null ? Problems.shown(f.getReason(), 200) : f.getClass().getSimpleName();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : Problems.shown(e.getMessage(), 200);
    }

    /** What identifies one version of the file: size, modification time, file key (inode) and change time (where known). */
    private record Stamp(long size, long modifiedMillis, String key, String changed) {
        static final Stamp MISSING = new Stamp(-1, 0, "missing", null);

        /** True when the file was last modified at least {@code settle} ago (and not in the future). */
        boolean settled(long nowMillis, Duration settle) {
            long age = nowMillis - modifiedMillis;
            return this != MISSING && age >= settle.toMillis();
        }
    }
}
