package dev.strata.platform.core.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.model.PowerDomain;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link PowerDomainChains}: chains followed to their end, however deep, a gap or a cycle found once. */
class PowerDomainChainsTest {

    private static Map<String, PowerDomain> domains(String... idAndParent) {
        Map<String, PowerDomain> out = new LinkedHashMap<>();
        for (int i = 0; i < idAndParent.length; i += 2) {
            out.put(idAndParent[i], new PowerDomain(idAndParent[i], "rack", "s1", idAndParent[i + 1], 1_000));
        }
        return out;
    }

    @Test
    void aSoundChainAGapAndACycleWithWhatHangsBelowThem() {
        PowerDomainChains chains = PowerDomainChains.of(domains(
                "rack-a", "hall-a", "hall-a", null,
                "rack-b", "hall-b", "hall-b", "feed-b",                 // feed-b is not there
                "rack-c", "pdu-c", "pdu-c", "hall-c", "hall-c", "row-c", "row-c", "pdu-c",
                "self", "self"));
        assertThat(chains.broken("rack-a")).isFalse();
        assertThat(chains.lacking("rack-a")).isNull();
        assertThat(chains.cycle("rack-a")).isEmpty();

        assertThat(chains.lacking("rack-b")).isEqualTo("feed-b");
        assertThat(chains.lacking("hall-b")).isEqualTo("feed-b");
        assertThat(chains.lacking("nowhere")).as("a domain not there lacks itself").isEqualTo("nowhere");
        assertThat(chains.broken("rack-b")).isTrue();

        assertThat(chains.cycle("rack-c")).containsExactly("hall-c", "row-c", "pdu-c");
        assertThat(chains.onCycle("rack-c")).isFalse();
        assertThat(chains.onCycle("pdu-c")).isTrue();
        assertThat(chains.cycle("pdu-c")).isSameAs(chains.cycle("rack-c"));
        assertThat(chains.lacking("rack-c")).isNull();
        assertThat(chains.broken("rack-c")).isTrue();
        assertThat(PowerDomainChains.describe(chains.cycle("row-c"))).isEqualTo("hall-c -> row-c -> pdu-c -> hall-c");

        assertThat(chains.cycle("self")).containsExactly("self");
        assertThat(PowerDomainChains.describe(chains.cycle("self"))).isEqualTo("self -> self");
    }

    /**
     * No depth limit: a gap or a cycle 100,000 levels up is found, in time linear in the domains
     * (each followed once, whichever domain the walk starts at), and a long cycle is written with
     * its first ids and a count.
     */
    @Test
    @Timeout(10)
    void chainsAsDeepAsAnInventoryMakesThem() {
        int n = 100_000;
        Map<String, PowerDomain> deep = new LinkedHashMap<>();
        for (int k = 0; k < n; k++) {
            deep.put("d" + k, new PowerDomain("d" + k, "feed", "s1", "d" + (k + 1), 0));
        }
        PowerDomainChains gap = PowerDomainChains.of(deep);
        assertThat(gap.lacking("d0")).isEqualTo("d" + n);
        assertThat(gap.lacking("d" + (n - 1))).isEqualTo("d" + n);

        deep.put("d" + (n - 1), new PowerDomain("d" + (n - 1), "feed", "s1", "d" + (n - 20), 0));
        PowerDomainChains loop = PowerDomainChains.of(deep);
        assertThat(loop.lacking("d0")).isNull();
        assertThat(loop.cycle("d0")).hasSize(20).contains("d" + (n - 20), "d" + (n - 1));
        assertThat(loop.onCycle("d" + (n - 21))).isFalse();
        assertThat(loop.onCycle("d" + (n - 20))).isTrue();
        List<String> cycle = loop.cycle("d5");
        assertThat(PowerDomainChains.describe(cycle)).startsWith(cycle.get(0) + " -> ").contains(" -> ... (12 more) -> ")
                .endsWith(" -> " + cycle.get(0));
    }
}
