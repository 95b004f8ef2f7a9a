package dev.strata.benchmarks.deploy;

import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.ProvisioningProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provisioning provider whose machines are entries in a map: it answers at once, so that a
 * benchmark measures what the core spends (store, provenance, comparison), not a vendor's API.
 * Keeps the SPI's promises (idempotent by operation id, labelled, listed); not a stand-in for a
 * vendor in any test.
 */
final class MemoryProvisioning implements ProvisioningProvider {

    private final String providerId;
    private final Map<String, MachineStatus> byOperation = new ConcurrentHashMap<>();
    private final Map<String, MachineStatus> byMachine = new ConcurrentHashMap<>();
    private final AtomicInteger sequence = new AtomicInteger();

    MemoryProvisioning(String providerId) {
        this.providerId = providerId;
    }

    @Override
    public MachineStatus create(MachineRequest request, DiscoveryContext context) {
        return byOperation.computeIfAbsent(request.operationId(), op -> {
            String id = "m-" + sequence.incrementAndGet();
            MachineStatus s = new MachineStatus(new MachineHandle(providerId, id, Map.of()), MachineState.RUNNING, null, providerId + ":" + id,
                    request.labels(), Map.of(), context.clock().instant());
            byMachine.put(id, s);
            return s;
        });
    }

    @Override
    public MachineStatus describe(MachineHandle handle, DiscoveryContext context) {
        MachineStatus s = byMachine.get(handle.machineId());
        return s != null ? s : new MachineStatus(handle, MachineState.GONE, null, null, Map.of(), Map.of(), context.clock().instant());
    }

    @Override
    public Optional<MachineStatus> find(String operationId, DiscoveryContext context) {
        return Optional.ofNullable(byOperation.get(operationId)).filter(s -> byMachine.containsKey(s.handle().machineId()));
    }

    @Override
    public List<MachineStatus> machines(DiscoveryContext context) {
        return new ArrayList<>(byMachine.values());
    }

    @Override
    public MachineStatus delete(MachineHandle handle, DiscoveryContext context) {
        byMachine.remove(handle.machineId());
        return new MachineStatus(handle, MachineState.GONE, null, null, Map.of(), Map.of(), context.clock().instant());
    }
}
