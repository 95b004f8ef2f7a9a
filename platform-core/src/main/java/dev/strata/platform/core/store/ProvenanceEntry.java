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
     * @throws IllegalArgumentException when the kind is blank or longer than 64 characters, or the
     *     payload holds something JSON cannot say
     */
    public ProvenanceEntry(String kind, String actor, Map<String, String> subjects, Map<String, Object> payload) {
        Objects.requireNonNull(kind, "kind");
        if (kind.isBlank() || kind.length() > 64) {
            throw new IllegalArgumentException("kind '" + kind + "': expected 1 to 64 characters");
        }
        this.kind = kind;
        this.actor = actor == null || actor.isBlank() ? "system" : actor;
        TreeMap<String, String> s = new TreeMap<>();
        if (subjects != null) {
            subjects.forEach((k, v) -> {
                if (v != null) {
                    s.put(k, v);
                }
            });
        }
        this.subjects = Collections.unmodifiableMap(s);
        this.payload = payload == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(payload));
        this.subjectsJson = Jcs.canonicalize(this.subjects);
        this.payloadJson = Jcs.canonicalize(this.payload);
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
