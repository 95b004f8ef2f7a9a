package dev.strata.provider.openstack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.provider.ComputeProvider;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.Generations;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.platform.api.provisioning.ProvisioningProvider;
import dev.strata.provider.openstack.auth.KeystoneSession;
import dev.strata.provider.openstack.auth.Session;
import dev.strata.provider.openstack.compute.Flavor;
import dev.strata.provider.openstack.compute.GlanceClient;
import dev.strata.provider.openstack.compute.Hypervisor;
import dev.strata.provider.openstack.compute.NovaClient;
import dev.strata.provider.openstack.compute.Server;
import dev.strata.provider.openstack.compute.ServerStates;
import dev.strata.provider.openstack.http.OpenStackHttp;
import dev.strata.provider.openstack.placement.PlacementClient;
import dev.strata.provider.openstack.placement.ProviderTree;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured OpenStack cloud: what {@link OpenStackCloudProvider} delegates to, built anew
 * when the configuration changes. Its compute hosts become nodes (Placement resource provider
 * trees and Nova hypervisors, see {@link HostNodes}) and the members placed there become Nova
 * servers on those hosts.
 *
 * <p>Provisioning targets the host placement chose (compute microversion 2.74 {@code host} and
 * {@code hypervisor_hostname}, which needs the admin role; {@code availability_zone: zone:host}
 * before 2.74), so no capacity offers are published. Every server carries the
 * {@link MachineLabels} as metadata and two tags, {@code strata} and one derived from its
 * operation id, by which {@link #find} and {@link #create} look it up before anything is made:
 * a repeated or crashed operation never makes a second server.
 *
 * <p>A create request that got no sure answer (no answer, a connection lost after sending, 502,
 * 503 or 504) may have made a server that Nova does not list yet. Asking again at once could make
 * a twin, so the provider records each request in a {@link CreateJournal} (the core's durable
 * {@link dev.strata.platform.api.provisioning.ProviderJournal} where there is one) before sending
 * it, and for {@link OpenStackSettings#createSettle()} after such an answer a {@code create} of
 * that operation only looks for the server by its tag: it answers retryable
 * ({@link ProviderUnavailableException}) and sends nothing, and so does {@link #find} while it
 * finds none. A request that surely never reached Nova (connection refused, no token) or that Nova
 * refused (4xx) may be sent again at once. One that Nova failed with an error of its own (500) may
 * also have made a server before it failed: the server is looked for the same way, and if it has
 * not shown when the settle period ends the create fails for good ({@link ProviderFailureException})
 * and its request is never sent again. A record that cannot be read is taken as a request sent
 * when Strata first read it, and holds back a new one for {@code requestTimeout} and
 * {@code createSettle} from then, as a request that was in flight when Strata stopped.
 *
 * <p>The record names the operation's server once Nova has accepted the request or the server
 * has been found by its tag. A repeated {@code create} of an operation whose server Nova no longer
 * has (deleted outside Strata) answers {@link MachineState#GONE} and makes no second server, as the
 * AWS provider does for a terminated instance; the core replaces the member under a new
 * operation. Only the record tells this apart from an operation that never made a server (Nova
 * no longer lists a deleted server by its tags): where the records are kept in memory only, a
 * restart forgets it, and the create makes a new server.
 *
 * <p>Several Strata installations may share the project. Servers are never nodes (the hosts are),
 * and every server, another installation's as any other, uses its host's room as Placement counts
 * it, which is the room discovery reports. A server whose metadata names another installation
 * ({@link MachineLabels#INSTALLATION}) is listed by {@link #machines} with that id, so the core's
 * reconciler leaves it alone, and is never taken for the server of one of this installation's
 * operations by {@link #create} or {@link #find}. A server without the label (made before Strata
 * labelled the installation) counts as this installation's, and until the core has said which
 * installation this is (its store is not up yet) every server Strata made does.
 *
 * <p>Construction reads no network; the first call authenticates. Apart from those records, keeps
 * no state the platform needs (ids are host names and server UUIDs; generations the wall clock, kept
 * above every earlier one across restarts by a mark in Karaf's data folder, {@link Generations}).
 * Thread-safe.
 */
public final class OpenStackCloud implements ComputeProvider, ProvisioningProvider {

    private static final Logger LOG = LoggerFactory.getLogger(OpenStackCloud.class);
    private static final String TAG = OpenStackCloudProvider.TAG;
    private static final String NODE_LABEL = OpenStackCloudProvider.NODE_LABEL;
    private static final Duration FIRST_POLL = Duration.ofMillis(250);
    private static final Duration LONGEST_POLL = Duration.ofSeconds(2);

    private final OpenStackSettings settings;
    private final Session session;
    private final PlacementClient placement;
    private final NovaClient nova;
    private final GlanceClient glance;
    private final HostNodes hosts;
    private final Clock clock;
    private final ExecutorService pool;
    private final CreateJournal journal;
    private final Supplier<String> installation;
    private final ObjectMapper json = new ObjectMapper();
    private final Generations generations;
    /** Discoveries reading with {@link #pool} now, and whether it is let go once they have ended; guarded by this. */
    private int discovering;
    private boolean closing;

    /**
     * A cloud reached through Keystone with the configured credentials, recording its create
     * requests in {@code journal}.
     *
     * @param installation this installation's id ({@link MachineLabels#INSTALLATION}), null while
     *     the core has not said it
     */
    static OpenStackCloud connect(OpenStackSettings settings, Clock clock, CreateJournal journal, Supplier<String> installation) {
        return connect(settings, clock, journal, installation, Generations.inMemory(clock));
    }

    /** A cloud reached through Keystone, as above, whose snapshots take their generations from {@code generations}. */
    static OpenStackCloud connect(OpenStackSettings settings, Clock clock, CreateJournal journal, Supplier<String> installation,
            Generations generations) {
        return new OpenStackCloud(settings, keystone(settings, clock), clock, journal, installation, generations);
    }

    /**
     * A cloud on a session of the caller's (Placement alone with noauth2, in tests and benchmarks),
     * recording its create requests in this process's memory.
     */
    public OpenStackCloud(OpenStackSettings settings, Session session, Clock clock) {
        this(settings, session, clock, new CreateJournal(clock));
    }

    OpenStackCloud(OpenStackSettings settings, Session session, Clock clock, CreateJournal journal) {
        this(settings, session, clock, journal, () -> null);
    }

    OpenStackCloud(OpenStackSettings settings, Session session, Clock clock, CreateJournal journal, Supplier<String> installation) {
        this(settings, session, clock, journal, installation, Generations.inMemory(clock));
    }

    OpenStackCloud(OpenStackSettings settings, Session session, Clock clock, CreateJournal journal, Supplier<String> installation,
            Generations generations) {
        this.settings = settings;
        this.generations = generations;
        this.journal = journal;
        this.installation = installation;
        this.session = session;
        this.placement = new PlacementClient(session, json);
        this.nova = new NovaClient(session, json);
        this.glance = new GlanceClient(session);
        this.hosts = new HostNodes(settings);
        this.clock = clock;
        this.pool = Executors.newFixedThreadPool(settings.parallelism(), daemonThreads(settings.providerId()));
        LOG.info("OpenStack provider {} configured: {}", settings.providerId(), session.describe());
    }

    private static Session keystone(OpenStackSettings s, Clock clock) {
        OpenStackHttp http = new OpenStackHttp(s.connectTimeout(), s.requestTimeout());
        return new KeystoneSession(http, s.authUrl(), s.credentials(), s.endpointInterface(), s.region(), s.tokenRenewBefore(), clock);
    }

    private static ThreadFactory daemonThreads(String id) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "strata-openstack-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Stops the discovery threads: at once, or once the discoveries in progress have ended (a configuration change: a
     * discovery that has listed the hosts but not yet handed their reads to the threads still reads them).
     */
    void close(boolean now) {
        if (now) {
            pool.shutdownNow();
            return;
        }
        synchronized (this) {
            closing = true;
            if (discovering > 0) {
                return; // the last of them lets the threads go
            }
        }
        pool.shutdown();
    }

    /** A discovery begins: the threads to read with, or null (read on the caller's) where they were let go already. */
    private synchronized ExecutorService discoveryBegins() {
        discovering++;
        return pool.isShutdown() ? null : pool;
    }

    private void discoveryEnds() {
        synchronized (this) {
            if (--discovering > 0 || !closing) {
                return;
            }
        }
        pool.shutdown();
    }

    OpenStackSettings settings() {
        return settings;
    }

    public String providerId() {
        return settings.providerId();
    }

    public Session session() {
        return session;
    }

    public PlacementClient placement() {
        return placement;
    }

    public NovaClient nova() {
        return nova;
    }

    // ---------------------------------------------------------------- discovery

    @Override
    public ComputeSnapshot discoverCompute(DiscoveryContext context) {
        context.checkDeadline("OpenStack discovery");
        Instant takenAt = clock.instant();
        List<ProviderTree> trees;
        ExecutorService threads = discoveryBegins();
        try {
            trees = ProviderTree.of(placement.readAll(context, threads));
        } finally {
            discoveryEnds();
        }
        List<Hypervisor> hypervisors = null;
        Map<String, String> zones = Map.of();
        List<Flavor> flavors = List.of();
        if (session.offers("compute", context)) {
            hypervisors = nova.hypervisors(context);
            zones = nova.hostZones(context);
            flavors = nova.flavors(context);
        } else if (session.lists("compute", context)) {
            // Nova is in the catalogue, but not for the configured region and interface: taken as a cloud without Nova, its
            // hosts would be nodes that every create is refused on. The look-up fails naming where the catalogue has it
            session.endpoint("compute", context);
        }
        Map<String, Server> counted = Map.of();
        String own = installation.get();
        if (hypervisors != null && own != null) {
            // listed after the trees: a server made since they were read is in no allocation read, one deleted since is not
            // listed and its binding is reserved whole; either way the host's room is never counted short. Only servers that
            // name this installation: another's ledger numbers its allocations alike
            counted = new java.util.HashMap<>();
            for (Server s : nova.serversTagged(TAG, context)) {
                if (own.equals(s.metadata().get(MachineLabels.INSTALLATION)) && s.metadata().containsKey(MachineLabels.ALLOCATION)
                        && s.metadata().containsKey(MachineLabels.MEMBER)) {
                    counted.put(s.id(), s);
                }
            }
        }
        HostNodes.Hosts found = hosts.map(trees, hypervisors, zones, flavors, counted);
        long generation = generations.next();
        List<String> warnings = new ArrayList<>(found.warnings());
        warnings.addAll(generations.warnings());
        LOG.debug("OpenStack {}: {} nodes from {} provider trees ({} hypervisors, {} flavors)", settings.providerId(), found.nodes().size(),
                trees.size(), hypervisors == null ? "no Nova" : hypervisors.size(), flavors.size());
        return ComputeSnapshot.builder(generation, takenAt).sites(found.sites()).nodes(found.nodes()).warnings(warnings).build();
    }

    // ---------------------------------------------------------------- provisioning

    /**
     * Creates of one operation are serialised (look-up and request), so concurrent calls of one
     * operation in this process make one server; the wait for the server to settle is not. Striped,
     * shared by every instance of this class version.
     */
    private static final java.util.concurrent.locks.ReentrantLock[] OPERATION_LOCKS = new java.util.concurrent.locks.ReentrantLock[64];

    static {
        for (int i = 0; i < OPERATION_LOCKS.length; i++) {
            OPERATION_LOCKS[i] = new java.util.concurrent.locks.ReentrantLock();
        }
    }

    @Override
    public MachineStatus create(MachineRequest request, DiscoveryContext context) {
        context.checkDeadline("creating a server for " + request.member());
        String hostname = hostOf(request.target());
        java.util.concurrent.locks.ReentrantLock lock = OPERATION_LOCKS[Math.floorMod(request.operationId().hashCode(), OPERATION_LOCKS.length)];
        try {
            if (!lock.tryLock(Math.max(0, context.remaining().toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new ProviderTimeoutException("deadline passed while another create of operation " + request.operationId() + " ran");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderTimeoutException("interrupted while another create of operation " + request.operationId() + " ran", e);
        }
        Started started;
        try {
            started = startServer(request, hostname, context);
        } finally {
            lock.unlock();
        }
        if (started.unsure() != null) {
            // Outside the lock: the record of the request keeps other creates of the operation from sending.
            started = awaitServer(request.operationId(), started.unsure(), context);
        }
        if (started.known() != null) {
            return started.known();
        }
        try {
            return settle(started.server(), context);
        } catch (StrataException e) {
            throw serverExists(request.operationId(), started.server().id(), e);
        }
    }

    /**
     * A failure once Nova has the operation's server, as the SPI wants it: retryable, never final.
     * A final failure would make the core mark the operation failed and later delete the server as
     * a leak; retryable, the core repeats {@code create} with the same operation id, which finds
     * the server by its tag.
     */
    private static StrataException serverExists(String operationId, String serverId, StrataException e) {
        return retryable(e, "server " + InvalidConfigurationException.printable(serverId) + " of operation " + operationId
                + " exists, but reading it failed: " + e.getMessage() + "; the operation stays pending and its next try finds the server by "
                + "its tag");
    }

    /** A failure while Nova may have the operation's server (its create request got no sure answer): retryable too. */
    private static StrataException mayExist(String operationId, StrataException e) {
        return retryable(e, "Nova may have a server for operation " + operationId + " (its create request got no sure answer), but looking "
                + "for it failed: " + e.getMessage() + "; the operation stays pending and its next try looks again");
    }

    private static StrataException retryable(StrataException e, String message) {
        if (e instanceof ProviderUnavailableException || e instanceof ProviderTimeoutException) {
            return e;
        }
        return new ProviderUnavailableException(message, e);
    }

    /**
     * The operation's server as first seen, or its state when there is nothing to wait for, or a
     * create request whose outcome is unknown: then the server is looked for until {@code quietUntil}.
     */
    private record Started(Server server, MachineStatus known, Unsure unsure) {
        Started(Server server, MachineStatus known) {
            this(server, known, null);
        }
    }

    /**
     * A create request that got no sure answer, and until when no new one may be sent; with
     * {@code failed}, one Nova failed with an error of its own, which is final if the server does
     * not show by then.
     */
    private record Unsure(StrataException why, Instant quietUntil, boolean failed) {
    }

    /** Finds the operation's server, or asks Nova for one. */
    private Started startServer(MachineRequest request, String hostname, DiscoveryContext context) {
        String operationId = request.operationId();
        Optional<CreateJournal.Entry> before = recordOf(operationId);
        Instant lookedAt = clock.instant();
        Optional<Server> existing;
        try {
            existing = madeFor(operationId, before, context);
        } catch (StrataException e) {
            if (before.isPresent() && before.get().serverId() != null) {
                throw serverExists(operationId, before.get().serverId(), e);
            }
            throw before.isPresent() && before.get().mayHaveMadeServer() ? mayExist(operationId, e) : e;
        }
        if (existing.isPresent()) {
            LOG.info("OpenStack {}: operation {} already made server {}; not making another", settings.providerId(), operationId,
                    InvalidConfigurationException.printable(existing.get().id()));
            remember(operationId, before, existing.get());
            return new Started(existing.get(), null);
        }
        if (before.isPresent() && before.get().serverId() != null) {
            return new Started(null, madeAndGone(request, before.get(), context));
        }
        if (before.isPresent() && before.get().unanswered()) {
            boolean failed = before.get().state() == CreateJournal.State.FAILED;
            if (lookedAt.isBefore(before.get().quietUntil())) {
                throw new ProviderUnavailableException(failed
                        ? failedAwaiting(operationId, before.get().at(), before.get().detail(), before.get().quietUntil())
                        : unanswered(operationId, before.get().at(), before.get().detail(), before.get().quietUntil()));
            }
            if (failed) {
                throw new ProviderFailureException(failedForGood(operationId, before.get().detail()));
            }
            LOG.info("OpenStack {}: the create request of operation {} at {} got no sure answer ({}) and Nova lists no server for it "
                    + "after the settle period; asking again", settings.providerId(), operationId, before.get().at(),
                    before.get().detail() == null ? "Strata stopped before the answer came"
                            : InvalidConfigurationException.printable(before.get().detail()));
        }
        Hypervisor hv = nova.hypervisors(context).stream().filter(h -> h.hostname().equals(hostname)).findFirst()
                .orElseThrow(() -> new NotFoundException("node " + InvalidConfigurationException.printable(request.target().id())
                        + " is not a hypervisor of OpenStack provider " + settings.providerId() + " (any more)"));
        Map<String, String> params = request.parameters();
        Flavor flavor = flavor(request, hv, params.get("flavor"), context);
        String image = params.getOrDefault("image", settings.image());
        if (image == null || image.isBlank()) {
            throw new ProviderFailureException("no image for member " + request.member() + ": set image in the configuration of OpenStack provider "
                    + settings.providerId() + " or the member's image parameter");
        }
        String imageId = glance.imageId(image.strip(), context);

        ObjectNode server = json.createObjectNode();
        server.put("name", OpenStackCloudProvider.serverName(request));
        server.put("imageRef", imageId);
        server.put("flavorRef", flavor.id());
        List<String> networks = params.containsKey("networks") ? List.of(params.get("networks").split(",")) : settings.networks();
        if (networks.size() == 1 && (networks.get(0).strip().equals("none") || networks.get(0).strip().equals("auto"))) {
            server.put("networks", networks.get(0).strip());
        } else {
            ArrayNode nets = server.putArray("networks");
            networks.forEach(n -> nets.addObject().put("uuid", n.strip()));
        }
        ObjectNode metadata = server.putObject("metadata");
        Map<String, String> labels = new LinkedHashMap<>(request.labels());
        labels.put(NODE_LABEL, request.target().id());
        for (Map.Entry<String, String> l : labels.entrySet()) {
            if (l.getValue().length() > 255) {
                throw new ProviderFailureException(l.getKey() + " of member " + request.member() + " is " + l.getValue().length()
                        + " characters; Nova metadata values hold at most 255");
            }
            metadata.put(l.getKey(), l.getValue());
        }
        server.putArray("tags").add(TAG).add(OpenStackCloudProvider.operationTag(request.operationId()));
        if (nova.version(context).atLeast(NovaClient.HOST_TARGETING)) {
            server.put("host", hv.serviceHost());
            server.put("hypervisor_hostname", hv.hostname());
        } else {
            server.put("availability_zone", nova.hostZones(context).getOrDefault(hv.serviceHost(), "nova") + ":" + hv.serviceHost());
        }
        // Recorded before it is sent: a Strata that dies while the request is in flight leaves this record. The request may go
        // out as late as the call's deadline (a 429 is waited out and the request sent again, a refused token renewed and the
        // request sent again), so it is in flight until then, or for requestTimeout where that is later, and settles after.
        Instant sent = clock.instant();
        Duration inFlight = context.remaining().compareTo(settings.requestTimeout()) > 0 ? context.remaining() : settings.requestTimeout();
        try {
            journal.put(settings.providerId(), operationId, new CreateJournal.Entry(CreateJournal.State.SENDING, sent,
                    sent.plus(inFlight).plus(settings.createSettle()), null, null));
        } catch (ProviderUnavailableException e) {
            throw new ProviderUnavailableException(e.getMessage() + "; nothing was sent to Nova", e);
        }
        NovaClient.Creation outcome = nova.createServer(server, context);
        if (outcome instanceof NovaClient.Refused refused) {
            record(operationId, new CreateJournal.Entry(CreateJournal.State.REFUSED, clock.instant(), null, null, refused.why().getMessage()));
            throw refused.why();
        }
        if (outcome instanceof NovaClient.Unknown unknown) {
            Instant now = clock.instant();
            Instant quietUntil = now.plus(settings.createSettle());
            record(operationId, new CreateJournal.Entry(CreateJournal.State.UNKNOWN, now, quietUntil, null, unknown.why().getMessage()));
            LOG.warn("OpenStack {}: the request to create the server of operation {} got no sure answer ({}); looking for the server by its "
                    + "tag, and asking again not before {}", settings.providerId(), operationId, unknown.why().getMessage(), quietUntil);
            return new Started(null, null, new Unsure(unknown.why(), quietUntil, false));
        }
        if (outcome instanceof NovaClient.Failed failed) {
            Instant now = clock.instant();
            Instant quietUntil = now.plus(settings.createSettle());
            record(operationId, new CreateJournal.Entry(CreateJournal.State.FAILED, now, quietUntil, null, failed.why().getMessage()));
            LOG.warn("OpenStack {}: Nova failed the request to create the server of operation {} ({}); it may have made the server before "
                    + "failing, so it is looked for by its tag until {}, and the request is not sent again", settings.providerId(), operationId,
                    failed.why().getMessage(), quietUntil);
            return new Started(null, null, new Unsure(failed.why(), quietUntil, true));
        }
        String id = ((NovaClient.Accepted) outcome).serverId();
        record(operationId, new CreateJournal.Entry(CreateJournal.State.ACCEPTED, clock.instant(), null, id, null));
        // Nova's text (the server's id, the flavor's name) shown printable, as in the refusals
        LOG.info("OpenStack {}: server {} ({}) for member {} of deployment {} on host {}, flavor {}, operation {}", settings.providerId(),
                InvalidConfigurationException.printable(id), OpenStackCloudProvider.serverName(request), request.member(), request.deploymentId(),
                InvalidConfigurationException.printable(hostname), InvalidConfigurationException.printable(flavor.name()), request.operationId());
        Optional<Server> made;
        try {
            made = nova.server(id, context);
        } catch (ProviderTimeoutException e) {
            // The server exists; its state is not known yet. The handle is what the core must keep.
            return new Started(null, new MachineStatus(handle(id), MachineState.PENDING, null, request.target().id(), request.labels(),
                    Map.of("status", "unknown (no answer before the deadline)"), clock.instant()));
        } catch (StrataException e) {
            throw serverExists(request.operationId(), id, e);
        }
        if (made.isEmpty()) {
            return new Started(null, new MachineStatus(handle(id), MachineState.GONE, "server " + InvalidConfigurationException.printable(id)
                    + " vanished right after it was created", null, request.labels(), Map.of(), clock.instant()));
        }
        return new Started(made.get(), null);
    }

    private Flavor flavor(MachineRequest request, Hypervisor hv, String named, DiscoveryContext context) {
        NovaClient.Flavors flavors = nova.flavorsByAccess(context);
        if (named != null && !named.isBlank()) {
            // the contract's text, which a contract built in code (not read by the contract reader) may give with any character
            String shown = InvalidConfigurationException.printable(named);
            Optional<Flavor> usable = flavors.usable().stream().filter(f -> f.id().equals(named) || f.name().equals(named)).findFirst();
            if (usable.isPresent()) {
                return usable.get();
            }
            Optional<String> wrongSize = flavors.all().stream().filter(f -> f.id().equals(named) || f.name().equals(named)).findFirst()
                    .map(f -> flavors.malformed().get(f.id()));
            if (wrongSize.isPresent()) {
                throw new ProviderFailureException("member " + request.member() + " names flavor '" + shown + "', which Nova describes with "
                        + wrongSize.get() + "; Strata does not use the flavor until Nova describes it correctly");
            }
            Optional<String> malformed = flavors.all().stream().filter(f -> f.id().equals(named) || f.name().equals(named)).findFirst()
                    .flatMap(Flavor::malformedSpec);
            if (malformed.isPresent()) {
                throw new ProviderFailureException("member " + request.member() + " names flavor '" + shown + "', whose extra spec "
                        + InvalidConfigurationException.printable(malformed.get()) + " is not a whole number of 0 or more (Nova's scheduler "
                        + "ignores it); Strata does not use the flavor until the extra spec is corrected");
            }
            boolean elsewhere = flavors.all().stream().anyMatch(f -> f.id().equals(named) || f.name().equals(named));
            throw new NotFoundException("member " + request.member() + " names flavor '" + shown + "', which "
                    + (elsewhere ? "is private to other projects: its access list does not name project " + session.projectId(context)
                            : "Nova does not have"));
        }
        ProviderTree host = placement.readTree(hv.id(), context);
        FlavorChooser.Choice choice = FlavorChooser.choose(request.member(), request.resources(), host, flavors.usable(), flavors.all(),
                settings.createFlavors(), settings.flavorDiskGiB(), settings.pciGpus());
        if (choice.create() == null) {
            return choice.existing();
        }
        Flavor want = choice.create();
        if (choice.existing() != null) {
            LOG.info("OpenStack {}: flavor {} ({}) lacks extra specs {} that Strata gives it (its creation was cut short); setting them for "
                    + "member {}", settings.providerId(), InvalidConfigurationException.printable(choice.existing().name()),
                    InvalidConfigurationException.printable(choice.existing().id()),
                    choice.existing().specsToComplete(want), request.member());
            return nova.completeFlavor(choice.existing(), want, context);
        }
        LOG.info("OpenStack {}: creating flavor {} for member {}", settings.providerId(), want.name(), request.member());
        return nova.createFlavor(want.name(), want.vcpus(), want.ramMiB(), want.diskGiB(), want.extraSpecs(), context);
    }

    /**
     * After a create request of unknown outcome: looks for the operation's server by its tag until
     * it shows, the settle period ends or the deadline is near. Without it by then, the call is
     * retryable and sends nothing; a later call asks Nova again once the settle period is over.
     */
    private Started awaitServer(String operationId, Unsure unsure, DiscoveryContext context) {
        Duration poll = FIRST_POLL;
        while (true) {
            Optional<Server> made;
            try {
                made = findServer(operationId, context);
            } catch (StrataException e) {
                throw mayExist(operationId, e);
            }
            if (made.isPresent()) {
                LOG.info("OpenStack {}: Nova made server {} for operation {} although the request got no sure answer; not asking again",
                        settings.providerId(), InvalidConfigurationException.printable(made.get().id()), operationId);
                remember(operationId, Optional.empty(), made.get());
                return new Started(made.get(), null);
            }
            if (unsure.failed() && !clock.instant().isBefore(unsure.quietUntil())) {
                throw new ProviderFailureException(failedForGood(operationId, unsure.why().getMessage()), unsure.why());
            }
            if (!clock.instant().isBefore(unsure.quietUntil()) || context.remaining().compareTo(poll.plus(Duration.ofMillis(500))) < 0) {
                if (unsure.failed()) {
                    throw new ProviderUnavailableException(failedAwaiting(operationId, null, unsure.why().getMessage(), unsure.quietUntil()),
                            unsure.why());
                }
                throw new ProviderUnavailableException(unanswered(operationId, null, unsure.why().getMessage(), unsure.quietUntil()),
                        unsure.why());
            }
            sleep(poll);
            poll = poll.multipliedBy(2).compareTo(LONGEST_POLL) > 0 ? LONGEST_POLL : poll.multipliedBy(2);
        }
    }

    private static String failedAwaiting(String operationId, Instant at, String detail, Instant quietUntil) {
        return "Nova failed the create request of operation " + operationId + (at == null ? "" : " at " + at) + " ("
                + InvalidConfigurationException.printable(detail) + ") and lists no server with the operation's tag yet; it is looked for "
                + "until " + quietUntil + ", and the operation fails if none shows by then";
    }

    private String failedForGood(String operationId, String detail) {
        return "Nova failed the create request of operation " + operationId + " (" + InvalidConfigurationException.printable(detail)
                + ") and lists no server with the operation's tag after the settle period (createSettle " + settings.createSettle().toSeconds()
                + "s): it made none, and the request is "
                + "not sent again; should Nova list a server for the operation later, leak detection finds it";
    }

    private static String unanswered(String operationId, Instant at, String detail, Instant quietUntil) {
        return "Nova has not said whether it made the server of operation " + operationId + ": its create request" + (at == null ? "" : " at " + at)
                + (detail == null ? " was in flight when Strata stopped"
                        : " got no sure answer (" + InvalidConfigurationException.printable(detail) + ")")
                + ", and Nova lists no server with the operation's tag yet; the operation stays pending, and Nova is not asked again before "
                + quietUntil;
    }

    /**
     * The record of an operation's create request. One that cannot be read is taken as a request
     * sent when it was first read, still in flight for {@code requestTimeout} and then settling for
     * {@code createSettle}, as one sent just before Strata stopped ({@link CreateJournal.State#SENDING}).
     */
    private Optional<CreateJournal.Entry> recordOf(String operationId) {
        return journal.get(settings.providerId(), operationId, settings.requestTimeout().plus(settings.createSettle()));
    }

    /** Records what became of a create request, where a failure to record changes nothing but is told. */
    private void record(String operationId, CreateJournal.Entry entry) {
        try {
            journal.put(settings.providerId(), operationId, entry);
        } catch (ProviderUnavailableException e) {
            LOG.warn("OpenStack {}: {}; the record of the request sent stays, and the server is still found by its tag", settings.providerId(),
                    e.getMessage());
        }
    }

    /**
     * Records the server found for an operation whose record does not name it yet (its request got
     * no sure answer, or it has no record at all), so that a later create knows the operation made
     * it even once Nova no longer has it.
     */
    private void remember(String operationId, Optional<CreateJournal.Entry> before, Server found) {
        if (before.isEmpty() || before.get().serverId() == null) {
            record(operationId, new CreateJournal.Entry(CreateJournal.State.ACCEPTED, clock.instant(), null, found.id(), null));
        }
    }

    /**
     * The answer to a create of an operation whose server Nova made (its record names it) and no
     * longer lists: {@link MachineState#GONE}, as for a machine deleted outside Strata; a second
     * server is not made for the operation (the core replaces a member whose machine is gone under
     * a new operation). Should Nova still have the server, only without the operation's metadata,
     * the create fails rather than make another.
     */
    private MachineStatus madeAndGone(MachineRequest request, CreateJournal.Entry before, DiscoveryContext context) {
        String operationId = request.operationId();
        String id = before.serverId();
        // the record's text (Nova's id, as the record holds it) is shown printable, as Nova's is
        String shown = InvalidConfigurationException.printable(id);
        Optional<Server> byId;
        try {
            byId = nova.server(id, context);
        } catch (StrataException e) {
            throw serverExists(operationId, id, e);
        }
        if (byId.isPresent() && ServerStates.of(byId.get().status(), byId.get().taskState()) != MachineState.GONE) {
            throw new ProviderFailureException("server " + shown + ", which Nova made for operation " + operationId + ", no longer carries "
                    + MachineLabels.OPERATION + " = " + operationId + " in its metadata (changed outside Strata); it is not taken as the "
                    + "operation's server, and no other is made for the operation");
        }
        LOG.info("OpenStack {}: server {} of operation {} (recorded {}) is gone from Nova, deleted outside Strata; the operation made its "
                + "server once and makes no other", settings.providerId(), shown, operationId, before.at());
        return new MachineStatus(handle(id), MachineState.GONE, "server " + shown + " of operation " + operationId + " no longer exists in "
                + "Nova (deleted outside Strata); the operation made its server and does not make another", null, request.labels(), Map.of(),
                clock.instant());
    }

    /**
     * The server an operation made: by its tag, or, should Nova's listing miss it, by the id Nova
     * answered the create request with.
     */
    private Optional<Server> madeFor(String operationId, Optional<CreateJournal.Entry> record, DiscoveryContext context) {
        Optional<Server> found = findServer(operationId, context);
        if (found.isEmpty() && record.isPresent() && record.get().serverId() != null) {
            found = nova.server(record.get().serverId(), context).filter(s -> operationId.equals(s.metadata().get(MachineLabels.OPERATION)))
                    .filter(this::ours).filter(s -> ServerStates.of(s.status(), s.taskState()) != MachineState.GONE);
        }
        return found;
    }

    /** Polls the server until it is ACTIVE, failed or gone, or until the deadline is near. */
    private MachineStatus settle(Server first, DiscoveryContext context) {
        Server s = first;
        Duration poll = FIRST_POLL;
        while (true) {
            MachineStatus status = status(s);
            if (status.state() != MachineState.PENDING && status.state() != MachineState.DELETING) {
                return status;
            }
            if (context.remaining().compareTo(poll.plus(Duration.ofMillis(500))) < 0) {
                return status;
            }
            sleep(poll);
            poll = poll.multipliedBy(2).compareTo(LONGEST_POLL) > 0 ? LONGEST_POLL : poll.multipliedBy(2);
            Optional<Server> next;
            try {
                next = nova.server(s.id(), context);
            } catch (ProviderTimeoutException e) {
                // The deadline came during the poll: report the last state seen.
                return status;
            }
            if (next.isEmpty()) {
                return gone(handle(s.id()), labels(s));
            }
            s = next.get();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderTimeoutException("interrupted while waiting for a Nova server", e);
        }
    }

    @Override
    public MachineStatus describe(MachineHandle handle, DiscoveryContext context) {
        requireOurs(handle);
        return nova.server(handle.machineId(), context).map(this::status).orElseGet(() -> gone(handle, Map.of()));
    }

    /**
     * {@inheritDoc}
     *
     * <p>While a create request of the operation that got no sure answer is within its settle
     * period and Nova lists no server for it, the answer is not "none" but retryable
     * ({@link ProviderUnavailableException}): the server may still appear.
     */
    @Override
    public Optional<MachineStatus> find(String operationId, DiscoveryContext context) {
        Optional<CreateJournal.Entry> record = recordOf(operationId);
        Instant lookedAt = clock.instant();
        Optional<Server> found = madeFor(operationId, record, context);
        if (found.isEmpty() && record.isPresent() && record.get().unanswered() && lookedAt.isBefore(record.get().quietUntil())) {
            throw new ProviderUnavailableException(unanswered(operationId, record.get().at(), record.get().detail(),
                    record.get().quietUntil()));
        }
        if (found.isPresent() && record.isPresent()) {
            // a request of this provider's made it (as a create does: once it is deleted, a later create of the operation is
            // GONE, not a second request); without a record, the server may be another installation's, not yet known as such
            remember(operationId, record, found.get());
        }
        return found.map(this::status);
    }

    /**
     * The operation's server by its tag. Where several carry it (a request sent again after the settle period, and the
     * first one's server showed after all), the oldest that Nova has not failed (ERROR) is the operation's: a server
     * in ERROR left by one request is not taken for the operation's when another of its requests made a live one, which
     * would fail the operation and leave its live server to leak detection. The others are named in a warning.
     */
    private Optional<Server> findServer(String operationId, DiscoveryContext context) {
        List<Server> found = new ArrayList<>(nova.serversTagged(OpenStackCloudProvider.operationTag(operationId), context).stream()
                .filter(s -> operationId.equals(s.metadata().get(MachineLabels.OPERATION)))
                .filter(this::ours)
                .filter(s -> ServerStates.of(s.status(), s.taskState()) != MachineState.GONE)
                .toList());
        if (found.size() > 1) {
            found.sort(Comparator.comparing((Server s) -> "ERROR".equalsIgnoreCase(s.status()))
                    .thenComparing(Server::created, Comparator.nullsLast(Comparator.naturalOrder())));
            LOG.warn("OpenStack {}: {} servers carry operation {}: {}; reporting {}, the oldest{}", settings.providerId(), found.size(),
                    operationId, found.stream().map(s -> InvalidConfigurationException.printable(s.id() + " (" + s.status() + ")")).toList(),
                    InvalidConfigurationException.printable(found.get(0).id()),
                    "ERROR".equalsIgnoreCase(found.get(0).status()) ? "" : " not in ERROR");
        }
        return found.stream().findFirst();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Every server of the project tagged {@code strata} with an operation id, another
     * installation's too: its labels carry that installation's id, by which the core's reconciler
     * leaves it alone (it is neither a member here nor a leak).
     */
    @Override
    public List<MachineStatus> machines(DiscoveryContext context) {
        return nova.serversTagged(TAG, context).stream().filter(s -> s.metadata().containsKey(MachineLabels.OPERATION)).map(this::status).toList();
    }

    @Override
    public MachineStatus delete(MachineHandle handle, DiscoveryContext context) {
        requireOurs(handle);
        Optional<Server> before = nova.server(handle.machineId(), context);
        if (before.isEmpty() || !nova.deleteServer(handle.machineId(), context)) {
            return gone(handle, before.map(this::labels).orElse(Map.of()));
        }
        // the handle's id (Nova's, as the core stored it) and the server's name (anyone in the project may rename it): printable
        LOG.info("OpenStack {}: deleting server {} ({})", settings.providerId(), InvalidConfigurationException.printable(handle.machineId()),
                InvalidConfigurationException.printable(before.get().name()));
        Duration poll = FIRST_POLL;
        while (context.remaining().compareTo(poll.plus(Duration.ofMillis(500))) >= 0) {
            sleep(poll);
            poll = poll.multipliedBy(2).compareTo(LONGEST_POLL) > 0 ? LONGEST_POLL : poll.multipliedBy(2);
            Optional<Server> now = nova.server(handle.machineId(), context);
            if (now.isEmpty()) {
                return gone(handle, labels(before.get()));
            }
            if (ServerStates.of(now.get().status(), now.get().taskState()) == MachineState.GONE) {
                return gone(handle, labels(now.get()));
            }
        }
        return new MachineStatus(handle, MachineState.DELETING, null, nodeOf(before.get()), labels(before.get()), Map.of(), clock.instant());
    }

    // ---------------------------------------------------------------- mapping

    MachineStatus status(Server s) {
        MachineState state = ServerStates.of(s.status(), s.taskState());
        String message = null;
        if (state == MachineState.FAILED) {
            message = failure(s);
        } else if (state == MachineState.PENDING && "BUILD".equalsIgnoreCase(s.status()) && s.created() != null
                && building(s).compareTo(settings.buildTimeout()) > 0) {
            state = MachineState.FAILED;
            // Nova's text (the id, the task state) reaches logs and the shell: shown escaped, as in failure(s)
            message = InvalidConfigurationException.printable("server " + s.id() + " has been building for " + building(s).toSeconds()
                    + " s (task " + (s.taskState() == null ? "none" : s.taskState()) + "), longer than buildTimeout "
                    + settings.buildTimeout().toSeconds() + " s; Nova's conductor, scheduler or compute service may be down");
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("name", s.name());
        attributes.put("status", s.status());
        put(attributes, "taskState", s.taskState());
        put(attributes, "host", s.host());
        put(attributes, "hypervisor", s.hypervisorHostname());
        put(attributes, "flavor", s.flavorName());
        put(attributes, "created", s.created() == null ? null : s.created().toString());
        if (!s.addresses().isEmpty()) {
            attributes.put("addresses", s.addresses());
        }
        return new MachineStatus(handle(s.id()), state, message, nodeOf(s), labels(s), attributes, clock.instant());
    }

    /**
     * How long a server has been building, by Nova's clock ({@code created} is by it): until Nova's
     * answer that showed it, or, where that had no date, until now by Strata's clock.
     */
    private Duration building(Server s) {
        return Duration.between(s.created(), s.readAt() != null ? s.readAt() : clock.instant());
    }

    /**
     * Why a server counts as failed. Nova's text in it (the fault, the name, the status) reaches logs and the shell: its
     * control and format characters (an escape sequence, a bidi override) are shown escaped.
     */
    private static String failure(Server s) {
        if (!"ERROR".equalsIgnoreCase(s.status())) {
            return InvalidConfigurationException.printable(ServerStates.notRunning(s.status()));
        }
        String fault = s.faultMessage() == null ? "Nova gave no fault message" : s.faultMessage();
        if (fault.contains("No valid host")) {
            return InvalidConfigurationException.printable("NoValidHost: Nova found no host with room for server " + s.name() + " ("
                    + s.id() + ") on the host Strata chose" + (s.flavorName() == null ? "" : ", flavor " + s.flavorName()) + ": " + fault);
        }
        return InvalidConfigurationException.printable("Nova failed server " + s.name() + " (" + s.id() + ")" + (s.faultCode() == 0 ? ""
                : " with fault " + s.faultCode()) + ": " + fault);
    }

    private String nodeOf(Server s) {
        if (s.hypervisorHostname() != null) {
            return HostNodes.nodeId(settings.providerId(), s.hypervisorHostname());
        }
        return s.metadata().get(NODE_LABEL);
    }

    private Map<String, String> labels(Server s) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String key : List.of(MachineLabels.DEPLOYMENT, MachineLabels.MEMBER, MachineLabels.TENANT, MachineLabels.OPERATION,
                MachineLabels.INSTALLATION, MachineLabels.ALLOCATION)) {
            put(labels, key, s.metadata().get(key));
        }
        return labels;
    }

    /**
     * Whether a server is this installation's, as far as its metadata says: it names this
     * installation, or none (made before Strata labelled the installation), or this installation's
     * id is not known yet.
     */
    private boolean ours(Server s) {
        String owner = s.metadata().get(MachineLabels.INSTALLATION);
        if (owner == null) {
            return true;
        }
        String own = installation.get();
        return own == null || owner.equals(own);
    }

    private MachineStatus gone(MachineHandle handle, Map<String, String> labels) {
        return new MachineStatus(handle, MachineState.GONE, null, null, labels, Map.of(), clock.instant());
    }

    private MachineHandle handle(String serverId) {
        Map<String, String> attributes = new LinkedHashMap<>();
        put(attributes, "region", settings.region());
        return new MachineHandle(settings.providerId(), serverId, attributes);
    }

    private void requireOurs(MachineHandle handle) {
        if (!handle.providerId().equals(settings.providerId())) {
            throw new NotFoundException("machine " + InvalidConfigurationException.printable(handle.machineId()) + " belongs to provider "
                    + InvalidConfigurationException.printable(handle.providerId()) + ", not to OpenStack provider "
                    + settings.providerId());
        }
    }

    private String hostOf(MachineTarget target) {
        String prefix = settings.providerId() + ":";
        if (target.kind() != MachineTarget.Kind.NODE) {
            throw new NotFoundException("offer " + InvalidConfigurationException.printable(target.id()) + " is not OpenStack provider "
                    + settings.providerId() + "'s: it places servers on hosts and publishes no capacity offers");
        }
        if (!target.id().startsWith(prefix) || target.id().length() == prefix.length()) {
            throw new NotFoundException("node " + InvalidConfigurationException.printable(target.id()) + " is not OpenStack provider "
                    + settings.providerId() + "'s (its nodes are " + prefix + "<host>)");
        }
        return target.id().substring(prefix.length());
    }

    private static void put(Map<String, String> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
