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

/** Maps the SDK's {@code InstanceTypeInfo} to a {@link Shape}; every absent field has a stated fallback. */
public final class ShapeReader {

    private ShapeReader() {
    }

    public static Shape shape(InstanceTypeInfo info) {
        VCpuInfo cpu = info.vCpuInfo();
        int vcpus = cpu == null || cpu.defaultVCpus() == null ? 0 : cpu.defaultVCpus();
        int threads = cpu == null || cpu.defaultThreadsPerCore() == null ? 1 : Math.max(1, cpu.defaultThreadsPerCore());
        int cores = cpu == null || cpu.defaultCores() == null ? vcpus / threads : cpu.defaultCores();

        List<Shape.Gpu> gpus = new ArrayList<>();
        if (info.gpuInfo() != null && info.gpuInfo().hasGpus()) {
            for (GpuDeviceInfo gpu : info.gpuInfo().gpus()) {
                long memory = gpu.memoryInfo() == null || gpu.memoryInfo().sizeInMiB() == null ? 0 : gpu.memoryInfo().sizeInMiB();
                gpus.add(new Shape.Gpu(gpu.manufacturer(), gpu.name() == null ? "unknown" : gpu.name(),
                        gpu.count() == null ? 0 : gpu.count(), memory));
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
                    ? network.efaInfo().maximumEfaInterfaces() : 0;
            performance = network.networkPerformance();
            if (network.hasNetworkCards()) {
                for (NetworkCardInfo card : network.networkCards()) {
                    double baseline = card.baselineBandwidthInGbps() == null ? 0 : card.baselineBandwidthInGbps();
                    double peak = card.peakBandwidthInGbps() == null ? baseline : card.peakBandwidthInGbps();
                    cards.add(new Shape.NetworkCard(card.networkCardIndex() == null ? cards.size() : card.networkCardIndex(), baseline, peak));
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
        long memory = info.memoryInfo() == null || info.memoryInfo().sizeInMiB() == null ? 0 : info.memoryInfo().sizeInMiB();
        long storage = info.instanceStorageInfo() == null || info.instanceStorageInfo().totalSizeInGB() == null
                ? 0 : info.instanceStorageInfo().totalSizeInGB();
        return new Shape(info.instanceTypeAsString(), vcpus, cores, threads, memory, gpus,
                info.processorInfo() == null ? null : info.processorInfo().manufacturer(), architectures, clock,
                Boolean.TRUE.equals(info.bareMetal()), info.hypervisorAsString(), efa, efaInterfaces, cards, performance,
                strategies, storage);
    }
}
