package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.core.contract.ContractDocumentReader;
import dev.strata.platform.core.metrics.Scraped;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Placement's counters move by exactly one per call, under the mode and outcome of that call; its histogram counts every call. */
class PlacementMetricsTest {

    private final ContractDocumentReader reader = new ContractDocumentReader();
    private final PlacementService service = new PlacementService(Infra.threeSites().h100("n1", "fra-1", null).inventory(), new InMemoryLedger(),
            "strata", Clock.systemUTC());
    private final Contract six = reader.read("{name: a, tenant: t, members: [{name: m, gpus: 6}]}", "test");
    private final Contract tooBig = reader.read("{name: b, tenant: t, members: [{name: m, gpus: 64}]}", "test");

    private Scraped scrape() {
        return new Scraped(service.collect());
    }

    private static final String[] MODES = {"place", "dry_run", "deployment"};
    private static final String[] OUTCOMES = {"placed", "refused", "invalid", "conflict", "error"};

    /** Every placement counter and histogram count after minus before, only those that moved. */
    private static Map<String, Double> moved(Scraped before, Scraped after) {
        Map<String, Double> out = new java.util.TreeMap<>();
        for (String mode : MODES) {
            for (String outcome : OUTCOMES) {
                double d = after.value("strata_placements", "mode", mode, "outcome", outcome)
                        - before.value("strata_placements", "mode", mode, "outcome", outcome);
                if (d != 0) {
                    out.put(mode + "/" + outcome, d);
                }
            }
            double d = after.histogramCount("strata_placement_duration_seconds", "mode", mode)
                    - before.histogramCount("strata_placement_duration_seconds", "mode", mode);
            if (d != 0) {
                out.put(mode + " latency", d);
            }
        }
        for (String outcome : new String[] {"released", "held", "not_found", "error"}) {
            double d = after.value("strata_releases", "outcome", outcome) - before.value("strata_releases", "outcome", outcome);
            if (d != 0) {
                out.put("release/" + outcome, d);
            }
        }
        return out;
    }

    @Test
    void everySeriesIsThereAtZeroBeforeAnyCall() {
        Scraped s = scrape();
        for (String mode : MODES) {
            for (String outcome : OUTCOMES) {
                assertThat(s.value("strata_placements", "mode", mode, "outcome", outcome)).isZero();
            }
            assertThat(s.histogramCount("strata_placement_duration_seconds", "mode", mode)).isZero();
        }
    }

    @Test
    void aDryRunIsCountedApartFromAPlacement() {
        Scraped before = scrape();
        assertThat(service.place(six, true).placed()).isTrue();
        Scraped afterDryRun = scrape();
        assertThat(moved(before, afterDryRun)).isEqualTo(Map.of("dry_run/placed", 1.0, "dry_run latency", 1.0));

        PlacementDecision placed = service.place(six, false);
        assertThat(placed.placed()).isTrue();
        Scraped afterPlace = scrape();
        assertThat(moved(afterDryRun, afterPlace)).isEqualTo(Map.of("place/placed", 1.0, "place latency", 1.0));

        assertThat(service.place(six, true).placed()).isFalse();
        assertThat(moved(afterPlace, scrape())).isEqualTo(Map.of("dry_run/refused", 1.0, "dry_run latency", 1.0));
    }

    @Test
    void refusedInvalidAndFailedCallsEachHaveTheirOutcome() {
        Scraped s0 = scrape();
        assertThat(service.place(tooBig, false).placed()).isFalse();
        Scraped s1 = scrape();
        assertThat(moved(s0, s1)).isEqualTo(Map.of("place/refused", 1.0, "place latency", 1.0));

        assertThatThrownBy(() -> service.placeFor(six, " ")).isInstanceOf(IllegalArgumentException.class);
        Scraped s2 = scrape();
        assertThat(moved(s1, s2)).isEqualTo(Map.of("deployment/invalid", 1.0, "deployment latency", 1.0));

        assertThatThrownBy(() -> service.place(null, false)).isInstanceOf(NullPointerException.class);
        Scraped s3 = scrape();
        assertThat(moved(s2, s3)).isEqualTo(Map.of("place/error", 1.0, "place latency", 1.0));

        assertThat(service.placeFor(six, "d-1").placed()).isTrue();
        assertThat(moved(s3, scrape())).isEqualTo(Map.of("deployment/placed", 1.0, "deployment latency", 1.0));
    }

    @Test
    void releasesAreCountedByOutcome() {
        String id = service.place(six, false).allocationId();
        Scraped before = scrape();
        service.release(id);
        Scraped released = scrape();
        assertThat(moved(before, released)).isEqualTo(Map.of("release/released", 1.0));
        assertThatThrownBy(() -> service.release(id)).isInstanceOf(NotFoundException.class);
        assertThat(moved(released, scrape())).isEqualTo(Map.of("release/not_found", 1.0));
    }

    /**
     * A placement given up because other instances kept changing the ledger (shared writers: a
     * ConflictException, nothing placed) is counted as a conflict, apart from the errors of a call
     * that failed; before, it was counted as an error.
     */
    @Test
    void aPlacementGivenUpToOtherWritersIsCountedAsAConflict() {
        PlacementMetrics metrics = new PlacementMetrics();
        Scraped before = new Scraped(metrics.collect());
        assertThatThrownBy(() -> metrics.place(PlacementMetrics.PLACE, () -> {
            throw new dev.strata.platform.api.exception.ConflictException("other instances kept changing the allocation ledger");
        })).isInstanceOf(dev.strata.platform.api.exception.ConflictException.class);
        assertThatThrownBy(() -> metrics.place(PlacementMetrics.DEPLOYMENT, () -> {
            throw new IllegalStateException("not the leader");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(moved(before, new Scraped(metrics.collect()))).isEqualTo(Map.of("place/conflict", 1.0, "place latency", 1.0,
                "deployment/error", 1.0, "deployment latency", 1.0));
    }
}
