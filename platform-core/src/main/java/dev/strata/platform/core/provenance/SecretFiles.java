package dev.strata.platform.core.provenance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files Strata's configuration names as holding a secret ({@code passwordFile},
 * {@code secretAccessKeyFile}), watched so that a secret rotated by rewriting its file is masked in
 * what providers write without a configuration change: the providers read such a file again when
 * they next log in, so the core must know the new value by then, not at the next restart.
 *
 * <p>Every file's first line is read again every {@link #PERIOD_MS} ms and handed to
 * {@link ProviderText#knowSecret} when it changed. The files are read, not their modification times
 * compared: a rewrite within the file system's timestamp granularity would be missed, and reading a
 * handful of one-line files a second costs nothing measurable. A file replaced by a rename (as secret
 * stores and Kubernetes do) or through a symbolic link is read where it points now. A file that does
 * not exist yet is watched too, and read when it appears. A file is watched while a configuration
 * names it. Earlier values stay masked: a rotated secret is still a secret.
 */
final class SecretFiles implements AutoCloseable {

    /** How often the files are looked at. */
    static final long PERIOD_MS = 1000;
    /** A secret file larger than this is not read (it is not one line of secret). */
    static final long MAX_SECRET_FILE = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(SecretFiles.class);

    /** The files each configuration (by PID) names. */
    private final Map<String, Set<Path>> byPid = new ConcurrentHashMap<>();
    /** The first line of each watched file as last read (empty: absent, unreadable, or not a one-line secret file). */
    private final Map<Path, Optional<String>> lastRead = new ConcurrentHashMap<>();
    private ScheduledExecutorService poller;

    /** Starts looking at the files every {@code periodMs}. */
    synchronized void start(long periodMs) {
        if (poller != null) {
            return;
        }
        poller = Executors.newSingleThreadScheduledExecutor(
                    r -> dev.strata.platform.core.placement.TenantAccess.platformThread(r, "strata-secret-files"));
        poller.scheduleWithFixedDelay(() -> {
            try {
                check();
            } catch (RuntimeException e) {
                LOG.warn("Strata's secret files could not be looked at: {}", e.toString());
            }
        }, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
    }

    /**
     * The secret files of configuration {@code pid} are now {@code files} (none: it was deleted);
     * a file not seen before is read at once.
     */
    synchronized void track(String pid, Set<Path> files) {
        Set<Path> normalised = files.stream().map(p -> p.toAbsolutePath().normalize()).collect(java.util.stream.Collectors.toUnmodifiableSet());
        if (normalised.isEmpty()) {
            byPid.remove(pid);
        } else {
            byPid.put(pid, normalised);
        }
        Set<Path> watched = watched();
        lastRead.keySet().retainAll(watched);
        for (Path file : watched) {
            if (!lastRead.containsKey(file)) {
                refresh(file);
            }
        }
    }

    /** The files watched now. */
    synchronized Set<Path> watched() {
        Set<Path> all = new java.util.TreeSet<>();
        byPid.values().forEach(all::addAll);
        return all;
    }

    /** Reads every watched file again and hands {@link ProviderText} each first line that changed. */
    synchronized void check() {
        for (Path file : lastRead.keySet()) {
            refresh(file);
        }
    }

    private void refresh(Path file) {
        Optional<String> now = firstLine(file);
        if (!now.equals(lastRead.put(file, now))) {
            now.ifPresent(ProviderText::knowSecret);
        }
    }

    /**
     * The secret a secret file holds as the providers read it
     * ({@link dev.strata.platform.api.exception.InvalidConfigurationException#readSecretFile}): its first line that is not
     * blank, stripped, a byte order mark at the file's start left out; if it is a regular file of at most
     * {@link #MAX_SECRET_FILE} bytes that can be read.
     */
    static Optional<String> firstLine(Path file) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_SECRET_FILE) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(file);
            if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) {
                lines.set(0, lines.get(0).substring(1));
            }
            return lines.stream().map(String::strip).filter(l -> !l.isEmpty()).findFirst();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.debug("Secret file {} not read ({}); its provider reports if it cannot read it either", file, e.toString());
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "SecretFiles" + watched();
    }
}
