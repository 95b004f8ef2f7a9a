package dev.strata.provider.openstack.placement;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One unsuffixed request group of {@code GET /allocation_candidates}: amounts by resource class,
 * traits that must be present and traits that must be absent.
 *
 * @param resources amounts by resource class (each at least 1)
 * @param required traits one of the providers that supply the resources must have
 * @param forbidden traits none of the providers that supply the resources may have
 */
public record ResourceRequest(Map<String, Long> resources, Set<String> required, Set<String> forbidden) {

    public ResourceRequest {
        resources = new TreeMap<>(resources);
        if (resources.isEmpty()) {
            throw new IllegalArgumentException("a resource request needs at least one resource class");
        }
        resources.forEach((rc, n) -> {
            if (n < 1) {
                throw new IllegalArgumentException("resource request " + rc + ":" + n + "; expected an amount of at least 1");
            }
        });
        resources = Map.copyOf(resources);
        required = Set.copyOf(required);
        forbidden = Set.copyOf(forbidden);
    }

    public static ResourceRequest of(Map<String, Long> resources) {
        return new ResourceRequest(resources, Set.of(), Set.of());
    }

    /** The query string of {@code GET /allocation_candidates} for this group. */
    public String query() {
        String res = new TreeMap<>(resources).entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(","));
        StringBuilder q = new StringBuilder("resources=").append(res);
        Set<String> traits = new TreeSet<>(required);
        forbidden.stream().map(t -> "!" + t).forEach(traits::add);
        if (!traits.isEmpty()) {
            q.append("&required=").append(String.join(",", traits));
        }
        return q.toString();
    }

    @Override
    public String toString() {
        return query();
    }
}
