package dev.strata.platform.core.store;

import dev.strata.platform.audit.LogRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;

/**
 * The transaction of one group commit, as units of work see it: the connection, and the
 * provenance chain's head as this transaction has moved it.
 */
final class Tx {

    final Connection connection;
    private final Clock clock;
    private ProvenanceHead head;
    private final java.util.Map<String, PreparedStatement> statements = new java.util.HashMap<>();

    Tx(Connection connection, ProvenanceHead head, Clock clock) {
        this.connection = connection;
        this.head = head;
        this.clock = clock;
    }

    /**
     * A prepared statement for this batch, prepared once and reused by every unit of the batch
     * (H2 parses a statement on every prepare); closed with the batch. Do not close it.
     */
    PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement p = statements.get(sql);
        if (p == null) {
            p = connection.prepareStatement(sql);
            statements.put(sql, p);
        }
        return p;
    }

    /** Closes the batch's statements. */
    void close() {
        for (PreparedStatement p : statements.values()) {
            try {
                p.close();
            } catch (SQLException e) {
                // the connection goes back to the pool, which resets it
            }
        }
        statements.clear();
    }

    ProvenanceHead head() {
        return head;
    }

    long nowMillis() {
        return clock.millis();
    }

    /** Appends a record after the head; null entry, nothing. Returns the record or null. */
    LogRecord append(ProvenanceEntry entry) throws SQLException {
        if (entry == null) {
            return null;
        }
        long now = clock.millis();
        // the canonical forms were encoded on the caller's thread: one for the hash and the row
        String subjectsJson = entry.subjectsJson();
        String payloadJson = entry.payloadJson();
        LogRecord r = LogRecord.seal(head.seq() + 1, LogRecord.formatTime(java.time.Instant.ofEpochMilli(now)), entry.kind(), entry.actor(),
                entry.subjects(), subjectsJson, entry.payload(), payloadJson, head.hash());
        {
            PreparedStatement p = prepare("INSERT INTO provenance_record (seq, time_ms, record_time, kind, actor, subjects, "
                    + "payload, prev, hash, contract, tenant, allocation_id, deployment_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            Map<String, String> s = r.subjects();
            p.setLong(1, r.seq());
            p.setLong(2, now);
            p.setString(3, r.time());
            p.setString(4, r.kind());
            p.setString(5, r.actor());
            p.setString(6, subjectsJson);
            p.setString(7, payloadJson);
            p.setString(8, r.prev());
            p.setString(9, r.hash());
            p.setString(10, s.get("contract"));
            p.setString(11, s.get("tenant"));
            p.setString(12, s.get("allocation"));
            p.setString(13, s.get("deployment"));
            p.executeUpdate();
        }
        head = new ProvenanceHead(r.seq(), r.hash());
        return r;
    }
}
