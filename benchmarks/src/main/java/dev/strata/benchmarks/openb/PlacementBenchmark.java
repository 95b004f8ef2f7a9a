package dev.strata.benchmarks.openb;

import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.Fit;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import dev.strata.platform.core.placement.packing.Packer;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Latency of one placement decision (choose node and GPUs, commit) on the openb cluster (1,213
 * nodes, 6,212 GPUs) during a replay of the inflated openb workload (seed 42): every call places the
 * next pod of the workload on the packer's current state, so the samples cover the whole replay
 * from an idle cluster to a full one. When the workload is used up the packer starts again from an
 * idle cluster, inside the measured call: one sample in ~10,000 also holds that reset (~1 ms), far
 * beyond p99. Fixtures: {@code -Dstrata.fixtures=/path/to/shared/fixtures} (default
 * {@code ../shared/fixtures}).
 *
 * <pre>java -Dstrata.fixtures=../shared/fixtures -jar benchmarks/target/benchmarks.jar PlacementBenchmark</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class PlacementBenchmark {

    @Param({"strata"})
    public String policy;

    @Param("default")
    public String trace;

    private List<NodeCapacity> nodes;
    private List<Demand> pods;
    private List<Demand> workload;
    private Packer packer;
    private int next;

    @Setup
    public void setUp() throws IOException {
        nodes = OpenbReplay.readNodes(OpenbReplay.fixtures().resolve("openb_node_list_gpu_node.csv"));
        pods = OpenbReplay.readPods(OpenbReplay.fixtures().resolve("openb_pod_list_" + trace + ".csv"));
        workload = OpenbReplay.inflate(pods, OpenbReplay.capacity(nodes), 42);
        reset();
    }

    private void reset() {
        packer = new Packer(nodes, OpenbReplay.policy(policy, nodes, pods, 42));
        next = 0;
    }

    @Benchmark
    public Optional<Fit> place() {
        if (next == workload.size()) {
            reset();
        }
        return packer.place(workload.get(next++));
    }
}
