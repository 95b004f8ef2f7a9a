package dev.strata.platform.core.placement.packing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeCapacityTest {

    private static NodeCapacity node() {
        return new NodeCapacity("n1", "V100", 32000, 65536, new int[] {0, 0, 1, 1});
    }

    @Test
    void allocateTakesAndReleaseRestoresExactly() {
        NodeCapacity n = node();
        String idle = n.toString();
        Demand share = Demand.sharedGpu(4000, 8192, 300);
        Demand two = Demand.wholeGpus(8000, 16384, 2).inOneDomain();
        n.allocate(share, new int[] {1});
        n.allocate(two, new int[] {2, 3});
        assertThat(n.cpuFreeMilli()).isEqualTo(20000);
        assertThat(n.memoryFreeMiB()).isEqualTo(65536 - 8192 - 16384);
        assertThat(n.gpuFreeMilli(1)).isEqualTo(700);
        assertThat(n.gpuFreeMilliTotal()).isEqualTo(1700);
        assertThat(n.wholeGpusFree()).isEqualTo(1);
        n.release(two, new int[] {2, 3});
        n.release(share, new int[] {1});
        assertThat(n.toString()).isEqualTo(idle);
    }

    @Test
    void shortCapacityIsRefusedByNodeAndResourceAndChangesNothing() {
        NodeCapacity n = node();
        String before = n.toString();
        assertThatThrownBy(() -> n.allocate(Demand.cpuOnly(40000, 1), new int[0])).isInstanceOf(IllegalStateException.class)
                .hasMessage("node n1: cpuMilli 40000 requested, 32000 free");
        assertThatThrownBy(() -> n.allocate(Demand.cpuOnly(1, 70000), new int[0])).isInstanceOf(IllegalStateException.class)
                .hasMessage("node n1: memoryMiB 70000 requested, 65536 free");
        n.allocate(Demand.sharedGpu(0, 0, 800), new int[] {0});
        String partly = n.toString();
        assertThatThrownBy(() -> n.allocate(Demand.wholeGpus(1000, 1, 2), new int[] {0, 1})).isInstanceOf(IllegalStateException.class)
                .hasMessage("node n1: gpu 0 milli 1000 requested, 200 free");
        assertThat(n.toString()).isEqualTo(partly).isNotEqualTo(before);
    }

    @Test
    void overReleaseIsRefusedAndChangesNothing() {
        NodeCapacity n = node();
        n.allocate(Demand.sharedGpu(1000, 1024, 300), new int[] {0});
        String state = n.toString();
        assertThatThrownBy(() -> n.release(Demand.sharedGpu(1000, 1024, 300), new int[] {1})).isInstanceOf(IllegalStateException.class)
                .hasMessage("node n1: gpu 1 milli 300 released, only 0 allocated");
        assertThatThrownBy(() -> n.release(Demand.cpuOnly(2000, 0), new int[0])).isInstanceOf(IllegalStateException.class)
                .hasMessage("node n1: cpuMilli 2000 released, only 1000 allocated");
        assertThatThrownBy(() -> n.release(Demand.cpuOnly(0, 2048), new int[0])).isInstanceOf(IllegalStateException.class)
                .hasMessage("node n1: memoryMiB 2048 released, only 1024 allocated");
        assertThat(n.toString()).isEqualTo(state);
    }

    @Test
    void gpuIndexesMustMatchTheDemand() {
        NodeCapacity n = node();
        assertThatThrownBy(() -> n.allocate(Demand.wholeGpus(0, 0, 2), new int[] {0})).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node n1: 1 GPU indexes for a demand of 2 GPUs");
        assertThatThrownBy(() -> n.allocate(Demand.wholeGpus(0, 0, 2), new int[] {1, 1})).hasMessage("node n1: GPU index 1 given twice");
        assertThatThrownBy(() -> n.allocate(Demand.wholeGpus(0, 0, 1), new int[] {4})).hasMessage("node n1: GPU index 4 out of range 0..3");
        assertThatThrownBy(() -> n.allocate(Demand.wholeGpus(0, 0, 2).inOneDomain(), new int[] {1, 2}))
                .hasMessage("node n1: GPUs [1, 2] are not in one interconnect domain");
        assertThatThrownBy(() -> n.allocate(Demand.wholeGpus(0, 0, 1).withModels(Set.of("T4")), new int[] {0}))
                .hasMessage("node n1: GPU model V100 is not in [T4]");
    }

    @Test
    void canHostChecksEveryResourceAndTheDomain() {
        NodeCapacity n = node();
        assertThat(n.canHost(Demand.wholeGpus(32000, 65536, 4))).isTrue();
        assertThat(n.canHost(Demand.wholeGpus(32001, 1, 1))).isFalse();
        assertThat(n.canHost(Demand.wholeGpus(1, 65537, 1))).isFalse();
        assertThat(n.canHost(Demand.wholeGpus(1, 1, 5))).isFalse();
        assertThat(n.canHost(Demand.wholeGpus(1, 1, 1).withModels(Set.of("T4")))).isFalse();
        n.allocate(Demand.sharedGpu(0, 0, 1), new int[] {0});
        n.allocate(Demand.sharedGpu(0, 0, 1), new int[] {2});
        assertThat(n.canHost(Demand.wholeGpus(0, 0, 2))).isTrue();
        assertThat(n.canHost(Demand.wholeGpus(0, 0, 2).inOneDomain())).isFalse();
        assertThat(n.canHost(Demand.sharedGpu(0, 0, 999))).isTrue();
    }

    @Test
    void copyIsIndependent() {
        NodeCapacity n = node();
        NodeCapacity c = n.copy();
        c.allocate(Demand.wholeGpus(1000, 1000, 1), new int[] {3});
        assertThat(n.gpuFreeMilli(3)).isEqualTo(1000);
        assertThat(c.gpuFreeMilli(3)).isEqualTo(0);
        assertThat(c.gpuDomain(3)).isEqualTo(1);
    }

    @Test
    void constructorRejectsGpusWithoutModel() {
        assertThatThrownBy(() -> new NodeCapacity("x", null, 1, 1, 2)).hasMessage("node x has 2 GPUs but no GPU model");
        assertThatThrownBy(() -> new NodeCapacity(" ", "T4", 1, 1, 2)).hasMessageStartingWith("NodeCapacity.id is blank");
        assertThat(new NodeCapacity("cpu", "", 1000, 1, 0).model()).isNull();
    }

    /** Random allocations and releases never drive a resource negative or over the total, and undo exactly. */
    @Test
    void randomAllocateReleaseKeepsInvariants() {
        Random random = new Random(7);
        NodeCapacity n = new NodeCapacity("r", "G2", 96000, 393216, new int[] {0, 0, 0, 0, 1, 1, 1, 1});
        String idle = n.toString();
        record Held(Demand demand, int[] gpus) {
        }
        List<Held> held = new ArrayList<>();
        for (int step = 0; step < 20000; step++) {
            if (!held.isEmpty() && random.nextInt(3) == 0) {
                Held h = held.remove(random.nextInt(held.size()));
                n.release(h.demand(), h.gpus());
            } else {
                Demand d = switch (random.nextInt(4)) {
                    case 0 -> Demand.cpuOnly(random.nextInt(20000), random.nextInt(60000));
                    case 1 -> Demand.sharedGpu(random.nextInt(8000), random.nextInt(30000), 1 + random.nextInt(1000));
                    case 2 -> Demand.wholeGpus(random.nextInt(16000), random.nextInt(60000), 1 + random.nextInt(4));
                    default -> Demand.wholeGpus(random.nextInt(16000), random.nextInt(60000), 2).inOneDomain();
                };
                List<int[]> choices = GpuChoices.candidates(n, d);
                if (n.canHost(d) && !choices.isEmpty()) {
                    int[] gpus = choices.get(random.nextInt(choices.size()));
                    n.allocate(d, gpus);
                    held.add(new Held(d, gpus));
                } else {
                    int[] any = new int[d.gpuCount()];
                    for (int i = 0; i < any.length; i++) {
                        any[i] = i;
                    }
                    try {
                        n.allocate(d, any);
                        held.add(new Held(d, any));
                    } catch (IllegalStateException | IllegalArgumentException refused) {
                        // refused: state unchanged, checked by the invariants below
                    }
                }
            }
            assertThat(n.cpuFreeMilli()).isBetween(0L, n.cpuTotalMilli());
            assertThat(n.memoryFreeMiB()).isBetween(0L, n.memoryTotalMiB());
            for (int g = 0; g < n.gpuCount(); g++) {
                assertThat(n.gpuFreeMilli(g)).isBetween(0, 1000);
            }
        }
        for (int i = held.size() - 1; i >= 0; i--) {
            n.release(held.get(i).demand(), held.get(i).gpus());
        }
        assertThat(n.toString()).isEqualTo(idle);
    }
}
