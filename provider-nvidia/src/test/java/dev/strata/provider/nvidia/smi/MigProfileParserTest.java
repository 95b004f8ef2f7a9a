package dev.strata.provider.nvidia.smi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.nvidia.FakeNvidiaSmi;
import dev.strata.provider.nvidia.Fixtures;
import dev.strata.provider.nvidia.device.PciSysfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nvidia-smi mig -lgip} and {@code -lgipp} captured on a real H200 and H100, read in place. */
class MigProfileParserTest {

    private static final long GIB = 1L << 30;

    private static List<PartitionProfile> profiles(String machine) {
        Path dir = Fixtures.nvidia(machine);
        Map<Integer, List<PartitionProfile>> byGpu = MigProfileParser.parse(Fixtures.text(dir.resolve("mig-lgip.txt")),
                Fixtures.text(dir.resolve("mig-lgipp.txt")));
        assertThat(byGpu).containsOnlyKeys(0);
        return byGpu.get(0);
    }

    @Test
    void readsTheSevenH200Profiles() {
        List<PartitionProfile> profiles = profiles("h200-vm");

        assertThat(profiles).extracting(PartitionProfile::name)
                .containsExactly("1g.18gb", "1g.18gb+me", "1g.35gb", "2g.35gb", "3g.71gb", "4g.71gb", "7g.141gb");
        assertThat(profiles).extracting(PartitionProfile::profileId).containsExactly(19, 20, 15, 14, 9, 5, 0);
        assertThat(profiles).extracting(PartitionProfile::maxInstances).containsExactly(7, 1, 4, 3, 2, 1, 1);
        assertThat(profiles).extracting(PartitionProfile::multiprocessors).containsExactly(16, 16, 26, 32, 60, 64, 132);
        assertThat(profiles).extracting(PartitionProfile::computeSlices).containsExactly(1, 1, 1, 2, 3, 4, 7);
        assertThat(profiles).extracting(PartitionProfile::totalSlices).containsOnly(7);
        assertThat(profiles).extracting(PartitionProfile::memoryBytes)
                .containsExactly(16 * GIB, 16 * GIB, 65 * GIB / 2, 65 * GIB / 2, 279 * GIB / 4, 279 * GIB / 4, 140 * GIB);

        PartitionProfile oneG = profiles.get(0);
        assertThat(oneG.placements()).containsExactly(0, 1, 2, 3, 4, 5, 6);
        assertThat(oneG.placementSize()).isEqualTo(1);
        PartitionProfile oneG35 = profiles.get(2);
        assertThat(oneG35.placements()).containsExactly(0, 2, 4, 6);
        assertThat(oneG35.placementSize()).isEqualTo(2);
        assertThat(profiles.get(3).placements()).containsExactly(0, 2, 4);
        assertThat(profiles.get(4).placements()).containsExactly(0, 4);
        assertThat(profiles.get(4).placementSize()).isEqualTo(4);
        // "Placement : {0}:4" and "Placement : {0}:8": the single-slot form
        assertThat(profiles.get(5).placements()).containsExactly(0);
        assertThat(profiles.get(5).placementSize()).isEqualTo(4);
        assertThat(profiles.get(6).placements()).containsExactly(0);
        assertThat(profiles.get(6).placementSize()).isEqualTo(8);
        assertThat(profiles.get(6).fraction()).isEqualTo(1.0);
    }

    @Test
    void readsTheSevenH100ProfilesFrom1g10gbTo7g80gb() {
        List<PartitionProfile> profiles = profiles("h100-vm");

        assertThat(profiles).extracting(PartitionProfile::name)
                .containsExactly("1g.10gb", "1g.10gb+me", "1g.20gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb");
        assertThat(profiles).extracting(PartitionProfile::profileId).containsExactly(19, 20, 15, 14, 9, 5, 0);
        // 9.75, 19.62 (nvidia-smi's rounding of 19.625), 39.50 and 79.25 GiB
        assertThat(profiles.get(0).memoryBytes()).isEqualTo(39 * GIB / 4);
        assertThat(profiles.get(2).memoryBytes()).isEqualTo((long) (19.62 * GIB));
        assertThat(profiles.get(4).memoryBytes()).isEqualTo(79 * GIB / 2);
        assertThat(profiles.get(6).memoryBytes()).isEqualTo(317 * GIB / 4);
        assertThat(profiles.get(6).multiprocessors()).isEqualTo(132);
        assertThat(profiles.get(6).placementSize()).isEqualTo(8);
    }

    /**
     * A row whose numbers cannot be read (the real H200 table with its first memory garbled into {@code 16..00}, or a
     * placement beyond an int) is refused, naming the row and what was expected. Before, the number parser's own exception
     * came out of the discovery as it was ("Character array contains more than one decimal point."), naming neither the
     * command nor the row.
     */
    @Test
    void aRowWhoseNumbersCannotBeReadIsRefusedNamingTheRowAndWhatWasExpected() {
        Path dir = Fixtures.nvidia("h200-vm");
        String lgip = Fixtures.text(dir.resolve("mig-lgip.txt"));
        String lgipp = Fixtures.text(dir.resolve("mig-lgipp.txt"));
        String row = "|   0  MIG 1g.18gb         19     7/7        16.00      No     16     1     0   |";
        String placement = "GPU  0 Profile ID 15 Placements: {0,2,4,6}:2";
        assertThat(lgip).contains(row);
        assertThat(lgipp).contains(placement);

        assertThatThrownBy(() -> MigProfileParser.parse(lgip.replace(row, row.replace("16.00", "16..00")), lgipp))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nvidia-smi mig -lgip row '| 0 MIG 1g.18gb 19 7/7 16..00 No 16 1 0 |' cannot be read; expected the GPU"
                        + " index, profile id, instance counts and SM count as whole numbers and the memory in GiB such as 16.00");
        assertThatThrownBy(() -> MigProfileParser.parse(lgip, lgipp.replace(placement, placement.replace("{0,2,", "{0,99999999999,"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nvidia-smi mig -lgipp line 'GPU 0 Profile ID 15 Placements: {0,99999999999,4,6}:2' cannot be read;"
                        + " expected the GPU index, profile id, start slots and slot count as whole numbers");
    }

    /**
     * Through nvidia-smi, such a table fails the discovery as other output that cannot be read does, with a
     * ProviderFailureException that names the command; before, the NumberFormatException left the source as it was.
     */
    @Test
    void aDiscoveryWhoseMigTableCannotBeReadFailsNamingTheCommand(@TempDir Path tmp) throws Exception {
        Path dir = Fixtures.nvidia("h200-vm");
        Path garbled = Files.writeString(tmp.resolve("lgip.txt"), Fixtures.text(dir.resolve("mig-lgip.txt")).replace("16.00", "16..00"));
        Map<String, String> answers = new LinkedHashMap<>();
        answers.put("'-q -x'", "cat '" + dir.resolve("nvidia-smi-q.xml") + "'");
        answers.put("'mig -lgip'", "cat '" + garbled + "'");
        answers.put("'mig -lgipp'", "cat '" + dir.resolve("mig-lgipp.txt") + "'");
        SmiSource source = new SmiSource(FakeNvidiaSmi.answering(tmp, answers).toString(), Duration.ofSeconds(10),
                new PciSysfs(tmp.resolve("sys")), Clock.systemUTC(), "host:test");

        assertThatThrownBy(() -> source.discover(DiscoveryContext.withTimeout("op-mig", Duration.ofSeconds(30))))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageStartingWith("nvidia-smi mig -lgip printed output that cannot be read: nvidia-smi mig -lgip row '| 0 MIG 1g.18gb")
                .hasMessageEndingWith("expected the GPU index, profile id, instance counts and SM count as whole numbers and the memory in"
                        + " GiB such as 16.00");
    }

    /**
     * The real H100 table cut short (output truncated) is refused naming what is missing, whether it is cut after the 4g.40gb
     * block's border line (so that it still ends with a border), inside the 7g.80gb block, or inside a row. Before, it was
     * read with fewer profiles and the largest seen, 4g, was taken for the GPU's 4 slices instead of 7: every profile's share
     * of the GPU came out too large, 1g.10gb's a quarter instead of a seventh.
     */
    @Test
    void aTableCutShortIsRefusedNamingWhatIsMissing() {
        Path dir = Fixtures.nvidia("h100-vm");
        String lgip = Fixtures.text(dir.resolve("mig-lgip.txt"));
        String lgipp = Fixtures.text(dir.resolve("mig-lgipp.txt"));
        String last = "|   0  MIG 7g.80gb          0     1/1        79.25      No     132    7     0   |";
        assertThat(lgip).contains(last);
        String beforeLast = lgip.substring(0, lgip.indexOf(last));
        String expected = "; expected each profile's rows closed by a border line such as +---+, and the profiles listed up to the whole GPU";

        assertThatThrownBy(() -> MigProfileParser.parse(beforeLast, lgipp))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nvidia-smi mig -lgip table is cut short: its largest profile of GPU 0 has 4 slices, but the 7 instances of"
                        + " profile 1g.10gb take 7: the profiles up to the whole GPU are missing" + expected);
        assertThatThrownBy(() -> MigProfileParser.parse(beforeLast + last + "\n", lgipp))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nvidia-smi mig -lgip table is cut short: it ends inside the rows of profile 7g.80gb of GPU 0 at '| 0 MIG"
                        + " 7g.80gb 0 1/1 79.25 No 132 7 0 |' without a border line" + expected);
        assertThatThrownBy(() -> MigProfileParser.parse(beforeLast + last.substring(0, 30), lgipp))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nvidia-smi mig -lgip table is cut short: it ends at '| 0 MIG 7g.80gb 0' without a border line" + expected);
        assertThatThrownBy(() -> MigProfileParser.parse(lgip.substring(0, lgip.indexOf("|   0  MIG 1g.10gb ")), lgipp))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("nvidia-smi mig -lgip table is cut short: it ends before any profile at '|=====");
    }

    /**
     * Through nvidia-smi, the real H200 table cut after its 4g.71gb block fails the discovery naming the command, as other
     * output that cannot be read does; before, the discovery went on with the GPU's slices taken as 4.
     */
    @Test
    void aDiscoveryWhoseMigTableIsCutShortFailsNamingTheCommand(@TempDir Path tmp) throws Exception {
        Path dir = Fixtures.nvidia("h200-vm");
        String lgip = Fixtures.text(dir.resolve("mig-lgip.txt"));
        Path cut = Files.writeString(tmp.resolve("lgip.txt"), lgip.substring(0, lgip.indexOf("|   0  MIG 7g.141gb")));
        Map<String, String> answers = new LinkedHashMap<>();
        answers.put("'-q -x'", "cat '" + dir.resolve("nvidia-smi-q.xml") + "'");
        answers.put("'mig -lgip'", "cat '" + cut + "'");
        answers.put("'mig -lgipp'", "cat '" + dir.resolve("mig-lgipp.txt") + "'");
        SmiSource source = new SmiSource(FakeNvidiaSmi.answering(tmp, answers).toString(), Duration.ofSeconds(10),
                new PciSysfs(tmp.resolve("sys")), Clock.systemUTC(), "host:test");

        assertThatThrownBy(() -> source.discover(DiscoveryContext.withTimeout("op-mig-cut", Duration.ofSeconds(30))))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageStartingWith("nvidia-smi mig -lgip printed output that cannot be read: nvidia-smi mig -lgip table is cut short:"
                        + " its largest profile of GPU 0 has 4 slices, but the 7 instances of profile 1g.18gb take 7");
    }

    @Test
    void toleratesAMissingPlacementListAndADeviceWithoutMig() {
        Path dir = Fixtures.nvidia("h200-vm");

        assertThat(MigProfileParser.parse(Fixtures.text(dir.resolve("mig-lgip.txt")), null).get(0))
                .allSatisfy(p -> assertThat(p.placements()).isEmpty());
        assertThat(MigProfileParser.parse("No MIG-supported devices found.", null)).isEmpty();
    }
}
