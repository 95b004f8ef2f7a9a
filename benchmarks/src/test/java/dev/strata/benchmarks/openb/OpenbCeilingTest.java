package dev.strata.benchmarks.openb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.core.placement.packing.Demand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OpenbCeiling} against an exhaustive search: on small clusters, no packing of the placed pods
 * plus any subset of the refused ones allocates more than the bound, and on hand-made cases where an
 * offline repacking frees whole GPUs the bound is that repacking's allocation.
 */
class OpenbCeilingTest {

    /** openb's share sizes, milli-GPU. */
    private static final int[] OPENB_SHARES = {50, 110, 140, 160, 220, 230, 270, 290, 320, 330, 350, 370, 440, 460, 470, 480, 550, 590, 650, 810};

    @Test
    void noPackingOfTheSamePodsAllocatesMoreThanTheBound() {
        int tight = 0;
        int gains = 0;
        for (long seed = 0; seed < 1_500; seed++) {
            Random random = new Random(seed);
            int gpus = 1 + random.nextInt(4);
            List<Demand> arrivals = new ArrayList<>();
            int n = 2 + random.nextInt(6);
            for (int i = 0; i < n; i++) {
                arrivals.add(pod(random, gpus));
            }
            // a replay's outcome: each pod in turn on a GPU drawn among those it fits, else refused
            int[] free = new int[gpus];
            java.util.Arrays.fill(free, Demand.WHOLE_GPU);
            List<Demand> placed = new ArrayList<>();
            List<Demand> refused = new ArrayList<>();
            for (Demand d : arrivals) {
                (placeAtRandom(free, d, random) ? placed : refused).add(d);
            }
            // and a refused pod that fitted nowhere for reasons the bound ignores (CPU, memory, models)
            if (random.nextBoolean()) {
                refused.add(pod(random, gpus));
            }
            OpenbCeiling.Ceiling c = OpenbCeiling.of(gpus, placed, refused);
            long best = exhaustive(gpus, placed, refused);
            assertThat(c.boundMilli()).as("seed %d: %d GPUs, placed %s, refused %s", seed, gpus, shares(placed), shares(refused))
                    .isGreaterThanOrEqualTo(best);
            assertThat(c.placedMilli()).isEqualTo(placed.stream().mapToLong(Demand::gpuMilliTotal).sum());
            assertThat(c.boundMilli()).isGreaterThanOrEqualTo(c.placedMilli()).isLessThanOrEqualTo(gpus * 1000L);
            if (c.boundMilli() == best) {
                tight++;
            }
            if (best > c.placedMilli()) {
                gains++;
            }
        }
        // the search must have found repackings that gain, and the bound must not be a mere capacity bound
        assertThat(gains).as("instances where a repacking allocates more than the replay").isGreaterThan(100);
        assertThat(tight).as("instances where the bound is the optimum").isGreaterThan(750);
    }

    @Test
    void anOffloadedRemnantIsCreditedWithTheWholeGpuPodItFrees() {
        // 810 | 1000 free: the refused whole-GPU pod fits the second GPU, the second one does not fit at all
        assertTight(2, List.of(share(810)), List.of(Demand.wholeGpus(0, 0, 1), Demand.wholeGpus(0, 0, 1)), 1_810);
        // 470 | 470 | 470 + 470 placed online on three GPUs: two to a GPU frees one for the refused whole-GPU pod
        assertTight(3, List.of(share(470), share(470), share(470), share(470)), List.of(Demand.wholeGpus(0, 0, 1)), 2_880);
        // 810 | 810 | 470 + 470: full as it is, nothing refused fits
        assertTight(3, List.of(share(810), share(810), share(470), share(470)), List.of(Demand.wholeGpus(0, 0, 1), share(810)), 2_560);
        // a 2-GPU pod and an 810-milli pod on four GPUs: one GPU left for one of the refused GPUs
        assertTight(4, List.of(Demand.wholeGpus(0, 0, 2), share(810)), List.of(Demand.wholeGpus(0, 0, 2), Demand.wholeGpus(0, 0, 1)), 3_810);
        // nothing refused: the bound is the allocation
        assertTight(2, List.of(share(650), share(320), share(470)), List.of(), 1_440);
    }

    @Test
    void refusedSharesAreCreditedWhereARepackingMakesRoomForThem() {
        // 480 + 350 | 550 placed; repacked 480 + 190 + 320 | 550 + 350 takes two refused shares, and prices chosen
        // for the bound itself (not only for the GPUs the placed pods need) show that nothing more fits
        assertTight(2, List.of(share(480), share(550), share(350)), List.of(share(810), share(190), share(320)), 1_890);
    }

    @Test
    void aMigPartitionIsRefusedWithAMessageNamingIt() {
        Demand mig = Demand.partition(0, 0, "3g.40gb", 3, Set.of(), false);
        assertThatThrownBy(() -> OpenbCeiling.of(1, List.of(), List.of(mig))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refused pod is the MIG partition 3g.40gb").hasMessageContaining("expected whole GPUs or a share of one GPU");
        assertThatThrownBy(() -> OpenbCeiling.of(-1, List.of(), List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gpus is -1");
    }

    @Test
    void theReplayPrintsEachSeedsAllocationAndCeiling(@TempDir Path dir) throws Exception {
        Path nodes = dir.resolve("nodes.csv");
        Files.writeString(nodes, "sn,cpu_milli,memory_mib,gpu,model\nn1,64000,262144,2,V100\nn2,64000,262144,2,V100\nn3,32000,131072,0,\n");
        Path pods = dir.resolve("openb_pod_list_tiny.csv");
        StringBuilder csv = new StringBuilder("name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec\n");
        int[][] shapes = {{1, 810}, {1, 470}, {1, 1000}, {2, 1000}, {1, 320}, {1, 650}, {0, 0}, {1, 160}};
        for (int i = 0; i < shapes.length; i++) {
            csv.append("p").append(i).append(",4000,8192,").append(shapes[i][0]).append(',').append(shapes[i][1]).append(",\n");
        }
        Files.writeString(pods, csv);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<Long> seeds = List.of(1L, 2L, 3L);
        Map<String, Map<String, List<OpenbCeiling.Ceiling>>> all = OpenbReplay.ceilings(nodes, List.of(pods), seeds, List.of("strata", "bestfit"), 1,
                new PrintStream(bytes, true, StandardCharsets.UTF_8));

        List<dev.strata.platform.core.placement.packing.NodeCapacity> cluster = OpenbReplay.readNodes(nodes);
        List<Demand> trace = OpenbReplay.readPods(pods);
        for (String policy : List.of("strata", "bestfit")) {
            List<OpenbCeiling.Ceiling> cs = all.get("tiny").get(policy);
            assertThat(cs).hasSize(3);
            for (int k = 0; k < seeds.size(); k++) {
                long seed = seeds.get(k);
                OpenbReplay.Result r = OpenbReplay.replay(cluster, OpenbReplay.inflate(trace, 4_000, seed), OpenbReplay.policy(policy, cluster, trace, seed),
                        seed);
                // the ceiling is of the same replay: its allocation is the replay's at the end of the workload
                assertThat(cs.get(k).allocationPercent()).isEqualTo(r.allocationPercent()[OpenbReplay.LEVELS.length - 1]);
                assertThat(cs.get(k).capacityMilli()).isEqualTo(4_000);
                assertThat(cs.get(k).boundPercent()).isGreaterThanOrEqualTo(cs.get(k).allocationPercent()).isLessThanOrEqualTo(100);
            }
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("== tiny: GPU allocation % at the end of the workload (130% arrived) and its ceiling, per seed");
        OpenbCeiling.Ceiling first = all.get("tiny").get("strata").get(0);
        assertThat(out).contains(String.format(java.util.Locale.ROOT, "%-25s %-6d %-10.2f %-10.2f", "strata", 1, first.allocationPercent(),
                first.boundPercent()));
        assertThat(out).containsPattern("(?m)^bestfit +\\d+\\.\\d\\d +\\d+\\.\\d\\d +\\(\\d+\\.\\d\\d / \\d+\\.\\d\\d; \\d+\\.\\d\\d\\.\\.\\d+\\.\\d\\d\\)$");
    }

    private static void assertTight(int gpus, List<Demand> placed, List<Demand> refused, long optimum) {
        assertThat(exhaustive(gpus, placed, refused)).as("the optimum of %s + %s on %d GPUs", shares(placed), shares(refused), gpus).isEqualTo(optimum);
        assertThat(OpenbCeiling.of(gpus, placed, refused).boundMilli()).as("the bound of %s + %s on %d GPUs", shares(placed), shares(refused), gpus)
                .isEqualTo(optimum);
    }

    private static Demand share(int milli) {
        return Demand.sharedGpu(0, 0, milli);
    }

    /** An openb-like pod: a share of openb's sizes or of any size, one whole GPU, or a multi-GPU pod that fits the cluster. */
    private static Demand pod(Random random, int gpus) {
        int kind = random.nextInt(10);
        if (kind < 5) {
            return share(OPENB_SHARES[random.nextInt(OPENB_SHARES.length)]);
        }
        if (kind < 7) {
            return share(10 * (5 + random.nextInt(96)));
        }
        if (kind < 9 || gpus < 2) {
            return Demand.wholeGpus(0, 0, 1);
        }
        return Demand.wholeGpus(0, 0, 2 + random.nextInt(gpus - 1));
    }

    private static boolean placeAtRandom(int[] free, Demand d, Random random) {
        List<Integer> fits = new ArrayList<>();
        for (int g = 0; g < free.length; g++) {
            if (free[g] >= d.gpuMilli()) {
                fits.add(g);
            }
        }
        if (fits.size() < d.gpuCount()) {
            return false;
        }
        java.util.Collections.shuffle(fits, random);
        for (int i = 0; i < d.gpuCount(); i++) {
            free[fits.get(i)] -= d.gpuMilli();
        }
        return true;
    }

    /**
     * The most milli-GPU any packing of all the placed pods plus any subset of the refused ones on
     * {@code gpus} GPUs allocates: every pod tried on every GPU (whole-GPU pods on empty GPUs, which
     * are all alike), refused pods also left out.
     */
    static long exhaustive(int gpus, List<Demand> placed, List<Demand> refused) {
        List<Demand> pods = new ArrayList<>(placed);
        pods.addAll(refused);
        int[] free = new int[gpus];
        java.util.Arrays.fill(free, Demand.WHOLE_GPU);
        return search(pods, placed.size(), 0, free);
    }

    private static long search(List<Demand> pods, int mandatory, int i, int[] free) {
        if (i == pods.size()) {
            return 0;
        }
        Demand d = pods.get(i);
        long best = i < mandatory ? Long.MIN_VALUE : search(pods, mandatory, i + 1, free);
        if (d.gpuMilli() == Demand.WHOLE_GPU) {
            int[] empty = new int[d.gpuCount()];
            int found = 0;
            for (int g = 0; g < free.length && found < empty.length; g++) {
                if (free[g] == Demand.WHOLE_GPU) {
                    empty[found++] = g;
                }
            }
            if (found == empty.length) {
                for (int g : empty) {
                    free[g] = 0;
                }
                long rest = search(pods, mandatory, i + 1, free);
                if (rest != Long.MIN_VALUE) {
                    best = Math.max(best, d.gpuMilliTotal() + rest);
                }
                for (int g : empty) {
                    free[g] = Demand.WHOLE_GPU;
                }
            }
            return best;
        }
        java.util.Set<Integer> tried = new java.util.HashSet<>();
        for (int g = 0; g < free.length; g++) {
            if (free[g] >= d.gpuMilli() && tried.add(free[g])) {
                free[g] -= d.gpuMilli();
                long rest = search(pods, mandatory, i + 1, free);
                if (rest != Long.MIN_VALUE) {
                    best = Math.max(best, d.gpuMilli() + rest);
                }
                free[g] += d.gpuMilli();
            }
        }
        return best;
    }

    private static List<Integer> shares(List<Demand> pods) {
        List<Integer> out = new ArrayList<>();
        for (Demand d : pods) {
            out.add(d.gpuCount() > 1 ? d.gpuCount() * 1000 : d.gpuMilli());
        }
        return out;
    }
}
