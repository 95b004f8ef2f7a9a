package dev.strata.platform.metrics;

import dev.strata.platform.api.commitment.Commitment;
import dev.strata.platform.api.commitment.CommitmentStatus;
import dev.strata.platform.api.commitment.Commitments;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Allocations by the verifier's last verdict; nothing is verified for a scrape. */
@Component(service = MultiCollector.class)
public class CommitmentMetrics implements MultiCollector {

    private final Commitments commitments;

    @Activate
    public CommitmentMetrics(@Reference Commitments commitments) {
        this.commitments = commitments;
    }

    @Override
    public MetricSnapshots collect() {
        Family status = new Family("strata_commitments", "Allocations by the verifier's last verdict", "status");
        for (CommitmentStatus s : CommitmentStatus.values()) {
            status.set(0, s.name());
        }
        for (Commitment c : commitments.commitments()) {
            status.add(1, c.status().name());
        }
        return MetricSnapshots.of(status.snapshot());
    }
}
