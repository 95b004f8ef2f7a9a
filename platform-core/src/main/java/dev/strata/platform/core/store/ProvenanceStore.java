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

    /**
     * Appends a record about an allocation as {@link #appendWhileAllocated} does, and only while the
     * latest record of the entry's kind about the allocation is still the one the caller read: where
     * every instance writes (no election), two that saw the same change between their read of the log
     * and their append both recorded it, the second with a previous status that was no longer the
     * log's. The latest record is read in the append's own transaction, after every write before it
     * (on PostgreSQL under the lock every instance's writes take), as the ledger is.
     *
     * @param allocationId the allocation the record is about
     * @param latestSeq the number of the latest record of {@code entry.kind()} about the allocation
     *     that the caller read; 0 where it read none
     * @return the record, once durable; fails with {@link StoreRefusedException}, nothing written,
     *     with a {@link dev.strata.platform.api.exception.NotFoundException} as its cause when the
     *     allocation is not in the ledger, and with a
     *     {@link dev.strata.platform.api.exception.ConflictException} as its cause when the latest
     *     such record is another (another instance appended one since the caller read the log)
     */
    CompletableFuture<LogRecord> appendWhileAllocatedAfter(String allocationId, ProvenanceEntry entry, long latestSeq);

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

    /**
     * Streams records as they are stored, from {@code fromSeq} on, in order, until
     * {@code consumer} returns false, each with what is wrong with how the store keeps it: for a
     * verification, which must name such a record where {@link #scan} fails or passes it.
     *
     * @return how many were read
     */
    long scanStored(long fromSeq, Predicate<Stored> consumer);

    /**
     * A record as the store keeps it.
     *
     * <p>The record's hash covers its values, and the store keeps them as canonical JSON text
     * (RFC 8785), the form the hash is computed over; beside them it keeps columns to find records
     * by ({@code contract}, {@code tenant}, {@code allocation_id}, {@code deployment_id} from the
     * subjects, {@code time_ms} from the time) that no hash covers. Text that is not that form, or a
     * column that disagrees with the record, was changed in the database: the first reads as the
     * record hashed while the database holds other text, the second hides a record from a query
     * by contract, tenant or time, or shows it to another tenant's user.
     *
     * @param seq the record's number
     * @param record the record, or null when it cannot be read (its subjects or payload are not
     *     JSON objects of the kind a record holds)
     * @param fault what is wrong with how it is kept, naming the record, the column and what was
     *     expected; null when nothing is
     */
    record Stored(long seq, LogRecord record, String fault) {
    }

    /**
     * Stores a checkpoint (the leader, or every instance where every instance writes).
     *
     * @return the checkpoint stored for its record: this one, or one stored before for the same
     *     record (signed by another instance writing to the same database), which stands for it
     */
    CompletableFuture<Checkpoint> putCheckpoint(Checkpoint checkpoint);

    /**
     * The checkpoints of records after {@code afterSeq}, in record order, at most {@code limit} of
     * them: a page. (A log signed every 60 s gathers about 500,000 checkpoints a year; verifying
     * or exporting it holds one page at a time, not all of them.)
     */
    List<Checkpoint> checkpoints(long afterSeq, int limit);

    /** The checkpoint of the highest record signed, if any. */
    Optional<Checkpoint> lastCheckpoint();

    /**
     * The checkpoints stored now, in record order, read {@value #CHECKPOINT_PAGE} at a time as they
     * are iterated: those of records up to the last one signed when this is called. A checkpoint
     * signed while they are iterated, of a record after those, is not among them, as it would not
     * be in a list read now: a verification or export that scans the records meanwhile may have
     * read the log before that record, and would take the checkpoint for one whose record is gone.
     */
    default java.util.Iterator<Checkpoint> checkpointsInOrder() {
        return checkpointsInOrder(CHECKPOINT_PAGE, lastCheckpoint().map(Checkpoint::seq).orElse(0L));
    }

    /** The checkpoints of records up to {@code throughSeq}, in record order, read {@code pageSize} at a time as they are iterated. */
    default java.util.Iterator<Checkpoint> checkpointsInOrder(int pageSize, long throughSeq) {
        return new java.util.Iterator<>() {
            private java.util.Iterator<Checkpoint> page = java.util.Collections.emptyIterator();
            private long after = 0;
            private boolean more = throughSeq > 0;

            @Override
            public boolean hasNext() {
                if (!page.hasNext() && more) {
                    List<Checkpoint> next = checkpoints(after, pageSize);
                    more = next.size() == pageSize;
                    List<Checkpoint> within = new java.util.ArrayList<>(next.size());
                    for (Checkpoint c : next) {
                        if (c.seq() <= throughSeq) {
                            within.add(c);
                        } else {
                            more = false;
                        }
                    }
                    if (!within.isEmpty()) {
                        after = within.get(within.size() - 1).seq();
                    }
                    page = within.iterator();
                }
                return page.hasNext();
            }

            @Override
            public Checkpoint next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return page.next();
            }
        };
    }

    /** How many checkpoints {@link #checkpointsInOrder} reads at a time. */
    int CHECKPOINT_PAGE = 1000;

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

    /**
     * Makes sure the chain holds the record registering a key that is registered, appending it where
     * it is not (a key registered by a Strata that wrote the key and its record apart, and stopped
     * between the two). The record's seq is kept with the key, so that this is one row read once it
     * is known; a key registered before that was kept has its record looked for in the log once.
     *
     * @param why the record of the registration, appended when the chain has none
     * @return whether the record was appended now (false: the chain holds it)
     * @throws IllegalArgumentException (through the future) when the key is not registered
     */
    CompletableFuture<Boolean> recordKey(String keyId, ProvenanceEntry why);

    /** The registered public keys by id (PEM). */
    Map<String, String> keys();
}
