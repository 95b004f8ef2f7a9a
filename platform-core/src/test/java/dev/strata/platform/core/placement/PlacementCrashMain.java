package dev.strata.platform.core.placement;

import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.NotLeaderException;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.StoreTestAccess;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Strata's placement path in a JVM of its own, for the kill -9 tests: the placement service over
 * the durable ledger of an embedded or PostgreSQL store, with four threads that place and release
 * in a loop. It prints {@code PLACED <id>} only after {@code place} returned (the placement is
 * acknowledged), {@code RELEASING <id>} before it asks for a release and {@code RELEASED <id>}
 * only after {@code release} returned; each line goes to the file named by the system property
 * {@code strata.crash.log} first (see {@link #LOG}).
 * With H2 it prints {@code COMPACTED <steps>} when an online compaction step rewrote pages.
 * Arguments: {@code h2 DATA-FOLDER SEED [COMPACT-FILL-RATE [sparse|reuse]]} (with {@code sparse}, it first leaves a sparse
 * chunk in the file: {@link StoreTestAccess#sparseChunk}; with {@code reuse}, it lowers H2's retention time to 200 ms, so
 * that the file reuses freed space within seconds) or {@code pg URL ETC-FOLDER INSTANCE SEED} (the latter
 * takes part in leader election and places only while it leads).
 */
public final class PlacementCrashMain {

    private PlacementCrashMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean h2 = args[0].equals("h2");
        JdbcStateStore store = h2 ? StoreTestAccess.embedded(Path.of(args[1]), args.length > 3 ? Integer.parseInt(args[3]) : 50)
                : StoreTestAccess.postgres(args[1], Path.of(args[2]), args[3], true, "500ms");
        long seed = Long.parseLong(h2 ? args[2] : args[4]);
        if (h2 && args.length > 4 && args[4].equals("sparse")) {
            StoreTestAccess.sparseChunk(store, 10);
            say("SPARSE");
        } else if (h2 && args.length > 4 && args[4].equals("reuse")) {
            StoreTestAccess.retention(store, 200);
        }
        if (h2) {
            Thread compactions = new Thread(() -> {
                long seen = 0;
                while (true) {
                    long now = store.compaction().map(JdbcStateStore.CompactionStatus::rewritingSteps).orElse(0L);
                    if (now > seen) {
                        seen = now;
                        say("COMPACTED " + now);
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "compaction-watch");
            compactions.setDaemon(true);
            compactions.start();
        }
        Inventory inventory = DurablePlacements.infra().inventory();
        PlacementService service = DurablePlacements.durable(inventory, store);
        say("STARTED");
        for (int t = 0; t < 4; t++) {
            Random random = new Random(seed * 31 + t);
            int thread = t;
            Thread worker = new Thread(() -> loop(service, store, random, thread), "placer-" + t);
            worker.start();
        }
    }

    private static void loop(PlacementService service, JdbcStateStore store, Random random, int thread) {
        long leading = 0;
        for (int k = 0; ; k++) {
            try {
                if (!store.leadership().isLeader()) {
                    Thread.sleep(20);
                    continue;
                }
                if (thread == 0 && store.leadership().epoch() != leading) {
                    leading = store.leadership().epoch();
                    say("LEADER " + leading);
                }
                List<Allocation> held = service.allocations();
                if (held.size() < 12 || random.nextInt(3) > 0) {
                    PlacementDecision d = service.place(DurablePlacements.contract(random, thread * 1_000_000 + k), false);
                    if (d.placed()) {
                        say("PLACED " + d.allocationId());
                    } else if (!held.isEmpty()) {
                        release(service, held.get(random.nextInt(held.size())).id());
                    }
                } else {
                    release(service, held.get(random.nextInt(held.size())).id());
                }
            } catch (NotLeaderException | NotFoundException e) {
                // lost the lead, or another thread released it first
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                say("ERROR " + e);
            }
        }
    }

    private static void release(PlacementService service, String id) {
        say("RELEASING " + id);
        Allocation a = service.release(id);
        say("RELEASED " + a.id());
    }

    /**
     * Where each line is also written, one {@code write} each, before it is printed (system property
     * {@code strata.crash.log}): the kill tests judge a round from this file. A write that returned
     * is in the file whatever becomes of the process, while the pipe of its standard output lost a
     * line now and then at the kill (a release whose announcement the test never read looked like a
     * lost placement).
     */
    private static final java.io.FileOutputStream LOG = openLog();

    private static java.io.FileOutputStream openLog() {
        String path = System.getProperty("strata.crash.log");
        try {
            return path == null ? null : new java.io.FileOutputStream(path, true);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static synchronized void say(String line) {
        if (LOG != null) {
            try {
                LOG.write((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        System.out.println(line);
        System.out.flush();
    }
}
