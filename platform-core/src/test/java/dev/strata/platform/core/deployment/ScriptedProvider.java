package dev.strata.platform.core.deployment;

import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.platform.api.provisioning.ProvisioningProvider;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A provisioning provider whose vendor side is a map in memory, scriptable to fail at chosen
 * points: unreachable, refusing a create, failing deletes, losing a machine behind Strata's back.
 * A crash of Strata between two of its writes is played by a store that fails the second
 * ({@link FailingStore}) and a new engine on the same store; an Error thrown out of a provider is
 * that provider's failure, which the engine answers.
 *
 * <p>It stands in for a vendor where a test needs control that no real peer gives (an exact crash
 * point, a refusal on demand). It keeps the SPI's promises, and passes the kit's
 * {@code ProvisioningProviderContract} ({@code ScriptedProviderContractTest}). The deployment
 * scenarios that a real peer can play run against moto (EC2) in {@code itests}.
 */
final class ScriptedProvider implements ProvisioningProvider {

    /** The vendor's side: machines that exist whatever happens to Strata. */
    static final class Vendor {
        final Map<String, Machine> machines = new ConcurrentHashMap<>();
        final AtomicInteger sequence = new AtomicInteger();
    }

    static final class Machine {
        final String id;
        final Map<String, String> labels;
        final MachineTarget target;
        final Instant made;
        volatile MachineState state;
        /** The vendor's words on it when it failed, else null. */
        volatile String fault;
        volatile int polls;
        /** The steps taken on it, as reported under {@link MachineStatus#STEPS} when the provider reports steps. */
        final List<String> steps = new CopyOnWriteArrayList<>();

        Machine(String id, Map<String, String> labels, MachineTarget target, Instant made) {
            this.id = id;
            this.labels = Map.copyOf(labels);
            this.target = target;
            this.made = made;
            this.state = MachineState.PENDING;
        }
    }

    final String id;
    final Vendor vendor;
    volatile boolean unavailable;
    volatile boolean listingFails;
    volatile int failDeletes;
    /** Whether statuses carry the steps taken on the machine ({@link MachineStatus#STEPS}), as a BMC provider's do. */
    volatile boolean reportSteps;
    /** Machines stay PENDING this many observations before they run. */
    volatile int pendingPolls = 1;
    final Map<String, String> refuse = new ConcurrentHashMap<>();
    /** Members whose create answers null, breaking the SPI (a vendor's bug). */
    final java.util.Set<String> answerNull = ConcurrentHashMap.newKeySet();
    /** Per member: the machine is made but fails at once, with this message (a vendor fault: no boot device, ...). */
    final Map<String, String> faults = new ConcurrentHashMap<>();
    /** Steps, besides the usual ones, that every machine made reports (each as its detail, after an instant). */
    final List<String> extraSteps = new CopyOnWriteArrayList<>();
    /** The node id each status names, from the one the vendor gives (a provider's text, which a test may make odd). */
    volatile java.util.function.UnaryOperator<String> nodeIds = node -> node;
    /** The attributes of the handles this provider hands out. */
    final Map<String, String> handleAttributes = new ConcurrentHashMap<>(Map.of("zone", "lab"));
    volatile Consumer<MachineRequest> beforeCreate = r -> { };
    volatile Consumer<MachineRequest> afterCreate = r -> { };
    /** Runs once a listing is made, before it is returned (a provider leaving while the reconciler works on what it listed). */
    volatile Runnable afterListing = () -> { };
    final List<String> creates = new CopyOnWriteArrayList<>();
    final List<String> deletes = new CopyOnWriteArrayList<>();
    final List<Instant> deleteTimes = new CopyOnWriteArrayList<>();
    final AtomicInteger describes = new AtomicInteger();
    final AtomicInteger listings = new AtomicInteger();
    final AtomicInteger finds = new AtomicInteger();

    ScriptedProvider(String id) {
        this(id, new Vendor());
    }

    ScriptedProvider(String id, Vendor vendor) {
        this.id = id;
        this.vendor = vendor;
    }

    private void reach(DiscoveryContext context) {
        context.checkDeadline("calling " + id);
        if (unavailable) {
            throw new ProviderUnavailableException("provider " + id + ": cloud unreachable (connection refused)");
        }
    }

    @Override
    public MachineStatus create(MachineRequest request, DiscoveryContext context) {
        creates.add(request.operationId());
        beforeCreate.accept(request);
        reach(context);
        String refusal = refuse.get(request.member());
        if (refusal != null) {
            throw new ProviderFailureException(refusal);
        }
        if (answerNull.contains(request.member())) {
            return null;
        }
        if (!request.target().id().startsWith(id + ":")) {
            throw new NotFoundException(request.target().id() + " is not a node or offer of " + id);
        }
        Machine m;
        synchronized (vendor) {
            Optional<Machine> made = made(request.operationId());
            if (made.isPresent()) {
                return status(made.get());
            }
            m = new Machine(String.format("m-%04d", vendor.sequence.incrementAndGet()), request.labels(), request.target(), Instant.now());
            m.steps.add(Instant.now() + " boot-override-set pxe once");
            m.steps.add(Instant.now() + " power-requested On");
            extraSteps.forEach(step -> m.steps.add(Instant.now() + " " + step));
            String fault = faults.get(request.member());
            if (fault != null) {
                m.state = MachineState.FAILED;
                m.fault = fault;
            }
            vendor.machines.put(m.id, m);
        }
        afterCreate.accept(request);
        return status(m);
    }

    private Optional<Machine> made(String operationId) {
        return vendor.machines.values().stream()
                .filter(m -> operationId.equals(m.labels.get(MachineLabels.OPERATION)) && m.state != MachineState.GONE)
                .min(Comparator.comparing((Machine m) -> m.made).thenComparing(m -> m.id));
    }

    @Override
    public MachineStatus describe(MachineHandle handle, DiscoveryContext context) {
        describes.incrementAndGet();
        reach(context);
        Machine m = vendor.machines.get(handle.machineId());
        return m == null ? gone(handle) : observe(m);
    }

    @Override
    public Optional<MachineStatus> find(String operationId, DiscoveryContext context) {
        finds.incrementAndGet();
        reach(context);
        return made(operationId).map(this::status);
    }

    @Override
    public List<MachineStatus> machines(DiscoveryContext context) {
        listings.incrementAndGet();
        reach(context);
        if (listingFails) {
            throw new ProviderFailureException("provider " + id + ": listing refused (throttled)");
        }
        List<MachineStatus> out = new ArrayList<>();
        for (Machine m : vendor.machines.values()) {
            if (m.state != MachineState.GONE) {
                out.add(observe(m));
            }
        }
        out.sort(Comparator.comparing(s -> s.handle().machineId()));
        afterListing.run();
        return out;
    }

    @Override
    public MachineStatus delete(MachineHandle handle, DiscoveryContext context) {
        deletes.add(handle.machineId());
        deleteTimes.add(Instant.now());
        reach(context);
        if (failDeletes > 0) {
            failDeletes--;
            throw new ProviderFailureException("provider " + id + " refused to delete " + handle.machineId() + ": resource busy");
        }
        Machine m = vendor.machines.get(handle.machineId());
        if (m == null) {
            return gone(handle);
        }
        if (m.state != MachineState.GONE) {
            m.steps.add(Instant.now() + " powered-off");
        }
        m.state = MachineState.GONE;
        return status(m);
    }

    /** Fails a machine behind Strata's back, with the vendor's words for it. */
    void fail(String machineId, String fault) {
        Machine m = vendor.machines.get(machineId);
        m.fault = fault;
        m.state = MachineState.FAILED;
    }

    /** Deletes a machine behind Strata's back. */
    void vanish(String machineId) {
        vendor.machines.get(machineId).state = MachineState.GONE;
    }

    /** Makes a machine Strata did not ask for, with the given labels (a leak, or another installation's machine). */
    String plant(Map<String, String> labels) {
        Machine m = new Machine(String.format("m-%04d", vendor.sequence.incrementAndGet()), labels, MachineTarget.node(id + ":x"), Instant.now());
        m.state = MachineState.RUNNING;
        vendor.machines.put(m.id, m);
        return m.id;
    }

    /**
     * Makes a machine Strata did not ask for under the vendor id given, made from an offer, so that the node its status names is
     * the provider's id and that vendor id.
     */
    String plant(String machineId, Map<String, String> labels) {
        Machine m = new Machine(machineId, labels, MachineTarget.offer(id + ":offer"), Instant.now());
        m.state = MachineState.RUNNING;
        vendor.machines.put(m.id, m);
        return m.id;
    }

    List<Machine> live() {
        List<Machine> out = new ArrayList<>();
        for (Machine m : vendor.machines.values()) {
            if (m.state != MachineState.GONE) {
                out.add(m);
            }
        }
        out.sort(Comparator.comparing(m -> m.id));
        return Collections.unmodifiableList(out);
    }

    private MachineStatus observe(Machine m) {
        if (m.state == MachineState.PENDING && ++m.polls > pendingPolls) {
            m.state = MachineState.RUNNING;
            m.steps.add(Instant.now() + " powered-on");
        }
        return status(m);
    }

    private MachineStatus status(Machine m) {
        String node = m.state == MachineState.GONE ? null
                : nodeIds.apply(m.target.kind() == MachineTarget.Kind.NODE ? m.target.id() : id + ":" + m.id);
        Map<String, String> attributes = reportSteps ? Map.of(MachineStatus.STEPS, String.join("\n", m.steps)) : Map.of();
        return new MachineStatus(new MachineHandle(id, m.id, Map.copyOf(handleAttributes)), m.state, m.state == MachineState.FAILED ? m.fault : null, node,
                m.labels, attributes, Instant.now());
    }

    private MachineStatus gone(MachineHandle handle) {
        return new MachineStatus(handle, MachineState.GONE, "no machine " + handle.machineId(), null, Map.of(), Map.of(), Instant.now());
    }
}
