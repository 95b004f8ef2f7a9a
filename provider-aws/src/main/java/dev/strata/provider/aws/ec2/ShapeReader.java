package dev.strata.provider.aws.ec2;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.ec2.model.GpuDeviceInfo;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.NetworkCardInfo;
import software.amazon.awssdk.services.ec2.model.NetworkInfo;
import software.amazon.awssdk.services.ec2.model.VCpuInfo;

/**
 * Maps the SDK's {@code InstanceTypeInfo} to a {@link Shape}; every absent field has a stated
 * fallback. A count or size that no instance type can have (negative, not a number, or beyond the
 * bounds below, far above EC2's largest types) is refused with an {@link IllegalArgumentException}
 * naming the type, the field, the value and the range: a machine is described with one object per
 * vCPU and per GPU, so a count of billions would exhaust the heap, and a bandwidth that is not a
 * number would break the fabric's id.
 */
public final class ShapeReader {

    /** The most vCPUs a type may have (EC2's largest has 1,920). */
    static final int MAX_VCPUS = 65_536;
    /** The most GPUs, network cards or EFA interfaces a type may have (EC2's largest have 16, 32 and 32). */
    static final int MAX_DEVICES = 1_024;
    /** The most memory a type, or one GPU, may have: 1 PiB (EC2's largest type has 32 TiB). */
    static final long MAX_MEMORY_MIB = 1L << 30;
    /** The most bandwidth of one network card, in Gbit/s. */
    static final double MAX_CARD_GBPS = 1_000_000;

    private ShapeReader() {
    }

    public static Shape shape(InstanceTypeInfo info) {
        String type = info.instanceTypeAsString();
        VCpuInfo cpu = info.vCpuInfo();
        int vcpus = cpu == null || cpu.defaultVCpus() == null ? 0 : (int) bounded(type, "VCpuInfo.DefaultVCpus", cpu.defaultVCpus(), MAX_VCPUS);
        int threads = cpu == null || cpu.defaultThreadsPerCore() == null ? 1
                : Math.max(1, (int) bounded(type, "VCpuInfo.DefaultThreadsPerCore", cpu.defaultThreadsPerCore(), MAX_DEVICES));
        int cores = cpu == null || cpu.defaultCores() == null ? vcpus / threads
                : (int) bounded(type, "VCpuInfo.DefaultCores", cpu.defaultCores(), MAX_VCPUS);

        List<Shape.Gpu> gpus = new ArrayList<>();
        long gpuCount = 0;
        if (info.gpuInfo() != null && info.gpuInfo().hasGpus()) {
            for (GpuDeviceInfo gpu : info.gpuInfo().gpus()) {
                long memory = gpu.memoryInfo() == null || gpu.memoryInfo().sizeInMiB() == null ? 0
                        : bounded(type, "GpuInfo.Gpus.MemoryInfo.SizeInMiB", gpu.memoryInfo().sizeInMiB(), MAX_MEMORY_MIB);
                int count = gpu.count() == null ? 0 : (int) bounded(type, "GpuInfo.Gpus.Count", gpu.count(), MAX_DEVICES);
                gpuCount += count;
                bounded(type, "GpuInfo.Gpus.Count (all GPUs together)", gpuCount, MAX_DEVICES);
                gpus.add(new Shape.Gpu(gpu.manufacturer(), gpu.name() == null ? "unknown" : gpu.name(), count, memory));
            }
        }

        NetworkInfo network = info.networkInfo();
        List<Shape.NetworkCard> cards = new ArrayList<>();
        boolean efa = false;
        int efaInterfaces = 0;
        String performance = null;
        if (network != null) {
            efa = Boolean.TRUE.equals(network.efaSupported());
            efaInterfaces = efa && network.efaInfo() != null && network.efaInfo().maximumEfaInterfaces() != null
                    ? (int) bounded(type, "NetworkInfo.EfaInfo.MaximumEfaInterfaces", network.efaInfo().maximumEfaInterfaces(), MAX_DEVICES) : 0;
            performance = network.networkPerformance();
            if (network.hasNetworkCards()) {
                bounded(type, "NetworkInfo.NetworkCards (how many)", network.networkCards().size(), MAX_DEVICES);
                for (NetworkCardInfo card : network.networkCards()) {
                    double baseline = card.baselineBandwidthInGbps() == null ? 0
                            : gbps(type, "NetworkInfo.NetworkCards.BaselineBandwidthInGbps", card.baselineBandwidthInGbps());
                    double peak = card.peakBandwidthInGbps() == null ? baseline
                            : gbps(type, "NetworkInfo.NetworkCards.PeakBandwidthInGbps", card.peakBandwidthInGbps());
                    int index = card.networkCardIndex() == null ? cards.size()
                            : (int) bounded(type, "NetworkInfo.NetworkCards.NetworkCardIndex", card.networkCardIndex(), MAX_DEVICES);
                    cards.add(new Shape.NetworkCard(index, baseline, peak));
                }
                cards.sort(Comparator.comparingInt(Shape.NetworkCard::index));
            }
        }

        Set<String> strategies = new LinkedHashSet<>();
        if (info.placementGroupInfo() != null && info.placementGroupInfo().hasSupportedStrategies()) {
            info.placementGroupInfo().supportedStrategiesAsStrings().forEach(strategies::add);
        }
        List<String> architectures = info.processorInfo() != null && info.processorInfo().hasSupportedArchitectures()
                ? info.processorInfo().supportedArchitecturesAsStrings() : List.of();
        double clock = info.processorInfo() == null || info.processorInfo().sustainedClockSpeedInGhz() == null
                ? 0 : info.processorInfo().sustainedClockSpeedInGhz();
        long memory = info.memoryInfo() == null || info.memoryInfo().sizeInMiB() == null ? 0
                : bounded(type, "MemoryInfo.SizeInMiB", info.memoryInfo().sizeInMiB(), MAX_MEMORY_MIB);
        long storage = info.instanceStorageInfo() == null || info.instanceStorageInfo().totalSizeInGB() == null
                ? 0 : bounded(type, "InstanceStorageInfo.TotalSizeInGB", info.instanceStorageInfo().totalSizeInGB(), Long.MAX_VALUE);
        return new Shape(info.instanceTypeAsString(), vcpus, cores, threads, memory, gpus,
                info.processorInfo() == null ? null : info.processorInfo().manufacturer(), architectures, clock,
                Boolean.TRUE.equals(info.bareMetal()), info.hypervisorAsString(), efa, efaInterfaces, cards, performance,
                strategies, storage);
    }

    /** {@code value} when it is from 0 to {@code max}; else refused, naming the type, the field, the value and the range. */
    private static long bounded(String type, String field, long value, long max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException("instance type " + type + " has " + field + " = " + value + "; expected 0 to " + max);
        }
        return value;
    }

    private static double gbps(String type, String field, double value) {
        if (!(value >= 0 && value <= MAX_CARD_GBPS)) {
            throw new IllegalArgumentException("instance type " + type + " has " + field + " = " + value + "; expected 0 to "
                    + (long) MAX_CARD_GBPS + " Gbit/s");
        }
        return value;
    }
}
