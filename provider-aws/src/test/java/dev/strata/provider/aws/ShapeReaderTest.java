package dev.strata.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.provider.aws.ec2.Shape;
import dev.strata.provider.aws.ec2.ShapeReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;

/**
 * Maps every one of the 1,373 real instance types of the fixture and compares each field with
 * what the raw JSON says, computed here independently of the mapper.
 */
class ShapeReaderTest {

    @Test
    void everyRealInstanceTypeMapsToWhatItsJsonSays() {
        Map<String, JsonNode> raw = FixtureCatalogue.rawTypes();
        assertThat(raw).hasSizeGreaterThan(1000);
        List<String> problems = new ArrayList<>();
        int gpuTypes = 0;
        for (Map.Entry<String, JsonNode> e : raw.entrySet()) {
            JsonNode json = e.getValue();
            Shape shape = ShapeReader.shape(FixtureCatalogue.sdk(json));
            String t = e.getKey();
            check(problems, t, "instanceType", t, shape.instanceType());
            check(problems, t, "vcpus", json.path("VCpuInfo").path("DefaultVCpus").asInt(), shape.vcpus());
            int threads = json.path("VCpuInfo").path("DefaultThreadsPerCore").asInt(1);
            check(problems, t, "threadsPerCore", threads, shape.threadsPerCore());
            int cores = json.path("VCpuInfo").has("DefaultCores") ? json.path("VCpuInfo").path("DefaultCores").asInt()
                    : json.path("VCpuInfo").path("DefaultVCpus").asInt() / threads;
            check(problems, t, "cores", cores, shape.cores());
            check(problems, t, "memoryMiB", json.path("MemoryInfo").path("SizeInMiB").asLong(), shape.memoryMiB());
            int gpuCount = 0;
            long gpuMemory = 0;
            for (JsonNode gpu : json.path("GpuInfo").path("Gpus")) {
                gpuCount += gpu.path("Count").asInt();
                gpuMemory += gpu.path("Count").asLong() * gpu.path("MemoryInfo").path("SizeInMiB").asLong();
            }
            check(problems, t, "gpuCount", gpuCount, shape.gpuCount());
            check(problems, t, "gpu memory", gpuMemory, shape.gpus().stream().mapToLong(g -> g.count() * g.memoryMiB()).sum());
            boolean fractional = false;
            for (JsonNode gpu : json.path("GpuInfo").path("Gpus")) {
                fractional |= gpu.path("GpuPartitionSize").asDouble(1) < 1;
            }
            if (fractional) {
                // g6f, gr6f: a share of one GPU (Count 0, GpuPartitionSize < 1); not offered, as whole GPUs are what offers carry
                check(problems, t, "fractional GPU count", 0, shape.gpuCount());
            } else if (json.path("GpuInfo").has("TotalGpuMemoryInMiB")) {
                check(problems, t, "TotalGpuMemoryInMiB", json.path("GpuInfo").path("TotalGpuMemoryInMiB").asLong(), gpuMemory);
            }
            if (gpuCount > 0) {
                gpuTypes++;
                JsonNode first = json.path("GpuInfo").path("Gpus").get(0);
                check(problems, t, "gpu model", first.path("Manufacturer").asText() + " " + first.path("Name").asText(), shape.gpus().get(0).model());
            }
            JsonNode network = json.path("NetworkInfo");
            check(problems, t, "efaSupported", network.path("EfaSupported").asBoolean(false), shape.efaSupported());
            check(problems, t, "maxEfaInterfaces", network.path("EfaSupported").asBoolean(false)
                    ? network.path("EfaInfo").path("MaximumEfaInterfaces").asInt() : 0, shape.maxEfaInterfaces());
            double baseline = 0;
            for (JsonNode card : network.path("NetworkCards")) {
                baseline += card.path("BaselineBandwidthInGbps").asDouble();
            }
            check(problems, t, "baseline bandwidth", baseline, shape.baselineBandwidthGbps());
            check(problems, t, "networkPerformance", network.path("NetworkPerformance").asText(null), shape.networkPerformance());
            check(problems, t, "bareMetal", json.path("BareMetal").asBoolean(), shape.bareMetal());
            check(problems, t, "architectures", json.path("ProcessorInfo").path("SupportedArchitectures").size(), shape.architectures().size());
        }
        assertThat(problems).isEmpty();
        assertThat(gpuTypes).as("types with GPUs in the fixture").isEqualTo(
                (int) raw.values().stream().filter(j -> {
                    int whole = 0;
                    for (JsonNode gpu : j.path("GpuInfo").path("Gpus")) {
                        whole += gpu.path("Count").asInt();
                    }
                    return whole > 0;
                }).count()).isGreaterThan(50);
    }

    @Test
    void efaBandwidthIsTheSumOfTheNetworkCards() {
        Map<String, JsonNode> raw = FixtureCatalogue.rawTypes();
        Shape p5 = ShapeReader.shape(FixtureCatalogue.sdk(raw.get("p5.48xlarge")));
        // 32 cards of 100 Gbit/s in the fixture: the "3200 Gigabit" AWS advertises
        assertThat(p5.networkCards()).hasSize(raw.get("p5.48xlarge").path("NetworkInfo").path("NetworkCards").size());
        assertThat(p5.baselineBandwidthGbps()).isEqualTo(3200.0);
        assertThat(p5.networkPerformance()).isEqualTo("3200 Gigabit");
        assertThat(p5.gpus()).singleElement().satisfies(g -> {
            assertThat(g.model()).isEqualTo("NVIDIA H100");
            assertThat(g.count()).isEqualTo(8);
            assertThat(g.memoryMiB()).isEqualTo(81920);
        });
    }

    /**
     * Counts and sizes no instance type can have are refused, naming the type, the field, the value
     * and the range. Before, they were taken as they came: 2147483647 vCPUs or GPUs made discovery
     * build one object per vCPU or GPU until the heap was exhausted, a negative memory size became a
     * negative machine, and a bandwidth that is not a number broke the EFA fabric's id.
     */
    @Test
    void countsAndSizesNoInstanceTypeCanHaveAreRefusedNamingTheField() {
        InstanceTypeInfo vcpus = InstanceTypeInfo.builder().instanceType("p5.48xlarge").vCpuInfo(v -> v.defaultVCpus(Integer.MAX_VALUE)).build();
        InstanceTypeInfo gpus = InstanceTypeInfo.builder().instanceType("p5.48xlarge")
                .gpuInfo(g -> g.gpus(d -> d.name("H100").manufacturer("NVIDIA").count(Integer.MAX_VALUE).memoryInfo(m -> m.sizeInMiB(81920))))
                .build();
        InstanceTypeInfo memory = InstanceTypeInfo.builder().instanceType("g6.xlarge").memoryInfo(m -> m.sizeInMiB(-16384L)).build();
        InstanceTypeInfo bandwidth = InstanceTypeInfo.builder().instanceType("p4d.24xlarge")
                .networkInfo(n -> n.efaSupported(true).networkCards(c -> c.networkCardIndex(0).baselineBandwidthInGbps(Double.NaN))).build();
        assertThat(catchThrowable(() -> ShapeReader.shape(vcpus))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("instance type p5.48xlarge has VCpuInfo.DefaultVCpus = 2147483647; expected 0 to 65536");
        assertThat(catchThrowable(() -> ShapeReader.shape(gpus))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("instance type p5.48xlarge has GpuInfo.Gpus.Count = 2147483647; expected 0 to 1024");
        assertThat(catchThrowable(() -> ShapeReader.shape(memory))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("instance type g6.xlarge has MemoryInfo.SizeInMiB = -16384; expected 0 to 1073741824");
        assertThat(catchThrowable(() -> ShapeReader.shape(bandwidth))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("instance type p4d.24xlarge has NetworkInfo.NetworkCards.BaselineBandwidthInGbps = NaN; expected 0 to 1000000 Gbit/s");
    }

    private static void check(List<String> problems, String type, String field, Object expected, Object actual) {
        boolean same = expected instanceof Number a && actual instanceof Number b ? Math.abs(a.doubleValue() - b.doubleValue()) < 1e-9
                : java.util.Objects.equals(expected, actual);
        if (!same) {
            problems.add(type + "." + field + ": expected " + expected + ", mapped " + actual);
        }
    }
}
