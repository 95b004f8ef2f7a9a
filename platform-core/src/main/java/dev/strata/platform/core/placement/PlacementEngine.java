package dev.strata.platform.core.placement;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.exception.ConflictException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import dev.strata.platform.core.placement.packing.PackingPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Placement without a global lock: each decision takes a model of its own from the
 * {@link ModelPool} (the inventory with the ledger applied at some generation), decides on it, and
 * commits to the ledger only if the ledger is still at that generation; when another decision
 * committed or a release came first, the model catches up with the ledger and the contract is
 * decided again. Every change of the ledger (a commit, a release) takes a short commit lock; after
 * {@link #COMMIT_ATTEMPTS} lost races a decision takes that lock for its whole last attempt, so it
 * cannot lose again to a change of this instance: the lock is a fallback for heavy contention, not
 * the normal path. Dry runs never commit and never retry.
 *
 * <p>The lock holds only this instance's changes back. Where other instances write to the same
 * ledger (PostgreSQL with {@code highAvailability = false}), a placement, release or quota change
 * of theirs can still come between an attempt under the lock and its commit, and the store refuses
 * that commit; so can a change of this instance handed to the store before the attempt took the
 * lock, when it does not become durable (the mirror is read again, under a new generation). Such
 * an attempt is ordinary contention, not an error: the contract is decided again under the lock,
 * after a pause that grows from {@link #FIRST_PAUSE} to {@link #LONGEST_PAUSE} with random jitter
 * (so that instances that keep refusing each other's commits fall out of step), for up to
 * {@link #CONTENTION_BOUND} from the first attempt under the lock. Past that, the placement fails
 * with a {@link ConflictException} that says so: nothing was placed or recorded, and placing it
 * again may succeed. A bound in time, not in attempts, since how many attempts a busy ledger
 * refuses depends on how fast the other instances write. (Attempts under the lock exclusive
 * across instances, e.g. a PostgreSQL advisory lock held by the deciding thread from its read of
 * the ledger to its commit and honoured by every instance's ledger change, would deadlock here:
 * the commit is made by the store's writer thread, on a connection of its own and after it took
 * the shared writers' lock for its transaction, so it would wait for the lock its own decider
 * holds, and another instance's writer, holding the shared writers' lock, would wait for it too.)
 * On one instance (the embedded store, an elected writer) nothing else writes, and only changes
 * handed to the store before the lock was taken can refuse an attempt under it, so it is decided
 * again once or twice at most. None of this is done before a placement has lost
 * {@link #COMMIT_ATTEMPTS} races: the normal path does nothing more than before.
 *
 * <p>Since a model is a function of the inventory and the ledger's contents, the same inventory,
 * ledger and contract give the same decision, dry run or not, on any model, after a release
 * (the contents are what they were) and after a restart (a model built afresh).
 * A commit is ordered in the ledger under the commit lock and made durable outside it: the
 * decision gives its model back and waits for the ledger's durability future before it answers,
 * so that the commits of many callers share one group commit of the state store. A commit the
 * store refuses (the ledger moved under another instance) is decided again. Thread-safe.
 */
final class PlacementEngine {

    private static final Logger LOG = LoggerFactory.getLogger(PlacementEngine.class);
    static final int COMMIT_ATTEMPTS = 8;
    /**
     * How long a placement goes on deciding again under the commit lock while other writers keep
     * changing the ledger between its decisions and their commits, from its first attempt under the
     * lock; then it fails with a {@link ConflictException}.
     */
    static final Duration CONTENTION_BOUND = Duration.ofSeconds(10);
    /** The pause before the second attempt under the commit lock; each one after doubles it, up to {@link #LONGEST_PAUSE}. */
    static final Duration FIRST_PAUSE = Duration.ofMillis(2);
    static final Duration LONGEST_PAUSE = Duration.ofMillis(100);
    /**
     * How many times one placement decides again because the inventory changed a node it bound (or
     * its site or power domains) between its decision and its commit; after that it commits as
     * decided (the commitment verifier then judges the allocation on the node as it is), so that
     * facts that keep moving cannot hold a placement forever.
     */
    static final int INVENTORY_REDECISIONS = 8;

    private final AllocationLedger ledger;
    private final String policyName;
    private final boolean recordDryRuns;
    private final ModelPool models;
    private final Clock clock;
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong serialised = new AtomicLong();
    private final AtomicLong inventoryRedecisions = new AtomicLong();
    private final java.util.concurrent.locks.ReentrantLock commitLock = new java.util.concurrent.locks.ReentrantLock(true);
    private volatile java.util.function.Supplier<TenantQuotas> quotas = () -> TenantQuotas.NONE;
    private volatile Duration contentionBound = CONTENTION_BOUND;

    PlacementEngine(Inventory inventory, AllocationLedger ledger, BiFunction<List<NodeCapacity>, Map<Demand, Integer>, PackingPolicy> policies,
            Clock clock, int deciders) {
        this(inventory, ledger, policies, clock, deciders, "strata", false);
    }

    PlacementEngine(Inventory inventory, AllocationLedger ledger, BiFunction<List<NodeCapacity>, Map<Demand, Integer>, PackingPolicy> policies,
            Clock clock, int deciders, String policyName, boolean recordDryRuns) {
        this.policyName = policyName;
        this.recordDryRuns = recordDryRuns;
        this.ledger = ledger;
        this.clock = clock;
        this.models = new ModelPool(inventory, ledger, policies, PackingPolicies.typicalDemands(), deciders);
    }

    PlacementDecision place(Contract contract, boolean dryRun) {
        return place(contract, dryRun, null);
    }

    /** Decides and, unless {@code dryRun}, commits; {@code deploymentId}: the deployment it places for, kept with the allocation, or null. */
    PlacementDecision place(Contract contract, boolean dryRun, String deploymentId) {
        long start = System.nanoTime();
        String actor = Actors.current();
        if (!dryRun) {
            ledger.requireWritable(); // a follower refuses before deciding, naming the leader
        }
        Contention contention = null; // from the first attempt under the commit lock
        int redecided = 0; // decisions decided again because the inventory changed a node they bound
        for (int attempt = 1; ; attempt++) {
            boolean last = attempt - redecided > COMMIT_ATTEMPTS && !dryRun;
            if (contention != null) {
                // an attempt under the commit lock was refused: another instance changed the ledger, or a change of this one
                // handed to the store before the lock was taken did not become durable
                contention.pause(contract, attempt - 1, start);
            }
            // a model first, then the commit lock, in every path: a decider holding the lock while it waited for a
            // model, with the models held by deciders waiting for the lock, deadlocked
            PlacementModel m = models.acquire();
            boolean locked = false;
            boolean reusable = false;
            AllocationLedger.Pending<Allocation> pending = null;
            PlacementDecision decision;
            ContractPlanner.Plan plan;
            long decidedOn;
            try {
                if (last) {
                    commitLock.lock(); // nobody changes the ledger until this decision is committed
                    locked = true;
                    serialised.incrementAndGet();
                    if (contention == null) {
                        contention = new Contention(System.nanoTime(), contentionBound);
                    }
                    m = models.catchUp(m); // what was committed between taking the model and the lock
                }
                ContractPlanner planner = new ContractPlanner(m);
                plan = planner.plan(contract);
                decidedOn = m.ledgerGeneration;
                String allocationId = null;
                planner.rollback(plan);
                TenantQuotas q = quotas.get();
                if (plan.placed() && q.of(contract.tenant()).isPresent()) {
                    // what the tenant holds on this model's ledger generation: a commit checks that generation, so a placement
                    // of the same tenant committed meanwhile makes this one decide again, on a model that holds it
                    TenantQuotas.Limits held = m.tenantHolds(contract.tenant());
                    TenantQuotas.Limits wanted = m.holdOf(plan.bindings());
                    Optional<String> over = q.refusal(contract.tenant(), held, wanted);
                    if (over.isPresent()) {
                        plan = planner.overQuota(over.get());
                    } else {
                        plan = q.evidence(contract.tenant(), held, wanted).map(planner.withQuota(plan)).orElse(plan);
                    }
                }
                reusable = true;
                if (plan.placed() && !dryRun) {
                    String changed = boundNodeChanged(m.inv, models.currentIndex(), plan.bindings());
                    if (changed != null) {
                        if (redecided < INVENTORY_REDECISIONS) {
                            redecided++;
                            inventoryRedecisions.incrementAndGet();
                            LOG.debug("Placement of {} decided on inventory generation {}, in which {}; deciding again", contract.name(),
                                    m.inv.generation(), changed);
                            continue;
                        }
                        LOG.warn("Placement of {} decided on inventory generation {} is committed although {}: it was decided again {} "
                                + "times and what it read kept changing; the commitment verifier judges it on the node as it is",
                                contract.name(), m.inv.generation(), changed, INVENTORY_REDECISIONS);
                    }
                    Allocation allocation = new Allocation(ledger.nextId(), contract.name(), contract.tenant(), contract.priority(),
                            contract.isolation() == Isolation.DEDICATED_NODE, clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
                            plan.bindings());
                    AllocationLedger.Intent intent = new AllocationLedger.Intent(contract,
                            PlacementRecords.placement(contract, allocation, plan, m.inv.generation(), decidedOn, policyName, actor,
                                    deploymentId), deploymentId);
                    commitLock.lock();
                    try {
                        pending = ledger.submit(decidedOn, allocation, intent);
                    } catch (AllocationLedger.StaleGenerationException e) {
                        retries.incrementAndGet();
                        if (last) {
                            // no change of this instance came after the lock: a change handed to the store before it was refused
                            // (by another instance's change) or failed, and the mirror was read again
                            contention.refused(e);
                            LOG.debug("Placement of {} decided under the commit lock on a ledger that was read again ({}); deciding again",
                                    contract.name(), e.getMessage());
                            continue;
                        }
                        LOG.debug("Placement of {} decided on a stale ledger ({}); deciding again", contract.name(), e.getMessage());
                        continue;
                    } finally {
                        commitLock.unlock();
                    }
                    m.apply(allocation);
                    m.ledgerGeneration = pending.generation();
                    allocationId = allocation.id();
                }
                decision = new PlacementDecision(contract.name(), contract.tenant(), plan.placed(), dryRun, allocationId, plan.bindings(),
                        plan.evidence(), plan.rejections(), plan.summary(), m.inv.generation(), decidedOn, plan.nodesConsidered(),
                        Duration.ofNanos(System.nanoTime() - start));
            } finally {
                models.release(m, reusable);
                if (locked) {
                    commitLock.unlock();
                }
            }
            if (pending != null) {
                // acknowledged only once durable; the model is back in the pool, so others decide meanwhile
                try {
                    StoreLedger.join(pending.durable());
                } catch (AllocationLedger.StaleGenerationException e) {
                    retries.incrementAndGet();
                    if (last) {
                        // another instance changed the ledger after this attempt read it, or a change of this one before it failed
                        contention.refused(e);
                    }
                    LOG.debug("The ledger refused the placement of {} ({}); deciding again", contract.name(), e.getMessage());
                    continue;
                }
                LOG.info("Placed {} of tenant {} as {}: {}", contract.name(), contract.tenant(), decision.allocationId(), plan.summary());
            } else if (dryRun && recordDryRuns) {
                StoreLedger.join(ledger.record(PlacementRecords.dryRun(contract, plan, decision.inventoryGeneration(), decidedOn, policyName,
                        actor)));
            }
            return decision;
        }
    }

    /**
     * The attempts of one placement under the commit lock, from the first: when it began, how many
     * the ledger refused, and the last refusal. Made only once a placement has lost
     * {@link #COMMIT_ATTEMPTS} races.
     */
    private final class Contention {
        private final long since;
        private final Duration bound;
        private int refusals;
        private RuntimeException last;

        Contention(long since, Duration bound) {
            this.since = since;
            this.bound = bound;
        }

        void refused(RuntimeException refusal) {
            refusals++;
            last = refusal;
        }

        /**
         * Waits before the next attempt under the lock, with no model and no lock held: a pause
         * drawn at random between half and all of {@link #FIRST_PAUSE} doubled once for each refusal
         * after the first, at most {@link #LONGEST_PAUSE}, and never past the bound.
         *
         * @throws ConflictException when the bound has passed
         */
        void pause(Contract contract, int attempts, long start) {
            long now = System.nanoTime();
            long left = bound.toNanos() - (now - since);
            if (left <= 0) {
                throw givenUp(contract, attempts, now - start);
            }
            long most = Math.min(LONGEST_PAUSE.toNanos(), FIRST_PAUSE.toNanos() << Math.min(refusals - 1, 30));
            long pause = Math.min(left, most / 2 + java.util.concurrent.ThreadLocalRandom.current().nextLong(most / 2 + 1));
            try {
                Thread.sleep(pause / 1_000_000, (int) (pause % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StrataException("interrupted while placement of " + contract.name() + " waited to be decided again after the "
                        + "allocation ledger refused it " + attempts + " times; nothing was placed");
            }
        }

        private ConflictException givenUp(Contract contract, int attempts, long nanos) {
            String who = ledger.sharedWriters()
                    ? "other instances writing to the same state store (PostgreSQL with highAvailability = false) kept changing the "
                            + "allocation ledger between its decisions and their commits"
                    : "the allocation ledger kept changing between its decisions and their commits, although no other instance writes "
                            + "to it";
            ConflictException e = new ConflictException("placement of " + contract.name() + " of tenant " + contract.tenant()
                    + " was not made: " + who + ", and the ledger refused it " + attempts + " times in " + seconds(nanos) + " (" + refusals
                    + " of them decided under the commit lock, which a placement gives up after " + seconds(bound.toNanos())
                    + "); nothing was placed or recorded; place it again");
            e.initCause(last);
            LOG.warn("{}", e.getMessage());
            return e;
        }
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    /**
     * How long a placement goes on deciding again under the commit lock while the ledger keeps
     * changing under it ({@link #CONTENTION_BOUND} unless set here: for tests).
     */
    void contentionBound(Duration bound) {
        if (bound.isNegative()) {
            throw new IllegalArgumentException("contention bound " + bound + "; expected zero or more");
        }
        this.contentionBound = bound;
    }

    /**
     * Submits a change of what placements are held to (a quota) under the commit lock and waits for
     * it: no decision made under the lock (the last attempt) sees it come between its model and its
     * commit, and the ledger refuses every commit decided before it ({@link AllocationLedger#holding}).
     */
    <T> T holding(java.util.function.Supplier<CompletableFuture<T>> change) {
        CompletableFuture<T> written;
        commitLock.lock();
        try {
            written = ledger.holding(change);
        } finally {
            commitLock.unlock();
        }
        try {
            return written.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** Where placements read the quotas they are held to, at each decision. */
    void quotas(java.util.function.Supplier<TenantQuotas> quotas) {
        this.quotas = java.util.Objects.requireNonNull(quotas, "quotas");
    }

    /** The quotas placements are held to from now on. */
    void quotas(TenantQuotas quotas) {
        java.util.Objects.requireNonNull(quotas, "quotas");
        this.quotas = () -> quotas;
    }

    TenantQuotas quotas() {
        return quotas.get();
    }

    /** What each tenant holds and how many allocations, on the ledger's current generation, by tenant, without quotas. */
    List<dev.strata.platform.api.placement.TenantUse> tenantUses() {
        PlacementModel m = models.acquire();
        try {
            return m.tenantUses();
        } finally {
            models.release(m, true);
        }
    }

    /** What each tenant's allocations hold towards its quota, on the ledger's current generation. */
    Map<String, TenantQuotas.Limits> tenantHolds() {
        PlacementModel m = models.acquire();
        try {
            return m.allTenantHolds();
        } finally {
            models.release(m, true);
        }
    }

    Allocation release(String id) {
        return release(id, dev.strata.platform.core.store.ReleaseGuard.UNHELD);
    }

    /** Frees an allocation if {@code guard} allows the deployments holding it (checked by the ledger with the release). */
    Allocation release(String id, dev.strata.platform.core.store.ReleaseGuard guard) {
        String actor = Actors.current();
        ledger.requireWritable();
        ledger.checkRelease(id, guard); // outside the commit lock: a read of the store
        AllocationLedger.Pending<Allocation> pending;
        commitLock.lock();
        try {
            pending = ledger.submitRelease(id, actor, guard);
        } finally {
            commitLock.unlock();
        }
        StoreLedger.join(pending.durable());
        Allocation released = pending.value();
        if (guard.forced()) {
            LOG.warn("Released {} ({} of tenant {}) by force: a deployment holding it keeps its machines until it is undeployed", id,
                    released.contract(), released.tenant());
        } else {
            LOG.info("Released {} ({} of tenant {})", id, released.contract(), released.tenant());
        }
        return released;
    }

    List<Allocation> allocations() {
        return ledger.all();
    }

    Optional<Allocation> allocation(String id) {
        return ledger.get(id);
    }

    /** See {@link AllocationLedger#deploymentTenants}. */
    java.util.Set<String> deploymentTenants(String deploymentId) {
        return ledger.deploymentTenants(deploymentId);
    }

    /**
     * Why a decision made on {@code decidedOn} does not hold on {@code now}, or null when it does:
     * a node it binds left the inventory, or what placement read from it changed (its state, its
     * room, a GPU's health or identity, the RDMA fabrics it is on: {@link NodeFacts#ownFacts()}), or
     * what the clauses read around it changed: its site's country, jurisdictions or operator
     * ({@link NodeFacts#siteFacts()}), the budgets and parents of the power domains of its domain's
     * tree ({@link InventoryIndex#powerDomainFacts}). Nodes it does not bind, and facts placement
     * does not read, leave it standing: deciding again on every change of the inventory would make
     * every placement start over whenever any node anywhere changed. A fabric's other members are
     * not read: the gang's clause holds while each of its nodes is still on its fabric. Each site
     * and power domain tree is compared once; the facts are built once per inventory, so the check
     * costs a comparison per bound node, site and tree, and nothing at all when the inventory did
     * not change.
     */
    static String boundNodeChanged(InventoryIndex decidedOn, InventoryIndex now, List<MemberBinding> bindings) {
        if (now == decidedOn) {
            return null;
        }
        // nodes, sites and power domains checked, each in a set of its own: an id may be any text, another kind's included
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.Set<String> sitesSeen = new java.util.HashSet<>();
        java.util.Set<String> domainsSeen = new java.util.HashSet<>();
        for (MemberBinding b : bindings) {
            if (!seen.add(b.nodeId())) {
                continue;
            }
            NodeFacts before = decidedOn.factsOf(b.nodeId());
            NodeFacts after = now.factsOf(b.nodeId());
            if (after == null) {
                return "node " + b.nodeId() + " (member " + b.member() + ") left the inventory (generation " + now.generation() + ")";
            }
            if (before == null || !before.ownFacts().equals(after.ownFacts())) {
                return "node " + b.nodeId() + " (member " + b.member() + ") changed (generation " + now.generation() + ")";
            }
            String site = after.node().siteId();
            if (sitesSeen.add(site) && !before.siteFacts().equals(after.siteFacts())) {
                return "site " + site + " of node " + b.nodeId() + " (member " + b.member() + ") changed (generation " + now.generation()
                        + ")";
            }
            String domain = after.node().powerDomainId();
            if (domain != null && domainsSeen.add(domain)
                    && !java.util.Objects.equals(decidedOn.powerDomainFacts(domain), now.powerDomainFacts(domain))) {
                return "power domain " + domain + " of node " + b.nodeId() + " (member " + b.member() + "), or a domain of its tree, changed "
                        + "(generation " + now.generation() + ")";
            }
        }
        return null;
    }

    /** Decisions decided again because a node they bound changed in the inventory before their commit. */
    long inventoryRedecisions() {
        return inventoryRedecisions.get();
    }

    /** Decisions decided again because the ledger moved while they decided. */
    long retries() {
        return retries.get();
    }

    /**
     * Attempts decided under the commit lock: one for each decision that lost {@link #COMMIT_ATTEMPTS}
     * races, and one more for each such attempt the ledger refused.
     */
    long serialised() {
        return serialised.get();
    }

    /** Models built from a ledger snapshot (the others caught up with its changes). */
    long modelBuilds() {
        return models.builds();
    }

    /**
     * What is free, node by node ({@code cpu/memory/gpu milli... [MIG layouts]}), the tenants on
     * each node, the power held per node and reserved per domain: a fingerprint of a model at the
     * ledger's current generation, for tests that check a release restores exactly.
     */
    SortedMap<String, String> freeCapacity() {
        PlacementModel m = models.acquire();
        try {
            SortedMap<String, String> out = new TreeMap<>();
            for (int i = 0; i < m.facts.length; i++) {
                NodeCapacity c = m.capacity(i);
                StringBuilder gpus = new StringBuilder();
                for (int g = 0; g < c.gpuCount(); g++) {
                    gpus.append(' ').append(c.gpuFreeMilli(g));
                    if (c.gpuLayout(g) != 0) {
                        gpus.append('{').append(c.mig().describe(c.gpuLayout(g))).append('}');
                    }
                }
                out.put(c.id(), c.cpuFreeMilli() + "/" + c.memoryFreeMiB() + "/" + gpus.toString().strip() + " tenants "
                        + new TreeMap<>(m.tenants.get(i)) + " dedicated " + m.dedicatedTo[i] + " power " + m.nodeMilliwatts[i] + " mW");
            }
            for (int d = 0; d < m.domainMilliwatts.length; d++) {
                if (m.domainMilliwatts[d] != 0) {
                    out.put("power:" + m.inv.domains[d].id(), m.domainMilliwatts[d] + " mW");
                }
            }
            return out;
        } finally {
            models.release(m, true);
        }
    }
}
