package dev.strata.platform.metrics;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.inventory.ProviderStatus;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.DeviceLink;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PowerDomain;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.HashMap;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The merged inventory and the providers behind it, read from the current snapshot and the
 * registry's statuses: neither reads blocks, and nothing is discovered for a scrape.
 */
@Component(service = MultiCollector.class)
public class InventoryMetrics implements MultiCollector {

    private final Inventory inventory;
    private final ProviderRegistry providers;

    @Activate
    public InventoryMetrics(@Reference Inventory inventory, @Reference ProviderRegistry providers) {
        this.inventory = inventory;
        this.providers = providers;
    }

    @Override
    public MetricSnapshots collect() {
        InventorySnapshot snapshot = inventory.snapshot();
        Family generation = new Family("strata_inventory_generation", "Generation of the merged inventory snapshot");
        generation.set(snapshot.generation());
        Family nodes = new Family("strata_nodes", "Nodes in the inventory, by provider and state", "provider", "state");
        Family accelerators = new Family("strata_accelerators",
                "Accelerators in the inventory, by the provider of their node (empty: attached to no node), model and health",
                "provider", "model", "health");
        Family links = new Family("strata_accelerator_links", "Accelerators' device links (NVLink and the like), by peer kind and state",
                "peer_kind", "state");
        Map<String, Double> declared = new HashMap<>();
        for (Node n : snapshot.nodes()) {
            nodes.add(1, n.providerId(), n.state().name());
            for (Accelerator a : n.accelerators()) {
                accelerator(accelerators, links, n.providerId(), a);
            }
            if (n.powerDomainId() != null) {
                declared.merge(n.powerDomainId(), (double) n.power().maxWatts(), Double::sum);
            }
        }
        for (Accelerator a : snapshot.unattached()) {
            accelerator(accelerators, links, null, a);
        }
        Family fabrics = new Family("strata_fabrics", "Fabrics in the inventory, by type", "type");
        Family members = new Family("strata_fabric_members", "Members of each fabric (nodes, sites or accelerators)", "fabric", "type");
        for (Fabric f : snapshot.fabrics()) {
            fabrics.add(1, f.type().name());
            members.set(f.members().size(), f.id(), f.type().name());
        }
        Family budget = new Family("strata_power_domain_budget_watts",
                "Power budget of each power domain that has one (placement holds no limit in one without)", "domain", "kind");
        Family draw = new Family("strata_power_domain_declared_watts",
                "Sum of the declared maximum draw of the nodes in each power domain and in the domains under it", "domain");
        Map<String, Double> held = PowerHeld.of(snapshot.powerDomains(), declared);
        for (PowerDomain d : snapshot.powerDomains()) {
            // a budget of 0 is none: placement holds no limit there, and 0 W would read as a domain over budget
            if (d.budgetWatts() > 0) {
                budget.set(d.budgetWatts(), d.id(), d.kind());
            }
            draw.set(held.getOrDefault(d.id(), 0.0), d.id());
        }
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        out.metricSnapshot(generation.snapshot()).metricSnapshot(nodes.snapshot()).metricSnapshot(accelerators.snapshot())
                .metricSnapshot(links.snapshot()).metricSnapshot(fabrics.snapshot()).metricSnapshot(members.snapshot())
                .metricSnapshot(budget.snapshot()).metricSnapshot(draw.snapshot());
        providers(out);
        return out.build();
    }

    private static void accelerator(Family accelerators, Family links, String provider, Accelerator a) {
        accelerators.add(1, provider, a.model(), a.health().status().name());
        for (DeviceLink l : a.links()) {
            links.add(1, l.peerKind(), l.active() ? "active" : "inactive");
        }
    }

    private void providers(MetricSnapshots.Builder out) {
        Family state = new Family("strata_provider_state", "1 for the state each provider is in, 0 for the others", "provider", "state");
        Family resources = new Family("strata_provider_resources",
                "Nodes, accelerators, fabrics and storage pools in each provider's last snapshot", "provider");
        Family took = new Family("strata_provider_last_discovery_duration_seconds",
                "How long each provider's last successful discovery took", "provider");
        Family at = new Family("strata_provider_last_discovery_timestamp_seconds",
                "When each provider's last successful discovery finished (Unix time)", "provider");
        Family swaps = new Family("strata_provider_swaps", "How many times a new registration of each provider replaced a departed one",
                "provider");
        Family warnings = new Family("strata_provider_warnings", "Warnings each provider has (problems its snapshots report, facts the "
                + "inventory could not reconcile)", "provider");
        for (ProviderStatus p : providers.providers()) {
            for (ProviderState s : ProviderState.values()) {
                state.set(p.state() == s ? 1 : 0, p.id(), s.name());
            }
            resources.set(p.resources(), p.id());
            if (p.lastDiscoveryTime() != null) {
                took.set(p.lastDiscoveryTime().toNanos() / 1e9, p.id());
            }
            if (p.lastDiscovery() != null) {
                at.set(Family.seconds(p.lastDiscovery()), p.id());
            }
            swaps.set(p.swaps(), p.id());
            warnings.set(p.warnings().size(), p.id());
        }
        out.metricSnapshot(state.snapshot()).metricSnapshot(resources.snapshot()).metricSnapshot(took.snapshot())
                .metricSnapshot(at.snapshot()).metricSnapshot(swaps.snapshot()).metricSnapshot(warnings.snapshot());
    }
}
