package dev.strata.provider.baremetal.sysfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NumaNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests for two defects found on /sys trees the discovery had never seen, each made by
 * the test from one of hwloc's real snapshots ({@code <strata.fixtures>/hwloc-linux}):
 * <ul>
 * <li>kernels since 5.15 end CPU list and mask files with {@code "\n\0"};</li>
 * <li>firmware that gives every NUMA node every CPU (overlapping NUMA CPU sets);</li>
 * <li>a NUMA node without {@code meminfo}.</li>
 * </ul>
 */
class SnapshotDefectsTest {

    @TempDir
    Path temp;

    private static Path fixture(String name) {
        Path fixtures = Path.of(System.getProperty("strata.fixtures", "../../shared/fixtures")).resolve("hwloc-linux");
        Path tarball = fixtures.resolve(name + ".tar.bz2");
        assumeTrue(Files.isRegularFile(tarball), "fixture " + tarball.toAbsolutePath() + " is missing");
        return tarball;
    }

    /**
     * 4 sockets with 2 NUMA nodes each, core ids repeating inside a socket: with the sibling masks
     * unreadable the cores of a socket collapse. Every file below sys/ is given the trailing NUL a
     * 5.15+ kernel writes; the discovery must be exactly the one of the original tree, with no warning.
     */
    @Test
    void filesEndingWithNewlineAndNulReadAsWithoutIt() throws Exception {
        Path root = HwlocComparisonTest.extract(fixture("64amd64-4s2n4ca2co"), temp.resolve("nul"));
        SysfsDiscovery.Discovered original = new SysfsDiscovery(root).discoverWithWarnings("n", "baremetal", "site");
        assertThat(original.warnings()).isEmpty();
        assertThat(original.node().cpu().cores()).as("as hwloc counts them").isEqualTo(64);
        assertThat(original.node().numaNodes()).hasSize(8).allSatisfy(n -> assertThat(n.cpus().size()).isEqualTo(8));

        int changed = 0;
        try (Stream<Path> files = Files.walk(root.resolve("sys"))) {
            for (Path file : files.filter(f -> Files.isRegularFile(f) && !Files.isSymbolicLink(f)).toList()) {
                byte[] bytes = Files.readAllBytes(file);
                if (bytes.length > 0 && bytes[bytes.length - 1] == '\n') {
                    Files.write(file, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
                    changed++;
                }
            }
        }
        assertThat(changed).as("files given a trailing NUL").isGreaterThan(500);
        assertThat(Files.readString(root.resolve("sys/devices/system/node/node1/cpulist"))).endsWith("\n\0");

        SysfsDiscovery.Discovered withNul = new SysfsDiscovery(root).discoverWithWarnings("n", "baremetal", "site");
        assertThat(withNul.warnings()).isEmpty();
        assertThat(withNul.node()).isEqualTo(original.node());
    }

    /**
     * Eight NUMA nodes of two CPUs each, rewritten so that each claims all 16 CPUs. The discovery
     * must report it and come out as hwloc's does on the same broken tree (hwloc keeps the first
     * node and leaves out the ones that overlap it): lstopo on the rewritten tree is the oracle.
     */
    @Test
    void overlappingNumaNodesAreReportedAndHandledAsHwlocHandlesThem() throws Exception {
        Path root = HwlocComparisonTest.extract(fixture("16amd64-8n2c"), temp.resolve("overlap"));
        Node before = new SysfsDiscovery(root).discover("n", "baremetal", "site");
        assertThat(before.numaNodes()).hasSize(8);
        assertThat(before.numaNodes().stream().mapToInt(n -> n.cpus().size()).sum()).isEqualTo(16);

        for (int node = 0; node < 8; node++) {
            Path dir = root.resolve("sys/devices/system/node/node" + node);
            Files.writeString(dir.resolve("cpumap"), "0000ffff\n");
            if (Files.exists(dir.resolve("cpulist"))) {
                Files.writeString(dir.resolve("cpulist"), "0-15\n");
            }
        }
        SysfsDiscovery.Discovered after = new SysfsDiscovery(root).discoverWithWarnings("n", "baremetal", "site");

        List<Integer> ids = after.node().numaNodes().stream().map(NumaNode::id).toList();
        assertThat(ids).containsExactly(0);
        assertThat(after.node().numaNodes().get(0).cpus()).isEqualTo(CpuSet.parseList("0-15"));
        assertThat(after.node().numaNodes().stream().mapToInt(n -> n.cpus().size()).sum())
                .as("node CPU sets no longer add up to 8x the machine").isEqualTo(16);
        assertThat(after.warnings()).hasSize(7).allSatisfy(w -> assertThat(w).contains("overlap").contains("left out as hwloc leaves it out"));
        assertThat(after.warnings().get(0)).startsWith("/sys/devices/system/node/node1: CPUs 0-15 overlap those of NUMA nodes read before it");
        assertThat(after.node().numaNodes().get(0).distances()).as("distance rows no longer line up").isEmpty();

        assumeTrue(HwlocComparisonTest.lstopoInstalled(), "lstopo-no-graphics is not installed (apt-get install hwloc-nox)");
        String xml = HwlocComparisonTest.runLstopo(new ArrayList<>(List.of("lstopo-no-graphics", "--if", "fsroot", "--input", root.toString(),
                "--of", "xml", "--whole-io", "--disallowed")), Map.of());
        TopologySummary hwloc = HwlocXml.parse(xml);
        Map<String, String> differences = TopologySummary.of(after.node()).differencesFrom(hwloc);
        assertThat(differences).as("differences from hwloc on the tree with overlapping NUMA nodes")
                .doesNotContainKeys(TopologySummary.NUMA_NODES, TopologySummary.NUMA_CPUS, TopologySummary.NUMA_MEMORY,
                        TopologySummary.PACKAGES, TopologySummary.CORES, TopologySummary.PUS);
    }

    /**
     * Eight NUMA nodes of 8 GiB each, node 3's {@code meminfo} removed (a tree cut short, or a file not readable): a
     * warning names the node and says its memory is unknown, and the machine's memory is that of {@code /proc/meminfo}
     * where the tree has one (written here with the total of the eight nodes, as the machine's kernel gives it), else the
     * nodes' that are known. Before, node 3 counted no memory without a word and the machine came out 8 GiB short.
     */
    @Test
    void aNumaNodeWithoutMeminfoIsReportedAndTheMachinesMemoryTakenFromProc() throws Exception {
        Path root = HwlocComparisonTest.extract(fixture("16amd64-8n2c"), temp.resolve("meminfo"));
        Node original = new SysfsDiscovery(root).discover("n", "baremetal", "site");
        long node3 = original.numaNodes().stream().filter(n -> n.id() == 3).findFirst().orElseThrow().memoryBytes();
        assertThat(node3).isPositive();
        Files.delete(root.resolve("sys/devices/system/node/node3/meminfo"));

        SysfsDiscovery.Discovered cut = new SysfsDiscovery(root).discoverWithWarnings("n", "baremetal", "site");
        assertThat(cut.warnings()).containsExactly("/sys/devices/system/node/node3: no meminfo (missing, unreadable or empty); the memory "
                + "of NUMA node 3 is unknown and counted as 0, and the machine's memory is taken from /proc/meminfo where it is larger");
        assertThat(cut.node().numaNodes()).hasSize(8);
        assertThat(cut.node().memoryBytes()).as("no /proc/meminfo in the tree: the nodes' known memory")
                .isEqualTo(original.memoryBytes() - node3);

        Files.writeString(root.resolve("proc/meminfo"), "MemTotal:       " + original.memoryBytes() / 1024 + " kB\nMemFree:  1024 kB\n");
        SysfsDiscovery.Discovered withProc = new SysfsDiscovery(root).discoverWithWarnings("n", "baremetal", "site");
        assertThat(withProc.warnings()).hasSize(1);
        assertThat(withProc.node().memoryBytes()).as("the machine's memory from /proc/meminfo").isEqualTo(original.memoryBytes());
    }
}
