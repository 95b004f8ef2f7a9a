package dev.strata.platform.audit;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The export file of a provenance log: UTF-8 JSON lines, each one object with one member:
 * <pre>
 * {"header":{"exportedAt":"...","exportedBy":"...","format":"strata-provenance/1","log":"..."}}
 * {"record":{...}}                    every record, in order
 * {"checkpoint":{...}}                after the record it covers
 * {"checkpoint":{...,"last":true}}    the last line: signed at export, covers the last record
 * </pre>
 * Lines are in RFC 8785 form, and the verifier refuses a record or checkpoint line that is not
 * (hashes and signatures cover values, so only the form shows a line edited to read the same).
 * Line ends may be LF or CRLF, and a UTF-8 byte order mark is ignored: both are what a transfer
 * adds. A blank line (or one of only whitespace) is refused as an edit: Strata writes none; the
 * newline that ends the last line is part of that line. The header is informational and not
 * signed, and holds the four fields above only: the log id it names is bound by the first
 * record's {@code prev} and by every signed checkpoint; its time is not (the last checkpoint's
 * signed time is {@link Verification#signedAt()}).
 */
public final class ExportFile {

    /** The format name in the header. */
    public static final String FORMAT = "strata-provenance/1";

    private ExportFile() {
    }

    /**
     * The header line.
     *
     * @param format {@link #FORMAT}
     * @param log the log's id
     * @param exportedAt when
     * @param exportedBy which Strata instance
     */
    public record Header(String format, String log, String exportedAt, String exportedBy) {
        public Header {
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(log, "log");
        }

        Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("format", format);
            json.put("log", log);
            json.put("exportedAt", exportedAt == null ? "" : exportedAt);
            json.put("exportedBy", exportedBy == null ? "" : exportedBy);
            return json;
        }
    }

    /** Writes an export, line by line. Not thread-safe. */
    public static final class Writer implements Closeable {
        private final BufferedWriter out;

        public Writer(BufferedWriter out, Header header) throws IOException {
            this.out = out;
            line("header", header.toJson());
        }

        public void record(LogRecord r) throws IOException {
            line("record", r.toJson());
        }

        public void checkpoint(Checkpoint c) throws IOException {
            line("checkpoint", c.toJson());
        }

        private void line(String type, Map<String, Object> json) throws IOException {
            out.write(Jcs.canonicalize(Map.of(type, json)));
            out.write('\n');
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /**
     * Verifies an export file: the header, every record and checkpoint in order, and the last
     * checkpoint that must end it.
     *
     * @param trustedKeys public keys checkpoints may be signed with
     * @param anchors checkpoints kept apart from the file (may be empty)
     * @return the verification and the header's log id
     * @throws IOException when the file cannot be read
     */
    public static Result verify(Path file, Collection<PublicKey> trustedKeys, Collection<Checkpoint> anchors) throws IOException {
        return verify(file, trustedKeys, anchors, Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors())));
    }

    /**
     * One line, parsed and its hash (or signature) checked by a worker; consumed in order. A line
     * that fails to parse ({@code error}) says what it is ({@code line}, null for neither a record
     * nor a checkpoint line), and a checkpoint line the record it names (0 when its seq cannot be read).
     */
    private record Parsed(String where, LogRecord record, String hash, Checkpoint checkpoint, String error, String notCanonical,
            LineKind line, long named) {
        Parsed(String where, LogRecord record, String hash, Checkpoint checkpoint, String notCanonical) {
            this(where, record, hash, checkpoint, null, notCanonical, null, 0);
        }

        static Parsed error(String where, LineKind line, long named, String error) {
            return new Parsed(where, null, null, null, error, null, line, named);
        }
    }

    /** What a line of an export is, by its one member. */
    private enum LineKind {
        RECORD, CHECKPOINT
    }

    private static final int CHUNK = 2048;

    /**
     * The most characters of lines a chunk takes (after the line that passes it, none), and the
     * most all chunks in flight hold: 2,048 records of an export are about 1.2 million characters,
     * so these bound only a file of huge lines, which would otherwise be read whole into memory,
     * 2,048 lines a chunk.
     */
    private static final int CHUNK_CHARS = 4 << 20;

    private static final int IN_FLIGHT_CHARS = 32 << 20;

    /** Stands for a line that is not UTF-8 (compared by identity): reading stops there, and the line fails in its turn. */
    private static final String NOT_UTF8 = new String("(not UTF-8)");

    private static final String NOT_UTF8_MESSAGE = "the line is not UTF-8 text (it holds a byte sequence UTF-8 does not allow); "
            + "an export is written in UTF-8, so the file was altered or converted to another encoding";

    /** Stands for a line longer than {@link #MAX_LINE} bytes (compared by identity), as {@link #NOT_UTF8}. */
    private static final String TOO_LONG = new String("(too long)");

    /** The longest line read: far above any record Strata writes, far below what exhausts a verifier's memory. */
    static final int MAX_LINE = 16 << 20;

    private static final String TOO_LONG_MESSAGE = "the line is longer than " + (MAX_LINE >> 20) + " MiB; a record of an export is "
            + "a few KiB, so the file was altered (or is not an export)";

    /**
     * Reads lines of UTF-8, each decoded on its own, so that bytes UTF-8 does not allow are
     * reported on their own line (a {@code BufferedReader} decodes ahead and fails a line or more
     * early), and a line without end cannot exhaust memory. A line ends at LF; a CR before it is
     * dropped.
     */
    private static final class Lines implements Closeable {
        private final java.io.InputStream in;
        private final byte[] buffer = new byte[1 << 16];
        private int pos;
        private int limit;
        private byte[] line = new byte[8192];

        Lines(Path file) throws IOException {
            in = Files.newInputStream(file);
        }

        /** The next line, {@link #NOT_UTF8} or {@link #TOO_LONG} for one that cannot be read, or null at the end. */
        String next() throws IOException {
            int n = 0;
            boolean tooLong = false;
            boolean ended = false;
            while (!ended) {
                if (pos == limit) {
                    limit = Math.max(0, in.read(buffer));
                    pos = 0;
                    if (limit == 0) {
                        if (n == 0 && !tooLong) {
                            return null;
                        }
                        break;
                    }
                }
                int end = pos;
                while (end < limit && buffer[end] != '\n') {
                    end++;
                }
                ended = end < limit;
                int length = end - pos;
                if (tooLong || length > MAX_LINE - n) {
                    tooLong = true;
                } else {
                    if (n + length > line.length) {
                        line = java.util.Arrays.copyOf(line, Math.max(n + length, Math.min(MAX_LINE, line.length * 2)));
                    }
                    System.arraycopy(buffer, pos, line, n, length);
                    n += length;
                }
                pos = ended ? end + 1 : end;
            }
            if (tooLong) {
                return TOO_LONG;
            }
            if (n > 0 && line[n - 1] == '\r') {
                n--;
            }
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(line, 0, n)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                return NOT_UTF8;
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static final String BLANK_MESSAGE = "the line is blank (it holds only whitespace); Strata writes no blank lines, "
            + "so the file was edited after export";

    /**
     * Whether a line is empty or holds only whitespace, Unicode's included (a no-break space, an
     * ideographic space). The newline that ends the file's last line makes no line.
     */
    static boolean blank(String line) {
        return line.codePoints().allMatch(c -> Character.isWhitespace(c) || Character.isSpaceChar(c));
    }

    /** The message for a line that could not be read, or null for a line of text. */
    private static String unreadable(String line) {
        return line == NOT_UTF8 ? NOT_UTF8_MESSAGE : line == TOO_LONG ? TOO_LONG_MESSAGE : null;
    }

    /**
     * As {@link #verify(Path, Collection, Collection)}, with {@code threads} workers parsing lines,
     * recomputing record hashes and checking signatures; the chain itself is checked in order.
     */
    public static Result verify(Path file, Collection<PublicKey> trustedKeys, Collection<Checkpoint> anchors, int threads) throws IOException {
        try (Lines in = new Lines(file)) {
            Header header;
            try {
                header = header(in.next());
            } catch (IllegalArgumentException e) {
                ChainVerifier v = new ChainVerifier("", trustedKeys, List.of());
                return new Result(null, failed(v, "line 1", e.getMessage()));
            }
            ChainVerifier v = new ChainVerifier(header.log(), trustedKeys, anchors);
            if (!v.ok()) {
                return new Result(header, v.finish(true));
            }
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "strata-audit-verify");
                t.setDaemon(true);
                return t;
            });
            try {
                java.util.ArrayDeque<java.util.concurrent.Future<List<Parsed>>> inFlight = new java.util.ArrayDeque<>();
                java.util.ArrayDeque<Long> inFlightSizes = new java.util.ArrayDeque<>();
                long inFlightChars = 0;
                // a checkpoint failed for covering records not read yet: the next line says whether they are missing or follow it
                boolean ahead = false;
                long n = 1;
                boolean eof = false;
                while (true) {
                    while (!eof && inFlight.size() < threads * 2 && (inFlight.isEmpty() || inFlightChars < IN_FLIGHT_CHARS)) {
                        List<String> lines = new ArrayList<>(CHUNK);
                        long firstLine = n + 1;
                        long chars = 0;
                        String line = null;
                        while (lines.size() < CHUNK && chars < CHUNK_CHARS && (line = in.next()) != null) {
                            lines.add(line);
                            chars += line.length();
                            if (unreadable(line) != null) {
                                break;
                            }
                        }
                        n += lines.size();
                        eof = line == null || unreadable(line) != null;
                        if (!lines.isEmpty()) {
                            inFlight.add(pool.submit(() -> parse(lines, firstLine, v)));
                            inFlightSizes.add(chars);
                            inFlightChars += chars;
                        }
                    }
                    java.util.concurrent.Future<List<Parsed>> next = inFlight.poll();
                    if (next == null) {
                        break;
                    }
                    inFlightChars -= inFlightSizes.poll();
                    List<Parsed> parsed;
                    try {
                        parsed = next.get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new IllegalStateException("verifier worker failed", e.getCause());
                    }
                    for (Parsed p : parsed) {
                        if (ahead) {
                            if (p.error() == null && p.record() != null) {
                                v.nextRecord(p.record().seq());
                            }
                            return new Result(header, v.finish(true));
                        }
                        if (p.error() != null) {
                            return new Result(header, failed(v, p));
                        }
                        boolean ok = p.record() != null ? v.record(p.record(), p.hash(), p.where()) : v.checkpoint(p.checkpoint(), p.where());
                        if (ok && p.notCanonical() != null) {
                            // values that hold, written otherwise: reported after what the values themselves fail
                            v.reject(p.record() != null ? p.record().seq() : p.checkpoint().seq(), p.where(), p.notCanonical());
                        }
                        if (!v.ok()) {
                            if (p.checkpoint() != null && v.failedAhead()) {
                                ahead = true;
                                continue;
                            }
                            return new Result(header, v.finish(true));
                        }
                    }
                }
                return new Result(header, v.finish(true));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** Parses lines and does the work that needs no order: record hashes, checkpoint signatures (remembered by Checkpoint). */
    @SuppressWarnings("unchecked")
    private static List<Parsed> parse(List<String> lines, long firstLine, ChainVerifier v) {
        List<Parsed> out = new ArrayList<>(lines.size());
        long n = firstLine;
        for (String line : lines) {
            String where = "line " + n++;
            if (unreadable(line) != null) {
                out.add(Parsed.error(where, null, 0, unreadable(line)));
                return out;
            }
            if (blank(line)) {
                out.add(Parsed.error(where, null, 0, BLANK_MESSAGE));
                return out;
            }
            Map<String, Object> json;
            try {
                json = Json.parseObjectExactly(line);
            } catch (IllegalArgumentException e) {
                out.add(Parsed.error(where, null, 0, e.getMessage()));
                return out;
            }
            LineKind kind = json.size() != 1 ? null : json.containsKey("record") ? LineKind.RECORD
                    : json.containsKey("checkpoint") ? LineKind.CHECKPOINT : null;
            try {
                if (kind == LineKind.RECORD && json.get("record") instanceof Map<?, ?> r) {
                    LogRecord record = LogRecord.fromJson((Map<String, Object>) r);
                    String body;
                    try {
                        body = Jcs.canonicalize(record.body());
                    } catch (IllegalArgumentException e) {
                        out.add(new Parsed(where, record, null, null, null)); // the verifier reports it in order
                        continue;
                    }
                    String hash = Hashes.sha256(body.getBytes(StandardCharsets.UTF_8));
                    String edited = notCanonical(line, recordLine(body, record.actor(), record.hash()));
                    // hashed: the chain needs no more of it, and a parsed payload (boxed numbers, maps) is many times its text,
                    // kept for every record parsed ahead
                    LogRecord chained = new LogRecord(record.seq(), record.time(), record.kind(), record.actor(), Map.of(), Map.of(),
                            record.prev(), record.hash());
                    out.add(new Parsed(where, chained, hash, null, edited));
                } else if (kind == LineKind.CHECKPOINT && json.get("checkpoint") instanceof Map<?, ?> c) {
                    Checkpoint checkpoint = Checkpoint.fromJson((Map<String, Object>) c);
                    PublicKey key = v.trustedKey(checkpoint.keyId());
                    if (key != null) {
                        checkpoint.verifies(key); // remembered when valid; the in-order check then costs nothing
                    }
                    String canonical;
                    try {
                        canonical = Jcs.canonicalize(json);
                    } catch (IllegalArgumentException e) {
                        canonical = line; // nothing in a checkpoint that parsed lacks a canonical form
                    }
                    out.add(new Parsed(where, null, null, checkpoint, notCanonical(line, canonical)));
                } else {
                    out.add(Parsed.error(where, kind, 0, "expected a {\"record\":...} or {\"checkpoint\":...} line"));
                    return out;
                }
            } catch (IllegalArgumentException e) {
                out.add(Parsed.error(where, kind, kind == LineKind.CHECKPOINT ? namedSeq(json.get("checkpoint")) : 0, e.getMessage()));
                return out;
            }
        }
        return out;
    }

    /**
     * Why a record or checkpoint line is not the RFC 8785 form of what it holds, or null when it is.
     * Strata writes every such line canonically, and the hash and the signature cover the values,
     * not the text: {@code 1} and {@code 1.0000000000000001} are one double (a whole
     * number beyond 2^53 that no double holds is read exactly, and refused as it is from the writer). A line written otherwise was
     * edited, and an auditor reading it could see a number other than the one signed.
     */
    static String notCanonical(String line, String canonical) {
        if (canonical.equals(line)) {
            return null;
        }
        int at = 0;
        while (at < line.length() && at < canonical.length() && line.charAt(at) == canonical.charAt(at)) {
            at++;
        }
        return "the line is not in RFC 8785 canonical form, in which Strata writes every line: at offset " + at + " it has "
                + excerpt(line, at) + " where the canonical form has " + excerpt(canonical, at)
                + "; the values read the same, but the text was edited after export";
    }

    /**
     * The canonical record line, from the record's canonical body (what its hash covers): the
     * record's members sort as {@code actor, hash, kind, ...}, so the hash goes in after the actor.
     * One encoding a record serves both the hash and this check.
     */
    private static String recordLine(String canonicalBody, String actor, String hash) {
        int afterActor = "{\"actor\":".length() + Jcs.canonicalize(actor).length();
        return "{\"record\":" + canonicalBody.substring(0, afterActor) + ",\"hash\":" + Jcs.canonicalize(hash)
                + canonicalBody.substring(afterActor) + "}";
    }

    private static String excerpt(String text, int at) {
        return at >= text.length() ? "the end of the line" : "'" + text.substring(at, Math.min(text.length(), at + 24)) + "'";
    }

    /**
     * An export's verification.
     *
     * @param header the header, or null when the first line is not one
     * @param verification the outcome
     */
    public record Result(Header header, Verification verification) {
    }

    /** The seq a checkpoint line names, or 0 when it names none that can be read. */
    @SuppressWarnings("unchecked")
    private static long namedSeq(Object checkpoint) {
        if (!(checkpoint instanceof Map)) {
            return 0;
        }
        try {
            return LogRecord.seq((Map<String, Object>) checkpoint, "checkpoint");
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    /**
     * The failure of a line that did not parse, named by the record it is: a record line by its
     * place in the log (the record that belongs there), a checkpoint line by the record it names,
     * or else the one it follows (which a checkpoint there covers); any other line by the record it
     * follows, in {@code failedAt} ({@code line 12, after record 10}), since it is no record.
     */
    private static Verification failed(ChainVerifier v, Parsed p) {
        Verification partial = v.finish(false);
        long lastSeq = partial.lastSeq();
        if (p.line() == LineKind.RECORD) {
            return failed(partial, p.where(), p.error(), lastSeq + 1);
        }
        if (p.line() == LineKind.CHECKPOINT) {
            return failed(partial, p.where(), p.error(), p.named() > 0 ? p.named() : lastSeq);
        }
        return failed(partial, p.where() + (lastSeq > 0 ? ", after record " + lastSeq : ""), p.error(), 0);
    }

    /** The failure of the header line, which is no record. */
    private static Verification failed(ChainVerifier v, String where, String why) {
        return failed(v.finish(false), where, why, 0);
    }

    private static Verification failed(Verification partial, String where, String why, long seq) {
        return new Verification(false, seq, where, why, partial.records(), partial.firstSeq(), partial.lastSeq(),
                partial.firstTime(), partial.lastTime(), partial.checkpoints(), partial.signedThrough(), partial.signedAt(), partial.keyIds(), partial.kinds());
    }

    static Header header(String line) {
        if (line == null) {
            throw new IllegalArgumentException("the file is empty; expected a Strata provenance export");
        }
        if (unreadable(line) != null) {
            throw new IllegalArgumentException(unreadable(line));
        }
        if (line.startsWith("\uFEFF")) {
            // a byte order mark, added when the file was saved by an editor; it carries nothing, as line ends do not
            line = line.substring(1);
        }
        if (blank(line)) {
            throw new IllegalArgumentException("the first line is blank (it holds only whitespace); expected the {\"header\":...} line "
                    + "of a Strata provenance export, which Strata writes first");
        }
        Map<String, Object> json = Json.parseObject(line);
        if (!(json.get("header") instanceof Map<?, ?> h)) {
            throw new IllegalArgumentException("the first line is not a {\"header\":...} line; expected a Strata provenance export");
        }
        // nothing verifies the header: what Strata does not write there would be read by no one here, and taken by others
        for (String member : json.keySet()) {
            if (!member.equals("header")) {
                throw new IllegalArgumentException("the first line has a member '" + Verification.quoted(member) + "' beside 'header'; expected only "
                        + "{\"header\":{...}}, as Strata writes it");
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) h;
        String format = LogRecord.text(m, "format");
        if (!format.equals(FORMAT)) {
            throw new IllegalArgumentException("the export's format is '" + Verification.quoted(format) + "'; this verifier reads " + FORMAT);
        }
        for (String field : m.keySet()) {
            if (!List.of("format", "log", "exportedAt", "exportedBy").contains(field)) {
                throw new IllegalArgumentException("the header has an unknown field '" + Verification.quoted(field) + "'; expected format, log, exportedAt "
                        + "and exportedBy");
            }
        }
        return new Header(format, LogRecord.text(m, "log"), optionalText(m, "exportedAt"), optionalText(m, "exportedBy"));
    }

    /**
     * The bytes of a file that is to be small, read to at most {@code max} bytes: what is read, not
     * what the file system says of its size, counts, so that a file growing while it is read is
     * refused too. A named pipe, a device or a socket is refused before it is opened: opening a pipe
     * waits for a writer, and reading one or a device can wait for ever (a directory is left to the
     * read, which fails at once).
     *
     * @throws IllegalArgumentException naming the bound and what was expected, for a larger one, or
     *     what the file is and what was expected, for one that is neither a regular file nor a directory
     */
    static byte[] readAtMost(Path file, int max, String expected) throws IOException {
        // the attributes of the file a link leads to, looked at without opening it
        java.nio.file.attribute.BasicFileAttributes attributes = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
        if (!attributes.isRegularFile() && !attributes.isDirectory()) {
            throw new IllegalArgumentException("it is not a regular file but a named pipe, a device or a socket, which the verifier does not "
                    + "read (it could wait for ever); expected a file of " + expected);
        }
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw new IllegalArgumentException("it is larger than " + (max >> 20) + " MiB, the most the verifier reads of such a file; "
                        + "expected " + expected);
            }
            return bytes;
        }
    }

    private static String optionalText(Map<String, Object> json, String field) {
        return json.get(field) == null ? null : LogRecord.text(json, field);
    }

    /**
     * The largest anchor file read, 4 MiB: a kept checkpoint is a line of about 400 bytes, so about
     * 10,000 of them, one kept a day for decades.
     */
    public static final int MAX_ANCHOR_BYTES = 4 << 20;

    /**
     * Reads anchors: checkpoints, one JSON object a line, either bare or as {@code {"checkpoint":...}}.
     *
     * @throws IllegalArgumentException naming the line that is not a checkpoint, or the file when it
     *     is larger than {@link #MAX_ANCHOR_BYTES}
     */
    public static List<Checkpoint> readAnchors(Path file) throws IOException {
        List<Checkpoint> anchors = new ArrayList<>();
        int n = 0;
        List<String> lines;
        byte[] bytes;
        try {
            bytes = readAtMost(file, MAX_ANCHOR_BYTES, "kept checkpoints, one JSON object a line of about 400 bytes");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
        try {
            lines = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString().lines().toList();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException(file + " is not UTF-8 text; expected checkpoints, one JSON object a line");
        }
        for (String line : lines) {
            n++;
            if (n == 1 && line.startsWith("\uFEFF")) {
                // a byte order mark, as the export's first line may have
                line = line.substring(1);
            }
            if (line.isBlank()) {
                continue;
            }
            try {
                Map<String, Object> json = Json.parseObject(line);
                if (json.get("checkpoint") instanceof Map<?, ?>) {
                    // held to what Strata writes, as every line of the export is: a member beside the checkpoint would be read
                    // by no one here, and taken by others for part of what the auditor kept
                    for (String member : json.keySet()) {
                        if (!member.equals("checkpoint")) {
                            throw new IllegalArgumentException("the line has a member '" + Verification.quoted(member) + "' beside "
                                    + "'checkpoint'; expected only {\"checkpoint\":{...}} or a bare checkpoint, as Strata writes them");
                        }
                    }
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> c = json.get("checkpoint") instanceof Map<?, ?> m ? (Map<String, Object>) m : json;
                anchors.add(Checkpoint.fromJson(c));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " line " + n + ": " + e.getMessage());
            }
        }
        return anchors;
    }
}
