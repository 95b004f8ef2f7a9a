package dev.strata.platform.audit;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One record of the provenance log. Its {@link #hash()} is SHA-256 over the RFC 8785 canonical
 * form of {@link #body()}: every field but the hash, the previous record's hash ({@code prev})
 * included, which chains the records: changing, removing, inserting or moving one breaks the
 * chain at that record.
 *
 * @param seq position in the log, from 1, without gaps
 * @param time when it was appended, UTC with milliseconds ({@code 2026-11-27T10:15:30.125Z})
 * @param kind what happened ({@code placement}, {@code release}, {@code configuration}, ...)
 * @param actor who asked (a shell user, {@code system} for Strata itself)
 * @param subjects the ids it concerns by kind ({@code contract}, {@code tenant}, {@code allocation},
 *     {@code deployment}, ...); sorted, never null
 * @param payload what was decided and why, a JSON object tree (see {@link Jcs})
 * @param prev the hash of the previous record, or {@link Hashes#genesis} for the first
 * @param hash SHA-256 of the canonical body, 64 hex digits
 */
public record LogRecord(long seq, String time, String kind, String actor, Map<String, String> subjects, Map<String, Object> payload,
        String prev, String hash) {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    public LogRecord {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(prev, "prev");
        Objects.requireNonNull(hash, "hash");
        subjects = subjects == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(subjects));
        payload = payload == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(payload));
    }

    /** A new record with its hash computed. */
    public static LogRecord seal(long seq, String time, String kind, String actor, Map<String, String> subjects, Map<String, Object> payload,
            String prev) {
        LogRecord unsealed = new LogRecord(seq, time, kind, actor, subjects, payload, prev, "");
        return new LogRecord(seq, time, kind, actor, subjects, payload, prev, unsealed.computeHash());
    }

    /**
     * A new record with its hash computed from the canonical forms of its subjects and payload,
     * already encoded by the caller ({@link Jcs#canonicalize}): the same hash as
     * {@link #seal(long, String, String, String, Map, Map, String)}, with each encoded once.
     */
    public static LogRecord seal(long seq, String time, String kind, String actor, Map<String, String> subjects, String subjectsJson,
            Map<String, Object> payload, String payloadJson, String prev) {
        // RFC 8785 sorts the body's keys: actor, kind, payload, prev, seq, subjects, time
        String body = "{\"actor\":" + Jcs.canonicalize(actor) + ",\"kind\":" + Jcs.canonicalize(kind) + ",\"payload\":" + payloadJson
                + ",\"prev\":" + Jcs.canonicalize(prev) + ",\"seq\":" + Jcs.canonicalize(seq) + ",\"subjects\":" + subjectsJson
                + ",\"time\":" + Jcs.canonicalize(time) + "}";
        return new LogRecord(seq, time, kind, actor, subjects, payload, prev, Hashes.sha256(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** The record's time format: UTC, milliseconds, always three fraction digits. */
    public static String formatTime(Instant instant) {
        return TIME.format(instant);
    }

    /** Every field but the hash: what the hash covers. */
    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("seq", seq);
        body.put("time", time);
        body.put("kind", kind);
        body.put("actor", actor);
        body.put("subjects", subjects);
        body.put("payload", payload);
        body.put("prev", prev);
        return body;
    }

    /** SHA-256 of the canonical body, recomputed. */
    public String computeHash() {
        return Hashes.sha256(Jcs.canonicalBytes(body()));
    }

    /** The record as a JSON object: the body and its hash. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = body();
        json.put("hash", hash);
        return json;
    }

    /** {@link #payload()} as canonical JSON text, the form Strata stores it in. */
    public String payloadJson() {
        return Jcs.canonicalize(payload);
    }

    /**
     * Reads a record from its JSON object; the hash is taken as given (the verifier recomputes it).
     *
     * @throws IllegalArgumentException naming the field that is missing or of the wrong type
     */
    @SuppressWarnings("unchecked")
    public static LogRecord fromJson(Map<String, Object> json) {
        for (String key : json.keySet()) {
            if (!List.of("seq", "time", "kind", "actor", "subjects", "payload", "prev", "hash").contains(key)) {
                throw new IllegalArgumentException("record has an unknown field '" + Verification.quoted(key) + "'");
            }
        }
        long seq = seq(json, "record");
        Object subjects = json.get("subjects");
        if (!(subjects instanceof Map)) {
            throw new IllegalArgumentException("record field 'subjects' is " + Json.describe(subjects) + "; expected an object");
        }
        for (Map.Entry<String, Object> e : ((Map<String, Object>) subjects).entrySet()) {
            if (!(e.getValue() instanceof String)) {
                throw new IllegalArgumentException("record subject '" + Verification.quoted(e.getKey()) + "' is " + Json.describe(e.getValue()) + "; expected a string");
            }
        }
        Object payload = json.get("payload");
        if (!(payload instanceof Map)) {
            throw new IllegalArgumentException("record field 'payload' is " + Json.describe(payload) + "; expected an object");
        }
        return new LogRecord(seq, text(json, "time"), text(json, "kind"), text(json, "actor"),
                (Map<String, String>) (Map<String, ?>) subjects, (Map<String, Object>) payload, text(json, "prev"), text(json, "hash"));
    }

    /** The largest sequence number read: every whole number up to it is a double of its own, so the one named is the one written. */
    static final long MAX_SEQ = (1L << 53) - 1;

    /**
     * The {@code seq} of a record's or checkpoint's JSON object.
     *
     * @throws IllegalArgumentException when it is no whole number from 1 to {@link #MAX_SEQ}
     */
    static long seq(Map<String, Object> json, String what) {
        Object seq = json.get("seq");
        if (!(seq instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 1) {
            throw new IllegalArgumentException(what + " field 'seq' is " + Json.describe(seq) + "; expected a whole number from 1");
        }
        if (n.doubleValue() > MAX_SEQ) {
            // cut to a long it would be named 9223372036854775807, a number the file does not hold
            throw new IllegalArgumentException(what + " field 'seq' is a number beyond 2^53 (about " + Jcs.es6(n.doubleValue())
                    + "); expected a whole number from 1 to " + MAX_SEQ);
        }
        return n.longValue();
    }

    static String text(Map<String, Object> json, String field) {
        Object v = json.get(field);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("field '" + field + "' is " + Json.describe(v) + "; expected a string");
        }
        return s;
    }
}
