package dev.strata.benchmarks;

import dev.strata.platform.core.store.DataSources;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.StoreConfig;
import dev.strata.platform.core.store.StoreJournal;
import dev.strata.platform.core.store.StoreSettings;
import dev.strata.provider.baremetal.bmc.BmcProvider;
import dev.strata.provider.baremetal.bmc.Operation;
import dev.strata.provider.baremetal.bmc.OperationJournal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.osgi.util.converter.Converters;

/**
 * What one step of a BMC operation costs to journal, and to read back, where the BMC provider keeps
 * its journal: {@code directory} (a file per operation, written to a temporary file, forced, renamed,
 * the folder forced) or {@code store} (Strata's embedded state store through the core's
 * {@code ProviderJournal}: a group commit forced to disk). The provider writes five to seven records
 * per machine it provisions, each before it acts, and reads the operation back on every repeated call.
 * The journal holds {@code operations} other operations, as a rack's worth of provisioned machines.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BmcJournalBenchmark {

    @Param({"directory", "store"})
    public String journal;

    @Param({"100"})
    public int operations;

    private Path work;
    private JdbcStateStore store;
    private OperationJournal records;
    private Operation op;
    private long n;

    @Setup
    public void setUp() throws IOException {
        work = Files.createTempDirectory("strata-bmc-journal-bench-");
        if (journal.equals("store")) {
            StoreSettings settings = StoreSettings.from(Converters.standardConverter().convert(Map.of("instanceId", "bench"))
                    .to(StoreConfig.class), work.resolve("data"), work.resolve("data"));
            store = JdbcStateStore.open(settings, DataSources.direct(settings, new org.h2.util.OsgiDataSourceFactory(new org.h2.Driver())),
                    Clock.systemUTC());
            records = OperationJournal.inStateStore(work.resolve("legacy"));
            records.attach(new StoreJournal(store), BmcProvider.ID);
        } else {
            records = new OperationJournal(work.resolve("journal"));
        }
        Instant t0 = Instant.parse("2026-12-02T10:00:00Z");
        for (int i = 0; i < operations; i++) {
            records.put(new Operation("op-rack-" + i, "d-000001", "worker", "lab-ops", "bmc:node-" + i, "rack1", "/redfish/v1/Systems/" + i,
                    "pxe", null, "force", Operation.Phase.RUNNING, null, null, t0, t0, null));
        }
        op = new Operation("op-bench", "d-000002", "worker", "lab-ops", "bmc:node-bench", "rack1", "/redfish/v1/Systems/bench", "pxe", null,
                "force", Operation.Phase.CLAIMED, null, null, t0, t0, null);
        records.put(op);
    }

    @TearDown
    public void tearDown() throws IOException {
        if (store != null) {
            store.close();
        }
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** One phase change journalled durably, as before every action on a BMC. */
    @Benchmark
    public Operation put() {
        long i = n++;
        Instant at = Instant.parse("2026-12-02T10:00:00Z").plusMillis(i);
        return records.put(op.with(i % 2 == 0 ? Operation.Phase.BOOT_SET : Operation.Phase.CLAIMED, at));
    }

    /** The operation read back, as on every repeated create, describe or find. */
    @Benchmark
    public Object get() {
        return records.get("op-bench").orElseThrow();
    }
}
