package dev.strata.platform.core.deployment;

import dev.strata.platform.api.contract.OnMachineLoss;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.MemberState;
import dev.strata.platform.api.exception.ConflictException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.ProvisioningProvider;
import dev.strata.platform.core.metrics.CallMetrics;
import dev.strata.platform.core.provenance.ProviderText;
import dev.strata.platform.core.store.DeploymentRecord;
import dev.strata.platform.core.store.MemberRecord;
import dev.strata.platform.core.store.OperationRecord;
import dev.strata.platform.core.store.OperationState;
import dev.strata.platform.core.store.ProvenanceEntry;
import dev.strata.platform.core.store.StoreRefusedException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass compares what every deployment asked for with what its providers report, and acts:
 * <ol>
 * <li>on its first pass as leader (and after a failed deploy's release failed), frees the
 *     allocations placed for a deployment that was never stored
 *     ({@link DeploymentEngine#freeUnstoredPlacements});</li>
 * <li>lists the machines of every provisioning provider, one call per provider
 *     ({@link ProvisioningProvider#machines}), before reading the store, so that every operation
 *     that made a listed machine is already recorded when the store is read;</li>
 * <li>for each deployment that exists: makes missing machines, resumes operations whose answer
 *     was never recorded (same id), observes machines (from the listing; {@code describe} for a
 *     machine the listing lacks, or when a provider's listing failed, but not while it has not
 *     answered in time: its members are left as they are), replaces a machine that
 *     disappeared or marks the deployment degraded, as its contract says, and moves the
 *     deployment to its new state;</li>
 * <li>for each deployment being deleted: deletes its machines (a failed delete is tried again
 *     after a backoff that doubles), asks the provider about creates whose answer was never
 *     recorded, and once nothing is left releases the allocation;</li>
 * <li>finds leaks: a machine carrying Strata's labels whose deployment is unknown or deleted, or
 *     that an operation made that is not its member's current one, is deleted (or reported, as
 *     configured) and recorded in the provenance log. A machine labelled with another
 *     installation's id ({@link MachineLabels#INSTALLATION}) is left out of the listing: another
 *     Strata sharing the account or project made it.</li>
 * </ol>
 * Only the leader reconciles. Passes run one at a time.
 */
public final class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    /**
     * What a pass saw and did.
     *
     * @param leader whether this instance led (a follower's pass does nothing)
     * @param deployments deployments looked at (deleted ones excepted)
     * @param members their members
     * @param listed machines the providers listed (of this installation)
     * @param described machines described one by one (not in a listing)
     * @param started provider calls started (creates, deletes, look-ups)
     * @param leaks leaked machines found
     * @param listingErrors providers whose listing failed, with the reason
     * @param busy whether something is being provisioned or deleted (the next pass comes sooner)
     * @param took how long the pass took
     */
    public record PassReport(boolean leader, int deployments, int members, int listed, int described, int started, int leaks,
            Map<String, String> listingErrors, boolean busy, Duration took) {
    }

    /**
     * A provider's machines, as one call listed them.
     *
     * @param unanswered whether the provider did not answer the listing in time (it timed out, or is still listing): its
     *     machines are not described one by one in this pass either, as each description would wait out its deadline too
     */
    private record Listing(String providerId, List<MachineStatus> machines, Map<String, MachineStatus> byMachine, String error,
            boolean unanswered) {
        boolean ok() {
            return error == null;
        }
    }

    private static final class Counters {
        int deployments;
        int members;
        int listed;
        int described;
        int started;
        int leaks;
        boolean busy;
    }

    private final DeploymentEngine e;
    private final Object lock = new Object();
    private final Map<String, Instant> leakNext = new ConcurrentHashMap<>();
    private final Map<String, Integer> leakTries = new ConcurrentHashMap<>();
    /**
     * By member, why its machine could not be described, as named in the log ({@link #reason}): each reason once until it is
     * described again.
     */
    private final Map<String, String> undescribed = new ConcurrentHashMap<>();
    /**
     * What changes from one call to the next in a provider's error (a request id, a time, a count): a run of hex digits holding
     * a digit, with the runs of hex digits joined to it by hyphens, so a UUID whose group happens to hold letters only
     * ({@code 368e9a5e-7ec7-481b-adcc-f36f77e00b91}) is taken whole; and a UUID's 8-4-4-4-12 shape, whatever digits it holds.
     */
    private static final java.util.regex.Pattern VARYING = java.util.regex.Pattern.compile(
            "(?<![0-9A-Za-z])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Za-z])"
                    + "|(?:[0-9A-Fa-f]++-)*[A-Fa-f]*+[0-9][0-9A-Fa-f]*+(?:-[0-9A-Fa-f]++)*+");
    private boolean led = true;
    /** Whether this leadership's first look for allocations placed for deployments that were never stored was made. */
    private boolean unstoredChecked;

    Reconciler(DeploymentEngine engine) {
        this.e = engine;
    }

    PassReport pass() {
        synchronized (lock) {
            long t0 = System.nanoTime();
            if (!e.store.leadership().isLeader()) {
                if (led) {
                    LOG.info("This instance does not lead: the reconciler waits (the leader reconciles)");
                }
                led = false;
                return new PassReport(false, 0, 0, 0, 0, 0, 0, Map.of(), false, Duration.ofNanos(System.nanoTime() - t0));
            }
            if (!led) {
                LOG.info("This instance leads: the reconciler resumes every unfinished operation");
                unstoredChecked = false;
            }
            led = true;
            if (!unstoredChecked || e.unstoredLeft.get()) {
                try {
                    e.freeUnstoredPlacements();
                    unstoredChecked = true;
                } catch (RuntimeException ex) {
                    // the look cleared the mark as it began: set again, or the next pass did not look again (a release that failed
                    // here was tried only on a new leader's first pass)
                    e.unstoredLeft.set(true);
                    LOG.error("Looking for allocations placed for deployments that were never stored failed; the next pass looks again: {}",
                            DeploymentEngine.message(ex));
                }
            }
            Counters c = new Counters();
            long stamp = e.completions.get();
            Map<String, Listing> listings = new TreeMap<>();
            Map<String, String> errors = new TreeMap<>();
            // every provider lists at once, each on a thread of its own, and the pass waits for each at most its deadline: one
            // provider that hangs (in a call that ignores interrupts) no longer holds up every other provider's deployments
            Map<String, InFlightListing> started = new TreeMap<>();
            for (Map.Entry<String, ProvisioningProvider> p : e.providers.all().entrySet()) {
                started.put(p.getKey(), startListing(p.getKey(), p.getValue()));
            }
            long asked = System.nanoTime();
            for (Map.Entry<String, InFlightListing> p : started.entrySet()) {
                // waited for by the operationTimeout the listing was asked with: read apart from the call, a configuration
                // change in between gave the provider one deadline, this wait another, and the timeout's message a third
                long waitUntil = asked + p.getValue().timeout().toNanos() + LISTING_GRACE.toNanos();
                Listing l = list(p.getKey(), p.getValue(), waitUntil);
                listings.put(p.getKey(), l);
                c.listed += l.machines().size();
                if (!l.ok()) {
                    errors.put(p.getKey(), l.error());
                }
            }
            List<DeploymentRecord> all = e.store.deployments().list();
            Map<String, DeploymentRecord> byId = new HashMap<>();
            Map<String, Loaded> live = new LinkedHashMap<>();
            for (DeploymentRecord r : all) {
                byId.put(r.id(), r);
                if (!r.state().equals(DeploymentState.DELETED.name())) {
                    e.load(r).ifPresent(d -> live.put(d.id(), d));
                }
            }
            for (Loaded d : live.values()) {
                c.deployments++;
                c.members += d.spec.members().size();
                try {
                    reconcile(d, listings, stamp, c);
                } catch (dev.strata.platform.api.exception.NotLeaderException ex) {
                    LOG.info("Reconciler pass stopped: {}", ex.getMessage());
                    break;
                } catch (RuntimeException ex) {
                    LOG.error("Reconciling deployment {} failed; the next pass tries again", d.id(), ProviderText.trace(ex));
                    c.busy = true;
                }
            }
            // the members of deployments gone (deleted, or no longer readable) are named again should they come back
            Set<String> members = new java.util.HashSet<>();
            live.values().forEach(d -> d.spec.members().forEach(m -> members.add(DeploymentEngine.key(d.id(), m.name()))));
            undescribed.keySet().retainAll(members);
            try {
                leaks(listings, byId, live, stamp, c);
            } catch (RuntimeException ex) {
                LOG.error("Looking for leaked machines failed; the next pass looks again", ProviderText.trace(ex));
            }
            if (!e.inFlight.isEmpty()) {
                c.busy = true;
            }
            return new PassReport(true, c.deployments, c.members, c.listed, c.described, c.started, c.leaks, Collections.unmodifiableMap(errors),
                    c.busy, Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    /**
     * Whether a listed machine is this installation's: it carries this installation's id, or none
     * (made by a Strata before 1.3, or listed by a provider that keeps its own record in this
     * store). A machine of another installation sharing the account or project is neither a member
     * of a deployment here nor a leak: its deployment ids are that installation's.
     */
    static boolean ours(MachineStatus m, String installation) {
        String owner = m.labels().get(MachineLabels.INSTALLATION);
        return owner == null || owner.equals(installation);
    }

    /** How much longer than {@code operationTimeout} a pass waits for a provider's listing (the call's own alarm is 1 s after it). */
    static final Duration LISTING_GRACE = Duration.ofSeconds(2);

    /** A listing under way, by provider id: a provider whose last listing has not ended is not asked again meanwhile. */
    private final Map<String, InFlightListing> listing = new ConcurrentHashMap<>();

    /** A listing asked at {@code since}, bounded by {@code timeout}: the operationTimeout read once for it. */
    private record InFlightListing(ProvisioningProvider provider, Future<List<MachineStatus>> future, Instant since, Duration timeout) {
    }

    private InFlightListing startListing(String providerId, ProvisioningProvider provider) {
        InFlightListing running = listing.get(providerId);
        if (running != null && !running.future().isDone() && running.provider() == provider) {
            return running;
        }
        Duration timeout = e.settings.operationTimeout();
        FutureTask<List<MachineStatus>> task = new FutureTask<>(
                () -> e.call("list/" + providerId, "listing of provider " + providerId, providerId, CallMetrics.LIST, timeout,
                        () -> provider.machines(e.context("reconcile-" + providerId))));
        InFlightListing started = new InFlightListing(provider, task, e.clock.instant(), timeout);
        listing.put(providerId, started);
        try {
            e.listers.execute(task);
        } catch (RejectedExecutionException ex) {
            task.cancel(false);
        }
        return started;
    }

    private Listing list(String providerId, InFlightListing running, long waitUntil) {
        try {
            List<MachineStatus> listed;
            try {
                listed = running.future().get(Math.max(0, waitUntil - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException ex) {
                throw new ProviderTimeoutException("provider " + providerId + " has not answered the listing of its machines asked at "
                        + running.since() + " (operationTimeout " + Reconciler.describe(running.timeout())
                        + "); it is not asked again until it answers");
            } catch (CancellationException ex) {
                throw new ProviderUnavailableException("deployments are stopping");
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new ProviderUnavailableException("the reconciler was stopped while provider " + providerId + " listed its machines");
            } catch (ExecutionException ex) {
                Throwable cause = ex.getCause();
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                // an Error out of a provider's listing (a StackOverflowError on a nested answer) fails that listing only
                throw new ProviderFailureException("provider " + providerId + " failed listing its machines: " + cause, cause);
            }
            if (listed == null) {
                throw new ProviderFailureException("provider " + providerId + " answered the listing of its machines with nothing; "
                        + "expected a list (the provisioning SPI's machines)");
            }
            String installation = e.installation();
            List<MachineStatus> machines = new java.util.ArrayList<>(listed.size());
            Map<String, MachineStatus> byMachine = new HashMap<>();
            int foreign = 0;
            int position = 0;
            for (MachineStatus m : listed) {
                position++;
                if (m == null) {
                    // a provider's bug: failed as a NullPointerException, the listing's error named no provider's fault. The
                    // rest is not used either: an answer wrong in one place is not trusted for leaks, whose machines are deleted
                    throw new ProviderFailureException("provider " + providerId + " answered the listing of its machines with "
                            + "nothing at position " + position + " of " + listed.size() + "; expected each machine's status "
                            + "(the provisioning SPI's machines); the listing is not used, and no machine is taken for a leak by it");
                }
                if (!ours(m, installation)) {
                    foreign++;
                    continue;
                }
                machines.add(m);
                byMachine.put(m.handle().machineId(), m);
            }
            if (foreign > 0) {
                LOG.debug("Provider {} lists {} machines of other Strata installations; left alone", providerId, foreign);
            }
            return new Listing(providerId, List.copyOf(machines), byMachine, null, false);
        } catch (RuntimeException ex) {
            LOG.debug("Provider {} could not list its machines: {}", providerId, DeploymentEngine.message(ex));
            return new Listing(providerId, List.of(), Map.of(), DeploymentEngine.message(ex), ex instanceof ProviderTimeoutException);
        }
    }

    private void reconcile(Loaded d, Map<String, Listing> listings, long stamp, Counters c) {
        switch (d.state()) {
            case REQUESTED -> {
                c.busy = true;
                Loaded moved = move(d, DeploymentState.PROVISIONING, null, "deployment " + d.id() + ": REQUESTED -> PROVISIONING ("
                        + d.spec.members().size() + (d.spec.members().size() == 1 ? " member)" : " members)"));
                if (moved != null) {
                    present(moved, listings, stamp, c);
                }
            }
            case PROVISIONING, READY, DEGRADED, FAILED -> present(d, listings, stamp, c);
            case DELETING -> {
                c.busy = true;
                absent(d, listings, stamp, c);
            }
            case DELETED -> {
            }
        }
    }

    // ---- a deployment that should exist ------------------------------------------------------

    private void present(Loaded d, Map<String, Listing> listings, long stamp, Counters c) {
        for (Spec.MemberSpec m : d.spec.members()) {
            String key = DeploymentEngine.key(d.id(), m.name());
            if (!e.free(key, stamp)) {
                c.busy = true;
                continue;
            }
            Optional<OperationRecord> pending = d.pending(m.name());
            if (pending.isPresent()) {
                c.busy = true;
                if (e.due(key)) {
                    OperationRecord op = pending.get();
                    Spec.Detail detail = d.detail(m.name());
                    if (op.action().equals(Loaded.CREATE)) {
                        e.submitCreate(d, m, op);
                        c.started++;
                    } else if (detail.machine() != null) {
                        e.submitDelete(d, m, detail.machine(), op);
                        c.started++;
                    }
                }
                continue;
            }
            MemberState s = d.memberState(m.name());
            Spec.Detail detail = d.detail(m.name());
            switch (s) {
                case REQUESTED -> {
                    Optional<OperationRecord> last = d.latest(m.name(), Loaded.CREATE);
                    boolean made = detail.machine() != null && last.isPresent() && last.get().state() == OperationState.SUCCEEDED
                            && last.get().id().equals(detail.operation());
                    boolean refused = detail.machine() == null && last.isPresent() && last.get().state() == OperationState.FAILED
                            && (detail.operation() == null || last.get().id().equals(detail.operation()));
                    if (d.state() == DeploymentState.FAILED && !made && !refused) {
                        // a failed deployment asks for no machine it had not asked for (its creates sent are followed above, under
                        // their ids): what was made stays until it is undeployed, and nothing more is spent on it
                        notMade(d, m, detail, d.record.message());
                        continue;
                    }
                    c.busy = true;
                    if (made) {
                        // the create's answer was recorded, the member's new state was not: take it up from the machine
                        observe(d, m, s, detail, listings, c);
                    } else if (refused) {
                        // the provider refused the create, and the member's update after it was not written (a crash, the store):
                        // the refusal stands, whatever the member last showed (a wait for the provider, the machine it replaces)
                        put(d, e.updateMember(d, m, MemberState.FAILED, m.target().id(),
                                new Spec.Detail(null, last.get().id(), last.get().error()), null));
                    } else if (e.due(DeploymentEngine.key(d.id(), m.name()))) {
                        e.submitCreate(d, m, null);
                        c.started++;
                    }
                }
                case PENDING, RUNNING -> {
                    if (s == MemberState.PENDING) {
                        c.busy = true;
                    }
                    if (detail.machine() != null) {
                        observe(d, m, s, detail, listings, c);
                    }
                }
                default -> {
                }
            }
        }
        evaluate(d);
    }

    /**
     * A member of a failed deployment whose machine was never asked for: it stays without one, saying why (once).
     *
     * @param failure why the deployment failed (its message, as {@link #evaluate} writes it); may be null
     */
    void notMade(Loaded d, Spec.MemberSpec m, Spec.Detail detail, String failure) {
        if (detail.machine() != null) {
            return;
        }
        String why = "no machine is asked for: the deployment failed" + (failure == null ? "" : " (" + failure + ")")
                + "; undeploy it to release what was made";
        if (why.equals(detail.message())) {
            return;
        }
        Map<String, Object> payload = DeploymentEngine.payload(m, null, "not made");
        payload.put("summary", m.name() + ": " + why);
        MemberRecord r = d.members.get(m.name());
        put(d, e.updateMember(d, m, MemberState.REQUESTED, r == null ? m.target().id() : r.nodeId(), new Spec.Detail(null, detail.operation(),
                why), DeploymentEngine.entry(DeploymentEngine.KIND_PROVISIONING, DeploymentEngine.SYSTEM, d.record, payload)));
        LOG.info("Deployment {}: {} {}", d.id(), m.name(), why);
    }

    private void observe(Loaded d, Spec.MemberSpec m, MemberState s, Spec.Detail detail, Map<String, Listing> listings, Counters c) {
        MachineHandle h = detail.machine();
        MachineStatus st = lookup(d, m, h, listings, c);
        if (st == null) {
            return;
        }
        MemberRecord r = d.members.get(m.name());
        String node = r == null ? null : r.nodeId();
        e.steps.record(d.record, m.name(), m.providerId(), node, st);
        switch (st.state()) {
            case PENDING, RUNNING -> {
                MemberState next = DeploymentEngine.memberState(st);
                String nodeId = st.nodeId() != null ? st.nodeId() : node;
                if (next != s || !Objects.equals(nodeId, node) || detail.message() != null) {
                    ProvenanceEntry why = null;
                    if (next != s) {
                        Map<String, Object> payload = DeploymentEngine.payload(m, null, st.state().name());
                        payload.put("summary", m.name() + ": " + shown(h.machineId()) + " is "
                                + st.state().name().toLowerCase(java.util.Locale.ROOT) + (st.nodeId() != null ? " (node " + shown(st.nodeId()) + ")" : ""));
                        payload.put("machine", DeploymentEngine.handlePayload(h));
                        why = DeploymentEngine.entry(DeploymentEngine.KIND_PROVISIONING, DeploymentEngine.SYSTEM, d.record, payload, "provider",
                                m.providerId(), "node", shown(st.nodeId()));
                    }
                    put(d, e.updateMember(d, m, next, nodeId, detail.withMessage(null), why));
                    if (next == MemberState.RUNNING && s != MemberState.RUNNING) {
                        e.refreshInventory(m.providerId());
                    }
                }
            }
            case FAILED -> {
                if (s != MemberState.FAILED) {
                    String reason = ProviderText.clean(st.message());
                    String what = "machine " + shown(h.machineId()) + " failed: "
                            + (reason == null || reason.isBlank() ? "no reason given" : reason);
                    Map<String, Object> payload = DeploymentEngine.payload(m, null, "failed");
                    payload.put("summary", m.name() + ": " + what);
                    payload.put("machine", DeploymentEngine.handlePayload(h));
                    put(d, e.updateMember(d, m, MemberState.FAILED, node, detail.withMessage(what), DeploymentEngine.entry(DeploymentEngine.KIND_DRIFT,
                            DeploymentEngine.SYSTEM, d.record, payload, "provider", m.providerId())));
                }
            }
            case DELETING, GONE -> lost(d, m, h, st, c);
        }
    }

    /** A machine that disappeared behind Strata's back: replaced, or the member lost, as the contract says. */
    private void lost(Loaded d, Spec.MemberSpec m, MachineHandle h, MachineStatus st, Counters c) {
        String message = ProviderText.clean(st.message());
        String reason = message == null || message.isBlank() ? "" : " (" + message + ")";
        String what = "machine " + shown(h.machineId()) + " of " + m.name()
                + (st.state() == MachineState.GONE ? " is gone" : " is being deleted") + ", not by Strata" + reason;
        Map<String, Object> payload = DeploymentEngine.payload(m, null, "lost");
        payload.put("machine", DeploymentEngine.handlePayload(h));
        payload.put("observed", st.state().name());
        boolean replace = d.spec.onMachineLoss() == OnMachineLoss.REPLACE && d.state() != DeploymentState.FAILED;
        if (replace) {
            payload.put("summary", what + "; replacing it under a new operation (onMachineLoss: replace)");
            put(d, e.updateMember(d, m, MemberState.REQUESTED, m.target().id(), new Spec.Detail(null, null, "replacing " + shown(h.machineId())
                    + ", which disappeared" + reason), DeploymentEngine.entry(DeploymentEngine.KIND_DRIFT, DeploymentEngine.SYSTEM, d.record,
                    payload, "provider", m.providerId())));
            LOG.warn("Deployment {}: {}; replacing it", d.id(), what);
            e.submitCreate(d, m, null);
            c.started++;
            c.busy = true;
        } else {
            payload.put("summary", what + "; the deployment is degraded (onMachineLoss: " + (d.state() == DeploymentState.FAILED
                    ? "the deployment has failed, nothing is replaced" : "degrade") + ")");
            MemberRecord r = d.members.get(m.name());
            put(d, e.updateMember(d, m, MemberState.LOST, r == null ? null : r.nodeId(), new Spec.Detail(h, d.detail(m.name()).operation(), what),
                    DeploymentEngine.entry(DeploymentEngine.KIND_DRIFT, DeploymentEngine.SYSTEM, d.record, payload, "provider", m.providerId())));
            LOG.warn("Deployment {}: {}; the deployment is degraded", d.id(), what);
        }
    }

    /** A machine's status: from its provider's listing, else described (null when the provider cannot tell now). */
    private MachineStatus lookup(Loaded d, Spec.MemberSpec m, MachineHandle h, Map<String, Listing> listings, Counters c) {
        Listing l = listings.get(m.providerId());
        String key = DeploymentEngine.key(d.id(), m.name());
        if (l != null && l.ok()) {
            MachineStatus listed = l.byMachine().get(h.machineId());
            if (listed != null) {
                // seen again: the looks that failed before are over (they no longer count towards a later wait)
                e.settled(key);
                undescribed.remove(key);
                return listed;
            }
        }
        if (l != null && l.unanswered()) {
            // the provider did not answer its listing in time: the member is left as it is until it does. Described one by
            // one on this pass's thread, each machine waited out the deadline again, and the pass, with every other
            // provider's deployments, waited for them all
            return null;
        }
        if (!e.due(key)) {
            return null;
        }
        try {
            c.described++;
            ProvisioningProvider provider = e.provider(m.providerId());
            MachineStatus described = e.call("describe/" + m.providerId() + "/" + h.machineId(), "description of machine " + shown(h.machineId())
                    + " on provider " + m.providerId(), m.providerId(), CallMetrics.DESCRIBE,
                    () -> provider.describe(h, e.context("describe-" + h.machineId())));
            if (described == null) {
                // a provider's bug, as a look-up answered with nothing: taken as an answer, the machine was asked about again on
                // every pass, without a backoff and without a word
                throw new ProviderFailureException("provider " + m.providerId() + " answered the description of machine "
                        + shown(h.machineId()) + " with nothing; expected its status, GONE where it no longer exists (the provisioning "
                        + "SPI's describe)");
            }
            e.settled(key);
            undescribed.remove(key);
            return described;
        } catch (RuntimeException ex) {
            e.retryLater(key);
            String why = DeploymentEngine.message(ex);
            if (!DeploymentEngine.retryable(ex) && !reason(ex, why).equals(undescribed.put(key, reason(ex, why)))) {
                // the provider's own fault, named once for each reason until the machine is described again, whatever failed
                // before it (named only as the first failure of the member in a row, a null answered after a timeout was never
                // named); a provider that does not answer is said so by its listing
                LOG.warn("Deployment {}: {} of {} cannot be described: {}; asked again after a backoff", d.id(), shown(h.machineId()), m.name(),
                        why);
            } else {
                LOG.debug("Deployment {}: {} cannot be described now: {}", d.id(), shown(h.machineId()), why);
            }
            return null;
        }
    }

    /**
     * A reason a machine cannot be described for, as the once-per-reason warning tells reasons apart: the exception's class and
     * its cleaned message with each run of digits (or of hex digits holding one, with the hex runs hyphens join to it) taken out. A provider whose error names a
     * request id, a time or a count that changes on every call still gives one reason, and is warned of once, not on every try.
     */
    static String reason(RuntimeException ex, String why) {
        return ex.getClass().getName() + ": " + VARYING.matcher(why).replaceAll("#");
    }

    /**
     * Why a deployment has failed, read as {@link #evaluate} reads it: its message when it is
     * stored FAILED, or, while it is being provisioned, its first member that failed ("member
     * worker-0: quota exceeded"), which the next pass makes it FAILED for; null when it has not
     * failed. A deployment that was ready is degraded by a failed member, not failed.
     */
    static Optional<String> failure(Loaded d) {
        return switch (d.state()) {
            case FAILED -> Optional.of(d.record.message() == null ? "failed" : d.record.message());
            case REQUESTED, PROVISIONING -> d.spec.members().stream().filter(m -> d.memberState(m.name()) == MemberState.FAILED).findFirst()
                    .map(m -> "member " + m.name() + ": " + Objects.requireNonNullElse(d.detail(m.name()).message(), "failed"));
            default -> Optional.empty();
        };
    }

    /** Moves a deployment to the state its members make it. */
    private void evaluate(Loaded d) {
        DeploymentState current = d.state();
        String firstFailed = null;
        String firstLost = null;
        String waiting = null;
        List<String> notRunning = new ArrayList<>();
        int running = 0;
        for (Spec.MemberSpec m : d.spec.members()) {
            MemberState s = e.effectiveState(d, m.name());
            String message = d.detail(m.name()).message();
            switch (s) {
                case RUNNING -> running++;
                case FAILED -> {
                    if (firstFailed == null) {
                        firstFailed = m.name() + ": " + (message == null ? "failed" : message);
                    }
                }
                case LOST -> {
                    if (firstLost == null) {
                        firstLost = m.name() + ": " + (message == null ? "lost" : message);
                    }
                }
                default -> {
                    notRunning.add(m.name());
                    if (waiting == null && message != null && message.startsWith("waiting")) {
                        waiting = m.name() + ": " + message;
                    }
                }
            }
        }
        int total = d.spec.members().size();
        DeploymentState next;
        String message;
        if (current == DeploymentState.FAILED) {
            next = DeploymentState.FAILED;
            message = d.record.message();
        } else if (firstFailed != null) {
            next = current == DeploymentState.READY || current == DeploymentState.DEGRADED ? DeploymentState.DEGRADED : DeploymentState.FAILED;
            message = "member " + firstFailed;
        } else if (firstLost != null) {
            next = DeploymentState.DEGRADED;
            message = "member " + firstLost;
        } else if (running == total) {
            next = DeploymentState.READY;
            message = null;
        } else if (current == DeploymentState.READY || current == DeploymentState.DEGRADED) {
            next = DeploymentState.DEGRADED;
            message = waiting != null ? waiting : "replacing " + String.join(", ", notRunning);
        } else {
            next = DeploymentState.PROVISIONING;
            message = waiting;
        }
        if (next == current && sameMessage(message, d.record.message())) {
            return;
        }
        String summary = next == current ? "deployment " + d.id() + " (" + current + "): " + (message == null ? "no longer waiting" : message)
                : "deployment " + d.id() + ": " + current + " -> " + next + " (" + running + " of " + total + " machines running"
                        + (message == null ? "" : "; " + message) + ")";
        move(d, next, message, summary);
    }

    private static boolean sameMessage(String a, String b) {
        if (a == null || b == null) {
            return a == b;
        }
        boolean aw = a.contains(": waiting for provider ");
        boolean bw = b.contains(": waiting for provider ");
        return aw && bw || a.equals(b);
    }

    /** Changes a deployment's state (if it is still at the version read); the deployment as moved, or null when it moved meanwhile. */
    private Loaded move(Loaded d, DeploymentState next, String message, String summary) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("summary", summary);
        payload.put("state", next.name());
        payload.put("previous", d.state().name());
        if (message != null) {
            payload.put("message", message);
        }
        try {
            DeploymentRecord r = DeploymentEngine.join(e.store.deployments().update(d.id(), d.record.version(), next.name(), message,
                    DeploymentEngine.entry(DeploymentEngine.KIND_DEPLOYMENT, DeploymentEngine.SYSTEM, d.record, payload)));
            e.signal();
            if (next != d.state()) {
                LOG.info("Deployment {}: {} -> {}{}", d.id(), d.state(), next, message == null ? "" : " (" + message + ")");
            }
            return new Loaded(r, d.spec, new ArrayList<>(d.members.values()), d.operations);
        } catch (StoreRefusedException ex) {
            LOG.debug("Deployment {} changed while it was reconciled ({}); the next pass looks again", d.id(), ex.getMessage());
            return null;
        }
    }

    private static void put(Loaded d, MemberRecord r) {
        d.members.put(r.member(), r);
    }

    // ---- a deployment being deleted ----------------------------------------------------------

    private void absent(Loaded d, Map<String, Listing> listings, long stamp, Counters c) {
        boolean done = true;
        int machines = 0;
        for (Spec.MemberSpec m : d.spec.members()) {
            String key = DeploymentEngine.key(d.id(), m.name());
            if (!e.free(key, stamp)) {
                done = false;
                continue;
            }
            MemberState s = d.memberState(m.name());
            Spec.Detail detail = d.detail(m.name());
            if (detail.machine() != null) {
                machines++;
            }
            // a create still pending may have made a machine: the member is done only once every one is resolved
            boolean createPending = d.hasPending(m.name(), Loaded.CREATE);
            if (s == MemberState.DELETED && !createPending) {
                continue;
            }
            done = false;
            Optional<OperationRecord> pending = d.pending(m.name());
            if (pending.isPresent() && pending.get().action().equals(Loaded.DELETE)) {
                if (e.due(key)) {
                    if (detail.machine() != null) {
                        e.submitDelete(d, m, detail.machine(), pending.get());
                    } else {
                        e.submitFind(d, m, createsNewestFirst(d, m.name()));
                    }
                    c.started++;
                }
                continue;
            }
            Optional<OperationRecord> lastDelete = d.latest(m.name(), Loaded.DELETE);
            if (s == MemberState.DELETING && detail.machine() != null && lastDelete.isPresent()) {
                // the member's machine is being deleted: followed to its end before the creates still pending are looked up
                if (lastDelete.get().state() == OperationState.FAILED) {
                    int failed = d.failuresSinceSuccess(m.name(), Loaded.DELETE);
                    Instant finished = lastDelete.get().finishedAt() == null ? Instant.EPOCH : lastDelete.get().finishedAt();
                    if (!e.clock.instant().isBefore(finished.plus(e.settings.backoff(failed))) && e.due(key)) {
                        e.submitDelete(d, m, detail.machine(), null);
                        c.started++;
                    }
                    continue;
                }
                MachineStatus st = lookup(d, m, detail.machine(), listings, c);
                if (st == null) {
                    continue;
                }
                MemberRecord held = d.members.get(m.name());
                e.steps.record(d.record, m.name(), m.providerId(), held == null ? null : held.nodeId(), st);
                if (st.state() == MachineState.GONE) {
                    Map<String, Object> payload = DeploymentEngine.payload(m, null, "GONE");
                    payload.put("summary", m.name() + ": " + shown(detail.machine().machineId()) + " is gone");
                    payload.put("machine", DeploymentEngine.handlePayload(detail.machine()));
                    MemberRecord r = d.members.get(m.name());
                    put(d, e.updateMember(d, m, MemberState.DELETED, r == null ? null : r.nodeId(), detail.withMessage(null),
                            DeploymentEngine.entry(DeploymentEngine.KIND_PROVISIONING, DeploymentEngine.SYSTEM, d.record, payload, "provider",
                                    m.providerId())));
                    e.refreshInventory(m.providerId());
                } else if (st.state() != MachineState.DELETING && e.due(key)) {
                    // the provider accepted the delete but the machine runs on: ask again
                    e.submitDelete(d, m, detail.machine(), null);
                    c.started++;
                }
                continue;
            }
            if (detail.machine() != null && s != MemberState.DELETED) {
                // the machine on record first; the creates still pending are looked up once it is gone
                if (e.due(key)) {
                    e.submitDelete(d, m, detail.machine(), null);
                    c.started++;
                }
                continue;
            }
            List<OperationRecord> creates = createsNewestFirst(d, m.name());
            if (creates.isEmpty()) {
                Map<String, Object> payload = DeploymentEngine.payload(m, null, "nothing made");
                payload.put("summary", m.name() + ": no machine was ever asked for; nothing to delete");
                put(d, e.updateMember(d, m, MemberState.DELETED, m.target().id(), detail, DeploymentEngine.entry(DeploymentEngine.KIND_PROVISIONING,
                        DeploymentEngine.SYSTEM, d.record, payload)));
            } else if (e.due(key)) {
                // no machine on record, or creates still pending: the provider is asked for the machine of each
                e.submitFind(d, m, creates);
                c.started++;
            }
        }
        if (done) {
            finishDeletion(d, machines);
        }
    }

    private static List<OperationRecord> createsNewestFirst(Loaded d, String member) {
        List<OperationRecord> creates = new ArrayList<>();
        for (OperationRecord op : d.operationsOf(member)) {
            if (op.action().equals(Loaded.CREATE)) {
                creates.add(0, op);
            }
        }
        return creates;
    }

    private void finishDeletion(Loaded d, int machines) {
        e.steps.forget(d.id());
        String allocationId = d.record.allocationId();
        String released;
        if (allocationId == null) {
            released = "no allocation to release";
        } else {
            Optional<Allocation> held = e.placement.allocation(allocationId);
            if (held.isEmpty()) {
                released = "allocation " + allocationId + " was no longer held";
            } else if (!belongs(held.get(), d)) {
                released = "allocation " + allocationId + " now holds another placement (" + held.get().contract() + " of tenant "
                        + held.get().tenant() + "; the ledger was not kept across a restart): left as it is";
                LOG.warn("Deployment {}: {}", d.id(), released);
            } else {
                try {
                    // as this deployment, being deleted: refused should another deployment hold the allocation
                    e.placement.releaseFor(allocationId, d.id());
                    released = "allocation " + allocationId + " released";
                } catch (NotFoundException ex) {
                    released = "allocation " + allocationId + " was no longer held";
                } catch (ConflictException ex) {
                    released = "allocation " + allocationId + " was left as it is: " + ex.getMessage();
                    LOG.warn("Deployment {}: {}", d.id(), released);
                } catch (RuntimeException ex) {
                    LOG.warn("Deployment {}: releasing allocation {} failed ({}); the next pass tries again", d.id(), allocationId,
                            DeploymentEngine.message(ex));
                    return;
                }
            }
        }
        move(d, DeploymentState.DELETED, released, "deployment " + d.id() + " deleted: " + machines + (machines == 1 ? " machine" : " machines")
                + " deleted, " + released);
    }

    /** Whether an allocation is the one a deployment was placed with (same contract, tenant, members and the nodes they were bound to). */
    private static boolean belongs(Allocation a, Loaded d) {
        if (!a.contract().equals(d.spec.contract()) || !Objects.equals(a.tenant(), d.spec.tenant())) {
            return false;
        }
        Map<String, String> bound = new TreeMap<>();
        for (MemberBinding b : a.bindings()) {
            bound.put(b.member(), offerOrNode(b.nodeId()));
        }
        Map<String, String> asked = new TreeMap<>();
        for (Spec.MemberSpec m : d.spec.members()) {
            // the node placement bound it to (a joined node's machine is made on another node's id); in a spec stored without it, its target
            asked.put(m.name(), m.boundTo() != null ? offerOrNode(m.boundTo()) : m.target().id());
        }
        return bound.equals(asked);
    }

    /** A machine id as the engine shows it ({@link DeploymentEngine#shown}). */
    private static String shown(String machineId) {
        return DeploymentEngine.shown(machineId);
    }

    private static String offerOrNode(String boundId) {
        return dev.strata.platform.core.placement.OfferSlots.offerOf(boundId).orElse(boundId);
    }

    // ---- leaks ------------------------------------------------------------------------------

    private void leaks(Map<String, Listing> listings, Map<String, DeploymentRecord> byId, Map<String, Loaded> live, long stamp, Counters c) {
        Set<String> seen = new java.util.HashSet<>();
        for (Listing l : listings.values()) {
            if (!l.ok()) {
                continue;
            }
            for (MachineStatus s : l.machines()) {
                String deployment = s.labels().get(MachineLabels.DEPLOYMENT);
                String operation = s.operationId();
                if (deployment == null || s.state() == MachineState.GONE || s.state() == MachineState.DELETING) {
                    continue;
                }
                String machineKey = l.providerId() + "/" + s.handle().machineId();
                seen.add(machineKey);
                String why = leakReason(s, deployment, operation, byId, live, stamp);
                if (why != null) {
                    c.leaks++;
                    leak(l.providerId(), s, why, c);
                }
            }
        }
        // forget a machine once a listing of its provider no longer shows it; one that could not list (or is away) says nothing
        Set<String> listed = new java.util.HashSet<>();
        listings.values().stream().filter(Listing::ok).forEach(l -> listed.add(l.providerId()));
        java.util.function.Predicate<String> gone = k -> !seen.contains(k) && listed.stream().anyMatch(p -> k.startsWith(p + "/"));
        leakNext.keySet().removeIf(gone);
        leakTries.keySet().removeIf(gone);
    }

    private String leakReason(MachineStatus s, String deployment, String operation, Map<String, DeploymentRecord> byId, Map<String, Loaded> live,
            long stamp) {
        DeploymentRecord r = byId.get(deployment);
        if (r == null) {
            return "its deployment " + deployment + " is unknown to this Strata";
        }
        if (r.state().equals(DeploymentState.DELETED.name())) {
            return "its deployment " + deployment + " was deleted";
        }
        Loaded d = live.get(deployment);
        if (d == null || d.state() == DeploymentState.DELETING) {
            return null;
        }
        if (operation == null || operation.isBlank()) {
            // every machine Strata makes names the operation that made it (an empty name is none): no operation of the deployment made this one
            return "it names no operation (its " + MachineLabels.OPERATION + " label is missing or empty), so no operation of deployment "
                    + deployment + " made it";
        }
        Optional<OperationRecord> op = d.operation(operation);
        if (op.isEmpty()) {
            return "deployment " + deployment + " recorded no operation " + operation;
        }
        String key = DeploymentEngine.key(deployment, op.get().member());
        if (op.get().state() == OperationState.PENDING || !e.free(key, stamp)) {
            return null;
        }
        if (op.get().state() == OperationState.FAILED) {
            return "operation " + operation + " that made it was recorded as failed";
        }
        String current = d.detail(op.get().member()).operation();
        if (!operation.equals(current)) {
            return "member " + op.get().member() + " has another machine now (operation " + (current == null ? "none yet" : current) + ")";
        }
        return null;
    }

    private void leak(String providerId, MachineStatus s, String reason, Counters c) {
        String machineKey = providerId + "/" + s.handle().machineId();
        Instant next = leakNext.get(machineKey);
        Instant now = e.clock.instant();
        if (next != null && now.isBefore(next)) {
            return;
        }
        // the labels are the provider's text (the reason quotes them): cleaned before the log or the provenance log gets them
        String why = ProviderText.clean(reason);
        String machine = shown(s.handle().machineId());
        Map<String, Object> payload = new LinkedHashMap<>();
        String deployment = ProviderText.clean(s.labels().get(MachineLabels.DEPLOYMENT));
        payload.put("machine", DeploymentEngine.handlePayload(s.handle()));
        payload.put("labels", DeploymentEngine.cleaned(s.labels()));
        payload.put("reason", why);
        if (!e.settings.deleteLeaks()) {
            payload.put("action", "reported");
            payload.put("summary", "machine " + machine + " of provider " + providerId + " is leaked: " + why
                    + "; left as it is (leaks = report)");
            // durable before the machine is marked as reported: a record that fails is tried again on the next pass
            DeploymentEngine.join(e.store.provenance().append(leakEntry(providerId, s, deployment, payload)));
            leakNext.put(machineKey, Instant.MAX);
            LOG.warn("Leaked machine {} of provider {}: {}; left as it is (leaks = report)", machine, providerId, why);
            return;
        }
        int tries = leakTries.merge(machineKey, 1, Integer::sum);
        leakNext.put(machineKey, now.plus(e.settings.backoff(tries)));
        payload.put("action", "delete");
        payload.put("summary", "machine " + machine + " of provider " + providerId + " is leaked: " + why + "; deleting it");
        c.started++;
        e.submitLeakDelete(providerId, s, result -> {
            payload.put("result", result);
            return leakEntry(providerId, s, deployment, payload);
        });
    }

    private static ProvenanceEntry leakEntry(String providerId, MachineStatus s, String deployment, Map<String, Object> payload) {
        return ProvenanceEntry.of(DeploymentEngine.KIND_LEAK, DeploymentEngine.SYSTEM, payload, "deployment", deployment, "tenant",
                ProviderText.clean(s.labels().get(MachineLabels.TENANT)), "provider", providerId, "node", shown(s.nodeId()));
    }

    static String describe(Duration d) {
        if (d.toMillis() < 1000) {
            return d.toMillis() + " ms";
        }
        if (d.toSeconds() < 120) {
            return d.toSeconds() + " s";
        }
        return d.toMinutes() + " min";
    }
}
