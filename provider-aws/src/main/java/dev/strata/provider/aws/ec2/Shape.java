package dev.strata.provider.aws.ec2;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An EC2 instance type as Strata uses it, free of SDK types.
 *
 * @param instanceType e.g. {@code p5.48xlarge}
 * @param vcpus default vCPUs
 * @param cores default physical cores
 * @param threadsPerCore default threads per core
 * @param memoryMiB memory
 * @param gpus the GPU devices (model, count, memory each); empty when none
 * @param cpuManufacturer e.g. {@code AMD}, or null
 * @param architectures e.g. {@code x86_64}
 * @param sustainedClockGhz 0 when unknown
 * @param bareMetal whether instances are whole machines
 * @param hypervisor e.g. {@code nitro}, or null (bare metal)
 * @param efaSupported whether EFA interfaces can be attached
 * @param maxEfaInterfaces how many, 0 when none
 * @param networkCards the network cards, in index order
 * @param networkPerformance the API's text, e.g. {@code 3200 Gigabit}
 * @param placementStrategies placement group strategies the type supports
 * @param localStorageGb instance store, 0 when none
 */
public record Shape(
        String instanceType,
        int vcpus,
        int cores,
        int threadsPerCore,
        long memoryMiB,
        List<Gpu> gpus,
        String cpuManufacturer,
        List<String> architectures,
        double sustainedClockGhz,
        boolean bareMetal,
        String hypervisor,
        boolean efaSupported,
        int maxEfaInterfaces,
        List<NetworkCard> networkCards,
        String networkPerformance,
        Set<String> placementStrategies,
        long localStorageGb) {

    /** One kind of GPU of a type: {@code count} devices of {@code manufacturer name}, {@code memoryMiB} each. */
    public record Gpu(String manufacturer, String name, int count, long memoryMiB) {
        public Gpu {
            Objects.requireNonNull(name, "gpu.name");
        }

        /** e.g. {@code NVIDIA H100}. */
        public String model() {
            return manufacturer == null || manufacturer.isBlank() ? name : manufacturer + " " + name;
        }
    }

    /** A network card with its baseline and peak bandwidth in Gbit/s. */
    public record NetworkCard(int index, double baselineGbps, double peakGbps) {
    }

    public Shape {
        Objects.requireNonNull(instanceType, "instanceType");
        gpus = List.copyOf(gpus);
        architectures = List.copyOf(architectures);
        networkCards = List.copyOf(networkCards);
        placementStrategies = Set.copyOf(placementStrategies);
    }

    public int gpuCount() {
        return gpus.stream().mapToInt(Gpu::count).sum();
    }

    /** The sum of the cards' baseline bandwidth: what the instance can sustain. */
    public double baselineBandwidthGbps() {
        return networkCards.stream().mapToDouble(NetworkCard::baselineGbps).sum();
    }

    public double peakBandwidthGbps() {
        return networkCards.stream().mapToDouble(NetworkCard::peakGbps).sum();
    }
}
