package dev.strata.platform.core.store;

import dev.strata.platform.audit.Checkpoint;
import dev.strata.platform.audit.LogRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The provenance log: hash-chained {@link LogRecord records} (the format of
 * {@code dev.strata.platform.audit}), signed {@link Checkpoint checkpoints} and the public keys
 * that signed them. Records are appended by the store's single writer in commit order, so the
 * chain's order is the order changes became durable; the database refuses a second record with
 * the same number or the same predecessor.
 */
public interface ProvenanceStore {

    /** The log's id (a UUID created with the database). */
    String logId();

    /**
     * Appends a record on its own.
     *
     * @return the record, once durable
     */
    CompletableFuture<LogRecord> append(ProvenanceEntry entry);

    /**
     * Appends a record about an allocation only while the allocation is in the ledger. The
     * allocation is looked up in the append's own transaction, after every write before it (one
     * writer per instance; on PostgreSQL the leader's fence, or the lock every instance's writes
     * take): a release is either before the append, which is then refused, or after it, and its
     * {@code release} record follows this one. So the log never says something of an allocation
     * after its release. Group-committed as any write.
     *
     * @param allocationId the allocation the record is about
     * @return the record, once durable; fails with {@link StoreRefusedException}, nothing written,
     *     with a {@link dev.strata.platform.api.exception.NotFoundException} as its cause when the
     *     allocation is not in the ledger
     */
    CompletableFuture<LogRecord> appendWhileAllocated(String allocationId, ProvenanceEntry entry);

    /** The last record's number and hash (0 and the genesis value for an empty log). */
    ProvenanceHead head();

    /** Records matching a filter, in order (newest first when {@code filter.newestFirst()}). */
    List<LogRecord> find(AuditFilter filter);

    /** One record. */
    Optional<LogRecord> get(long seq);

    /**
     * Streams records from {@code fromSeq} on, in order, until {@code consumer} returns false.
     *
     * @return how many were read
     */
    long scan(long fromSeq, Predicate<LogRecord> consumer);

    /** Stores a checkpoint (leader only). */
    CompletableFuture<Checkpoint> putCheckpoint(Checkpoint checkpoint);

    /** Every checkpoint, in record order. */
    List<Checkpoint> checkpoints();

    /**
     * Registers a public key that signs checkpoints, and appends the record that says so, in one
     * transaction: the key is never registered without its record (a crash, or leadership lost,
     * between two writes left it so, and the key then signed checkpoints that the chain never
     * named). Nothing is written when the key is registered already.
     *
     * @param why the record of the registration
     * @return whether the key was registered now (false: it was already)
     */
    CompletableFuture<Boolean> registerKey(String keyId, String publicKeyPem, String instanceId, ProvenanceEntry why);

    /** The registered public keys by id (PEM). */
    Map<String, String> keys();
}
