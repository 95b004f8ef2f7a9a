package dev.strata.provider.nvidia;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the NVIDIA provider ({@code etc/dev.strata.provider.nvidia.cfg}). Durations are
 * a whole number with a unit: {@code ms}, {@code s}, {@code m} or {@code h}; a bare number is seconds.
 */
@ObjectClassDefinition(name = "Strata NVIDIA provider",
        description = "Discovers NVIDIA GPUs through NVML (or nvidia-smi) and samples their telemetry.")
public @interface NvidiaConfig {

    @AttributeDefinition(description = "Path of libnvidia-ml.so.1; empty to let the loader find it "
            + "(also tried: /usr/local/nvidia/lib64 and /lib/x86_64-linux-gnu).")
    String nvmlLibrary() default "";

    @AttributeDefinition(description = "nvidia-smi binary used when NVML cannot be loaded: a path, or a name looked up on PATH.")
    String nvidiaSmi() default "nvidia-smi";

    @AttributeDefinition(description = "Interval between telemetry samples, e.g. 5s. At least 100ms.")
    String telemetryInterval() default "5s";

    @AttributeDefinition(description = "Telemetry samples kept per GPU, in memory. From 1 to 100000.")
    int telemetryHistory() default 120;

    @AttributeDefinition(description = "The most one nvidia-smi command may take before it is killed, e.g. 10s. At least 100ms.")
    String commandTimeout() default "10s";
}
