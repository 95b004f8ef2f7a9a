package dev.strata.platform.api.provisioning;

import java.util.Map;
import java.util.Objects;

/**
 * What a provider needs to find a machine again. The core persists it with the deployment and
 * passes it back, possibly to a later version of the bundle.
 *
 * @param providerId the provider that made the machine
 * @param machineId the vendor's id (an EC2 instance id, a Nova server UUID, a BMC system path)
 * @param attributes whatever else the provider needs (region, zone, BMC address); never a credential
 */
public record MachineHandle(String providerId, String machineId, Map<String, String> attributes) {

    public MachineHandle {
        Objects.requireNonNull(providerId, "handle.providerId");
        Objects.requireNonNull(machineId, "handle.machineId");
        if (providerId.isBlank() || machineId.isBlank()) {
            throw new IllegalArgumentException("handle.providerId and handle.machineId must not be blank");
        }
        attributes = Map.copyOf(Objects.requireNonNull(attributes, "handle.attributes"));
    }

    public static MachineHandle of(String providerId, String machineId) {
        return new MachineHandle(providerId, machineId, Map.of());
    }
}
