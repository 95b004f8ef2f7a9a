package dev.strata.benchmarks;

import dev.strata.platform.api.model.Node;
import dev.strata.provider.baremetal.sysfs.SysfsDiscovery;
import java.nio.file.Path;

/**
 * The first discovery in a fresh JVM, as a provider bundle does it at start: prints the
 * milliseconds of that one call (class loading included, JVM start excluded).
 * Usage: {@code java -cp benchmarks/target/benchmarks.jar dev.strata.benchmarks.ColdDiscovery [root]}
 */
public final class ColdDiscovery {

    private ColdDiscovery() {
    }

    public static void main(String[] args) {
        Path root = Path.of(args.length > 0 ? args[0] : "/");
        long start = System.nanoTime();
        Node node = new SysfsDiscovery(root).discover("bench", "baremetal", "local");
        long micros = (System.nanoTime() - start) / 1_000;
        System.out.printf("cold discovery of %s: %.1f ms (%d threads, %d NUMA nodes, %d PCI devices)%n",
                root, micros / 1000.0, node.cpu().threads(), node.numaNodes().size(), node.pciDevices().size());
    }
}
