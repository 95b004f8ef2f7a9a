package dev.strata.provider.openstack.compute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.openstack.auth.Session;
import dev.strata.provider.openstack.http.ApiRequest;
import dev.strata.provider.openstack.http.ApiResponse;
import dev.strata.provider.openstack.http.Microversion;
import dev.strata.provider.openstack.http.OpenStackErrors;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Nova compute API: hypervisors, availability zones, flavors and servers. The microversion
 * is the highest the cloud offers up to {@link #WANTED}, at least {@link #REQUIRED} (tags at
 * creation, hypervisor UUIDs).
 */
public final class NovaClient {

    private static final Logger LOG = LoggerFactory.getLogger(NovaClient.class);
    public static final String SERVICE = "Nova";
    /** The newest microversion Strata knows (Zed). */
    public static final Microversion WANTED = Microversion.of(2, 93);
    /** Tags given at creation (2.52) and hypervisor ids that are compute node UUIDs (2.53). */
    public static final Microversion REQUIRED = Microversion.of(2, 53);
    /** {@code host} and {@code hypervisor_hostname} in a server create request. */
    public static final Microversion HOST_TARGETING = Microversion.of(2, 74);
    private static final int PAGE = 1000;

    private final Session session;
    private final ObjectMapper json;
    private volatile Microversion version;
    /** The malformed extra specs of flavors already warned about ({@code <flavor id> <spec>}): each is logged once. */
    private final Set<String> warnedSpecs = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public NovaClient(Session session, ObjectMapper json) {
        this.session = session;
        this.json = json;
    }

    public Microversion version(DiscoveryContext context) {
        Microversion v = version;
        if (v == null) {
            v = negotiate(context);
            version = v;
        }
        return v;
    }

    private Microversion negotiate(DiscoveryContext context) {
        URI root = URI.create(base(context) + "/");
        ApiResponse r = session.send(ApiRequest.get(SERVICE, root), context);
        JsonNode v = r.body().path("version");
        if (!v.hasNonNull("version") || v.get("version").asText().isEmpty()) {
            throw OpenStackErrors.forMalformed(ApiRequest.get(SERVICE, root), "a version document without a maximum microversion");
        }
        Microversion.Offered offered = Microversion.offered(ApiRequest.get(SERVICE, root), v.path("min_version").asText("2.1"),
                v.get("version").asText());
        Microversion max = offered.max();
        Microversion min = offered.min();
        Microversion chosen = Microversion.min(max, WANTED);
        if (!chosen.atLeast(REQUIRED) || chosen.compareTo(min) < 0) {
            throw new ProviderFailureException("Nova at " + OpenStackErrors.shown(root) + " offers microversions " + min + " to " + max + "; Strata needs at least "
                    + REQUIRED + " (server tags at creation, hypervisor UUIDs)");
        }
        LOG.debug("Nova at {} offers {} to {}; using {}", OpenStackErrors.shown(root), min, max, chosen);
        return chosen;
    }

    private String base(DiscoveryContext context) {
        String b = session.endpoint("compute", context).toString();
        while (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        return b;
    }

    private ApiResponse call(String method, String path, JsonNode body, DiscoveryContext context, Integer... accepted) {
        return session.send(request(method, path, body, context, accepted), context);
    }

    private ApiRequest request(String method, String path, JsonNode body, DiscoveryContext context, Integer... accepted) {
        return ApiRequest.of(SERVICE, method, URI.create(base(context) + path), body)
                .withHeader("OpenStack-API-Version", "compute " + version(context))
                .accepting(accepted);
    }

    /** Follows Nova's {@code *_links} pages of a listing. */
    private <T> List<T> list(String path, String key, DiscoveryContext context, Function<JsonNode, T> map) {
        return list(path, key, context, (item, answer) -> map.apply(item));
    }

    /**
     * Follows Nova's {@code *_links} pages of a listing, mapping each item with the answer that held it. A page that ends at an
     * item a page before it ended at (a {@code next} link that leads back, as from a proxy that drops the marker) is Nova's
     * malformed answer, named: followed, it would be read again and again until the deadline, its items counted each time.
     */
    private <T> List<T> list(String path, String key, DiscoveryContext context, java.util.function.BiFunction<JsonNode, ApiResponse, T> map) {
        List<T> all = new ArrayList<>();
        Set<String> markers = new HashSet<>();
        String marker = null;
        while (true) {
            String sep = path.contains("?") ? "&" : "?";
            String page = path + sep + "limit=" + PAGE + (marker == null ? "" : "&marker=" + enc(marker));
            ApiResponse answer = call("GET", page, null, context);
            JsonNode body = answer.body();
            JsonNode items = body.path(key);
            String last = null;
            for (JsonNode item : items) {
                all.add(map.apply(item, answer));
                last = item.path("id").asText(null);
            }
            boolean more = false;
            for (JsonNode link : body.path(key + "_links")) {
                more |= "next".equals(link.path("rel").asText());
            }
            if (!more || items.size() == 0) {
                return all;
            }
            if (last == null) {
                // the next page is asked for after the last item's id: ending here left the pages after it out, their servers as gone
                throw OpenStackErrors.forMalformed(ApiRequest.get(SERVICE, URI.create(base(context) + page)), "a page of " + key
                        + " whose last item has no id, and a next link: the next page cannot be asked for; expected every item of a page "
                        + "to have its id");
            }
            if (!markers.add(last)) {
                throw OpenStackErrors.forMalformed(ApiRequest.get(SERVICE, URI.create(base(context) + page)), "a page of " + key
                        + " that ends at " + dev.strata.platform.api.exception.InvalidConfigurationException.printable(last)
                        + " again, where a page before it ended, and a next link: the pages loop; expected each "
                        + "page to go on past the one before");
            }
            context.checkDeadline("reading the next page of " + key);
            marker = last;
        }
    }

    /** Every hypervisor (admin). */
    public List<Hypervisor> hypervisors(DiscoveryContext context) {
        return list("/os-hypervisors/detail", "hypervisors", context, h -> new Hypervisor(h.path("id").asText(),
                h.path("hypervisor_hostname").asText(), h.path("service").path("host").asText(null), h.path("state").asText(""),
                h.path("status").asText(""), h.path("hypervisor_type").asText(""),
                h.path("service").hasNonNull("disabled_reason") ? h.path("service").get("disabled_reason").asText() : null));
    }

    /** The availability zone of every compute host: host name to zone (admin). */
    public Map<String, String> hostZones(DiscoveryContext context) {
        JsonNode zones = call("GET", "/os-availability-zone/detail", null, context).body().path("availabilityZoneInfo");
        Map<String, String> hostZone = new HashMap<>();
        for (JsonNode z : zones) {
            String zone = z.path("zoneName").asText();
            z.path("hosts").properties().forEach(h -> {
                if (h.getValue().has("nova-compute")) {
                    hostZone.put(h.getKey(), zone);
                }
            });
        }
        return hostZone;
    }

    /**
     * The flavors of a listing, by whether this project may use them.
     *
     * @param usable the public flavors and the private flavors whose access list names this project, but those with an
     *     extra spec asking for an amount that is not a whole number of 0 or more ({@link Flavor#malformedSpec()})
     * @param all every flavor the credentials may see: with admin credentials, every project's private flavors too
     * @param malformed the flavors of {@code all} whose sizes Nova gives malformed ({@link #malformedSize}), by id: what is
     *     wrong, printable; none of them is usable
     */
    public record Flavors(List<Flavor> usable, List<Flavor> all, Map<String, String> malformed) {

        public Flavors {
            usable = List.copyOf(usable);
            all = List.copyOf(all);
            malformed = Map.copyOf(malformed);
        }

        public Flavors(List<Flavor> usable, List<Flavor> all) {
            this(usable, all, Map.of());
        }
    }

    /** The flavors this project may use, public and private, with extra specs ({@link #flavorsByAccess}). */
    public List<Flavor> flavors(DiscoveryContext context) {
        return flavorsByAccess(context).usable();
    }

    /**
     * The flavors the credentials may see, and those of them this project may use. With admin
     * credentials Nova lists every project's private flavors for {@code is_public=None}, and lets
     * an admin boot any of them. Without that parameter it lists the public flavors and the
     * private flavors whose access list names the token's project, admin or not: those are the
     * flavors this project may use, so that Strata never takes a flavor an operator made for other
     * projects. One more call, for the ids alone. A flavor with an extra spec whose amount is not a
     * whole number of 0 or more ({@code resources:CUSTOM_MAGIC=one}) is not usable: Nova's
     * scheduler ignores that spec, so its servers would not get what the flavor says; it is logged
     * once, at WARN. Nor is a flavor whose {@code vcpus}, {@code ram} or {@code disk} Nova gives as
     * something other than a whole number (text, none, a negative or, for CPUs and memory, 0;
     * {@link #malformedSize}): read as 0, it fitted every host and held no member's CPUs or
     * memory as it says; it is Nova's malformed answer, logged once at WARN, and the other flavors
     * are used as before.
     */
    public Flavors flavorsByAccess(DiscoveryContext context) {
        Map<String, String> malformed = new HashMap<>();
        List<Flavor> all = allFlavors(context, malformed);
        Set<String> usableIds = new HashSet<>(list("/flavors", "flavors", context, f -> f.path("id").asText()));
        return new Flavors(all.stream().filter(f -> usableIds.contains(f.id())).filter(f -> !malformed.containsKey(f.id()))
                .filter(this::wellFormed).toList(), all, malformed);
    }

    /**
     * What is wrong with the sizes Nova gives a flavor, printable, or empty: {@code vcpus} and
     * {@code ram} are whole numbers of 1 or more (Nova refuses less when a flavor is made),
     * {@code disk} one of 0 or more, as are {@code OS-FLV-EXT-DATA:ephemeral} and {@code swap}
     * (or {@code ""}, none, before compute 2.75) where Nova gives them.
     */
    static Optional<String> malformedSize(JsonNode f) {
        List<String> wrong = new ArrayList<>();
        wholeAtLeast(f, "vcpus", 1, true, wrong);
        wholeAtLeast(f, "ram", 1, true, wrong);
        wholeAtLeast(f, "disk", 0, true, wrong);
        wholeAtLeast(f, "OS-FLV-EXT-DATA:ephemeral", 0, false, wrong);
        if (!(f.path("swap").isTextual() && f.path("swap").asText().isBlank())) {
            wholeAtLeast(f, "swap", 0, false, wrong);
        }
        return wrong.isEmpty() ? Optional.empty() : Optional.of(dev.strata.platform.api.exception.InvalidConfigurationException.printable(
                String.join(", ", wrong)));
    }

    private static void wholeAtLeast(JsonNode f, String field, long least, boolean required, List<String> wrong) {
        JsonNode v = f.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                wrong.add(field + " missing, where a whole number of " + least + " or more was expected");
            }
        } else if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < least) {
            String shown = v.toString();
            wrong.add(field + " " + (shown.length() > 40 ? shown.substring(0, 40) + "..." : shown) + ", where a whole number of " + least
                    + " or more was expected");
        }
    }

    private boolean wellFormed(Flavor f) {
        Optional<String> spec = f.malformedSpec();
        if (spec.isEmpty()) {
            return true;
        }
        if (warnedSpecs.add(f.id() + " " + spec.get())) {
            LOG.warn("Nova flavor {} ({}) has extra spec {}, an amount that is not a whole number of 0 or more (Nova's scheduler ignores "
                    + "it); Strata does not use this flavor until the extra spec is corrected",
                    dev.strata.platform.api.exception.InvalidConfigurationException.printable(f.name()),
                    dev.strata.platform.api.exception.InvalidConfigurationException.printable(f.id()),
                    dev.strata.platform.api.exception.InvalidConfigurationException.printable(spec.get()));
        }
        return false;
    }

    /** Every flavor the credentials may see, public and private (with admin credentials: every project's), with extra specs. */
    private List<Flavor> allFlavors(DiscoveryContext context) {
        return allFlavors(context, new HashMap<>());
    }

    /**
     * Every flavor the credentials may see ({@link #allFlavors(DiscoveryContext)}); those whose sizes are malformed
     * ({@link #malformedSize}) are put in {@code malformed} by id, and logged once at WARN.
     */
    private List<Flavor> allFlavors(DiscoveryContext context, Map<String, String> malformed) {
        boolean inline = version(context).atLeast(Microversion.of(2, 61));
        List<Flavor> flavors = list("/flavors/detail?is_public=None", "flavors", context, f -> {
            Flavor flavor = flavor(f, inline ? f.path("extra_specs") : null);
            malformedSize(f).ifPresent(wrong -> {
                malformed.put(flavor.id(), wrong);
                if (warnedSpecs.add(flavor.id() + " size " + wrong)) {
                    LOG.warn("Nova flavor {} ({}) has {}; Strata does not use this flavor until Nova describes it correctly",
                            dev.strata.platform.api.exception.InvalidConfigurationException.printable(flavor.name()),
                            dev.strata.platform.api.exception.InvalidConfigurationException.printable(flavor.id()), wrong);
                }
            });
            return flavor;
        });
        if (inline) {
            return flavors;
        }
        List<Flavor> withSpecs = new ArrayList<>();
        for (Flavor f : flavors) {
            JsonNode specs = call("GET", "/flavors/" + enc(f.id()) + "/os-extra_specs", null, context).body().path("extra_specs");
            withSpecs.add(new Flavor(f.id(), f.name(), f.vcpus(), f.ramMiB(), f.diskGiB(), f.ephemeralGiB(), f.swapMiB(), f.isPublic(),
                    strings(specs)));
        }
        return withSpecs;
    }

    /** A flavor as Nova lists it; {@code swap} is {@code ""} for none before compute 2.75, a number of MiB otherwise. */
    static Flavor flavor(JsonNode f, JsonNode specs) {
        return new Flavor(f.path("id").asText(), f.path("name").asText(), f.path("vcpus").asInt(), f.path("ram").asLong(),
                f.path("disk").asLong(), f.path("OS-FLV-EXT-DATA:ephemeral").asLong(), swapMiB(f.path("swap")),
                f.path("os-flavor-access:is_public").asBoolean(true), specs == null ? Map.of() : strings(specs));
    }

    private static long swapMiB(JsonNode swap) {
        return swap.isTextual() && swap.asText().isBlank() ? 0 : swap.asLong();
    }

    /** A flavor by id, or empty. */
    public Optional<Flavor> flavor(String id, DiscoveryContext context) {
        ApiResponse r = call("GET", "/flavors/" + enc(id), null, context, 404);
        if (r.status() == 404) {
            return Optional.empty();
        }
        JsonNode f = r.body().path("flavor");
        Optional<String> wrong = malformedSize(f);
        if (wrong.isPresent()) {
            throw OpenStackErrors.forMalformed(ApiRequest.get(SERVICE, URI.create(base(context) + "/flavors/" + enc(id))), "flavor "
                    + dev.strata.platform.api.exception.InvalidConfigurationException.printable(id) + " described with " + wrong.get());
        }
        boolean inline = version(context).atLeast(Microversion.of(2, 61));
        JsonNode specs = inline ? f.path("extra_specs")
                : call("GET", "/flavors/" + enc(id) + "/os-extra_specs", null, context).body().path("extra_specs");
        return Optional.of(flavor(f, specs));
    }

    /**
     * Creates a public flavor with extra specs (admin). A flavor of that name made meanwhile (409:
     * by another Strata, say) is used instead if it is this flavor, public, completed with the
     * extra specs it lacks ({@link #completeFlavor}).
     *
     * @throws ProviderFailureException when the flavor of that name is another flavor, or private
     */
    public Flavor createFlavor(String name, int vcpus, long ramMiB, long diskGiB, Map<String, String> extraSpecs, DiscoveryContext context) {
        ObjectNode body = json.createObjectNode();
        body.putObject("flavor").put("name", name).put("vcpus", vcpus).put("ram", ramMiB).put("disk", diskGiB)
                .put("os-flavor-access:is_public", true);
        ApiResponse r = session.send(request("POST", "/flavors", body, context, 409).asIdempotent(), context);
        if (r.status() == 409) {
            // every project's flavors: one of that name private to another project is what Nova refused for, and is refused here
            Flavor there = allFlavors(context).stream().filter(f -> f.name().equals(name)).findFirst()
                    .orElseThrow(() -> new ProviderFailureException("Nova refused to create flavor " + name
                            + " as a duplicate, yet lists no flavor of that name"));
            return completeFlavor(there, new Flavor("new", name, vcpus, ramMiB, diskGiB, true, extraSpecs), context);
        }
        String id = r.body().path("flavor").path("id").asText();
        setExtraSpecs(id, extraSpecs, context);
        return flavor(id, context).orElseThrow(() -> new ProviderFailureException("flavor " + name + " ("
                + dev.strata.platform.api.exception.InvalidConfigurationException.printable(id) + ") vanished after it was created"));
    }

    /**
     * Makes {@code found}, a flavor under the name of {@code made}, into {@code made}: sets the
     * extra specs a creation cut short left it without, and returns it as Nova then has it.
     *
     * @throws ProviderFailureException when {@code found} is another flavor ({@link Flavor#specsToComplete})
     */
    public Flavor completeFlavor(Flavor found, Flavor made, DiscoveryContext context) {
        setExtraSpecs(found.id(), found.specsToComplete(made), context);
        return flavor(found.id(), context).orElseThrow(() -> new ProviderFailureException("flavor "
                + dev.strata.platform.api.exception.InvalidConfigurationException.printable(found.name()) + " ("
                + dev.strata.platform.api.exception.InvalidConfigurationException.printable(found.id())
                + ") vanished while its extra specs were set"));
    }

    private void setExtraSpecs(String flavorId, Map<String, String> extraSpecs, DiscoveryContext context) {
        if (!extraSpecs.isEmpty()) {
            ObjectNode specs = json.createObjectNode();
            ObjectNode es = specs.putObject("extra_specs");
            extraSpecs.forEach(es::put);
            session.send(request("POST", "/flavors/" + enc(flavorId) + "/os-extra_specs", specs, context).asIdempotent(), context);
        }
    }

    /**
     * What became of a request to create a server. Only {@link Accepted} says a server exists; a
     * caller must not send the request again after {@link Unknown} before it has looked for the
     * server (by the tags the request gave it) for long enough that Nova would list it.
     */
    public sealed interface Creation permits Accepted, Refused, Unknown, Failed {
    }

    /** Nova accepted the request and made the server {@code serverId}. */
    public record Accepted(String serverId) implements Creation {
    }

    /**
     * Surely no server was made: the request never reached Nova (no token, no endpoint, the
     * deadline had passed, the connection was refused or could not be opened), or Nova answered it
     * with an error of its own (4xx; also 501 and the other 5xx up to 511 but 500, 502, 503 and 504, reported
     * as before as a failure; a 429, Nova or a gateway throttling the caller, as retryable once
     * {@link dev.strata.provider.openstack.http.OpenStackHttp} has sent the request again for as long as the {@code Retry-After}, its
     * attempts and the deadline allow).
     */
    public record Refused(StrataException why) implements Creation {
    }

    /**
     * The request may have reached Nova and nobody can say whether it made a server: no answer
     * within the request timeout, a connection lost after the request was sent, a 2xx without a
     * server id or whose body claims to be JSON and does not parse (cut short on the way), or 502, 503, 504 or a status above 511 (no standard's: a gateway's or a content
     * network's, as Cloudflare's 524 after the origin took too long to answer). The gateways before nova-api answer 502 and 504 after they
     * passed the request on and lost the backend's answer (a closed connection, a slow backend).
     * A 503 mostly means that the request was not taken at all (no backend, overload), but some
     * gateways (Envoy, for one) answer 503 when the backend reset the connection that carried the
     * request, and the answer does not tell the two apart; so a 503 counts as unknown too: the
     * cost is a wait of the settle period, where the opposite mistake costs a second server.
     */
    public record Unknown(StrataException why) implements Creation {
    }

    /**
     * Nova failed the request with an error of its own (500 Internal Server Error). It may have
     * recorded the server before it failed, so the caller looks for the server by its tags for as
     * long as it would after {@link Unknown}; unlike there, a server that does not show by then was
     * not made, and the request is not sent again: an error Nova answers once it is likely to
     * answer again, and each request it half-carries out can leave a server behind.
     */
    public record Failed(StrataException why) implements Creation {
    }

    /** Every status {@link OpenStackErrors#gatewayError} calls a gateway's: a create answered one is {@link Unknown}. */
    private static final Integer[] GATEWAY_STATUSES = java.util.stream.IntStream.range(500, 600).filter(OpenStackErrors::gatewayError)
            .boxed().toArray(Integer[]::new);

    /**
     * Asks Nova to start building a server. Never sent twice here but after a 429, and never
     * throws: what the caller may do next depends on whether the request can have made a server,
     * which the {@link Creation} says.
     *
     * <p>{@link dev.strata.provider.openstack.http.OpenStackHttp#send} sends the request again when Nova, or the rate limit before
     * it, answers 429 Too Many Requests. That cannot make a second server: RFC 6585 &sect;4 makes
     * 429 the answer of a rate limit to a caller that "has sent too many requests", with a
     * {@code Retry-After} for "how long to wait before making a new request", so the request was
     * refused, not carried out (the RFC does not say so in as many words; this client has counted
     * a 429 as {@link Refused}, no server made, from the start). Every other answer that may
     * follow a request Nova took (no answer, a lost connection, 500, a gateway's 502, 503, 504)
     * ends the call as before: a 503 is sent again only for an idempotent request, and this one is
     * not. The request is recorded under the operation before it is sent (see the caller's
     * {@code CreateJournal}) and the server carries the operation's tag, so a Strata that stops
     * during a wait finds the server of a request that did get through instead of making another.
     */
    public Creation createServer(ObjectNode server, DiscoveryContext context) {
        ObjectNode body = json.createObjectNode();
        body.set("server", server);
        ApiRequest request;
        try {
            // The microversion, the endpoint and with it a token: all before anything is sent.
            request = request("POST", "/servers", body, context, GATEWAY_STATUSES);
            session.projectId(context);
        } catch (StrataException e) {
            return new Refused(e);
        }
        if (context.remaining().compareTo(java.time.Duration.ofMillis(1)) < 0) {
            return new Refused(new ProviderTimeoutException("deadline passed before Nova was asked to create a server (operation "
                    + context.operationId() + ")"));
        }
        ApiResponse r;
        try {
            r = session.send(request, context);
        } catch (OpenStackErrors.InternalError e) {
            return new Failed(e);
        } catch (OpenStackErrors.UnreadableSuccess e) {
            // Nova took the request (a 2xx) and its answer, the server's id, is lost; Keystone's, after a 401, is no answer of Nova's
            return SERVICE.equals(e.service()) ? new Unknown(e) : new Refused(e);
        } catch (StrataException e) {
            return neverReached(e) || e instanceof AuthorizationException || e instanceof NotFoundException
                    || e instanceof ProviderFailureException || e instanceof OpenStackErrors.Throttled ? new Refused(e) : new Unknown(e);
        }
        if (OpenStackErrors.gatewayError(r.status())) {
            // A gateway's error page says nothing more than its status; it is not quoted.
            return new Unknown(OpenStackErrors.forStatus(request, r, page -> ""));
        }
        String id = r.body().path("server").path("id").asText("");
        if (id.isEmpty()) {
            return new Unknown(OpenStackErrors.forMalformed(request, "an answer " + r.status() + " that names no server id"));
        }
        return new Accepted(id);
    }

    /** Whether the call surely never reached the service: the connection was refused, or could not be opened in time. */
    static boolean neverReached(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof java.net.ConnectException || c instanceof java.net.http.HttpConnectTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** A server, or empty when Nova no longer has it. */
    public Optional<Server> server(String id, DiscoveryContext context) {
        ApiResponse r = call("GET", "/servers/" + enc(id), null, context, 404);
        return r.status() == 404 ? Optional.empty() : Optional.of(server(r.body().path("server"), date(r)));
    }

    /**
     * When Nova answered, by Nova's clock: the answer's {@code Date} header, or null when it has
     * none or one that does not parse. A server's {@code created} is by that clock, which may be
     * off from Strata's by minutes or hours.
     */
    static Instant date(ApiResponse answer) {
        try {
            return answer.header("Date").map(d -> java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.parse(d.strip(), Instant::from))
                    .orElse(null);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /** The servers of the project that carry every one of the tags. */
    public List<Server> serversTagged(String tag, DiscoveryContext context) {
        return list("/servers/detail?tags=" + enc(tag), "servers", context, (s, answer) -> server(s, date(answer)));
    }

    /** Starts deleting a server; false when Nova no longer had it. */
    public boolean deleteServer(String id, DiscoveryContext context) {
        return call("DELETE", "/servers/" + enc(id), null, context, 404).status() != 404;
    }

    static Server server(JsonNode s, Instant readAt) {
        Map<String, String> metadata = strings(s.path("metadata"));
        Set<String> tags = new HashSet<>();
        s.path("tags").forEach(t -> tags.add(t.asText()));
        JsonNode fault = s.path("fault");
        Instant created = null;
        if (s.hasNonNull("created")) {
            try {
                created = Instant.parse(s.get("created").asText());
            } catch (DateTimeParseException e) {
                created = null;
            }
        }
        StringBuilder addresses = new StringBuilder();
        s.path("addresses").properties().forEach(net -> net.getValue().forEach(a -> {
            if (addresses.length() > 0) {
                addresses.append(',');
            }
            addresses.append(net.getKey()).append('=').append(a.path("addr").asText());
        }));
        return new Server(s.path("id").asText(), s.path("name").asText(""), s.path("status").asText("UNKNOWN"),
                textOrNull(s, "OS-EXT-STS:task_state"), textOrNull(s, "OS-EXT-SRV-ATTR:host"), textOrNull(s, "OS-EXT-SRV-ATTR:hypervisor_hostname"),
                metadata, tags, fault.path("code").asInt(0), fault.hasNonNull("message") ? fault.get("message").asText() : null, created,
                s.path("flavor").hasNonNull("original_name") ? s.path("flavor").get("original_name").asText() : null, addresses.toString(),
                readAt);
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> out = new TreeMap<>();
        object.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static String textOrNull(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /**
     * Text as one segment of a path or a query value: percent-encoded, a space as {@code %20}.
     * {@link URLEncoder} writes a space as {@code +}, which a query reads as a space but a path
     * keeps as a plus: a flavor whose id holds a space (Nova allows one inside an id) was read at
     * {@code /flavors/my+flavor}, which Nova does not have.
     */
    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
