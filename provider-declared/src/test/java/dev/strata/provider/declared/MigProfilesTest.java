package dev.strata.provider.declared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.model.PartitionProfile;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The declared catalogue's MIG tables against what {@code nvidia-smi mig -lgip} and {@code -lgipp}
 * printed on a real H100 and a real H200 ({@code shared/fixtures/nvidia}), read here with a parser
 * of the test's own.
 */
class MigProfilesTest {

    private final InventoryDocumentReader reader = InventoryDocumentReader.withBuiltInCatalogue();

    /** One profile as the GPU reported it: {@code name id instances memory placements:slots}. */
    private static List<String> fromGpu(String folder) throws Exception {
        Path dir = Path.of(System.getProperty("strata.fixtures", "../../shared/fixtures")).resolve("nvidia").resolve(folder);
        // missing data skips, in CI too (.ci/run says so); only a missing test peer fails there
        assumeTrue(Files.isDirectory(dir), "fixture folder " + dir.toAbsolutePath() + " is missing (set -Dstrata.fixtures)");
        Pattern row = Pattern.compile("^\\|\\s*\\d+\\s+MIG\\s+(\\S+)\\s+(\\d+)\\s+\\d+/(\\d+)\\s+([0-9.]+)\\s.*$");
        Pattern placement = Pattern.compile("^\\s*GPU\\s+\\d+\\s+Profile ID\\s+(\\d+)\\s+Placements?\\s*:\\s*\\{([0-9,]*)\\}:(\\d+)\\s*$");
        Map<String, String> placements = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("mig-lgipp.txt"))) {
            Matcher m = placement.matcher(line);
            if (m.matches()) {
                placements.put(m.group(1), "[" + m.group(2).replace(",", ", ") + "]:" + m.group(3));
            }
        }
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("mig-lgip.txt"))) {
            Matcher m = row.matcher(line);
            if (m.matches()) {
                out.add(m.group(1) + " " + m.group(2) + " " + m.group(3) + " " + new BigDecimal(m.group(4)).setScale(2) + "GiB "
                        + placements.get(m.group(2)));
            }
        }
        assertThat(out).as("profiles in " + dir).hasSize(7);
        return out;
    }

    private static List<String> described(List<PartitionProfile> profiles) {
        // memory as nvidia-smi prints it: GiB to two decimals
        return profiles.stream().map(p -> p.name() + " " + p.profileId() + " " + p.maxInstances() + " "
                + String.format(java.util.Locale.ROOT, "%.2f", p.memoryBytes() / (double) (1L << 30)) + "GiB " + p.placements() + ":"
                + p.placementSize()).toList();
    }

    @Test
    void theH100AndH200TablesAreWhatTheGpusReport() throws Exception {
        assertThat(described(reader.model("dgx-h100").gpus().profiles())).containsExactlyElementsOf(fromGpu("h100-vm"));
        assertThat(described(reader.model("dgx-h200").gpus().profiles())).containsExactlyElementsOf(fromGpu("h200-vm"));
        assertThat(reader.model("dgx-h100").gpus().profiles()).allSatisfy(p -> {
            assertThat(p.totalSlices()).isEqualTo(7);
            assertThat(p.computeSlices()).isEqualTo(Integer.parseInt(p.name().substring(0, 1)));
        });
    }

    @Test
    void theShorthandTakesNvidiasPlacementsForSevenSliceGpus() throws Exception {
        // the h100p model, written with the shorthand
        NodeModel h100p = reader.withModels("""
                models:
                  h100p:
                    cpu: {sockets: 1, coresPerSocket: 16}
                    memory: 256GiB
                    power: {idle: 500W, max: 1500W}
                    gpus: {count: 1, model: NVIDIA H100 PCIe, memory: 80GiB, powerLimit: 350W,
                           migProfiles: [1g.10gb:7, 1g.20gb:4, 2g.20gb:3, 3g.40gb:2, 4g.40gb:1, 7g.80gb:1]}
                """, "test").model("h100p");
        Map<String, String> placementsOnTheGpu = new HashMap<>();
        for (String p : fromGpu("h100-vm")) {
            String[] f = p.split(" ");
            placementsOnTheGpu.put(f[0], p.substring(p.indexOf('[')));
        }
        assertThat(h100p.gpus().profiles()).hasSize(6).allSatisfy(p -> assertThat(p.placements() + ":" + p.placementSize())
                .as(p.name()).isEqualTo(placementsOnTheGpu.get(p.name())));
        assertThat(reader.model("dgx-a100").gpus().profiles()).extracting(p -> p.name() + " " + p.placements() + ":" + p.placementSize())
                .contains("1g.10gb+me [0, 1, 2, 3, 4, 5, 6]:1", "3g.40gb [0, 4]:4");
    }

    /**
     * A media-extension profile has one instance on the GPUs the shorthand knows (nvidia-smi mig
     * -lgip lists {@code 1g.10gb+me} as 1/1 on the H100): {@code 1g.10gb+me:7} was taken as seven,
     * each given the GPU's media engines, which placement could then bind seven times.
     */
    @Test
    void aMediaExtensionProfileInTheShorthandHasOneInstance() {
        assertThatThrownBy(() -> reader.withModels("""
                models:
                  x:
                    cpu: {sockets: 1, coresPerSocket: 16}
                    memory: 256GiB
                    gpus: {count: 1, model: NVIDIA H100, memory: 80GiB, migProfiles: [1g.10gb:7, 1g.10gb+me:7, 7g.80gb:1]}
                """, "x.yaml")).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("models.x.gpus.migProfiles[1]: '1g.10gb+me:7'; expected one instance of a +me profile (1g.10gb+me:1)");
    }

    @Test
    void aShorthandTheTableDoesNotCoverAsksForTheFullForm() {
        // an A30: 4 compute slices
        assertThatThrownBy(() -> reader.withModels("""
                models:
                  a30:
                    cpu: {sockets: 1, coresPerSocket: 16}
                    memory: 256GiB
                    gpus: {count: 1, model: NVIDIA A30, memory: 24GiB, powerLimit: 165W, migProfiles: [1g.6gb:4, 2g.12gb:2, 4g.24gb:1]}
                """, "a30.yaml")).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("models.a30.gpus.migProfiles[0]: '1g.6gb:4'; expected the full form {profile: 1g.6gb, instances: N,"
                        + " placements: [...], slots: S}");
        NodeModel a30 = reader.withModels("""
                models:
                  a30:
                    cpu: {sockets: 1, coresPerSocket: 16}
                    memory: 256GiB
                    gpus:
                      count: 1
                      model: NVIDIA A30
                      memory: 24GiB
                      powerLimit: 165W
                      migProfiles:
                        - {profile: 1g.6gb, instances: 4, memory: 5.75GiB, placements: [0, 1, 2, 3], slots: 1}
                        - {profile: 4g.24gb, instances: 1, placements: [0], slots: 4}
                """, "a30.yaml").model("a30");
        assertThat(a30.gpus().profiles()).extracting(p -> p.name() + " " + p.placements() + ":" + p.placementSize() + " of " + p.totalSlices())
                .containsExactly("1g.6gb [0, 1, 2, 3]:1 of 4", "4g.24gb [0]:4 of 4");
    }

    @Test
    void aBrokenFullFormNamesEachField() {
        assertThatThrownBy(() -> reader.withModels("""
                models:
                  x:
                    cpu: {sockets: 1, coresPerSocket: 16}
                    memory: 256GiB
                    gpus:
                      count: 1
                      model: NVIDIA H100
                      memory: 80GiB
                      migProfiles:
                        - {profile: 1g.10gb, instances: 0, placements: [0, 15], slots: 2, colour: red}
                """, "x.yaml")).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("models.x.gpus.migProfiles[0].colour")
                .hasMessageContaining("models.x.gpus.migProfiles[0].instances: '0'; expected a whole number from 1 to 16")
                .hasMessageContaining("models.x.gpus.migProfiles[0].placements[1]: '15'; expected a start whose 2 slots end by slot 16");
    }

    /** Numbers in a profile beyond their bounds are named with the bounds, never a NumberFormatException or a wrapped memory. */
    @Test
    void numbersOutOfBoundsAreNamedWithTheirBounds() {
        assertThatThrownBy(() -> reader.withModels("""
                models:
                  x:
                    cpu: {sockets: 1, coresPerSocket: 16}
                    memory: 256GiB
                    gpus:
                      count: 1
                      model: NVIDIA H100
                      memory: 80GiB
                      migProfiles:
                        - 99999999999g.10gb:1
                        - 1g.10gb:99999999999
                        - 1g.10gb:100000
                        - 1g.10gb:0
                        - 1g.99999999999gb:1
                        - {profile: 1g.17179869184gb, instances: 1, placements: [0], slots: 1}
                        - {profile: 1g.10gb, instances: 18446744073709551617, placements: [0], slots: 1}
                """, "x.yaml")).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("x.yaml has 7 errors:")
                .hasMessageContaining("models.x.gpus.migProfiles[0]: '99999999999g.10gb:1'; expected a MIG profile of 1 to 16 compute slices"
                        + " (1g to 16g), not 99999999999")
                .hasMessageContaining("models.x.gpus.migProfiles[1]: '1g.10gb:99999999999'; expected an instance count from 1 to 16 after"
                        + " the colon, not 99999999999")
                .hasMessageContaining("models.x.gpus.migProfiles[2]: '1g.10gb:100000'; expected an instance count from 1 to 16 after"
                        + " the colon, not 100000")
                .hasMessageContaining("models.x.gpus.migProfiles[3]: '1g.10gb:0'; expected an instance count from 1 to 16 after the colon, not 0")
                .hasMessageContaining("models.x.gpus.migProfiles[4]: '1g.99999999999gb:1'; expected a MIG profile of 1 to 65536 GB"
                        + " (1gb to 65536gb), not 99999999999")
                .hasMessageContaining("models.x.gpus.migProfiles[5].profile: '1g.17179869184gb'; expected a MIG profile of 1 to 65536 GB"
                        + " (1gb to 65536gb), not 17179869184")
                .hasMessageContaining("models.x.gpus.migProfiles[6].instances: '18446744073709551617'; expected a whole number from 1 to 16");
    }

    /** A profile's memory is a size with a unit, more than nothing and no more than the GPU has. */
    @Test
    void aProfileMemoryWithoutUnitOrOfNothingOrAboveTheGpusIsRefused() {
        assertThatThrownBy(() -> reader.withModels("""
                models:
                  x:
                    cpu: {sockets: 1, coresPerSocket: 16}
                    memory: 256GiB
                    gpus:
                      count: 1
                      model: NVIDIA H100
                      memory: 80GiB
                      migProfiles:
                        - {profile: 1g.10gb, instances: 7, memory: 10, placements: [0, 1, 2, 3, 4, 5, 6], slots: 1}
                        - {profile: 1g.20gb, instances: 4, memory: 0GiB, placements: [0, 2, 4, 6], slots: 2}
                        - {profile: 7g.80gb, instances: 1, memory: 800GiB, placements: [0], slots: 8}
                """, "x.yaml")).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("x.yaml has 3 errors:")
                .hasMessageContaining("models.x.gpus.migProfiles[0].memory: '10'; expected a size such as 9.75GiB, more than 0 and at most"
                        + " the GPU's memory (with a unit: a bare number is not taken as bytes)")
                .hasMessageContaining("models.x.gpus.migProfiles[1].memory: '0GiB'; expected a size such as 9.75GiB, more than 0 and at most"
                        + " the GPU's memory")
                .hasMessageContaining("models.x.gpus.migProfiles[2].memory: '800GiB'; expected a size such as 9.75GiB, more than 0 and at most"
                        + " the GPU's memory");
    }

    /**
     * A profile listed twice was taken twice, and placement, which knows a GPU's profiles by name,
     * used one and dropped the other without a word; a start listed twice or out of order was
     * taken as written, and placement looks starts up in ascending order, so that [4, 0] hid the
     * start at 0; a profile whose name gives more memory than the GPU has, with no memory given,
     * was taken with that memory. Each is refused but the order, which is put right.
     */
    @Test
    void aProfileListedTwiceARepeatedStartOrMoreMemoryThanTheGpuIsRefused() {
        assertThatThrownBy(() -> reader.withModels("""
                models:
                  x:
                    cpu: {sockets: 1, coresPerSocket: 16}
                    memory: 256GiB
                    gpus:
                      count: 1
                      model: NVIDIA H100
                      memory: 80GiB
                      migProfiles:
                        - 1g.10gb:7
                        - {profile: 1g.10gb, instances: 4, memory: 9.75GiB, placements: [0, 2, 4, 6], slots: 1}
                        - {profile: 3g.40gb, instances: 2, memory: 39.5GiB, placements: [0, 4, 4], slots: 4}
                        - {profile: 7g.100gb, instances: 1, placements: [0], slots: 8}
                        - 7g.80gb:1
                """, "x.yaml")).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("x.yaml has 3 errors:")
                .hasMessageContaining("models.x.gpus.migProfiles[1].profile: '1g.10gb'; expected a profile listed once (1g.10gb is"
                        + " models.x.gpus.migProfiles[0] too)")
                .hasMessageContaining("models.x.gpus.migProfiles[2].placements[2]: '4'; expected each start once (4 is placements[1] too)")
                .hasMessageContaining("models.x.gpus.migProfiles[3].profile: '7g.100gb'; expected a profile of at most the GPU's memory, or"
                        + " its memory given (memory: ..., as nvidia-smi mig -lgip reports it); 100gb is more than the GPU has");
        InventoryDocumentReader ordered = reader.withModels("""
                models:
                  y:
                    cpu: {sockets: 1, coresPerSocket: 16}
                    memory: 256GiB
                    gpus:
                      count: 1
                      model: NVIDIA H100
                      memory: 80GiB
                      migProfiles:
                        - {profile: 3g.40gb, instances: 2, memory: 39.5GiB, placements: [4, 0], slots: 4}
                        - 7g.80gb:1
                """, "y.yaml");
        assertThat(ordered.model("y").gpus().profiles().get(0).placements()).containsExactly(0, 4);
    }

    /**
     * A table no GPU can have was taken as written: one listing only {@code 1g.10gb} made a GPU of 1
     * compute slice (the largest profile listed), on which placement put a single instance where the
     * GPU holds seven, each counted a whole GPU; {@code 1g.10gb:16} was shown as 16 instances; seven
     * instances of 40GiB were placed on a GPU of 80GiB. Each is refused, naming how many fit.
     */
    @Test
    void instancesThatDoNotFitTheGpusSlicesOrMemoryAreRefused() {
        assertThatThrownBy(() -> reader.withModels("""
                models:
                  x:
                    cpu: {sockets: 1, coresPerSocket: 16}
                    memory: 256GiB
                    gpus:
                      count: 1
                      model: NVIDIA H100
                      memory: 80GiB
                      migProfiles:
                        - {profile: 1g.10gb, instances: 7, memory: 9.75GiB, placements: [0, 1, 2, 3, 4, 5, 6], slots: 1}
                """, "x.yaml")).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("x.yaml has 1 error:")
                .hasMessageContaining("models.x.gpus.migProfiles[0].instances: '7'; expected at most 1 instances of 1 compute slices, as many"
                        + " as fit the GPU's 1 (a GPU's compute slices are those of the largest profile listed, such as 7g.80gb: list it too)");
        assertThatThrownBy(() -> reader.withModels("""
                models:
                  y:
                    cpu: {sockets: 1, coresPerSocket: 16}
                    memory: 256GiB
                    gpus:
                      count: 1
                      model: NVIDIA H100
                      memory: 80GiB
                      migProfiles:
                        - 1g.10gb:16
                        - 2g.20gb:4
                        - {profile: 1g.40gb, instances: 7, memory: 40GiB, placements: [0, 1, 2, 3, 4, 5, 6], slots: 1}
                        - 7g.80gb:1
                """, "y.yaml")).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("y.yaml has 3 errors:")
                .hasMessageContaining("models.y.gpus.migProfiles[0]: '1g.10gb:16'; expected at most 7 instances of 1 compute slices")
                .hasMessageContaining("models.y.gpus.migProfiles[1]: '2g.20gb:4'; expected at most 3 instances of 2 compute slices")
                .hasMessageContaining("models.y.gpus.migProfiles[2].instances: '7'; expected at most 2 instances of 40GiB, as many as fit"
                        + " the GPU's memory (7 x 40GiB is more than it has)");
    }

    /**
     * Placement holds at most 15 profiles in a GPU's table, and placed no partition at all of a GPU
     * with more; the declared inventory took a 16th without a word.
     */
    @Test
    void moreProfilesThanPlacementHoldsAreRefused() {
        StringBuilder profiles = new StringBuilder();
        for (int gb = 1; gb <= 15; gb++) {
            profiles.append("        - {profile: 1g.").append(gb).append("gb, instances: 1, placements: [0], slots: 1}\n");
        }
        String model = """
                models:
                  x:
                    cpu: {sockets: 1, coresPerSocket: 16}
                    memory: 256GiB
                    gpus:
                      count: 1
                      model: NVIDIA H100
                      memory: 80GiB
                      migProfiles:
                """;
        assertThatThrownBy(() -> reader.withModels(model + profiles + "        - 7g.80gb:1\n", "x.yaml"))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("x.yaml has 1 error:")
                .hasMessageContaining("expected at most 15 MIG profiles, as many as placement holds in a GPU's table (this list has 16;"
                        + " with more, no partition of the GPU is placed)");
        // fifteen are taken
        assertThat(reader.withModels(model + profiles.toString().replace("1g.15gb", "7g.80gb"), "x.yaml").model("x").gpus().profiles())
                .hasSize(15);
    }

    /**
     * The full form took more instances than the starts its placements list: {@code instances: 7}
     * with {@code placements: [0, 2]} made a profile of 7 instances of which only 2 can start, and
     * placement counted the 5 others. It is refused, naming the profile, its instances and its starts.
     */
    @Test
    void moreInstancesThanPlacementsAreRefused() {
        String model = """
                models:
                  x:
                    cpu: {sockets: 1, coresPerSocket: 16}
                    memory: 256GiB
                    gpus:
                      count: 1
                      model: NVIDIA H100
                      memory: 80GiB
                      migProfiles:
                        - {profile: 1g.10gb, instances: 7, memory: 9.75GiB, placements: [2, 0], slots: 1}
                        - 7g.80gb:1
                """;
        assertThatThrownBy(() -> reader.withModels(model, "x.yaml")).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("x.yaml has 1 error:")
                .hasMessageContaining("models.x.gpus.migProfiles[0].instances: '7'; expected at most 2 instances of 1g.10gb, one per start"
                        + " in its placements [0, 2] (7 instances need as many starts; list every start nvidia-smi mig -lgipp reports)");
        // as many instances as starts are taken
        assertThat(reader.withModels(model.replace("instances: 7", "instances: 2"), "x.yaml").model("x").gpus().profiles().get(0)
                .maxInstances()).isEqualTo(2);
    }

    /**
     * Starts closer than an instance's slots overlap: {@code slots: 2} at {@code placements: [0, 1, 2]}
     * hold two instances side by side (at 0 and 2), not three. The full form took {@code instances: 3},
     * which {@code strata:gpu} showed though placement, which never puts two instances on one slot,
     * could make two. It is refused, naming how many fit side by side; the count is exact for every
     * set of starts (checked against every subset of starts, below).
     */
    @Test
    void moreInstancesThanFitSideBySideAtOverlappingStartsAreRefused() {
        String model = """
                models:
                  x:
                    cpu: {sockets: 1, coresPerSocket: 16}
                    memory: 256GiB
                    gpus:
                      count: 1
                      model: NVIDIA H100
                      memory: 80GiB
                      migProfiles:
                        - {profile: 2g.20gb, instances: 3, memory: 19.75GiB, placements: [0, 1, 2], slots: 2}
                        - 7g.80gb:1
                """;
        assertThatThrownBy(() -> reader.withModels(model, "x.yaml")).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("x.yaml has 1 error:")
                .hasMessageContaining("models.x.gpus.migProfiles[0].instances: '3'; expected at most 2 instances of 2g.20gb, as many as fit"
                        + " side by side at its placements [0, 1, 2] of 2 slots each (starts closer than 2 slots overlap, and one slot"
                        + " holds one instance)");
        assertThat(reader.withModels(model.replace("instances: 3", "instances: 2"), "x.yaml").model("x").gpus().profiles().get(0)
                .maxInstances()).isEqualTo(2);

        // the count against an exhaustive search: the largest subset of starts whose slots do not overlap, for every set of
        // starts in 0..7 and every size 1..4
        for (int mask = 1; mask < 1 << 8; mask++) {
            java.util.List<Integer> starts = new java.util.ArrayList<>();
            for (int s = 0; s < 8; s++) {
                if ((mask & 1 << s) != 0) {
                    starts.add(s);
                }
            }
            for (int slots = 1; slots <= 4; slots++) {
                int best = 0;
                for (int subset = 1; subset < 1 << starts.size(); subset++) {
                    long used = 0;
                    boolean apart = true;
                    for (int i = 0; i < starts.size() && apart; i++) {
                        if ((subset & 1 << i) != 0) {
                            long taken = ((1L << slots) - 1) << starts.get(i);
                            apart = (used & taken) == 0;
                            used |= taken;
                        }
                    }
                    if (apart) {
                        best = Math.max(best, Integer.bitCount(subset));
                    }
                }
                assertThat(MigProfiles.sideBySide(starts, slots)).as("starts %s of %d slots", starts, slots).isEqualTo(best);
            }
        }
    }
}
