package dev.strata.benchmarks;

import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.baremetal.bmc.BmcProvider;
import dev.strata.provider.baremetal.bmc.BmcSettings;
import dev.strata.provider.baremetal.bmc.ConfiguredBmc;
import dev.strata.provider.baremetal.bmc.Secret;
import dev.strata.provider.baremetal.redfish.RedfishEndpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Discovery of a fleet of emulated BMCs: {@code count} sushy-static processes, each serving the
 * real HPE Cray EX235n tree (two nodes with four A100s each, read in full: processors, memory,
 * NICs, chassis power and thermal), discovered by one {@link BmcProvider} with each thread
 * count; medians of the rounds after one warm-up round.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar dev.strata.benchmarks.BmcFleetDiscovery
 * SUSHY_BIN MOCKUP [count] [threads,...] [rounds]}
 */
public final class BmcFleetDiscovery {

    private BmcFleetDiscovery() {
    }

    public static void main(String[] args) throws Exception {
        Path bin = Path.of(args[0]);
        Path mockup = Path.of(args[1]);
        int count = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int[] threads = Arrays.stream((args.length > 3 ? args[3] : "1,16,64").split(",")).mapToInt(Integer::parseInt).toArray();
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        Path work = Files.createTempDirectory("strata-bmc-bench");
        List<Process> peers = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> peers.forEach(Process::destroyForcibly)));
        long started = System.nanoTime();
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int port = freePort();
            ports.add(port);
            peers.add(new ProcessBuilder(bin.resolve("sushy-static").toString(), "-i", "127.0.0.1", "-p", Integer.toString(port), "-m",
                    mockup.toString()).redirectErrorStream(true).redirectOutput(work.resolve("static-" + port + ".log").toFile()).start());
        }
        for (int port : ports) {
            await(port);
        }
        System.out.printf("%d sushy-static BMCs (%s) listening after %.1f s%n", count, mockup.getFileName(), (System.nanoTime() - started) / 1e9);

        for (int t : threads) {
            BmcProvider provider = new BmcProvider(work.resolve("journal-" + t), t, Duration.ofSeconds(120), Duration.ofSeconds(60),
                    Clock.systemUTC());
            for (int i = 0; i < count; i++) {
                String name = String.format("ex235n-%03d", i);
                RedfishEndpoint endpoint = new RedfishEndpoint(name, URI.create("http://127.0.0.1:" + ports.get(i)), "root", Secret.of("unused"),
                        RedfishEndpoint.Auth.BASIC, null, null, Duration.ofSeconds(30), 3);
                provider.bind(ConfiguredBmc.of(new BmcSettings("bench~" + name, name, "redfish", endpoint, null, Path.of("ipmitool"), "local",
                        null)));
            }
            long[] ms = new long[rounds];
            long cold = 0;
            for (int r = -1; r < rounds; r++) {
                long s = System.nanoTime();
                ComputeSnapshot snapshot = provider.discoverCompute(DiscoveryContext.withTimeout("bench", Duration.ofMinutes(10)));
                long took = (System.nanoTime() - s) / 1_000_000;
                long available = snapshot.nodes().stream().filter(n -> n.state() == ResourceState.AVAILABLE).count();
                long gpus = snapshot.nodes().stream().mapToLong(n -> n.accelerators().size()).sum();
                if (available != 2L * count || gpus != 8L * count) {
                    throw new IllegalStateException("expected " + 2 * count + " available nodes with " + 8 * count + " GPUs, got " + available
                            + " and " + gpus + ": " + snapshot.nodes().stream().filter(n -> n.state() != ResourceState.AVAILABLE)
                            .map(Node::attributes).findFirst().orElse(null));
                }
                if (r < 0) {
                    cold = took;
                } else {
                    ms[r] = took;
                }
            }
            long[] sorted = ms.clone();
            Arrays.sort(sorted);
            long median = rounds % 2 == 1 ? sorted[rounds / 2] : (sorted[rounds / 2 - 1] + sorted[rounds / 2]) / 2;
            System.out.printf("threads %3d: first discovery %,d ms; then median %,d ms (min %,d, max %,d) over %d rounds; %d nodes, %d GPUs%n",
                    t, cold, median, sorted[0], sorted[rounds - 1], rounds, 2 * count, 8 * count);
            provider.close();
        }
        peers.forEach(Process::destroy);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void await(int port) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < end) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("sushy-static on port " + port + " did not start");
    }
}
