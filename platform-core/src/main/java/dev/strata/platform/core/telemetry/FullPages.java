package dev.strata.platform.core.telemetry;

import dev.strata.platform.api.telemetry.GpuSample;
import java.time.Instant;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Reads a page of a GPU's samples as full as its teller has it: where the page it answered held
 * nulls and was full (as many as asked, so that more may follow), it is asked again for as many
 * more as it held nulls, so that the page without them still holds {@code limit} samples where the
 * teller has that many, and a page shorter than {@code limit} still means the end of its samples.
 * A caller walking a window stops at such a page (the commitment verifier does): a null in a full
 * page made it shorter, the walk ended there, and the window's start was averaged as if it were the
 * whole window. Shared by the core's merged view, which reads a source so, and the verifier, which
 * reads any {@code Telemetry} so.
 */
public final class FullPages {

    private FullPages() {
    }

    /**
     * The page {@code ask} answers for as many samples as asked, asked again while it held nulls and
     * was full; the answer as it came, nulls included (null where {@code ask} answered null).
     *
     * @param who what answers, as a message names it ({@code the source}, {@code the telemetry})
     * @throws IllegalStateException where a page holds more nulls than the samples asked for
     */
    public static List<GpuSample> read(IntFunction<List<GpuSample>> ask, int limit, String who, String acceleratorId, Instant from) {
        int asked = limit;
        List<GpuSample> answer = ask.apply(asked);
        while (answer != null && limit > 0 && answer.size() >= asked) {
            int nulls = 0;
            for (GpuSample s : answer) {
                nulls += s == null ? 1 : 0;
            }
            if (nulls == 0 || answer.size() - nulls >= limit || (long) limit + nulls > Integer.MAX_VALUE) {
                break;
            }
            if (nulls > limit) {
                throw new IllegalStateException(who + " answered " + nulls + " null samples among " + answer.size() + " in a page of "
                        + "the samples of " + acceleratorId + " since " + from + ", more than the " + limit + " samples asked for");
            }
            asked = limit + nulls; // more than asked before: the page held fewer than limit samples, so more than asked - limit nulls
            answer = ask.apply(asked);
        }
        return answer;
    }
}
