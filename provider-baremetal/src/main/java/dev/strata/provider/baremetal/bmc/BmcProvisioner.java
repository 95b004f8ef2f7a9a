package dev.strata.provider.baremetal.bmc;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provisions BMC-managed machines: create sets the boot source (PXE once by default, or the
 * virtual media image named in the request) and powers the machine on (a reset when it was on);
 * delete clears the override, ejects the media and powers it off.
 *
 * <p>Each step is announced in the {@link OperationJournal} before it is taken, so a repeated
 * create with the same operation id (after a crash, a timeout, a new bundle version) continues
 * where the last one stopped. The one step never repeated is a reset: when the provider stopped
 * between announcing a reset and the BMC accepting it, the reset is not sent again (the note on
 * the machine says so), because a second power cycle could interrupt the boot the first began.
 * Power-on and power-off are safe to repeat and are.
 *
 * <p>Each step completed on the BMC (boot override set, virtual media inserted, power requested,
 * powered on; media ejected, override cleared, power-off requested, powered off) is kept with
 * its time in the operation's journal record and reported in every status under
 * {@link MachineStatus#STEPS}, from which the core writes the deployment's provenance log.
 */
public final class BmcProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(BmcProvisioner.class);
    /** Handle attributes. */
    static final String BMC = "bmc";
    static final String SYSTEM = "system";
    static final String OPERATION = "operation";
    /** Request parameters. */
    public static final String BOOT_DEVICE = "bootDevice";
    public static final String VIRTUAL_MEDIA = "virtualMedia";
    public static final String SHUTDOWN = "shutdown";
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration MARGIN = Duration.ofMillis(300);

    private final String providerId;
    private final BmcFleet fleet;
    private final OperationJournal journal;
    /**
     * Read once at each look at an operation, and that reading passed to every judgement of the
     * look and every figure it quotes: a change applies to the operations in progress from their
     * next look, and never makes a message quote another figure than the one its judgement used.
     */
    private volatile Duration powerTimeout;
    private final Clock clock;
    /** The lock of each operation (create, delete), held through its steps and its power wait. */
    private final KeyedLocks locks = new KeyedLocks();
    /** Short locks for the phase changes a describe may make while a create or delete holds the operation's lock. */
    private final KeyedLocks records = new KeyedLocks();
    private final Object claims = new Object();

    public BmcProvisioner(String providerId, BmcFleet fleet, OperationJournal journal, Duration powerTimeout, Clock clock) {
        this.providerId = providerId;
        this.fleet = fleet;
        this.journal = journal;
        this.powerTimeout = powerTimeout;
        this.clock = clock;
    }

    /** How long a machine may take to reach the power state asked for, from now on. */
    public void powerTimeout(Duration powerTimeout) {
        this.powerTimeout = powerTimeout;
    }

    public Duration powerTimeout() {
        return powerTimeout;
    }

    public OperationJournal journal() {
        return journal;
    }

    // ---- create -------------------------------------------------------------------------

    public MachineStatus create(MachineRequest request, DiscoveryContext context) {
        String key = request.operationId();
        locks.lock(key);
        try {
            Operation op = journal.get(request.operationId()).orElse(null);
            if (op != null) {
                if (!op.nodeId().equals(request.target().id())) {
                    throw new ProviderFailureException("operation " + op.operationId() + " was used for node " + op.nodeId()
                            + ", not " + request.target().id() + "; an operation id makes one machine");
                }
                if (op.phase() == Operation.Phase.GONE || op.phase().deleting()) {
                    return describe(handle(op), context);
                }
                LOG.info("Operation {} on {} resumes at {}", op.operationId(), op.nodeId(), op.phase());
            } else {
                op = claim(request, context);
            }
            try (ConfiguredBmc.Use use = bmcOf(op)) {
                return advance(op, use.bmc(), context);
            }
        } finally {
            locks.unlock(key);
        }
    }

    private Operation claim(MachineRequest request, DiscoveryContext context) {
        if (request.target().kind() != MachineTarget.Kind.NODE) {
            throw new NotFoundException("provider " + providerId + " makes no machines from offers; target " + request.target().id()
                    + " is an offer");
        }
        String nodeId = request.target().id();
        BmcFleet.Location location = fleet.find(nodeId, context).orElseThrow(() -> new NotFoundException("node " + nodeId
                + " is not a system of any configured BMC that answers (provider " + providerId + ")"));
        // the operation names its BMC by name: one whose name another configuration gives too is refused before anything is recorded
        fleet.byName(location.bmc().name());
        Map<String, String> p = request.parameters();
        String media = p.get(VIRTUAL_MEDIA);
        if (media != null) {
            media = media.trim();
            URI uri;
            try {
                uri = URI.create(media);
            } catch (IllegalArgumentException e) {
                throw invalid(VIRTUAL_MEDIA, InvalidConfigurationException.withoutCredentials(media), "an http(s) URL of an ISO image the BMC can fetch");
            }
            if (uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
                    || uri.getHost() == null) {
                throw invalid(VIRTUAL_MEDIA, InvalidConfigurationException.withoutCredentials(media), "an http(s) URL of an ISO image the BMC can fetch");
            }
            if (uri.getUserInfo() != null) {
                throw invalid(VIRTUAL_MEDIA, "(a URL with credentials)", "a URL without user or password: parameters never carry credentials");
            }
        }
        BootTarget boot;
        try {
            boot = p.containsKey(BOOT_DEVICE) ? BootTarget.parse(p.get(BOOT_DEVICE)) : media != null ? BootTarget.CD : BootTarget.PXE;
        } catch (IllegalArgumentException e) {
            throw invalid(BOOT_DEVICE, p.get(BOOT_DEVICE), "pxe, disk or cd");
        }
        if (boot == BootTarget.CD && media == null) {
            throw invalid(BOOT_DEVICE, "cd", "pxe or disk, or cd together with virtualMedia");
        }
        String shutdown = p.getOrDefault(SHUTDOWN, "force").trim().toLowerCase(Locale.ROOT);
        if (!shutdown.equals("force") && !shutdown.equals("graceful")) {
            throw invalid(SHUTDOWN, p.get(SHUTDOWN), "force or graceful");
        }
        Instant now = clock.instant();
        Operation op = new Operation(request.operationId(), request.deploymentId(), request.member(), request.tenant(), nodeId,
                location.bmc().name(), location.system(), boot.name().toLowerCase(Locale.ROOT), media, shutdown, Operation.Phase.CLAIMED,
                null, null, now, now, null);
        synchronized (claims) {
            Optional<Operation> holder = journal.holding(nodeId);
            if (holder.isPresent()) {
                Operation h = holder.get();
                throw new ProviderFailureException("node " + nodeId + " is provisioned for deployment " + h.deploymentId() + " member "
                        + h.member() + " by operation " + h.operationId() + " (" + h.phase() + "); delete that machine first");
            }
            op = journal.put(op);
        }
        LOG.info("Operation {}: provisioning node {} (BMC {}, {}) for deployment {} member {}: boot {}{}", op.operationId(), nodeId,
                shown(op.bmc()), op.system(), op.deploymentId(), op.member(), op.bootDevice(), media == null ? "" : " from " + withoutQuery(media));
        return op;
    }

    private MachineStatus advance(Operation op, Bmc bmc, DiscoveryContext context) {
        boolean sentNow = false;
        boolean bootSetNow = false;
        if (op.phase() == Operation.Phase.CLAIMED) {
            bootSetNow = true;
            BootTarget boot = BootTarget.valueOf(op.bootDevice().toUpperCase(Locale.ROOT));
            boolean inserted = false;
            try {
                if (op.virtualMedia() != null) {
                    bmc.insertMedia(op.system(), op.virtualMedia(), context);
                    inserted = true;
                    op = op.withStep("virtual-media-inserted", withoutQuery(op.virtualMedia()), clock.instant());
                }
                bmc.setBootOverride(op.system(), boot, true, context);
            } catch (StrataException refused) {
                if (refused instanceof ProviderUnavailableException || refused instanceof ProviderTimeoutException) {
                    throw refused; // the BMC is busy or away: the next try resumes the claim under the same operation id
                }
                // the BMC cannot do what was asked (an IPMI BMC has no virtual media, a BMC without a virtual CD or that does
                // not allow the boot target, a user without the privilege): nothing was powered, so the claim is given up and
                // the node is free for the next create; a claim left standing held it until the failed deployment was deleted,
                // whose delete then powered off a machine this create never touched
                if (inserted) {
                    try {
                        bmc.ejectMedia(op.system(), context);
                    } catch (StrataException e) {
                        refused.addSuppressed(e);
                    }
                }
                journal.put(op.with(Operation.Phase.GONE, clock.instant()).withStep("refused", refused.getMessage(), clock.instant()));
                LOG.info("Operation {}: node {} not provisioned, its BMC refused what was asked ({}); the node is free again", op.operationId(),
                        op.nodeId(), refused.getMessage());
                throw refused;
            }
            op = op.withStep("boot-override-set", op.bootDevice() + " once", clock.instant());
            op = journal.put(op.with(Operation.Phase.BOOT_SET, clock.instant()));
        }
        if (op.phase() == Operation.Phase.BOOT_SET) {
            if (!bootSetNow) {
                op = renewBoot(op, bmc, context);
            }
            PowerState now = bmc.powerState(op.system(), context);
            if (now == PowerState.POWERING_OFF || now == PowerState.UNKNOWN) {
                // "On" to a machine that is in fact on does nothing, and it would never boot from the override; a reset to one
                // that is off may be refused: nothing is sent until the BMC says which (the engine tries again, same operation)
                throw new ProviderUnavailableException("node " + op.nodeId() + " reads power state " + now.label() + " on BMC " + shown(op.bmc())
                        + "; nothing is sent until it reads On or Off (a reset if on, power on if off, to boot it from "
                        + op.bootDevice() + "); operation " + op.operationId() + " resumes then");
            }
            PowerAction action = now == PowerState.ON || now == PowerState.POWERING_ON ? PowerAction.FORCE_RESTART : PowerAction.ON;
            op = journal.put(op.withPower(Operation.Phase.POWER_INTENT, action, clock.instant(), clock.instant()));
            PowerAction sent;
            try {
                sent = bmc.power(op.system(), action, context);
            } catch (RequestNotApplied notApplied) {
                // surely not sent, or refused: the intent is withdrawn, so the next try sends it (a reset whose fate is
                // unknown stays announced and is never sent twice)
                journal.put(op.with(Operation.Phase.BOOT_SET, clock.instant()).withStep("power-request-failed", action.redfishResetType()
                        + " did not reach the BMC or was refused; it is sent again", clock.instant()));
                LOG.info("Operation {}: {} {} was not carried out ({}); it will be sent again", op.operationId(), action, op.nodeId(),
                        notApplied.getMessage());
                throw notApplied.failure();
            }
            sentNow = true;
            // a reset of a machine that went off since it was read is sent as a power-on (see Bmc.power)
            op = journal.put(op.withPower(Operation.Phase.POWER_SENT, sent, clock.instant(), clock.instant())
                    .withStep("power-requested", sent.redfishResetType() + (sent == action ? ""
                            : " (instead of " + action.redfishResetType() + ": the machine was off)"), clock.instant()));
            LOG.info("Operation {}: {} {} on BMC {}", op.operationId(), sent, op.nodeId(), shown(op.bmc()));
        }
        if (op.phase() == Operation.Phase.POWER_INTENT && !sentNow) {
            if (op.powerAction() == PowerAction.FORCE_RESTART) {
                String note = "the reset announced at " + op.powerRequestedAt()
                        + " may not have reached the BMC (the provider stopped while sending it, or no answer came); it is not repeated";
                LOG.warn("Operation {} on {}: {}", op.operationId(), op.nodeId(), note);
                op = journal.put(op.withPower(Operation.Phase.POWER_SENT, op.powerAction(), op.powerRequestedAt(), clock.instant())
                        .withNote(note, clock.instant()).withStep("power-request-not-repeated", op.powerAction().redfishResetType()
                                + " (announced at " + op.powerRequestedAt() + "; it may not have reached the BMC)", clock.instant()));
            } else {
                // a power-on whose fate is unknown is sent again, but not to a machine that reads on: where the BMC offers
                // only its power button for it (PushPowerButton, a toggle), a second press would turn the machine off again
                PowerState now = bmc.powerState(op.system(), context);
                if (now == PowerState.ON || now == PowerState.POWERING_ON) {
                    LOG.info("Operation {}: node {} reads {}; the {} announced at {} is not sent again", op.operationId(), op.nodeId(),
                            now.label(), op.powerAction(), op.powerRequestedAt());
                    op = journal.put(op.withPower(Operation.Phase.POWER_SENT, op.powerAction(), op.powerRequestedAt(), clock.instant())
                            .withStep("power-requested", op.powerAction().redfishResetType() + " (announced at " + op.powerRequestedAt()
                                    + "; not sent again, the machine reads " + now.label() + ")", clock.instant()));
                } else {
                    power(bmc, op.system(), op.powerAction(), context);
                    op = journal.put(op.withPower(Operation.Phase.POWER_SENT, op.powerAction(), clock.instant(), clock.instant())
                            .withStep("power-requested", op.powerAction().redfishResetType(), clock.instant()));
                }
            }
        }
        return op.phase() == Operation.Phase.POWER_SENT ? awaitOn(op, bmc, context) : status(op, bmc, context);
    }

    /**
     * Sets the boot source (and inserts the media) once more before the power request of an
     * operation resumed at BOOT_SET (after a crash, or a power request that did not reach the BMC):
     * what an earlier try set may be gone by now. An IPMI BMC clears its boot flags 60 s after they
     * were set unless the machine restarts (IPMI 2.0, Set System Boot Options), and a boot in
     * between (a power button, the machine restarting itself) uses up an override set once; the
     * reset would then boot the machine from its disk, into what it ran before, reported RUNNING.
     * Both requests are idempotent; the step says it was done again.
     */
    private Operation renewBoot(Operation op, Bmc bmc, DiscoveryContext context) {
        if (op.virtualMedia() != null) {
            bmc.insertMedia(op.system(), op.virtualMedia(), context);
        }
        bmc.setBootOverride(op.system(), BootTarget.valueOf(op.bootDevice().toUpperCase(Locale.ROOT)), true, context);
        LOG.info("Operation {}: boot source of {} set again ({} once) before its power request", op.operationId(), op.nodeId(),
                op.bootDevice());
        return journal.put(op.withStep("boot-override-set", op.bootDevice() + " once (again before the power request: what an "
                + "earlier try set may have expired or been used by a boot since)", clock.instant()));
    }

    private MachineStatus awaitOn(Operation op, Bmc bmc, DiscoveryContext context) {
        while (true) {
            PowerState power = bmc.powerState(op.system(), context);
            if (power == PowerState.ON) {
                op = settle(op, Operation.Phase.POWER_SENT, Operation.Phase.RUNNING, "powered-on");
                LOG.info("Operation {}: node {} is on", op.operationId(), op.nodeId());
                return build(op, byPhase(op.phase()), null, power);
            }
            if (!pause(context)) {
                return fromPower(op, power, powerTimeout);
            }
        }
    }

    // ---- describe, find, list -----------------------------------------------------------

    public MachineStatus describe(MachineHandle handle, DiscoveryContext context) {
        Operation op = operationOf(handle);
        if (op.phase() == Operation.Phase.GONE) {
            return build(op, MachineState.GONE, null, null);
        }
        try (ConfiguredBmc.Use use = bmcOf(op)) {
            return status(op, use.bmc(), context);
        }
    }

    public Optional<MachineStatus> find(String operationId, DiscoveryContext context) {
        Optional<Operation> op = journal.get(operationId);
        if (op.isEmpty() || op.get().phase() == Operation.Phase.GONE) {
            return Optional.empty();
        }
        return Optional.of(describe(handle(op.get()), context));
    }

    public List<MachineStatus> machines(DiscoveryContext context) {
        context.checkDeadline("listing the machines of the BMC operation journal");
        List<MachineStatus> list = new ArrayList<>();
        for (Operation op : journal.all()) {
            if (op.phase() == Operation.Phase.GONE) {
                continue;
            }
            context.checkDeadline("describing the machine of operation " + op.operationId());
            try {
                list.add(describe(handle(op), context));
            } catch (ProviderTimeoutException e) {
                // the caller's deadline or an interruption: the whole listing ends, not one machine's line
                throw e;
            } catch (StrataException e) {
                MachineStatus s = build(op, byPhase(op.phase()), null, null);
                Map<String, String> attributes = new LinkedHashMap<>(s.attributes());
                attributes.put(NodeTemplate.ERROR, e.getMessage());
                list.add(new MachineStatus(s.handle(), s.state(), s.message(), s.nodeId(), s.labels(), attributes, s.observedAt()));
            }
        }
        return list;
    }

    /** The labels of the operation that holds each node now, by node id, from one read of the journal (for discovery). */
    public Map<String, Map<String, String>> labelsByNode() {
        Map<String, Map<String, String>> out = new java.util.HashMap<>();
        // oldest first: the first operation seen on a node that is not GONE is the one that holds it, as in holding()
        for (Operation op : journal.all()) {
            if (op.phase() != Operation.Phase.GONE) {
                out.putIfAbsent(op.nodeId(), labels(op));
            }
        }
        return out;
    }

    private MachineStatus status(Operation op, Bmc bmc, DiscoveryContext context) {
        Duration timeout = powerTimeout;
        PowerState power = bmc.powerState(op.system(), context);
        return switch (op.phase()) {
            case CLAIMED, BOOT_SET, POWER_INTENT -> build(op, MachineState.PENDING, null, power);
            case POWER_SENT -> {
                if (power == PowerState.ON) {
                    Operation running = settle(op, Operation.Phase.POWER_SENT, Operation.Phase.RUNNING, "powered-on");
                    yield build(running, byPhase(running.phase()), null, power);
                }
                yield fromPower(op, power, timeout);
            }
            // failed only where the BMC says the machine is off or going off: one powering on again (a reset outside Strata)
            // or in a state the BMC reports that is no power-off (Paused, none at all) was not powered off, and a FAILED
            // machine is one the deployment replaces
            case RUNNING -> power == PowerState.OFF || power == PowerState.POWERING_OFF
                    ? build(op, MachineState.FAILED, "node " + op.nodeId() + " is " + power.label()
                            + " on its BMC: it was powered off outside Strata after it was provisioned", power)
                    : build(op, MachineState.RUNNING, null, power);
            case DELETE_INTENT, POWER_OFF_INTENT -> build(op, MachineState.DELETING, null, power);
            case POWER_OFF_SENT -> {
                if (power == PowerState.OFF) {
                    Operation gone = settle(op, Operation.Phase.POWER_OFF_SENT, Operation.Phase.GONE, "powered-off");
                    yield build(gone, byPhase(gone.phase()), null, power);
                }
                if (graceOver(op, timeout) && locks.tryLock(op.operationId())) {
                    // whoever looks forces a shutdown past its grace, not only a delete call still waiting for it; a delete
                    // at work holds the lock and forces it itself
                    try {
                        Operation now = journal.get(op.operationId()).orElse(op);
                        if (now.phase() == Operation.Phase.POWER_OFF_SENT && graceOver(now, timeout)) {
                            yield build(forceOff(now, bmc, context, timeout), MachineState.DELETING, null, power);
                        }
                    } finally {
                        locks.unlock(op.operationId());
                    }
                }
                yield overdue(op, timeout) ? build(op, MachineState.FAILED, "asked to power off at " + op.powerRequestedAt() + " ("
                        + op.powerAction() + "); still " + power.label() + " after " + timeout.toSeconds() + " s", power)
                        : build(op, MachineState.DELETING, null, power);
            }
            case GONE -> build(op, MachineState.GONE, null, power);
        };
    }

    /** What a machine not yet on is, judged and told with the look's one reading of {@code powerTimeout}. */
    private MachineStatus fromPower(Operation op, PowerState power, Duration timeout) {
        if (overdue(op, timeout)) {
            return build(op, MachineState.FAILED, "asked to power on at " + op.powerRequestedAt() + " (" + op.powerAction() + "); still "
                    + power.label() + " after " + timeout.toSeconds() + " s", power);
        }
        return build(op, MachineState.PENDING, null, power);
    }

    private boolean overdue(Operation op, Duration timeout) {
        return op.powerRequestedAt() != null && Duration.between(op.powerRequestedAt(), clock.instant()).compareTo(timeout) > 0;
    }

    // ---- delete -------------------------------------------------------------------------

    public MachineStatus delete(MachineHandle handle, DiscoveryContext context) {
        String operationId = handle.attributes().get(OPERATION);
        String key = operationId == null ? handle.machineId() : operationId;
        ConfiguredBmc.Use use = null; // the BMC's client, held to the end (see bmcOf)
        locks.lock(key);
        try {
            Operation op = operationOf(handle);
            if (op.phase() == Operation.Phase.GONE) {
                return build(op, MachineState.GONE, null, null);
            }
            use = bmcOf(op);
            Bmc bmc = use.bmc();
            if (op.phase() == Operation.Phase.CLAIMED || op.phase() == Operation.Phase.BOOT_SET) {
                return release(op, bmc, context);
            }
            if (!op.phase().deleting()) {
                op = journal.put(op.with(Operation.Phase.DELETE_INTENT, clock.instant()));
                LOG.info("Operation {}: deleting the machine on node {} (BMC {})", op.operationId(), op.nodeId(), shown(op.bmc()));
            }
            boolean offIntentNow = false;
            if (op.phase() == Operation.Phase.DELETE_INTENT) {
                offIntentNow = true;
                if (op.virtualMedia() != null) {
                    bmc.ejectMedia(op.system(), context);
                    op = op.withStep("virtual-media-ejected", null, clock.instant());
                }
                bmc.clearBootOverride(op.system(), context);
                op = op.withStep("boot-override-cleared", null, clock.instant());
                PowerState power = bmc.powerState(op.system(), context);
                if (power == PowerState.OFF) {
                    op = journal.put(op.with(Operation.Phase.GONE, clock.instant()).withStep("powered-off", "already off", clock.instant()));
                    LOG.info("Operation {}: node {} is off and cleared", op.operationId(), op.nodeId());
                    return build(op, MachineState.GONE, null, power);
                }
                PowerAction off = "graceful".equals(op.shutdown()) ? PowerAction.GRACEFUL_SHUTDOWN : PowerAction.FORCE_OFF;
                op = journal.put(op.withPower(Operation.Phase.POWER_OFF_INTENT, off, clock.instant(), clock.instant()));
            }
            if (op.phase() == Operation.Phase.POWER_OFF_INTENT) {
                // resumed (the request's fate unknown): not sent to a machine that reads off, which a power button
                // (PushPowerButton, what some BMCs offer for a graceful shutdown) would turn on again
                PowerState now = offIntentNow ? null : bmc.powerState(op.system(), context);
                if (now == PowerState.OFF) {
                    LOG.info("Operation {}: node {} reads Off; the {} announced at {} is not sent again", op.operationId(), op.nodeId(),
                            op.powerAction(), op.powerRequestedAt());
                    op = journal.put(op.withPower(Operation.Phase.POWER_OFF_SENT, op.powerAction(), op.powerRequestedAt(), clock.instant())
                            .withStep("power-off-requested", op.powerAction().redfishResetType() + " (announced at " + op.powerRequestedAt()
                                    + "; not sent again, the machine reads Off)", clock.instant()));
                } else {
                    power(bmc, op.system(), op.powerAction(), context);
                    op = journal.put(op.withPower(Operation.Phase.POWER_OFF_SENT, op.powerAction(), clock.instant(), clock.instant())
                            .withStep("power-off-requested", op.powerAction().redfishResetType(), clock.instant()));
                    LOG.info("Operation {}: {} {} on BMC {}", op.operationId(), op.powerAction(), op.nodeId(), shown(op.bmc()));
                }
            }
            while (true) {
                PowerState power = bmc.powerState(op.system(), context);
                if (power == PowerState.OFF) {
                    op = settle(op, Operation.Phase.POWER_OFF_SENT, Operation.Phase.GONE, "powered-off");
                    LOG.info("Operation {}: node {} is off and cleared", op.operationId(), op.nodeId());
                    return build(op, byPhase(op.phase()), null, power);
                }
                Duration timeout = powerTimeout;
                if (graceOver(op, timeout)) {
                    op = forceOff(op, bmc, context, timeout);
                }
                if (!pause(context)) {
                    return build(op, MachineState.DELETING, null, power);
                }
            }
        } finally {
            if (use != null) {
                use.close();
            }
            locks.unlock(key);
        }
    }

    /**
     * Deletes an operation that stopped before its power request (CLAIMED, or BOOT_SET, where a power request withdrawn
     * surely did not reach the BMC): the media and boot source it may have set are cleared, the node is given up, and the
     * machine's power is left as it is. Strata never powered the machine on, so it may be running what its operator runs
     * there; before, the delete powered it off as it does a machine it provisioned. A failure on the way leaves the record
     * as it was, and the next delete clears again (both requests are idempotent).
     */
    private MachineStatus release(Operation op, Bmc bmc, DiscoveryContext context) {
        if (op.virtualMedia() != null) {
            bmc.ejectMedia(op.system(), context);
            op = op.withStep("virtual-media-ejected", null, clock.instant());
        }
        bmc.clearBootOverride(op.system(), context);
        Operation.Phase was = op.phase();
        op = journal.put(op.withStep("boot-override-cleared", null, clock.instant()).with(Operation.Phase.GONE, clock.instant())
                .withStep("released", "power left as it was (the operation stopped at " + was + ", before any power request)",
                        clock.instant()));
        LOG.info("Operation {}: node {} released at {}, before any power request; its power is left as it was", op.operationId(),
                op.nodeId(), was);
        return build(op, MachineState.GONE, null, null);
    }

    // ---- helpers ------------------------------------------------------------------------

    /** Whether a graceful shutdown has had its grace (half of the look's {@code powerTimeout}) and is still not done. */
    private boolean graceOver(Operation op, Duration timeout) {
        return op.powerAction() == PowerAction.GRACEFUL_SHUTDOWN && op.powerRequestedAt() != null
                && Duration.between(op.powerRequestedAt(), clock.instant()).compareTo(timeout.dividedBy(2)) > 0;
    }

    /**
     * Forces off a machine whose graceful shutdown is over its grace, the intent journalled first;
     * the caller holds the operation's lock. The grace quoted is that of the {@code timeout} the
     * caller judged it by, not the setting as it is after the request (a change meanwhile).
     */
    private Operation forceOff(Operation op, Bmc bmc, DiscoveryContext context, Duration timeout) {
        LOG.info("Operation {}: node {} did not shut down within {} s; forcing it off", op.operationId(), op.nodeId(),
                timeout.dividedBy(2).toSeconds());
        op = journal.put(op.withPower(Operation.Phase.POWER_OFF_INTENT, PowerAction.FORCE_OFF, clock.instant(), clock.instant()));
        power(bmc, op.system(), PowerAction.FORCE_OFF, context);
        return journal.put(op.withPower(Operation.Phase.POWER_OFF_SENT, PowerAction.FORCE_OFF, clock.instant(), clock.instant())
                .withStep("power-off-requested", PowerAction.FORCE_OFF.redfishResetType() + " (no graceful shutdown within "
                        + timeout.dividedBy(2).toSeconds() + " s)", clock.instant()));
    }

    /** A power request that may be sent again whatever became of it (on, off): a failure is reported as what it was. */
    private static void power(Bmc bmc, String system, PowerAction action, DiscoveryContext context) {
        try {
            bmc.power(system, action, context);
        } catch (RequestNotApplied notApplied) {
            throw notApplied.failure();
        }
    }

    /** The journal's record of the handle's operation, or one made from the handle when the journal has none (it was lost). */
    private Operation operationOf(MachineHandle handle) {
        if (!providerId.equals(handle.providerId())) {
            throw new NotFoundException("machine " + shown(handle.machineId()) + " belongs to provider " + shown(handle.providerId()) + ", not "
                    + providerId);
        }
        String operationId = handle.attributes().get(OPERATION);
        if (operationId != null) {
            Optional<Operation> op = journal.get(operationId);
            if (op.isPresent()) {
                return op.get();
            }
        }
        String bmc = handle.attributes().get(BMC);
        String system = handle.attributes().get(SYSTEM);
        if (bmc == null || system == null) {
            throw new NotFoundException("machine " + shown(handle.machineId()) + ": the handle names no BMC and system, and no operation "
                    + shown(operationId) + " is recorded");
        }
        Instant now = clock.instant();
        Operation fromHandle = new Operation(operationId == null ? "unrecorded:" + handle.machineId() : operationId, null, null, null,
                handle.machineId(), bmc, system, handle.attributes().getOrDefault(BOOT_DEVICE, "pxe"), handle.attributes().get(VIRTUAL_MEDIA),
                handle.attributes().getOrDefault(SHUTDOWN, "force"), Operation.Phase.RUNNING, null, null, now, now, null);
        // the node is another operation's now (the handle outlived its record): its machine is gone, and the node is left alone,
        // as a delete worked from the handle would power off, and a describe report as this one's, the other operation's machine
        Optional<Operation> holder = journal.holding(handle.machineId());
        if (holder.isPresent()) {
            Operation h = holder.get();
            LOG.warn("No journal record of operation {} on {}, which operation {} holds now; nothing is sent to its BMC", shown(operationId),
                    shown(handle.machineId()), shown(h.operationId()));
            return fromHandle.with(Operation.Phase.GONE, now).withNote("no record of this operation; node " + shown(handle.machineId())
                    + " is held by operation " + shown(h.operationId()) + " now, so this operation's machine is gone", now);
        }
        LOG.warn("No journal record of operation {} on {}; working from the handle alone", shown(operationId), shown(handle.machineId()));
        return fromHandle;
    }

    /**
     * The BMC of the operation, held until the use is closed: a change of the BMC's configuration
     * while the operation runs leaves it the client it began with, closed only after it. Taken
     * through the fleet ({@link BmcFleet#hold}): refused once the provider has stopped, before the
     * operation's next step is journalled, so that a retry resumes it where its journal stands, and
     * waited for (at most {@link BmcFleet#STOP_WAIT}) before the stop closes the BMCs.
     */
    private ConfiguredBmc.Use bmcOf(Operation op) {
        ConfiguredBmc configured = fleet.byName(op.bmc()).orElseThrow(() -> new ProviderUnavailableException("BMC " + shown(op.bmc())
                + " of node " + op.nodeId() + " is not configured any more; configure it again to finish operation " + op.operationId()));
        return fleet.hold(configured, "operation " + op.operationId() + " on node " + op.nodeId() + " is not carried on (" + op.phase()
                + "); tried again once the provider runs, it resumes from there");
    }

    /**
     * A BMC's name (or an operation or node id) as a message or the log quotes it: an operation's record and a machine handle
     * hold it as stored, not as the configuration checked it, so a control, line-break or format character in it (a record
     * edited from outside, a handle the core stored) is shown as the API shows a value
     * ({@link InvalidConfigurationException#printable}).
     */
    private static String shown(String bmc) {
        return InvalidConfigurationException.printable(bmc);
    }

    public MachineHandle handle(Operation op) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put(BMC, op.bmc());
        attributes.put(SYSTEM, op.system());
        attributes.put(OPERATION, op.operationId());
        if (op.bootDevice() != null) {
            attributes.put(BOOT_DEVICE, op.bootDevice());
        }
        if (op.virtualMedia() != null) {
            attributes.put(VIRTUAL_MEDIA, op.virtualMedia());
        }
        if (op.shutdown() != null) {
            attributes.put(SHUTDOWN, op.shutdown());
        }
        return new MachineHandle(providerId, op.nodeId(), attributes);
    }

    private MachineStatus build(Operation op, MachineState state, String message, PowerState power) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("phase", op.phase().name());
        attributes.put(NodeTemplate.BMC, op.bmc());
        if (power != null) {
            attributes.put(NodeTemplate.POWER_STATE, power.label());
        }
        if (op.bootDevice() != null) {
            attributes.put(BOOT_DEVICE, op.bootDevice());
        }
        if (op.virtualMedia() != null) {
            attributes.put(VIRTUAL_MEDIA, op.virtualMedia());
        }
        if (op.note() != null) {
            attributes.put("note", op.note());
        }
        if (!op.steps().isEmpty()) {
            attributes.put(MachineStatus.STEPS, String.join("\n", op.steps()));
        }
        return new MachineStatus(handle(op), state, message, op.nodeId(), labels(op), attributes, clock.instant());
    }

    private static Map<String, String> labels(Operation op) {
        if (op.deploymentId() == null) {
            return Map.of(MachineLabels.OPERATION, op.operationId());
        }
        return Map.of(MachineLabels.DEPLOYMENT, op.deploymentId(), MachineLabels.MEMBER, op.member(), MachineLabels.TENANT, op.tenant(),
                MachineLabels.OPERATION, op.operationId());
    }

    private static MachineState byPhase(Operation.Phase phase) {
        return switch (phase) {
            case CLAIMED, BOOT_SET, POWER_INTENT, POWER_SENT -> MachineState.PENDING;
            case RUNNING -> MachineState.RUNNING;
            case DELETE_INTENT, POWER_OFF_INTENT, POWER_OFF_SENT -> MachineState.DELETING;
            case GONE -> MachineState.GONE;
        };
    }

    /**
     * Waits before the next look at the power state; false when the deadline leaves no time for
     * another look. Ends the wait when the provider stops, so that the operation lets go of its BMC
     * before the stop closes it; its journal stands at the power request sent, where a retry resumes.
     */
    private boolean pause(DiscoveryContext context) {
        if (context.remaining().compareTo(POLL.plus(MARGIN).plus(MARGIN)) < 0) {
            return false;
        }
        try {
            if (fleet.stoppedWithin(POLL)) {
                throw new ProviderUnavailableException("the BMC provider has stopped while operation " + context.operationId()
                        + " waited for a power change; tried again once the provider runs, it resumes from the power request sent");
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.strata.platform.api.exception.ProviderTimeoutException("interrupted while waiting for a power change (operation "
                    + context.operationId() + ")");
        }
    }

    /** An image URL as a step and the log show it: without query and fragment (a signed URL's token stays out of the provenance log and the log). */
    public static String withoutQuery(String url) {
        int cut = url.length();
        for (char c : new char[] {'?', '#'}) {
            int i = url.indexOf(c);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        return cut == url.length() ? url : url.substring(0, cut) + " (query omitted)";
    }

    /**
     * Moves the operation from phase {@code from} to {@code to} with the step {@code step}, unless
     * another caller moved it first (a describe and the create that waits for the power change
     * both see the machine on): the record as it is now, the step written once.
     */
    private Operation settle(Operation op, Operation.Phase from, Operation.Phase to, String step) {
        records.lock(op.operationId());
        try {
            Operation current = journal.get(op.operationId()).orElse(op);
            if (current.phase() != from) {
                return current;
            }
            return journal.put(current.with(to, clock.instant()).withStep(step, null, clock.instant()));
        } finally {
            records.unlock(op.operationId());
        }
    }

    private static ProviderFailureException invalid(String parameter, String value, String expected) {
        return new ProviderFailureException("parameter " + parameter + " = '" + value + "' is invalid; expected " + expected);
    }
}
