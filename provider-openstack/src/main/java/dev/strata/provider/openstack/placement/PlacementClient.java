package dev.strata.provider.openstack.placement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.openstack.auth.Session;
import dev.strata.provider.openstack.http.ApiRequest;
import dev.strata.provider.openstack.http.ApiResponse;
import dev.strata.provider.openstack.http.Microversion;
import dev.strata.provider.openstack.http.OpenStackErrors;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Placement API: resource providers as they are (read), and the few writes that tests and
 * benchmarks use to build a cloud's worth of providers. The microversion is negotiated once from
 * the service's version document: the highest the service offers up to {@link #WANTED}; at least
 * {@link #REQUIRED} (nested providers in allocation candidates).
 */
public final class PlacementClient {

    private static final Logger LOG = LoggerFactory.getLogger(PlacementClient.class);
    public static final String SERVICE = "Placement";
    /** The newest microversion Strata knows (Zed). */
    public static final Microversion WANTED = Microversion.of(1, 39);
    /** Nested resource providers in allocation candidates, forbidden traits, aggregates with generations. */
    public static final Microversion REQUIRED = Microversion.of(1, 29);
    private static final int READ_ATTEMPTS = 3;
    private static final java.util.regex.Pattern UUID = java.util.regex.Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32}");

    private final Session session;
    private final ObjectMapper json;
    private volatile Microversion version;
    /**
     * Providers as last read, by UUID. Placement raises a provider's generation on every change
     * to it (inventories, traits, aggregates, and the allocations against it), so a provider
     * listed at the generation it was read at is unchanged and is not read again. A cache only:
     * it starts empty in every instance and holds nothing the platform needs.
     */
    private final Map<String, ResourceProvider> lastRead = new java.util.concurrent.ConcurrentHashMap<>();

    public PlacementClient(Session session, ObjectMapper json) {
        this.session = session;
        this.json = json;
    }

    /** The microversion in use, negotiating it on first use. */
    public Microversion version(DiscoveryContext context) {
        Microversion v = version;
        if (v == null) {
            v = negotiate(context);
            version = v;
        }
        return v;
    }

    private Microversion negotiate(DiscoveryContext context) {
        URI root = base(context, "/");
        ApiResponse r = session.send(ApiRequest.get(SERVICE, root), context);
        Microversion max = null;
        Microversion min = null;
        for (JsonNode v : r.body().path("versions")) {
            if (v.hasNonNull("max_version")) {
                Microversion.Offered offered = Microversion.offered(ApiRequest.get(SERVICE, root), v.path("min_version").asText("1.0"),
                        v.get("max_version").asText());
                max = offered.max();
                min = offered.min();
            }
        }
        if (max == null) {
            throw OpenStackErrors.forMalformed(ApiRequest.get(SERVICE, root), "a version document without max_version");
        }
        Microversion chosen = Microversion.min(max, WANTED);
        if (!chosen.atLeast(REQUIRED) || chosen.compareTo(min) < 0) {
            throw new ProviderFailureException("Placement at " + OpenStackErrors.shown(root) + " offers microversions " + min + " to " + max
                    + "; Strata needs at least " + REQUIRED + " (nested resource providers)");
        }
        LOG.debug("Placement at {} offers {} to {}; using {}", OpenStackErrors.shown(root), min, max, chosen);
        return chosen;
    }

    private URI base(DiscoveryContext context, String path) {
        String b = session.endpoint("placement", context).toString();
        while (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        return URI.create(b + path);
    }

    private ApiResponse call(String method, String path, JsonNode body, DiscoveryContext context, Integer... accepted) {
        // Every POST here names what it makes (a provider by UUID): a repetition is refused, never doubled.
        ApiRequest request = ApiRequest.of(SERVICE, method, base(context, path), body)
                .withHeader("OpenStack-API-Version", "placement " + version(context))
                .accepting(accepted).asIdempotent();
        return session.send(request, context);
    }

    /** Every resource provider with its tree position and generation (not yet its inventories). */
    public List<ResourceProvider> listProviders(DiscoveryContext context) {
        ApiResponse r = call("GET", "/resource_providers", null, context);
        List<ResourceProvider> all = new ArrayList<>();
        for (JsonNode p : r.body().path("resource_providers")) {
            all.add(listed(p, context, "/resource_providers"));
        }
        return all;
    }

    /**
     * A resource provider as Placement lists it: its {@code uuid} a UUID ({@link #isUuid}) and its
     * {@code generation} a whole number, else Placement's malformed answer, named with the field.
     * Before, a provider listed without its generation was taken to be at generation 0, so one last
     * read at 0 could be taken for unchanged and its new inventories, usages and allocations left
     * unread; one listed without its uuid was read at {@code /resource_providers//inventories}, a 404
     * that named neither the provider nor what was wrong; one whose uuid held a space, a control
     * character or a brace went into the URL of its reads as it was, which failed as a bare
     * IllegalArgumentException showing Placement's text raw.
     */
    private ResourceProvider listed(JsonNode p, DiscoveryContext context, String path) {
        JsonNode uuid = p.get("uuid");
        JsonNode generation = p.get("generation");
        String problem = null;
        if (uuid == null || !uuid.isTextual() || !isUuid(uuid.asText())) {
            problem = "uuid is " + shown(uuid) + "; expected the provider's UUID";
        } else if (generation == null || !generation.isIntegralNumber() || !generation.canConvertToLong()) {
            problem = "generation is " + shown(generation) + "; expected the provider's generation, a whole number";
        } else if (!nullOrUuid(p.get("parent_provider_uuid"))) {
            problem = "parent_provider_uuid is " + shown(p.get("parent_provider_uuid")) + "; expected the parent provider's UUID, or null "
                    + "for a root";
        } else if (!nullOrUuid(p.get("root_provider_uuid"))) {
            problem = "root_provider_uuid is " + shown(p.get("root_provider_uuid")) + "; expected the root provider's UUID";
        } else if (!p.path("name").isTextual()) {
            // read with asText(), an object was the name "" and a number its digits, in the inventory and the log
            problem = "name is " + shown(p.get("name")) + "; expected the provider's name, a text";
        }
        if (problem != null) {
            String name = p.path("name").isTextual() ? dev.strata.platform.api.exception.InvalidConfigurationException.printable(p.get("name").asText())
                    : "without a name";
            String id = uuid != null && uuid.isTextual() && isUuid(uuid.asText()) ? " (" + uuid.asText() + ")" : "";
            throw OpenStackErrors.forMalformed(ApiRequest.get(SERVICE, base(context, path)), "resource provider " + name + id + " whose "
                    + problem);
        }
        return new ResourceProvider(uuid.asText(), p.path("name").asText(), generation.asLong(), text(p, "parent_provider_uuid"),
                text(p, "root_provider_uuid"), Map.of(), Map.of(), Set.of(), Set.of());
    }

    /**
     * A provider's traits or aggregates as Placement lists them: a JSON array (absent, none), else
     * Placement's malformed answer naming {@code what}. Read as they came, a number was taken as its
     * digits and an object as an empty trait, and an object in place of the array gave its values.
     */
    private static Iterable<JsonNode> listOf(ApiRequest read, String what, JsonNode list, String expected) {
        if (list.isMissingNode()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw OpenStackErrors.forMalformed(read, what + " given as " + shown(list) + "; expected a list of " + expected);
        }
        return list;
    }

    /**
     * Whether a provider's reference to another (its parent, its root) is absent or a UUID
     * ({@link #isUuid}): a parent that is not one matched no provider, so the provider was quietly
     * left out of its tree, and a root went into the URL of a tree's read.
     */
    private static boolean nullOrUuid(JsonNode v) {
        return v == null || v.isNull() || v.isTextual() && isUuid(v.asText());
    }

    /**
     * Whether a resource provider's id is a UUID, 32 hex digits with or without the dashes of its
     * 8-4-4-4-12 groups, as Placement takes it: only such an id goes into the path or the query of a
     * read, unencoded.
     */
    static boolean isUuid(String text) {
        return UUID.matcher(text).matches();
    }

    /**
     * A value Placement gave, for a message: {@code missing}, or its JSON, printable and cut at 100
     * characters. JSON escapes a control character in a text, not a direction override (U+202E) or a
     * line separator, so every value shown goes through here.
     */
    private static String shown(JsonNode v) {
        if (v == null) {
            return "missing";
        }
        String text = v.toString();
        return dev.strata.platform.api.exception.InvalidConfigurationException.printable(text.length() > 100 ? text.substring(0, 100) + "..." : text);
    }

    /**
     * Every resource provider with its inventories, usages, traits, aggregates and allocations, each provider
     * read at one generation (read again, up to three times, when it changes in between).
     *
     * @param pool runs the per-provider reads in parallel; null reads them one by one
     */
    public List<ResourceProvider> readAll(DiscoveryContext context, ExecutorService pool) {
        version(context);
        List<ResourceProvider> listed = listProviders(context);
        Set<String> present = new HashSet<>();
        listed.forEach(p -> present.add(p.uuid()));
        lastRead.keySet().retainAll(present);
        List<ResourceProvider> read = new ArrayList<>(listed.size());
        if (pool == null || listed.size() < 2) {
            for (ResourceProvider p : listed) {
                context.checkDeadline("reading resource provider " + InvalidConfigurationException.printable(p.name()));
                read.add(readIfChanged(p, context));
            }
            return read;
        }
        List<Future<ResourceProvider>> futures = new ArrayList<>();
        try {
            for (ResourceProvider p : listed) {
                ResourceProvider unchanged = unchanged(p);
                futures.add(unchanged != null ? java.util.concurrent.CompletableFuture.completedFuture(unchanged)
                        : pool.submit(() -> readIfChanged(p, context)));
            }
            for (Future<ResourceProvider> f : futures) {
                long left = context.remaining().toMillis();
                if (left <= 0) {
                    throw new ProviderTimeoutException("deadline passed while reading " + listed.size() + " resource providers (operation "
                            + context.operationId() + ")");
                }
                read.add(f.get(left, TimeUnit.MILLISECONDS));
            }
            return read;
        } catch (TimeoutException e) {
            throw new ProviderTimeoutException("deadline passed while reading " + listed.size() + " resource providers (operation "
                    + context.operationId() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderTimeoutException("interrupted while reading resource providers", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StrataException s) {
                throw s;
            }
            // a cause's text may be Placement's, shown printable as the provider's name is
            throw new ProviderFailureException("reading resource providers failed: "
                    + InvalidConfigurationException.printable(String.valueOf(e.getCause())), e.getCause());
        } catch (CancellationException e) {
            throw new ProviderTimeoutException("reading resource providers was cancelled", e);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the threads were stopped after this discovery took them: the provider was deactivated meanwhile
            throw new ProviderUnavailableException("the threads that read resource providers were stopped (the provider was "
                    + "deactivated) before " + listed.size() + " resource providers were read; the discovery is to be repeated (operation "
                    + context.operationId() + ")", e);
        } finally {
            futures.forEach(f -> f.cancel(true));
        }
    }

    /**
     * One compute node's tree (the root and its descendants), each provider read at one generation.
     *
     * @param rootUuid the root provider's UUID (Nova's hypervisor id); one that is not a UUID is
     *        refused before it goes into a URL, as one in Placement's listing is
     */
    public ProviderTree readTree(String rootUuid, DiscoveryContext context) {
        if (rootUuid == null || !isUuid(rootUuid)) {
            throw new ProviderFailureException("Placement's resource provider tree rooted at "
                    + (rootUuid == null ? "no provider" : "'" + InvalidConfigurationException.printable(rootUuid) + "'")
                    + " is not read: expected the root provider's UUID (Nova's hypervisor id for a compute node)");
        }
        ApiResponse r = call("GET", "/resource_providers?in_tree=" + rootUuid, null, context);
        List<ResourceProvider> read = new ArrayList<>();
        for (JsonNode p : r.body().path("resource_providers")) {
            read.add(readConsistently(listed(p, context, "/resource_providers?in_tree=" + rootUuid), context));
        }
        List<ProviderTree> trees = ProviderTree.of(read);
        if (trees.isEmpty()) {
            throw new dev.strata.platform.api.exception.NotFoundException("Placement has no resource provider tree rooted at "
                    + InvalidConfigurationException.printable(rootUuid));
        }
        return trees.get(0);
    }

    /** The provider as last read when the listing shows it unchanged (same generation, name and parent), else null. */
    private ResourceProvider unchanged(ResourceProvider listed) {
        ResourceProvider known = lastRead.get(listed.uuid());
        if (known != null && known.generation() == listed.generation() && known.name().equals(listed.name())
                && java.util.Objects.equals(known.parentUuid(), listed.parentUuid())) {
            return known;
        }
        return null;
    }

    private ResourceProvider readIfChanged(ResourceProvider listed, DiscoveryContext context) {
        ResourceProvider known = unchanged(listed);
        if (known != null) {
            return known;
        }
        ResourceProvider fresh = readConsistently(listed, context);
        lastRead.put(fresh.uuid(), fresh);
        return fresh;
    }

    /** How many providers are known as last read (for tests and figures). */
    public int cached() {
        return lastRead.size();
    }

    /** One provider's inventories, usages, traits, aggregates and allocations, all at one generation. */
    ResourceProvider readConsistently(ResourceProvider listed, DiscoveryContext context) {
        List<Long> seen = new ArrayList<>();
        for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
            String at = "/resource_providers/" + listed.uuid();
            JsonNode inv = call("GET", at + "/inventories", null, context).body();
            JsonNode use = call("GET", at + "/usages", null, context).body();
            JsonNode tr = call("GET", at + "/traits", null, context).body();
            JsonNode ag = call("GET", at + "/aggregates", null, context).body();
            JsonNode al = call("GET", at + "/allocations", null, context).body();
            long g = generation(context, listed, at, "inventories", inv);
            seen.add(g);
            if (generation(context, listed, at, "usages", use) == g && generation(context, listed, at, "traits", tr) == g
                    && generation(context, listed, at, "aggregates", ag) == g && generation(context, listed, at, "allocations", al) == g) {
                Map<String, Inventory> inventories = new TreeMap<>();
                ApiRequest inventoriesRead = ApiRequest.get(SERVICE, base(context, at + "/inventories"));
                inv.path("inventories").properties().forEach(e -> inventories.put(e.getKey(), inventory(inventoriesRead, listed, e.getKey(),
                        e.getValue())));
                Map<String, Long> usages = new TreeMap<>();
                ApiRequest usagesRead = ApiRequest.get(SERVICE, base(context, at + "/usages"));
                // the classes and consumers are Placement's text, shown printable as the provider's name is
                String of = " of resource provider " + InvalidConfigurationException.printable(listed.name()) + " ("
                        + InvalidConfigurationException.printable(listed.uuid()) + ")";
                use.path("usages").properties().forEach(e -> usages.put(e.getKey(), amount(usagesRead, "usages" + of + " whose "
                        + InvalidConfigurationException.printable(e.getKey()), e.getValue())));
                Set<String> traits = new HashSet<>();
                ApiRequest traitsRead = ApiRequest.get(SERVICE, base(context, at + "/traits"));
                for (JsonNode t : listOf(traitsRead, "traits" + of, tr.path("traits"), "trait names, each a text")) {
                    if (!t.isTextual()) {
                        throw OpenStackErrors.forMalformed(traitsRead, "traits" + of + " holding " + shown(t)
                                + "; expected trait names, each a text");
                    }
                    traits.add(t.asText());
                }
                Set<String> aggregates = new HashSet<>();
                ApiRequest aggregatesRead = ApiRequest.get(SERVICE, base(context, at + "/aggregates"));
                for (JsonNode a : listOf(aggregatesRead, "aggregates" + of, ag.path("aggregates"), "aggregate UUIDs")) {
                    if (!a.isTextual() || !isUuid(a.asText())) {
                        throw OpenStackErrors.forMalformed(aggregatesRead, "aggregates" + of + " holding " + shown(a)
                                + "; expected aggregate UUIDs");
                    }
                    aggregates.add(a.asText());
                }
                Map<String, Map<String, Long>> allocations = new TreeMap<>();
                ApiRequest allocationsRead = ApiRequest.get(SERVICE, base(context, at + "/allocations"));
                al.path("allocations").properties().forEach(c -> {
                    Map<String, Long> amounts = new TreeMap<>();
                    c.getValue().path("resources").properties().forEach(r -> amounts.put(r.getKey(), amount(allocationsRead, "allocations"
                            + of + " whose consumer " + InvalidConfigurationException.printable(c.getKey()) + "'s "
                            + InvalidConfigurationException.printable(r.getKey()), r.getValue())));
                    allocations.put(c.getKey(), amounts);
                });
                return new ResourceProvider(listed.uuid(), listed.name(), g, listed.parentUuid(), listed.rootUuid(), inventories, usages,
                        traits, aggregates, allocations);
            }
            LOG.debug("resource provider {} changed while it was read (generation {}); reading it again",
                    InvalidConfigurationException.printable(listed.name()), g);
        }
        throw new ProviderFailureException("resource provider " + InvalidConfigurationException.printable(listed.name()) + " ("
                + InvalidConfigurationException.printable(listed.uuid()) + ") kept changing while it was read (generations " + seen + "); Placement is being written to heavily, discovery will read it "
                + "again");
    }

    /**
     * The generation of the resource provider one of its five reads answered at: a whole number. An
     * answer without it (or with another value) is Placement's malformed answer, named; before, it
     * was read as 0, so five answers without it passed the check that they are all of one
     * generation without checking anything, and one without it was read again as if the provider
     * kept changing.
     */
    private long generation(DiscoveryContext context, ResourceProvider listed, String at, String call, JsonNode body) {
        JsonNode g = body.get("resource_provider_generation");
        if (g == null || !g.isIntegralNumber() || !g.canConvertToLong()) {
            throw OpenStackErrors.forMalformed(ApiRequest.get(SERVICE, base(context, at + "/" + call)), call + " of resource provider "
                    + InvalidConfigurationException.printable(listed.name()) + " (" + InvalidConfigurationException.printable(listed.uuid())
                    + ") whose resource_provider_generation is "
                    + shown(g)
                    + "; expected the provider's generation, a whole number");
        }
        return g.asLong();
    }

    /**
     * One inventory as Placement lists it: {@code total} a whole number, the others whole numbers
     * too ({@code allocation_ratio} a number) or absent for Placement's defaults. Anything else
     * (a text, a fraction, a {@code min_unit} of 0) is Placement's malformed answer, named with
     * the provider, the class and the field; before, a text was read as 0 and a figure out of range
     * left as a bare IllegalArgumentException.
     */
    static Inventory inventory(ApiRequest read, ResourceProvider provider, String rc, JsonNode i) {
        String of = "inventory " + InvalidConfigurationException.printable(rc) + " of resource provider "
                + InvalidConfigurationException.printable(provider.name()) + " (" + InvalidConfigurationException.printable(provider.uuid()) + ")";
        long total = whole(read, of, i, "total", null);
        double ratio = 1.0;
        JsonNode r = i.get("allocation_ratio");
        if (r != null && !r.isNull()) {
            if (!r.isNumber()) {
                throw OpenStackErrors.forMalformed(read, "an " + of + " whose allocation_ratio is " + shown(r) + "; expected a number");
            }
            ratio = r.asDouble();
        }
        try {
            return new Inventory(rc, total, whole(read, of, i, "reserved", 0L), whole(read, of, i, "min_unit", 1L),
                    whole(read, of, i, "max_unit", Math.max(1, total)), whole(read, of, i, "step_size", 1L), ratio);
        } catch (IllegalArgumentException e) {
            // the message names the resource class as Placement gave it: shown printable, as the text before it does
            throw OpenStackErrors.forMalformed(read, "an " + of + " that no provider has (" + InvalidConfigurationException.printable(e.getMessage())
                    + "); expected total and reserved of 0 or more, min_unit, max_unit and step_size of 1 or more, allocation_ratio above 0");
        }
    }

    /** A whole-number field of an inventory, or {@code absent} where it is missing (null: it must be there). */
    private static long whole(ApiRequest read, String of, JsonNode i, String field, Long absent) {
        JsonNode v = i.get(field);
        if ((v == null || v.isNull()) && absent != null) {
            return absent;
        }
        if (v == null || v.isNull() || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw OpenStackErrors.forMalformed(read, "an " + of + " whose " + field + " is " + shown(v) + "; expected a whole number");
        }
        return v.asLong();
    }

    /**
     * A usage or an allocated amount: a whole number of 0 or more. Anything else (null, a text, a
     * fraction, a negative) is Placement's malformed answer, named with {@code what} (the provider,
     * the class); before, {@code asLong} read it as 0 or cut it, and the host's room taken counted free.
     */
    private static long amount(ApiRequest read, String what, JsonNode v) {
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
            throw OpenStackErrors.forMalformed(read, what + " is " + shown(v) + "; expected a whole number of 0 or more");
        }
        return v.asLong();
    }

    /**
     * The roots of the trees Placement itself offers for one request group
     * ({@code GET /allocation_candidates}, unlimited).
     */
    public Set<String> candidateRoots(ResourceRequest request, DiscoveryContext context) {
        String path = "/allocation_candidates?" + request.query();
        ApiResponse r = call("GET", path, null, context);
        Set<String> roots = new HashSet<>();
        JsonNode summaries = r.body().path("provider_summaries");
        for (JsonNode ar : r.body().path("allocation_requests")) {
            ar.path("allocations").fieldNames().forEachRemaining(rp -> {
                // a root that is not a UUID is Placement's malformed answer, as one in its listing is
                JsonNode root = summaries.path(rp).get("root_provider_uuid");
                if (root == null || !root.isTextual() || !isUuid(root.asText())) {
                    throw OpenStackErrors.forMalformed(ApiRequest.get(SERVICE, base(context, path)), "the summary of resource provider "
                            + InvalidConfigurationException.printable(rp) + " whose root_provider_uuid is " + shown(root)
                            + "; expected the root provider's UUID");
                }
                roots.add(root.asText());
            });
        }
        return roots;
    }

    // ---- writes (used to build clouds in tests and benchmarks) ----

    /** Creates a resource provider (generation 0). */
    public void createProvider(String uuid, String name, String parentUuid, DiscoveryContext context) {
        ObjectNode body = json.createObjectNode().put("uuid", uuid).put("name", name);
        if (parentUuid != null) {
            body.put("parent_provider_uuid", parentUuid);
        }
        call("POST", "/resource_providers", body, context);
    }

    /** Replaces a provider's inventories at a generation; returns the new generation. */
    public long putInventories(String uuid, long generation, Map<String, Inventory> inventories, DiscoveryContext context) {
        ObjectNode body = json.createObjectNode().put("resource_provider_generation", generation);
        ObjectNode invs = body.putObject("inventories");
        inventories.forEach((rc, i) -> invs.putObject(rc).put("total", i.total()).put("reserved", i.reserved()).put("min_unit", i.minUnit())
                .put("max_unit", i.maxUnit()).put("step_size", i.stepSize()).put("allocation_ratio", i.allocationRatio()));
        String path = "/resource_providers/" + uuid + "/inventories";
        return answered(call("PUT", path, body, context).body(), "PUT", path, "resource_provider_generation", uuid, context);
    }

    /** Replaces a provider's traits at a generation; returns the new generation. */
    public long putTraits(String uuid, long generation, Set<String> traits, DiscoveryContext context) {
        ObjectNode body = json.createObjectNode().put("resource_provider_generation", generation);
        ArrayNode t = body.putArray("traits");
        traits.stream().sorted().forEach(t::add);
        String path = "/resource_providers/" + uuid + "/traits";
        return answered(call("PUT", path, body, context).body(), "PUT", path, "resource_provider_generation", uuid, context);
    }

    /** Replaces a provider's aggregates at a generation; returns the new generation. */
    public long putAggregates(String uuid, long generation, Set<String> aggregates, DiscoveryContext context) {
        ObjectNode body = json.createObjectNode().put("resource_provider_generation", generation);
        ArrayNode a = body.putArray("aggregates");
        aggregates.stream().sorted().forEach(a::add);
        String path = "/resource_providers/" + uuid + "/aggregates";
        return answered(call("PUT", path, body, context).body(), "PUT", path, "resource_provider_generation", uuid, context);
    }

    /** Creates a custom trait ({@code CUSTOM_...}) unless it exists. */
    public void ensureTrait(String trait, DiscoveryContext context) {
        call("PUT", "/traits/" + URLEncoder.encode(trait, StandardCharsets.UTF_8), null, context);
    }

    /** Creates a custom resource class ({@code CUSTOM_...}) unless it exists. */
    public void ensureResourceClass(String resourceClass, DiscoveryContext context) {
        call("PUT", "/resource_classes/" + URLEncoder.encode(resourceClass, StandardCharsets.UTF_8), null, context);
    }

    /** Allocates resources to a new consumer: amounts by provider UUID and class. */
    public void allocate(String consumer, Map<String, Map<String, Long>> amounts, String project, String user, DiscoveryContext context) {
        ObjectNode body = json.createObjectNode();
        ObjectNode allocations = body.putObject("allocations");
        amounts.forEach((rp, res) -> {
            ObjectNode r = allocations.putObject(rp).putObject("resources");
            res.forEach(r::put);
        });
        body.put("project_id", project).put("user_id", user).putNull("consumer_generation");
        if (version(context).atLeast(Microversion.of(1, 38))) {
            body.put("consumer_type", "INSTANCE");
        }
        call("PUT", "/allocations/" + consumer, body, context);
    }

    /** Deletes a resource provider (404: already gone). */
    public void deleteProvider(String uuid, DiscoveryContext context) {
        call("DELETE", "/resource_providers/" + uuid, null, context, 404);
    }

    /** Deletes a consumer's allocations (404: none). */
    public void deleteAllocations(String consumer, DiscoveryContext context) {
        call("DELETE", "/allocations/" + consumer, null, context, 404);
    }

    /** A provider's current generation. */
    public long generation(String uuid, DiscoveryContext context) {
        String path = "/resource_providers/" + uuid;
        return answered(call("GET", path, null, context).body(), "GET", path, "generation", uuid, context);
    }

    /**
     * The generation Placement answered a read or a write of a provider with: a whole number, else
     * Placement's malformed answer, named with the provider and the field, as discovery names a
     * provider listed without it. Before, a missing generation was read as 0, and the next write at
     * generation 0 failed with a 409 that did not say why.
     */
    private long answered(JsonNode answer, String method, String path, String field, String uuid, DiscoveryContext context) {
        JsonNode g = answer.get(field);
        if (g == null || !g.isIntegralNumber() || !g.canConvertToLong()) {
            throw OpenStackErrors.forMalformed(ApiRequest.of(SERVICE, method, base(context, path), null), "resource provider "
                    + InvalidConfigurationException.printable(uuid) + " whose " + field + " is " + shown(g)
                    + "; expected the provider's generation, a whole number");
        }
        return g.asLong();
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
