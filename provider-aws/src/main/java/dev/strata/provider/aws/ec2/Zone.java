package dev.strata.provider.aws.ec2;

import java.util.Objects;

/**
 * An availability zone.
 *
 * @param name e.g. {@code eu-central-1a}
 * @param zoneId the account-independent id, e.g. {@code euc1-az2}, or null
 * @param region its region
 */
public record Zone(String name, String zoneId, String region) {
    public Zone {
        Objects.requireNonNull(name, "zone.name");
        Objects.requireNonNull(region, "zone.region");
    }
}
