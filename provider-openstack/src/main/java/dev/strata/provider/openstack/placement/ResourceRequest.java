package dev.strata.provider.openstack.placement;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What a server asks Placement for: one unsuffixed request group of {@code GET
 * /allocation_candidates} (amounts by resource class, traits that must be present and traits that
 * must be absent), and devices asked for one unit at a time, each in a numbered request group of
 * its own ({@code resources1=CUSTOM_PCI_10DE_2330:1&resources2=...&group_policy=none}): PCI
 * devices a flavor asks for by {@code pci_passthrough:alias}, which Nova asks Placement for one
 * device per request group, so that the devices of one server may come from several providers
 * (one provider per device, as nova-compute reports them).
 *
 * @param resources amounts by resource class (each at least 1)
 * @param required traits one of the providers that supply the resources must have
 * @param forbidden traits none of the providers that supply the resources may have
 * @param devices units by resource class, each asked in a request group of one unit (each at least 1)
 */
public record ResourceRequest(Map<String, Long> resources, Set<String> required, Set<String> forbidden, Map<String, Long> devices) {

    public ResourceRequest {
        resources = new TreeMap<>(resources);
        devices = new TreeMap<>(devices);
        if (resources.isEmpty() && devices.isEmpty()) {
            throw new IllegalArgumentException("a resource request needs at least one resource class");
        }
        resources.forEach((rc, n) -> {
            if (n < 1) {
                throw new IllegalArgumentException("resource request " + rc + ":" + n + "; expected an amount of at least 1");
            }
        });
        devices.forEach((rc, n) -> {
            if (n < 1) {
                throw new IllegalArgumentException("device request " + rc + ":" + n + "; expected at least 1 device");
            }
        });
        resources = Map.copyOf(resources);
        devices = Map.copyOf(devices);
        required = Set.copyOf(required);
        forbidden = Set.copyOf(forbidden);
    }

    /** One unsuffixed request group and no devices. */
    public ResourceRequest(Map<String, Long> resources, Set<String> required, Set<String> forbidden) {
        this(resources, required, forbidden, Map.of());
    }

    public static ResourceRequest of(Map<String, Long> resources) {
        return new ResourceRequest(resources, Set.of(), Set.of());
    }

    /**
     * The query string of {@code GET /allocation_candidates} for this request: the unsuffixed
     * group, then one numbered group of one unit per device, with {@code group_policy=none} (the
     * devices may come from one provider or several).
     */
    public String query() {
        StringBuilder q = new StringBuilder();
        if (!resources.isEmpty()) {
            String res = new TreeMap<>(resources).entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(","));
            q.append("resources=").append(res);
        }
        Set<String> traits = new TreeSet<>(required);
        forbidden.stream().map(t -> "!" + t).forEach(traits::add);
        if (!traits.isEmpty()) {
            q.append("&required=").append(String.join(",", traits));
        }
        int group = 0;
        for (Map.Entry<String, Long> d : new TreeMap<>(devices).entrySet()) {
            for (long i = 0; i < d.getValue(); i++) {
                group++;
                q.append(q.length() == 0 ? "" : "&").append("resources").append(group).append('=').append(d.getKey()).append(":1");
            }
        }
        if (group > 0) {
            q.append("&group_policy=none");
        }
        return q.toString();
    }

    @Override
    public String toString() {
        return query();
    }
}
