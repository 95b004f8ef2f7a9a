package dev.strata.platform.audit;

import java.util.List;
import java.util.Map;

/**
 * The outcome of verifying a provenance log: whether the chain holds and what it covers, or the
 * first record (or checkpoint) that fails and why.
 *
 * @param holds whether every record and checkpoint verified
 * @param failedSeq the record that failed (its position in the log, from 1), or the record a
 *     failing checkpoint covers; 0 when nothing failed, or when the line that failed is neither a
 *     record nor a checkpoint (the header, a line that is not JSON)
 * @param failedAt where the failure is ({@code line 58}, {@code record 57}, for a line that is
 *     neither a record nor a checkpoint {@code line 12, after record 10}), or null
 * @param failure why, or null
 * @param records records read (verified ones, when it failed)
 * @param firstSeq the first record's seq (0 for none)
 * @param lastSeq the last verified record's seq
 * @param firstTime the first record's time, or null
 * @param lastTime the last verified record's time, or null
 * @param checkpoints checkpoints verified
 * @param signedThrough the highest record a verified checkpoint covers (0 for none)
 * @param signedAt when the last verified checkpoint was signed (for an export that holds, its last
 *     checkpoint: the log is complete as of then), or null for none. An export's header names a
 *     time too, but nothing signs it: an export cut short and closed with the last checkpoint of
 *     an earlier export holds, and only this time shows how old it is
 * @param keyIds the ids of the keys that signed the verified checkpoints
 * @param kinds records counted by kind: at most {@link ChainVerifier#MAX_KINDS} kinds by name (a
 *     kind longer than 64 characters by its first 64 and "..."), the records of any other kind as
 *     {@link ChainVerifier#OTHER_KINDS}
 */
public record Verification(boolean holds, long failedSeq, String failedAt, String failure, long records, long firstSeq, long lastSeq,
        String firstTime, String lastTime, long checkpoints, long signedThrough, String signedAt, List<String> keyIds, Map<String, Long> kinds) {

    /**
     * A verification that does not say when its last checkpoint was signed ({@code signedAt} null):
     * the constructor of version 1.0 of this package, kept for its callers.
     */
    public Verification(boolean holds, long failedSeq, String failedAt, String failure, long records, long firstSeq, long lastSeq,
            String firstTime, String lastTime, long checkpoints, long signedThrough, List<String> keyIds, Map<String, Long> kinds) {
        this(holds, failedSeq, failedAt, failure, records, firstSeq, lastSeq, firstTime, lastTime, checkpoints, signedThrough, null, keyIds,
                kinds);
    }

    public Verification {
        keyIds = List.copyOf(keyIds);
        kinds = Map.copyOf(kinds);
        failedAt = printable(failedAt);
        failure = printable(failure);
    }

    /**
     * The text with every character that could act on a terminal or reorder what it shows written
     * as &#92;uXXXX escapes: control characters (ESC, CR, ...), format characters (bidirectional
     * overrides, zero-width ones), line and paragraph separators and lone surrogates. A failure
     * message quotes what the verified file holds (a key id, a log id, a member name, the text
     * where the JSON broke), and a hostile file must not be able to overwrite or hide the verdict
     * printed around it ({@code \r} and {@code RESULT: the chain holds} in a checkpoint's key id).
     *
     * @return the text, or null for null
     */
    public static String printable(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
            int cp = pair ? text.codePointAt(i) : c;
            int type = Character.getType(cp);
            boolean unsafe = type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE;
            if (unsafe && sb == null) {
                sb = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (unsafe) {
                for (char u : Character.toChars(cp)) {
                    sb.append(String.format("\\u%04x", (int) u));
                }
            } else if (sb != null) {
                sb.appendCodePoint(cp);
            }
            if (pair) {
                i++;
            }
        }
        return sb == null ? text : sb.toString();
    }

    /** The most characters of a text from the verified file that a message or the report quotes. */
    static final int QUOTED_CHARS = 200;

    /**
     * A text from the verified file as a message quotes it: at most {@link #QUOTED_CHARS}
     * characters, a longer one cut there with {@code ...} and its length ({@code ... (10485760
     * characters)}), since a hostile file's log id or key id may be a line of megabytes.
     *
     * @return the text, or null for null
     */
    static String quoted(String text) {
        if (text == null || text.length() <= QUOTED_CHARS) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(QUOTED_CHARS - 1)) ? QUOTED_CHARS - 1 : QUOTED_CHARS;
        return text.substring(0, end) + "... (" + text.length() + " characters)";
    }

    /** Records after the last verified checkpoint: chained, but not (yet) signed. */
    public long unsignedTail() {
        return Math.max(0, lastSeq - signedThrough);
    }

    /** One line: {@code the chain holds: ...} or {@code FAILED at ...: ...}. */
    public String summary() {
        if (holds) {
            long tail = unsignedTail();
            return "the chain holds: " + count(records, "record") + (records == 0 ? "" : " (" + firstSeq + ".." + lastSeq + ")") + ", "
                    + count(checkpoints, "signed checkpoint") + " verified, signed through record " + signedThrough
                    + (tail == 1 ? "; 1 later record is chained but not yet signed"
                            : tail > 1 ? "; " + tail + " later records are chained but not yet signed" : "");
        }
        return "FAILED at " + failedAt + ": " + failure;
    }

    private static String count(long n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
