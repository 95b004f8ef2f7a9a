package dev.strata.benchmarks;

import dev.strata.provider.baremetal.sysfs.SysfsDiscovery;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Strata's warm discovery and {@code lstopo-no-graphics --of xml} timed alternately, in the same
 * minutes, so that a busy machine slows both alike: after a warm-up of the discovery, each round
 * runs lstopo once (a process, as an operator runs it) and one discovery, and the medians and their
 * ratio are printed.
 * Usage: {@code java -cp benchmarks/target/benchmarks.jar dev.strata.benchmarks.DiscoveryVsLstopo [rounds] [root]}
 */
public final class DiscoveryVsLstopo {

    private DiscoveryVsLstopo() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Path root = Path.of(args.length > 1 ? args[1] : "/");
        SysfsDiscovery discovery = new SysfsDiscovery(root);
        for (int i = 0; i < 200; i++) {
            discovery.discover("bench", "baremetal", "local");
        }
        double[] lstopo = new double[rounds];
        double[] strata = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long start = System.nanoTime();
            Process p = new ProcessBuilder("lstopo-no-graphics", "--of", "xml").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("lstopo-no-graphics --of xml failed");
            }
            lstopo[i] = (System.nanoTime() - start) / 1e6;
            start = System.nanoTime();
            discovery.discover("bench", "baremetal", "local");
            strata[i] = (System.nanoTime() - start) / 1e6;
        }
        double l = median(lstopo);
        double s = median(strata);
        System.out.printf("%d alternating rounds: lstopo-no-graphics --of xml median %.2f ms, Strata warm discovery median %.2f ms, "
                + "Strata / lstopo = %.3f%n", rounds, l, s, s / l);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
