package dev.strata.platform.api.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterStatus#mode()}: a store names it; the constructors of 1.1, kept for their callers, tell it as
 * {@code strata:cluster} told it before 1.2, and a mode that contradicts {@code highAvailability} is refused.
 */
class ClusterStatusTest {

    private static final Instant T = Instant.parse("2026-11-27T10:00:00Z");

    @Test
    void theConstructorsOf11TellTheModeFromHighAvailabilityAndTheStoreDescription() {
        assertThat(new ClusterStatus("postgresql jdbc:postgresql://db/strata", true, "a", "a", "a:8101", T, 1, List.of()).mode())
                .isEqualTo(ClusterMode.ELECTED_LEADER);
        assertThat(new ClusterStatus("postgresql jdbc:postgresql://db/strata", false, "a", "a", "a:8101", T, 0, List.of(), "why").mode())
                .isEqualTo(ClusterMode.SHARED_WRITERS);
        assertThat(new ClusterStatus("embedded (H2) /data/strata/store.mv.db", false, "a", "a", "a:8101", T, 0, List.of()).mode())
                .isEqualTo(ClusterMode.EMBEDDED);
    }

    @Test
    void aModeThatContradictsHighAvailabilityOrNoneIsRefused() {
        assertThatThrownBy(() -> new ClusterStatus("postgresql jdbc:postgresql://db/strata", true, "a", "a", "a:8101", T, 1, List.of(), null,
                ClusterMode.SHARED_WRITERS)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the cluster status of instance a has mode SHARED_WRITERS with highAvailability = true; expected ELECTED_LEADER "
                        + "exactly where highAvailability is true");
        assertThatThrownBy(() -> new ClusterStatus("postgresql jdbc:postgresql://db/strata", false, "a", "a", "a:8101", T, 0, List.of(), null,
                null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the cluster status of instance a has no mode; expected one of [EMBEDDED, ELECTED_LEADER, SHARED_WRITERS]");
    }
}
