package dev.strata.platform.core.inventory;

import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.NotLeaderException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.exception.StateStoreException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.inventory.ProviderStatus;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.provider.Capability;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.FabricSnapshot;
import dev.strata.platform.api.provider.GpuSnapshot;
import dev.strata.platform.api.provider.StorageSnapshot;
import dev.strata.platform.core.metrics.CallMetrics;
import dev.strata.platform.core.provenance.ProviderText;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The providers the core knows, their latest snapshots and the merged inventory. Free of OSGi:
 * the DS component feeds it registrations. Thread-safe; all mutable state is guarded by one lock,
 * provider calls run outside it.
 *
 * <p>Hot swap: when a provider's last service goes away its entry becomes
 * {@link ProviderState#DEPARTED} and its resources stay, stale. When a service with the same id
 * returns, the entry takes it over (the swap is counted and logged) and rediscovers at once.
 * A provider that registers several capabilities (a GPU service and a fabric service, say) may
 * lose one while the others stay: that capability's resources stay as they were, for the same
 * grace period, and are dropped if it does not return within it; so are those of a capability
 * that a departed provider comes back without.
 * {@link #refresh} waits, within a bound, for a departed provider to return, and retries a call
 * that failed because its provider left while it ran.
 */
final class ProviderDirectory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderDirectory.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, Entry> entries = new TreeMap<>();
    private final AtomicLong operations = new AtomicLong();
    private final AtomicLong generations = new AtomicLong();
    private final DeadlineExecutor executor;
    private final Clock clock;
    /**
     * The monotonic clock in nanoseconds ({@link System#nanoTime} but in tests) on which the grace period before a
     * departed or failing provider's resources are dropped, and the time since it departed, are measured: the wall clock,
     * which an NTP step moves, would drop a whole provider's resources at the next tick after a step forward past the grace
     * period, and write a negative gap after a step back. The clock's instants are kept for what is shown.
     */
    private final java.util.function.LongSupplier ticker;
    private final CallMetrics metrics = CallMetrics.discoveries();
    private volatile InventorySettings settings;
    private volatile InventorySnapshot inventory = InventorySnapshot.EMPTY;
    /** Delivers provider changes in the order they happened, outside the lock and off the discovery threads. */
    private final java.util.concurrent.ExecutorService events = java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> dev.strata.platform.core.placement.TenantAccess.platformThread(r, "strata-provider-events"));
    private volatile java.util.function.Consumer<ProviderChange> listener = change -> { };
    /** What the last merge could not reconcile, per provider id; guarded by the lock. */
    private Map<String, List<String>> mergeWarnings = Map.of();
    /**
     * Merge warnings that another provider's first report may settle, seen while Strata was starting
     * and not logged yet, per provider id; guarded by the lock. See {@link #remerge}.
     */
    private final Map<String, java.util.Set<String>> heldBack = new java.util.TreeMap<>();
    /** When this directory was made, on the ticker: Strata's start, as far as providers go. */
    private final long created;

    ProviderDirectory(InventorySettings settings, DeadlineExecutor executor, Clock clock) {
        this(settings, executor, clock, System::nanoTime);
    }

    ProviderDirectory(InventorySettings settings, DeadlineExecutor executor, Clock clock, java.util.function.LongSupplier ticker) {
        this.settings = settings;
        this.executor = executor;
        this.clock = clock;
        this.ticker = ticker;
        this.created = ticker.getAsLong();
    }

    /** Who hears of provider changes (the provenance recorder); changes are delivered one at a time, in order. */
    void listen(java.util.function.Consumer<ProviderChange> newListener) {
        this.listener = java.util.Objects.requireNonNull(newListener, "listener");
    }

    /** Runs a task on the thread that delivers provider changes, after those already seen. */
    void onEventThread(Runnable task) {
        try {
            events.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("Closed: task not run");
        }
    }

    void configure(InventorySettings newSettings) {
        this.settings = newSettings;
    }

    DeadlineExecutor executor() {
        return executor;
    }

    CallMetrics metrics() {
        return metrics;
    }

    InventorySettings settings() {
        return settings;
    }

    InventorySnapshot inventory() {
        return inventory;
    }

    // ---- registrations ---------------------------------------------------------------------

    void register(Registration registration) {
        Entry entry;
        lock.lock();
        try {
            entry = entries.computeIfAbsent(registration.providerId(), Entry::new);
            Registration holder = keeper(entry, registration);
            if (holder != null) {
                // two services claim one provider id for one capability (two bundles, or two configurations of one), or two
                // bundles claim it for different ones: the one registered first keeps it, so that neither silently replaces
                // the other's resources nor makes them stale by failing, and the other waits
                entry.waiting.add(registration);
                LOG.error("Provider {}: the {} service {} of bundle {} (version {}) has the id of the {} service {} of bundle {} (version {}), "
                        + "which keeps it; the later one is not used while that one is registered (give each provider its own id)",
                        registration.providerId(), registration.capability(), registration.serviceId(), registration.bundle(),
                        registration.version(), holder.capability(), holder.serviceId(), holder.bundle(), holder.version());
                return;
            }
            boolean returning = entry.state == ProviderState.DEPARTED;
            entry.registrations.put(registration.capability(), registration);
            entry.everRegistered.add(registration.capability());
            entry.departedCapabilities.remove(registration.capability());
            String previousVersion = entry.version;
            entry.vendor = registration.vendor();
            entry.version = registration.version();
            entry.bundle = registration.bundle();
            entry.description = ProviderText.clean(registration.description());
            if (returning) {
                entry.swaps++;
                Duration gap = Duration.ofNanos(ticker.getAsLong() - entry.sinceNanos);
                LOG.info("Provider {} returned: version {} replaces {} after {} ms; rediscovering",
                        registration.providerId(), registration.version(), previousVersion, gap.toMillis());
                change(entry, "returned", ProviderState.STARTING, null, previousVersion);
            } else if (entry.state == null) {
                LOG.info("Provider {} ({} {}) registered {}", registration.providerId(), registration.vendor(),
                        registration.version(), registration.capability());
                change(entry, "registered", ProviderState.STARTING, null, null);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        discover(entry, registration);
    }

    void unregister(long serviceId, Capability capability) {
        Entry successorOf = null;
        List<Registration> successors = List.of();
        CompletableFuture<Object> orphaned = null;
        String orphanedWhat = null;
        List<Registration> rediscover = List.of();
        Entry stays = null;
        lock.lock();
        try {
            for (Entry entry : entries.values()) {
                if (entry.waiting.removeIf(r -> r.serviceId() == serviceId && r.capability() == capability)) {
                    LOG.info("Provider {}: the waiting {} service {} with its id left", entry.id, capability, serviceId);
                    return;
                }
                Registration current = entry.registrations.get(capability);
                if (current == null || current.serviceId() != serviceId) {
                    continue;
                }
                orphaned = runningCall(entry, current);
                orphanedWhat = "discovery of " + entry.id + " " + capability + " by service " + serviceId + " of bundle " + current.bundle();
                entry.registrations.remove(capability);
                entry.failing.remove(capability);
                successors = admitWaiting(entry);
                if (!entry.registrations.containsKey(capability)) {
                    entry.departedCapabilities.put(capability, ticker.getAsLong());
                }
                if (!successors.isEmpty()) {
                    // a service that waited with the same id takes over, as a new version would
                    Registration next = successors.get(0);
                    String previousVersion = entry.version;
                    entry.vendor = next.vendor();
                    entry.version = next.version();
                    entry.bundle = next.bundle();
                    entry.description = ProviderText.clean(next.description());
                    entry.swaps++;
                    LOG.info("Provider {}: its {} service of bundle {} left; the {} service {} of bundle {} (version {}) with the same id, "
                            + "which waited, takes over; rediscovering", entry.id, capability, current.bundle(), next.capability(),
                            next.serviceId(), next.bundle(), next.version());
                    change(entry, "returned", ProviderState.STARTING, null, previousVersion);
                    // the resources of the service that left are stale until its successor's discovery vouches for them (they
                    // stayed merged as live, its nodes AVAILABLE, however long that discovery took)
                    remerge();
                    changed.signalAll();
                    successorOf = entry;
                    break;
                }
                if (!entry.registrations.isEmpty() && entry.snapshots.containsKey(capability)) {
                    LOG.info("Provider {} withdrew its {} service; its {} resources stay for up to {} or until it returns",
                            entry.id, capability, resourcesOf(entry.snapshots.get(capability)),
                            InventorySettings.describe(settings.staleGracePeriod()));
                }
                if (!entry.registrations.isEmpty() && entry.state == ProviderState.FAILED && entry.failing.isEmpty()) {
                    // the service that left was the one failing: the provider's state is the one its services that stay
                    // report, so they are asked at once (otherwise it stayed FAILED, its resources STALE, until the next tick)
                    rediscover = List.copyOf(entry.registrations.values());
                    stays = entry;
                }
                if (entry.registrations.isEmpty()) {
                    entry.bundle = null;
                    change(entry, "departed", ProviderState.DEPARTED, null, null);
                    LOG.info("Provider {} departed; its {} resources stay, stale, for up to {} or until it returns",
                            entry.id, entry.resources(), InventorySettings.describe(settings.staleGracePeriod()));
                }
                remerge();
                changed.signalAll();
                break;
            }
        } finally {
            lock.unlock();
        }
        if (orphaned != null) {
            // outside the lock: the failure is folded in (as the departed service's, which changes nothing) on this thread
            orphaned.completeExceptionally(new ProviderUnavailableException(orphanedWhat + " stopped: the service left while it ran"));
        }
        for (Registration r : successors) {
            discover(successorOf, r);
        }
        for (Registration r : rediscover) {
            discover(stays, r);
        }
    }

    /**
     * Discovers a service in use again now, for a change of its properties that kept its id,
     * vendor and version: its configuration changed, and a provider that applies a change in
     * place (its modified method) serves the new settings from its next discovery, which would
     * otherwise wait for the periodic refresh (a minute by default), where a provider made again
     * from the change was discovered at once. Where a discovery of it is under way, begun on the
     * settings before the change, the next starts once that one has ended. A service that waits
     * behind another with its id, or that has left, is not called.
     */
    void rediscover(long serviceId, Capability capability) {
        Entry holder = null;
        Registration registration = null;
        CompletableFuture<Object> running = null;
        lock.lock();
        try {
            for (Entry entry : entries.values()) {
                Registration current = entry.registrations.get(capability);
                if (current != null && current.serviceId() == serviceId) {
                    holder = entry;
                    registration = current;
                    CompletableFuture<Object> inFlight = entry.inFlight.get(capability);
                    if (inFlight != null && !inFlight.isDone() && entry.inFlightRegistration.get(capability) == current) {
                        running = inFlight;
                    }
                    break;
                }
            }
        } finally {
            lock.unlock();
        }
        if (registration == null) {
            return;
        }
        Entry entry = holder;
        Registration r = registration;
        if (running == null) {
            discover(entry, r);
        } else {
            running.whenComplete((snapshot, error) -> {
                if (stillUsed(entry, r)) {
                    discover(entry, r);
                }
            });
        }
    }

    /** Whether {@code registration} is still the one its entry uses for its capability (it has not left or been replaced). */
    private boolean stillUsed(Entry entry, Registration registration) {
        lock.lock();
        try {
            return entries.get(entry.id) == entry && entry.registrations.get(registration.capability()) == registration;
        } finally {
            lock.unlock();
        }
    }

    /**
     * What the directory holds of a service for a capability: its registration, whether it is
     * used or waits behind another service with its id; null where it holds none (the service was
     * ignored when it was bound, or has left).
     */
    Registration registration(long serviceId, Capability capability) {
        lock.lock();
        try {
            for (Entry entry : entries.values()) {
                Registration current = entry.registrations.get(capability);
                if (current != null && current.serviceId() == serviceId) {
                    return current;
                }
                for (Registration w : entry.waiting) {
                    if (w.serviceId() == serviceId && w.capability() == capability) {
                        return w;
                    }
                }
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The registration that keeps a new service with this entry's id out, or null where it may
     * join: another service of its capability, or a service of another bundle (one id is one
     * provider: a second bundle's service that joined would make the first bundle's resources
     * stale whenever it failed, and take the provider's name in its status); with the lock held.
     */
    private static Registration keeper(Entry entry, Registration registration) {
        Registration same = entry.registrations.get(registration.capability());
        if (same != null) {
            return same.serviceId() == registration.serviceId() ? null : same;
        }
        return entry.registrations.values().stream().filter(r -> !java.util.Objects.equals(r.bundle(), registration.bundle()))
                .findFirst().orElse(null);
    }

    /** Lets in, in the order they came, the waiting services that nothing keeps out any more; with the lock held. */
    private static List<Registration> admitWaiting(Entry entry) {
        List<Registration> admitted = new ArrayList<>();
        for (var it = entry.waiting.iterator(); it.hasNext(); ) {
            Registration w = it.next();
            if (keeper(entry, w) == null) {
                it.remove();
                entry.registrations.put(w.capability(), w);
                entry.everRegistered.add(w.capability());
                entry.departedCapabilities.remove(w.capability());
                admitted.add(w);
            }
        }
        return admitted;
    }

    /**
     * The discovery call of a registration that is still running, or null; with the lock held. A
     * service that leaves has its call stopped ({@link DeadlineExecutor#call}: its thread is
     * interrupted), so that the departed bundle's code does not go on running on Strata's thread
     * until the deadline.
     */
    private static CompletableFuture<Object> runningCall(Entry entry, Registration registration) {
        CompletableFuture<Object> call = entry.calls.get(registration.capability());
        return call != null && !call.isDone() && entry.inFlightRegistration.get(registration.capability()) == registration ? call : null;
    }

    /**
     * Drops the resources of each capability a provider that is still here withdrew more than the
     * grace period ago (the provider as a whole departed is dropped whole instead); with the lock
     * held. Whether anything was dropped.
     */
    private boolean dropWithdrawnCapabilities(Entry entry, long now, Duration grace) {
        boolean dropped = false;
        for (var it = entry.departedCapabilities.entrySet().iterator(); it.hasNext(); ) {
            var withdrawn = it.next();
            Capability capability = withdrawn.getKey();
            if (entry.registrations.containsKey(capability)) {
                it.remove();
            } else if (past(withdrawn.getValue(), grace, now)) {
                it.remove();
                Object snapshot = entry.snapshots.remove(capability);
                entry.reportedWarnings.remove(capability);
                if (snapshot != null) {
                    LOG.info("Provider {} did not bring its {} service back within {}; dropping its {} resources",
                            entry.id, capability, InventorySettings.describe(grace), resourcesOf(snapshot));
                    emit(entry, "dropped", entry.state, entry.state, "those of its " + capability + " service, which did not return within "
                            + InventorySettings.describe(grace), null, entry.resources());
                    dropped = true;
                }
            }
        }
        return dropped;
    }

    // ---- discovery ---------------------------------------------------------------------------

    /**
     * Starts (or joins) a discovery of one registration; the result is folded in when it completes.
     * The call is made outside the lock: where every call thread is busy, it waits for one on its way
     * back from its last call ({@link DeadlineExecutor}), which takes the lock to tell its end and to
     * fold its result, and so could not come back while the lock was held here.
     */
    private CompletableFuture<Object> discover(Entry entry, Registration registration) {
        // the call as the directory knows it: the executor's completes it, and the service leaving completes it first
        CompletableFuture<Object> call = new CompletableFuture<>();
        String what;
        Duration timeout;
        DiscoveryContext context;
        Running marker;
        CompletableFuture<Object> folded;
        lock.lock();
        try {
            CompletableFuture<Object> running = entry.inFlight.get(registration.capability());
            if (running != null && !running.isDone() && entry.inFlightRegistration.get(registration.capability()) == registration) {
                return running;
            }
            what = "discovery of " + registration.providerId() + " " + registration.capability();
            Instant started = clock.instant();
            long startedTick = ticker.getAsLong();
            Running stuck = entry.running.get(registration.capability());
            if (stuck != null && stuck.registration() == registration) {
                // its last call overran its deadline and its thread is still in the provider, which ignores interruption:
                // another call would take one more of the pool's threads each time, until no provider could be called
                CompletableFuture<Object> refused = new CompletableFuture<>();
                CompletableFuture<Object> refusedFolded = refused.whenComplete((snapshot, error) -> fold(entry, registration, snapshot, error, startedTick));
                Instant since = stuck.started().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
                ProviderTimeoutException overdue = new ProviderTimeoutException(what + " started at " + since + " has not returned, "
                        + "past its deadline of " + InventorySettings.describe(stuck.timeout()) + " (the provider does not "
                        + "stop when interrupted); it is not started again until that call returns");
                metrics.ended(overdue, -1, registration.providerId(), registration.capability().name(), CallMetrics.DISCOVERY);
                refused.completeExceptionally(overdue);
                return refusedFolded;
            }
            String operationId = registration.providerId() + "/" + registration.capability() + "/" + operations.incrementAndGet();
            timeout = settings.discoveryTimeout();
            context = new DiscoveryContext(operationId, started.plus(timeout), clock);
            marker = new Running(registration, started, timeout);
            entry.running.put(registration.capability(), marker);
            long startedNanos = System.nanoTime();
            // callers wait on the folded future: it completes after the snapshot (or the failure) is in the
            // entry, so a caller that waited never reads the provider's status from before its discovery
            folded = call.whenComplete((snapshot, error) -> {
                // counted before the fold, so that whoever waited for the discovery finds it counted
                metrics.ended(unwrap(error), System.nanoTime() - startedNanos, registration.providerId(), registration.capability().name(),
                        CallMetrics.DISCOVERY);
                fold(entry, registration, snapshot, error, startedTick);
            });
            entry.inFlight.put(registration.capability(), folded);
            entry.calls.put(registration.capability(), call);
            entry.inFlightRegistration.put(registration.capability(), registration);
            entry.inFlightTimeout.put(registration.capability(), timeout);
        } finally {
            lock.unlock();
        }
        CompletableFuture<Object> made = executor.call(what, timeout, () -> {
            if (call.isDone()) {
                // the service left after the lock was let go, before its thread started: its code is not called
                throw new ProviderUnavailableException(what + " stopped: the service left before it started");
            }
            Object snapshot = registration.discoverer().discover(context);
            if (snapshot == null) {
                throw new ProviderFailureException(what + " returned no snapshot");
            }
            return snapshot;
        }, () -> {
            lock.lock();
            try {
                entry.running.remove(registration.capability(), marker);
            } finally {
                lock.unlock();
            }
        });
        made.whenComplete((snapshot, error) -> {
            if (error == null) {
                call.complete(snapshot);
            } else {
                call.completeExceptionally(error);
            }
        });
        // the service left (before the call was made, or while it runs): the executor stops it
        call.whenComplete((snapshot, error) -> {
            if (error != null) {
                made.completeExceptionally(error);
            }
        });
        return folded;
    }

    /** Folds a discovery's result into its entry; {@code startedTick} is when it began, on the ticker. */
    private void fold(Entry entry, Registration registration, Object snapshot, Throwable error, long startedTick) {
        Throwable cause = unwrap(error);
        lock.lock();
        try {
            boolean current = entry.registrations.get(registration.capability()) == registration;
            Instant now = clock.instant();
            if (cause == null && !current && !entry.registrations.containsKey(registration.capability())
                    && !entry.departedCapabilities.containsKey(registration.capability())) {
                LOG.debug("Ignoring a snapshot of {} {} whose resources were already dropped", entry.id, registration.capability());
                return;
            }
            if (cause == null && !current && entry.registrations.containsKey(registration.capability())) {
                // a departed service's call that returned after another service took its place (a bundle update whose old
                // version ignored the interruption): its generation, taken late, may be above the successor's, yet it is the
                // departed bundle's view, and taken it would show as live until the successor's next discovery
                LOG.debug("Ignoring a snapshot of {} {} from service {}, which another service has replaced", entry.id,
                        registration.capability(), registration.serviceId());
                return;
            }
            if (cause == null) {
                long generation = generationOf(snapshot);
                Object previous = entry.snapshots.get(registration.capability());
                Registration previousFrom = entry.snapshotFrom.get(registration.capability());
                String backwards = null;
                if (previous != null && generationOf(previous) > generation) {
                    if (!current) {
                        LOG.debug("Ignoring out-of-order snapshot {} of {} (have {})", generation, entry.id, generationOf(previous));
                        return;
                    }
                    if (previousFrom == registration) {
                        // calls to one service never overlap (a refresh joins the call in flight, and a call past its deadline
                        // blocks the next until it returns), so this is the service's later view, not a late one: the provider's
                        // generations went back (its clock corrected). Ignored, its resources froze, ACTIVE, until they passed it
                        backwards = "generation " + generation + " is below " + generationOf(previous) + " of this provider's "
                                + "snapshot before it; generations must increase from one discovery to the next (use the wall clock in "
                                + "microseconds, never below the last one)";
                    } else {
                        // the service now registered (a new version) went below its predecessor's generation: its snapshot is
                        // still the one to keep (ignored, the provider would stay STARTING on its predecessor's stale resources)
                        backwards = "generation " + generation + " of version " + registration.version() + " is below "
                                + generationOf(previous) + " of the version it replaced (" + (previousFrom == null ? "?" : previousFrom.version())
                                + "); generations must increase across bundle versions (use the wall clock in microseconds)";
                    }
                }
                Backwards kept = entry.backwards.get(registration.capability());
                if (backwards != null) {
                    long floor = kept != null && kept.from() == registration ? Math.max(kept.floor(), generationOf(previous)) : generationOf(previous);
                    entry.backwards.put(registration.capability(), new Backwards(registration, floor, backwards));
                } else if (kept != null && kept.from() == registration && generation < kept.floor()) {
                    // the warning stays while this version's generations are still below its predecessor's: the next
                    // discovery does not make the mistake go away (before, it cleared the warning a moment after it was given)
                    backwards = kept.warning();
                } else if (kept != null) {
                    entry.backwards.remove(registration.capability());
                }
                entry.snapshots.put(registration.capability(), snapshot);
                entry.snapshotFrom.put(registration.capability(), registration);
                List<String> reported = warningsOf(snapshot);
                if (backwards != null) {
                    reported = new ArrayList<>(reported);
                    reported.add(backwards);
                }
                List<String> before = entry.reportedWarnings.getOrDefault(registration.capability(), List.of());
                reported.stream().filter(w -> !before.contains(w)).forEach(w -> LOG.warn("Provider {} reports: {}", entry.id, w));
                entry.reportedWarnings.put(registration.capability(), reported);
                entry.lastGood = now;
                long endedTick = ticker.getAsLong();
                entry.lastGoodOf.put(registration.capability(), endedTick);
                entry.generation = generation;
                entry.lastDiscovery = now;
                // on the ticker: the clock set back while the provider was called made it negative ("in -3599750 ms")
                entry.lastDiscoveryTime = Duration.ofNanos(endedTick - startedTick);
                if (current) {
                    entry.failing.remove(registration.capability());
                    String unavailable = snapshot instanceof GpuSnapshot gpu ? ProviderText.clean(gpu.unavailableReason()) : null;
                    if (!entry.failing.isEmpty()) {
                        // another service of this provider still fails: its resources cannot be vouched for, and the provider
                        // stays failed (this one's success would otherwise hide that one's failure)
                        change(entry, "failed", ProviderState.FAILED, failingMessage(entry), null);
                    } else if (unavailable != null) {
                        if (entry.state != ProviderState.UNAVAILABLE) {
                            LOG.info("Provider {} is unavailable: {}", entry.id, unavailable);
                        }
                        change(entry, "unavailable", ProviderState.UNAVAILABLE, unavailable, null);
                    } else {
                        if (entry.state != ProviderState.ACTIVE) {
                            LOG.info("Provider {} {} discovered {} resources in {} ms", entry.id, entry.version,
                                    entry.resources(), entry.lastDiscoveryTime.toMillis());
                        }
                        change(entry, "active", ProviderState.ACTIVE, null, null);
                    }
                }
                remerge();
            } else if (closing) {
                // the call stopped by the close (Strata stopping), not the provider's failure: no provider is FAILED, and no
                // such record reaches the provenance log, at every stop that finds a discovery under way
                LOG.debug("Discovery of {} ended by the inventory's close: {}", entry.id, ProviderText.message(cause));
            } else if (current) {
                entry.failing.put(registration.capability(), ProviderText.message(cause));
                String message = failingMessage(entry);
                if (entry.state != ProviderState.FAILED || !message.equals(entry.message)) {
                    LOG.warn("Provider {} failed: {}", entry.id, message);
                }
                change(entry, "failed", ProviderState.FAILED, message, null);
                remerge();
            } else {
                LOG.debug("Discovery of departed registration {} of {} failed: {} ({})", registration.serviceId(), entry.id,
                        ProviderText.message(cause), cause.getClass().getName());
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Why a provider fails: the reason of its one failing service, or of each, named by capability,
     * where several fail.
     */
    private static String failingMessage(Entry entry) {
        if (entry.failing.size() == 1) {
            return entry.failing.values().iterator().next();
        }
        List<String> parts = new ArrayList<>();
        entry.failing.forEach((capability, reason) -> parts.add(capability + ": " + reason));
        return String.join("; ", parts);
    }

    /**
     * Discovers one provider now, waiting for it while it is being replaced.
     *
     * @see dev.strata.platform.api.inventory.ProviderRegistry#refresh
     */
    ProviderStatus refresh(String id, Duration maxWait) {
        return refresh(id, checkedWait(maxWait), new java.util.IdentityHashMap<>());
    }

    /**
     * The wait a caller gave {@link #refresh} or {@link #refreshAll}, refused where it is none (a bare
     * NullPointerException named neither) or negative (which waited for nothing and then said
     * {@code waited -5s}).
     */
    private static Duration checkedWait(Duration maxWait) {
        if (maxWait == null || maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait is " + (maxWait == null ? "null" : InventorySettings.describe(maxWait))
                    + "; expected how long to wait for a departed provider to return, zero or more (such as 30s)");
        }
        return maxWait;
    }

    /**
     * As {@link #refresh(String, Duration)}, taking for each registration in {@code started} the
     * discovery {@link #refreshAll} started for it rather than another: that one may have ended
     * already, and a second call of the provider would be made for one refresh.
     */
    private ProviderStatus refresh(String id, Duration maxWait, Map<Registration, CompletableFuture<Object>> started) {
        long deadline = System.nanoTime() + nanos(maxWait);
        while (true) {
            List<Registration> registrations = awaitRegistrations(id, deadline, maxWait);
            Entry entry = entry(id);
            List<CompletableFuture<Object>> calls = new ArrayList<>();
            for (Registration r : registrations) {
                CompletableFuture<Object> call = started.remove(r);
                calls.add(call != null ? call : discover(entry, r));
            }
            Duration timeout = timeoutOf(entry, registrations);
            boolean retry = false;
            for (int i = 0; i < calls.size(); i++) {
                try {
                    calls.get(i).get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ProviderUnavailableException("interrupted while refreshing provider " + id, e);
                } catch (TimeoutException e) {
                    throw new ProviderTimeoutException(
                            "discovery of " + id + " did not finish within " + InventorySettings.describe(timeout));
                } catch (ExecutionException e) {
                    Registration r = registrations.get(i);
                    if (!isCurrent(r) && deadline - System.nanoTime() > 0) {
                        retry = true; // the provider left while the call ran: try its successor
                    } else {
                        throw translate(unwrap(e), id);
                    }
                }
            }
            if (!retry) {
                return status(id).orElseThrow(() -> new NotFoundException("provider '" + id + "' is gone"));
            }
        }
    }

    /**
     * The longest deadline of the discoveries of {@code registrations} under way, and at least the configured one: a
     * discovery begun before {@code discoveryTimeout} was shortened keeps the deadline it was begun with, and a refresh
     * that joined it and waited only for the new one failed, saying the discovery did not finish within it, while it ran on
     * and then succeeded.
     */
    private Duration timeoutOf(Entry entry, List<Registration> registrations) {
        Duration longest = settings.discoveryTimeout();
        lock.lock();
        try {
            for (Registration r : registrations) {
                Duration timeout = entry.inFlightTimeout.get(r.capability());
                if (timeout != null && entry.inFlightRegistration.get(r.capability()) == r && timeout.compareTo(longest) > 0) {
                    longest = timeout;
                }
            }
        } finally {
            lock.unlock();
        }
        return longest;
    }

    /**
     * How long a wait of {@code maxWait} lasts, in nanoseconds, for a deadline on {@link System#nanoTime}: the waits of a
     * refresh are measured on it, not on the clock, which a correction may set back (an hour back, and a refresh that waited
     * for a departed provider waited an hour more) or stop (a clock held still, and it waited for ever). At most about 146
     * years, and none for a negative wait.
     */
    private static long nanos(Duration maxWait) {
        if (maxWait.isNegative()) {
            return 0;
        }
        return maxWait.compareTo(Duration.ofNanos(Long.MAX_VALUE / 2)) > 0 ? Long.MAX_VALUE / 2 : maxWait.toNanos();
    }

    /** Whether more than {@code grace} has passed from {@code sinceNanos} to {@code nowNanos}, both on the ticker. */
    private static boolean past(long sinceNanos, Duration grace, long nowNanos) {
        return nowNanos - sinceNanos > nanos(grace);
    }

    private List<Registration> awaitRegistrations(String id, long deadline, Duration maxWait) {
        lock.lock();
        try {
            while (true) {
                Entry entry = entries.get(id);
                if (entry == null) {
                    throw new NotFoundException("no provider '" + id + "'; known providers: "
                            + (entries.isEmpty() ? "none" : String.join(", ", entries.keySet())));
                }
                if (!entry.registrations.isEmpty()) {
                    return List.copyOf(entry.registrations.values());
                }
                long waitNanos = deadline - System.nanoTime();
                if (waitNanos <= 0) {
                    throw new ProviderUnavailableException("provider '" + id + "' departed "
                            + TimeUnit.NANOSECONDS.toSeconds(ticker.getAsLong() - entry.sinceNanos)
                            + " s ago and has not returned (waited " + InventorySettings.describe(maxWait) + ")");
                }
                try {
                    changed.awaitNanos(waitNanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ProviderUnavailableException("interrupted while waiting for provider '" + id + "' to return", e);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Discovers every provider, waiting for departed ones; failures are recorded in their status,
     * not thrown. Every registered provider's discovery starts at once (each {@link #refresh} then
     * joins its call) and the departed providers share the one wait: the refresh takes as long as
     * the slowest provider or {@code maxWait}, not the sum of every discovery and one wait per
     * departed provider.
     */
    InventorySnapshot refreshAll(Duration maxWait) {
        long deadline = System.nanoTime() + nanos(checkedWait(maxWait));
        List<Map.Entry<Entry, Registration>> registered = new ArrayList<>();
        lock.lock();
        try {
            entries.values().forEach(entry -> entry.registrations.values().forEach(r -> registered.add(Map.entry(entry, r))));
        } finally {
            lock.unlock();
        }
        Map<Registration, CompletableFuture<Object>> started = new java.util.IdentityHashMap<>();
        registered.forEach(d -> started.put(d.getValue(), discover(d.getKey(), d.getValue())));
        for (String id : ids()) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            try {
                // waits for the discoveries started above: a provider whose discovery has ended is not called again
                refresh(id, left, started);
            } catch (StrataException e) {
                LOG.debug("Refresh of {} failed: {}", id, ProviderText.message(e));
            }
        }
        return inventory;
    }

    /** The periodic tick: rediscover registered providers, drop resources past their grace period. */
    void tick() {
        List<Map.Entry<Entry, Registration>> due = new ArrayList<>();
        lock.lock();
        try {
            long now = ticker.getAsLong();
            Duration grace = settings.staleGracePeriod();
            boolean dropped = false;
            for (var it = entries.values().iterator(); it.hasNext(); ) {
                Entry entry = it.next();
                if (entry.state == ProviderState.DEPARTED && past(entry.sinceNanos, grace, now)) {
                    LOG.info("Provider {} did not return within {}; dropping its {} resources",
                            entry.id, InventorySettings.describe(grace), entry.resources());
                    it.remove();
                    dropped = true;
                    emit(entry, "dropped", entry.state, entry.state, "it did not return within " + InventorySettings.describe(grace), null, 0);
                    continue;
                }
                if (entry.state == ProviderState.FAILED) {
                    // each failing service's resources go once it has not been discovered for the grace period; a service of
                    // the same provider that still answers keeps its own
                    for (Capability capability : List.copyOf(entry.failing.keySet())) {
                        Long good = entry.lastGoodOf.get(capability);
                        if (entry.snapshots.containsKey(capability) && (good == null || past(good, grace, now))) {
                            Object snapshot = entry.snapshots.remove(capability);
                            entry.reportedWarnings.remove(capability);
                            LOG.info("Provider {} has failed for longer than {}; dropping its {} stale {} resources",
                                    entry.id, InventorySettings.describe(grace), resourcesOf(snapshot), capability);
                            dropped = true;
                            emit(entry, "dropped", entry.state, entry.state, "it has failed for longer than " + InventorySettings.describe(grace)
                                    + ": " + entry.message, null, entry.resources());
                        }
                    }
                }
                if (entry.state != ProviderState.DEPARTED) {
                    dropped |= dropWithdrawnCapabilities(entry, now, grace);
                }
                entry.registrations.values().forEach(r -> due.add(Map.entry(entry, r)));
            }
            if (dropped) {
                remerge();
            }
        } finally {
            lock.unlock();
        }
        due.forEach(d -> discover(d.getKey(), d.getValue()));
    }

    // ---- views -------------------------------------------------------------------------------

    List<String> ids() {
        lock.lock();
        try {
            return List.copyOf(entries.keySet());
        } finally {
            lock.unlock();
        }
    }

    List<ProviderStatus> statuses() {
        lock.lock();
        try {
            return entries.values().stream().map(e -> e.status(mergeWarnings.getOrDefault(e.id, List.of()))).toList();
        } finally {
            lock.unlock();
        }
    }

    Optional<ProviderStatus> status(String id) {
        lock.lock();
        try {
            return Optional.ofNullable(entries.get(id)).map(e -> e.status(mergeWarnings.getOrDefault(e.id, List.of())));
        } finally {
            lock.unlock();
        }
    }

    /** Set by {@link #close} before the calls under way are ended, whose ends then change no provider's state. */
    private volatile boolean closing;

    @Override
    public void close() {
        closing = true;
        executor.close();
        events.shutdown();
        try {
            events.awaitTermination(2, TimeUnit.SECONDS); // what was seen before closing is still delivered
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Moves a provider to a state; called with the lock held. A change of state, or of the message
     * within a state, is told to the listener; the same state again (a rediscovery) is not.
     */
    private void change(Entry entry, String event, ProviderState to, String message, String previousVersion) {
        ProviderState from = entry.state;
        boolean news = from != to || !java.util.Objects.equals(entry.message, message) || event.equals("returned");
        entry.setState(to, message, clock.instant(), ticker.getAsLong());
        if (news) {
            emit(entry, event, from, to, message, previousVersion, entry.resources());
        }
    }

    private void emit(Entry entry, String event, ProviderState from, ProviderState to, String message, String previousVersion, int resources) {
        ProviderChange c = new ProviderChange(entry.id, event, from, to, message, entry.vendor, entry.version, previousVersion, entry.bundle,
                resources, clock.instant());
        try {
            events.execute(() -> {
                try {
                    listener.accept(c);
                } catch (RuntimeException e) {
                    LOG.warn("Recording the change of provider {} ({}) failed: {}", c.provider(), c.event(), e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("Provider change {} of {} after close is not recorded", event, entry.id);
        }
    }

    // ---- internals ---------------------------------------------------------------------------

    private Entry entry(String id) {
        lock.lock();
        try {
            Entry entry = entries.get(id);
            if (entry == null) {
                throw new NotFoundException("no provider '" + id + "'");
            }
            return entry;
        } finally {
            lock.unlock();
        }
    }

    private boolean isCurrent(Registration r) {
        lock.lock();
        try {
            Entry entry = entries.get(r.providerId());
            return entry != null && entry.registrations.get(r.capability()) == r;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Rebuilds the merged inventory; called with the lock held. Logs each warning once, when it first
     * appears; except that a warning another provider's first report may settle (a node's power domain
     * that the declared inventory has not reported yet) is logged only if it outlasts the start: once
     * no provider is on its first discovery and the discovery timeout has passed since Strata started.
     * It is shown in the providers' status, and placement holds it, from the first merge either way.
     */
    private void remerge() {
        List<InventoryMerger.Contribution> contributions = new ArrayList<>();
        for (Entry entry : entries.values()) {
            boolean stale = entry.state != ProviderState.ACTIVE && entry.state != ProviderState.UNAVAILABLE;
            // the resources of a service the provider withdrew (or came back without) are stale while they stay, though the
            // provider's other services answer: nothing vouches for them (they were merged as live, its nodes AVAILABLE)
            List<Object> live = new ArrayList<>();
            List<Object> withdrawn = new ArrayList<>();
            entry.snapshots.forEach((capability, snapshot) ->
                    (stale || !entry.registrations.containsKey(capability) ? withdrawn : live).add(snapshot));
            if (!live.isEmpty() || withdrawn.isEmpty()) {
                contributions.add(new InventoryMerger.Contribution(entry.id, false, List.copyOf(live)));
            }
            if (!withdrawn.isEmpty()) {
                contributions.add(new InventoryMerger.Contribution(entry.id, true, List.copyOf(withdrawn)));
            }
        }
        Instant now = clock.instant();
        InventoryMerger.Result merged = InventoryMerger.mergeWithWarnings(generations.incrementAndGet(), now, contributions);
        // on the ticker: the clock stepped forward ended the start at once, and set back lengthened it by as much
        boolean starting = ticker.getAsLong() - created < nanos(settings.discoveryTimeout())
                || entries.values().stream().anyMatch(e -> e.state == ProviderState.STARTING);
        Map<String, List<String>> previous = mergeWarnings;
        merged.warnings().forEach((provider, list) -> {
            java.util.Set<String> held = heldBack.getOrDefault(provider, java.util.Set.of());
            for (String w : list) {
                boolean fresh = !previous.getOrDefault(provider, List.of()).contains(w);
                if (fresh && starting && merged.awaitingProviders().contains(w)) {
                    heldBack.computeIfAbsent(provider, k -> new java.util.LinkedHashSet<>()).add(w);
                } else if (fresh || (!starting && held.contains(w))) {
                    LOG.warn("Provider {}: {}", provider, w);
                }
            }
        });
        if (starting) {
            // a held-back warning that went away before the start was over was expected: forget it
            heldBack.entrySet().removeIf(e -> {
                e.getValue().retainAll(merged.warnings().getOrDefault(e.getKey(), List.of()));
                return e.getValue().isEmpty();
            });
        } else {
            heldBack.clear();
        }
        mergeWarnings = merged.warnings();
        inventory = merged.snapshot();
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * What a refresh throws for what the provider threw: its own Strata exception when the message
     * is clean and it chains no cause (a cause's words are the provider's too), otherwise one of the
     * same kind with the message cleaned ({@link ProviderText}); any
     * other throwable as a {@link ProviderFailureException} naming the provider. The provider's
     * own exception is chained only as {@link ProviderText#trace}, so its words reach no caller.
     */
    static StrataException translate(Throwable cause, String id) {
        String message = ProviderText.message(cause);
        if (cause instanceof StrataException strata) {
            if (message.equals(strata.getMessage()) && strata.getCause() == null) {
                return strata;
            }
            Throwable trace = ProviderText.trace(strata);
            if (strata instanceof AuthorizationException) {
                return new AuthorizationException(message, trace);
            } else if (strata instanceof ProviderUnavailableException) {
                return new ProviderUnavailableException(message, trace);
            } else if (strata instanceof ProviderTimeoutException) {
                return new ProviderTimeoutException(message, trace);
            } else if (strata instanceof NotFoundException) {
                return new NotFoundException(message);
            } else if (strata instanceof StateStoreException) {
                return new StateStoreException(message, trace);
            } else if (strata instanceof NotLeaderException notLeader) {
                return new NotLeaderException(message, notLeader.leaderId(), notLeader.leaderAddress());
            } else if (strata instanceof InvalidConfigurationException invalid) {
                InvalidConfigurationException rebuilt = invalidConfiguration(invalid, message);
                if (rebuilt != null) {
                    return rebuilt;
                }
            }
            return new ProviderFailureException(message, trace);
        }
        return new ProviderFailureException("provider '" + id + "' failed: " + cause.getClass().getName()
                + (cause.getMessage() == null ? "" : ": " + message), ProviderText.trace(cause));
    }

    /**
     * An invalid configuration whose message was cleaned, rebuilt with the cleaned value so that it
     * keeps its kind, its PID and its property; null where the cleaned message is no longer in the
     * exception's form (cut for length, or a mask over its frame).
     */
    private static InvalidConfigurationException invalidConfiguration(InvalidConfigurationException invalid, String cleaned) {
        String head = invalid.pid() + ": " + invalid.property() + " = '";
        String middle = "' is invalid; expected ";
        int at = cleaned.lastIndexOf(middle);
        if (!cleaned.startsWith(head) || at < head.length()) {
            return null;
        }
        InvalidConfigurationException rebuilt = new InvalidConfigurationException(invalid.pid(), invalid.property(),
                cleaned.substring(head.length(), at), cleaned.substring(at + middle.length()));
        return rebuilt.getMessage().equals(cleaned) ? rebuilt : null;
    }

    static long generationOf(Object snapshot) {
        if (snapshot instanceof ComputeSnapshot s) {
            return s.generation();
        } else if (snapshot instanceof GpuSnapshot s) {
            return s.generation();
        } else if (snapshot instanceof FabricSnapshot s) {
            return s.generation();
        } else if (snapshot instanceof StorageSnapshot s) {
            return s.generation();
        }
        throw new ProviderFailureException("unknown snapshot type " + snapshot.getClass().getName());
    }

    /**
     * The most warnings of one snapshot, or of the merge about one provider, that are kept, shown
     * and logged; the rest are counted in one more line. A provider warning of each resource of a
     * large estate would otherwise put every line into its status, {@code strata:providers} and the
     * log.
     */
    static final int MAX_WARNINGS = 100;

    /** The line that stands for the warnings past {@link #MAX_WARNINGS}. */
    static String moreWarnings(int more) {
        return "... and " + more + " more warnings (at most " + MAX_WARNINGS + " are shown)";
    }

    /** The warnings a snapshot carries, cleaned ({@link ProviderText}), at most {@link #MAX_WARNINGS} and a line counting the rest. */
    static List<String> warningsOf(Object snapshot) {
        List<String> warnings;
        if (snapshot instanceof ComputeSnapshot s) {
            warnings = s.warnings();
        } else if (snapshot instanceof GpuSnapshot s) {
            warnings = s.warnings();
        } else if (snapshot instanceof FabricSnapshot s) {
            warnings = s.warnings();
        } else if (snapshot instanceof StorageSnapshot s) {
            warnings = s.warnings();
        } else {
            return List.of();
        }
        List<String> kept = new ArrayList<>(warnings.stream().limit(MAX_WARNINGS).map(ProviderText::clean).toList());
        if (warnings.size() > MAX_WARNINGS) {
            kept.add(moreWarnings(warnings.size() - MAX_WARNINGS));
        }
        return List.copyOf(kept);
    }

    static int resourcesOf(Object snapshot) {
        // by id: one listed twice is merged into one (the provider is warned), and counted once here as in the inventory
        if (snapshot instanceof ComputeSnapshot s) {
            return distinct(s.nodes(), dev.strata.platform.api.model.Node::id);
        } else if (snapshot instanceof GpuSnapshot s) {
            return distinct(s.accelerators(), dev.strata.platform.api.model.Accelerator::id);
        } else if (snapshot instanceof FabricSnapshot s) {
            return distinct(s.fabrics(), dev.strata.platform.api.model.Fabric::id);
        } else if (snapshot instanceof StorageSnapshot s) {
            return distinct(s.pools(), dev.strata.platform.api.model.StoragePool::id);
        }
        return 0;
    }

    private static <T> int distinct(List<T> resources, java.util.function.Function<T, String> id) {
        return (int) resources.stream().map(id).distinct().count();
    }

    /** A discovery call whose thread is in the provider: of which registration, since when, with what deadline. */
    private record Running(Registration registration, Instant started, Duration timeout) {
    }

    /** One provider id; mutable, guarded by the directory's lock. */
    /** The registration whose generations went below {@code floor}, its predecessor's, and the warning that says so. */
    private record Backwards(Registration from, long floor, String warning) {
    }

    private static final class Entry {
        final String id;
        final Map<Capability, Registration> registrations = new EnumMap<>(Capability.class);
        final Map<Capability, Object> snapshots = new EnumMap<>(Capability.class);
        /** The registration whose discovery each snapshot is. */
        final Map<Capability, Registration> snapshotFrom = new EnumMap<>(Capability.class);
        final Map<Capability, List<String>> reportedWarnings = new EnumMap<>(Capability.class);
        /** A new version's generations that went below its predecessor's, warned of until they pass it. */
        final Map<Capability, Backwards> backwards = new EnumMap<>(Capability.class);
        final Map<Capability, CompletableFuture<Object>> inFlight = new EnumMap<>(Capability.class);
        final Map<Capability, Registration> inFlightRegistration = new EnumMap<>(Capability.class);
        /** The deadline each in-flight discovery was begun with (the configured one may have changed since). */
        final Map<Capability, Duration> inFlightTimeout = new EnumMap<>(Capability.class);
        /** The provider call under each in-flight discovery, which is stopped when its service leaves. */
        final Map<Capability, CompletableFuture<Object>> calls = new EnumMap<>(Capability.class);
        /** The call of each capability whose thread is in the provider, until that thread leaves it (after its deadline too). */
        final Map<Capability, Running> running = new EnumMap<>(Capability.class);
        /** The capabilities whose current service's last discovery failed, with the reason. */
        final Map<Capability, String> failing = new EnumMap<>(Capability.class);
        /** When each capability's discovery last succeeded, on the directory's ticker. */
        final Map<Capability, Long> lastGoodOf = new EnumMap<>(Capability.class);
        final java.util.Set<Capability> everRegistered = java.util.EnumSet.noneOf(Capability.class);
        /**
         * When each capability without a registration now last lost it, on the directory's ticker: its resources are dropped
         * a grace period later.
         */
        final Map<Capability, Long> departedCapabilities = new EnumMap<>(Capability.class);
        /** Services with this id for a capability that another service holds, in the order they came: not used while it stays. */
        final List<Registration> waiting = new ArrayList<>();
        String vendor;
        String version;
        String bundle;
        String description;
        ProviderState state;
        Instant since;
        /** When the provider entered its state, on the directory's ticker: what the grace period and a departure's length are measured from. */
        long sinceNanos;
        String message;
        Instant lastDiscovery;
        Instant lastGood;
        Duration lastDiscoveryTime;
        long generation;
        int swaps;

        Entry(String id) {
            this.id = id;
        }

        void setState(ProviderState newState, String newMessage, Instant now, long nowNanos) {
            if (newState != state) {
                since = now;
                sinceNanos = nowNanos;
            }
            state = newState;
            message = newMessage;
        }

        int resources() {
            return snapshots.values().stream().mapToInt(ProviderDirectory::resourcesOf).sum();
        }

        ProviderStatus status(List<String> mergeWarnings) {
            List<String> warnings = new ArrayList<>();
            reportedWarnings.values().forEach(warnings::addAll);
            for (Registration w : waiting) {
                Registration holder = keeper(this, w);
                warnings.add("conflict: the " + w.capability() + " service of bundle " + w.bundle() + " (version " + w.version()
                        + ") has this provider's id too; it is not used while that of bundle "
                        + (holder == null ? "(none)" : holder.bundle() + " (version " + holder.version() + ")")
                        + " is registered; give each provider its own id");
            }
            warnings.addAll(mergeWarnings);
            return new ProviderStatus(id, vendor, version, bundle,
                    registrations.isEmpty() ? everRegistered : registrations.keySet(),
                    state, since, lastDiscovery, lastDiscoveryTime, generation, resources(), message, swaps, warnings, description);
        }
    }
}
