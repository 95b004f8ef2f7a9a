package dev.strata.provider.aws;

import static org.junit.jupiter.api.Assumptions.abort;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;

/**
 * The real EC2 catalogue in {@code ../shared/fixtures/aws} (DescribeInstanceTypes of 1,373 types
 * and the offerings per region and zone), read in place: as raw JSON (the oracle tests compute
 * their expectations from) and as the SDK's own model objects, built by the SDK's builders from
 * the same JSON (what the provider's mappers receive from the API).
 */
final class FixtureCatalogue {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper SDK = JsonMapper.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private FixtureCatalogue() {
    }

    static Path folder() {
        Path root = Path.of(System.getProperty("strata.fixtures", "../../shared/fixtures"));
        Path aws = root.resolve("aws");
        if (!Files.isRegularFile(aws.resolve("instance_types.json"))) {
            String message = "fixture folder " + aws.toAbsolutePath() + " is missing (set -Dstrata.fixtures)";
            // missing data skips, in CI too (.ci/run says so); only a missing test peer fails there
            abort(message);
        }
        return aws;
    }

    /** Every instance type as raw JSON, by name. */
    static Map<String, JsonNode> rawTypes() {
        try {
            JsonNode all = JSON.readTree(folder().resolve("instance_types.json").toFile());
            Map<String, JsonNode> out = new LinkedHashMap<>();
            all.properties().forEach(e -> out.put(e.getKey(), e.getValue()));
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SDK's model of one type, built by its builder from the JSON. */
    static InstanceTypeInfo sdk(JsonNode raw) {
        try {
            InstanceTypeInfo.Builder builder = SDK.treeToValue(raw, InstanceTypeInfo.serializableBuilderClass());
            return builder.build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** (type, zone) offerings of a region's zones, from {@code instance_type_offerings/availability-zone/REGION.json}. */
    static List<Map.Entry<String, String>> zoneOfferings(String region) {
        try {
            JsonNode list = JSON.readTree(folder().resolve("instance_type_offerings/availability-zone/" + region + ".json").toFile());
            List<Map.Entry<String, String>> out = new ArrayList<>();
            list.forEach(o -> out.add(Map.entry(o.path("InstanceType").asText(), o.path("Location").asText())));
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The regions that have per-zone offering files. */
    static List<String> zoneRegions() {
        try (var files = Files.list(folder().resolve("instance_type_offerings/availability-zone"))) {
            return files.map(p -> p.getFileName().toString().replace(".json", "")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The regions that have region offering files. */
    static List<String> regions() {
        try (var files = Files.list(folder().resolve("instance_type_offerings/region"))) {
            return files.map(p -> p.getFileName().toString().replace(".json", "")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
