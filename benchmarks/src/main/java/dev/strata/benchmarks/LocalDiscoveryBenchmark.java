package dev.strata.benchmarks;

import dev.strata.platform.api.model.Node;
import dev.strata.provider.baremetal.sysfs.SysfsDiscovery;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One full discovery of a host by the bare-metal provider: CPUs, NUMA nodes, PCI devices, NICs
 * and disks read from /sys and /proc. {@code root=/} is this machine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LocalDiscoveryBenchmark {

    @Param("/")
    public String root;

    private SysfsDiscovery discovery;

    @org.openjdk.jmh.annotations.Setup
    public void setUp() {
        discovery = new SysfsDiscovery(Path.of(root));
    }

    @Benchmark
    public Node discover() {
        return discovery.discover("bench", "baremetal", "local");
    }
}
