package dev.strata.platform.core.store;

import dev.strata.platform.api.placement.Allocation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Strata instance reduced to its state store, run as its own JVM by {@link ProcessFailoverTest}:
 * it joins the cluster on a PostgreSQL and, whenever it leads, places one-GPU allocations in a
 * loop, printing {@code ACK <id>} only once a commit is durable and {@code LEADER <epoch>} when
 * it becomes the leader (each line first written to the file named by {@code strata.crash.log}).
 * Arguments: URL, etc folder (holding {@code db-password}), instance id, election interval.
 */
public final class StoreNodeMain {

    private StoreNodeMain() {
    }

    /** Also written here first, one write a line (system property {@code strata.crash.log}): the pipe may lose the last lines at a kill. */
    private static final java.io.FileOutputStream LOG = openLog();

    private static java.io.FileOutputStream openLog() {
        String path = System.getProperty("strata.crash.log");
        try {
            return path == null ? null : new java.io.FileOutputStream(path, true);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void say(String line) throws java.io.IOException {
        if (LOG != null) {
            LOG.write((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        System.out.println(line);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        StoreSettings settings = StoreSettings.from(Stores.config(Map.of("url", args[0], "user", "strata", "passwordFile", "db-password",
                "instanceId", args[2], "advertisedAddress", args[2] + ".example:8101", "electionInterval", args[3], "poolSize", 2)),
                Path.of(args[1]), Path.of(args[1]));
        JdbcStateStore store = Stores.postgres(settings);
        say("STARTED " + args[2]);
        long ledEpoch = 0;
        int salt = Math.abs(args[2].hashCode());
        while (true) {
            if (!store.leadership().isLeader()) {
                Thread.sleep(20);
                continue;
            }
            if (store.leadership().epoch() != ledEpoch) {
                ledEpoch = store.leadership().epoch();
                say("LEADER " + ledEpoch);
            }
            try {
                LedgerState state = store.ledger().load();
                List<Allocation> held = state.allocations();
                String[] gpu = Capacity.freeGpu(held, 500, salt++);
                if (gpu == null) {
                    Thread.sleep(100);
                    continue;
                }
                String id = store.ledger().nextId();
                store.ledger().commit(state.generation(), Capacity.one(id, gpu[0], gpu[1]), null,
                        ProvenanceEntry.of("placement", args[2], Map.of("gpu", gpu[0] + "/" + gpu[1]), "allocation", id)).join();
                say("ACK " + id);
            } catch (RuntimeException e) {
                Thread.sleep(20);
            }
        }
    }
}
