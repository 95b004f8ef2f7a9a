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
 * name. A test that needs a journal that fails overrides the call that should fail:
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

    private final Map<String, Map<String, String>> records = new ConcurrentHashMap<>();

    @Override
    public Optional<String> get(String providerId, String operationId) {
        return Optional.ofNullable(records.getOrDefault(providerId, Map.of()).get(operationId));
    }

    @Override
    public Map<String, String> all(String providerId) {
        return new TreeMap<>(records.getOrDefault(providerId, Map.of()));
    }

    @Override
    public void put(String providerId, String operationId, String record) {
        records.computeIfAbsent(providerId, p -> new ConcurrentHashMap<>()).put(operationId, record);
    }

    @Override
    public String location() {
        return "the test's journal";
    }
}
