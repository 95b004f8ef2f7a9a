package dev.strata.provider.nvidia.smi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.DevicePath;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.TopologyLevel;
import dev.strata.provider.nvidia.Fixtures;
import dev.strata.provider.nvidia.device.DiscoveredGpus;
import dev.strata.provider.nvidia.device.PciSysfs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nvidia-smi topo -m}: the captured one-GPU H200 matrix, and two multi-GPU matrices that
 * were published, not captured here (see each constant for its source).
 */
class TopoMatrixTest {

    /**
     * An 8 x H100 80GB HBM3 NVSwitch system (DGX/HGX H100 layout: every GPU {@code NV18} to every
     * other, one ConnectX NIC per GPU behind the same PCIe switch, two NUMA nodes), driver
     * 570.133.20, as published in sgl-project/sglang issue #30401 ("NVIDIA Topology" of
     * {@code python3 -m sglang.check_env}, https://github.com/sgl-project/sglang/issues/30401).
     * Copied as published, whose columns are separated by spaces rather than nvidia-smi's tabs.
     */
    static final String DGX_H100 = """
                    GPU0    GPU1    GPU2    GPU3    GPU4    GPU5    GPU6    GPU7    NIC0    NIC1    NIC2    NIC3    NIC4    NIC5    NIC6    NIC7    CPU Affinity    NUMA Affinity   GPU NUMA ID
            GPU0     X      NV18    NV18    NV18    NV18    NV18    NV18    NV18    PIX     NODE    NODE    NODE    SYS     SYS     SYS     SYS     0-47,96-143     0               N/A
            GPU1    NV18     X      NV18    NV18    NV18    NV18    NV18    NV18    NODE    PIX     NODE    NODE    SYS     SYS     SYS     SYS     0-47,96-143     0               N/A
            GPU2    NV18    NV18     X      NV18    NV18    NV18    NV18    NV18    NODE    NODE    PIX     NODE    SYS     SYS     SYS     SYS     0-47,96-143     0               N/A
            GPU3    NV18    NV18    NV18     X      NV18    NV18    NV18    NV18    NODE    NODE    NODE    PIX     SYS     SYS     SYS     SYS     0-47,96-143     0               N/A
            GPU4    NV18    NV18    NV18    NV18     X      NV18    NV18    NV18    SYS     SYS     SYS     SYS     PIX     NODE    NODE    NODE    48-95,144-191   1               N/A
            GPU5    NV18    NV18    NV18    NV18    NV18     X      NV18    NV18    SYS     SYS     SYS     SYS     NODE    PIX     NODE    NODE    48-95,144-191   1               N/A
            GPU6    NV18    NV18    NV18    NV18    NV18    NV18     X      NV18    SYS     SYS     SYS     SYS     NODE    NODE    PIX     NODE    48-95,144-191   1               N/A
            GPU7    NV18    NV18    NV18    NV18    NV18    NV18    NV18     X      SYS     SYS     SYS     SYS     NODE    NODE    NODE    PIX     48-95,144-191   1               N/A
            NIC0    PIX     NODE    NODE    NODE    SYS     SYS     SYS     SYS      X      NODE    NODE    NODE    SYS     SYS     SYS     SYS
            NIC1    NODE    PIX     NODE    NODE    SYS     SYS     SYS     SYS     NODE     X      NODE    NODE    SYS     SYS     SYS     SYS
            NIC2    NODE    NODE    PIX     NODE    SYS     SYS     SYS     SYS     NODE    NODE     X      NODE    SYS     SYS     SYS     SYS
            NIC3    NODE    NODE    NODE    PIX     SYS     SYS     SYS     SYS     NODE    NODE    NODE     X      SYS     SYS     SYS     SYS
            NIC4    SYS     SYS     SYS     SYS     PIX     NODE    NODE    NODE    SYS     SYS     SYS     SYS      X      NODE    NODE    NODE
            NIC5    SYS     SYS     SYS     SYS     NODE    PIX     NODE    NODE    SYS     SYS     SYS     SYS     NODE     X      NODE    NODE
            NIC6    SYS     SYS     SYS     SYS     NODE    NODE    PIX     NODE    SYS     SYS     SYS     SYS     NODE    NODE     X      NODE
            NIC7    SYS     SYS     SYS     SYS     NODE    NODE    NODE    PIX     SYS     SYS     SYS     SYS     NODE    NODE    NODE     X\s

            Legend:

              X    = Self
              SYS  = Connection traversing PCIe as well as the SMP interconnect between NUMA nodes (e.g., QPI/UPI)
              NODE = Connection traversing PCIe as well as the interconnect between PCIe Host Bridges within a NUMA node
              PHB  = Connection traversing PCIe as well as a PCIe Host Bridge (typically the CPU)
              PXB  = Connection traversing multiple PCIe bridges (without traversing the PCIe Host Bridge)
              PIX  = Connection traversing at most a single PCIe bridge
              NV#  = Connection traversing a bonded set of # NVLinks

            NIC Legend:

              NIC0: mlx5_0
              NIC1: mlx5_1
              NIC2: mlx5_2
              NIC3: mlx5_3
              NIC4: mlx5_4
              NIC5: mlx5_5
              NIC6: mlx5_6
              NIC7: mlx5_7
            """;

    /**
     * Four RTX 3090 in NVLink-bridged pairs (GPU0-GPU2 and GPU1-GPU3 {@code NV4}, the rest
     * {@code PHB}/{@code NODE}), driver 595.58.03, as published in aikitoria/open-gpu-kernel-modules
     * pull request #18 (https://github.com/aikitoria/open-gpu-kernel-modules/pull/18). Copied as
     * published (spaces for tabs).
     */
    static final String BRIDGED_PAIRS = """
                    GPU0    GPU1    GPU2    GPU3    CPU Affinity    NUMA Affinity   GPU NUMA ID
            GPU0     X      PHB     NV4     NODE    0-23    0               N/A
            GPU1    PHB      X      NODE    NV4     0-23    0               N/A
            GPU2    NV4     NODE     X      PHB     0-23    0               N/A
            GPU3    NODE    NV4     PHB      X      0-23    0               N/A

            Legend:

              X    = Self
              SYS  = Connection traversing PCIe as well as the SMP interconnect between NUMA nodes (e.g., QPI/UPI)
              NODE = Connection traversing PCIe as well as the interconnect between PCIe Host Bridges within a NUMA node
              PHB  = Connection traversing PCIe as well as a PCIe Host Bridge (typically the CPU)
              PXB  = Connection traversing multiple PCIe bridges (without traversing the PCIe Host Bridge)
              PIX  = Connection traversing at most a single PCIe bridge
              NV#  = Connection traversing a bonded set of # NVLinks
            """;

    @Test
    void readsTheCapturedOneGpuMatrix() {
        TopoMatrix topo = TopoMatrix.parse(Fixtures.text(Fixtures.nvidia("h200-vm").resolve("topo-m.txt")));

        assertThat(topo.gpus()).containsExactly("GPU0");
        assertThat(topo.nics()).isEmpty();
        assertThat(topo.cell("GPU0", "GPU0")).isEqualTo("X");
        assertThat(topo.cpuAffinity("GPU0")).isEqualTo(CpuSet.parseList("0-15"));
        assertThat(topo.numaNode("GPU0")).isZero();
        assertThat(topo.gpuNumaId("GPU0")).isEqualTo(-1);
        assertThat(topo.paths(Function.identity())).isEmpty();
    }

    /**
     * A matrix cut short is refused, naming what is missing: the NVSwitch system's output cut after GPU5's row, and cut in
     * the middle of GPU7's row. Before, the first read as a matrix of six GPUs, GPU6 and GPU7 left with no NVLink at all
     * (so in no NVLink domain) and their locality from elsewhere, and the second as GPU7 without its CPU and NUMA affinity,
     * without a word.
     */
    @Test
    void aMatrixCutShortIsRefusedNamingWhatIsMissing() {
        String gpu6 = DGX_H100.lines().filter(l -> l.startsWith("GPU6")).findFirst().orElseThrow();
        String gpu7 = DGX_H100.lines().filter(l -> l.startsWith("GPU7")).findFirst().orElseThrow();

        assertThatThrownBy(() -> TopoMatrix.parse(DGX_H100.substring(0, DGX_H100.indexOf(gpu6))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the header lists GPU6 but no row of GPU6 follows; expected a row for every GPU of the header (the output is"
                        + " cut short or garbled)");
        assertThatThrownBy(() -> TopoMatrix.parse(DGX_H100.substring(0, DGX_H100.indexOf(gpu7) + gpu7.indexOf("NV18     X"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the row of GPU7 has 6 cells where the matrix has 8 device columns; expected a cell for every one (the output"
                        + " is cut short or garbled)");
    }

    @Test
    void readsAnEightGpuNvSwitchSystemWithNics() {
        TopoMatrix topo = TopoMatrix.parse(DGX_H100);

        assertThat(topo.gpus()).containsExactly("GPU0", "GPU1", "GPU2", "GPU3", "GPU4", "GPU5", "GPU6", "GPU7");
        assertThat(topo.nics()).containsExactly("mlx5_0", "mlx5_1", "mlx5_2", "mlx5_3", "mlx5_4", "mlx5_5", "mlx5_6", "mlx5_7");
        assertThat(topo.nvlinks("GPU0", "GPU7")).isEqualTo(18);
        assertThat(topo.cpuAffinity("GPU5")).isEqualTo(CpuSet.parseList("48-95,144-191"));
        assertThat(topo.numaNode("GPU3")).isZero();
        assertThat(topo.numaNode("GPU4")).isEqualTo(1);

        List<DevicePath> paths = topo.paths(Function.identity());
        // 8 x 7 GPU pairs, and 8 x 8 GPU-NIC pairs in both directions
        assertThat(paths).hasSize(56 + 128);
        assertThat(paths).contains(
                new DevicePath("GPU0", "GPU1", null, 18),
                new DevicePath("GPU0", "mlx5_0", TopologyLevel.SINGLE, 0),
                new DevicePath("GPU0", "mlx5_1", TopologyLevel.NODE, 0),
                new DevicePath("GPU0", "mlx5_4", TopologyLevel.SYSTEM, 0),
                new DevicePath("mlx5_7", "GPU7", TopologyLevel.SINGLE, 0),
                new DevicePath("mlx5_7", "GPU0", TopologyLevel.SYSTEM, 0));
        assertThat(paths).noneMatch(p -> p.from().startsWith("mlx5") && p.to().startsWith("mlx5"));

        DiscoveredGpus mapped = SmiMapper.map(log(8), Map.of(), topo, Map.of(), Map.of(), new PciSysfs(Path.of("/nonexistent")), "host:test");
        assertThat(mapped.interconnects()).hasSize(1);
        Fabric domain = mapped.interconnects().get(0);
        assertThat(domain.members()).hasSize(8);
        assertThat(domain.technology()).isEqualTo("NVSwitch");
        assertThat(domain.id()).isEqualTo("nvlink:GPU-0");
        // 18 links of 25 GB/s per direction each (H100 NVLink 4): 450 GB/s = 3600 Gbit/s
        assertThat(domain.linkBandwidthGbps()).isEqualTo(3600);
        assertThat(mapped.accelerators()).extracting(Accelerator::interconnectDomain).containsOnly("nvlink:GPU-0");
        assertThat(mapped.accelerators()).extracting(Accelerator::linkBandwidthGBps).containsOnly(450.0);
        assertThat(mapped.accelerators().get(4).numaNode()).isEqualTo(1);
        assertThat(mapped.paths()).contains(new DevicePath("GPU-0", "GPU-7", null, 18),
                new DevicePath("GPU-3", "mlx5_3", TopologyLevel.SINGLE, 0));
    }

    @Test
    void readsFourGpusInBridgedPairs() {
        TopoMatrix topo = TopoMatrix.parse(BRIDGED_PAIRS);

        assertThat(topo.gpus()).hasSize(4);
        assertThat(topo.nics()).isEmpty();
        List<DevicePath> paths = topo.paths(Function.identity());
        assertThat(paths).hasSize(12).contains(
                new DevicePath("GPU0", "GPU2", null, 4),
                new DevicePath("GPU2", "GPU0", null, 4),
                new DevicePath("GPU0", "GPU1", TopologyLevel.HOSTBRIDGE, 0),
                new DevicePath("GPU0", "GPU3", TopologyLevel.NODE, 0),
                new DevicePath("GPU1", "GPU3", null, 4));

        Map<String, String> ccs = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            ccs.put("GPU-" + i, "8.6");
        }
        DiscoveredGpus mapped = SmiMapper.map(log(4), ccs, topo, Map.of(), Map.of(), new PciSysfs(Path.of("/nonexistent")), "host:test");
        assertThat(mapped.interconnects()).hasSize(2);
        assertThat(mapped.interconnects()).extracting(Fabric::members)
                .containsExactlyInAnyOrder(Set.of("GPU-0", "GPU-2"), Set.of("GPU-1", "GPU-3"));
        assertThat(mapped.interconnects()).extracting(Fabric::technology).containsOnly("NVLink");
        assertThat(mapped.accelerators().get(0).interconnectDomain()).isEqualTo("nvlink:GPU-0");
        assertThat(mapped.accelerators().get(2).interconnectDomain()).isEqualTo("nvlink:GPU-0");
        assertThat(mapped.accelerators().get(1).interconnectDomain()).isEqualTo("nvlink:GPU-1");
        // 4 links of a GA102 bridge: 56.25 GB/s per direction
        assertThat(mapped.accelerators().get(0).linkBandwidthGBps()).isEqualTo(56.25);
    }

    @Test
    void aGpuWithoutNvLinkHasNoDomain(@TempDir Path none) {
        TopoMatrix topo = TopoMatrix.parse(Fixtures.text(Fixtures.nvidia("h200-vm").resolve("topo-m.txt")));

        DiscoveredGpus mapped = SmiMapper.map(log(1), Map.of(), topo, Map.of(), Map.of(), new PciSysfs(none), "host:test");
        assertThat(mapped.interconnects()).isEmpty();
        assertThat(mapped.accelerators().get(0).interconnectDomain()).isNull();
        assertThat(mapped.accelerators().get(0).linkBandwidthGBps()).isZero();
    }

    /** A log of {@code n} GPUs that only have the identity the matrix needs. */
    static SmiLog log(int n) {
        List<SmiGpu> gpus = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            gpus.add(new SmiGpu(i, String.format("00000000:%02X:00.0", 0x10 + i), "NVIDIA H100 80GB HBM3", "GPU-" + i, null, null, null,
                    null, 81559, null, 0, 0, 0, 0, 0, 0, 0, 0, 0, Set.of(), null, null, null, -1, -1, -1, -1, -1, -1, -1, -1,
                    null));
        }
        return new SmiLog("570.133.20", "12.8", gpus);
    }
}
