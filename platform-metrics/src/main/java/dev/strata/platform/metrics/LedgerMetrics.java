package dev.strata.platform.metrics;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.TenantUse;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The allocation ledger: allocations, the GPUs they hold and the draw they reserve per power
 * domain, held in each domain and every domain above it, as placement holds it, over the
 * inventory's current power domains (in whole milliwatts, and nothing for a binding whose node
 * left the inventory, as placement holds nothing for it; a launch slot of an offer the inventory
 * has counts as placement's node); what each tenant holds, and its quota. The leader reads its in-memory mirror of the ledger; another
 * instance reads the state store.
 */
@Component(service = MultiCollector.class)
public class LedgerMetrics implements MultiCollector {

    private final Placement placement;
    private final Inventory inventory;

    @Activate
    public LedgerMetrics(@Reference Placement placement, @Reference Inventory inventory) {
        this.placement = placement;
        this.inventory = inventory;
    }

    /**
     * A binding's power in whole milliwatts, rounded as placement rounds it when it holds it (the
     * magnitude, so that giving back cancels reserving).
     */
    static long milliwatts(double watts) {
        return (long) Math.signum(watts) * Math.round(Math.abs(watts) * 1000);
    }

    /** The most launch slots placement makes of one offer (its {@code OfferSlots.MAX_SLOTS}). */
    static final int MAX_SLOTS = 4096;

    /**
     * Whether a binding's node is a launch slot placement has now: {@code <offer id>#<n>} of an offer
     * in the inventory, {@code n} within its free quota ({@code limit - inUse}, at most
     * {@value #MAX_SLOTS}), as placement's {@code OfferSlots} makes them. Placement holds a slot
     * binding's power in the domain of the offer's machine, though the slot is no node of the
     * merged inventory.
     */
    static boolean launchSlot(String nodeId, InventorySnapshot snapshot) {
        int at = nodeId.lastIndexOf('#');
        // a slot's number as placement writes it: 0 to 4095, no leading zero
        if (at <= 0 || at == nodeId.length() - 1 || nodeId.length() - at > 5 || nodeId.charAt(at + 1) == '0' && nodeId.length() - at > 2) {
            return false;
        }
        int n = 0;
        for (int i = at + 1; i < nodeId.length(); i++) {
            char c = nodeId.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            n = n * 10 + (c - '0');
        }
        int slot = n;
        return snapshot.offer(nodeId.substring(0, at))
                .filter(o -> slot < Math.min(MAX_SLOTS, Math.max(0, o.limit() - o.inUse())))
                .isPresent();
    }

    @Override
    public MetricSnapshots collect() {
        Family allocations = new Family("strata_allocations", "Allocations in the ledger");
        Family gpus = new Family("strata_allocated_gpus", "GPUs bound by the allocations in the ledger (a shared GPU once per binding)");
        Family reserved = new Family("strata_power_domain_reserved_watts",
                "Power the allocations reserve in each power domain, on its nodes and in the domains under it", "domain");
        InventorySnapshot snapshot = inventory.snapshot();
        Set<String> nodes = new HashSet<>();
        snapshot.nodes().forEach(n -> nodes.add(n.id()));
        // in milliwatts, as placement holds it, so that the sum is placement's to the milliwatt, not a double's drift from it
        Map<String, Double> directMilliwatts = new HashMap<>();
        int count = 0;
        int bound = 0;
        for (Allocation a : placement.allocations()) {
            count++;
            for (MemberBinding b : a.bindings()) {
                bound += b.acceleratorIds().size();
                // placement holds nothing for a binding whose node left the inventory: counting it here would show the
                // domain fuller than placement finds it when it places there
                if (b.powerDomainId() != null && (nodes.contains(b.nodeId()) || launchSlot(b.nodeId(), snapshot))) {
                    directMilliwatts.merge(b.powerDomainId(), (double) milliwatts(b.powerWatts()), Double::sum);
                }
            }
        }
        List<PowerDomain> domains = snapshot.powerDomains();
        Map<String, Double> held = PowerHeld.of(domains, directMilliwatts);
        for (PowerDomain d : domains) {
            reserved.set(held.getOrDefault(d.id(), 0.0) / 1000, d.id());
        }
        allocations.set(count);
        gpus.set(bound);
        Family tenantGpus = new Family("strata_tenant_gpus", "GPUs a tenant's allocations hold (a share or partition as its share)", "tenant");
        Family tenantCpus = new Family("strata_tenant_cpus", "CPUs a tenant's allocations hold", "tenant");
        Family tenantMemory = new Family("strata_tenant_memory_bytes", "Memory a tenant's allocations hold", "tenant");
        Family gpuQuota = new Family("strata_tenant_gpu_quota", "The GPUs a tenant's allocations may hold in all (tenants with a limit)",
                "tenant");
        Family cpuQuota = new Family("strata_tenant_cpu_quota", "The CPUs a tenant's allocations may hold in all (tenants with a limit)",
                "tenant");
        Family memoryQuota = new Family("strata_tenant_memory_quota_bytes",
                "The memory a tenant's allocations may hold in all (tenants with a limit)", "tenant");
        for (TenantUse u : placement.tenants()) {
            tenantGpus.set(u.gpuMilli() / 1000.0, u.tenant());
            tenantCpus.set(u.cpuMilli() / 1000.0, u.tenant());
            tenantMemory.set(u.memoryBytes(), u.tenant());
            if (u.gpuQuotaMilli() >= 0) {
                gpuQuota.set(u.gpuQuotaMilli() / 1000.0, u.tenant());
            }
            if (u.cpuQuotaMilli() >= 0) {
                cpuQuota.set(u.cpuQuotaMilli() / 1000.0, u.tenant());
            }
            if (u.memoryQuotaBytes() >= 0) {
                memoryQuota.set(u.memoryQuotaBytes(), u.tenant());
            }
        }
        return MetricSnapshots.of(allocations.snapshot(), gpus.snapshot(), reserved.snapshot(), tenantGpus.snapshot(), tenantCpus.snapshot(),
                tenantMemory.snapshot(), gpuQuota.snapshot(), cpuQuota.snapshot(), memoryQuota.snapshot());
    }
}
