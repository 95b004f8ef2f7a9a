package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.exception.StateStoreException;
import dev.strata.platform.testkit.MemoryJournal;
import dev.strata.platform.testkit.SettableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The records of create requests: kept in the core's journal where there is one, read back whole, never lost silently. */
class CreateJournalTest {

    static final Instant T = Instant.parse("2026-12-03T00:00:00Z");
    /** How long an unreadable record holds back a new request (requestTimeout + createSettle, for the provider). */
    static final Duration QUIET = Duration.ofSeconds(90);
    final CreateJournal journal = new CreateJournal(Clock.fixed(T, ZoneOffset.UTC));

    static CreateJournal.Entry unknown(Instant at) {
        return new CreateJournal.Entry(CreateJournal.State.UNKNOWN, at, at.plusSeconds(60), null, "Nova answered 504 Gateway Timeout");
    }

    @Test
    void aRecordGoesToTheCoresJournalAndReadsBackAsWritten() {
        MemoryJournal store = new MemoryJournal();
        journal.attach(store);
        journal.put("os", "op-1", unknown(T));
        assertThat(store.get("os", "op-1")).get().asString().contains("\"state\":\"UNKNOWN\"").contains("\"quietUntil\":\"2026-12-03T00:01:00Z\"");
        // What a restarted Strata reads: a new holder on the same store.
        CreateJournal restarted = new CreateJournal(Clock.fixed(T, ZoneOffset.UTC));
        assertThat(restarted.get("os", "op-1", QUIET)).isEmpty();
        restarted.attach(store);
        assertThat(restarted.get("os", "op-1", QUIET)).contains(unknown(T));
        assertThat(restarted.get("os", "op-2", QUIET)).isEmpty();
        assertThat(restarted.get("other", "op-1", QUIET)).isEmpty();
    }

    @Test
    void withoutAJournalRecordsAreKeptInMemoryAndTheNewerOneWins() {
        journal.put("os", "op-1", unknown(T));
        assertThat(journal.get("os", "op-1", QUIET)).contains(unknown(T));
        MemoryJournal store = new MemoryJournal();
        store.put("os", "op-1", unknown(T.minusSeconds(5)).toJson());
        journal.attach(store);
        assertThat(journal.get("os", "op-1", QUIET)).contains(unknown(T));
        CreateJournal.Entry accepted = new CreateJournal.Entry(CreateJournal.State.ACCEPTED, T.plusSeconds(1), null, "srv-1", null);
        journal.put("os", "op-1", accepted);
        assertThat(journal.get("os", "op-1", QUIET)).contains(accepted);
        assertThat(accepted.mayHaveMadeServer()).isTrue();
        assertThat(accepted.unanswered()).isFalse();
    }

    /**
     * Two instances of a highly available Strata share the core's journal; one's clock is ten
     * minutes ahead of the other's. The fast one recorded that Nova refused the operation's create;
     * the other took the operation over, asked again and recorded that Nova failed it (500: the
     * server may exist, the request is never sent again). Before, the fast instance compared the
     * record it kept in memory with the journal's by their instants, from the two clocks, took its
     * own older REFUSED for the newer and would have sent the request again. Now a record this
     * instance wrote to the journal yields to what the journal holds, which is what was written
     * there last, whatever the clocks say.
     */
    @Test
    void aRecordAnotherInstanceWroteLaterWinsOverThisOnesWhateverTheClocks() {
        MemoryJournal store = new MemoryJournal();
        CreateJournal fast = new CreateJournal(Clock.fixed(T.plus(Duration.ofMinutes(10)), ZoneOffset.UTC));
        CreateJournal other = new CreateJournal(Clock.fixed(T, ZoneOffset.UTC));
        fast.attach(store);
        other.attach(store);
        fast.put("os", "op-1", new CreateJournal.Entry(CreateJournal.State.REFUSED, T.plus(Duration.ofMinutes(10)), null, null,
                "Nova answered 400 Bad Request"));
        CreateJournal.Entry failed = new CreateJournal.Entry(CreateJournal.State.FAILED, T.plusSeconds(30), T.plusSeconds(120), null,
                "Nova answered 500 Internal Server Error");
        other.put("os", "op-1", failed);

        assertThat(fast.get("os", "op-1", QUIET)).as("the record the fast instance reads").contains(failed);
        assertThat(other.get("os", "op-1", QUIET)).contains(failed);
    }

    @Test
    void aRecordTheJournalDidNotTakeIsRefusedAndNotKeptInMemory() {
        journal.attach(new MemoryJournal() {
            @Override
            public void put(String providerId, String operationId, String record) {
                throw new StateStoreException("the store is down");
            }
        });
        assertThatThrownBy(() -> journal.put("os", "op-1", unknown(T))).isInstanceOf(ProviderUnavailableException.class)
                .hasMessage("the create request of operation op-1 cannot be recorded in the test's journal (the store is down)");
        assertThat(journal.get("os", "op-1", QUIET)).isEmpty();
    }

    @Test
    void aJournalThatCannotBeReadRefusesAndAnUnreadableRecordCountsAsUnanswered() {
        MemoryJournal broken = new MemoryJournal() {
            @Override
            public java.util.Optional<String> get(String providerId, String operationId) {
                throw new StateStoreException("the store is down");
            }
        };
        journal.attach(broken);
        assertThatThrownBy(() -> journal.get("os", "op-1", QUIET)).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageEndingWith("(the store is down); nothing was sent to Nova");
        journal.detach(broken);
        MemoryJournal store = new MemoryJournal();
        store.put("os", "op-1", "{\"state\": \"WHATEVER\"}");
        journal.attach(store);
        assertThat(journal.get("os", "op-1", QUIET)).get().satisfies(e -> {
            assertThat(e.state()).isEqualTo(CreateJournal.State.UNKNOWN);
            assertThat(e.unanswered()).isTrue();
        });
    }

    /**
     * An unreadable record says a request was sent, not when: it is taken as sent when this
     * process first read it, and holds back a new request for the quiet time from then, the same
     * instant on every read of that text (not from each read, which would hold it back for good).
     * A restarted Strata waits anew; another unreadable text starts its own wait; a record written
     * over it ends it. Before, it was taken as a request whose quiet time had already ended, and
     * the create request was sent again at once.
     */
    @Test
    void anUnreadableRecordIsARequestSentWhenFirstReadAndHoldsBackTheNextOneForTheQuietTime() {
        SettableClock clock = SettableClock.at(T);
        CreateJournal reader = new CreateJournal(clock);
        MemoryJournal store = new MemoryJournal();
        store.put("os", "op-1", "{\"state\": \"SENT_BY_A_NEWER_STRATA\", \"at\": \"2026-12-02T23:59:00Z\"}");
        reader.attach(store);
        assertThat(reader.get("os", "op-1", QUIET)).get().satisfies(e -> {
            assertThat(e.state()).isEqualTo(CreateJournal.State.UNKNOWN);
            assertThat(e.at()).isEqualTo(T);
            assertThat(e.quietUntil()).isEqualTo(T.plus(QUIET));
            assertThat(e.unanswered()).isTrue();
            assertThat(e.mayHaveMadeServer()).isTrue();
            assertThat(e.detail()).startsWith("its record in the test's journal is unreadable (")
                    .endsWith("), so when it was sent is not known; it is taken as sent at " + T + ", when this Strata first read the record");
        });
        clock.set(T.plusSeconds(60));
        assertThat(reader.get("os", "op-1", QUIET)).get().extracting(CreateJournal.Entry::quietUntil).isEqualTo(T.plus(QUIET));
        clock.set(T.plus(QUIET).plusSeconds(1));
        assertThat(reader.get("os", "op-1", QUIET)).get().satisfies(e -> assertThat(e.quietUntil()).isBefore(clock.instant()));

        // a restarted Strata knows nothing of the first read: it waits again from its own
        CreateJournal restarted = new CreateJournal(clock);
        restarted.attach(store);
        assertThat(restarted.get("os", "op-1", QUIET)).get().extracting(CreateJournal.Entry::quietUntil)
                .isEqualTo(clock.instant().plus(QUIET));
        // another unreadable text is another request: a wait of its own
        Instant second = clock.instant().plusSeconds(5);
        clock.set(second);
        store.put("os", "op-1", "not JSON");
        assertThat(reader.get("os", "op-1", QUIET)).get().extracting(CreateJournal.Entry::quietUntil).isEqualTo(second.plus(QUIET));
        // a record written over it is read as written
        reader.put("os", "op-1", unknown(second.plusSeconds(1)));
        assertThat(reader.get("os", "op-1", QUIET)).contains(unknown(second.plusSeconds(1)));
    }

    /**
     * An unreadable record's text is the state store's, as written or damaged since, and the
     * parser quotes it: the record's detail and the warning that the record is unreadable show it
     * printable. Before, a control character in it went into both as the record held it.
     */
    @Test
    void theTextOfAnUnreadableRecordIsShownPrintable() throws java.io.IOException {
        String tag = java.util.UUID.randomUUID().toString().substring(0, 8);
        MemoryJournal store = new MemoryJournal();
        store.put("os", "op-" + tag, "{\"state\": \"SENT\\u001b[2J\\n" + tag + "\", \"at\": \"2026-12-02T23:59:00Z\"}");
        journal.attach(store);
        assertThat(journal.get("os", "op-" + tag, QUIET)).get().extracting(CreateJournal.Entry::detail).asString()
                .contains("No enum constant").contains("SENT\\u001b[2J\\u000a" + tag).doesNotContain("\u001b").doesNotContain("\n");
        String log = java.nio.file.Files.readString(LogFile.path());
        assertThat(log).contains("the record of operation op-" + tag + " in the test's journal is unreadable (")
                .contains("SENT\\u001b[2J\\u000a" + tag).doesNotContain("SENT\u001b[2J\n" + tag);
    }

    /**
     * Without the core's journal, a record that decides every later create (Nova made the
     * operation's server; Nova failed its request, which is never sent again) stays in memory
     * however old, as the core's journal keeps it: before, it was dropped a day after it was
     * written, at the next record of any operation, and a later create of the operation whose
     * server had been deleted found no record and made a second server. A record that decides
     * nothing any more (refused, or unanswered long after its quiet time) is still dropped.
     */
    @Test
    void aRecordThatDecidesLaterCreatesIsKeptInMemoryBeyondADay() {
        SettableClock clock = SettableClock.at(T);
        CreateJournal memoryOnly = new CreateJournal(clock);
        CreateJournal.Entry accepted = new CreateJournal.Entry(CreateJournal.State.ACCEPTED, T, null, "srv-1", null);
        CreateJournal.Entry failed = new CreateJournal.Entry(CreateJournal.State.FAILED, T, T.plusSeconds(60), null, "Nova answered 500");
        CreateJournal.Entry refused = new CreateJournal.Entry(CreateJournal.State.REFUSED, T, null, null, "Nova answered 400");
        memoryOnly.put("os", "op-accepted", accepted);
        memoryOnly.put("os", "op-failed", failed);
        memoryOnly.put("os", "op-refused", refused);
        memoryOnly.put("os", "op-unknown", unknown(T));
        clock.advance(Duration.ofDays(30));
        memoryOnly.put("os", "op-later", unknown(clock.instant()));
        assertThat(memoryOnly.get("os", "op-accepted", QUIET)).contains(accepted);
        assertThat(memoryOnly.get("os", "op-failed", QUIET)).contains(failed);
        assertThat(memoryOnly.get("os", "op-refused", QUIET)).isEmpty();
        assertThat(memoryOnly.get("os", "op-unknown", QUIET)).isEmpty();

        // once the core's journal is attached, the records memory alone holds are still kept, and read
        MemoryJournal store = new MemoryJournal();
        memoryOnly.attach(store);
        clock.advance(Duration.ofDays(30));
        memoryOnly.put("os", "op-stored", unknown(clock.instant()));
        assertThat(memoryOnly.get("os", "op-accepted", QUIET)).contains(accepted);
        assertThat(memoryOnly.get("os", "op-failed", QUIET)).contains(failed);
    }
}
