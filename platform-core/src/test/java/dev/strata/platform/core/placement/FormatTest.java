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

    /** GPUs are written in the thousandths placement counts them in, exactly: 1.999 is not 2.00. */
    @Test
    void gpuCountsAreWrittenExactlyInThousandths() {
        assertThat(Format.gpuCount(0)).isEqualTo("0");
        assertThat(Format.gpuCount(1)).isEqualTo("0.001");
        assertThat(Format.gpuCount(1_500)).isEqualTo("1.5");
        assertThat(Format.gpuCount(1_999)).isEqualTo("1.999");
        assertThat(Format.gpuCount(2_000)).isEqualTo("2");
        assertThat(Format.gpuCount(160_000)).isEqualTo("160");
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

    /** Watts, bytes and any one-decimal value are written as %.1f writes them: edge cases and 200,000 random values. */
    @Test
    void oneDecimalWritesWhatTheFormatterWrites() {
        java.util.Random r = new java.util.Random(11);
        java.util.List<Double> values = new java.util.ArrayList<>(java.util.List.of(0.0, -0.0, 0.05, 0.15, 0.25, 0.35, 0.45, 1.45, 2.675, 9.95,
                99.95, 1.25, -1.25, -0.05, 4.575, 20.0, 1e-7, 123456789.95, Double.MIN_VALUE, 1e300, Double.NaN,
                Double.POSITIVE_INFINITY));
        for (int i = 0; i < 200_000; i++) {
            switch (i % 4) {
                case 0 -> values.add(r.nextDouble() * 100);
                case 1 -> values.add(Math.round(r.nextDouble() * 1_000_000) / 1000.0); // thousandths, as watts / 1000 are
                case 2 -> values.add((r.nextInt(2_000_000) + 0.5) / 100.0); // exactly on a half of the second decimal
                default -> values.add(r.nextLong() / (double) (1L << r.nextInt(60)) / 1024);
            }
        }
        for (double v : values) {
            String expected = String.format(Locale.ROOT, "%.1f", v);
            if (!expected.equals(Format.oneDecimal(v))) {
                assertThat(Format.oneDecimal(v)).as("%s", v).isEqualTo(expected);
            }
        }
        assertThat(Format.watts(4_575)).isEqualTo("4.6 kW");
        assertThat(Format.watts(999.6)).isEqualTo("1000 W");
        assertThat(Format.bytes(1_536L << 20)).isEqualTo("1.5 GiB");
    }
}
