package dev.strata.platform.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.placement.Allocation;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances as separate JVMs on one real PostgreSQL; the leader is killed with SIGKILL while
 * it places allocations. The other leads within the stated bound (15 s; in practice about one
 * election interval, since PostgreSQL ends a killed client's session at once), and every
 * allocation either JVM acknowledged is in the ledger, none twice.
 */
class ProcessFailoverTest {

    @TempDir
    Path etc;

    record Line(long nanos, String text) {
    }

    static final class Node {
        final Process process;
        final List<Line> lines = new CopyOnWriteArrayList<>();

        Node(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = in.readLine()) != null) {
                        lines.add(new Line(System.nanoTime(), l));
                    }
                } catch (java.io.IOException e) {
                    // the process died
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        long count(String prefix) {
            return lines.stream().filter(l -> l.text().startsWith(prefix)).count();
        }

        Line first(String prefix, long after) {
            return lines.stream().filter(l -> l.text().startsWith(prefix) && l.nanos() > after).findFirst().orElse(null);
        }
    }

    Node start(String url, String instance) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx128m", "-Dstrata.crash.log=" + etc.resolve(instance + ".log"), "-cp", cp,
                StoreNodeMain.class.getName(), url, etc.toString(), instance, "500ms").redirectErrorStream(true);
        return new Node(pb.start());
    }

    static void await(java.util.function.BooleanSupplier condition, long seconds, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void killingTheLeaderProcessLosesNoAcknowledgedAllocation() throws Exception {
        try (PostgresCluster pg = PostgresCluster.start()) {
            String url = pg.newDatabase("processes");
            Files.writeString(etc.resolve("db-password"), PostgresCluster.PASSWORD + "\n");
            List<Node> nodes = new ArrayList<>();
            try {
                Node a = start(url, "strata-a");
                nodes.add(a);
                await(() -> a.count("LEADER") > 0, 60, "strata-a to lead");
                Node b = start(url, "strata-b");
                nodes.add(b);
                await(() -> b.count("STARTED") > 0, 60, "strata-b to start");
                await(() -> a.count("ACK") >= 30, 60, "strata-a to place 30 allocations");
                long killed = System.nanoTime();
                a.process.destroyForcibly(); // SIGKILL
                a.process.waitFor(10, TimeUnit.SECONDS);
                await(() -> b.first("ACK", killed) != null, 30, "strata-b to lead and place");
                double leads = (b.first("LEADER", killed).nanos() - killed) / 1e9;
                double places = (b.first("ACK", killed).nanos() - killed) / 1e9;
                System.out.printf("kill -9 of the leader: the other JVM leads after %.2f s and acknowledges its first placement after %.2f s%n",
                        leads, places);
                assertThat(leads).as("stated bound: 15 s").isLessThan(15);
                await(() -> b.count("ACK") >= 10, 30, "strata-b to place 10 allocations");
                b.process.destroyForcibly();
                b.process.waitFor(10, TimeUnit.SECONDS);

                // judged from what each JVM wrote to its file: the pipe of its output may lose the last lines at the kill
                Set<String> acknowledged = ConcurrentHashMap.newKeySet();
                for (String instance : List.of("strata-a", "strata-b")) {
                    Files.readAllLines(etc.resolve(instance + ".log"), StandardCharsets.UTF_8).stream().filter(l -> l.startsWith("ACK "))
                            .forEach(l -> acknowledged.add(l.substring(4)));
                }
                JdbcStateStore check = Stores.postgres(Stores.postgresSettings(pg, url, Files.createDirectories(etc.resolve("check")), "checker",
                        true, "1s"));
                try {
                    List<Allocation> held = check.ledger().load().allocations();
                    assertThat(held).extracting(Allocation::id).containsAll(acknowledged);
                    assertThat(Capacity.doubleBooked(held)).isEmpty();
                    // at most the placement each JVM had in flight when it was killed (both are, one at a time) may be there
                    // unacknowledged
                    assertThat(held.size() - acknowledged.size()).isBetween(0, 2);
                    assertThat(StateStoreContract.verifyChain(check).holds()).isTrue();
                } finally {
                    check.close();
                }
            } finally {
                for (Node n : nodes) {
                    n.process.destroyForcibly();
                }
            }
        }
    }
}
