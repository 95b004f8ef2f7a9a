package dev.strata.platform.core.store;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a caller appends to the provenance log; the store adds the sequence number, time, the
 * previous record's hash and the record's own hash.
 *
 * @param kind what happened: {@code placement}, {@code release}, {@code configuration},
 *     {@code provider-state}, {@code swap}, {@code deployment}, ...
 * @param actor who asked: the shell user, or {@code system}
 * @param subjects the ids it concerns, by kind: {@code contract}, {@code tenant},
 *     {@code allocation}, {@code deployment}, {@code provider}, {@code node}; null values dropped
 * @param payload what was decided and why: a tree of maps, lists, strings, numbers (integers
 *     within +-2^53), booleans and nulls; never credentials
 */
public record ProvenanceEntry(String kind, String actor, Map<String, String> subjects, Map<String, Object> payload) {

    public ProvenanceEntry {
        Objects.requireNonNull(kind, "kind");
        if (kind.isBlank() || kind.length() > 64) {
            throw new IllegalArgumentException("kind '" + kind + "': expected 1 to 64 characters");
        }
        actor = actor == null || actor.isBlank() ? "system" : actor;
        TreeMap<String, String> s = new TreeMap<>();
        if (subjects != null) {
            subjects.forEach((k, v) -> {
                if (v != null) {
                    s.put(k, v);
                }
            });
        }
        subjects = java.util.Collections.unmodifiableMap(s);
        payload = payload == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(payload));
    }

    /** An entry with subjects given as alternating kind, id pairs (null ids skipped). */
    public static ProvenanceEntry of(String kind, String actor, Map<String, Object> payload, String... subjectPairs) {
        Map<String, String> subjects = new LinkedHashMap<>();
        for (int i = 0; i + 1 < subjectPairs.length; i += 2) {
            subjects.put(subjectPairs[i], subjectPairs[i + 1]);
        }
        return new ProvenanceEntry(kind, actor, subjects, payload);
    }
}
