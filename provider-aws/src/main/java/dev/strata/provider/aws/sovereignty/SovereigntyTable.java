package dev.strata.provider.aws.sovereignty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.strata.platform.api.model.Site;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The sovereignty facts of AWS regions: the built-in table ({@code sovereignty.yaml}, every fact
 * with its sources) with an installation's overrides on top (same format; a region entry of the
 * overrides replaces the built-in one whole; sources and operators are added or replaced by key).
 */
public final class SovereigntyTable {

    /** The built-in table's resource. */
    public static final String RESOURCE = "/dev/strata/provider/aws/sovereignty.yaml";
    private static final Pattern JURISDICTION = Pattern.compile("[A-Z]{2,3}");

    private final Map<String, RegionFacts> regions;
    /** The regions the overrides name, in their order (none without overrides). */
    private final List<String> overridden;

    private SovereigntyTable(Map<String, RegionFacts> regions, List<String> overridden) {
        this.regions = Map.copyOf(regions);
        this.overridden = List.copyOf(overridden);
    }

    /** The built-in table alone. */
    public static SovereigntyTable builtIn() {
        return load(null);
    }

    /**
     * The built-in table with the overrides of a file.
     *
     * @param overrides a YAML file in the built-in format, or null
     * @throws IllegalArgumentException naming the file, the entry and what was expected when a document is malformed
     */
    public static SovereigntyTable load(Path overrides) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode base;
        try (InputStream in = SovereigntyTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            base = yaml.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
        }
        Map<String, JsonNode> sources = fields(base.path("sources"));
        Map<String, JsonNode> operators = fields(base.path("operators"));
        Map<String, JsonNode> regionNodes = fields(base.path("regions"));
        String origin = "built-in table";
        List<String> overridden = new ArrayList<>();
        if (overrides != null) {
            JsonNode extra;
            try {
                extra = yaml.readTree(Files.readString(overrides));
            } catch (IOException e) {
                throw new IllegalArgumentException(overrides + ": cannot be read as YAML: " + e.getMessage());
            }
            if (extra == null || !extra.isObject()) {
                throw new IllegalArgumentException(overrides + ": expected a YAML mapping with sources, operators and regions");
            }
            requireSections(overrides, extra);
            sources.putAll(fields(extra.path("sources")));
            operators.putAll(fields(extra.path("operators")));
            Map<String, JsonNode> extraRegions = fields(extra.path("regions"));
            overridden.addAll(extraRegions.keySet());
            regionNodes.putAll(extraRegions);
            origin = "built-in table with " + overrides;
        }
        Map<String, RegionFacts> regions = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : regionNodes.entrySet()) {
            regions.put(e.getKey(), facts(origin, e.getKey(), e.getValue(), operators, sources));
        }
        return new SovereigntyTable(regions, overridden);
    }

    /**
     * The top-level keys an override may have, and what each holds. A key not among them (a misspelt {@code region:}) or a
     * section that is no mapping (regions written as a YAML list) would be read as nothing: the built-in facts would stay in
     * force while the installation believes its own apply, so such a file is refused naming the key.
     */
    private static final Map<String, String> SECTIONS = Map.of("sources", "source keys to their title and url",
            "operators", "operator keys to their name, jurisdictions and sources", "regions", "region names to their facts");

    private static void requireSections(Path overrides, JsonNode extra) {
        for (Map.Entry<String, JsonNode> section : fields(extra).entrySet()) {
            String key = section.getKey();
            JsonNode value = section.getValue();
            if (!SECTIONS.containsKey(key)) {
                throw new IllegalArgumentException(overrides + ": '" + key + "' is not a section of the table; expected sources, "
                        + "operators and regions");
            }
            if (!value.isNull() && !value.isObject()) {
                throw new IllegalArgumentException(overrides + ": " + key + " is " + (value.isArray() ? "a list" : "a single value")
                        + "; expected a mapping of " + SECTIONS.get(key));
            }
        }
    }

    public Optional<RegionFacts> facts(String region) {
        return Optional.ofNullable(regions.get(region));
    }

    public Set<String> regions() {
        return regions.keySet();
    }

    /** The regions the overrides file names (a region of its own or one of the built-in table), in its order; none without one. */
    public List<String> overriddenRegions() {
        return overridden;
    }

    /** Whether the built-in table has facts for {@code region}. */
    public static boolean builtInHas(String region) {
        return BUILT_IN_REGIONS.contains(region);
    }

    private static final Set<String> BUILT_IN_REGIONS = Set.copyOf(load(null).regions());

    private static RegionFacts facts(String origin, String region, JsonNode node, Map<String, JsonNode> operators, Map<String, JsonNode> sources) {
        String path = origin + ": regions." + region;
        String country = node.path("country").asText("");
        if (!Site.isCountryCode(country)) {
            throw new IllegalArgumentException(path + ".country: '" + country + "' is not an ISO 3166-1 alpha-2 country code; expected an upper-case code such as DE");
        }
        Set<String> jurisdictions = codes(path + ".jurisdictions", node.path("jurisdictions"));
        String operatorKey = node.path("operator").asText("");
        JsonNode operator = operators.get(operatorKey);
        if (operator == null) {
            throw new IllegalArgumentException(path + ".operator: '" + operatorKey + "'; expected one of the operators " + operators.keySet());
        }
        String operatorName = operator.path("name").asText("");
        if (operatorName.isBlank()) {
            throw new IllegalArgumentException(origin + ": operators." + operatorKey + ".name: missing; expected the legal entity's name");
        }
        Set<String> operatorJurisdictions = new LinkedHashSet<>(codes(origin + ": operators." + operatorKey + ".jurisdictions",
                operator.path("jurisdictions")));
        if (operator.path("subjectToLocalLaw").asBoolean(false)) {
            operatorJurisdictions.addAll(jurisdictions);
        }
        List<String> cited = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        node.path("sources").forEach(s -> keys.add(s.asText()));
        operator.path("sources").forEach(s -> keys.add(s.asText()));
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(path + ".sources: missing; expected the keys of the sources the facts come from");
        }
        for (String key : new LinkedHashSet<>(keys)) {
            JsonNode source = sources.get(key);
            if (source == null || source.path("url").asText("").isBlank()) {
                throw new IllegalArgumentException(path + ".sources: '" + key + "'; expected one of the sources with a url " + sources.keySet());
            }
            cited.add(source.path("title").asText(key) + " <" + source.path("url").asText() + ">");
        }
        return new RegionFacts(region, node.path("location").asText(region), country, jurisdictions, operatorName,
                operatorJurisdictions, cited);
    }

    private static Set<String> codes(String path, JsonNode node) {
        if (!node.isArray() || node.isEmpty()) {
            throw new IllegalArgumentException(path + ": missing; expected a list of jurisdiction codes such as [EU, DE]");
        }
        Set<String> codes = new LinkedHashSet<>();
        for (JsonNode code : node) {
            String text = code.asText("");
            if (!JURISDICTION.matcher(text).matches()) {
                throw new IllegalArgumentException(path + ": '" + text + "'; expected a jurisdiction code such as EU, DE or US");
            }
            java.util.Optional<String> alpha2 = Site.countryOfAlpha3(text);
            if (text.length() == 2 && !text.equals("EU") && !Site.isCountryCode(text) || alpha2.isPresent()) {
                // contracts and the other providers name a country's law by its alpha-2 code: UK or USA would match none of them
                throw new IllegalArgumentException(path + ": '" + text + "'; expected a jurisdiction code such as EU, DE or US: a country's "
                        + "ISO 3166-1 alpha-2 code" + (alpha2.isPresent() ? ", " + alpha2.get() + " (" + text + " is its alpha-3 code)"
                        : text.equals("UK") ? ", GB for the United Kingdom" : " (" + text + " is no country's)"));
            }
            codes.add(text);
        }
        return codes;
    }

    private static Map<String, JsonNode> fields(JsonNode node) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            node.properties().forEach(e -> out.put(e.getKey(), e.getValue()));
        }
        return out;
    }
}
