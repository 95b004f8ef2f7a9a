package dev.strata.provider.nvidia.device;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * XID errors seen per GPU, kept for {@link #WINDOW} so that health reflects recent ones. Each
 * distinct XID is kept with the last time it was reported, so that a flood of one XID (an
 * application fault reported many times a second) never pushes another out of the window.
 * Thread-safe.
 */
public final class XidLog {

    /** How long an XID counts towards a GPU's health. */
    public static final Duration WINDOW = Duration.ofHours(1);
    /** The most distinct XIDs kept per GPU (NVIDIA's catalogue has fewer); the longest unseen goes first. */
    private static final int MAX_PER_GPU = 256;

    private final Clock clock;
    /** Per GPU, each XID with when it was last reported, the longest unseen first. */
    private final Map<String, LinkedHashMap<Integer, Instant>> byGpu = new HashMap<>();

    public XidLog(Clock clock) {
        this.clock = clock;
    }

    public synchronized void record(String gpuId, int xid) {
        LinkedHashMap<Integer, Instant> seen = byGpu.computeIfAbsent(gpuId, k -> new LinkedHashMap<>());
        seen.remove(xid);
        seen.put(xid, clock.instant());
        Iterator<Integer> oldest = seen.keySet().iterator();
        while (seen.size() > MAX_PER_GPU) {
            oldest.next();
            oldest.remove();
        }
    }

    /** The distinct XIDs of one GPU within the window, the longest unseen first. */
    public synchronized List<Integer> recent(String gpuId) {
        LinkedHashMap<Integer, Instant> seen = byGpu.get(gpuId);
        if (seen == null) {
            return List.of();
        }
        Instant since = clock.instant().minus(WINDOW);
        seen.values().removeIf(at -> at.isBefore(since));
        return List.copyOf(seen.keySet());
    }
}
