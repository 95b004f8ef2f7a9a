package dev.strata.platform.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.provider.ConfigurationRejections;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordingRejectionsTest {

    @Test
    void recordsEachRefusalInOrderWithThePidTheReasonAndTheFlag() {
        RecordingRejections rejections = new RecordingRejections();
        assertThat(rejections.told()).as("nothing told yet").isEmpty();
        assertThat(rejections.previousSettingsInForce()).isEmpty();

        ConfigurationRejections.tell(rejections, "dev.strata.provider.aws~a", "efa = 'some' is invalid", false);
        ConfigurationRejections.tell(rejections, "dev.strata.provider.aws~b", "regions = 'Frankfurt' is invalid", true);

        assertThat(rejections.told()).containsExactly("dev.strata.provider.aws~a | efa = 'some' is invalid",
                "dev.strata.provider.aws~b | regions = 'Frankfurt' is invalid");
        assertThat(rejections.previousSettingsInForce()).containsExactly(false, true);
    }

    /** The form of 1.4, without the flag, says that the settings before the change stay in force, and is recorded so. */
    @Test
    void theFormWithoutTheFlagIsRecordedAsLeavingThePreviousSettingsInForce() {
        RecordingRejections rejections = new RecordingRejections();
        ConfigurationRejections.tell(rejections, "dev.strata.provider.example", "site = '' is invalid");

        assertThat(rejections.told()).containsExactly("dev.strata.provider.example | site = '' is invalid");
        assertThat(rejections.previousSettingsInForce()).containsExactly(true);
    }

    /** What a test reads is what was told by then: a later refusal does not change a list the test holds. */
    @Test
    void whatATestReadsIsASnapshot() {
        RecordingRejections rejections = new RecordingRejections();
        rejections.rejected("p", "first", false);
        List<String> told = rejections.told();
        List<Boolean> inForce = rejections.previousSettingsInForce();
        rejections.rejected("p", "second", true);

        assertThat(told).containsExactly("p | first");
        assertThat(inForce).containsExactly(false);
        assertThat(rejections.told()).hasSize(2);
    }
}
