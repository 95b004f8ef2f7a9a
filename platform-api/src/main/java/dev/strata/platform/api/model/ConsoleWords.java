package dev.strata.platform.api.model;

import java.util.Objects;

/**
 * How a word is written into a command that a message shows to be typed in Strata's shell, so that
 * Karaf's shell reads it back whole: at the console and in a command given to {@code bin/client} or
 * {@code ssh}. The core (the retired quota file's {@code strata:quota} commands) and the shell (the
 * commands its messages suggest) write words the same way, and {@code bin/strata shell} writes each
 * argument so too.
 */
public final class ConsoleWords {

    private ConsoleWords() {
    }

    /**
     * {@code word} as Karaf's shell reads it back whole. Karaf reads a command given to
     * {@code bin/client} or {@code ssh} twice: its own parser splits it into words and joins them
     * again with spaces, then Gogo's reads that (the console reads with Gogo's alone). Karaf's parser
     * eats the character after a quoted part that does not start the word, so
     * {@code 'o'\''brien' gpus=4} reached strata:quota as {@code o'brien}, {@code gpus}, {@code =},
     * {@code 4}. A plain word (letters, digits and {@code ._/:@+-}) is written as it is; any other,
     * the empty word included, is one quoted part, then the rest escaped: the word up to its first
     * {@code '} or {@code \} in single quotes, where Gogo expands nothing (in double quotes
     * {@code team$a} is read as {@code team}), and from there each ASCII character but letters and
     * digits behind a {@code \}, which Gogo takes away again: {@code it's x} is
     * {@code 'it'\'s\ x}, {@code a\b} is {@code 'a'\\b}, {@code team$a} is {@code 'team$a'},
     * {@code ""} is {@code ''}. {@code sh} reads such a word back whole too.
     *
     * <p>{@code bin/strata}'s {@code karaf_word} writes a word the same way, but quotes a plain word
     * as well ({@code 'bank-risk'}), which reads back the same. A line break after the first
     * {@code '} or {@code \} cannot be written so that it is read back (escaped, it joins two lines):
     * callers keep such words out (a tenant id holds no control characters; {@code bin/strata}
     * refuses such an argument).
     *
     * @throws NullPointerException for a null word
     */
    public static String quoted(String word) {
        Objects.requireNonNull(word, "word must not be null");
        if (word.matches("[A-Za-z0-9._/:@+-]+")) {
            return word;
        }
        int cut = 0;
        while (cut < word.length() && word.charAt(cut) != '\'' && word.charAt(cut) != '\\') {
            cut++;
        }
        StringBuilder b = new StringBuilder(word.length() + 8).append('\'').append(word, 0, cut).append('\'');
        for (int i = cut; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c < 128 && !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9')) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
