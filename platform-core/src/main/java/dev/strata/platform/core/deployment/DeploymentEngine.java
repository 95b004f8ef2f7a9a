package dev.strata.platform.core.deployment;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentEvent;
import dev.strata.platform.api.deployment.DeploymentMember;
import dev.strata.platform.api.deployment.DeploymentResult;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.Deployments;
import dev.strata.platform.api.deployment.MemberState;
import dev.strata.platform.api.exception.ConflictException;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.NotLeaderException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.exception.StateStoreException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.platform.api.provisioning.ProvisioningProvider;
import dev.strata.platform.audit.LogRecord;
import dev.strata.platform.core.inventory.InventorySettings;
import dev.strata.platform.core.placement.OfferSlots;
import dev.strata.platform.core.metrics.CallMetrics;
import dev.strata.platform.core.provenance.ProviderText;
import dev.strata.platform.core.store.AuditFilter;
import dev.strata.platform.core.store.DeploymentRecord;
import dev.strata.platform.core.store.Leadership;
import dev.strata.platform.core.store.MemberRecord;
import dev.strata.platform.core.store.NewDeployment;
import dev.strata.platform.core.store.NewOperation;
import dev.strata.platform.core.store.OperationRecord;
import dev.strata.platform.core.store.OperationState;
import dev.strata.platform.core.store.ProvenanceEntry;
import dev.strata.platform.core.store.StateStore;
import dev.strata.platform.core.store.StoreRefusedException;
import dev.strata.platform.core.store.WritesRefusedException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deployments, outside OSGi: places contracts, stores deployments, and makes and deletes their
 * machines through the {@link ProvisioningProvider}s, with a {@link Reconciler} that keeps what
 * runs equal to what was asked. {@link DeploymentComponent} offers it as a service; tests,
 * benchmarks and process-level harnesses build it directly.
 *
 * <p><b>Crash safety.</b> Every provider call that changes something is a provider operation whose
 * id is stored ({@link dev.strata.platform.core.store.DeploymentStore#beginOperation}) before the
 * call is made. Until its outcome is recorded the operation stays pending, and every later try
 * (a retry after an outage, a pass after a restart, a new leader) gives the provider the same id,
 * which the provisioning SPI makes idempotent. A new operation id is chosen only after the
 * previous one's outcome is known: a machine that disappeared is replaced, a delete that failed
 * is tried again.
 *
 * <p><b>Threads.</b> Provider calls that change something run on a pool of {@code workers}; at
 * most one call per member is in flight. Reconciler passes run one at a time on their own thread.
 */
public final class DeploymentEngine implements Deployments, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeploymentEngine.class);
    static final String SYSTEM = "system";
    static final String KIND_DEPLOYMENT = "deployment";
    static final String KIND_PROVISIONING = "provisioning";
    static final String KIND_DRIFT = "drift";
    static final String KIND_LEAK = "leak";
    private static final int HISTORY_LIMIT = 10_000;

    final StateStore store;
    final Placement placement;
    final Inventory inventory;
    final ProvisioningProviders providers;
    private final ProviderRegistry registry;
    volatile DeploymentSettings settings;
    /**
     * How long a deploy waits for a member's provisioning provider while it is being replaced: the
     * inventory's {@code swapWait} ({@code etc/dev.strata.platform.core.inventory.cfg}), read at
     * each deploy.
     */
    private volatile Supplier<Duration> swapWait = InventorySettings.DEFAULTS::swapWait;
    final Clock clock;
    private final ExecutorService workers;
    private final ScheduledExecutorService passes;
    private final ExecutorService refresher;
    /** Runs providers' listings, so that a pass waits for each at most its deadline (Reconciler). */
    final ExecutorService listers;
    final Reconciler reconciler;
    /** The steps providers report on machines, into the provenance log. */
    final ProvisioningSteps steps;

    /** Deployments being deployed on this instance: placed, or about to be, and not stored yet (or given up). */
    final Set<String> placing = ConcurrentHashMap.newKeySet();
    /** Set when an allocation placed for a deployment that was not stored could not be released: the next pass looks again. */
    final AtomicBoolean unstoredLeft = new AtomicBoolean();
    /** Provider calls whose thread is in the provider, by what they act on (see {@link #call}); one at a time per key. */
    final Map<String, Running> running = new ConcurrentHashMap<>();
    private final CallMetrics metrics = CallMetrics.provisioning();
    /** Runs provider calls, so that one that ignores its deadline holds its own thread, not a worker or the reconciler's pass. */
    private final ExecutorService calls;
    /** Members with a provider call in flight: member key to operation id ("?" before it has one). */
    final Map<String, String> inFlight = new ConcurrentHashMap<>();
    /** Counts completed worker calls; a pass ignores members whose call completed after the pass read the store. */
    final AtomicLong completions = new AtomicLong();
    final Map<String, Long> completedAt = new ConcurrentHashMap<>();
    /**
     * Members waiting for a retry: the earliest time of the next try, and the tries of their
     * provider that failed in a row (the first of them records the wait and shows it on the member;
     * only a provider's failure counts, once).
     */
    final Map<String, Instant> notBefore = new ConcurrentHashMap<>();
    final Map<String, Integer> failures = new ConcurrentHashMap<>();
    /** Per member: the tries in a row that failed in Strata's own part (its store), for their backoff alone. */
    final Map<String, Integer> errors = new ConcurrentHashMap<>();
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
    private final Object changes = new Object();
    private final Object scheduling = new Object();
    private ScheduledFuture<?> nextPass;
    private Instant nextPassAt;
    private volatile boolean started;
    private volatile boolean closed;

    /**
     * @param registry refreshes a provider's inventory after its machines changed, so that launched
     *     machines appear as nodes at once; may be null
     */
    public DeploymentEngine(StateStore store, Placement placement, Inventory inventory, ProvisioningProviders providers,
            ProviderRegistry registry, DeploymentSettings settings, Clock clock) {
        this.store = store;
        this.placement = placement;
        this.inventory = inventory;
        this.providers = providers;
        this.registry = registry;
        this.settings = settings;
        this.clock = clock;
        this.workers = Executors.newFixedThreadPool(settings.workers(), threads("strata-deployment-worker"));
        this.passes = Executors.newSingleThreadScheduledExecutor(threads("strata-reconciler"));
        this.calls = Executors.newCachedThreadPool(threads("strata-provider-call"));
        this.refresher = Executors.newSingleThreadExecutor(threads("strata-deployment-refresh"));
        this.listers = Executors.newCachedThreadPool(threads("strata-deployment-lister"));
        this.steps = new ProvisioningSteps(store);
        this.reconciler = new Reconciler(this);
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        // started as the platform: a pool starts a thread when work comes, and work may come from a tenant's login
        return r -> dev.strata.platform.core.placement.TenantAccess.platformThread(r, name + "-" + n.incrementAndGet());
    }

    /** Starts the reconciler: a first pass at once (it resumes what a previous run left unfinished), then passes on its schedule. */
    public void start() {
        start(Duration.ZERO);
    }

    /** Starts the reconciler with its first pass after {@code delay}. */
    public void start(Duration delay) {
        started = true;
        schedule(delay);
    }

    /** New settings; the worker pool keeps its size until restarted. */
    public void configure(DeploymentSettings newSettings) {
        settings = newSettings;
        kick();
    }

    /**
     * Where a deploy reads how long to wait for a member's provisioning provider while it is being
     * replaced: the inventory's {@code swapWait} (without this, its default, 30 s); zero refuses at
     * once.
     */
    public void swapWaitFrom(Supplier<Duration> source) {
        swapWait = java.util.Objects.requireNonNull(source, "source");
    }

    /**
     * Stops: no new provider call starts, and those in flight are interrupted. An operation whose
     * call was cut short stays pending with nothing recorded against its provider (it was Strata
     * that stopped), and the first pass of the next start resumes it under the same id.
     */
    @Override
    public void close() {
        closed = true;
        synchronized (scheduling) {
            if (nextPass != null) {
                nextPass.cancel(false);
            }
        }
        passes.shutdownNow();
        workers.shutdownNow();
        refresher.shutdownNow();
        listers.shutdownNow();
        calls.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
            passes.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the service ----------------------------------------------------------------------

    @Override
    public DeploymentResult deploy(Contract contract, String actor) {
        requireLeader();
        String who = actor == null || actor.isBlank() ? SYSTEM : actor;
        // the id first, kept with the allocation: should this instance stop before the deployment is stored, the next leader
        // knows the allocation for one placed for a deployment that never was, and frees it (freeUnstoredPlacements)
        String id = store.deployments().nextId();
        placing.add(id);
        boolean placementUnsure = false;
        try {
            PlacementDecision decision;
            try {
                decision = placement.placeFor(contract, id);
            } catch (StateStoreException e) {
                // the ledger may have committed the allocation without acknowledging it (a connection lost while committing):
                // placed for a deployment that is never stored, it is freed by the reconciler, asked below to look for it
                placementUnsure = true;
                throw new StateStoreException("deployment " + id + " of " + contract.name() + " was not started: its placement failed ("
                        + message(e) + "); nothing was provisioned; should the store have kept its allocation anyway, the reconciler "
                        + "frees it, as one placed for a deployment that was never stored", e);
            }
            return deploy(contract, who, id, decision);
        } finally {
            placing.remove(id);
            if (placementUnsure) {
                // once out of `placing`: a pass that looked before would leave the allocation to a deploy under way
                unstoredLeft.set(true);
                kick();
            }
        }
    }

    private DeploymentResult deploy(Contract contract, String who, String id, PlacementDecision decision) {
        if (!decision.placed()) {
            return new DeploymentResult(decision, false, List.of(), null);
        }
        List<Spec.MemberSpec> members;
        DeploymentRecord created;
        Spec spec;
        List<MemberRecord> rows = new ArrayList<>();
        try {
            members = planAwaitingProviders(contract, decision);
            spec = new Spec(contract.name(), contract.tenant(), contract.priority(), contract.deployment().onMachineLoss(),
                    decision.allocationId(), members);
            for (Spec.MemberSpec m : members) {
                rows.add(new MemberRecord(id, m.name(), m.target().id(), m.providerId(), MemberState.REQUESTED.name(), null, null));
            }
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("summary", "deployment " + id + " of contract " + contract.name() + " requested by " + who + ": " + members.size()
                    + (members.size() == 1 ? " member" : " members") + " through " + new TreeSet<>(members.stream().map(Spec.MemberSpec::providerId).toList()));
            payload.put("state", DeploymentState.REQUESTED.name());
            payload.put("onMachineLoss", spec.onMachineLoss().name().toLowerCase(java.util.Locale.ROOT));
            payload.put("placement", decision.summary());
            payload.put("inventoryGeneration", decision.inventoryGeneration());
            List<Map<String, Object>> memberPayload = new ArrayList<>();
            for (Spec.MemberSpec m : members) {
                Map<String, Object> mp = new LinkedHashMap<>();
                mp.put("member", m.name());
                mp.put("target", m.target().kind().name().toLowerCase(java.util.Locale.ROOT) + " " + m.target().id());
                mp.put("provider", m.providerId());
                mp.put("site", m.siteId());
                // the spec keeps them as given (the provider needs them); the record, which is kept for good, keeps them cleaned
                mp.put("parameters", cleaned(m.parameters()));
                memberPayload.add(mp);
            }
            payload.put("members", memberPayload);
            payload.put("evidence", decision.evidence().stream().map(Object::toString).toList());
            ProvenanceEntry why = ProvenanceEntry.of(KIND_DEPLOYMENT, who, payload, "deployment", id, "contract", contract.name(), "tenant",
                    contract.tenant(), "allocation", decision.allocationId());
            created = join(store.deployments().create(new NewDeployment(id, decision.allocationId(), null, contract.tenant(),
                    DeploymentState.REQUESTED.name(), spec.toJson(), rows), why));
        } catch (RuntimeException e) {
            if (e instanceof StateStoreException) {
                // the store may have committed a write it did not acknowledge (a connection lost while committing, an fsync
                // that failed after the commit): a stored deployment's machines will be made, so its allocation must stay
                Boolean stored = storedAnyway(id);
                if (stored == null || stored) {
                    if (stored == null) {
                        unstoredLeft.set(true); // the reconciler looks again, and frees the allocation if the deployment is not there
                    }
                    signal();
                    kick();
                    throw new StateStoreException("deployment " + id + " of " + contract.name() + (stored == null
                            ? " may have been stored although the store did not acknowledge it (" + message(e) + "), and the store "
                                    + "cannot be read now; its allocation " + decision.allocationId() + " is kept, and the reconciler "
                                    + "frees it once the store answers if strata:deployment " + id + " is not there"
                            : " was stored although the store did not acknowledge it (" + message(e) + "); it goes on with allocation "
                                    + decision.allocationId() + " (strata:deployment " + id + ")"), e);
                }
            }
            releaseQuietly(decision.allocationId(), id, contract.name());
            if (e instanceof StoreRefusedException refused && refused.getCause() instanceof ConflictException) {
                // the store refused the deployment because its allocation was released after placement (a forced release):
                // nothing of it was written, and no provider was called
                ConflictException released = new ConflictException("deployment " + id + " of " + contract.name() + " was not started: "
                        + "its allocation " + decision.allocationId() + " was released after placement placed it and before the "
                        + "deployment was stored (a forced release: strata:release --force, or Placement.forceRelease); nothing was "
                        + "provisioned and nothing of the deployment is stored; deploy the contract again to place it anew");
                released.initCause(refused);
                LOG.warn("{}", released.getMessage());
                throw released;
            }
            throw e;
        } catch (Error e) {
            // an Error too (an OutOfMemoryError, a provider's AssertionError or LinkageError while planning): uncaught, it kept
            // the allocation held in the ledger for a deployment that may never be stored, until the next leader's first pass.
            // The release is refused in its own transaction should the deployment have been stored after all
            try {
                releaseQuietly(decision.allocationId(), id, contract.name());
            } catch (Error again) {
                unstoredLeft.set(true);
                e.addSuppressed(again);
            }
            throw e;
        }
        LOG.info("Deployment {} of {} (tenant {}) requested by {}: {} members, allocation {}", created.id(), contract.name(),
                contract.tenant(), who, members.size(), decision.allocationId());
        signal();
        kick();
        List<MemberRecord> stored;
        try {
            stored = store.deployments().members(created.id());
        } catch (RuntimeException e) {
            // the deployment is stored and its machines will be made: failed here, the deploy made the caller deploy the contract
            // again, a second deployment on a second allocation; its members are as they were written, requested
            LOG.warn("Deployment {} of {} is stored; reading its members back failed ({}): answered with the members as written", created.id(),
                    contract.name(), message(e));
            stored = rows;
        }
        Loaded loaded = new Loaded(created, spec, stored, List.of());
        Deployment deployment = toDeployment(loaded);
        return new DeploymentResult(decision, false, deployment.members(), deployment);
    }

    @Override
    public DeploymentResult plan(Contract contract) {
        PlacementDecision decision = placement.place(contract, true);
        if (!decision.placed()) {
            return new DeploymentResult(decision, true, List.of(), null);
        }
        List<DeploymentMember> planned = new ArrayList<>();
        InventorySnapshot snapshot = inventory.snapshot();
        Map<String, Member> byName = membersByName(contract);
        for (MemberBinding b : decision.bindings()) {
            Member member = byName.get(b.member());
            Map<String, String> parameters = member == null ? Map.of() : contract.provisioningOf(member);
            try {
                Spec.MemberSpec m = memberSpec(snapshot, b, member, parameters, true);
                planned.add(new DeploymentMember(m.name(), m.target(), m.providerId(), m.siteId(), cleaned(m.parameters()), MemberState.REQUESTED,
                        null, null, null, null, null));
            } catch (StrataException e) {
                Optional<CapacityOffer> offer = offerOf(snapshot, b.nodeId());
                String providerId = snapshot.node(b.nodeId()).map(Node::providerId)
                        .or(() -> offer.map(CapacityOffer::providerId)).orElse("?");
                MachineTarget target = offer.map(o -> MachineTarget.offer(o.id())).orElse(MachineTarget.node(b.nodeId()));
                planned.add(new DeploymentMember(b.member(), target, providerId, b.siteId(), cleaned(parameters), MemberState.FAILED, null, null, null,
                        message(e), null));
            }
        }
        return new DeploymentResult(decision, true, planned, null);
    }

    @Override
    public List<Deployment> list() {
        List<Deployment> out = new ArrayList<>();
        for (DeploymentRecord r : store.deployments().list()) {
            load(r).map(this::toDeployment).ifPresent(out::add);
        }
        return out;
    }

    /**
     * {@inheritDoc} A deployment the store holds but whose spec cannot be read (a row a later
     * version wrote) fails with a {@link StateStoreException} naming it and why: an empty answer
     * told the caller that there was no such deployment.
     */
    @Override
    public Optional<Deployment> get(String id) {
        return store.deployments().get(id).map(this::read).map(this::toDeployment);
    }

    @Override
    public List<DeploymentEvent> history(String id) {
        requireDeployment(id);
        List<DeploymentEvent> out = new ArrayList<>();
        // the latest records (a long-lived deployment may have more than the limit), shown oldest first
        for (LogRecord r : store.provenance().find(new AuditFilter(null, null, null, id, null, null, null, HISTORY_LIMIT, true))) {
            Object summary = r.payload().get("summary");
            out.add(new DeploymentEvent(r.seq(), Instant.parse(r.time()), r.kind(), r.actor(),
                    summary == null ? r.kind() + " " + r.payloadJson() : summary.toString()));
        }
        java.util.Collections.reverse(out);
        return out;
    }

    @Override
    public Deployment undeploy(String id, String actor) {
        requireLeader();
        String who = actor == null || actor.isBlank() ? SYSTEM : actor;
        for (int attempt = 1; ; attempt++) {
            DeploymentRecord r = requireDeployment(id);
            try {
                Spec.parse(r.spec(), id);
            } catch (StateStoreException unreadable) {
                // without its spec the reconciler cannot delete its machines nor release its allocation: moved to DELETING, it
                // stayed there for good, and the undeploy failed reading it back ("No value present")
                throw new StateStoreException("deployment " + id + " is not undeployed: " + unreadable.getMessage() + "; without it the "
                        + "reconciler cannot tell which machines to delete, and nothing was changed");
            }
            DeploymentState state = DeploymentState.valueOf(r.state());
            if (state == DeploymentState.DELETING || state == DeploymentState.DELETED) {
                return get(id).orElseThrow();
            }
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("summary", "undeploy of " + id + " asked by " + who + " (was " + state + "): deleting its machines, then releasing "
                    + "allocation " + r.allocationId());
            payload.put("state", DeploymentState.DELETING.name());
            payload.put("previous", state.name());
            try {
                join(store.deployments().update(id, r.version(), DeploymentState.DELETING.name(), "undeploy asked by " + who,
                        entry(KIND_DEPLOYMENT, who, r, payload)));
                break;
            } catch (StoreRefusedException e) {
                if (attempt >= 10) {
                    throw new StateStoreException("deployment " + id + " kept changing while it was being undeployed; try again", e);
                }
            }
        }
        LOG.info("Undeploy of {} asked by {}", id, who);
        signal();
        kick();
        return get(id).orElseThrow();
    }

    @Override
    public Deployment await(String id, Set<DeploymentState> states, Duration timeout) {
        Instant deadline = clock.instant().plus(timeout);
        while (true) {
            Deployment d = get(id).orElseThrow(() -> new NotFoundException("no deployment '" + id + "'"));
            Duration left = Duration.between(clock.instant(), deadline);
            if (states.contains(d.state()) || left.isNegative() || left.isZero()) {
                return d;
            }
            synchronized (changes) {
                try {
                    changes.wait(Math.max(1, Math.min(left.toMillis(), 250)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return d;
                }
            }
        }
    }

    /**
     * Runs one reconciler pass now, on the calling thread (waiting for a pass in progress).
     * Provider calls it starts run on the workers; {@link #awaitIdle} waits for them.
     */
    public Reconciler.PassReport reconcileNow() {
        return reconciler.pass();
    }

    /** Waits until no provider call is in flight, or the timeout passes; true when idle. */
    public boolean awaitIdle(Duration timeout) {
        Instant deadline = clock.instant().plus(timeout);
        while (!inFlight.isEmpty()) {
            if (!clock.instant().isBefore(deadline)) {
                return false;
            }
            synchronized (changes) {
                try {
                    changes.wait(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    // ---- planning -----------------------------------------------------------------------------

    private List<Spec.MemberSpec> plan(Contract contract, PlacementDecision decision, boolean requireProvider) {
        InventorySnapshot snapshot = inventory.snapshot();
        Map<String, Member> byName = membersByName(contract);
        List<Spec.MemberSpec> out = new ArrayList<>();
        for (MemberBinding b : decision.bindings()) {
            Member member = byName.get(b.member());
            out.add(memberSpec(snapshot, b, member, member == null ? Map.of() : contract.provisioningOf(member), requireProvider));
        }
        return out;
    }

    /**
     * Plans a placed contract for a deploy. A member whose provisioning provider is being replaced
     * (it ran and left, its bundle being updated: {@link ProvisioningProviders#departed}) waits for
     * it up to {@link #swapWait} in all, as a caller of the provider registry waits for a departed
     * provider, and the plan is made again once it is back (also where it came back while the plan
     * was being made); one that never ran is refused at once. The wait holds no lock (placement
     * went on for everyone else; this deployment's allocation stays held until it is stored or
     * released).
     */
    private List<Spec.MemberSpec> planAwaitingProviders(Contract contract, PlacementDecision decision) {
        Duration wait = swapWait.get();
        Instant deadline = null;
        while (true) {
            try {
                return plan(contract, decision, true);
            } catch (NoProvisioner e) {
                // a provider that ran (whether it is departed now or came back since the plan looked for it) is waited for; asked
                // only whether it is departed, one that came back after the plan looked was no longer departed, and the deploy
                // was refused as if no such provider had ever run
                Optional<String> replaced = e.candidates.stream().filter(providers::ran).findFirst();
                if (replaced.isEmpty()) {
                    throw new ProviderFailureException(e.getMessage());
                }
                String id = replaced.get();
                if (providers.get(id).isPresent()) {
                    continue; // back since the plan looked for it: planned again
                }
                if (deadline == null) {
                    deadline = clock.instant().plus(wait);
                    LOG.info("Deploy of {} (tenant {}): provisioning provider {} is being replaced; waiting up to {} for it", contract.name(),
                            contract.tenant(), id, Reconciler.describe(wait));
                }
                Duration left = Duration.between(clock.instant(), deadline);
                if (left.isNegative() || left.isZero() || providers.await(id, left).isEmpty()) {
                    throw new ProviderUnavailableException("member " + e.member + ": provisioning provider " + id + " was being replaced "
                            + "and did not come back within " + Reconciler.describe(wait) + " (swapWait); nothing was deployed");
                }
                LOG.info("Deploy of {} (tenant {}): provisioning provider {} is back; deploying", contract.name(), contract.tenant(), id);
            }
        }
    }

    /**
     * No provisioning provider runs for a member: the message is the refusal; {@code candidates}
     * are the ids that would make its machine (its node's or offer's provider, then the joined ones).
     */
    private static final class NoProvisioner extends ProviderFailureException {
        private static final long serialVersionUID = 1L;
        final List<String> candidates;
        final String member;

        NoProvisioner(String message, String member, List<String> candidates) {
            super(message);
            this.member = member;
            this.candidates = List.copyOf(candidates);
        }
    }

    private static Map<String, Member> membersByName(Contract contract) {
        Map<String, Member> byName = new LinkedHashMap<>();
        for (Member m : contract.members()) {
            byName.put(m.name(), m);
        }
        return byName;
    }

    /** The node or offer a binding names, and the provider that makes its machine. */
    private Spec.MemberSpec memberSpec(InventorySnapshot snapshot, MemberBinding b, Member member, Map<String, String> parameters,
            boolean requireProvider) {
        MachineTarget target;
        String providerId;
        String siteId;
        Optional<Node> node = snapshot.node(b.nodeId());
        Optional<CapacityOffer> offer = node.isPresent() ? Optional.empty() : offerOf(snapshot, b.nodeId());
        List<String> candidates = new ArrayList<>();
        if (node.isPresent()) {
            target = MachineTarget.node(b.nodeId());
            providerId = node.get().providerId();
            siteId = node.get().siteId();
            candidates.add(providerId);
            if (providers.get(providerId).isEmpty()) {
                // one machine seen by several providers (in band and through its BMC): the node keeps the in-band
                // provider's id, and the machine is made by the joined provider that provisions, on its own node id
                for (String joined : dev.strata.platform.core.inventory.JoinedIds.split(node.get().attributes().get(
                        dev.strata.platform.core.inventory.InventoryService.JOINED_PROVIDERS))) {
                    int eq = joined.indexOf('=');
                    if (eq <= 0 || eq >= joined.length() - 1) {
                        continue;
                    }
                    String joinedId = joined.substring(0, eq).strip();
                    candidates.add(joinedId);
                    if (providers.get(joinedId).isPresent()) {
                        providerId = joinedId;
                        target = MachineTarget.node(joined.substring(eq + 1).strip());
                        break;
                    }
                }
            }
        } else if (offer.isPresent()) {
            target = MachineTarget.offer(offer.get().id());
            providerId = offer.get().providerId();
            siteId = offer.get().siteId();
            candidates.add(providerId);
        } else {
            throw new NotFoundException("member " + b.member() + " was bound to " + b.nodeId() + ", which is no longer in the inventory");
        }
        if (requireProvider && providers.get(providerId).isEmpty()) {
            throw new NoProvisioner("member " + b.member() + " was bound to " + target.kind().name().toLowerCase(java.util.Locale.ROOT)
                    + " " + b.nodeId() + " of provider " + providerId + ", which cannot make machines: no provisioning provider with the id "
                    + providerId + " is running" + (providers.all().isEmpty() ? " (none is)" : " (those that are: " + String.join(", ",
                            providers.all().keySet()) + ")"), b.member(), candidates);
        }
        int gpus;
        String partition = null;
        if (member == null) {
            gpus = b.acceleratorIds().size();
        } else if (member.gpus().partitionProfile() != null || member.gpus().fraction() < 1) {
            gpus = 0;
            partition = member.gpus().partitionProfile();
        } else {
            gpus = member.gpus().count();
        }
        MachineResources resources = new MachineResources(b.cpuMilli(), b.memoryBytes(), gpus, b.acceleratorIds(), partition);
        return new Spec.MemberSpec(b.member(), target, providerId, siteId == null ? b.siteId() : siteId, resources, parameters, b.nodeId());
    }

    /**
     * What a member's request asks of its machine: its resources, for an offer without GPU ids. The
     * spec keeps the GPUs placement bound, for a launch slot the slot's ({@code <offer>#0/gpu0}),
     * ids of a machine not yet made that no provider knows; the API promises none for an offer
     * ({@link MachineResources#gpuIds()}), whose machine is asked for its GPUs by number. A spec
     * stored with an offer's GPU ids is asked for without them too.
     */
    static MachineResources requested(Spec.MemberSpec m) {
        MachineResources r = m.resources();
        return m.target().kind() != MachineTarget.Kind.OFFER || r.gpuIds().isEmpty() ? r
                : new MachineResources(r.cpuMillis(), r.memoryBytes(), r.gpus(), List.of(), r.partitionProfile());
    }

    /** The offer a binding names: a launch slot of it ({@link OfferSlots}), or the offer itself. */
    static Optional<CapacityOffer> offerOf(InventorySnapshot snapshot, String boundId) {
        return OfferSlots.offerOf(boundId).flatMap(snapshot::offer).or(() -> snapshot.offer(boundId));
    }

    // ---- reading --------------------------------------------------------------------------------

    /** A deployment as the store holds it now; throws {@link StateStoreException} when its spec cannot be read. */
    Loaded read(DeploymentRecord r) {
        Spec spec = Spec.parse(r.spec(), r.id());
        return new Loaded(r, spec, store.deployments().members(r.id()), store.deployments().operations(r.id()));
    }

    /**
     * A deployment as the store holds it now, or empty when it cannot be read, named in the log
     * once for each reason: one whose plan a later Strata wrote is read on every pass, and was
     * logged on every pass, for ever. The reconciler leaves it as it is (its machines are not
     * taken for leaks, its allocation stays held), as the README says.
     */
    Optional<Loaded> load(DeploymentRecord r) {
        try {
            Loaded loaded = read(r);
            unreadable.remove(r.id());
            return Optional.of(loaded);
        } catch (StateStoreException e) {
            String why = String.valueOf(e.getMessage());
            if (why.equals(unreadable.put(r.id(), why))) {
                LOG.debug("Deployment {} still cannot be read: {}", r.id(), why);
            } else {
                LOG.error("Deployment {} cannot be read: {}; it is left as it is (its machines are not taken for leaks, and its "
                        + "allocation stays held) until it can be read", r.id(), why);
            }
            return Optional.empty();
        }
    }

    /** Deployments that could not be read, by id, with why: each is named in the log once for a reason. */
    private final Map<String, String> unreadable = new java.util.concurrent.ConcurrentHashMap<>();

    Deployment toDeployment(Loaded d) {
        List<DeploymentMember> members = new ArrayList<>();
        for (Spec.MemberSpec m : d.spec.members()) {
            MemberRecord r = d.members.get(m.name());
            Spec.Detail detail = d.detail(m.name());
            MemberState state = effectiveState(d, m.name());
            Optional<OperationRecord> pendingCreate = d.pending(m.name()).filter(op -> op.action().equals(Loaded.CREATE));
            String operation = pendingCreate.map(OperationRecord::id).orElse(detail.operation());
            String nodeId = r == null || r.nodeId() == null || r.nodeId().equals(m.target().id()) && m.target().kind() == MachineTarget.Kind.OFFER
                    ? null : r.nodeId();
            members.add(new DeploymentMember(m.name(), m.target(), m.providerId(), m.siteId(), cleaned(m.parameters()), state, detail.machine(), nodeId,
                    operation, detail.message(), r == null ? null : r.updatedAt()));
        }
        DeploymentRecord r = d.record;
        return new Deployment(r.id(), d.spec.contract(), r.tenant(), r.allocationId(), d.state(), r.message(), d.spec.onMachineLoss(),
                r.createdAt(), r.updatedAt(), r.version(), members);
    }

    /** The member's state, with a create asked for but not answered shown as {@link MemberState#CREATING}. */
    MemberState effectiveState(Loaded d, String member) {
        MemberState s = d.memberState(member);
        if (s == MemberState.REQUESTED && (d.pending(member).filter(op -> op.action().equals(Loaded.CREATE)).isPresent()
                || inFlight.containsKey(key(d.id(), member)))) {
            return MemberState.CREATING;
        }
        return s;
    }

    private DeploymentRecord requireDeployment(String id) {
        return store.deployments().get(id).orElseThrow(() -> new NotFoundException("no deployment '" + id + "'" + known()));
    }

    private String known() {
        List<String> ids = store.deployments().list().stream().map(DeploymentRecord::id).toList();
        if (ids.isEmpty()) {
            return "; there are none";
        }
        List<String> last = ids.subList(Math.max(0, ids.size() - 10), ids.size());
        return "; known deployments: " + String.join(", ", last) + (ids.size() > last.size() ? " (the last 10 of " + ids.size() + ")" : "");
    }

    private void requireLeader() {
        Leadership leadership = store.leadership();
        if (leadership.isLeader()) {
            return;
        }
        try {
            // the store's refusal names the leader as the database records it now: this instance's last election round, up to
            // one election interval old, may still name a leader that stopped (and cleared the record as it stopped)
            store.requireLeader();
        } catch (NotLeaderException refused) {
            // an instance that refuses writes for its mode (the lock that marks it lost, or an instance of the other mode on the
            // database) keeps the store's reason before the leader it names: named alone, the leader sent the operator there as
            // if this instance merely followed
            if (refused.leaderId() == null || refused instanceof WritesRefusedException) {
                throw new NotLeaderException("instance " + leadership.instanceId() + " does not deploy: " + refused.getMessage(),
                        refused.leaderId(), refused.leaderAddress());
            }
            throw new NotLeaderException("instance " + leadership.instanceId() + " is a follower and does not deploy; the leader is "
                    + refused.leaderId() + " at " + refused.leaderAddress(), refused.leaderId(), refused.leaderAddress());
        }
    }

    // ---- provider calls on the workers ------------------------------------------------------

    static String key(String deploymentId, String member) {
        return deploymentId + "/" + member;
    }

    /** Whether a member may be acted on in a pass that read the store at {@code stamp}: no call in flight, none completed since. */
    boolean free(String key, long stamp) {
        return !inFlight.containsKey(key) && completedAt.getOrDefault(key, 0L) <= stamp;
    }

    boolean due(String key) {
        Instant at = notBefore.get(key);
        return at == null || !clock.instant().isBefore(at);
    }

    private boolean submit(String key, String operation, Runnable work) {
        if (closed || inFlight.putIfAbsent(key, operation) != null) {
            return false;
        }
        try {
            workers.execute(() -> {
                try {
                    work.run();
                } catch (NotLeaderException e) {
                    LOG.info("Deployment work on {} stopped: this instance no longer leads ({})", shown(key), e.getMessage());
                } catch (RuntimeException | Error e) {
                    // an Error too: uncaught, it ended the worker's thread and printed its text uncleaned, and the member was
                    // tried again on the next pass with no backoff
                    LOG.error("Deployment work on {} failed; it is tried again at the next pass", shown(key), ProviderText.trace(e));
                    // Strata's own failure (a store write, a bug): backed off, not counted as a failure of the provider
                    backOff(key);
                    if (e instanceof VirtualMachineError fatal) {
                        throw fatal;
                    }
                } finally {
                    completedAt.put(key, completions.incrementAndGet());
                    inFlight.remove(key);
                    signal();
                    kick();
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            inFlight.remove(key);
            return false;
        }
    }

    /** Makes (or, with {@code resume}, goes on making) a member's machine. */
    void submitCreate(Loaded d, Spec.MemberSpec m, OperationRecord resume) {
        int attempt = d.count(m.name(), Loaded.CREATE) + 1;
        submit(key(d.id(), m.name()), resume == null ? "?" : resume.id(), () -> create(d, m, resume, attempt));
    }

    /** Deletes a member's machine (with {@code resume}, under the operation already recorded). */
    void submitDelete(Loaded d, Spec.MemberSpec m, MachineHandle machine, OperationRecord resume) {
        int attempt = d.count(m.name(), Loaded.DELETE) + 1;
        int failedBefore = d.failuresSinceSuccess(m.name(), Loaded.DELETE);
        Spec.Detail detail = d.detail(m.name());
        submit(key(d.id(), m.name()), resume == null ? "?" : resume.id(), () -> delete(d, m, machine, detail, resume, attempt, failedBefore));
    }

    /**
     * For a member of a deployment being deleted that has no machine on record, or creates still
     * pending: asks the provider whether its creates made machines.
     */
    void submitFind(Loaded d, Spec.MemberSpec m, List<OperationRecord> creates) {
        submit(key(d.id(), m.name()), "find", () -> find(d, m, creates));
    }

    /** Deletes a leaked machine; {@code record} makes the provenance entry from what the provider answered. */
    void submitLeakDelete(String providerId, MachineStatus machine, java.util.function.Function<String, ProvenanceEntry> record) {
        String key = "leak:" + providerId + "/" + machine.handle().machineId();
        submit(key, "leak", () -> {
            Optional<ProvisioningProvider> running = providers.get(providerId);
            if (running.isEmpty()) {
                // it listed the machine and left since (its bundle being replaced, or removed): nothing to call; while it is away
                // it lists nothing, and the reconciler takes the leak up again when a listing of the provider shows it
                LOG.warn("Leaked machine {} of provider {} is not deleted now: no provisioning provider {} is running (being replaced, or "
                        + "not installed); it is deleted on a later pass, once the provider is back", shown(machine.handle().machineId()),
                        providerId, providerId);
                return;
            }
            ProvisioningProvider provider = running.get();
            MachineStatus after;
            try {
                after = call("leak/" + providerId + "/" + machine.handle().machineId(), "delete of leaked machine "
                        + shown(machine.handle().machineId()) + " on provider " + providerId, providerId, CallMetrics.DELETE,
                        () -> provider.delete(machine.handle(), context("leak-" + machine.handle().machineId())));
            } catch (RuntimeException e) {
                if (closed) {
                    LOG.debug("Deleting leaked machine {} of provider {} was cut short as deployments stop: {}",
                            shown(machine.handle().machineId()), providerId, message(e));
                } else {
                    LOG.warn("Leaked machine {} of provider {} could not be deleted: {}; the reconciler tries again",
                            shown(machine.handle().machineId()), providerId, message(e));
                }
                return;
            }
            join(store.provenance().append(record.apply(after.state().name())));
            LOG.warn("Deleted leaked machine {} of provider {} (labels {}): now {}", shown(machine.handle().machineId()), providerId,
                    cleaned(machine.labels()), after.state());
            refreshInventory(providerId);
        });
    }

    private void create(Loaded d, Spec.MemberSpec m, OperationRecord resume, int attempt) {
        String key = key(d.id(), m.name());
        OperationRecord op = resume;
        if (op == null) {
            if (failedMeanwhile(d, m)) {
                return;
            }
            try {
                op = join(store.deployments().beginOperation(new NewOperation(d.id(), m.name(), m.providerId(), Loaded.CREATE, attempt)));
            } catch (StoreRefusedException refused) {
                if (undeployed(d.id())) {
                    // undeployed after the look above: the store refuses the operation in its own transaction, and nothing is sent
                    LOG.info("Deployment {}: the create of {} is not sent: the deployment was undeployed after the create was queued",
                            d.id(), m.name());
                    return;
                }
                throw refused;
            }
            inFlight.put(key, op.id());
        } else {
            LOG.info("Resuming operation {} (create {} of deployment {}) with the same id", op.id(), m.name(), d.id());
        }
        MachineRequest request = new MachineRequest(op.id(), d.id(), m.name(), d.spec.tenant(), m.target(), requested(m), m.parameters(),
                installation(), d.record.allocationId());
        MachineStatus status;
        try {
            ProvisioningProvider provider = provider(m.providerId());
            String opId = op.id();
            status = call(key, "create of operation " + opId + " on provider " + m.providerId(), m.providerId(),
                    CallMetrics.CREATE, () -> provider.create(request, context(opId)));
            if (status == null || status.handle() == null) {
                // a provider's bug: without a status nothing can be tracked; the member fails with the reason (a machine it made
                // anyway carries the operation's labels, and the reconciler finds it as a leak)
                throw new ProviderFailureException("provider " + m.providerId() + " answered create with no machine status"
                        + (status == null ? "" : " handle") + "; expected the machine's status (the provisioning SPI's create)");
            }
            if (status.operationId() != null && !status.operationId().equals(opId)) {
                // as find() holds: a machine is the machine of the operation it carries, and of no other; taken for this one,
                // two members would share one machine and the deployment would count it twice
                throw new ProviderFailureException("provider " + m.providerId() + " answered create of operation " + opId + " with machine "
                        + shown(status.handle().machineId()) + ", which operation " + ProviderText.clean(status.operationId())
                        + " made; expected the machine of " + opId);
            }
        } catch (RuntimeException e) {
            if (cutShort(d, m, "create " + op.id(), e)) {
                return;
            }
            if (retryable(e)) {
                waiting(d, m, op, MemberState.REQUESTED, m.target().id(), Spec.Detail.NONE, e);
                return;
            }
            String message = message(e);
            Map<String, Object> payload = payload(m, op, "refused");
            payload.put("summary", m.name() + ": provider " + m.providerId() + " made no machine (operation " + op.id() + "): " + message);
            payload.put("error", message);
            join(store.deployments().finishOperation(op.id(), OperationState.FAILED, null, message, entry(KIND_PROVISIONING, SYSTEM, d.record,
                    payload, "provider", m.providerId())));
            updateMember(d, m, MemberState.FAILED, m.target().id(), new Spec.Detail(null, op.id(), message), null);
            LOG.warn("Deployment {}: provider {} made no machine for {} (operation {}): {}", d.id(), m.providerId(), m.name(), op.id(), message);
            settled(key);
            return;
        }
        MemberState state = memberState(status);
        String message = switch (status.state()) {
            case FAILED -> "the machine failed: " + orDash(ProviderText.clean(status.message()));
            case DELETING, GONE -> "the machine was gone as soon as it was made: " + orDash(ProviderText.clean(status.message()));
            default -> null;
        };
        Spec.Detail detail = new Spec.Detail(status.handle(), op.id(), message);
        String nodeId = status.nodeId() != null ? status.nodeId() : m.target().id();
        steps.record(d.record, m.name(), m.providerId(), nodeId, status);
        Map<String, Object> payload = payload(m, op, status.state().name());
        payload.put("summary", m.name() + ": provider " + m.providerId() + " made " + shown(status.handle().machineId()) + " ("
                + status.state().name().toLowerCase(java.util.Locale.ROOT) + (status.nodeId() != null ? ", node " + shown(status.nodeId()) : "")
                + "), operation " + op.id() + (message == null ? "" : ": " + message));
        payload.put("machine", handlePayload(status.handle()));
        payload.put("node", shown(status.nodeId()));
        join(store.deployments().finishOperation(op.id(), OperationState.SUCCEEDED, detail.toJson(), null, entry(KIND_PROVISIONING, SYSTEM,
                d.record, payload, "provider", m.providerId(), "node", shown(status.nodeId()))));
        updateMember(d, m, state, nodeId, detail, null);
        LOG.info("Deployment {}: {} made {} for {} ({}), operation {}", d.id(), m.providerId(), shown(status.handle().machineId()), m.name(),
                status.state(), op.id());
        settled(key);
        refreshInventory(m.providerId());
    }

    /** Whether a deployment is being deleted or deleted, as the store holds it now. */
    private boolean undeployed(String id) {
        return store.deployments().get(id).map(r -> DeploymentState.valueOf(r.state()))
                .filter(s -> s == DeploymentState.DELETING || s == DeploymentState.DELETED).isPresent();
    }

    /**
     * Whether the deployment of a create about to be sent failed after the pass that queued it
     * read it: the deployment is read again (a member that failed for good in the same pass, on
     * another worker, fails it). If it has, the create is not sent, and the member says why as on
     * the next passes ({@link Reconciler#notMade}). A create already sent (resumed under its id) is
     * not asked this: it is followed to its outcome. Nor is one sent for a deployment undeployed
     * after the pass queued it: the machine would be made only to be deleted, and the reconciler,
     * deleting the deployment, finds that the member never asked for one.
     */
    private boolean failedMeanwhile(Loaded queued, Spec.MemberSpec m) {
        Optional<DeploymentRecord> record = store.deployments().get(queued.id());
        if (record.isEmpty()) {
            return false;
        }
        DeploymentState state = DeploymentState.valueOf(record.get().state());
        if (state == DeploymentState.DELETING || state == DeploymentState.DELETED) {
            LOG.info("Deployment {}: the create of {} is not sent: the deployment was undeployed after the create was queued", queued.id(),
                    m.name());
            return true;
        }
        Loaded now = new Loaded(record.get(), queued.spec, store.deployments().members(queued.id()), List.of());
        Optional<String> failure = Reconciler.failure(now);
        if (failure.isEmpty()) {
            return false;
        }
        reconciler.notMade(now, m, now.detail(m.name()), failure.get());
        return true;
    }

    /**
     * Deletes a member's machine; {@code detail} is the member's record of that machine.
     *
     * @return whether the provider answered that the machine is gone
     */
    private boolean delete(Loaded d, Spec.MemberSpec m, MachineHandle machine, Spec.Detail detail, OperationRecord resume, int attempt,
            int failedBefore) {
        String key = key(d.id(), m.name());
        OperationRecord op = resume;
        if (op == null) {
            op = join(store.deployments().beginOperation(new NewOperation(d.id(), m.name(), m.providerId(), Loaded.DELETE, attempt)));
            inFlight.put(key, op.id());
        }
        MachineStatus status;
        try {
            ProvisioningProvider provider = provider(m.providerId());
            String opId = op.id();
            status = call(key(d.id(), m.name()), "delete of operation " + opId + " on provider " + m.providerId(), m.providerId(),
                    CallMetrics.DELETE, () -> provider.delete(machine, context(opId)));
            if (status == null || status.state() == null) {
                throw new ProviderFailureException("provider " + m.providerId() + " answered delete of " + shown(machine.machineId())
                        + " with no machine status; expected DELETING or GONE (the provisioning SPI's delete)");
            }
        } catch (RuntimeException e) {
            if (cutShort(d, m, "delete " + op.id() + " of " + shown(machine.machineId()), e)) {
                return false;
            }
            if (retryable(e)) {
                waiting(d, m, op, MemberState.DELETING, currentNode(d, m), detail.machine() == null ? new Spec.Detail(machine, null, null)
                        : detail, e);
                return false;
            }
            String message = message(e);
            int failed = failedBefore + 1;
            Duration wait = settings.backoff(failed);
            // the provider answered (it refused): an outage before is over, and a later wait is the first of the next one; the
            // refused deletes back off by their own count, which the operations keep
            settled(key);
            notBefore.put(key, clock.instant().plus(wait));
            Map<String, Object> payload = payload(m, op, "failed");
            payload.put("summary", m.name() + ": provider " + m.providerId() + " did not delete " + shown(machine.machineId()) + " (try "
                    + failed + ", operation " + op.id() + "): " + message + "; trying again in " + Reconciler.describe(wait));
            payload.put("machine", handlePayload(machine));
            payload.put("error", message);
            join(store.deployments().finishOperation(op.id(), OperationState.FAILED, null, message, entry(KIND_PROVISIONING, SYSTEM,
                    d.record, payload, "provider", m.providerId())));
            updateMember(d, m, MemberState.DELETING, currentNode(d, m), new Spec.Detail(machine, detail.operation(), "delete failed (try "
                    + failed + "): " + message + "; trying again in " + Reconciler.describe(wait)), null);
            LOG.warn("Deployment {}: {} did not delete {} of {} (try {}): {}", d.id(), m.providerId(), shown(machine.machineId()), m.name(),
                    failed, message);
            return false;
        }
        boolean gone = status.state() == dev.strata.platform.api.provisioning.MachineState.GONE;
        steps.record(d.record, m.name(), m.providerId(), currentNode(d, m), status);
        Map<String, Object> payload = payload(m, op, status.state().name());
        payload.put("summary", m.name() + ": provider " + m.providerId() + (gone ? " deleted " : " is deleting ") + shown(machine.machineId())
                + ", operation " + op.id());
        payload.put("machine", handlePayload(machine));
        join(store.deployments().finishOperation(op.id(), OperationState.SUCCEEDED, new Spec.Detail(machine, detail.operation(), null).toJson(),
                null, entry(KIND_PROVISIONING, SYSTEM, d.record, payload, "provider", m.providerId())));
        updateMember(d, m, gone ? MemberState.DELETED : MemberState.DELETING, currentNode(d, m), new Spec.Detail(machine, detail.operation(),
                null), null);
        LOG.info("Deployment {}: {} {} {} of {}, operation {}", d.id(), m.providerId(), gone ? "deleted" : "is deleting",
                shown(machine.machineId()), m.name(), op.id());
        settled(key);
        refreshInventory(m.providerId());
        return gone;
    }

    /**
     * Resolves every create of a member of a deployment being deleted, each on its own: the
     * provider is asked for the machine of each operation id (every answer before anything is
     * written), a pending create whose machine the provider has is recorded as having made it,
     * one it has no machine for is closed, and every machine found is deleted once, each under a
     * delete operation of its own. The machines of creates already finished go first, then those of
     * pending creates, oldest first; when one is not gone at once (being deleted, refused, or its
     * provider did not answer) the member follows it, and the creates still pending keep their
     * machines for a later look-up, once it is gone.
     */
    private void find(Loaded d, Spec.MemberSpec m, List<OperationRecord> creates) {
        String key = key(d.id(), m.name());
        ProvisioningProvider provider;
        try {
            provider = provider(m.providerId());
        } catch (RuntimeException e) {
            if (!cutShort(d, m, "look-up of its creates", e)) {
                waitingQuietly(key, d, m, e);
            }
            return;
        }
        Map<String, MachineStatus> made = new LinkedHashMap<>();
        Set<String> claimed = new java.util.HashSet<>();
        for (OperationRecord op : creates) {
            Optional<MachineStatus> found;
            try {
                found = call(key(d.id(), m.name()), "look-up of operation " + op.id() + " on provider " + m.providerId(), m.providerId(),
                        CallMetrics.FIND, () -> provider.find(op.id(), context(op.id())));
                if (found == null) {
                    // a provider's bug, as a create answered with nothing: not Strata's own failure (a NullPointerException below)
                    throw new ProviderFailureException("provider " + m.providerId() + " answered the look-up of operation " + op.id()
                            + " with nothing; expected its machine, or an empty answer where it made none (the provisioning SPI's find)");
                }
            } catch (RuntimeException e) {
                if (cutShort(d, m, "look-up of create " + op.id(), e)) {
                    return;
                }
                if (retryable(e)) {
                    waitingQuietly(key, d, m, e);
                    return;
                }
                LOG.warn("Deployment {}: provider {} could not look up operation {} of {}: {}", d.id(), m.providerId(), op.id(), m.name(),
                        message(e));
                retryLater(key);
                return;
            }
            if (found.isEmpty() || found.get().state() == dev.strata.platform.api.provisioning.MachineState.GONE) {
                continue;
            }
            MachineStatus status = found.get();
            String madeBy = status.operationId();
            if (madeBy != null && !madeBy.equals(op.id())) {
                // a machine is the machine of the operation it carries, and of no other
                LOG.warn("Deployment {}: provider {} answered the look-up of operation {} of {} with {}, which operation {} made; it is not "
                        + "taken for the machine of {}", d.id(), m.providerId(), op.id(), m.name(), shown(status.handle().machineId()),
                        ProviderText.clean(madeBy), op.id());
                continue;
            }
            if (claimed.add(status.handle().machineId())) {
                made.put(op.id(), status);
            }
        }
        // the provider answered: the looks that failed before are over
        settled(key);
        List<OperationRecord> oldestFirst = new ArrayList<>(creates);
        java.util.Collections.reverse(oldestFirst);
        for (OperationRecord op : oldestFirst) {
            if (op.state() == OperationState.PENDING && !made.containsKey(op.id())) {
                Map<String, Object> payload = payload(m, op, "abandoned");
                String message = "the deployment is being deleted and provider " + m.providerId() + " has no machine for operation " + op.id();
                payload.put("summary", m.name() + ": " + message + "; the operation is closed");
                join(store.deployments().finishOperation(op.id(), OperationState.FAILED, null, message, entry(KIND_PROVISIONING, SYSTEM,
                        d.record, payload, "provider", m.providerId())));
            }
        }
        if (made.isEmpty()) {
            if (d.memberState(m.name()) != MemberState.DELETED) {
                updateMember(d, m, MemberState.DELETED, currentNode(d, m), new Spec.Detail(null, d.detail(m.name()).operation(),
                        "no machine was made"), null);
            }
            return;
        }
        List<OperationRecord> order = new ArrayList<>();
        oldestFirst.stream().filter(op -> made.containsKey(op.id()) && op.state() != OperationState.PENDING).forEach(order::add);
        oldestFirst.stream().filter(op -> made.containsKey(op.id()) && op.state() == OperationState.PENDING).forEach(order::add);
        int attempt = d.count(m.name(), Loaded.DELETE);
        for (OperationRecord op : order) {
            MachineStatus status = made.get(op.id());
            boolean pending = op.state() == OperationState.PENDING;
            steps.record(d.record, m.name(), m.providerId(), m.target().id(), status);
            Spec.Detail detail = new Spec.Detail(status.handle(), op.id(), null);
            Map<String, Object> payload = payload(m, op, status.state().name());
            payload.put("summary", m.name() + ": provider " + m.providerId() + " has " + shown(status.handle().machineId())
                    + " made by operation " + op.id() + (pending ? ", whose answer was never recorded" : "") + "; deleting it");
            payload.put("machine", handlePayload(status.handle()));
            ProvenanceEntry why = entry(KIND_PROVISIONING, SYSTEM, d.record, payload, "provider", m.providerId());
            if (pending) {
                join(store.deployments().finishOperation(op.id(), OperationState.SUCCEEDED, detail.toJson(), null, why));
                why = null;
            }
            updateMember(d, m, MemberState.DELETING, status.nodeId() != null ? status.nodeId() : m.target().id(), detail, why);
            if (!delete(d, m, status.handle(), detail, null, ++attempt, 0)) {
                return;
            }
        }
    }

    /**
     * Whether a provider call failed because these deployments are stopping ({@link #close}): it
     * was refused as they closed ("deployments are stopping") or interrupted by it, and the
     * provider is not to blame. Nothing is recorded (no wait, no failure, no message on the
     * member): the operation stays pending, and the first pass of the next start resumes it under
     * the same id, as after a crash. A call that failed for a reason of its own in that instant is
     * asked again then too, under the same id, and answers the same.
     */
    private boolean cutShort(Loaded d, Spec.MemberSpec m, String what, RuntimeException e) {
        if (!closed) {
            return false;
        }
        LOG.info("Deployment {}: {} of {} on provider {} was cut short as deployments stop ({}); it stays pending and is resumed under the "
                + "same id at the next start", d.id(), what, m.name(), m.providerId(), message(e));
        return true;
    }

    /** A call that could not reach its provider: the operation stays pending and is tried again, under the same id, after a backoff. */
    private void waiting(Loaded d, Spec.MemberSpec m, OperationRecord op, MemberState state, String nodeId, Spec.Detail detail, RuntimeException e) {
        String key = key(d.id(), m.name());
        // counted once the wait is recorded: a record the store fails to write leaves the count as it was (the failure is not
        // counted again as the store's), and the next try is the first of the outage again, and records it
        int n = failures.getOrDefault(key, 0) + 1;
        Duration wait = settings.backoff(n);
        notBefore.put(key, clock.instant().plus(wait));
        String message = "waiting for provider " + m.providerId() + ": " + message(e);
        if (n == 1) {
            Map<String, Object> payload = payload(m, op, "waiting");
            payload.put("summary", m.name() + ": provider " + m.providerId() + " did not answer (" + message(e) + "); operation " + op.id()
                    + " stays pending and is tried again with the same id");
            payload.put("error", message(e));
            updateMember(d, m, state, nodeId, detail.withMessage(message), entry(KIND_PROVISIONING, SYSTEM, d.record, payload, "provider",
                    m.providerId()));
            LOG.warn("Deployment {}: provider {} did not answer for {} (operation {}): {}; trying again in {}", d.id(), m.providerId(),
                    m.name(), op.id(), message(e), Reconciler.describe(wait));
        } else {
            LOG.debug("Deployment {}: provider {} still does not answer for {} (try {}): {}", d.id(), m.providerId(), m.name(), n, message(e));
        }
        failures.put(key, n);
    }

    private void waitingQuietly(String key, Loaded d, Spec.MemberSpec m, RuntimeException e) {
        int n = failures.merge(key, 1, Integer::sum);
        notBefore.put(key, clock.instant().plus(settings.backoff(n)));
        LOG.info("Deployment {}: provider {} does not answer for {} (try {}): {}", d.id(), m.providerId(), m.name(), n, message(e));
    }

    /** Backs the key off after a failed call; answers how many calls in a row have failed now. */
    int retryLater(String key) {
        int n = failures.merge(key, 1, Integer::sum);
        notBefore.put(key, clock.instant().plus(settings.backoff(n)));
        return n;
    }

    /**
     * Strata's own part of a member's work failed (a store write, not the provider): tried again
     * after a backoff that doubles with such failures in a row, or the provider's backoff when that
     * is longer; the provider's failures are not counted.
     */
    void backOff(String key) {
        int n = errors.merge(key, 1, Integer::sum);
        Instant at = clock.instant().plus(settings.backoff(Math.max(n, failures.getOrDefault(key, 0))));
        notBefore.merge(key, at, (held, next) -> held.isAfter(next) ? held : next);
    }

    void settled(String key) {
        failures.remove(key);
        errors.remove(key);
        notBefore.remove(key);
    }

    /**
     * This installation's id ({@link MachineLabels#INSTALLATION}): the id of the state store's
     * provenance log, which every instance sharing the store has.
     */
    String installation() {
        return store.info().logId();
    }

    ProvisioningProvider provider(String id) {
        return providers.get(id).orElseThrow(() -> new ProviderUnavailableException("provider " + id
                + " is not running (being replaced, or not installed); waiting for it"));
    }

    /**
     * Calls a provider, bounded by {@code operationTimeout}: the provider honours the context's
     * deadline; a call that overruns it by a second is interrupted, and one that still has not
     * returned {@link #ABANDON_AFTER} later is left to its thread, which is not waited for.
     * Until that thread leaves the provider, a call under the same {@code key} (the member, or the
     * machine) is not made: it fails at once saying so, as a provider that does not answer, so
     * that the same operation is never sent twice at once and the caller's thread (a worker, the
     * reconciler's pass) is free for everything else.
     *
     * Each call is counted in {@link #metrics()} as its caller saw it end.
     *
     * @param key what the call acts on: one call at a time per key
     * @param what names the call in messages ({@code create of operation op-...})
     * @param provider the provider's id, for the metrics
     * @param kind the call, for the metrics: one of {@link CallMetrics}'s calls
     */
    <T> T call(String key, String what, String provider, String kind, Supplier<T> call) {
        // read once: read again for the wait and for the message (and by the provider's context), a configuration change
        // in between gave the provider one deadline, the engine's wait another, and the message a third
        return call(key, what, provider, kind, settings.operationTimeout(), call);
    }

    /**
     * As {@link #call(String, String, String, String, Supplier)}, bounded by {@code timeout}: the {@code operationTimeout} the
     * caller read once, for its own wait on the call and its messages too (the reconciler's listing, which runs on a thread of
     * its own while the pass waits for it).
     */
    <T> T call(String key, String what, String provider, String kind, Duration timeout, Supplier<T> call) {
        long start = System.nanoTime();
        try {
            T value = bounded(key, what, timeout, call);
            metrics.ended(null, System.nanoTime() - start, provider, kind);
            return value;
        } catch (RuntimeException | Error e) {
            metrics.ended(e, e instanceof NotMade ? -1 : System.nanoTime() - start, provider, kind);
            throw e;
        }
    }

    /** A call refused because the last one under its key is still in the provider: it was not made. */
    private static final class NotMade extends ProviderTimeoutException {
        private static final long serialVersionUID = 1L;

        NotMade(String message) {
            super(message);
        }
    }

    /** The provisioning calls' counters and latency, offered to the metrics endpoint by the component. */
    CallMetrics metrics() {
        return metrics;
    }

    private <T> T bounded(String key, String what, Duration timeout, Supplier<T> call) {
        Running mine = new Running(what, clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        Running before = running.putIfAbsent(key, mine);
        if (before != null) {
            throw new NotMade(what + " was not made: " + before.what() + ", started at " + before.since()
                    + ", has not returned (the provider ignores interruption); nothing more is sent for it until it returns");
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicReference<Thread> thread = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            calls.execute(() -> {
                thread.set(Thread.currentThread());
                T value = null;
                Throwable failure = null;
                callTimeout.set(timeout);
                try {
                    value = call.get();
                } catch (LinkageError e) {
                    // a call that runs on a provider whose bundle was updated or stopped meanwhile finds its classes gone
                    // (NoClassDefFoundError: "bundle wiring is no longer valid"): the provider left, as a departed one does,
                    // and the operation is tried again under the same id on its successor
                    failure = new ProviderUnavailableException("the provider's classes went away while the call ran (its bundle was "
                            + "updated or stopped): " + e, e);
                } catch (RuntimeException e) {
                    failure = e;
                } catch (Throwable t) {
                    // the SPI lets only Strata's exceptions leave: an Error (an assertion in a vendor's client, a
                    // StackOverflowError on a nested answer) is the provider's failure, answered as one. Let through, it ended
                    // the worker unhandled: the operation stayed pending without a word on the member, was sent again on
                    // every pass with no backoff, and the thread's death printed its text, uncleaned, to standard error; out
                    // of a describe it ended the reconciler's pass, so no deployment after it was ever reconciled
                    failure = providerError(what, t);
                } finally {
                    callTimeout.remove();
                    synchronized (thread) { // an interrupt meant for this call lands before this, never on the thread's next task
                        thread.set(null);
                    }
                    Thread.interrupted();
                    running.remove(key, mine); // before the result: whoever sees it finds the call over
                }
                if (failure == null) {
                    result.complete(value);
                } else {
                    result.completeExceptionally(failure);
                }
            });
        } catch (RejectedExecutionException e) {
            running.remove(key, mine);
            throw new ProviderUnavailableException("deployments are stopping");
        }
        long deadline = timeout.toMillis() + 1000;
        try {
            try {
                return unwrap(result, deadline);
            } catch (java.util.concurrent.TimeoutException overran) {
                interrupt(thread);
                try {
                    return unwrap(result, ABANDON_AFTER.toMillis());
                } catch (java.util.concurrent.TimeoutException ignored) {
                    LOG.warn("{} has not returned {} after its deadline, although interrupted; its thread is left to it, and nothing more is "
                            + "sent for it until it returns", what, Reconciler.describe(ABANDON_AFTER));
                    throw new ProviderTimeoutException(what + " did not return within " + Reconciler.describe(timeout)
                            + " (operationTimeout) and ignores interruption; it is left running, and nothing more is sent for it until it "
                            + "returns");
                }
            }
        } catch (InterruptedException stopping) {
            interrupt(thread);
            Thread.currentThread().interrupt();
            throw new ProviderUnavailableException("interrupted while waiting for " + what + " (deployments are stopping)");
        }
    }

    /**
     * A provider call that ended in an {@link Error} (not a {@link LinkageError}, which is a
     * departed provider's), as the provider's failure: named by the call and the Error's class,
     * its text cleaned as provider text is. The Error stays the cause, for the log's stack trace
     * (which {@link ProviderText#trace} cleans too).
     */
    static ProviderFailureException providerError(String what, Throwable t) {
        String text = t.getMessage() == null || t.getMessage().isBlank() ? "" : ": " + ProviderText.clean(t.getMessage().strip());
        return new ProviderFailureException(what + " failed with " + t.getClass().getName() + text + "; a provider lets only Strata's "
                + "exceptions leave its calls (the provisioning SPI)", t);
    }

    /** Interrupts the thread running a call, if it is still in the call (under the lock the call leaves by). */
    private static void interrupt(java.util.concurrent.atomic.AtomicReference<Thread> thread) {
        synchronized (thread) {
            Thread t = thread.get();
            if (t != null) {
                t.interrupt();
            }
        }
    }

    /** How long a call that overran its deadline is waited for after it was interrupted, before it is left to its thread. */
    static final Duration ABANDON_AFTER = Duration.ofSeconds(2);

    private static <T> T unwrap(CompletableFuture<T> result, long millis) throws InterruptedException, java.util.concurrent.TimeoutException {
        try {
            return result.get(millis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new ProviderFailureException(String.valueOf(cause), cause);
        }
    }

    /** A provider call whose thread is in the provider: what, since when. */
    record Running(String what, Instant since) {
    }

    /** The operationTimeout a provider call in progress on this thread was started with; unset outside one. */
    private final ThreadLocal<Duration> callTimeout = new ThreadLocal<>();

    /** A provider call's context: its deadline is the operationTimeout the call is bounded by, read once for both. */
    DiscoveryContext context(String operationId) {
        Duration timeout = callTimeout.get();
        return new DiscoveryContext(operationId, clock.instant().plus(timeout != null ? timeout : settings.operationTimeout()), clock);
    }

    /**
     * Whether an operation that failed this way is tried again with the same id: the provider did
     * not answer in time or could not be reached, or Strata's own store failed under a provider's
     * journal (the machine may exist; refusing the operation would leave it to be reaped as a leak).
     */
    static boolean retryable(Throwable e) {
        return e instanceof ProviderUnavailableException || e instanceof ProviderTimeoutException || e instanceof StateStoreException
                || e instanceof NotLeaderException;
    }

    /** The message of an exception, cleaned as provider text is ({@link ProviderText}): most come from a provider. */
    static String message(Throwable e) {
        return ProviderText.message(e);
    }

    static MemberState memberState(MachineStatus status) {
        return switch (status.state()) {
            case PENDING -> MemberState.PENDING;
            case RUNNING -> MemberState.RUNNING;
            case FAILED, DELETING, GONE -> MemberState.FAILED;
        };
    }

    private static String orDash(String s) {
        return s == null || s.isBlank() ? "no reason given" : s;
    }

    private String currentNode(Loaded d, Spec.MemberSpec m) {
        MemberRecord r = d.members.get(m.name());
        return r == null || r.nodeId() == null ? m.target().id() : r.nodeId();
    }

    // ---- writing ----------------------------------------------------------------------------

    MemberRecord updateMember(Loaded d, Spec.MemberSpec m, MemberState state, String nodeId, Spec.Detail detail, ProvenanceEntry why) {
        MemberRecord written = join(store.deployments().updateMember(new MemberRecord(d.id(), m.name(), nodeId, m.providerId(), state.name(),
                detail.toJson(), null), why));
        signal();
        return written;
    }

    static Map<String, Object> payload(Spec.MemberSpec m, OperationRecord op, String outcome) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("summary", "");
        p.put("member", m.name());
        p.put("provider", m.providerId());
        p.put("target", m.target().kind().name().toLowerCase(java.util.Locale.ROOT) + " " + m.target().id());
        if (op != null) {
            p.put("operation", op.id());
            p.put("action", op.action());
            p.put("attempt", op.attempt());
        }
        p.put("outcome", outcome);
        return p;
    }

    /**
     * A machine id (or a node id) a provider gave, as the log, a message and the provenance log show it: each control or format
     * character (a line break, an ESC, a direction override) written as an escape ({@link InvalidConfigurationException#printable}),
     * so that it forges no log line and hides nothing from an auditor, and two ids that differ only there still read apart. The
     * handle the engine stores and passes back to the provider keeps the id as written: the provider matches on it.
     */
    static String shown(String machineId) {
        return InvalidConfigurationException.printable(machineId);
    }

    /**
     * A machine handle as the provenance log records it: its id printable ({@link #shown}), its attributes cleaned (the stored
     * handle keeps them as they are).
     */
    static Map<String, Object> handlePayload(MachineHandle h) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("provider", h.providerId());
        p.put("id", shown(h.machineId()));
        p.put("attributes", cleaned(h.attributes()));
        return p;
    }

    /**
     * Contract parameters or handle attributes as a provenance record, the shell and every other
     * reader of a deployment show them (the provider alone is given them as written): each value
     * cleaned as provider text is ({@link ProviderText#clean}), sorted by name. A parameter may be
     * a signed URL ({@code ?X-Amz-Signature=...}, an Azure {@code &sig=...}) or a URL with a user
     * and password, and a record cannot be taken out of the log. Each name is shown printable
     * ({@link #shown}): a machine's labels and attributes are the provider's, names included, and
     * a line break or a direction override in a name forged a log line as one in a value did.
     */
    static Map<String, String> cleaned(Map<String, String> values) {
        Map<String, String> out = new java.util.TreeMap<>();
        values.forEach((k, v) -> out.put(shown(k), ProviderText.clean(v)));
        return out;
    }

    static ProvenanceEntry entry(String kind, String actor, DeploymentRecord d, Map<String, Object> payload, String... more) {
        String[] subjects = new String[6 + more.length];
        subjects[0] = "deployment";
        subjects[1] = d.id();
        subjects[2] = "tenant";
        subjects[3] = d.tenant();
        subjects[4] = "allocation";
        subjects[5] = d.allocationId();
        System.arraycopy(more, 0, subjects, 6, more.length);
        return ProvenanceEntry.of(kind, actor, payload, subjects);
    }

    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            // chained as a cleaned copy (its class and stack trace kept), as ProvenanceService.join does: a printed stack trace
            // showed the driver's text raw (a JDBC URL with its password, a line break) though the message was cleaned
            throw new StateStoreException("the state store failed: " + message(cause), ProviderText.trace(cause));
        }
    }

    /** Whether a deployment whose create the store did not acknowledge is stored: true, false, or null where the store cannot say. */
    private Boolean storedAnyway(String id) {
        try {
            return store.deployments().get(id).isPresent();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void releaseQuietly(String allocationId, String deploymentId, String contract) {
        try {
            // as the deployment it was placed for: refused, in the release's own transaction, should the deployment have
            // been stored after all (a write the store did not acknowledge) or another one hold the allocation
            placement.releaseFor(allocationId, deploymentId);
        } catch (NotFoundException gone) {
            // released meanwhile: nothing left to free
        } catch (RuntimeException e) {
            unstoredLeft.set(true);
            LOG.error("Allocation {} of {} could not be released after its deployment failed to start: {}; the reconciler tries again",
                    allocationId, contract, message(e));
        }
    }

    /**
     * Frees every allocation placed for a deployment that was never stored: the instance placing it
     * stopped between the two writes ({@code kill -9}, a power cut, its leadership lost), or the
     * release after a failed deploy failed too. A deploy under way on this instance is left alone.
     * Each one freed is recorded as a {@code leak} in the provenance log, after placement's own
     * {@code release} record. Leader only; the reconciler calls it on its first pass as leader.
     *
     * @return the allocations freed
     */
    List<String> freeUnstoredPlacements() {
        unstoredLeft.set(false);
        SortedMap<String, String> found = store.ledger().placedForMissingDeployments();
        List<String> freed = new ArrayList<>();
        for (Map.Entry<String, String> f : found.entrySet()) {
            String allocationId = f.getKey();
            String deploymentId = f.getValue();
            // read after the ledger: a deploy joins `placing` before it places, so one whose allocation was read above and that is
            // not in `placing` now has ended; whether it stored its deployment in between is read again below
            if (placing.contains(deploymentId) || store.deployments().get(deploymentId).isPresent()) {
                continue;
            }
            Allocation released;
            try {
                // on the deployment's behalf, checked with the release: a deployment stored meanwhile (this check above and the
                // release are not one transaction, the release and its check are) keeps its allocation
                released = placement.releaseFor(allocationId, deploymentId);
            } catch (NotFoundException gone) {
                continue; // released meanwhile (strata:release --force, or the failed deploy's own release)
            } catch (ConflictException stored) {
                LOG.info("Allocation {} placed for deployment {} was not released: {}", allocationId, deploymentId, stored.getMessage());
                continue;
            }
            freed.add(allocationId);
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("summary", "allocation " + allocationId + " of " + released.contract() + " was placed for deployment " + deploymentId
                    + ", which was never stored (the instance placing it stopped before storing it); released");
            payload.put("allocation", allocationId);
            payload.put("reason", "deployment " + deploymentId + " was never stored");
            payload.put("action", "released");
            LOG.warn("Allocation {} of {} (tenant {}) was placed for deployment {}, which was never stored: released", allocationId,
                    released.contract(), released.tenant(), deploymentId);
            join(store.provenance().append(ProvenanceEntry.of(KIND_LEAK, SYSTEM, payload, "deployment", deploymentId, "allocation",
                    allocationId, "contract", released.contract(), "tenant", released.tenant())));
        }
        return freed;
    }

    // ---- scheduling -----------------------------------------------------------------------

    void signal() {
        synchronized (changes) {
            changes.notifyAll();
        }
    }

    /** Brings the next pass forward to now (after a deploy, an undeploy, a provider's answer). */
    public void kick() {
        schedule(Duration.ZERO);
    }

    void schedule(Duration delay) {
        if (!started || closed) {
            return;
        }
        synchronized (scheduling) {
            Instant at = clock.instant().plus(delay);
            if (nextPass != null && !nextPass.isDone() && nextPassAt != null && !nextPassAt.isAfter(at)) {
                return;
            }
            if (nextPass != null) {
                nextPass.cancel(false);
            }
            nextPassAt = at;
            try {
                nextPass = passes.schedule(this::scheduledPass, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // stopping
            }
        }
    }

    private void scheduledPass() {
        synchronized (scheduling) {
            nextPassAt = null;
        }
        Reconciler.PassReport report;
        try {
            report = reconciler.pass();
        } catch (RuntimeException | Error e) {
            // an Error too (a provider's StackOverflowError, an OutOfMemoryError that passed): without the next pass scheduled
            // here, nothing would reconcile an idle installation again (no replacement, no leak reaped, no delete retried)
            LOG.error("Reconciler pass failed; the next one follows in {}", Reconciler.describe(settings.pollInterval()), ProviderText.trace(e));
            schedule(settings.pollInterval());
            if (e instanceof VirtualMachineError fatal) {
                throw fatal;
            }
            return;
        }
        schedule(report.busy() ? settings.pollInterval() : settings.reconcileInterval());
    }

    void refreshInventory(String providerId) {
        if (registry == null || !refreshing.add(providerId)) {
            return;
        }
        try {
            refresher.execute(() -> {
                refreshing.remove(providerId);
                try {
                    registry.refresh(providerId, Duration.ZERO);
                } catch (RuntimeException e) {
                    LOG.debug("Refreshing provider {} after a change of its machines failed: {}", providerId, message(e));
                }
            });
        } catch (RejectedExecutionException e) {
            refreshing.remove(providerId);
        }
    }

    static Set<DeploymentState> settledStates() {
        return EnumSet.of(DeploymentState.READY, DeploymentState.DEGRADED, DeploymentState.FAILED, DeploymentState.DELETED);
    }
}
