package dev.strata.platform.core.inventory;

import static dev.strata.platform.core.inventory.TestNodes.compute;
import static dev.strata.platform.core.inventory.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.provider.Capability;
import dev.strata.platform.core.store.AuditFilter;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.audit.LogRecord;
import dev.strata.platform.core.store.StoreTestAccess;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provider state changes and swaps reach the provenance log: the provider directory as the
 * inventory service wires it, the recorder, and a real embedded state store.
 */
class ProviderRecorderTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path data;

    private final AtomicLong serviceIds = new AtomicLong();
    private final Clock clock = Clock.systemUTC();
    /** The monotonic clock the grace period is measured on, which a test moves past it instead of waiting it out. */
    private final AtomicLong ticker = new AtomicLong();
    private JdbcStateStore store;
    private ProviderDirectory directory;
    private ProviderRecorder recorder;

    @BeforeEach
    void open() {
        store = StoreTestAccess.embedded(data);
        directory = new ProviderDirectory(new InventorySettings(Duration.ofHours(1), WAIT, WAIT, Duration.ofMillis(200)), new DeadlineExecutor(4),
                clock, ticker::get);
        recorder = new ProviderRecorder();
        directory.listen(recorder);
    }

    @AfterEach
    void close() {
        directory.close();
        store.close();
    }

    private void attachStore() {
        recorder.store(store);
        directory.onEventThread(recorder::flush);
    }

    private Registration registration(String id, String version, Registration.Discoverer discoverer) {
        return new Registration(id, "vendor-" + id, version, "bundle." + id, serviceIds.incrementAndGet(), Capability.COMPUTE, discoverer);
    }

    /** The provider records in the log, oldest first, as "kind event from>to version". */
    private List<String> records(int expected) {
        Supplier<List<String>> read = () -> store.provenance().find(new AuditFilter(null, null, null, null, null, null, null, 100, false))
                .stream().filter(r -> r.kind().equals("provider-state") || r.kind().equals("swap"))
                .map(ProviderRecorderTest::line).toList();
        Instant deadline = Instant.now().plusSeconds(10);
        List<String> got = read.get();
        while (got.size() < expected && Instant.now().isBefore(deadline)) {
            sleep(20);
            got = read.get();
        }
        return got;
    }

    /**
     * Waits until the directory has told the recorder of every change it has seen: its event thread runs a task after
     * the changes seen before it.
     */
    private void delivered() {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        directory.onEventThread(done::countDown);
        try {
            assertThat(done.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the changes seen were delivered").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String line(LogRecord r) {
        return r.kind() + " " + r.subjects().get("provider") + " " + r.payload().get("event") + " " + r.payload().get("from") + ">"
                + r.payload().get("to") + " " + r.payload().get("version");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void registrationDiscoveryFailureRecoveryDepartureAndSwapAreRecordedInOrder() {
        attachStore();
        AtomicBoolean broken = new AtomicBoolean();
        Registration v1 = registration("metal", "1.0", ctx -> {
            if (broken.get()) {
                throw new IllegalStateException("BMC 10.0.0.7 did not answer");
            }
            return compute(1, node("n1", "metal", "host1"));
        });
        directory.register(v1);
        directory.refresh("metal", WAIT);
        directory.refresh("metal", WAIT); // the same state again is no news
        broken.set(true);
        assertThatThrownBy(() -> directory.refresh("metal", WAIT)).isInstanceOf(ProviderFailureException.class);
        broken.set(false);
        directory.refresh("metal", WAIT);
        directory.unregister(v1.serviceId(), Capability.COMPUTE);
        directory.register(registration("metal", "1.1", ctx -> compute(2, node("n1", "metal", "host1"))));
        directory.refresh("metal", WAIT);

        assertThat(records(7)).containsExactly(
                "provider-state metal registered null>STARTING 1.0",
                "provider-state metal active STARTING>ACTIVE 1.0",
                "provider-state metal failed ACTIVE>FAILED 1.0",
                "provider-state metal active FAILED>ACTIVE 1.0",
                "provider-state metal departed ACTIVE>DEPARTED 1.0",
                "swap metal returned DEPARTED>STARTING 1.1",
                "provider-state metal active STARTING>ACTIVE 1.1");
        List<LogRecord> all = store.provenance().find(new AuditFilter(null, null, null, null, null, null, null, 100, false));
        LogRecord failed = all.stream().filter(r -> "failed".equals(r.payload().get("event"))).findFirst().orElseThrow();
        assertThat(failed.payload().get("message")).asString().contains("BMC 10.0.0.7 did not answer");
        assertThat(failed.actor()).isEqualTo("system");
        LogRecord swap = all.stream().filter(r -> r.kind().equals("swap")).findFirst().orElseThrow();
        assertThat(swap.payload()).containsEntry("previousVersion", "1.0").containsEntry("version", "1.1")
                .containsEntry("bundle", "bundle.metal");
        assertThat(swap.payload().get("summary")).isEqualTo("provider metal swapped: version 1.1 replaces 1.0");
        assertThat(StoreTestAccess.verifyChain(store).holds()).isTrue();
    }

    @Test
    void changesSeenBeforeTheStoreIsThereAreWrittenWhenItComes() {
        directory.register(registration("early", "1.0", ctx -> compute(1, node("e1", "early", "h"))));
        directory.refresh("early", WAIT);
        delivered();
        assertThat(store.provenance().find(new AuditFilter(null, null, null, null, "provider-state", null, null, 10, false))).isEmpty();
        attachStore();
        assertThat(records(2)).containsExactly("provider-state early registered null>STARTING 1.0",
                "provider-state early active STARTING>ACTIVE 1.0");
    }

    @Test
    void aProviderThatNeverReturnsIsDroppedAndThatIsRecorded() {
        attachStore();
        Registration r = registration("gone", "1.0", ctx -> compute(1, node("g1", "gone", "h")));
        directory.register(r);
        directory.refresh("gone", WAIT);
        directory.unregister(r.serviceId(), Capability.COMPUTE);
        ticker.addAndGet(Duration.ofMillis(300).toNanos()); // past the 200 ms grace period
        directory.tick();
        List<String> lines = records(4);
        assertThat(lines).hasSize(4).last().isEqualTo("provider-state gone dropped DEPARTED>DEPARTED 1.0");
        assertThat(directory.ids()).doesNotContain("gone");
    }

    @Test
    void aStoreThatRefusesKeepsTheChangeForTheNextTry() {
        JdbcStateStore closed = StoreTestAccess.embedded(data.resolve("other"));
        closed.close();
        recorder.store(closed);
        directory.onEventThread(recorder::flush);
        directory.register(registration("p", "1.0", ctx -> compute(1, node("p1", "p", "h"))));
        directory.refresh("p", WAIT);
        delivered(); // and refused by the closed store
        attachStore(); // a working store: the backlog, oldest first
        assertThat(records(2)).containsExactly("provider-state p registered null>STARTING 1.0", "provider-state p active STARTING>ACTIVE 1.0");
    }
}
