package dev.strata.provider.aws.ec2;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * An EC2 instance as Strata uses it, free of SDK types.
 *
 * @param instanceId e.g. {@code i-0abc}
 * @param region the region it was read in
 * @param zone its availability zone, or null
 * @param instanceType e.g. {@code p5.48xlarge}
 * @param state the EC2 state name ({@code pending}, {@code running}, {@code shutting-down},
 *     {@code terminated}, {@code stopping}, {@code stopped}) or what the API sent
 * @param stateReason EC2's reason for the state, or null
 * @param tags its tags
 * @param launchTime when it was launched, or null
 * @param privateIp its private address, or null
 * @param privateDnsName its private DNS name, or null
 * @param ownerId the account that owns it, or null
 */
public record Ec2Instance(
        String instanceId,
        String region,
        String zone,
        String instanceType,
        String state,
        String stateReason,
        Map<String, String> tags,
        Instant launchTime,
        String privateIp,
        String privateDnsName,
        String ownerId) {

    public Ec2Instance {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(state, "state");
        tags = Map.copyOf(tags);
    }

    /** Whether it still exists (anything but {@code terminated}). */
    public boolean exists() {
        return !"terminated".equals(state);
    }

    /** Whether it counts against a quota ({@code pending} or {@code running}). */
    public boolean active() {
        return "pending".equals(state) || "running".equals(state);
    }
}
