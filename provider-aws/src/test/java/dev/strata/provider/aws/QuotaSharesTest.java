package dev.strata.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A region's quota shared among its zones: placement, deciding zone by zone, can never book more
 * launches than the region has left, and no machine Strata launched loses its slot. Checked against
 * a model of the region recomputed from scratch: every way of filling the zones' slots with new
 * launches, counted against the quota.
 */
class QuotaSharesTest {

    record Region(int quota, List<String> zones, Map<String, Integer> held, int others) {
    }

    @Provide
    Arbitrary<Region> regions() {
        Arbitrary<Integer> quota = Arbitraries.integers().between(0, 40);
        Arbitrary<Integer> zoneCount = Arbitraries.integers().between(1, 6);
        Arbitrary<Integer> others = Arbitraries.integers().between(0, 50);
        Arbitrary<List<Integer>> held = Arbitraries.integers().between(0, 12).list().ofSize(6);
        return Combinators.combine(quota, zoneCount, others, held).as((q, n, o, h) -> {
            List<String> zones = new ArrayList<>();
            Map<String, Integer> m = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                String z = "eu-central-1" + (char) ('a' + i);
                zones.add(z);
                if (h.get(i) > 0) {
                    m.put(z, h.get(i));
                }
            }
            return new Region(q, zones, m, o);
        });
    }

    @Property(tries = 2000)
    void sharesNeverPromiseMoreThanTheRegionHasAndKeepEveryLaunchedMachinesSlot(@ForAll("regions") Region r) {
        Map<String, Integer> slots = QuotaShares.slots(r.quota(), r.zones(), r.held(), r.others());
        assertThat(slots.keySet()).containsExactlyElementsOf(r.zones());
        int held = r.held().values().stream().mapToInt(Integer::intValue).sum();
        int newLaunches = 0;
        for (String z : r.zones()) {
            int h = r.held().getOrDefault(z, 0);
            assertThat(slots.get(z)).as("zone %s keeps its %d launched machines' slots", z, h).isGreaterThanOrEqualTo(h);
            newLaunches += slots.get(z) - h; // filling every zone's free slots at once: the worst case placement can reach
        }
        // the region: others + Strata's launched + everything placement can still launch stays within the quota
        // (when the region is already over it, nothing more can be launched)
        int room = Math.max(0, r.quota() - r.others() - held);
        assertThat(newLaunches).isLessThanOrEqualTo(room);
        // and nothing is withheld: the shares give out exactly what is left, as evenly as whole machines allow
        assertThat(newLaunches).isEqualTo(room);
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (String z : r.zones()) {
            int free = slots.get(z) - r.held().getOrDefault(z, 0);
            min = Math.min(min, free);
            max = Math.max(max, free);
        }
        assertThat(max - min).isLessThanOrEqualTo(1);
    }
}
