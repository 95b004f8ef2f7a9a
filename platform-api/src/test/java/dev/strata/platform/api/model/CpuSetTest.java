package dev.strata.platform.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CpuSetTest {

    @Test
    void parsesAndPrintsCpuLists() {
        CpuSet set = CpuSet.parseList("0-3,8,10-11\n");
        assertThat(set.toArray()).containsExactly(0, 1, 2, 3, 8, 10, 11);
        assertThat(set).hasToString("0-3,8,10-11");
        assertThat(CpuSet.parseList("0-7:2")).hasToString("0,2,4,6");
        // the kernel's groups: the first 2 of every 4, the last group cut at the range's end
        assertThat(CpuSet.parseList("0-9:2/4")).hasToString("0-1,4-5,8-9");
        assertThat(CpuSet.parseList("3-12:3/5")).hasToString("3-5,8-10");
        assertThat(CpuSet.parseList("0-3:4/4")).hasToString("0-3");
        assertThat(CpuSet.parseList("")).isEqualTo(CpuSet.EMPTY);
    }

    @Test
    void parsesCpuMasksWordByWord() {
        assertThat(CpuSet.parseMask("00000000,0000ff00").toArray()).containsExactly(8, 9, 10, 11, 12, 13, 14, 15);
        assertThat(CpuSet.parseMask("00000001,00000000").toArray()).containsExactly(32);
        assertThat(CpuSet.parseMask("0x00000003")).isEqualTo(CpuSet.of(0, 1));
        assertThat(CpuSet.parseMask("00000000")).isEqualTo(CpuSet.EMPTY);
    }

    /**
     * A 16-digit word (as tools other than sysfs write a 64-bit mask) with its top bit set is CPU 63
     * of that word. Before, the word was parsed as a signed long, which it overflowed, and the whole
     * mask was refused as not hexadecimal.
     */
    @Test
    void aSixteenDigitWordWithItsTopBitSetIsParsed() {
        assertThat(CpuSet.parseMask("8000000000000001").toArray()).containsExactly(0, 63);
        assertThat(CpuSet.parseMask("ffffffffffffffff").size()).isEqualTo(64);
        assertThat(CpuSet.parseMask("8000000000000000,0000000000000000").toArray()).containsExactly(127);
    }

    @Test
    void rejectsMalformedInputNamingTheElement() {
        assertThatThrownBy(() -> CpuSet.parseList("0-3,x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x'");
        assertThatThrownBy(() -> CpuSet.parseList("5-2")).hasMessageContaining("'5-2'");
        // numbers past any machine's CPUs are refused before anything is allocated, the int's last value included (it wrapped)
        assertThatThrownBy(() -> CpuSet.parseList("2147483647")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CPUs 0 to 1048575");
        assertThatThrownBy(() -> CpuSet.parseList("0-2000000000")).isInstanceOf(IllegalArgumentException.class);
        assertThat(CpuSet.parseList("1048575").toArray()).containsExactly(1048575);
        assertThatThrownBy(() -> CpuSet.parseList("0-7:0")).hasMessageContaining("'0-7:0'");
        assertThatThrownBy(() -> CpuSet.parseList("0-7:3/2")).hasMessageContaining("'0-7:3/2'");
        assertThatThrownBy(() -> CpuSet.parseList("4:1/2")).hasMessageContaining("'4:1/2'");
        assertThatThrownBy(() -> CpuSet.parseMask("zz")).hasMessageContaining("'zz'");
    }

    /**
     * A refusal shows the element and the text with their control and format characters escaped, as
     * the model's other refusals do (ModelChecksTest.aRefusalShowsTheProvidersTextEscaped). Before,
     * they were shown as read: a line break or terminal escape in a file forged a log line.
     */
    @Test
    void aRefusalShowsTheTextEscaped() {
        assertThatThrownBy(() -> CpuSet.parseList("0-3,x\u001b[2J"))
                .hasMessage("cpulist element 'x\\u001b[2J' in '0-3,x\\u001b[2J' is not a CPU number or range of CPUs 0 to 1048575;"
                        + " expected e.g. 0-3,8 (or 0-15:2, 0-1023:2/256)");
        assertThatThrownBy(() -> CpuSet.parseMask("ff\u202e,00000000"))
                .hasMessage("cpumask word 'ff\\u202e' in 'ff\\u202e,00000000' is not hexadecimal; expected e.g. 0000ffff,00000000 "
                        + "(or hwloc's 0x0000ffff,0x0)");
    }

    /**
     * hwloc writes a cpuset with {@code 0x} before every 32-bit word ({@code complete_cpuset="0x00000011,0x11111111"}
     * in its XML captures, 16amd64-8n2c-cpusets among them); only a {@code 0x} before the whole text was taken,
     * and the second word {@code 0x11111111} was refused as not hexadecimal. Both forms are read, sysfs's without
     * {@code 0x} as before.
     */
    @Test
    void hwlocsMaskWithZeroXBeforeEveryWordIsReadAsSysfssIs() {
        assertThat(CpuSet.parseMask("0x00000011,0x11111111")).isEqualTo(CpuSet.parseMask("00000011,11111111"))
                .isEqualTo(CpuSet.parseList("0,4,8,12,16,20,24,28,32,36"));
        assertThat(CpuSet.parseMask("0x00000001,0x0").toArray()).containsExactly(32);
        assertThat(CpuSet.parseMask("0x000000ff,0xffffffff")).isEqualTo(CpuSet.parseList("0-39"));
        assertThat(CpuSet.parseMask("0X00000002,0X00000000").toArray()).containsExactly(33);
        assertThatThrownBy(() -> CpuSet.parseMask("0x00000001,0xzz")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cpumask word '0xzz' in '0x00000001,0xzz' is not hexadecimal; expected e.g. 0000ffff,00000000 "
                        + "(or hwloc's 0x0000ffff,0x0)");
    }

    /**
     * A cpumask of many words (a garbled or hostile file) made a set of as many CPUs as its words
     * held, unbounded: a mask setting a CPU above the highest number a cpulist may name
     * (1048575) is refused, naming the word, the text (shortened) and what is expected.
     */
    @Test
    void aMaskSettingACpuAboveTheHighestNumberIsRefused() {
        String top = "80000000" + ",00000000".repeat(32767);
        assertThat(CpuSet.parseMask(top).toArray()).containsExactly(1048575);
        String above = "00000001" + ",00000000".repeat(32768);
        assertThatThrownBy(() -> CpuSet.parseMask(above)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cpumask word '00000001' in '" + above.substring(0, 56) + "..." + above.substring(above.length() - 56) + "' ("
                        + above.length() + " characters) sets CPU 1048576; expected CPUs 0 to 1048575 (far above Linux's largest NR_CPUS, "
                        + "8192), at most 32768 words of 32 bits");
        assertThatThrownBy(() -> CpuSet.parseMask("0x1" + ",0x0".repeat(40000))).hasMessageContaining("sets CPU 1280000");
        assertThat(CpuSet.parseMask("00000000," + "00000000,".repeat(40000) + "00000001").toArray()).as("zero words set no CPU")
                .containsExactly(0);
    }

    @Test
    void setAlgebra() {
        CpuSet a = CpuSet.parseList("0-3");
        CpuSet b = CpuSet.parseList("2-5");
        assertThat(a.union(b)).hasToString("0-5");
        assertThat(a.intersection(b)).hasToString("2-3");
        assertThat(a.minus(b)).hasToString("0-1");
        assertThat(a.containsAll(CpuSet.of(1, 2))).isTrue();
        assertThat(a.containsAll(b)).isFalse();
        assertThat(a.intersects(b)).isTrue();
    }
}
