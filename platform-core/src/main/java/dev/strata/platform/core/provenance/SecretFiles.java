package dev.strata.platform.core.provenance;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import java.nio.file.Path;
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
 * <p>Every file is read again every {@link #PERIOD_MS} ms, by the providers' own reader
 * ({@link InvalidConfigurationException#readSecretFile}), and the secret it holds handed to
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
    /** The name this reader gives {@link InvalidConfigurationException#readSecretFile} (its refusals are never shown). */
    private static final String WATCHER = "strata.provenance.secretFiles";
    private static final Logger LOG = LoggerFactory.getLogger(SecretFiles.class);

    /** The files each configuration (by PID) names. */
    private final Map<String, Set<Path>> byPid = new ConcurrentHashMap<>();
    /** The secret each watched file held when last read (empty: absent, or refused as the providers refuse it). */
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

    /** Reads every watched file again and hands {@link ProviderText} each secret that changed. */
    synchronized void check() {
        for (Path file : lastRead.keySet()) {
            refresh(file);
        }
    }

    private void refresh(Path file) {
        Optional<String> now = secretIn(file);
        if (!now.equals(lastRead.put(file, now))) {
            now.ifPresent(ProviderText::knowSecret);
        }
    }

    /**
     * The secret a secret file holds as the providers read it: what
     * {@link InvalidConfigurationException#readSecretFile} answers, nothing where it refuses the file
     * (a provider refuses it too, so no secret of it is ever used) or the file is absent. One rule for
     * what a secret file holds, so what is masked is exactly what a provider logs in with. A refused
     * file costs one exception per look; its reason is the provider's to report.
     */
    static Optional<String> secretIn(Path file) {
        try {
            return Optional.of(InvalidConfigurationException.readSecretFile(WATCHER, "file", file, "a secret"));
        } catch (InvalidConfigurationException e) {
            LOG.trace("Secret file {} holds no secret a provider would read", file);
            return Optional.empty();
        } catch (RuntimeException e) {
            LOG.debug("Secret file {} not read ({}); its provider reports if it cannot read it either", file, e.getClass().getName());
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "SecretFiles" + watched();
    }
}
