package dev.strata.platform.core.placement;

import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.placement.Allocation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ledger held in memory, with a log of its latest changes so that deciders catch up by
 * applying them rather than by reading the whole ledger again. Thread-safe (one monitor; every
 * operation is short). Lost when Strata stops: the durable store replaces it.
 */
final class InMemoryLedger implements AllocationLedger {

    /** Changes remembered for {@link #changesSince}. */
    static final int LOG_SIZE = 16_384;

    private final Map<String, Allocation> allocations = new LinkedHashMap<>();
    /** Consecutive generations; trimmed to the latest {@link #LOG_SIZE} when it grows to twice that. */
    private final List<Change> log = new ArrayList<>();
    private long generation;
    private long sequence;

    @Override
    public synchronized long generation() {
        return generation;
    }

    /** A new allocation id: {@code a-000042}. */
    @Override
    public synchronized String nextId() {
        return AllocationIds.of(++sequence);
    }

    @Override
    public synchronized long commit(long expectedGeneration, Allocation allocation) {
        if (generation != expectedGeneration) {
            throw new StaleGenerationException(expectedGeneration, generation);
        }
        if (allocations.putIfAbsent(allocation.id(), allocation) != null) {
            throw new IllegalStateException("allocation " + allocation.id() + " exists already");
        }
        return record(allocation, false);
    }

    @Override
    public synchronized Allocation release(String id) {
        Allocation removed = allocations.remove(id);
        if (removed == null) {
            throw new NotFoundException("no allocation '" + id + "'" + (allocations.isEmpty() ? "; the ledger is empty"
                    : "; allocations: " + String.join(", ", allocations.keySet())));
        }
        record(removed, true);
        return removed;
    }

    private long record(Allocation allocation, boolean released) {
        generation++;
        log.add(new Change(generation, allocation, released));
        if (log.size() >= 2 * LOG_SIZE) {
            log.subList(0, log.size() - LOG_SIZE).clear();
        }
        return generation;
    }

    @Override
    public synchronized List<Allocation> all() {
        return new ArrayList<>(allocations.values());
    }

    @Override
    public synchronized Optional<Allocation> get(String id) {
        return Optional.ofNullable(allocations.get(id));
    }

    @Override
    public synchronized Snapshot snapshot() {
        return new Snapshot(generation, new ArrayList<>(allocations.values()));
    }

    @Override
    public synchronized Optional<List<Change>> changesSince(long since) {
        if (since == generation) {
            return Optional.of(List.of());
        }
        if (since > generation || log.isEmpty() || log.get(0).generation() > since + 1) {
            return Optional.empty();
        }
        int from = (int) (since + 1 - log.get(0).generation());
        return Optional.of(List.copyOf(log.subList(from, log.size())));
    }
}
