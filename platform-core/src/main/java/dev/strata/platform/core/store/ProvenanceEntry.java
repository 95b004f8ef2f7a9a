package dev.strata.platform.core.store;

import dev.strata.platform.audit.Jcs;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a caller appends to the provenance log; the store adds the sequence number, time, the
 * previous record's hash and the record's own hash.
 *
 * <p>The subjects and the payload are encoded in their canonical form (RFC 8785) when the entry
 * is made, on the caller's thread: the store's single writer only chains and hashes, and the
 * record holds what the payload was when it was handed over.
 */
public final class ProvenanceEntry {

    private final String kind;
    private final String actor;
    private final Map<String, String> subjects;
    private final Map<String, Object> payload;
    private final String subjectsJson;
    private final String payloadJson;

    /**
     * @param kind what happened: {@code placement}, {@code release}, {@code configuration},
     *     {@code provider-state}, {@code swap}, {@code deployment}, ...
     * @param actor who asked: the shell user, or {@code system}
     * @param subjects the ids it concerns, by kind: {@code contract}, {@code tenant},
     *     {@code allocation}, {@code deployment}, {@code provider}, {@code node}; null values dropped
     * @param payload what was decided and why: a tree of maps, lists, strings, numbers (integers
     *     within +-2^53), booleans and nulls; never credentials
     * @throws IllegalArgumentException when the kind is blank or longer than 64 characters, the
     *     actor or a subject the log finds records by is longer than its column ({@link #ACTOR_MAX},
     *     {@link #SUBJECT_MAX}), or the payload holds something JSON cannot say
     */
    public ProvenanceEntry(String kind, String actor, Map<String, String> subjects, Map<String, Object> payload) {
        Objects.requireNonNull(kind, "kind");
        if (kind.isBlank() || kind.length() > 64) {
            throw new IllegalArgumentException("kind '" + kind + "': expected 1 to 64 characters");
        }
        this.kind = kind;
        this.actor = actor == null || actor.isBlank() ? "system" : actor;
        fits("actor", this.actor, ACTOR_MAX);
        TreeMap<String, String> s = new TreeMap<>();
        if (subjects != null) {
            subjects.forEach((k, v) -> {
                if (v != null) {
                    Integer max = SUBJECT_MAX.get(k);
                    if (max != null) {
                        fits("subject " + k, v, max);
                    }
                    s.put(k, v);
                }
            });
        }
        this.subjects = Collections.unmodifiableMap(s);
        this.payload = payload == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(payload));
        this.subjectsJson = Jcs.canonicalize(this.subjects);
        this.payloadJson = Jcs.canonicalize(this.payload);
    }

    /** The longest actor the log stores (its column, {@code provenance_record.actor}). */
    public static final int ACTOR_MAX = 256;

    /**
     * The longest value of each subject the log finds records by, stored in a column of its own
     * beside the subjects' JSON ({@code contract}, {@code tenant}, {@code allocation_id},
     * {@code deployment_id} of {@code provenance_record}).
     */
    public static final Map<String, Integer> SUBJECT_MAX = Map.of("contract", 256, "tenant", 256, "allocation", 64, "deployment", 64);

    /**
     * Refuses a value longer than its column, here on the caller's thread, before the decision the
     * entry records is written: the database refused it in the write transaction ("Value too long"
     * on H2, "value too long for type character varying" on PostgreSQL), which failed the decision
     * with a message naming neither the field nor its limit. Cutting it to fit would record an actor
     * or subject other than the one that acted or was acted on, under a hash that proves it.
     */
    private static void fits(String field, String value, int max) {
        if (value.length() > max) {
            throw new IllegalArgumentException("the provenance record's " + field + " is " + value.length() + " characters long ('"
                    + dev.strata.platform.api.exception.InvalidConfigurationException.printable(value.substring(0, 32)) + "...'): expected "
                    + "at most " + max + " characters, as the provenance log stores it");
        }
    }

    /** An entry with subjects given as alternating kind, id pairs (null ids skipped). */
    public static ProvenanceEntry of(String kind, String actor, Map<String, Object> payload, String... subjectPairs) {
        Map<String, String> subjects = new LinkedHashMap<>();
        for (int i = 0; i + 1 < subjectPairs.length; i += 2) {
            subjects.put(subjectPairs[i], subjectPairs[i + 1]);
        }
        return new ProvenanceEntry(kind, actor, subjects, payload);
    }

    public String kind() {
        return kind;
    }

    public String actor() {
        return actor;
    }

    public Map<String, String> subjects() {
        return subjects;
    }

    public Map<String, Object> payload() {
        return payload;
    }

    /** The subjects' canonical JSON (RFC 8785), as the record stores and hashes them. */
    String subjectsJson() {
        return subjectsJson;
    }

    /** The payload's canonical JSON (RFC 8785), as the record stores and hashes it. */
    String payloadJson() {
        return payloadJson;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProvenanceEntry e && kind.equals(e.kind) && actor.equals(e.actor) && subjectsJson.equals(e.subjectsJson)
                && payloadJson.equals(e.payloadJson);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, actor, subjectsJson, payloadJson);
    }

    @Override
    public String toString() {
        return "ProvenanceEntry[kind=" + kind + ", actor=" + actor + ", subjects=" + subjects + ", payload=" + payload + "]";
    }
}
