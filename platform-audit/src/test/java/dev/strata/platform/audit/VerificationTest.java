package dev.strata.platform.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerificationTest {

    private static Verification holding(long records, long checkpoints, long signedThrough) {
        return new Verification(true, 0, null, null, records, records == 0 ? 0 : 1, records, null, null, checkpoints, signedThrough, null,
                List.of(), Map.of());
    }

    /** One record, one checkpoint and one unsigned record are each written in the singular. */
    @Test
    void theSummaryCountsOneInTheSingular() {
        assertThat(holding(1, 1, 1).summary())
                .isEqualTo("the chain holds: 1 record (1..1), 1 signed checkpoint verified, signed through record 1");
        assertThat(holding(2, 1, 1).summary()).isEqualTo(
                "the chain holds: 2 records (1..2), 1 signed checkpoint verified, signed through record 1; 1 later record is chained but not yet signed");
        assertThat(holding(5, 2, 2).summary()).isEqualTo(
                "the chain holds: 5 records (1..5), 2 signed checkpoints verified, signed through record 2; 3 later records are chained but not yet signed");
        assertThat(holding(0, 0, 0).summary()).isEqualTo("the chain holds: 0 records, 0 signed checkpoints verified, signed through record 0");
    }
}
