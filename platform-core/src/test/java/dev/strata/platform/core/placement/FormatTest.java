package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class FormatTest {

    /** CPUs are written with one decimal by integer arithmetic: the same text as %.1f, for every thousandth up to 200 CPUs. */
    @Test
    void cpusWriteWhatTheFormatterWrites() {
        for (long milli = 0; milli <= 200_000; milli++) {
            String expected = milli == 1000 ? "1 CPU" : milli % 1000 == 0 ? milli / 1000 + " CPUs"
                    : String.format(Locale.ROOT, "%.1f CPUs", milli / 1000.0);
            if (!expected.equals(Format.cpus(milli))) {
                assertThat(Format.cpus(milli)).as("%d thousandths", milli).isEqualTo(expected);
            }
        }
        assertThat(Format.cpus(1_050)).isEqualTo("1.1 CPUs");
        assertThat(Format.cpus(1_049)).isEqualTo("1.0 CPUs");
        assertThat(Format.cpus(500)).isEqualTo("0.5 CPUs");
    }

    /** Allocation ids are what "a-%06d" writes, below and past six digits. */
    @Test
    void allocationIdsAreZeroPaddedToSixDigits() {
        for (long n : new long[] {0, 1, 9, 10, 99_999, 100_000, 999_999, 1_000_000, 123_456_789, Long.MAX_VALUE}) {
            assertThat(AllocationIds.of(n)).isEqualTo(String.format(Locale.ROOT, "a-%06d", n));
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AllocationIds.of(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("allocation number -1; expected 0 or more");
    }
}
