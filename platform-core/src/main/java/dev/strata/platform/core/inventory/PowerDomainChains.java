package dev.strata.platform.core.inventory;

import dev.strata.platform.api.model.PowerDomain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The chain of parents of every power domain of an inventory, followed once, to its end, however
 * deep it is: a node's draw is held in its power domain and in every domain above it, so a chain
 * cut short at some depth would leave the budgets above the cut unchecked.
 *
 * <p>Power domains come from providers, and the core does not trust them to form a tree. A chain
 * can end in two ways that leave the budgets that hold a node unknown:
 * <ul>
 * <li>at a parent the inventory does not hold ({@link #lacking}): a typo in a BMC's configuration,
 * a declared inventory not loaded yet;</li>
 * <li>in a cycle of parents ({@link #cycle}: {@code a -> b -> a}, or a domain that is its own
 * parent), which has no top: which of its domains is really the top, and whether a feed above it
 * went unreported, cannot be told.</li>
 * </ul>
 * Both are treated alike and fail closed: nothing is placed on a node whose power domain's chain
 * ends either way (placement says why, node by node, and {@code strata:providers} warns under the
 * provider that reports the domains), while the rest of the inventory is used as usual. Refusing
 * the whole merged snapshot instead would stop placement everywhere for one provider's error.
 * Power that the ledger already holds in such a domain stays counted: in every domain up to the
 * lacking one, and in every domain of a cycle once.
 *
 * <p>Immutable; built in time linear in the number of domains (each is followed once).
 */
public final class PowerDomainChains {

    /** The most domain ids a cycle is written with; the rest are counted. */
    private static final int SHOWN = 8;

    private final Map<String, PowerDomain> domains;
    /** Per domain whose chain reaches a domain the inventory lacks: that domain. */
    private final Map<String, String> lacking = new HashMap<>();
    /** Per domain whose chain ends in a cycle (on it or under it): the cycle, starting at its least id. */
    private final Map<String, List<String>> cycles = new HashMap<>();

    private PowerDomainChains(Map<String, PowerDomain> domains) {
        this.domains = domains;
        Set<String> resolved = new HashSet<>();
        for (String start : domains.keySet()) {
            if (resolved.contains(start)) {
                continue;
            }
            // follow the parents until the chain ends, reaches a domain followed before, or comes back onto itself
            List<String> walk = new ArrayList<>();
            Map<String, Integer> position = new HashMap<>();
            String d = start;
            while (d != null && domains.containsKey(d) && !resolved.contains(d) && !position.containsKey(d)) {
                position.put(d, walk.size());
                walk.add(d);
                d = domains.get(d).parentId();
            }
            String lack = null;
            List<String> cycle = null;
            if (d != null && !domains.containsKey(d)) {
                lack = d;
            } else if (d != null && resolved.contains(d)) {
                lack = lacking.get(d);
                cycle = cycles.get(d);
            } else if (d != null) {
                int from = position.get(d);
                List<String> members = new ArrayList<>(walk.subList(from, walk.size()));
                Collections.rotate(members, -members.indexOf(Collections.min(members)));
                cycle = List.copyOf(members);
                for (String m : members) {
                    cycles.put(m, cycle);
                    resolved.add(m);
                }
                walk = walk.subList(0, from);
            }
            for (String w : walk) {
                if (lack != null) {
                    lacking.put(w, lack);
                }
                if (cycle != null) {
                    cycles.put(w, cycle);
                }
                resolved.add(w);
            }
        }
    }

    /**
     * The chains of the given domains.
     *
     * @param domains the inventory's power domains by id
     */
    public static PowerDomainChains of(Map<String, PowerDomain> domains) {
        return new PowerDomainChains(Map.copyOf(domains));
    }

    /**
     * The first domain of the chain from {@code id} upwards (itself, its parent, ...) that the
     * inventory does not hold: {@code id} itself when it is not there; null when every domain of
     * the chain is there.
     */
    public String lacking(String id) {
        return domains.containsKey(id) ? lacking.get(id) : id;
    }

    /**
     * The cycle of parents the chain from {@code id} upwards ends in, starting at its least id
     * (each domain once); empty when the chain ends at a domain without a parent, or at one the
     * inventory lacks.
     */
    public List<String> cycle(String id) {
        return cycles.getOrDefault(id, List.of());
    }

    /** Whether {@code id} is itself one of a cycle of parents (not only under one). */
    public boolean onCycle(String id) {
        return cycle(id).contains(id);
    }

    /** Whether nothing can be placed under {@code id}: its chain reaches a domain the inventory lacks, or a cycle. */
    public boolean broken(String id) {
        return lacking(id) != null || cycles.containsKey(id);
    }

    /** A cycle as messages write it, {@code a -> b -> a}; a long one with the ids past the first few counted. */
    public static String describe(List<String> cycle) {
        if (cycle.size() <= SHOWN) {
            return String.join(" -> ", cycle) + " -> " + cycle.get(0);
        }
        return String.join(" -> ", cycle.subList(0, SHOWN)) + " -> ... (" + (cycle.size() - SHOWN) + " more) -> " + cycle.get(0);
    }
}
