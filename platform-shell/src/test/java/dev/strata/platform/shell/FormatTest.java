package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How the shell shows a size: one decimal in the largest binary unit that keeps the number under 1024. */
class FormatTest {

    @Test
    void aSizeJustUnderAUnitIsShownInThatUnitNotAs1024OfTheOneBelow() {
        assertThat(Format.bytes((1L << 40) - 1)).isEqualTo("1.0 TiB");
        assertThat(Format.bytes((1L << 30) - (1L << 20) / 100)).isEqualTo("1.0 GiB");
        assertThat(Format.bytes(1023L << 30)).isEqualTo("1023.0 GiB");
        assertThat(Format.bytes((1023L << 30) + (90L << 20))).as("1023.09 GiB").isEqualTo("1023.1 GiB");
        assertThat(Format.bytes(1023)).as("bytes are whole").isEqualTo("1023 B");
        assertThat(Format.bytes(1024)).isEqualTo("1.0 KiB");
        assertThat(Format.bytes(Long.MAX_VALUE)).isEqualTo("8192.0 PiB");
    }

    @Test
    void aPowerBelowAKilowattIsShownInWattsNotAsNoneAndNoneAsADash() {
        assertThat(Format.watts(0)).isEqualTo("-");
        assertThat(Format.watts(-1)).isEqualTo("-");
        assertThat(Format.watts(Double.NaN)).isEqualTo("-");
        assertThat(Format.watts(12.5)).isEqualTo("12.5 W");
        assertThat(Format.watts(40)).as("0.0 kW before").isEqualTo("40.0 W");
        assertThat(Format.watts(350)).isEqualTo("350 W");
        assertThat(Format.watts(999.6)).isEqualTo("1.0 kW");
        assertThat(Format.watts(10_200)).isEqualTo("10.2 kW");
    }

    @Test
    void powerLimitsThatAreNotKnownAreNotShownAsZeroWatts() {
        assertThat(Format.powerLimits(0, 0, 0, 0)).as("0-0 W before").isEqualTo("not reported");
        assertThat(Format.powerLimits(300, 0, 0, 0)).isEqualTo("300 W enforced, default -, range - to -");
        assertThat(Format.powerLimits(700, 700, 200, 700)).isEqualTo("700 W enforced, default 700 W, range 200 W to 700 W");
    }

    @Test
    void aShareOfAGpuIsShownToATenthOfAPercentAsPlacementCountsIt() {
        assertThat(Format.share(1)).isEqualTo("100%");
        assertThat(Format.share(0.001)).as("0% before").isEqualTo("0.1%");
        assertThat(Format.share(0.125)).as("13% before").isEqualTo("12.5%");
        assertThat(Format.share(1.0 / 7)).isEqualTo("14.3%");
        assertThat(Format.share(0.25)).isEqualTo("25%");
    }
}
