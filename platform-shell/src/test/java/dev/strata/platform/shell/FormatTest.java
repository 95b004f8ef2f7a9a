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
}
