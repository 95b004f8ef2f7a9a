package dev.strata.provider.baremetal.bmc;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured BMCs, discovered together: in parallel on a bounded pool, each BMC bounded by
 * its own deadline (the smaller of {@code bmcTimeout} from when its turn comes and the caller's
 * deadline). A BMC that fails (unreachable, wrong password, changed certificate, busy, a bug in
 * its tree) costs only its own nodes: they are reported UNAVAILABLE with the reason in
 * {@link NodeTemplate#ERROR}, with the details last read from it when there are any, and the
 * other BMCs' nodes are unaffected. A system of a BMC that could not be read while the BMC's
 * other systems were costs only its own node, shown the same way ({@link #withLastRead}).
 *
 * <p>The pool and {@code bmcTimeout} change together ({@link #reconfigure}): a discovery, or a
 * search for a node, runs to its end on those it began with, and the previous pool's threads end
 * once the last call using them has.
 *
 * <p>Closing the fleet (the provider stops) stops every pool, the current one and those a change
 * replaced that a call still uses: a BMC being read is interrupted, one waiting for a thread is
 * not read, and a call in progress ends with {@link ProviderUnavailableException} saying the
 * provider stopped. The BMCs are closed once the reads in progress have let go of them, waiting
 * at most {@link #STOP_WAIT}: a read that began on a replaced pool never goes on on a BMC already
 * closed.
 */
public final class BmcFleet implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BmcFleet.class);
    /**
     * The most {@link #close} waits for the reads it interrupted to let go of their BMCs before it
     * closes them. A read honours interruption at once (Redfish) or once its ipmitool is killed;
     * one that still holds its BMC after this keeps its client, closed after it as after a change.
     */
    static final Duration STOP_WAIT = Duration.ofSeconds(5);

    /** Where a node is managed. */
    public record Location(ConfiguredBmc bmc, String system, Node node) {
    }

    private final String providerId;
    private final Clock clock;
    private final AtomicInteger threadNumber = new AtomicInteger();
    private volatile Workers workers;
    private final Map<String, ConfiguredBmc> bmcs = new ConcurrentHashMap<>();
    /** Taken to add or remove a BMC, so that whether its name clashes is told in the order the BMCs come and go ({@link #clashes}). */
    private final Object names = new Object();
    private final Map<String, List<Node>> lastGood = new ConcurrentHashMap<>();
    private final Map<String, String> lastError = new ConcurrentHashMap<>();
    private volatile Map<String, Location> locations = Map.of();
    /** Every pool not yet let go: the current one and those a change replaced that a call still uses. */
    private final Set<Workers> pools = ConcurrentHashMap.newKeySet();
    /** Guards {@link #stopped} and {@link #reading}. */
    private final Object reads = new Object();
    /** Set by {@link #close}: no read of a BMC begins from then on. */
    private boolean stopped;
    /** How many reads and operations hold a BMC now ({@link #hold}): {@link #close} waits for them before it closes the BMCs. */
    private int reading;

    public BmcFleet(String providerId, int threads, Duration bmcTimeout, Clock clock) {
        this.providerId = providerId;
        this.clock = clock;
        this.workers = new Workers(threads, bmcTimeout);
    }

    /**
     * The threads and the per-BMC bound of the calls that begin from now on. Calls in progress
     * finish on the previous ones, whose threads end once the last of those calls has. Once the
     * fleet is closed it does nothing (logged): a pool made then would be one that nothing stops.
     */
    public void reconfigure(int threads, Duration bmcTimeout) {
        // under the lock close sets stopped by: a pool made here is either in place before close stops the pools, or not made
        synchronized (reads) {
            if (stopped) {
                LOG.info("BMC provider stopped: the change of discoveryThreads to {} and bmcTimeout to {} s is not applied", threads,
                        bmcTimeout.toSeconds());
                return;
            }
            Workers previous = workers;
            workers = new Workers(threads, bmcTimeout);
            previous.retire();
        }
    }

    /** How many pools are not yet let go (tests). */
    int livePools() {
        return pools.size();
    }

    /** The number of BMCs read at once by the calls that begin now. */
    public int threads() {
        return workers.threads;
    }

    /** The most one BMC's discovery may take in the calls that begin now. */
    public Duration bmcTimeout() {
        return workers.bmcTimeout;
    }

    /** The workers of a call that begins now, held until it {@link Workers#leave}s them. */
    private Workers enter() {
        while (true) {
            Workers current = workers;
            if (current.enter()) {
                return current;
            }
            if (current == workers) {
                throw new ProviderUnavailableException("the BMC provider has stopped");
            }
            // retired and let go between the read and the entry: the workers that replaced them are in place
        }
    }

    /**
     * A pool of threads and the per-BMC bound that go with it. Retired by a reconfiguration, its
     * threads are let go once the last call that entered it leaves: a call in progress never finds
     * its pool shut under it.
     */
    private final class Workers {
        final int threads;
        final Duration bmcTimeout;
        final ExecutorService pool;
        private int users;
        private boolean retired;

        Workers(int threads, Duration bmcTimeout) {
            this.threads = threads;
            this.bmcTimeout = bmcTimeout;
            ThreadFactory factory = r -> {
                Thread t = new Thread(r, "strata-bmc-" + threadNumber.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            this.pool = Executors.newFixedThreadPool(Math.max(1, threads), factory);
            pools.add(this);
        }

        /** False once the pool is let go: the caller takes the workers that replaced these. */
        synchronized boolean enter() {
            if (pool.isShutdown()) {
                return false;
            }
            users++;
            return true;
        }

        synchronized void leave() {
            if (--users == 0 && retired) {
                pool.shutdown();
                pools.remove(this);
            }
        }

        synchronized void retire() {
            retired = true;
            if (users == 0) {
                pool.shutdown();
                pools.remove(this);
            }
        }

        /**
         * Stops the pool now: the reads on its threads are interrupted, and those still waiting for
         * a thread are cancelled, so that the call waiting for them is not left waiting until its
         * deadline.
         */
        void stop() {
            for (Runnable waiting : pool.shutdownNow()) {
                if (waiting instanceof Future<?> f) {
                    f.cancel(false);
                }
            }
            pools.remove(this);
        }
    }

    /**
     * Reads a BMC through its client, held to the end of the read (a change of the BMC's
     * configuration meanwhile closes it only after it); refused once the fleet is closed, so that no
     * read begins on a BMC that {@link #close} closes.
     */
    private <T> T read(ConfiguredBmc bmc, java.util.function.Function<ConfiguredBmc.Use, T> read) {
        try (ConfiguredBmc.Use use = hold(bmc, null)) {
            return read.apply(use);
        }
    }

    /**
     * The BMC's client for a discovery or an operation (create, delete, describe), held until the
     * use is closed and counted with the reads {@link #close} waits for: refused once the fleet is
     * closed, so that no call opens a client after the BMCs are closed, and one that holds a BMC
     * when the provider stops is given {@link #STOP_WAIT} to let go of it before it is closed.
     *
     * @param refused what the call that is refused does not do, for its message; null for a read of the fleet's own
     * @throws ProviderUnavailableException once the fleet is closed
     */
    ConfiguredBmc.Use hold(ConfiguredBmc bmc, String refused) {
        synchronized (reads) {
            if (stopped) {
                throw refused == null ? stopped() : new ProviderUnavailableException("the BMC provider has stopped: " + refused);
            }
            reading++;
        }
        try {
            return bmc.use(this::release);
        } catch (RuntimeException | Error e) {
            release();
            throw e;
        }
    }

    private void release() {
        synchronized (reads) {
            reading--;
            reads.notifyAll();
        }
    }

    boolean isStopped() {
        synchronized (reads) {
            return stopped;
        }
    }

    /**
     * Waits at most {@code wait} for the fleet to be closed (an operation's wait for a power
     * change): true once it is, at once, so that the operation lets go of its BMC before
     * {@link #close} closes it.
     */
    boolean stoppedWithin(Duration wait) throws InterruptedException {
        long end = System.nanoTime() + wait.toNanos();
        synchronized (reads) {
            long left;
            while (!stopped && (left = end - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(reads, left);
            }
            return stopped;
        }
    }

    private static ProviderUnavailableException stopped() {
        return new ProviderUnavailableException("the BMC provider has stopped");
    }

    /** The end of a call the fleet's close interrupted: its futures cancelled, and why. */
    private static ProviderUnavailableException stoppedDuring(Map<?, ? extends Future<?>> futures, String what) {
        futures.values().forEach(f -> f.cancel(true));
        return new ProviderUnavailableException("the BMC provider has stopped while " + what + ": its BMCs are closed, and the call "
                + "ends without reading them further");
    }

    public void add(ConfiguredBmc bmc) {
        ConfiguredBmc previous;
        List<Runnable> telling = new ArrayList<>();
        synchronized (names) {
            previous = bmcs.put(bmc.pid(), bmc);
            if (previous != null && previous != bmc) {
                telling.add(previous.nameClash(null));
                if (!previous.name().equals(bmc.name())) {
                    clashes(previous.name(), telling);
                }
            }
            clashes(bmc.name(), telling);
        }
        telling.forEach(Runnable::run);
        if (previous != null && previous != bmc) {
            previous.close();
        }
    }

    public void remove(ConfiguredBmc bmc) {
        List<Runnable> telling = new ArrayList<>();
        synchronized (names) {
            if (bmcs.remove(bmc.pid(), bmc)) {
                telling.add(bmc.nameClash(null));
                clashes(bmc.name(), telling);
            }
        }
        telling.forEach(Runnable::run);
        lastGood.remove(bmc.name());
        lastError.remove(bmc.name());
    }

    /**
     * Tells each BMC of this name whether another configuration gives it too
     * ({@link ConfiguredBmc#nameClash}): each one of a clash tells the core of its refusal when the
     * clash begins, once, and one left alone with the name is told that it has ended, so that a
     * later clash is told again. Called under {@link #names} for each BMC added or removed (a BMC's
     * name does not change while its component lives), so that each BMC learns of the clashes in
     * the order the BMCs came and went; what the BMCs tell the core is added to {@code telling},
     * run once the lock is let go.
     */
    private void clashes(String name, List<Runnable> telling) {
        List<ConfiguredBmc> named = bmcs.values().stream().filter(b -> b.name().equals(name)).toList();
        for (ConfiguredBmc b : named) {
            telling.add(b.nameClash(named.size() > 1 ? nameConflict(b).map(InvalidConfigurationException::getMessage).orElse(null) : null));
        }
    }

    /** The configured BMCs by name order. */
    public List<ConfiguredBmc> bmcs() {
        List<ConfiguredBmc> list = new ArrayList<>(bmcs.values());
        list.sort(Comparator.comparing(ConfiguredBmc::name).thenComparing(ConfiguredBmc::pid));
        return list;
    }

    /**
     * The BMC of this name, if one is configured.
     *
     * @throws InvalidConfigurationException when two configurations give this name (see {@link #nameConflict})
     */
    public Optional<ConfiguredBmc> byName(String name) {
        List<ConfiguredBmc> named = bmcs().stream().filter(b -> b.name().equals(name)).toList();
        if (named.size() > 1) {
            throw nameConflict(named.get(0)).orElseThrow();
        }
        return named.stream().findFirst();
    }

    /**
     * Why a BMC cannot be used when another configuration gives the same name: operations record
     * their BMC by name (so do node ids without a system UUID), and a power request meant for one
     * machine would reach the other BMC, whose system of the same path (a Redfish
     * {@code /redfish/v1/Systems/1}, IPMI's only system) is another machine. Neither BMC's machines
     * are discovered or provisioned until one of the configurations is removed, or renamed and
     * Strata restarted (a BMC's new name waits for the next start, {@code ConfiguredBmc}). Each BMC
     * of the clash tells the core of its refusal when the clash begins ({@link #clashes}).
     */
    Optional<InvalidConfigurationException> nameConflict(ConfiguredBmc bmc) {
        List<String> others = bmcs.values().stream().filter(b -> b != bmc && !b.pid().equals(bmc.pid()) && b.name().equals(bmc.name()))
                .map(ConfiguredBmc::pid).sorted().toList();
        if (others.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new InvalidConfigurationException(bmc.pid(), "name", bmc.name(), "a name unique among the BMCs; "
                + (others.size() == 1 ? "configuration " + others.get(0) + " gives it too" : "configurations " + String.join(", ", others)
                + " give it too") + "; the machines of both are neither discovered nor provisioned until one of them is removed, or renamed "
                + "and Strata restarted (a new name waits for the next start)"));
    }

    /** Where the node is managed, as the latest discovery saw it. */
    public Optional<Location> locate(String nodeId) {
        return Optional.ofNullable(locations.get(nodeId));
    }

    /**
     * Where a node is: known from the latest discovery, or else found by asking every BMC
     * configured without a problem (in parallel) for its systems only, without the inventory
     * detail, for a node no discovery has reported yet. Empty only when every one of them listed
     * its systems and none holds the node.
     *
     * @throws ProviderTimeoutException when the deadline passed before a BMC that did not answer could list its systems
     * @throws ProviderUnavailableException when a BMC could not list its systems (unreachable, failing) and the others lack the node
     */
    public Optional<Location> find(String nodeId, DiscoveryContext context) {
        Optional<Location> known = locate(nodeId);
        if (known.isPresent()) {
            return known;
        }
        Workers w = enter();
        try {
            return find(nodeId, context, w);
        } finally {
            w.leave();
        }
    }

    private Optional<Location> find(String nodeId, DiscoveryContext context, Workers w) {
        List<ConfiguredBmc> list = bmcs().stream().filter(b -> b.problem() == null).toList();
        Map<ConfiguredBmc, Future<Map<String, String>>> futures = new LinkedHashMap<>();
        for (ConfiguredBmc bmc : list) {
            try {
                futures.put(bmc, w.pool.submit(() -> read(bmc, use -> use.bmc().systems(use.template(providerId),
                        bounded(context, w.bmcTimeout)))));
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                // the pool stopped after this call entered it: only the close stops a pool in use
                throw stoppedDuring(futures, "looking for node " + nodeId);
            }
        }
        Location found = null;
        List<String> unanswered = new ArrayList<>();
        for (Map.Entry<ConfiguredBmc, Future<Map<String, String>>> e : futures.entrySet()) {
            try {
                String system = e.getValue().get(Math.max(0, context.remaining().toNanos()), TimeUnit.NANOSECONDS).get(nodeId);
                if (system != null && found == null) {
                    found = new Location(e.getKey(), system, null);
                }
            } catch (ExecutionException | TimeoutException | java.util.concurrent.CancellationException ex) {
                if (isStopped()) {
                    throw stoppedDuring(futures, "looking for node " + nodeId);
                }
                e.getValue().cancel(true);
                unanswered.add(e.getKey().name());
                LOG.debug("BMC {} could not list its systems: {}", e.getKey().name(), String.valueOf(ex.getCause()));
            } catch (InterruptedException ex) {
                futures.values().forEach(f -> f.cancel(true));
                Thread.currentThread().interrupt();
                throw new dev.strata.platform.api.exception.ProviderTimeoutException("interrupted while looking for node " + nodeId);
            }
        }
        if (found != null) {
            Map<String, Location> with = new HashMap<>(locations);
            with.putIfAbsent(nodeId, found);
            locations = Map.copyOf(with);
        } else if (!unanswered.isEmpty()) {
            // the node may be on a BMC that did not answer: not found is not known, and would end its operation for good
            boolean one = unanswered.size() == 1;
            String which = (one ? "BMC " : "BMCs ") + String.join(", ", unanswered);
            if (context.remaining().compareTo(Duration.ZERO) <= 0) {
                throw new ProviderTimeoutException("the deadline passed while looking for node " + nodeId + ": " + which + " did not list "
                        + (one ? "its" : "their") + " systems in time");
            }
            throw new ProviderUnavailableException("node " + nodeId + " is on none of the BMCs that answered, and " + which + " could not"
                    + " list " + (one ? "its" : "their") + " systems (see the provider's warnings); it may be on " + (one ? "that BMC" : "one of them"));
        }
        return Optional.ofNullable(found);
    }

    private DiscoveryContext bounded(DiscoveryContext context, Duration bmcTimeout) {
        Instant own = clock.instant().plus(bmcTimeout);
        Instant deadline = own.isBefore(context.deadline()) ? own : context.deadline();
        return new DiscoveryContext(context.operationId(), deadline, context.clock());
    }

    /** Every node of every BMC; never throws for one BMC's failure. */
    public List<Node> discover(DiscoveryContext context) {
        Workers w = enter();
        try {
            return discover(context, w);
        } finally {
            w.leave();
        }
    }

    private List<Node> discover(DiscoveryContext context, Workers w) {
        List<ConfiguredBmc> list = bmcs();
        Map<ConfiguredBmc, Future<List<Node>>> futures = new LinkedHashMap<>();
        for (ConfiguredBmc bmc : list) {
            try {
                futures.put(bmc, w.pool.submit(() -> discoverOne(bmc, context, w.bmcTimeout)));
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                // the pool stopped after this call entered it: only the close stops a pool in use
                throw stoppedDuring(futures, "discovering its BMCs (operation " + context.operationId() + ")");
            }
        }
        List<Node> nodes = new ArrayList<>();
        Map<String, Location> found = new HashMap<>();
        for (Map.Entry<ConfiguredBmc, Future<List<Node>>> e : futures.entrySet()) {
            ConfiguredBmc bmc = e.getKey();
            List<Node> result;
            try {
                long wait = Math.max(0, context.remaining().toNanos());
                result = withLastRead(bmc, e.getValue().get(wait, TimeUnit.NANOSECONDS));
                if (lastError.remove(bmc.name()) != null) {
                    LOG.info("BMC {} answers again: {} nodes", bmc.name(), result.size());
                }
            } catch (TimeoutException ex) {
                if (isStopped()) {
                    throw stoppedDuring(futures, "discovering its BMCs (operation " + context.operationId() + ")");
                }
                e.getValue().cancel(true);
                result = failed(bmc, "no answer before the discovery deadline (" + context.deadline() + ")");
            } catch (ExecutionException | java.util.concurrent.CancellationException ex) {
                if (isStopped()) {
                    // read on a pool the close stopped: interrupted, or never begun; not this BMC's failure
                    throw stoppedDuring(futures, "discovering its BMCs (operation " + context.operationId() + ")");
                }
                Throwable cause = ex.getCause() == null ? ex : ex.getCause();
                result = failed(bmc, cause instanceof StrataException ? cause.getMessage()
                        : "BMC " + bmc.name() + ": unexpected " + cause);
                if (!(cause instanceof StrataException)) {
                    LOG.error("BMC {}: discovery failed unexpectedly", bmc.name(), cause);
                }
            } catch (InterruptedException ex) {
                futures.values().forEach(f -> f.cancel(true));
                Thread.currentThread().interrupt();
                throw new dev.strata.platform.api.exception.ProviderTimeoutException("interrupted while discovering BMCs (operation "
                        + context.operationId() + ")");
            }
            for (Node node : result) {
                if (found.containsKey(node.id())) {
                    LOG.warn("Node {} is reported by BMCs {} and {}; keeping {}'s (two BMCs report the same system UUID?)", node.id(),
                            found.get(node.id()).bmc().name(), bmc.name(), found.get(node.id()).bmc().name());
                    continue;
                }
                String system = node.attributes().get(NodeTemplate.SYSTEM);
                found.put(node.id(), new Location(bmc, system, node));
                nodes.add(node);
            }
        }
        // a BMC that failed reports its last good nodes, so their locations stay known
        Map<String, Location> merged = new HashMap<>(found);
        merged.values().removeIf(l -> l.system() == null);
        locations = Map.copyOf(merged);
        return nodes;
    }

    private List<Node> discoverOne(ConfiguredBmc bmc, DiscoveryContext context, Duration bmcTimeout) {
        if (bmc.problem() != null) {
            throw bmc.problem();
        }
        Optional<InvalidConfigurationException> conflict = nameConflict(bmc);
        if (conflict.isPresent()) {
            throw conflict.get();
        }
        DiscoveryContext bounded = bounded(context, bmcTimeout);
        bounded.checkDeadline("reading BMC " + bmc.name());
        // the client and the settings it was made from, held to the end of the read: a change of the BMC's configuration
        // meanwhile closes them only after it
        return read(bmc, use -> use.bmc().discover(use.template(providerId), bounded));
    }

    /**
     * The nodes of a BMC that answered, kept as its last good ones. A system of it that could not be read (its node
     * UNAVAILABLE with {@link NodeTemplate#ERROR}, the BMC's other systems read) shows the node last read of it, with that
     * error, its power state unknown, as a BMC that fails shows its nodes; and that node stays the last good one, so a later
     * failure still shows what was last read. A node missing from a provider's discovery is gone to the core (the snapshot
     * is the provider's whole inventory), so such a system is never left out. A system whose own resource could not be read
     * has a node whose id is made from its link, without the UUID its node was last read with: the node last read of the same
     * system ({@link NodeTemplate#SYSTEM}) is shown, so its id stays the one the core knows.
     */
    private List<Node> withLastRead(ConfiguredBmc bmc, List<Node> result) {
        Map<String, Node> before = new HashMap<>();
        Map<String, Node> beforeBySystem = new HashMap<>();
        for (Node n : lastGood.getOrDefault(bmc.name(), List.of())) {
            before.putIfAbsent(n.id(), n);
            String system = n.attributes().get(NodeTemplate.SYSTEM);
            if (system != null) {
                beforeBySystem.putIfAbsent(system, n);
            }
        }
        Set<String> ids = new java.util.HashSet<>();
        result.forEach(n -> ids.add(n.id()));
        List<Node> shown = new ArrayList<>();
        List<Node> good = new ArrayList<>();
        for (Node n : result) {
            String error = n.attributes().get(NodeTemplate.ERROR);
            Node last = error == null ? null : before.get(n.id());
            if (error != null && last == null) {
                Node ofSystem = beforeBySystem.get(n.attributes().get(NodeTemplate.SYSTEM));
                last = ofSystem == null || ids.contains(ofSystem.id()) ? null : ofSystem;
            }
            if (last == null) {
                shown.add(n);
                good.add(n);
                continue;
            }
            Map<String, String> attributes = new LinkedHashMap<>(last.attributes());
            attributes.put(NodeTemplate.ERROR, error);
            attributes.put(NodeTemplate.POWER_STATE, PowerState.UNKNOWN.label());
            shown.add(with(last, ResourceState.UNAVAILABLE, attributes));
            good.add(last);
        }
        lastGood.put(bmc.name(), good);
        return shown;
    }

    private List<Node> failed(ConfiguredBmc bmc, String message) {
        String previous = lastError.put(bmc.name(), message);
        if (!message.equals(previous)) {
            LOG.warn("BMC {} unavailable: {}", bmc.name(), message);
        }
        List<Node> known = lastGood.get(bmc.name());
        if (known != null && !known.isEmpty()) {
            List<Node> stale = new ArrayList<>();
            for (Node n : known) {
                Map<String, String> attributes = new LinkedHashMap<>(n.attributes());
                attributes.put(NodeTemplate.ERROR, message);
                attributes.put(NodeTemplate.POWER_STATE, PowerState.UNKNOWN.label());
                stale.add(with(n, ResourceState.UNAVAILABLE, attributes));
            }
            return stale;
        }
        NodeTemplate template = bmc.template(providerId);
        Map<String, String> attributes = template.baseAttributes(null);
        attributes.put(NodeTemplate.ERROR, message);
        attributes.put(NodeTemplate.POWER_STATE, PowerState.UNKNOWN.label());
        return List.of(Node.builder().id(template.placeholderId()).providerId(providerId).siteId(template.siteId())
                .kind(NodeKind.BARE_METAL).powerDomainId(template.powerDomainId()).traits(Set.of("bmc-managed"))
                .state(ResourceState.UNAVAILABLE).attributes(attributes).build());
    }

    /** A copy of the node with another state and attributes. */
    public static Node with(Node n, ResourceState state, Map<String, String> attributes) {
        return n.toBuilder().state(state).attributes(attributes).build();
    }

    /**
     * Stops every pool, the current one and those a change replaced that a discovery still runs on,
     * and closes the BMCs once the reads in progress have let go of them (at most
     * {@link #STOP_WAIT}), those of operations included ({@link #hold}). From now on no read of a
     * BMC begins and no operation takes one: a call in progress ends with
     * {@link ProviderUnavailableException} saying the provider stopped.
     */
    @Override
    public void close() {
        synchronized (reads) {
            stopped = true;
            reads.notifyAll(); // operations waiting for a power change (stoppedWithin)
        }
        for (Workers w : List.copyOf(pools)) {
            w.stop();
        }
        long end = System.nanoTime() + STOP_WAIT.toNanos();
        synchronized (reads) {
            long left;
            while (reading > 0 && (left = end - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(reads, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (reading > 0) {
                LOG.warn("BMC provider stopped with {} BMC reads or operations still under way after {} s; their clients are closed once they end",
                        reading, STOP_WAIT.toSeconds());
            }
        }
        bmcs.values().forEach(ConfiguredBmc::close);
    }
}
