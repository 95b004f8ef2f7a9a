package dev.strata.platform.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.provisioning.ProviderJournal;
import org.junit.jupiter.api.Test;

/**
 * The kit's journal refuses what the core's journal refuses, as {@link ProviderJournal#put} says.
 * Before, it kept a record of any length under any id, so a provider whose records outgrew
 * {@link ProviderJournal#MAX_RECORD} passed its tests and failed its first long operation on a
 * real Strata.
 */
class MemoryJournalTest {

    @Test
    void aRecordLongerThanTheCoresLimitIsRefused() {
        MemoryJournal journal = new MemoryJournal();
        String longest = "x".repeat(ProviderJournal.MAX_RECORD);
        journal.put("bmc", "op-1", longest);
        assertThat(journal.get("bmc", "op-1")).contains(longest);
        assertThatThrownBy(() -> journal.put("bmc", "op-1", longest + "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a journal record of 65537 characters for operation op-1 of provider bmc: expected 1 to 65536 characters");
        assertThat(journal.get("bmc", "op-1")).as("the refused record replaces nothing").contains(longest);
    }

    @Test
    void anEmptyRecordIsRefused() {
        MemoryJournal journal = new MemoryJournal();
        assertThatThrownBy(() -> journal.put("bmc", "op-1", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a journal record of 0 characters for operation op-1 of provider bmc: expected 1 to 65536 characters");
        assertThat(journal.all("bmc")).isEmpty();
    }

    @Test
    void aBlankOrOverlongIdIsRefused() {
        MemoryJournal journal = new MemoryJournal();
        assertThatThrownBy(() -> journal.put(" ", "op-1", "{}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a provider id of 1 characters, all blank: expected 1 to 256 characters, not blank");
        assertThatThrownBy(() -> journal.put("bmc", "o".repeat(257), "{}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an operation id of 257 characters: expected 1 to 256 characters, not blank");
        assertThatThrownBy(() -> journal.get("bmc", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an operation id of null: expected 1 to 256 characters, not blank");
        assertThat(journal.all("bmc")).isEmpty();
    }
}
