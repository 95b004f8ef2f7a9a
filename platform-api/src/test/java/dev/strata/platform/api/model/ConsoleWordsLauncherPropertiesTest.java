package dev.strata.platform.api.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * {@link ConsoleWords#quoted} against {@code bin/strata}'s {@code karaf_word}, which writes the
 * words of the command {@code bin/strata shell} gives to Karaf's shell by the same rule: the
 * function is taken from the launcher as it is (with {@code sed}, not copied) and run by a real
 * {@code /bin/sh} for generated words holding quotes, backslashes, {@code $}, {@code ;}, {@code |},
 * blanks, control characters, letters beyond ASCII (one written as two UTF-16 chars among them) and
 * none at all. Each is written exactly as the Java helper writes it, but for a plain word, which
 * {@code karaf_word} quotes and the helper leaves bare. Words with a line break after their first
 * {@code '} or {@code \} are left out: neither can write one (the launcher refuses such an
 * argument, a tenant id holds none).
 */
@AddLifecycleHook(ConsoleWordsLauncherPropertiesTest.SkipWithoutSh.class)
class ConsoleWordsLauncherPropertiesTest {

    private static final Path LAUNCHER = Path.of("../distribution/src/main/resources/assembly/bin/strata");
    private static final Path SH = Path.of("/bin/sh");

    /**
     * Reads one word a line, each of its UTF-8 bytes written as an octal escape (a word may hold a
     * line break, and a command substitution would drop a trailing one, hence the x), and prints
     * what karaf_word writes for it, then a NUL.
     */
    private static final String SCRIPT = """
            fn=$(sed -n '/^karaf_word() {$/,/^}$/p' "$1")
            [ -n "$fn" ] || { echo "$1 defines no karaf_word() { ... } function" >&2; exit 3; }
            eval "$fn"
            while IFS= read -r line; do
              w=$(printf "$line"; printf x)
              karaf_word "${w%x}"
              printf '\\000'
            done
            """;

    private static final String PLAIN = "[A-Za-z0-9._/:@+-]+";

    /** Skips the comparison, saying why, where there is no {@code /bin/sh} to run the launcher's function. */
    static final class SkipWithoutSh implements SkipExecutionHook {
        @Override
        public SkipResult shouldBeSkipped(LifecycleContext context) {
            return Files.isExecutable(SH) ? SkipResult.doNotSkip()
                    : SkipResult.skip("no executable " + SH + " here, so bin/strata's karaf_word cannot be run against ConsoleWords.quoted");
        }
    }

    @Property(tries = 20)
    void theLauncherWritesEachWordAsTheHelperDoesQuotingAPlainWordToo(@ForAll("wordLists") List<String> words) throws Exception {
        List<String> written = karafWord(words);

        assertThat(written).hasSameSizeAs(words);
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            if (word.matches(PLAIN)) {
                assertThat(ConsoleWords.quoted(word)).as("a plain word, %s", shown(word)).isEqualTo(word);
                assertThat(written.get(i)).as("karaf_word for the plain word %s", shown(word)).isEqualTo("'" + word + "'");
            } else {
                assertThat(written.get(i)).as("karaf_word for %s", shown(word)).isEqualTo(ConsoleWords.quoted(word));
            }
        }
    }

    @Provide
    Arbitrary<List<String>> wordLists() {
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.chars().range(' ', '~').map(String::valueOf),
                Arbitraries.of("'", "\\", "$", ";", "|", " ", "\t", "\"", "`", "&", "*", "?", "[", "]", "{", "}", "(", ")", "<", ">",
                        "#", "~", "!", "%", "=", ",", "^", "\n", "\r", "\u0001", "\u001b", "\u007f"),
                Arbitraries.of("\u00e9", "\u00fc", "\u00a0", "\u0080", "\u0085", "\u00ff", "\u4e2d", "\u2028", "\u202e",
                        "\ud83d\ude00"));
        Arbitrary<String> any = piece.list().ofMaxSize(40).map(p -> String.join("", p));
        Arbitrary<String> plain = Arbitraries.strings().withCharRange('a', 'z').withChars("ABZ0189._/:@+-").ofMinLength(1).ofMaxLength(20);
        Arbitrary<String> word = Arbitraries.frequencyOf(Tuple.of(4, any), Tuple.of(1, plain))
                .filter(ConsoleWordsLauncherPropertiesTest::noLineBreakAfterTheCut);
        return word.list().ofMinSize(1).ofMaxSize(50);
    }

    /** The word with its code points, which shows a control character the word alone hides. */
    private static String shown(String word) {
        return word + " " + word.codePoints().mapToObj(c -> String.format("U+%04X", c)).toList();
    }

    private static boolean noLineBreakAfterTheCut(String word) {
        int quote = word.indexOf('\'');
        int backslash = word.indexOf('\\');
        int cut = quote < 0 ? backslash : backslash < 0 ? quote : Math.min(quote, backslash);
        return cut < 0 || word.indexOf('\n', cut) < 0;
    }

    /** What the launcher's karaf_word writes for each word, run by /bin/sh. */
    private static List<String> karafWord(List<String> words) throws IOException, InterruptedException {
        assertThat(LAUNCHER).as("the launcher, whose karaf_word is compared").isRegularFile();
        StringBuilder input = new StringBuilder();
        for (String w : words) {
            for (byte b : w.getBytes(StandardCharsets.UTF_8)) {
                input.append(String.format("\\%03o", b & 0xff));
            }
            input.append('\n');
        }
        Path in = Files.createTempFile("karaf-word-in", ".txt");
        Path out = Files.createTempFile("karaf-word-out", ".txt");
        Path err = Files.createTempFile("karaf-word-err", ".txt");
        try {
            Files.writeString(in, input, StandardCharsets.US_ASCII);
            Process p = new ProcessBuilder(SH.toString(), "-c", SCRIPT, "sh", LAUNCHER.toString())
                    .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("/bin/sh running karaf_word did not end within 60 s");
            }
            assertThat(p.exitValue()).as("/bin/sh's exit status; it wrote: %s", Files.readString(err)).isZero();
            String written = new String(Files.readAllBytes(out), StandardCharsets.UTF_8);
            assertThat(written).as("karaf_word's output, each word ended by a NUL").endsWith("\0");
            return new ArrayList<>(Arrays.asList(written.substring(0, written.length() - 1).split("\0", -1)));
        } finally {
            Files.delete(in);
            Files.delete(out);
            Files.delete(err);
        }
    }
}
