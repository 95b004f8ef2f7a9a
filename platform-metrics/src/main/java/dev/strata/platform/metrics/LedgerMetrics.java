package dev.strata.platform.metrics;

import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.Placement;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The allocation ledger: allocations, the GPUs they hold and the draw they reserve per power
 * domain. The leader reads its in-memory mirror of the ledger; another instance reads the state
 * store.
 */
@Component(service = MultiCollector.class)
public class LedgerMetrics implements MultiCollector {

    private final Placement placement;

    @Activate
    public LedgerMetrics(@Reference Placement placement) {
        this.placement = placement;
    }

    @Override
    public MetricSnapshots collect() {
        Family allocations = new Family("strata_allocations", "Allocations in the ledger");
        Family gpus = new Family("strata_allocated_gpus", "GPUs bound by the allocations in the ledger (a shared GPU once per binding)");
        Family reserved = new Family("strata_power_domain_reserved_watts", "Power the allocations reserve in each power domain", "domain");
        int count = 0;
        int bound = 0;
        for (Allocation a : placement.allocations()) {
            count++;
            for (MemberBinding b : a.bindings()) {
                bound += b.acceleratorIds().size();
                if (b.powerDomainId() != null) {
                    reserved.add(b.powerWatts(), b.powerDomainId());
                }
            }
        }
        allocations.set(count);
        gpus.set(bound);
        return MetricSnapshots.of(allocations.snapshot(), gpus.snapshot(), reserved.snapshot());
    }
}
