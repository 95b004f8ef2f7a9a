package dev.strata.provider.aws;

import dev.strata.provider.aws.ec2.Shape;
import dev.strata.provider.aws.ec2.Zone;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a region offers, read from the API and reused for a while: its zones, every instance
 * type (launched instances of any type are described from it), and the zones each offered GPU
 * type is available in.
 *
 * @param region the region
 * @param zones its availability zones
 * @param shapes every instance type by name
 * @param offered the offered GPU types (GPUs, matching the configured patterns) and their zones
 * @param readAt when it was read
 */
record Catalogue(String region, List<Zone> zones, Map<String, Shape> shapes, Map<String, List<String>> offered, Instant readAt) {
    Catalogue {
        zones = List.copyOf(zones);
        shapes = Map.copyOf(shapes);
        offered = Map.copyOf(offered);
    }
}
