package dev.strata.provider.nvidia.device;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * XID errors seen per GPU, kept for {@link #WINDOW} so that health reflects recent ones. Thread-safe.
 */
public final class XidLog {

    /** How long an XID counts towards a GPU's health. */
    public static final Duration WINDOW = Duration.ofHours(1);
    private static final int MAX_PER_GPU = 64;

    private final Clock clock;
    private final Map<String, Deque<Entry>> byGpu = new HashMap<>();

    private record Entry(Instant at, int xid) {
    }

    public XidLog(Clock clock) {
        this.clock = clock;
    }

    public synchronized void record(String gpuId, int xid) {
        Deque<Entry> entries = byGpu.computeIfAbsent(gpuId, k -> new ArrayDeque<>());
        entries.addLast(new Entry(clock.instant(), xid));
        while (entries.size() > MAX_PER_GPU) {
            entries.removeFirst();
        }
    }

    /** The distinct XIDs of one GPU within the window, oldest first. */
    public synchronized List<Integer> recent(String gpuId) {
        Deque<Entry> entries = byGpu.get(gpuId);
        if (entries == null) {
            return List.of();
        }
        Instant since = clock.instant().minus(WINDOW);
        entries.removeIf(e -> e.at().isBefore(since));
        Set<Integer> xids = new LinkedHashSet<>();
        entries.forEach(e -> xids.add(e.xid()));
        return List.copyOf(xids);
    }
}
