package dev.strata.platform.testkit;

import dev.strata.platform.api.provisioning.ProviderJournal;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The core's {@link ProviderJournal} as a provider sees it, kept in a map: what two provider
 * instances that share one see is what a restarted Strata (or the next leader) sees of the state
 * store. Its {@link #location()} is {@code "the test's journal"}, which a provider's messages
 * name. It refuses what the core's journal refuses, with {@link IllegalArgumentException} as
 * {@link ProviderJournal#put} says (a blank id or one longer than 256 characters, an empty record
 * or one longer than {@link #MAX_RECORD}): a provider whose records outgrow the limit fails its
 * own tests, not its first long operation in production. A test that needs a journal that fails
 * overrides the call that should fail:
 *
 * <pre>
 * provider.bindJournal(new MemoryJournal() {
 *     &#64;Override
 *     public void put(String providerId, String operationId, String record) {
 *         throw new StateStoreException("the store is down");
 *     }
 * });
 * </pre>
 *
 * Thread-safe.
 */
public class MemoryJournal implements ProviderJournal {

    /** The longest id the core's journal takes, in characters. */
    private static final int MAX_ID = 256;

    private final Map<String, Map<String, String>> records = new ConcurrentHashMap<>();

    @Override
    public Optional<String> get(String providerId, String operationId) {
        return Optional.ofNullable(records.getOrDefault(id("a provider id", providerId), Map.of()).get(id("an operation id", operationId)));
    }

    @Override
    public Map<String, String> all(String providerId) {
        return new TreeMap<>(records.getOrDefault(id("a provider id", providerId), Map.of()));
    }

    @Override
    public void put(String providerId, String operationId, String record) {
        id("a provider id", providerId);
        id("an operation id", operationId);
        if (record == null || record.isEmpty() || record.length() > MAX_RECORD) {
            throw new IllegalArgumentException("a journal record of " + (record == null ? "null" : record.length() + " characters")
                    + " for operation " + operationId + " of provider " + providerId + ": expected 1 to " + MAX_RECORD + " characters");
        }
        records.computeIfAbsent(providerId, p -> new ConcurrentHashMap<>()).put(operationId, record);
    }

    /** An id as the core's journal takes it, or {@link IllegalArgumentException} saying what was expected. */
    private static String id(String what, String value) {
        if (value == null || value.isBlank() || value.length() > MAX_ID) {
            throw new IllegalArgumentException(what + " of " + (value == null ? "null" : value.length() + " characters")
                    + (value != null && value.isBlank() ? ", all blank" : "") + ": expected 1 to " + MAX_ID + " characters, not blank");
        }
        return value;
    }

    @Override
    public String location() {
        return "the test's journal";
    }
}
