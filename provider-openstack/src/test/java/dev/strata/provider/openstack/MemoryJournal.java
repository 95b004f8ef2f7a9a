package dev.strata.provider.openstack;

import dev.strata.platform.api.provisioning.ProviderJournal;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The core's journal as a provider sees it, kept in a map: what two provider instances that share
 * it see is what a restarted Strata (or the next leader) sees of the state store.
 */
class MemoryJournal implements ProviderJournal {

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
