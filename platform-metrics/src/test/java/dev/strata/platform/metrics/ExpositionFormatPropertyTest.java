package dev.strata.platform.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.inventory.ProviderStatus;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.DeviceLink;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.FabricType;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.placement.TenantUse;
import dev.strata.platform.api.provider.Capability;
import dev.strata.platform.api.telemetry.GpuSample;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever ids the providers, telemetry sources and tenants have, a scrape is a page Prometheus reads:
 * the page of generated inventories with awkward ids (quotes, backslashes, line breaks, braces,
 * non-ASCII text, unpaired surrogates, NaN and infinite samples) is read back with a parser of the
 * text format 0.0.4 written here from its specification, not with the library that wrote it.
 */
class ExpositionFormatPropertyTest {

    private static final Instant T = Instant.parse("2026-03-01T10:00:00Z");
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /**
     * Characters an id may hold here: those the format escapes, those that end a label list or a
     * line, non-ASCII text, and unpaired surrogates, which UTF-8 cannot hold. No {@code u}, so
     * that no id spells the text an unpaired surrogate is written as: two ids that differ are then
     * two series.
     */
    private static final char[] AWKWARD = {'a', 'Z', '0', '9', '-', '_', '.', ':', '/', ' ', '\\', '"', '\n', '\r', '\t', '{', '}', '=',
        ',', '#', '\u00e9', '\u20ac', '\u2028', (char) 0xD800, (char) 0xDBFF, (char) 0xDC00, (char) 0xDFFF, '\0'};

    @Provide
    Arbitrary<List<String>> ids() {
        Arbitrary<String> id = Arbitraries.oneOf(Arbitraries.strings().withChars(AWKWARD).ofMinLength(1).ofMaxLength(6),
                // a character whole beside an unpaired half of one
                Arbitraries.of("GPU-\uD83D\uDE00", "GPU-" + (char) 0xD83D, "GPU-" + (char) 0xDE00, "GPU-?"))
                .filter(s -> !s.isBlank());
        return id.list().ofMinSize(1).ofMaxSize(12);
    }

    @Property(tries = 300)
    void everyScrapeIsAValidPageWithOneSeriesPerId(@ForAll("ids") List<String> ids, @ForAll long seed) throws Exception {
        Random random = new Random(seed);
        Scenario scenario = scenario(ids, random);
        MetricSources sources = new MetricSources();
        try {
            sources.add(new InventoryMetrics(InventoryMetricsTest.inventory(scenario.snapshot),
                    InventoryMetricsTest.registry(scenario.providers)));
            sources.add(new TelemetryMetrics(TelemetryMetricsTest.telemetry(scenario.samples),
                    InventoryMetricsTest.inventory(scenario.snapshot)));
            sources.add(new LedgerMetrics(LedgerAndCommitmentMetricsTest.ledger(List.of(), scenario.tenants),
                    InventoryMetricsTest.inventory(scenario.snapshot)));
            byte[] body = Exposition.render(sources.collect(), null).body();
            Page page = Page.parse(body);

            assertThat(page.single("strata_metrics_collector_errors")).isEqualTo(0.0);
            assertThat(page.single("strata_metrics_render_errors")).isEqualTo(0.0);
            // every node counted once, whatever its provider's id
            assertThat(page.sum("strata_nodes")).isEqualTo(scenario.snapshot.nodes().size());
            // one series per GPU, whatever its id
            Set<String> gpus = new LinkedHashSet<>();
            scenario.samples.forEach(s -> gpus.add(s.acceleratorId()));
            assertThat(page.series("strata_gpu_sample_timestamp_seconds")).hasSize(gpus.size());
            Set<String> written = new HashSet<>();
            page.series("strata_gpu_sample_timestamp_seconds").keySet().forEach(labels -> written.add(labels.get("accelerator")));
            for (String gpu : gpus) {
                if (unicode(gpu)) {
                    assertThat(written).as("GPU %s", gpu).contains(gpu);
                }
            }
            Set<String> providers = new HashSet<>();
            scenario.providers.forEach(p -> providers.add(p.id()));
            assertThat(page.series("strata_provider_resources")).hasSize(providers.size());
            // one series per tenant, whatever its name, and each quota for a tenant that has one
            Set<String> tenants = new HashSet<>();
            scenario.tenants.forEach(t -> tenants.add(t.tenant()));
            assertThat(page.series("strata_tenant_gpus")).hasSize(tenants.size());
            assertThat(page.series("strata_tenant_gpu_quota")).hasSize((int) scenario.tenants.stream().filter(t -> t.gpuQuotaMilli() >= 0)
                    .map(TenantUse::tenant).distinct().count());
            // OpenMetrics, when asked for: the same series, and one # EOF, at the end
            String open = new String(Exposition.render(sources.collect(), "application/openmetrics-text;version=1.0.0").body(),
                    StandardCharsets.UTF_8);
            assertThat(open).endsWith("\n# EOF\n");
            Page openPage = Page.parse(open.substring(0, open.length() - "# EOF\n".length()).getBytes(StandardCharsets.UTF_8));
            assertThat(openPage.families).isEqualTo(page.families);
        } finally {
            sources.close();
        }
    }

    /** Whether the text has no unpaired surrogate, and so is written as it is. */
    private static boolean unicode(String s) {
        return StandardCharsets.UTF_8.newEncoder().canEncode(s);
    }

    private record Scenario(InventorySnapshot snapshot, List<ProviderStatus> providers, List<GpuSample> samples, List<TenantUse> tenants) {
    }

    private static Scenario scenario(List<String> ids, Random random) {
        List<Node> nodes = new ArrayList<>();
        List<Accelerator> unattached = new ArrayList<>();
        List<Fabric> fabrics = new ArrayList<>();
        List<PowerDomain> domains = new ArrayList<>();
        List<ProviderStatus> providers = new ArrayList<>();
        List<GpuSample> samples = new ArrayList<>();
        Map<String, TenantUse> tenants = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            String other = ids.get(random.nextInt(ids.size()));
            switch (random.nextInt(5)) {
                case 0 -> domains.add(new PowerDomain(id, random.nextBoolean() ? other : null, "lab", random.nextBoolean() ? other : null,
                        random.nextInt(3) * 1000L));
                case 1 -> fabrics.add(Fabric.builder().id(id).type(FabricType.values()[random.nextInt(FabricType.values().length)])
                        .members(Set.of(other)).build());
                default -> {
                }
            }
            Accelerator gpu = Accelerator.builder().id(id).vendor("nvidia").model(other)
                    .health(new Health(Health.Status.values()[random.nextInt(Health.Status.values().length)], List.of()))
                    .links(List.of(new DeviceLink(0, "0000:02:00.0", other, 50, random.nextBoolean()))).build();
            if (random.nextInt(4) == 0) {
                unattached.add(gpu);
            } else {
                nodes.add(Node.builder().id(id).providerId(other).siteId("lab").kind(dev.strata.platform.api.model.NodeKind.BARE_METAL)
                        .state(ResourceState.values()[random.nextInt(ResourceState.values().length)])
                        .powerDomainId(random.nextBoolean() ? other : null)
                        .power(new dev.strata.platform.api.model.PowerDraw(100, 1000)).accelerators(List.of(gpu)).build());
            }
            if (random.nextInt(3) > 0) {
                double[] odd = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1, 0, 1e300, 4.9e-324, 55.5};
                samples.add(GpuSample.builder().acceleratorId(id).at(T).gpuUtilisationPercent(odd[random.nextInt(odd.length)])
                        .powerWatts(odd[random.nextInt(odd.length)]).temperatureCelsius(odd[random.nextInt(odd.length)])
                        .throttleReasons(random.nextBoolean() ? Set.of(other) : Set.of()).build());
            }
            if (random.nextInt(3) == 0) {
                // one use per tenant, as placement answers
                tenants.putIfAbsent(id, new TenantUse(id, 1, random.nextInt(4000), 1500, 1L << 30, random.nextBoolean() ? 8000 : -1, -1, -1));
            }
            if (random.nextInt(3) == 0) {
                providers.add(new ProviderStatus(id, "vendor", "1.0", "bundle", Set.of(Capability.COMPUTE),
                        ProviderState.values()[random.nextInt(ProviderState.values().length)], T, T, Duration.ofMillis(random.nextInt(5000)), 1,
                        random.nextInt(10), null, 0, List.of(), null));
            }
        }
        InventorySnapshot snapshot = new InventorySnapshot(random.nextInt(100), T, List.of(), nodes, fabrics, List.of(), domains, List.of(),
                unattached);
        return new Scenario(snapshot, providers, samples, List.copyOf(tenants.values()));
    }

    /** A page of the Prometheus text format 0.0.4, read and checked line by line. */
    static final class Page {

        /** Series of each family: value by labels. */
        private final Map<String, Map<Map<String, String>, Double>> families = new HashMap<>();
        private final Map<String, String> types = new HashMap<>();
        private final Set<String> helps = new HashSet<>();
        private final Map<String, Set<String>> labelNames = new HashMap<>();
        private final Set<String> ended = new HashSet<>();
        private String current;

        static Page parse(byte[] body) throws CharacterCodingException {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
            assertThat(text).as("the page").endsWith("\n");
            Page page = new Page();
            String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
            for (String line : lines) {
                try {
                    page.line(line);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("line " + printable(line) + ": " + e.getMessage() + "\npage:\n" + printable(text), e);
                }
            }
            return page;
        }

        private static String printable(String s) {
            StringBuilder out = new StringBuilder();
            s.chars().forEach(c -> out.append(c == '\n' ? "\n" : c < 0x20 || c > 0x7e ? String.format("<%04X>", c) : String.valueOf((char) c)));
            return out.toString();
        }

        private void line(String line) {
            assertThat(line).as("no empty line").isNotEmpty();
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String rest = line.substring(7);
                int space = rest.indexOf(' ');
                assertThat(space).as("a name and a text").isPositive();
                String name = rest.substring(0, space);
                assertThat(name).matches(METRIC_NAME);
                family(name);
                if (line.startsWith("# HELP ")) {
                    assertThat(helps.add(name)).as("one HELP for " + name).isTrue();
                    unescape(rest.substring(space + 1));
                } else {
                    assertThat(types.put(name, rest.substring(space + 1))).as("one TYPE for " + name).isNull();
                    assertThat(TYPES).contains(rest.substring(space + 1));
                    assertThat(families.get(name)).as("TYPE before the samples of " + name).isNullOrEmpty();
                }
                return;
            }
            assertThat(line).as("a sample, HELP or TYPE").doesNotStartWith("#");
            int i = 0;
            while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
                i++;
            }
            String name = line.substring(0, i);
            assertThat(name).matches(METRIC_NAME);
            assertThat(types.get(name)).as("the TYPE of " + name).isEqualTo("gauge");
            family(name);
            Map<String, String> labels = new TreeMap<>();
            if (i < line.length() && line.charAt(i) == '{') {
                i++;
                while (line.charAt(i) != '}') {
                    int eq = line.indexOf('=', i);
                    String label = line.substring(i, eq);
                    assertThat(label).matches(LABEL_NAME).doesNotStartWith("__");
                    assertThat(line.charAt(eq + 1)).as("a quoted value").isEqualTo('"');
                    StringBuilder value = new StringBuilder();
                    int j = eq + 2;
                    for (; line.charAt(j) != '"'; j++) {
                        char c = line.charAt(j);
                        if (c == '\\') {
                            char e = line.charAt(++j);
                            assertThat(e).as("an escape in a label value").isIn('\\', '"', 'n');
                            value.append(e == 'n' ? '\n' : e);
                        } else {
                            value.append(c);
                        }
                    }
                    assertThat(labels.put(label, value.toString())).as("label " + label + " once").isNull();
                    i = j + 1;
                    if (line.charAt(i) == ',') {
                        i++;
                    } else {
                        assertThat(line.charAt(i)).isEqualTo('}');
                    }
                }
                i++;
            }
            assertThat(line.charAt(i)).as("a space before the value").isEqualTo(' ');
            String[] valueAndTime = line.substring(i + 1).split(" ", -1);
            assertThat(valueAndTime.length).as("a value and at most a timestamp").isBetween(1, 2);
            double value = number(valueAndTime[0]);
            Set<String> names = labelNames.computeIfAbsent(name, n -> new HashSet<>(labels.keySet()));
            assertThat(labels.keySet()).as("the labels of every series of " + name).isEqualTo(names);
            assertThat(families.computeIfAbsent(name, n -> new HashMap<>()).put(labels, value)).as("one series " + name + labels).isNull();
        }

        /** The lines of one family are together, and a family is not written twice. */
        private void family(String name) {
            if (!name.equals(current)) {
                assertThat(ended).as("the lines of " + name + " together").doesNotContain(name);
                if (current != null) {
                    ended.add(current);
                }
                current = name;
            }
        }

        private static double number(String s) {
            return switch (s) {
                case "NaN" -> Double.NaN;
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> {
                    assertThat(s).as("a number").matches(NUMBER);
                    yield Double.parseDouble(s);
                }
            };
        }

        /** HELP text: only a backslash and a line break are escaped. */
        private static String unescape(String s) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\\') {
                    char e = s.charAt(++i);
                    assertThat(e).as("an escape in HELP").isIn('\\', 'n');
                    out.append(e == 'n' ? '\n' : e);
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }

        Map<Map<String, String>, Double> series(String name) {
            return families.getOrDefault(name, Map.of());
        }

        double single(String name) {
            assertThat(series(name)).as(name).hasSize(1);
            return series(name).values().iterator().next();
        }

        double sum(String name) {
            return series(name).values().stream().mapToDouble(Double::doubleValue).sum();
        }
    }
}
