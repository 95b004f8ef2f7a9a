package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.exception.StateStoreException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The records of create requests: kept in the core's journal where there is one, read back whole, never lost silently. */
class CreateJournalTest {

    static final Instant T = Instant.parse("2026-12-03T00:00:00Z");
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
        assertThat(restarted.get("os", "op-1")).isEmpty();
        restarted.attach(store);
        assertThat(restarted.get("os", "op-1")).contains(unknown(T));
        assertThat(restarted.get("os", "op-2")).isEmpty();
        assertThat(restarted.get("other", "op-1")).isEmpty();
    }

    @Test
    void withoutAJournalRecordsAreKeptInMemoryAndTheNewerOneWins() {
        journal.put("os", "op-1", unknown(T));
        assertThat(journal.get("os", "op-1")).contains(unknown(T));
        MemoryJournal store = new MemoryJournal();
        store.put("os", "op-1", unknown(T.minusSeconds(5)).toJson());
        journal.attach(store);
        assertThat(journal.get("os", "op-1")).contains(unknown(T));
        CreateJournal.Entry accepted = new CreateJournal.Entry(CreateJournal.State.ACCEPTED, T.plusSeconds(1), null, "srv-1", null);
        journal.put("os", "op-1", accepted);
        assertThat(journal.get("os", "op-1")).contains(accepted);
        assertThat(accepted.mayHaveMadeServer()).isTrue();
        assertThat(accepted.unanswered()).isFalse();
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
        assertThat(journal.get("os", "op-1")).isEmpty();
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
        assertThatThrownBy(() -> journal.get("os", "op-1")).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageEndingWith("(the store is down); nothing was sent to Nova");
        journal.detach(broken);
        MemoryJournal store = new MemoryJournal();
        store.put("os", "op-1", "{\"state\": \"WHATEVER\"}");
        journal.attach(store);
        assertThat(journal.get("os", "op-1")).get().satisfies(e -> {
            assertThat(e.state()).isEqualTo(CreateJournal.State.UNKNOWN);
            assertThat(e.unanswered()).isTrue();
        });
    }
}
