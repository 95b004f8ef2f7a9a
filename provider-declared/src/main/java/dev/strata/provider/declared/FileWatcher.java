package dev.strata.provider.declared;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one file (through its directory, so that an editor that replaces the file by renaming
 * another over it is seen too; where the file is a symbolic link, the directory of the file it
 * leads to as well, followed when the link changes) and runs a callback once a burst of changes has settled: every
 * event for the file postpones the callback by the settle time. The callback runs on the
 * watcher's own thread, never on the caller's.
 */
final class FileWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileWatcher.class);

    private final Path file;
    private final Duration settle;
    private final Runnable onChange;
    private final WatchService service;
    private final Thread thread;
    private final ScheduledExecutorService callbacks;
    /** The names watched in each watched directory: the file's in its own, and the name a link leads to in that file's. */
    private final Map<Path, Set<Path>> watched = new ConcurrentHashMap<>();
    private ScheduledFuture<?> pending;

    private FileWatcher(Path file, Duration settle, Runnable onChange, WatchService service) {
        this.file = file;
        this.settle = settle;
        this.onChange = onChange;
        this.service = service;
        this.callbacks = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "strata-declared-inventory-change"));
        watched.computeIfAbsent(file.getParent(), d -> ConcurrentHashMap.newKeySet()).add(file.getFileName());
        follow();
        this.thread = daemon(this::watch, "strata-declared-inventory-watch");
        thread.start();
    }

    /**
     * Starts watching.
     *
     * @return the watcher, or null when the file's directory cannot be watched (it is missing, or
     *     the file system offers no notification); changes are then read at the next discovery
     */
    static FileWatcher start(Path file, Duration settle, Runnable onChange) {
        Path dir = file.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            LOG.warn("Cannot watch {}: its directory does not exist; changes are read at the next periodic discovery", file);
            return null;
        }
        try {
            WatchService service = FileSystems.getDefault().newWatchService();
            dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
            return new FileWatcher(file, settle, onChange, service);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("Cannot watch {} ({}); changes are read at the next periodic discovery", file, e.toString());
            return null;
        }
    }

    /**
     * Watches the directory of the file a symbolic link leads to (an edit of that file changes
     * nothing in the link's directory), once more each time the link may have changed. Nothing
     * where the file is no link or leads nowhere.
     */
    private void follow() {
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            return; // no file, or a link to nothing: the provider says which
        }
        if (real.equals(file) || real.getParent() == null) {
            return;
        }
        Set<Path> names = watched.computeIfAbsent(real.getParent(), d -> ConcurrentHashMap.newKeySet());
        if (names.add(real.getFileName())) {
            try {
                real.getParent().register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
                LOG.info("Watching {} too, the file the symbolic link {} leads to", real, file);
            } catch (IOException | ClosedWatchServiceException e) {
                names.remove(real.getFileName());
                LOG.warn("Cannot watch {}, the file {} leads to ({}); its changes are read at the next periodic discovery", real, file,
                        e.toString());
            }
        }
    }

    private void watch() {
        try {
            while (true) {
                WatchKey key = service.take();
                Set<Path> names = watched.getOrDefault((Path) key.watchable(), Set.of());
                boolean ours = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    // an overflow may have lost our event: treat it as a change
                    ours |= event.kind() == StandardWatchEventKinds.OVERFLOW || names.contains(event.context());
                }
                if (ours) {
                    follow(); // the link may lead elsewhere now
                    changed();
                }
                if (!key.reset()) {
                    if (!file.getParent().equals(key.watchable())) {
                        watched.remove((Path) key.watchable()); // where a link led once: followed again if it leads there anew
                        continue;
                    }
                    LOG.warn("Stopped watching {}: its directory is gone; changes are read at the next periodic discovery", file);
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ClosedWatchServiceException e) {
            // closed: done
        }
    }

    private synchronized void changed() {
        if (pending != null) {
            pending.cancel(false);
        }
        pending = callbacks.schedule(() -> {
            try {
                onChange.run();
            } catch (RuntimeException e) {
                LOG.warn("Reading the changed {} failed", file, e);
            }
        }, settle.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            LOG.debug("Closing the watch of {}: {}", file, e.toString());
        }
        thread.interrupt();
        callbacks.shutdownNow();
    }

    private static Thread daemon(Runnable task, String name) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        return t;
    }
}
