package dev.strata.platform.api.contract;

import java.util.Map;
import java.util.Objects;

/**
 * One member of a gang: a process that needs one node's resources.
 *
 * @param name unique within the contract
 * @param cpuMilli CPU in thousandths of a core
 * @param memoryBytes memory
 * @param gpus the GPUs it needs
 * @param topology where its devices must sit
 * @param powerCeilingWatts the most power the member may draw, reserved in its node's power domain; 0 for no ceiling
 * @param provisioning provisioning parameters of this member ({@code image}, {@code bootDevice},
 *     {@code virtualMedia}, ...), on top of the contract's {@link DeploymentTerms#parameters()};
 *     never a credential
 */
public record Member(String name, long cpuMilli, long memoryBytes, GpuRequest gpus, TopologyRequest topology, double powerCeilingWatts,
        Map<String, String> provisioning) {

    /** A member without provisioning parameters of its own. */
    public Member(String name, long cpuMilli, long memoryBytes, GpuRequest gpus, TopologyRequest topology, double powerCeilingWatts) {
        this(name, cpuMilli, memoryBytes, gpus, topology, powerCeilingWatts, Map.of());
    }

    public Member {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("member name must not be blank");
        }
        if (cpuMilli < 0 || memoryBytes < 0 || powerCeilingWatts < 0) {
            throw new IllegalArgumentException("member " + name + ": cpu, memory and power must not be negative");
        }
        Objects.requireNonNull(gpus, "gpus");
        Objects.requireNonNull(topology, "topology");
        provisioning = Map.copyOf(Objects.requireNonNull(provisioning, "provisioning"));
    }
}
