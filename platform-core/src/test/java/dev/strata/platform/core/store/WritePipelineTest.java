package dev.strata.platform.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The group-commit writer, on an in-memory H2; the durability step is this test's and records
 * which committed units each fsync covered. No caller may be answered before an fsync that began
 * after its unit committed, whatever the timing.
 */
class WritePipelineTest {

    /** Counts commits and fsyncs; an fsync covers the commits made before it began. */
    static class Recording implements WritePipeline.Host {
        final AtomicLong commits = new AtomicLong();
        final AtomicLong durableUpTo = new AtomicLong();
        final AtomicInteger syncs = new AtomicInteger();
        final AtomicInteger failNextSyncs = new AtomicInteger();
        private final String url;

        Recording(String name) {
            this.url = "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
            try (Connection c = DriverManager.getConnection(url); java.sql.Statement s = c.createStatement()) {
                s.execute("CREATE TABLE unit (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at INT)");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Connection connection() throws SQLException {
            return DriverManager.getConnection(url);
        }

        @Override
        public void fence(Connection c) {
        }

        @Override
        public Tx begin(Connection c) {
            return new Tx(c, new ProvenanceHead(0, "0"), Clock.systemUTC());
        }

        @Override
        public void committed(Tx tx) {
            commits.incrementAndGet();
        }

        @Override
        public void rolledBack() {
        }

        @Override
        public void sync() throws IOException {
            long covers; // the last unit committed in the database when this fsync begins
            try (Connection c = connection(); java.sql.Statement s = c.createStatement();
                    java.sql.ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(id), 0) FROM unit")) {
                rs.next();
                covers = rs.getLong(1);
            } catch (SQLException e) {
                throw new IOException(e);
            }
            syncs.incrementAndGet();
            try {
                Thread.sleep(1 + (covers % 3)); // an fsync takes a while
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failNextSyncs.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IOException("No space left on device");
            }
            durableUpTo.accumulateAndGet(covers, Math::max);
        }

        /** A unit of work: a row whose id is its place in commit order (one writer). */
        static long unit(Tx tx) throws SQLException {
            try (java.sql.PreparedStatement p = tx.connection.prepareStatement("INSERT INTO unit (at) VALUES (0)",
                    java.sql.Statement.RETURN_GENERATED_KEYS)) {
                p.executeUpdate();
                try (java.sql.ResultSet rs = p.getGeneratedKeys()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }

        @Override
        public String where() {
            return "test";
        }
    }

    @Test
    void noCallerIsAnsweredBeforeAnFsyncThatBeganAfterItsCommit() throws Exception {
        Recording host = new Recording("ordered");
        List<String> violations = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Long>> futures = new CopyOnWriteArrayList<>();
        try (WritePipeline pipeline = new WritePipeline(host, 16, "test-writer")) {
            List<Thread> callers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Thread caller = new Thread(() -> {
                    for (int i = 0; i < 150; i++) {
                        CompletableFuture<Long> f = pipeline.submit(Recording::unit);
                        f.thenAccept(unit -> {
                            if (host.durableUpTo.get() < unit) {
                                violations.add("unit " + unit + " answered when fsyncs covered up to " + host.durableUpTo.get());
                            }
                        });
                        futures.add(f);
                        if (i % 10 == 0) {
                            f.join();
                        }
                    }
                });
                callers.add(caller);
                caller.start();
            }
            for (Thread c : callers) {
                c.join();
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        }
        assertThat(violations).isEmpty();
        assertThat(futures).hasSize(1200);
        long[] counts = {host.commits.get(), host.syncs.get()};
        assertThat(counts[0]).as("batches committed").isLessThan(1200);
        assertThat(counts[1]).as("one fsync per batch").isEqualTo(counts[0]);
    }

    @Test
    void aFailedFsyncFailsTheBatchItWasToCoverAndNoOther() throws Exception {
        Recording host = new Recording("failing");
        try (WritePipeline pipeline = new WritePipeline(host, 16, "test-writer")) {
            long before = pipeline.submit(Recording::unit).join();
            host.failNextSyncs.set(1);
            CompletableFuture<Long> lost = pipeline.submit(Recording::unit);
            assertThat(lost).failsWithin(java.time.Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause().isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                    .withMessage("the state store at test could not make the write durable (No space left on device); it is not "
                            + "acknowledged, and it may be lost if Strata or the machine stops before a later write reaches the disk");
            assertThat(pipeline.submit(Recording::unit).join()).isGreaterThan(before);
        }
    }

    /** Housekeeping (the embedded store's online compaction) runs between batches and when idle, and cannot fail a write. */
    @Test
    void housekeepingRunsBetweenBatchesAndWhenIdleAndCannotFailAWrite() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean inBatch = new java.util.concurrent.atomic.AtomicBoolean();
        Recording host = new Recording("housekeeping") {
            @Override
            public Tx begin(Connection c) {
                inBatch.set(true);
                return super.begin(c);
            }

            @Override
            public void committed(Tx tx) {
                inBatch.set(false);
                super.committed(tx);
            }

            @Override
            public void housekeeping(boolean idle) {
                calls.add((idle ? "idle" : "after batch") + (inBatch.get() ? " inside a batch" : ""));
                throw new IllegalStateException("housekeeping failed");
            }
        };
        try (WritePipeline pipeline = new WritePipeline(host, 16, "test-writer")) {
            long first = pipeline.submit(Recording::unit).join();
            long second = pipeline.submit(Recording::unit).join();
            assertThat(second).isGreaterThan(first);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (!calls.contains("idle") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(pipeline.submit(Recording::unit).join()).isGreaterThan(second);
        }
        assertThat(calls).contains("after batch", "idle").allMatch(c -> c.equals("after batch") || c.equals("idle"));
        assertThat(calls.stream().filter("after batch"::equals).count()).isGreaterThanOrEqualTo(2);
    }

    /**
     * A host whose connection misbehaves once, after the real commit of the first batch that wrote a
     * unit: {@code commit} or {@code close} then throws as a connection lost on the way back would.
     */
    static Recording failingAfterCommit(String name, String method) {
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        return new Recording(name) {
            @Override
            public Connection connection() throws SQLException {
                Connection real = super.connection();
                boolean[] wrote = {false};
                return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                        (proxy, m, args) -> {
                            Object result;
                            try {
                                result = m.invoke(real, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                            wrote[0] |= m.getName().equals("prepareStatement");
                            if (m.getName().equals(method) && wrote[0] && failed.compareAndSet(false, true)) {
                                throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
                            }
                            return result;
                        });
            }
        };
    }

    private static long units(Recording host) throws SQLException {
        try (Connection c = host.connection(); java.sql.Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM unit")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A batch of several units in the queue at once: the writer takes them together. */
    private static List<CompletableFuture<Long>> batchOfThree(WritePipeline pipeline) {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        CompletableFuture<Void> entered = new CompletableFuture<>();
        pipeline.submit(tx -> {
            entered.complete(null);
            gate.join();
            return 0L;
        });
        entered.join();
        List<CompletableFuture<Long>> batch = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            batch.add(pipeline.submit(Recording::unit));
        }
        gate.complete(null);
        return batch;
    }

    /**
     * The database committed the batch but the commit failed on the way back (the connection was
     * lost): the batch is not run again, which would write every unit twice, and no caller is told
     * that its write was not stored.
     */
    @Test
    void aBatchWhoseCommitFailedIsNotWrittenTwice() throws Exception {
        Recording host = failingAfterCommit("commit-lost", "commit");
        try (WritePipeline pipeline = new WritePipeline(host, 16, "test-writer")) {
            List<CompletableFuture<Long>> batch = batchOfThree(pipeline);
            for (CompletableFuture<Long> f : batch) {
                assertThat(f).failsWithin(java.time.Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                        .havingCause().isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                        .withMessageStartingWith("the state store at test failed while committing the write (An I/O error occurred")
                        .withMessageEndingWith("it is not acknowledged, and it may or may not be stored");
            }
            assertThat(units(host)).as("units in the database").isEqualTo(3);
            assertThat(pipeline.submit(Recording::unit).join()).isEqualTo(4);
        }
    }

    /** Giving the connection back failed after the commit: the batch is stored once and acknowledged. */
    @Test
    void aBatchWhoseConnectionFailedToCloseAfterTheCommitIsAcknowledgedOnce() throws Exception {
        Recording host = failingAfterCommit("close-failed", "close");
        try (WritePipeline pipeline = new WritePipeline(host, 16, "test-writer")) {
            List<CompletableFuture<Long>> batch = batchOfThree(pipeline);
            List<Long> ids = new ArrayList<>();
            for (CompletableFuture<Long> f : batch) {
                ids.add(f.get(10, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(ids).containsExactly(1L, 2L, 3L);
            assertThat(units(host)).as("units in the database").isEqualTo(3);
        }
    }

    /**
     * Before, the writer caught {@code RuntimeException} only: an {@code Error} while a batch ran
     * (an {@code OutOfMemoryError} on a batch of large writes, a {@code NoClassDefFoundError} after
     * a bundle refresh) ended the only writer thread, the batch's callers were never answered, and
     * every later write waited for good. Now every unit of that batch fails, naming the error and
     * that it is not stored (the transaction rolled back), and the writer goes on.
     */
    @Test
    void anErrorInABatchFailsThatBatchAndTheWriterGoesOn() throws Exception {
        Recording host = new Recording("error");
        try (WritePipeline pipeline = new WritePipeline(host, 16, "test-writer")) {
            CompletableFuture<Void> gate = new CompletableFuture<>();
            CompletableFuture<Void> entered = new CompletableFuture<>();
            pipeline.submit(tx -> {
                entered.complete(null);
                gate.join();
                return 0L;
            });
            entered.join();
            List<CompletableFuture<Long>> batch = List.of(pipeline.submit(Recording::unit), pipeline.submit(tx -> {
                Recording.unit(tx);
                throw new OutOfMemoryError("Java heap space (simulated)");
            }), pipeline.submit(Recording::unit));
            gate.complete(null);
            for (CompletableFuture<Long> f : batch) {
                assertThat(f).failsWithin(java.time.Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                        .havingCause().isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                        .withMessage("the state store at test failed to write: its writer hit java.lang.OutOfMemoryError: Java heap space "
                                + "(simulated); the write is not stored");
            }
            assertThat(units(host)).as("units in the database").isZero();
            assertThat(pipeline.submit(tx -> {
                throw new NoClassDefFoundError("dev/strata/provider/Gone");
            })).failsWithin(java.time.Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withMessageContaining("its writer hit java.lang.NoClassDefFoundError: dev/strata/provider/Gone");
            assertThat(pipeline.submit(Recording::unit)).as("a write after them").succeedsWithin(java.time.Duration.ofSeconds(10));
            assertThat(units(host)).isEqualTo(1);
        }
    }

    /**
     * Before, closing while the writer was held in a batch (a database that does not answer) left
     * the writes queued behind it unanswered for good once the close gave up waiting. Now the close
     * fails them as closed; the batch in hand is the writer's to answer.
     */
    @Test
    void closingFailsTheWritesStillQueued() throws Exception {
        Recording host = new Recording("close-queued");
        CompletableFuture<Void> gate = new CompletableFuture<>();
        CompletableFuture<Void> entered = new CompletableFuture<>();
        WritePipeline pipeline = new WritePipeline(host, 16, "test-writer");
        CompletableFuture<Long> held = pipeline.submit(tx -> {
            entered.complete(null);
            gate.join();
            return 0L;
        });
        entered.join();
        CompletableFuture<Long> queued = pipeline.submit(Recording::unit);
        try {
            pipeline.close(); // waits 10 s for the writer, held in its batch
            assertThat(queued).failsWithin(java.time.Duration.ZERO).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withMessageContaining("the state store at test is closed");
            assertThat(pipeline.submit(Recording::unit)).failsWithin(java.time.Duration.ZERO)
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class).withMessageContaining("is closed");
        } finally {
            gate.complete(null);
        }
        assertThat(held).succeedsWithin(java.time.Duration.ofSeconds(10)).isEqualTo(0L);
    }
    /**
     * The writer held in a batch (a database that does not answer) while writes keep coming: at
     * most {@link WritePipeline#QUEUE_LIMIT} wait for it, and the next one fails at once, saying
     * it is not stored; once the writer goes on, every queued write is stored and new ones are
     * queued again. Before, the queue had no bound and grew until the heap was spent.
     */
    @Test
    void aWriteBeyondTheQueueLimitWaitsForRoomThenFailsAndTheQueuedOnesAreStored() throws Exception {
        Recording host = new Recording("queue-limit");
        try (WritePipeline pipeline = new WritePipeline(host, 512, "test-writer", java.time.Duration.ofMillis(300))) {
            CompletableFuture<Void> gate = new CompletableFuture<>();
            CompletableFuture<Void> entered = new CompletableFuture<>();
            CompletableFuture<Long> held = pipeline.submit(tx -> {
                entered.complete(null);
                gate.join();
                return 0L;
            });
            entered.join();
            List<CompletableFuture<Long>> queued = new ArrayList<>();
            for (int i = 0; i < WritePipeline.QUEUE_LIMIT; i++) {
                queued.add(pipeline.submit(Recording::unit));
            }
            CompletableFuture<Long> beyond = pipeline.submit(Recording::unit); // waits 300 ms for room, which does not come
            try {
                assertThat(beyond).failsWithin(java.time.Duration.ZERO).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                        .havingCause().isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                        .withMessageContaining("the state store at test has " + WritePipeline.QUEUE_LIMIT + " writes waiting for its writer")
                        .withMessageContaining("no room came within 300 ms").withMessageContaining("this write is not stored");
            } finally {
                gate.complete(null);
            }
            assertThat(held).succeedsWithin(java.time.Duration.ofSeconds(30));
            for (CompletableFuture<Long> f : queued) {
                assertThat(f).succeedsWithin(java.time.Duration.ofSeconds(30));
            }
            assertThat(pipeline.submit(Recording::unit)).as("a write once the queue has drained").succeedsWithin(java.time.Duration.ofSeconds(10));
            try (Connection c = host.connection(); java.sql.Statement s = c.createStatement();
                    java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM unit")) {
                rs.next();
                assertThat(rs.getLong(1)).as("rows stored: the queued writes and the one after, not the one refused")
                        .isEqualTo(WritePipeline.QUEUE_LIMIT + 1L);
            }
        }
    }

    /**
     * A write made on the writer's own thread (a caller's continuation of a write, run as the writer completes it) while the
     * queue is full fails at once, as it must (the writer cannot wait for room it would make itself), and says so. Before,
     * its message said that no room came within the queue's wait (10 s), though it had waited for nothing, sending an
     * operator after a slow database.
     */
    @Test
    void aWriteMadeOnTheWritersThreadWhileTheQueueIsFullSaysItCannotWaitForRoom() throws Exception {
        Recording host = new Recording("writer-thread");
        try (WritePipeline pipeline = new WritePipeline(host, 512, "test-writer", 100, java.time.Duration.ofSeconds(10))) {
            CompletableFuture<Void> gate = new CompletableFuture<>();
            CompletableFuture<Void> entered = new CompletableFuture<>();
            CompletableFuture<Long> held = pipeline.submit(tx -> {
                entered.complete(null);
                gate.join();
                return 0L;
            });
            entered.join();
            List<CompletableFuture<Long>> queued = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                queued.add(pipeline.submit(Recording::unit));
            }
            // the continuation runs on the writer's thread as it completes the held write, the queue still full
            CompletableFuture<CompletableFuture<Long>> chained = held.thenApply(done -> pipeline.submit(Recording::unit));
            gate.complete(null);
            CompletableFuture<Long> next = chained.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(next).failsWithin(java.time.Duration.ZERO).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause().isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                    .withMessageContaining("the state store at test has 100 writes waiting for its writer, and this write was made on "
                            + "the writer's own thread")
                    .withMessageContaining("cannot wait for room").withMessageContaining("this write is not stored")
                    .withMessageNotContaining("no room came within");
            for (CompletableFuture<Long> f : queued) {
                assertThat(f).succeedsWithin(java.time.Duration.ofSeconds(30));
            }
        }
    }

    /**
     * A burst of more writes than the queue holds, submitted faster than the writer commits them (a log filled in bulk,
     * a pass recording many changes), is held back while the writer makes room, not refused: every write of it is
     * stored. (With the queue bounded at first, writes beyond 10,000 failed at once, and such a burst lost them.)
     */
    @Test
    void aBurstOfMoreWritesThanTheQueueHoldsIsHeldBackNotRefused() throws Exception {
        Recording host = new Recording("burst");
        int burst = WritePipeline.QUEUE_LIMIT * 3;
        try (WritePipeline pipeline = new WritePipeline(host, 512, "test-writer")) {
            List<CompletableFuture<Long>> all = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                all.add(pipeline.submit(Recording::unit));
            }
            for (CompletableFuture<Long> f : all) {
                assertThat(f).succeedsWithin(java.time.Duration.ofSeconds(60));
            }
            try (Connection c = host.connection(); java.sql.Statement s = c.createStatement();
                    java.sql.ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM unit")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(burst);
            }
        }
    }

    /**
     * Before, a batch that could not get a connection (PostgreSQL unreachable: the pool waits its
     * connect timeout, then fails) was run again unit by unit, each waiting for a connection of its
     * own: a batch of 512 writes held the only writer for 512 connect timeouts, and every write
     * queued behind it waited as long. A failure before any unit ran is no unit's: now the batch
     * asks for one connection, and every unit fails at once, naming what failed.
     */
    @Test
    void aBatchThatGetsNoConnectionFailsAtOnceNotUnitByUnit() throws Exception {
        AtomicInteger refused = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean unreachable = new java.util.concurrent.atomic.AtomicBoolean();
        Recording host = new Recording("no-connection") {
            @Override
            public Connection connection() throws SQLException {
                if (unreachable.get()) {
                    refused.incrementAndGet();
                    throw new SQLException("strata-store - Connection is not available, request timed out after 5000ms.", "08001");
                }
                return super.connection();
            }

            @Override
            public void sync() {
                // (the recording fsync reads through a connection of its own)
            }
        };
        try (WritePipeline pipeline = new WritePipeline(host, 16, "test-writer")) {
            CompletableFuture<Void> gate = new CompletableFuture<>();
            CompletableFuture<Void> entered = new CompletableFuture<>();
            pipeline.submit(tx -> {
                entered.complete(null);
                gate.join();
                return 0L;
            });
            entered.join();
            List<CompletableFuture<Long>> batch = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                batch.add(pipeline.submit(Recording::unit));
            }
            unreachable.set(true);
            gate.complete(null);
            for (CompletableFuture<Long> f : batch) {
                assertThat(f).failsWithin(java.time.Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                        .havingCause().isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                        .withMessage("the state store at test failed to write: strata-store - Connection is not available, request "
                                + "timed out after 5000ms. (SQL state 08001)");
            }
            assertThat(refused.get()).as("connections asked for by the batch of five").isEqualTo(1);
            unreachable.set(false);
            assertThat(pipeline.submit(Recording::unit)).as("a write once the database answers again")
                    .succeedsWithin(java.time.Duration.ofSeconds(10));
        }
    }
    /**
     * Before, a runtime exception after the commit (making it durable threw one, as H2's store
     * header check does on a header it cannot read) failed the batch's writes with that exception
     * alone: a caller was told its write failed, not that it was committed and may well be stored,
     * and might make it a second time. Now each unit fails saying it is not acknowledged and may or
     * may not be stored, and the writer goes on.
     */
    @Test
    void aRuntimeExceptionAfterTheCommitSaysTheWriteMayBeStored() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean failSync = new java.util.concurrent.atomic.AtomicBoolean(true);
        Recording host = new Recording("sync-throws") {
            @Override
            public void sync() throws IOException {
                if (failSync.getAndSet(false)) {
                    throw new NumberFormatException("For input string: \"zz\" under radix 16");
                }
                super.sync();
            }
        };
        try (WritePipeline pipeline = new WritePipeline(host, 16, "test-writer")) {
            assertThat(pipeline.submit(Recording::unit)).failsWithin(java.time.Duration.ofSeconds(10))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause().isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                    .withMessage("the state store at test failed to write: its writer hit java.lang.NumberFormatException: For input "
                            + "string: \"zz\" under radix 16; the write is not acknowledged, and it may or may not be stored");
            assertThat(units(host)).as("the unit committed").isEqualTo(1);
            assertThat(pipeline.submit(Recording::unit)).as("a write after it").succeedsWithin(java.time.Duration.ofSeconds(10)).isEqualTo(2L);
        }
    }

    /**
     * What a failed housekeeping step threw (H2's store, whose messages quote what it read) reaches
     * the writer's warning with its line breaks and format characters escaped and a known secret
     * masked. Before, the warning printed the exception as it was: a line break forged a log line,
     * a zero-width space and U+061C went out unseen, and the secret showed.
     */
    @Test
    void aHousekeepingFailureIsLoggedEscapedAndMasked() throws Exception {
        String secret = "hk-" + java.util.UUID.randomUUID();
        dev.strata.platform.core.provenance.ProviderText.knowSecret(secret);
        Recording host = new Recording("housekeeping-text") {
            @Override
            public void housekeeping(boolean idle) {
                throw new IllegalStateException("chunk \"" + secret + "\u200b\u061c\"\n2026-01-01 forged line");
            }
        };
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture();
                WritePipeline pipeline = new WritePipeline(host, 16, "test-writer")) {
            pipeline.submit(Recording::unit).join();
            // the writer runs the housekeeping after the first batch before it takes the second
            pipeline.submit(Recording::unit).join();
            String line = log.text().lines().filter(l -> l.contains("housekeeping at test failed")).findFirst().orElseThrow();
            assertThat(line).endsWith("java.lang.IllegalStateException: chunk \"****\\u200b\\u061c\"\\u000a2026-01-01 forged line");
            assertThat(log.text()).doesNotContain(secret).doesNotContain("\u200b").doesNotContain("\u061c")
                    .doesNotContain("\n2026-01-01 forged line");
        }
    }

    /**
     * An exception after the commit that quotes what it read (H2's store header check) is logged by
     * the writer, and told to the batch's callers, with its line breaks and format characters
     * escaped and a known secret masked, in the log line's stack trace too. Before, the log printed
     * the exception as it was, and the callers' message carried its text raw.
     */
    @Test
    void aWriterErrorIsLoggedAndToldEscapedAndMasked() throws Exception {
        String secret = "wr-" + java.util.UUID.randomUUID();
        dev.strata.platform.core.provenance.ProviderText.knowSecret(secret);
        java.util.concurrent.atomic.AtomicBoolean failSync = new java.util.concurrent.atomic.AtomicBoolean(true);
        Recording host = new Recording("sync-throws-text") {
            @Override
            public void sync() throws IOException {
                if (failSync.getAndSet(false)) {
                    throw new IllegalStateException("header \"" + secret + "\u200b\ufeff\"\n2026-01-01 forged line");
                }
                super.sync();
            }
        };
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture();
                WritePipeline pipeline = new WritePipeline(host, 16, "test-writer")) {
            assertThat(pipeline.submit(Recording::unit)).failsWithin(java.time.Duration.ofSeconds(10))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause().isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                    .withMessage("the state store at test failed to write: its writer hit java.lang.IllegalStateException: header "
                            + "\"****\\u200b\\ufeff\"\\u000a2026-01-01 forged line; the write is not acknowledged, and it may or may "
                            + "not be stored");
            assertThat(log.text()).contains("State store writer at test: java.lang.IllegalStateException while running a batch of 1 writes")
                    .contains("java.lang.IllegalStateException: header \"****\\u200b\\ufeff\"\\u000a2026-01-01 forged line")
                    .doesNotContain(secret).doesNotContain("\u200b").doesNotContain("\ufeff").doesNotContain("\n2026-01-01 forged line");
        }
    }
}
