package dev.strata.platform.audit;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Verifies a provenance log as it streams by, record by record and checkpoint by checkpoint, and
 * stops at the first failure. A record must match its own hash (else it was altered), carry the
 * next sequence number (else one before it is missing, or it was inserted or moved) and the
 * previous record's hash; a checkpoint must name this log and the record just read, verify with
 * one of the trusted keys and carry that record's hash (else the records it covers were rewritten
 * after signing). Anchors are checkpoints kept apart from the log (published, or saved by the
 * auditor earlier): the log must reach them and agree. Not thread-safe: one verifier per pass.
 */
public final class ChainVerifier {

    /**
     * The most kinds {@link Verification#kinds()} counts by name; the records of any other kind
     * are counted as {@link #OTHER_KINDS}. Strata writes a few dozen kinds; a hostile file can
     * chain records of a new kind each, which kept every one in memory.
     */
    public static final int MAX_KINDS = 100;

    /** The count of the records of kinds beyond {@link #MAX_KINDS}. */
    public static final String OTHER_KINDS = "(other kinds)";

    /** The most characters of a kind counted by name (Strata writes at most 64); a longer one is counted by its first 64 and "...". */
    static final int KIND_CHARS = 64;

    private final String log;
    private final Map<String, PublicKey> trusted = new LinkedHashMap<>();
    private final TreeMap<Long, Checkpoint> anchors = new TreeMap<>();
    private final Map<String, Long> kinds = new TreeMap<>();
    private final TreeSet<String> keysUsed = new TreeSet<>();

    private String prevHash;
    private long lastSeq;
    private long records;
    private long firstSeq;
    private String firstTime;
    private String lastTime;
    private long checkpoints;
    private long signedThrough;
    private String signedAt;
    private boolean lastSeen;
    private long failedSeq;
    private String failedAt;
    private String failure;
    /** The checkpoint that failed for covering records not read yet, until the next line says whether they follow it. */
    private Checkpoint ahead;

    /**
     * @param log the log's id (from the export's header, or the store)
     * @param trustedKeys the public keys checkpoints may be signed with
     * @param anchors checkpoints kept apart from the log, each verified with the trusted keys too
     */
    public ChainVerifier(String log, Collection<PublicKey> trustedKeys, Collection<Checkpoint> anchors) {
        this.log = log;
        for (PublicKey k : trustedKeys) {
            trusted.put(AuditKeys.keyId(k), k);
        }
        this.prevHash = Hashes.genesis(log);
        for (Checkpoint a : anchors) {
            if (failure == null && !a.log().equals(log)) {
                fail(a.seq(), "anchor for record " + a.seq(), "the anchored checkpoint belongs to log " + Verification.quoted(a.log()) + ", not " + Verification.quoted(log));
            } else if (failure == null && !signatureHolds(a, "anchor for record " + a.seq())) {
                return;
            }
            Checkpoint kept = this.anchors.get(a.seq());
            if (failure == null && kept != null && !kept.hash().equals(a.hash())) {
                // both verified: the key signed two versions of the log, and the one kept last must not hide the other
                fail(a.seq(), "anchor for record " + a.seq(), "two anchored checkpoints of record " + a.seq() + " name different hashes, "
                        + Verification.quoted(kept.hash()) + " signed at " + Verification.quoted(kept.time()) + " and " + Verification.quoted(a.hash()) + " signed at " + Verification.quoted(a.time())
                        + ": the log was rewritten and signed again; expected one hash for a record");
            }
            this.anchors.put(a.seq(), a);
        }
    }

    /** Whether nothing has failed so far. */
    public boolean ok() {
        return failure == null;
    }

    /**
     * Checks the next record.
     *
     * @param where where it was read, for the message ({@code line 12})
     * @return whether it (and everything before) holds
     */
    public boolean record(LogRecord r, String where) {
        return record(r, null, where);
    }

    /** As {@link #record(LogRecord, String)}, with the record's hash already recomputed (by a worker thread), or null. */
    boolean record(LogRecord r, String recomputed, String where) {
        if (failure != null) {
            return false;
        }
        long position = lastSeq + 1;
        if (lastSeen) {
            return fail(r.seq(), where, "record " + r.seq() + " follows the export's last checkpoint, which must end the file");
        }
        String computed = recomputed;
        try {
            if (computed == null) {
                computed = r.computeHash();
            }
        } catch (IllegalArgumentException e) {
            return fail(r.seq(), where, "record " + r.seq() + " cannot be canonicalised (" + e.getMessage() + ")");
        }
        if (!computed.equals(r.hash())) {
            return fail(position, where, "record " + r.seq() + " does not match its hash: its content was altered (or its hash)");
        }
        if (r.seq() != position) {
            return fail(position, where, "found record " + r.seq() + " where record " + position + " belongs: "
                    + (r.seq() > position ? "record " + position + (r.seq() > position + 1 ? ".." + (r.seq() - 1) : "") + " is missing"
                            : "a record was inserted or moved here"));
        }
        if (position == 1 && !r.prev().equals(prevHash)) {
            // there is no record 0: the first record's prev binds the chain to the log's id
            return fail(position, where, "record 1 does not begin log " + Verification.quoted(log) + " (its prev is not that log's genesis hash " + prevHash
                    + "): the records are of another log than the one named (an export's by its header), or record 1 was replaced");
        }
        if (!r.prev().equals(prevHash)) {
            return fail(position, where, "record " + r.seq() + " does not chain to record " + (position - 1)
                    + " (its prev differs from that record's hash): a record before it was replaced, inserted or moved");
        }
        Checkpoint anchor = anchors.get(r.seq());
        if (anchor != null && !anchor.hash().equals(r.hash())) {
            return fail(position, where, "record " + r.seq() + " differs from the anchored checkpoint signed at " + Verification.quoted(anchor.time())
                    + ": the log was rewritten up to here");
        }
        prevHash = r.hash();
        lastSeq = r.seq();
        if (records++ == 0) {
            firstSeq = r.seq();
            firstTime = r.time();
        }
        lastTime = r.time();
        String kind = r.kind().length() <= KIND_CHARS ? r.kind() : r.kind().substring(0, KIND_CHARS) + "...";
        kinds.merge(kinds.containsKey(kind) || kinds.size() < MAX_KINDS ? kind : OTHER_KINDS, 1L, Long::sum);
        return true;
    }

    /**
     * Checks a checkpoint; it must follow the record it covers.
     *
     * @return whether it (and everything before) holds
     */
    public boolean checkpoint(Checkpoint c, String where) {
        if (failure != null) {
            return false;
        }
        if (lastSeen) {
            return fail(c.seq(), where, "a checkpoint follows the export's last checkpoint, which must end the file");
        }
        if (!c.log().equals(log)) {
            return fail(c.seq(), where, "the checkpoint for record " + c.seq() + " belongs to log " + Verification.quoted(c.log()) + ", not " + Verification.quoted(log));
        }
        if (c.seq() > lastSeq) {
            ahead = c;
            return fail(lastSeq + 1, where, "the checkpoint covers record " + c.seq() + " but the log so far ends at record " + lastSeq
                    + ": records " + (lastSeq + 1) + ".." + c.seq() + " are missing");
        }
        if (c.seq() < lastSeq) {
            return fail(c.seq(), where, "the checkpoint for record " + c.seq() + " stands after record " + lastSeq + ", out of place");
        }
        if (checkpoints > 0 && c.seq() == signedThrough && !c.last()) {
            // the store keeps one checkpoint a record; only an export's last one may cover a record signed already
            return fail(c.seq(), where, "a second checkpoint for record " + c.seq() + ": a log holds one a record (and an export its "
                    + "last one besides), so the line was copied");
        }
        // the signature first: a checkpoint edited, or signed by a key not trusted, says nothing of the records it names
        if (!signatureHolds(c, where)) {
            return false;
        }
        if (!c.hash().equals(prevHash)) {
            return fail(c.seq(), where, "record " + c.seq() + " differs from the checkpoint signed at " + Verification.quoted(c.time())
                    + ": records " + (signedThrough + 1) + ".." + c.seq() + " were rewritten after it was signed");
        }
        checkpoints++;
        // the keys of the log's checkpoints only: an anchor's key signed none of the records read
        keysUsed.add(c.keyId());
        signedThrough = c.seq();
        signedAt = c.time();
        lastSeen = c.last();
        return true;
    }

    private boolean signatureHolds(Checkpoint c, String where) {
        PublicKey key = trusted.get(c.keyId());
        if (key == null) {
            return fail(c.seq(), where, "the checkpoint for record " + c.seq() + " names key " + Verification.quoted(c.keyId())
                    + ", which is not a trusted key (trusted: " + String.join(", ", trusted.keySet()) + ")");
        }
        if (!c.verifies(key)) {
            return fail(c.seq(), where, "the signature of the checkpoint for record " + c.seq() + " does not verify with key " + Verification.quoted(c.keyId()));
        }
        return true;
    }

    /**
     * Ends the pass.
     *
     * @param requireLast whether the log must end with a checkpoint marked last (an export must)
     */
    public Verification finish(boolean requireLast) {
        if (failure == null && requireLast && !lastSeen) {
            fail(lastSeq + 1, "end of file", "the export ends after record " + lastSeq + " without its signed last checkpoint: "
                    + "the file was cut short (or is not a complete export)");
        }
        if (failure == null && !anchors.isEmpty() && anchors.lastKey() > lastSeq) {
            fail(lastSeq + 1, "end of log", "an anchored checkpoint covers record " + anchors.lastKey() + " but the log ends at record "
                    + lastSeq + ": records " + (lastSeq + 1) + ".." + anchors.lastKey() + " are missing (the log was truncated)");
        }
        return new Verification(failure == null, failure == null ? 0 : failedSeq, failedAt, failure, records, firstSeq, lastSeq, firstTime,
                lastTime, checkpoints, signedThrough, signedAt, new ArrayList<>(keysUsed), kinds);
    }

    private boolean fail(long seq, String where, String why) {
        if (failure == null) {
            failedSeq = seq;
            failedAt = where;
            failure = why;
        }
        return false;
    }

    /** Whether the pass failed on a checkpoint covering records not read yet, which the next line may show moved ahead of them. */
    boolean failedAhead() {
        return ahead != null;
    }

    /**
     * After {@link #failedAhead()}: the next line is record {@code seq}. When it is the record
     * that belongs there, the records the checkpoint covers are not missing: they follow it, and
     * the checkpoint was moved ahead of them, which the failure now says (naming the record it covers).
     */
    void nextRecord(long seq) {
        if (ahead != null && seq == lastSeq + 1) {
            failedSeq = ahead.seq();
            failure = "the checkpoint for record " + ahead.seq() + " stands before record " + seq + ", out of place: records " + seq + ".."
                    + ahead.seq() + " follow it (it was moved ahead of them)";
        }
        ahead = null;
    }

    /** Fails the pass for what the chain itself cannot see (how the export wrote a line); false. */
    boolean reject(long seq, String where, String why) {
        return fail(seq, where, why);
    }

    /** The trusted key with this id, or null. */
    PublicKey trustedKey(String keyId) {
        return trusted.get(keyId);
    }

    /** The ids of the trusted keys. */
    public List<String> trustedKeyIds() {
        return new ArrayList<>(trusted.keySet());
    }
}
