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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one file (through its directory, so that an editor that replaces the file by renaming
 * another over it is seen too) and runs a callback once a burst of changes has settled: every
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
    private ScheduledFuture<?> pending;

    private FileWatcher(Path file, Duration settle, Runnable onChange, WatchService service) {
        this.file = file;
        this.settle = settle;
        this.onChange = onChange;
        this.service = service;
        this.callbacks = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "strata-declared-inventory-change"));
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

    private void watch() {
        Path name = file.getFileName();
        try {
            while (true) {
                WatchKey key = service.take();
                boolean ours = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    // an overflow may have lost our event: treat it as a change
                    ours |= event.kind() == StandardWatchEventKinds.OVERFLOW || name.equals(event.context());
                }
                if (ours) {
                    changed();
                }
                if (!key.reset()) {
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
