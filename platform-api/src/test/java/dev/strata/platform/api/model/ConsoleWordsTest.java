package dev.strata.platform.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link ConsoleWords#quoted}'s documented examples; ConsoleWordsLauncherPropertiesTest holds it to bin/strata's karaf_word. */
class ConsoleWordsTest {

    @Test
    void aPlainWordIsWrittenAsItIs() {
        for (String plain : java.util.List.of("bank-risk", "-ops", "--remove", "a.b_c/d:e@f+g", "0")) {
            assertThat(ConsoleWords.quoted(plain)).isEqualTo(plain);
        }
    }

    @Test
    void anyOtherWordIsSingleQuotedUpToItsFirstQuoteOrBackslashAndEscapedFromThere() {
        assertThat(ConsoleWords.quoted("it's x")).isEqualTo("'it'\\'s\\ x");
        assertThat(ConsoleWords.quoted("a\\b")).isEqualTo("'a'\\\\b");
        assertThat(ConsoleWords.quoted("team$a")).isEqualTo("'team$a'");
        assertThat(ConsoleWords.quoted("")).isEqualTo("''");
        assertThat(ConsoleWords.quoted("o'brien $x")).isEqualTo("'o'\\'brien\\ \\$x");
        assertThat(ConsoleWords.quoted("acme, inc")).isEqualTo("'acme, inc'");
        assertThat(ConsoleWords.quoted("'")).isEqualTo("''\\'");
    }

    /** Only ASCII is escaped after the cut: a letter beyond it is no special character to Gogo or sh. */
    @Test
    void nonAsciiAfterTheFirstQuoteIsLeftAsItIs() {
        assertThat(ConsoleWords.quoted("\u00e9t\u00e9 o'\u00e9 \u4e2d")).isEqualTo("'\u00e9t\u00e9 o'\\'\u00e9\\ \u4e2d");
    }

    @Test
    void aNullWordIsRefusedNamingIt() {
        assertThatThrownBy(() -> ConsoleWords.quoted(null)).isInstanceOf(NullPointerException.class).hasMessage("word must not be null");
    }
}
