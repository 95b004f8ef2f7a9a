package dev.strata.platform.core.placement.packing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PackerTest {

    /** Counts fit calls of a delegate. */
    static final class Counting implements PackingPolicy {
        final PackingPolicy delegate;
        int calls;

        Counting(PackingPolicy delegate) {
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public Fit fit(NodeCapacity node, Demand demand) {
            calls++;
            return delegate.fit(node, demand);
        }
    }

    private static List<NodeCapacity> identical(int n) {
        List<NodeCapacity> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            nodes.add(new NodeCapacity("n" + i, "G2", 96000, 393216, 8));
        }
        return nodes;
    }

    @Test
    void identicalNodesCostOneEvaluation() {
        Counting policy = new Counting(new FragmentationGradientPolicy(PolicyTest.PROFILE));
        Packer packer = new Packer(identical(1000), policy);
        assertThat(packer.classCount()).isEqualTo(1);
        Demand share = Demand.sharedGpu(6000, 16384, 500);
        packer.place(share).orElseThrow();
        assertThat(policy.calls).isEqualTo(1);
        assertThat(packer.classCount()).isEqualTo(2);
        // the idle class is remembered; only the new state of the changed node is scored
        packer.place(share).orElseThrow();
        assertThat(policy.calls).isEqualTo(2);
        // again only the changed node's new state: 3 evaluations for 3 decisions over 1000 nodes
        packer.dryRun(share).orElseThrow();
        assertThat(policy.calls).isEqualTo(3);
        packer.dryRun(share).orElseThrow();
        assertThat(policy.calls).isEqualTo(3);
        assertThat(packer.evaluations()).isEqualTo(3);
        assertThat(packer.cacheHits()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void workPerDecisionIsBoundedByTheClassesNotTheNodes() {
        Random random = new Random(3);
        Counting policy = new Counting(StrataPackingPolicy.forWorkload(identical(1), List.of(Demand.sharedGpu(4000, 8192, 300))));
        Packer packer = new Packer(identical(2000), policy);
        for (int i = 0; i < 3000; i++) {
            int before = policy.calls;
            int classes = packer.classCount();
            Demand d = random.nextBoolean() ? Demand.sharedGpu(1000 * (1 + random.nextInt(8)), 4096, 100 * (1 + random.nextInt(9)))
                    : Demand.wholeGpus(4000, 8192, 1 + random.nextInt(2));
            packer.place(d);
            assertThat(policy.calls - before).isLessThanOrEqualTo(classes);
        }
        assertThat(packer.classCount()).isLessThanOrEqualTo(3000);
        // 3000 decisions over 2000 nodes: far fewer policy calls than nodes x decisions
        assertThat((long) policy.calls).isLessThan(3000L * 200);
    }

    @Test
    void placeCommitsDryRunDoesNot() {
        Packer packer = new Packer(identical(2), new BestFitPolicy(128000, 8000));
        Demand d = Demand.wholeGpus(12000, 32768, 1);
        Fit dry = packer.dryRun(d).orElseThrow();
        assertThat(packer.gpuMilliFree()).isEqualTo(16000);
        Fit placed = packer.place(d).orElseThrow();
        assertThat(placed).isEqualTo(dry);
        assertThat(packer.gpuMilliFree()).isEqualTo(15000);
        assertThat(packer.node(placed.nodeId()).orElseThrow().cpuFreeMilli()).isEqualTo(84000);
        // best fit keeps filling the same node
        assertThat(packer.place(d).orElseThrow().nodeId()).isEqualTo(placed.nodeId());
    }

    @Test
    void releaseRestoresExactly() {
        Packer packer = new Packer(identical(3), new FragmentationGradientPolicy(PolicyTest.PROFILE));
        String idle = packer.nodes().toString();
        List<Fit> fits = new ArrayList<>();
        List<Demand> demands = List.of(Demand.sharedGpu(6000, 16384, 500), Demand.wholeGpus(48000, 131072, 4), Demand.cpuOnly(8000, 1024),
                Demand.sharedGpu(6000, 16384, 700));
        for (Demand d : demands) {
            fits.add(packer.place(d).orElseThrow());
        }
        for (int i = 0; i < demands.size(); i++) {
            packer.release(fits.get(i), demands.get(i));
        }
        assertThat(packer.nodes().toString()).isEqualTo(idle);
        assertThat(packer.classCount()).isEqualTo(1);
        assertThatThrownBy(() -> packer.release("nope", demands.get(0), new int[] {0})).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown node nope");
        assertThatThrownBy(() -> packer.release(fits.get(0), demands.get(0))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void gpuIndexesAreTranslatedBetweenMembersOfAClass() {
        java.util.Set<String> chosen = new java.util.HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            Packer packer = new Packer(identical(2), BestFitPolicy.asPublished(128000, 8000, seed * 0x9E3779B97F4A7C15L));
            Demand half = Demand.sharedGpu(0, 0, 500);
            packer.allocate("n0", half, new int[] {6});
            packer.allocate("n1", half, new int[] {2});
            assertThat(packer.classCount()).isEqualTo(1);
            // best fit takes the half-free GPU: index 6 on n0, index 2 on n1, whichever node the tie gives
            Fit f = packer.place(Demand.sharedGpu(0, 0, 400)).orElseThrow();
            assertThat(f.gpus()).containsExactly(f.nodeId().equals("n0") ? 6 : 2);
            chosen.add(f.nodeId());
        }
        assertThat(chosen).containsExactlyInAnyOrder("n0", "n1");
    }

    @Test
    void firstNodeTiesGoToTheLowestIndexWhateverClassItIsIn() {
        // the simulator's ties: equal scores to the node given first; BestFit's integer score ties n1..n5
        Packer packer = new Packer(identical(6), BestFitPolicy.asSimulated(128000, 8000));
        Demand cpu = Demand.cpuOnly(1000, 1024);
        assertThat(packer.place(cpu).orElseThrow().nodeId()).isEqualTo("n0");
        // n0 can no longer take the demand below; n3 is in a class of its own (100 milli-CPU used) but
        // its integer score equals the idle nodes' (13): the lowest index of all tied classes, n1, wins
        packer.allocate("n0", Demand.cpuOnly(95000, 1024), new int[0]);
        packer.allocate("n3", Demand.cpuOnly(100, 0), new int[0]);
        assertThat(packer.classCount()).isEqualTo(3);
        assertThat(packer.place(Demand.sharedGpu(1000, 1024, 100)).orElseThrow().nodeId()).isEqualTo("n1");
        // the tied classes in the other order: n3 gets the lowest index among them once n1 and n2 are taken apart
        packer.allocate("n2", Demand.cpuOnly(96000, 1024), new int[0]);
        packer.allocate("n1", Demand.cpuOnly(95000, 1024), new int[0]);
        assertThat(packer.place(Demand.sharedGpu(1000, 1024, 100)).orElseThrow().nodeId()).isEqualTo("n3");
    }

    @Test
    void nothingFitsGivesEmptyAndTheDuplicateIdIsRefused() {
        Packer packer = new Packer(identical(2), new RandomPolicy(1));
        assertThat(packer.place(Demand.wholeGpus(1, 1, 9))).isEqualTo(Optional.empty());
        assertThat(packer.dryRun(Demand.cpuOnly(97000, 1))).isEmpty();
        List<NodeCapacity> twice = List.of(new NodeCapacity("a", "T4", 1, 1, 1), new NodeCapacity("a", "T4", 1, 1, 1));
        assertThatThrownBy(() -> new Packer(twice, new RandomPolicy(1))).hasMessage("node id a given twice");
    }

    @Test
    void randomTiesSpreadOverAllTiedNodes() {
        Packer packer = new Packer(identical(4), new RandomPolicy(5));
        java.util.Set<String> used = new java.util.HashSet<>();
        for (int i = 0; i < 40; i++) {
            used.add(packer.place(Demand.cpuOnly(100, 100)).orElseThrow().nodeId());
        }
        assertThat(used).hasSize(4);
    }

    @Test
    void theGivenNodesAreCopied() {
        List<NodeCapacity> nodes = identical(1);
        Packer packer = new Packer(nodes, new BestFitPolicy(128000, 8000));
        packer.place(Demand.wholeGpus(0, 0, 8)).orElseThrow();
        assertThat(nodes.get(0).gpuFreeMilliTotal()).isEqualTo(8000);
        assertThat(packer.gpuMilliFree()).isZero();
    }
}
