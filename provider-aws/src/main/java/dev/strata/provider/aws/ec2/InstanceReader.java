package dev.strata.provider.aws.ec2;

import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Tag;

/** Maps the SDK's {@code Instance} to an {@link Ec2Instance}. */
final class InstanceReader {

    private InstanceReader() {
    }

    static Ec2Instance instance(Instance instance, String region, String ownerId) {
        Map<String, String> tags = new LinkedHashMap<>();
        if (instance.hasTags()) {
            for (Tag tag : instance.tags()) {
                if (tag.key() != null && tag.value() != null) {
                    tags.put(tag.key(), tag.value());
                }
            }
        }
        String state = instance.state() == null || instance.state().nameAsString() == null ? "unknown" : instance.state().nameAsString();
        String reason = instance.stateReason() == null ? null : instance.stateReason().message();
        return new Ec2Instance(instance.instanceId(), region,
                instance.placement() == null ? null : instance.placement().availabilityZone(),
                instance.instanceTypeAsString(), state, reason, tags, instance.launchTime(),
                instance.privateIpAddress(), blankToNull(instance.privateDnsName()), ownerId);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
