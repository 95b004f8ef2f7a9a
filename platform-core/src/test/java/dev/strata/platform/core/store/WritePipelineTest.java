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
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The group-commit writer with its fsync thread, on an in-memory H2 (the durability step is this
 * test's: it records which commits each fsync covered). No caller may be answered before an fsync
 * that began after its batch committed, whatever the timing.
 */
class WritePipelineTest {

    /** Counts commits and fsyncs; an fsync covers the commits made before it began. */
    static final class Recording implements WritePipeline.Host {
        final AtomicLong commits = new AtomicLong();
        final AtomicLong durableUpTo = new AtomicLong();
        final AtomicInteger syncs = new AtomicInteger();
        final AtomicInteger failNextSyncs = new AtomicInteger();
        final boolean fsync;
        private final String url;

        Recording(boolean fsync, String name) {
            this.fsync = fsync;
            this.url = "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
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
        public boolean syncs() {
            return fsync;
        }

        @Override
        public void sync() throws IOException {
            long covers = commits.get();
            syncs.incrementAndGet();
            try {
                Thread.sleep(1 + (covers % 3)); // an fsync takes a while: the writer commits meanwhile
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failNextSyncs.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IOException("No space left on device");
            }
            durableUpTo.accumulateAndGet(covers, Math::max);
        }

        @Override
        public String where() {
            return "test";
        }
    }

    @Test
    void noCallerIsAnsweredBeforeAnFsyncThatBeganAfterItsCommit() throws Exception {
        Recording host = new Recording(true, "ordered");
        List<String> violations = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Long>> futures = new CopyOnWriteArrayList<>();
        try (WritePipeline pipeline = new WritePipeline(host, 16, "test-writer")) {
            List<Thread> callers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Thread caller = new Thread(() -> {
                    for (int i = 0; i < 150; i++) {
                        // the unit runs before its batch commits: its batch is the next commit
                        CompletableFuture<Long> f = pipeline.submit(tx -> host.commits.get() + 1);
                        f.thenAccept(batch -> {
                            if (host.durableUpTo.get() < batch) {
                                violations.add("commit " + batch + " answered when fsyncs covered " + host.durableUpTo.get());
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
        assertThat(counts[1]).as("fsyncs: each covers every batch committed before it, so there are fewer than batches").isLessThanOrEqualTo(counts[0]);
    }

    @Test
    void aFailedFsyncFailsTheBatchesItWasToCoverAndNoOthers() throws Exception {
        Recording host = new Recording(true, "failing");
        try (WritePipeline pipeline = new WritePipeline(host, 16, "test-writer")) {
            assertThat(pipeline.submit(tx -> "before").join()).isEqualTo("before");
            host.failNextSyncs.set(1);
            CompletableFuture<String> lost = pipeline.submit(tx -> "lost");
            assertThat(lost).failsWithin(java.time.Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause().isInstanceOf(dev.strata.platform.api.exception.StateStoreException.class)
                    .withMessage("the state store at test could not force its file to disk (No space left on device); the write may not "
                            + "survive a machine crash");
            assertThat(pipeline.submit(tx -> "after").join()).isEqualTo("after");
        }
    }

    @Test
    void withoutAnFsyncStepCallersAreAnsweredAtCommit() {
        Recording host = new Recording(false, "nosync");
        try (WritePipeline pipeline = new WritePipeline(host, 16, "test-writer")) {
            assertThat(pipeline.submit(tx -> 42).join()).isEqualTo(42);
        }
        assertThat(host.syncs.get()).isZero();
    }

    static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            throw (RuntimeException) e.getCause();
        }
    }
}
