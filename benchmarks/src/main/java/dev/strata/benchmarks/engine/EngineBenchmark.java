package dev.strata.benchmarks.engine;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.core.placement.PlacementEngines;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
 * Latency of one decision of the whole placement engine on the generated cluster (10,000 nodes,
 * 80,000 GPUs, 6 sites; {@link GeneratedCluster}) filled to 70 % of its GPUs, for the contract mix
 * that uses every clause: a dry run per call, so the cluster stays at 70 %.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar EngineBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class EngineBenchmark {

    @Param("10000")
    public int nodes;

    private Placement service;
    private final List<Contract> probes = new ArrayList<>();
    private int next;

    @Setup
    public void setUp() {
        InventorySnapshot snapshot = GeneratedCluster.build(nodes, 42);
        Inventory inventory = new Inventory() {
            @Override
            public InventorySnapshot snapshot() {
                return snapshot;
            }

            @Override
            public InventorySnapshot refresh(Duration maxWait) {
                return snapshot;
            }
        };
        service = PlacementEngines.create(inventory, "strata", Clock.systemUTC());
        int gpus = snapshot.nodes().stream().mapToInt(n -> n.accelerators().size()).sum();
        Random random = new Random(7);
        double held = 0;
        for (int i = 1, refused = 0; held < 0.7 * gpus && refused < 500; i++) {
            PlacementDecision d = service.place(GeneratedCluster.contract(random, i), false);
            if (d.placed()) {
                refused = 0;
                held += d.bindings().stream().mapToDouble(b -> b.acceleratorIds().size() * b.gpuFraction()).sum();
            } else {
                refused++;
            }
        }
        for (int i = 0; i < 10_000; i++) {
            probes.add(GeneratedCluster.contract(random, 1_000_000 + i));
        }
    }

    @Benchmark
    public PlacementDecision decide() {
        return service.place(probes.get(next++ % probes.size()), true);
    }
}
