package dev.strata.provider.declared;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one file (through its directory, so that an editor that replaces the file by renaming
 * another over it is seen too; where the file is a symbolic link, the directory of every link on
 * the way and of the file it leads to as well, followed when a link changes; where a directory on
 * the way or the link's file does not exist yet, the nearest one that does) and runs a callback
 * once a burst of changes has settled: every event for the file postpones the callback by the
 * settle time. The callback runs on the watcher's own thread, never on the caller's.
 */
final class FileWatcher implements AutoCloseable {
    /** The most symbolic links followed on the way to the file, as Linux follows (40). */
    static final int MAX_LINKS = 40;
    private static final Logger LOG = LoggerFactory.getLogger(FileWatcher.class);

    private final Path file;
    private final Duration settle;
    private final Runnable onChange;
    private final WatchService service;
    private final Thread thread;
    private final ScheduledExecutorService callbacks;
    /** The names watched in each watched directory: those {@link #chain} found on the way to the file, now or before. */
    private final Map<Path, Set<Path>> watched = new ConcurrentHashMap<>();
    private ScheduledFuture<?> pending;

    private FileWatcher(Path file, Duration settle, Runnable onChange, WatchService service) {
        this.file = file;
        this.settle = settle;
        this.onChange = onChange;
        this.service = service;
        this.callbacks = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "strata-declared-inventory-change"));
        follow();
        this.thread = daemon(this::watch, "strata-declared-inventory-watch");
        thread.start();
    }

    /**
     * Starts watching.
     *
     * @return the watcher, or null when the file system offers no notification; changes are then
     *     read at the next discovery
     */
    static FileWatcher start(Path file, Duration settle, Runnable onChange) {
        try {
            return new FileWatcher(file, settle, onChange, FileSystems.getDefault().newWatchService());
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("Cannot watch {} ({}); changes are read at the next periodic discovery", file, e.toString());
            return null;
        }
    }

    /**
     * Watches every directory entry that decides what the file's path leads to, once more each
     * time one of them may have changed: the file's own, each symbolic link on the way (the file
     * itself, a link it leads to in another directory, a linked directory such as a deployment
     * tool's {@code ..data}) and the file a link finally leads to. Where a directory or the file
     * on the way does not exist (a link to nothing, an {@code etc/} not made yet), the nearest
     * directory that does is watched for the missing name, so that its creation is seen.
     */
    private synchronized void follow() {
        chain(file).forEach((dir, names) -> {
            if (!watched.containsKey(dir)) {
                try {
                    dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                            StandardWatchEventKinds.ENTRY_DELETE);
                } catch (ClosedWatchServiceException e) {
                    return; // closed meanwhile: done
                } catch (IOException e) {
                    LOG.warn("Cannot watch {} for {} ({}); its changes are read at the next periodic discovery", dir, file, e.toString());
                    return;
                }
                if (!dir.equals(file.getParent())) {
                    LOG.info("Watching {} too, on the way to {}", dir, file);
                }
            }
            watched.computeIfAbsent(dir, d -> ConcurrentHashMap.newKeySet()).addAll(names);
        });
    }

    /**
     * The directories to watch, each with the names in it, for what {@code path} leads to: the
     * path is walked one name at a time from its root, each symbolic link followed as the file
     * system follows it (at most {@value #MAX_LINKS}), and the walk stops at the first name that
     * does not exist, whose nearest existing directory is then watched for it.
     */
    static Map<Path, Set<Path>> chain(Path path) {
        Map<Path, Set<Path>> wanted = new LinkedHashMap<>();
        Deque<Path> names = new ArrayDeque<>();
        path.forEach(names::add);
        Path current = path.getRoot();
        int links = 0;
        while (current != null && !names.isEmpty()) {
            Path name = names.pop();
            if (name.toString().equals(".")) {
                continue;
            }
            if (name.toString().equals("..")) {
                // the directories walked are real ones (every link on the way resolved), so the parent is the real parent
                current = current.getParent() == null ? current : current.getParent();
                continue;
            }
            Path next = current.resolve(name);
            boolean last = names.isEmpty();
            if (Files.isSymbolicLink(next)) {
                wanted.computeIfAbsent(current, d -> new LinkedHashSet<>()).add(name);
                Path target;
                try {
                    target = Files.readSymbolicLink(next);
                } catch (IOException | UnsupportedOperationException e) {
                    break;
                }
                if (++links > MAX_LINKS) {
                    break; // a cycle of links: the provider says the file cannot be read
                }
                List<Path> parts = new ArrayList<>();
                target.forEach(parts::add);
                for (int i = parts.size() - 1; i >= 0; i--) {
                    names.push(parts.get(i));
                }
                if (target.isAbsolute()) {
                    current = target.getRoot();
                }
                continue;
            }
            if (last || !Files.isDirectory(next, LinkOption.NOFOLLOW_LINKS)) {
                // the file itself, or a name that is missing (or no directory): nothing beyond it can be watched yet
                wanted.computeIfAbsent(current, d -> new LinkedHashSet<>()).add(name);
                break;
            }
            current = next;
        }
        return wanted;
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
                    follow(); // a link may lead elsewhere now, or a missing directory be there
                    changed();
                }
                if (!key.reset()) {
                    // a watched directory is gone (etc/ removed, where a link led once): the nearest one left is watched
                    // for it, and the provider looks again
                    watched.remove((Path) key.watchable());
                    follow();
                    changed();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ClosedWatchServiceException e) {
            // closed: done
        }
    }

    /**
     * Runs the callback once the settle time has passed without a further change, as an event for
     * the file does; the provider asks for it when it starts reading another file.
     */
    synchronized void changed() {
        if (pending != null) {
            pending.cancel(false);
        }
        try {
            pending = callbacks.schedule(() -> {
                try {
                    onChange.run();
                } catch (RuntimeException e) {
                    LOG.warn("Reading the changed {} failed", file, e);
                }
            }, settle.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile (an event taken just before the close, or the provider switching files as it stops): there is
            // nothing to read for any more. Thrown, it ended the watch thread with a stack trace, or failed the provider's call
            pending = null;
        }
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
