package dev.strata.platform.audit;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A signed statement that record {@code seq} of log {@code log} has hash {@code hash}: it fixes
 * every record up to {@code seq}, since each record's hash covers the one before. Strata writes
 * one periodically; an export ends with one marked {@code last}, so that cutting the file short
 * is detected. The signature is Ed25519 over the RFC 8785 form of every field but itself.
 *
 * @param log the log's id
 * @param seq the record it covers (and all before it)
 * @param hash that record's hash
 * @param time when it was signed
 * @param keyId the id of the signing key ({@link AuditKeys#keyId})
 * @param last whether it closes an export (the export's last line)
 * @param signature Ed25519 signature, base64
 */
public record Checkpoint(String log, long seq, String hash, String time, String keyId, boolean last, String signature) {

    public Checkpoint {
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(signature, "signature");
    }

    /** A checkpoint signed with {@code key}, whose public half is {@code publicKey}. */
    public static Checkpoint sign(String log, long seq, String hash, String time, boolean last, PrivateKey key, PublicKey publicKey) {
        Checkpoint unsigned = new Checkpoint(log, seq, hash, time, AuditKeys.keyId(publicKey), last, "");
        return new Checkpoint(log, seq, hash, time, unsigned.keyId, last, AuditKeys.sign(key, Jcs.canonicalBytes(unsigned.signedBody())));
    }

    /** What the signature covers: every field but the signature. */
    public Map<String, Object> signedBody() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("log", log);
        body.put("seq", seq);
        body.put("hash", hash);
        body.put("time", time);
        body.put("keyId", keyId);
        body.put("last", last);
        return body;
    }

    /** Whether the signature verifies with {@code key}. */
    public boolean verifies(PublicKey key) {
        byte[] body = Jcs.canonicalBytes(signedBody());
        // the whole key's digest, not its 64-bit id: two keys that share an id must not share a verdict
        String memo = Hashes.sha256(key.getEncoded()) + '\n' + signature + '\n' + new String(body, java.nio.charset.StandardCharsets.UTF_8);
        if (VERIFIED.containsKey(memo)) {
            return true;
        }
        boolean ok = AuditKeys.verify(key, body, signature);
        if (ok) {
            if (VERIFIED.size() > 10_000) {
                VERIFIED.clear();
            }
            VERIFIED.put(memo, Boolean.TRUE);
        }
        return ok;
    }

    /**
     * Signatures already verified, by key, signature and exact signed bytes: Ed25519 in the JDK
     * takes milliseconds, and a log is verified again and again with the same checkpoints.
     */
    private static final java.util.Map<String, Boolean> VERIFIED = new java.util.concurrent.ConcurrentHashMap<>();

    /** The checkpoint as a JSON object. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = signedBody();
        json.put("signature", signature);
        return json;
    }

    /**
     * Reads a checkpoint from its JSON object.
     *
     * @throws IllegalArgumentException naming the field that is missing or of the wrong type
     */
    public static Checkpoint fromJson(Map<String, Object> json) {
        for (String key : json.keySet()) {
            if (!List.of("log", "seq", "hash", "time", "keyId", "last", "signature").contains(key)) {
                throw new IllegalArgumentException("checkpoint has an unknown field '" + Verification.quoted(key) + "'");
            }
        }
        long seq = LogRecord.seq(json, "checkpoint");
        Object last = json.get("last");
        if (!(last instanceof Boolean)) {
            throw new IllegalArgumentException("checkpoint field 'last' is " + Json.describe(last) + "; expected true or false");
        }
        return new Checkpoint(LogRecord.text(json, "log"), seq, LogRecord.text(json, "hash"),
                LogRecord.text(json, "time"), LogRecord.text(json, "keyId"), (Boolean) last, LogRecord.text(json, "signature"));
    }
}
