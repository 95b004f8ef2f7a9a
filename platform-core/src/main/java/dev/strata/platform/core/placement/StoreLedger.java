package dev.strata.platform.core.placement;

import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.core.store.LedgerChange;
import dev.strata.platform.core.store.LedgerState;
import dev.strata.platform.core.store.NewContract;
import dev.strata.platform.core.store.ProvenanceEntry;
import dev.strata.platform.core.store.ReleaseGuard;
import dev.strata.platform.core.store.StateStore;
import dev.strata.platform.core.store.StoreRefusedException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The allocation ledger kept in the {@link StateStore}: every commit is the store's conditional
 * update of the generation row (so the database, not this JVM, refuses a commit decided on a
 * ledger that moved, also when several instances share PostgreSQL), with the contract as
 * submitted and the provenance record in the same transaction.
 *
 * <p>Deciders work on a mirror of the ledger held here. A change enters the mirror when it is
 * submitted to the store's writer, in the order it is submitted, and the next decision may build
 * on it at once: the store applies changes in that order and refuses each one whose expected
 * generation was not reached, so commits are pipelined and many share one group commit and one
 * flush to disk. Where other instances write too (PostgreSQL with {@code highAvailability=false},
 * {@link dev.strata.platform.core.store.Leadership#exclusive()}), a change is submitted only once
 * the one before it is durable or refused: a generation number alone cannot tell this instance's
 * pipelined change from another instance's. The caller waits for the change to be durable before it acknowledges anything;
 * reads ({@link #all()}, {@link #get}) show only durable changes.
 *
 * <p>When a change fails to become durable (the store refused it, lost its leadership, or could
 * not write), the mirror is read again from the store before the next change, under a generation
 * above every one handed out so far, so that no decider's model mistakes the new contents for
 * ones it has seen. The mirror is also read again whenever this instance's leadership epoch
 * changes; an instance that does not lead reads the store directly and refuses changes with a
 * message naming the leader. Thread-safe.
 */
final class StoreLedger implements AllocationLedger {

    private static final Logger LOG = LoggerFactory.getLogger(StoreLedger.class);

    private final StateStore store;
    private final Map<String, Allocation> allocations = new LinkedHashMap<>();
    /** Changes submitted but not yet known durable, by allocation id. */
    private final Set<String> pendingAdds = new HashSet<>();
    private final Map<String, Allocation> pendingReleases = new LinkedHashMap<>();
    private final List<Change> log = new ArrayList<>();
    /** The mirror's generation: the store's generation plus {@link #offset}. */
    private long generation;
    private long offset;
    private long loadedEpoch = -1;
    private boolean stale = true;
    private int inFlight;

    StoreLedger(StateStore store) {
        this.store = store;
    }

    /** Reads the mirror again when it may not match the store. Call with the monitor held. */
    private void ensureLoaded() {
        long epoch = store.leadership().epoch();
        if (!stale && epoch == loadedEpoch) {
            return;
        }
        awaitSettled("the allocation ledger was read again from the state store");
        LedgerState state = store.ledger().load();
        long next = Math.max(generation + 1, state.generation());
        allocations.clear();
        for (Allocation a : state.allocations()) {
            allocations.put(a.id(), a);
        }
        pendingAdds.clear();
        pendingReleases.clear();
        log.clear();
        offset = next - state.generation();
        generation = next;
        loadedEpoch = epoch;
        stale = false;
        LOG.info("Allocation ledger read from the state store: {} allocations at store generation {}", allocations.size(), state.generation());
    }

    /** Waits for every change in flight to fail or succeed (they complete quickly). Call with the monitor held. */
    private void awaitSettled(String what) {
        while (inFlight > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StrataException("interrupted while " + what);
            }
        }
    }

    private boolean leads() {
        return store.leadership().isLeader();
    }

    @Override
    public boolean sharedWriters() {
        return !store.leadership().exclusive();
    }

    @Override
    public void requireWritable() {
        store.requireLeader();
    }

    @Override
    public synchronized long generation() {
        if (!leads()) {
            return store.ledger().generation();
        }
        ensureLoaded();
        return generation;
    }

    @Override
    public String nextId() {
        return store.ledger().nextId();
    }

    @Override
    public long commit(long expectedGeneration, Allocation allocation) {
        Pending<Allocation> p = submit(expectedGeneration, allocation, new Intent(null, null, null));
        join(p.durable());
        return p.generation();
    }

    @Override
    public Pending<Allocation> submit(long expectedGeneration, Allocation allocation, Intent intent) {
        store.requireLeader();
        CompletableFuture<LedgerChange> durable;
        long produced;
        synchronized (this) {
            if (!store.leadership().exclusive()) {
                // other instances write too (PostgreSQL without an election): a change pipelined on one of ours still in flight
                // could find the generation that one would have made, made by another instance's change instead, and be stored
                // on top of a change its decider never saw; so each change waits for the one before it, and a refusal of that
                // one makes the mirror stale and this one stale with it
                awaitSettled("a ledger change waited for the one before it");
            }
            ensureLoaded();
            if (generation != expectedGeneration) {
                throw new StaleGenerationException(expectedGeneration, generation);
            }
            if (allocations.containsKey(allocation.id())) {
                throw new IllegalStateException("allocation " + allocation.id() + " exists already");
            }
            NewContract contract = intent.contract() == null ? null : PlacementRecords.contract(intent.contract(), intent.why());
            durable = store.ledger().commitPlacement(expectedGeneration - offset, allocation, contract, intent.why(), intent.deploymentId());
            allocations.put(allocation.id(), allocation);
            pendingAdds.add(allocation.id());
            produced = record(allocation, false);
            inFlight++;
        }
        return new Pending<>(produced, allocation, durable.whenComplete((done, failure) -> settled(allocation.id(), false, failure)));
    }

    @Override
    public Allocation release(String id) {
        Pending<Allocation> p = submitRelease(id, null, ReleaseGuard.UNHELD);
        join(p.durable());
        return p.value();
    }

    @Override
    public void checkRelease(String id, ReleaseGuard guard) {
        if (guard.forced()) {
            return;
        }
        Optional<Allocation> known = get(id);
        if (known.isPresent()) {
            // a refusal here leaves the mirror alone; one that only the release's own transaction finds (a deployment stored
            // in between) makes the mirror stale and is read again, as any change that did not become durable
            Optional<String> refusal = store.ledger().releaseRefusal(known.get(), guard);
            if (refusal.isPresent()) {
                throw new dev.strata.platform.api.exception.ConflictException(refusal.get());
            }
        }
    }

    @Override
    public Pending<Allocation> submitRelease(String id, String actor, ReleaseGuard guard) {
        store.requireLeader();
        CompletableFuture<LedgerChange> durable;
        Allocation removed;
        long produced;
        synchronized (this) {
            ensureLoaded();
            removed = allocations.get(id);
            if (removed == null || pendingReleases.containsKey(id)) {
                throw new NotFoundException("no allocation '" + id + "'" + (allocations.isEmpty() ? "; the ledger is empty"
                        : "; allocations: " + String.join(", ", durableIds())));
            }
            // taken out of the mirror at once, as every change is; a refusal by the guard (a deployment holds it) fails the
            // durability future, which makes the mirror stale, so it is read again with the allocation in it
            durable = store.ledger().release(id, guard, PlacementRecords.release(removed, actor, guard));
            allocations.remove(id);
            pendingReleases.put(id, removed);
            produced = record(removed, true);
            inFlight++;
        }
        return new Pending<>(produced, removed, durable.whenComplete((done, failure) -> settled(id, true, failure)));
    }

    /**
     * The change moves the store's generation, which no change of this mirror counts: a change
     * submitted behind it would be checked against a generation it cannot name, and where one
     * before it is refused, the generation it expects is the one the quota change made, so it
     * would commit though decided on the quota replaced. So the mirror is read again (after the
     * change is durable or failed) before any change is submitted after it: every decision made
     * before it is refused, and decided again on the new quota.
     */
    @Override
    public <T> CompletableFuture<T> holding(java.util.function.Supplier<CompletableFuture<T>> change) {
        store.requireLeader();
        synchronized (this) {
            CompletableFuture<T> written = change.get();
            stale = true;
            inFlight++;
            return written.whenComplete((done, failure) -> {
                synchronized (this) {
                    inFlight--;
                    notifyAll();
                }
            });
        }
    }

    @Override
    public Set<String> deploymentTenants(String deploymentId) {
        return store.ledger().deploymentTenants(deploymentId);
    }

    @Override
    public CompletableFuture<?> record(ProvenanceEntry entry) {
        return store.provenance().append(entry);
    }

    private synchronized void settled(String id, boolean released, Throwable failure) {
        inFlight--;
        if (released) {
            pendingReleases.remove(id);
        } else {
            pendingAdds.remove(id);
        }
        if (failure != null) {
            stale = true;
            LOG.debug("A ledger change of {} did not become durable ({}); the ledger is read again from the store", id, failure.getMessage());
        }
        notifyAll();
    }

    private long record(Allocation allocation, boolean released) {
        generation++;
        log.add(new Change(generation, allocation, released));
        if (log.size() >= 2 * InMemoryLedger.LOG_SIZE) {
            log.subList(0, log.size() - InMemoryLedger.LOG_SIZE).clear();
        }
        return generation;
    }

    private List<String> durableIds() {
        List<String> ids = new ArrayList<>();
        for (String id : allocations.keySet()) {
            if (!pendingAdds.contains(id)) {
                ids.add(id);
            }
        }
        ids.addAll(pendingReleases.keySet());
        return ids;
    }

    /** Durable allocations: the mirror without pending additions, with pending releases. */
    private List<Allocation> durable() {
        List<Allocation> out = new ArrayList<>(allocations.size() + pendingReleases.size());
        for (Allocation a : allocations.values()) {
            if (!pendingAdds.contains(a.id())) {
                out.add(a);
            }
        }
        out.addAll(pendingReleases.values());
        return out;
    }

    @Override
    public synchronized List<Allocation> all() {
        if (!leads() || stale) {
            return store.ledger().load().allocations();
        }
        if (pendingReleases.isEmpty()) {
            return durable();
        }
        // keep the ledger's order (oldest first) for allocations whose release is in flight
        List<Allocation> out = durable();
        Map<String, Integer> order = new java.util.HashMap<>();
        List<Allocation> stored = store.ledger().load().allocations();
        for (int i = 0; i < stored.size(); i++) {
            order.put(stored.get(i).id(), i);
        }
        out.sort(java.util.Comparator.comparingInt(a -> order.getOrDefault(a.id(), Integer.MAX_VALUE)));
        return out;
    }

    @Override
    public synchronized Optional<Allocation> get(String id) {
        if (!leads() || stale) {
            return store.ledger().get(id);
        }
        Allocation a = pendingReleases.get(id);
        if (a != null) {
            return Optional.of(a);
        }
        return pendingAdds.contains(id) ? Optional.empty() : Optional.ofNullable(allocations.get(id));
    }

    @Override
    public synchronized Snapshot snapshot() {
        if (!leads()) {
            LedgerState s = store.ledger().load();
            return new Snapshot(s.generation(), s.allocations());
        }
        ensureLoaded();
        return new Snapshot(generation, new ArrayList<>(allocations.values()));
    }

    @Override
    public synchronized Optional<List<Change>> changesSince(long since) {
        if (!leads()) {
            return Optional.empty();
        }
        ensureLoaded();
        if (since == generation) {
            return Optional.of(List.of());
        }
        if (since > generation || log.isEmpty() || log.get(0).generation() > since + 1) {
            return Optional.empty();
        }
        int from = (int) (since + 1 - log.get(0).generation());
        return Optional.of(List.copyOf(log.subList(from, log.size())));
    }

    /** Waits for a change to be durable; a store refusal is rethrown as what it wraps (e.g. not found). */
    static void join(CompletableFuture<?> durable) {
        try {
            durable.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StoreRefusedException r && r.getCause() instanceof RuntimeException inner
                    && !(r instanceof dev.strata.platform.core.store.StaleLedgerException)) {
                throw inner;
            }
            if (cause instanceof dev.strata.platform.core.store.StaleLedgerException stale) {
                throw new StaleGenerationException(stale.expected(), stale.actual());
            }
            throw cause instanceof RuntimeException r ? r : new StrataException("the allocation ledger could not be written: " + cause, cause);
        }
    }
}
