package dev.strata.systemtests;

import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.ProvisioningProvider;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider that halts the process (no shutdown hook, nothing flushed, as {@code kill -9}) at its
 * N-th create: just before the call reaches the cloud (the operation id is stored), or just after
 * the cloud answered (the answer not stored). For the crash tests' Strata processes.
 */
final class Halting implements ProvisioningProvider {
    private final ProvisioningProvider delegate;
    private final int before;
    private final int after;
    private final AtomicInteger creates = new AtomicInteger();

    Halting(ProvisioningProvider delegate, int before, int after) {
        this.delegate = delegate;
        this.before = before;
        this.after = after;
    }

    @Override
    public MachineStatus create(MachineRequest request, DiscoveryContext context) {
        int n = creates.incrementAndGet();
        if (n == before) {
            System.out.println("HALT before create " + n + " " + request.operationId());
            System.out.flush();
            Runtime.getRuntime().halt(137);
        }
        MachineStatus status = delegate.create(request, context);
        if (n == after) {
            System.out.println("HALT after create " + n + " " + request.operationId() + " " + status.handle().machineId());
            System.out.flush();
            Runtime.getRuntime().halt(137);
        }
        return status;
    }

    @Override
    public MachineStatus describe(MachineHandle handle, DiscoveryContext context) {
        return delegate.describe(handle, context);
    }

    @Override
    public Optional<MachineStatus> find(String operationId, DiscoveryContext context) {
        return delegate.find(operationId, context);
    }

    @Override
    public List<MachineStatus> machines(DiscoveryContext context) {
        return delegate.machines(context);
    }

    @Override
    public MachineStatus delete(MachineHandle handle, DiscoveryContext context) {
        return delegate.delete(handle, context);
    }
}
