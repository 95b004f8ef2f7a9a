package dev.strata.platform.metrics;

import dev.strata.platform.api.model.PowerDomain;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Power summed up the power domains' chains as placement holds it: what is in a domain counts in
 * it and in every domain above it, however deep; once in each domain of a cycle of parents the
 * chain ends in; not above a parent the inventory lacks. Power in a domain the inventory lacks
 * counts nowhere.
 */
final class PowerHeld {

    private PowerHeld() {
    }

    /**
     * @param domains the inventory's power domains
     * @param direct the power in each domain itself (declared by its nodes, reserved on them)
     * @return the power each domain holds; absent for one that holds none
     */
    static Map<String, Double> of(Collection<PowerDomain> domains, Map<String, Double> direct) {
        Map<String, PowerDomain> byId = new HashMap<>();
        domains.forEach(d -> byId.put(d.id(), d));
        Map<String, Double> held = new HashMap<>();
        direct.forEach((domain, watts) -> {
            Set<String> seen = new HashSet<>();
            for (String d = domain; d != null && byId.containsKey(d) && seen.add(d); d = byId.get(d).parentId()) {
                held.merge(d, watts, Double::sum);
            }
        });
        return held;
    }
}
