package dev.strata.provider.aws;

import static dev.strata.platform.api.exception.InvalidConfigurationException.printable;

import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.provider.aws.ec2.Ec2Gateway;
import dev.strata.provider.aws.ec2.Ec2Instance;
import dev.strata.provider.aws.ec2.Shape;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches, describes, finds, lists and terminates EC2 instances for Strata.
 *
 * <p>Idempotency: every instance carries the tags {@link MachineLabels} (deployment, member,
 * tenant, operation) from the moment it exists (RunInstances tags atomically), and RunInstances
 * gets a client token derived from the operation id. Before launching, {@link #create} looks for
 * an instance tagged with the operation: the tag lookup is what makes a repeated call safe where
 * the client token is not honoured (EC2 emulators) and the token covers the seconds in which a
 * new instance is not yet visible to DescribeInstances (real EC2 is eventually consistent). Should
 * two instances ever carry one operation, the earliest live one is kept and the others are terminated.
 *
 * <p>Eventual consistency: for a while after RunInstances (seconds, sometimes minutes) EC2 may
 * answer {@code InvalidInstanceID.NotFound} for the new instance, or list nothing. So the handle
 * {@link #create} returns carries the instance's launch time ({@value #LAUNCH_TIME}), and an
 * instance EC2 does not know is gone only once the {@linkplain AwsSettings#visibilityGrace() grace
 * period} since that launch has passed; until then {@link #describe} reports it
 * {@link MachineState#PENDING} and {@link #delete} {@link MachineState#DELETING} (see there). A
 * handle without a launch time (written by an earlier version) is gone as soon as EC2 does not
 * know it.
 *
 * <p>Failures after a launch: once EC2 has accepted RunInstances for the operation (now or in an
 * earlier call), the instance exists, and {@link #create} reports whatever fails after that as
 * retryable ({@link ProviderUnavailableException}, {@link ProviderTimeoutException}), never as a
 * {@link ProviderFailureException}: on a failure the core marks the operation failed and leaves the
 * instance to leak reaping, on a retryable error it repeats the create, which finds the instance.
 *
 * <p>Quotas: the configured quota is what placement is told (an offer's limit); the launch itself
 * does not count instances again (that would list every instance of the type on every launch).
 * EC2 enforces the account's real limits and its refusal ({@code VcpuLimitExceeded},
 * {@code InstanceLimitExceeded}) comes back as a {@link ProviderFailureException}.
 */
final class AwsProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(AwsProvisioner.class);
    /** The provider's own tag: which Strata provider made the instance. */
    static final String PROVIDER_TAG = "strata:provider";
    /**
     * Tag: how many EFA interfaces an instance was launched with (the {@code efa} setting, or the request's {@code efa}
     * parameter), so that discovery reports the fabric it is on as launched, not as the setting says now. EC2 tells the
     * interfaces' types too, but an instance's tags are what every EC2 (and moto) keeps.
     */
    static final String EFA_TAG = "strata:efa-interfaces";
    /** Handle attribute: when EC2 launched the instance, ISO-8601. */
    static final String LAUNCH_TIME = "launchTime";
    /** The most characters (code points) EC2 takes in a tag value. */
    static final int MAX_TAG_VALUE = 256;
    private static final List<String> ALL_STATES = List.of("pending", "running", "shutting-down", "stopping", "stopped", "terminated");

    private final AwsSettings settings;
    private final Ec2Gateway gateway;
    private final AwsDiscovery discovery;
    private final Clock clock;
    /**
     * Instances whose delete was asked for while EC2 did not list them yet, with the end of their
     * grace period: {@link #describe} reports them {@link MachineState#DELETING} rather than
     * {@link MachineState#PENDING}, so that the core waits for EC2 instead of asking for the delete
     * again on every pass. Entries leave when EC2 lists the instance or the grace period ends, so
     * the map holds at most the instances launched within one grace period. Lost on a restart,
     * which costs one more delete.
     */
    private final Map<String, Instant> deleteAwaitingListing;

    AwsProvisioner(AwsSettings settings, Ec2Gateway gateway, AwsDiscovery discovery, Clock clock) {
        this(settings, gateway, discovery, clock, new ConcurrentHashMap<>());
    }

    /**
     * A provisioner that keeps the deletes awaiting listing in {@code deleteAwaitingListing}: the provider hands the map of the
     * provisioner a configuration change replaces to the new one where the provider id stays, so the change forgets none.
     */
    AwsProvisioner(AwsSettings settings, Ec2Gateway gateway, AwsDiscovery discovery, Clock clock, Map<String, Instant> deleteAwaitingListing) {
        this.deleteAwaitingListing = deleteAwaitingListing;
        this.settings = settings;
        this.gateway = gateway;
        this.discovery = discovery;
        this.clock = clock;
    }

    /**
     * Creates of one operation are serialised (the look-up by tag and RunInstances), so concurrent
     * calls of one operation in this process launch one instance: the look-up alone cannot stop two
     * calls that both look before either launched, and EC2's client token, which would, is not
     * idempotent on every EC2 API (moto's is not). One lock per operation while a create of it runs
     * or waits, shared by every instance of this class: a create waiting on a slow EC2 holds up no
     * create of another operation.
     */
    private static final java.util.concurrent.ConcurrentHashMap<String, OperationLock> OPERATION_LOCKS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The lock of one operation, and how many creates of it hold or wait for it (it is dropped at none). */
    private static final class OperationLock {
        final ReentrantLock lock = new ReentrantLock();
        int users;
    }

    MachineStatus create(MachineRequest request, DiscoveryContext context) {
        String operation = request.operationId();
        OperationLock held = OPERATION_LOCKS.compute(operation, (k, l) -> {
            OperationLock lock = l == null ? new OperationLock() : l;
            lock.users++;
            return lock;
        });
        try {
            try {
                if (!held.lock.tryLock(Math.max(0, context.remaining().toMillis()), TimeUnit.MILLISECONDS)) {
                    throw new ProviderTimeoutException("deadline passed while another create of operation " + operation + " ran");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProviderTimeoutException("interrupted while another create of operation " + operation + " ran", e);
            }
            try {
                return createAlone(request, context);
            } finally {
                held.lock.unlock();
            }
        } finally {
            OPERATION_LOCKS.compute(operation, (k, l) -> --l.users == 0 ? null : l);
        }
    }

    /** How many operations have a create running or waiting (each has its lock until then). */
    static int operationsLocked() {
        return OPERATION_LOCKS.size();
    }

    private MachineStatus createAlone(MachineRequest request, DiscoveryContext context) {
        MachineTarget target = request.target();
        if (target.kind() != MachineTarget.Kind.OFFER) {
            throw new NotFoundException("AWS provider " + settings.providerId() + " launches from capacity offers; node " + target.id()
                    + " is not one of its offers");
        }
        Ids.Offer offer = Ids.parseOffer(settings.providerId(), target.id()).orElseThrow(() -> new NotFoundException(
                "offer " + target.id() + " is not an offer of AWS provider " + settings.providerId()
                        + "; expected " + settings.providerId() + ":ZONE:TYPE"));
        String region = Ids.regionOf(offer.zone(), settings.regions()).orElseThrow(() -> new NotFoundException(
                "offer " + target.id() + " is in zone " + offer.zone() + ", which is in none of the regions of AWS provider "
                        + settings.providerId() + " " + settings.regions()));
        discovery.checkAccount(region, context);

        List<Ec2Instance> made = made(gateway.instances(region, Map.of("tag:" + MachineLabels.OPERATION, List.of(request.operationId()),
                "instance-state-name", ALL_STATES), context), request.operationId());
        Optional<Ec2Instance> existing = keep(made, request.operationId(), context);
        if (existing.isPresent()) {
            LOG.debug("Operation {} already made {} ({})", request.operationId(), printable(existing.get().instanceId()),
                    printable(existing.get().state()));
            return status(existing.get());
        }

        Shape shape = discovery.shape(region, offer.instanceType(), context).orElseThrow(() -> new NotFoundException(
                "offer " + target.id() + ": region " + region + " has no instance type " + offer.instanceType()));
        if (shape.gpuCount() == 0 || !settings.offers(shape.instanceType())) {
            throw new NotFoundException("offer " + target.id() + ": " + offer.instanceType() + " is not one of the GPU types AWS provider "
                    + settings.providerId() + " offers (instanceTypes " + settings.instanceTypes() + ")");
        }
        Map<String, String> parameters = request.parameters();
        String image = Optional.ofNullable(blankToNull(parameters.get("image"))).orElse(settings.images().get(region));
        if (image == null) {
            throw new ProviderFailureException("no image for " + region + ": set the request parameter image or the AWS provider's "
                    + "images setting (" + region + "=ami-...)");
        }
        int efaInterfaces = efaInterfaces(shape, parameters.get("efa"));
        String subnet = Optional.ofNullable(blankToNull(parameters.get("subnet"))).orElse(settings.subnets().get(offer.zone()));
        if (efaInterfaces > 0 && subnet == null) {
            subnet = gateway.defaultSubnet(region, offer.zone(), context);
            if (subnet == null) {
                throw new ProviderFailureException(offer.instanceType() + " gets EFA interfaces, which need a subnet, and zone " + offer.zone()
                        + " has no default subnet: set the request parameter subnet, the subnets setting (" + offer.zone()
                        + "=subnet-...) or efa=off");
            }
        }
        List<String> groups = parameters.containsKey("securityGroups")
                ? Arrays.stream(parameters.get("securityGroups").split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList()
                : settings.securityGroups().getOrDefault(region, List.of());
        String keyName = Optional.ofNullable(blankToNull(parameters.get("keyName"))).orElse(settings.keyName());

        Map<String, String> tags = new LinkedHashMap<>(request.labels());
        tags.put(PROVIDER_TAG, settings.providerId());
        tags.put(EFA_TAG, String.valueOf(efaInterfaces));
        // shown by the console only: cut to what a tag value holds, where the member's own tag (a label) is sent whole
        tags.put("Name", cut(request.deploymentId() + "/" + request.member(), MAX_TAG_VALUE));
        Ec2Gateway.Launch launch = new Ec2Gateway.Launch(region, offer.zone(), offer.instanceType(), image, subnet, groups, keyName,
                Ids.clientToken(settings.providerId(), request.operationId()), tags, efaInterfaces, blankToNull(parameters.get("placementGroup")));
        Ec2Instance instance = withLaunchTime(gateway.run(launch, context));
        LOG.info("AWS provider {} launched {} ({} in {}) for {} of deployment {} (operation {})", settings.providerId(), printable(instance.instanceId()),
                offer.instanceType(), offer.zone(), request.member(), request.deploymentId(), request.operationId());
        return status(instance);
    }

    /**
     * The instance's state. One EC2 does not know is {@link MachineState#PENDING} while the grace
     * period since its launch lasts (it may not be listed yet), {@link MachineState#GONE} after.
     */
    MachineStatus describe(MachineHandle handle, DiscoveryContext context) {
        requireOwn(handle);
        Optional<Ec2Instance> instance = lookup(handle, context);
        if (instance.isPresent()) {
            // listed at last: a delete asked for before is asked again by the core, which sees the state
            deleteAwaitingListing.remove(handle.machineId());
            return status(instance.get());
        }
        Optional<Instant> launched = notListedYet(handle, null);
        if (launched.isEmpty()) {
            deleteAwaitingListing.remove(handle.machineId());
            return gone(handle, "instance " + handle.machineId() + " does not exist");
        }
        if (deleteAwaitingListing.containsKey(handle.machineId())) {
            return unlisted(handle, MachineState.DELETING, notListed(handle, launched.get()) + "; its delete is asked for again once it does");
        }
        return unlisted(handle, MachineState.PENDING, notListed(handle, launched.get()));
    }

    /**
     * The instance the operation made, looked up in every region at once ({@link AwsDiscovery#eachRegion}): a region that
     * hangs does not use up the others' deadline, and one that fails or does not answer fails the call, never "none".
     */
    Optional<MachineStatus> find(String operationId, DiscoveryContext context) {
        Map<String, List<Ec2Instance>> made = discovery.eachRegion("DescribeInstances of operation " + operationId, context,
                (region, bounded) -> made(gateway.instances(region, Map.of("tag:" + MachineLabels.OPERATION, List.of(operationId),
                        "instance-state-name", Ec2Gateway.EXISTING_STATES), bounded), operationId));
        for (List<Ec2Instance> inRegion : made.values()) {
            List<Ec2Instance> existing = inRegion.stream().sorted(EARLIEST).toList();
            if (!existing.isEmpty()) {
                // the instance a create keeps
                return Optional.of(status(chosen(existing)));
            }
        }
        return Optional.empty();
    }

    /**
     * Every instance this provider launched for Strata that still exists: those another provider's tag names are that provider's.
     * The regions are read at once ({@link AwsDiscovery#eachRegion}), and any that fails or does not answer fails the call: a
     * listing short of a region would have its instances taken for gone.
     */
    List<MachineStatus> machines(DiscoveryContext context) {
        List<MachineStatus> out = new ArrayList<>();
        Map<String, List<Ec2Instance>> listed = discovery.eachRegion("DescribeInstances of Strata's instances", context,
                (region, bounded) -> gateway.instances(region, Map.of("tag-key", List.of(MachineLabels.OPERATION),
                        "instance-state-name", Ec2Gateway.EXISTING_STATES), bounded));
        for (List<Ec2Instance> inRegion : listed.values()) {
            for (Ec2Instance instance : inRegion) {
                // another provider on the same account lists its own instances, with its own handles
                if (AwsDiscovery.launchedBy(instance, settings.providerId())) {
                    out.add(status(instance));
                }
            }
        }
        out.sort(Comparator.comparing(s -> s.handle().machineId()));
        return out;
    }

    /**
     * Terminates the instance.
     *
     * <p>An instance EC2 does not know yet (within the grace period since its launch) cannot be
     * terminated now (its tags cannot be checked, and EC2 would refuse its id), and is not gone
     * either: the answer is {@link MachineState#DELETING}, and nothing is terminated. The core then
     * polls {@link #describe}, which reports the instance {@link MachineState#DELETING} too while
     * EC2 does not list it (this provider remembers the delete it could not send), so the core
     * waits rather than asking for the delete again on every pass. Once EC2 lists the instance,
     * {@code describe} reports its real state ({@link MachineState#RUNNING}); to the core that is a
     * machine that runs on after a delete, so it asks for the delete again, which terminates it,
     * and {@code describe} goes on to {@link MachineState#DELETING} (shutting-down) and
     * {@link MachineState#GONE} (terminated). After a restart of the provider, which forgets the
     * delete it could not send, {@code describe} reports the unlisted instance
     * {@link MachineState#PENDING}, and the core asks for the delete once more. An instance EC2 never lists is {@code GONE} to both
     * calls once the grace period has passed, so neither answer lasts longer than that. Should
     * DescribeInstances list the instance while TerminateInstances does not know it yet, the answer
     * is {@code DELETING} as well, and the {@link MachineState#RUNNING} that {@code describe} reports
     * brings the next delete.
     */
    MachineStatus delete(MachineHandle handle, DiscoveryContext context) {
        requireOwn(handle);
        Optional<Ec2Instance> instance = lookup(handle, context);
        if (instance.isEmpty()) {
            Optional<Instant> launched = notListedYet(handle, null);
            if (launched.isEmpty()) {
                deleteAwaitingListing.remove(handle.machineId());
                return gone(handle, "instance " + handle.machineId() + " does not exist");
            }
            awaitListing(handle.machineId(), launched.get());
            return unlisted(handle, MachineState.DELETING, notListed(handle, launched.get()) + "; a delete once it does terminates it");
        }
        deleteAwaitingListing.remove(handle.machineId());
        if (!instance.get().exists()) {
            return status(instance.get());
        }
        Ec2Instance found = instance.get();
        if (!AwsDiscovery.isStrata(found)) {
            throw new ProviderFailureException("instance " + found.instanceId() + " in " + found.region() + " carries no "
                    + MachineLabels.OPERATION + " tag: Strata did not launch it and does not terminate it");
        }
        if (!AwsDiscovery.ofInstallation(found, discovery.installation())) {
            // (not the provider tag: a provider whose id changed while it ran deletes what it launched under the id before)
            // the tag is EC2 text anyone with access to the account may have set: shown escaped
            throw new ProviderFailureException("instance " + printable(found.instanceId()) + " in " + found.region() + " carries "
                    + MachineLabels.INSTALLATION + " " + printable(found.tags().get(MachineLabels.INSTALLATION)) + ": another Strata installation "
                    + "launched it (this is installation " + discovery.installation() + "), and this one does not terminate it");
        }
        String state = gateway.terminate(found.region(), found.instanceId(), context);
        if (state == null) {
            Optional<Instant> launched = notListedYet(handle, found);
            if (launched.isPresent()) {
                MachineStatus listed = status(found);
                return new MachineStatus(listed.handle(), MachineState.DELETING, "EC2 TerminateInstances does not know instance "
                        + found.instanceId() + " yet (launched at " + launched.get() + "), DescribeInstances lists it; a later delete terminates it",
                        listed.nodeId(), listed.labels(), listed.attributes(), listed.observedAt());
            }
            return gone(handle, "instance " + handle.machineId() + " does not exist");
        }
        // the instance's tags are EC2 text anyone with access to the account may have changed: logged escaped
        LOG.info("AWS provider {} terminates {} ({} of deployment {})", settings.providerId(), printable(found.instanceId()),
                printable(found.tags().get(MachineLabels.MEMBER)), printable(found.tags().get(MachineLabels.DEPLOYMENT)));
        Ec2Instance after = new Ec2Instance(found.instanceId(), found.region(), found.zone(), found.instanceType(), state, null,
                found.tags(), found.launchTime(), found.privateIp(), found.privateDnsName(), found.ownerId());
        return status(after);
    }

    /**
     * The instance an operation made, the others that still exist terminated (those shutting down already are left to it): the
     * earliest live one (pending or running); where none is live, the earliest that still exists (stopping, stopped or
     * shutting down, by someone outside Strata), reported in its state and nothing launched, since the operation made its
     * instance once and the core replaces a failed or dying one with a new operation; where none exists, the latest
     * terminated one. A live instance is kept before an earlier one that is stopped or dying: keeping the earliest whatever
     * its state bound the member to an instance on its way out and terminated the one that runs.
     */
    private Optional<Ec2Instance> keep(List<Ec2Instance> made, String operationId, DiscoveryContext context) {
        List<Ec2Instance> existing = made.stream().filter(Ec2Instance::exists).sorted(EARLIEST).toList();
        if (existing.isEmpty()) {
            return made.stream().max(Comparator.comparing((Ec2Instance i) -> i.launchTime() == null ? Instant.EPOCH : i.launchTime()));
        }
        Ec2Instance kept = chosen(existing);
        for (Ec2Instance duplicate : existing) {
            if (duplicate != kept && !"shutting-down".equals(duplicate.state())) {
                LOG.warn("Operation {} has two instances, {} ({}) and {} ({}): keeping {} and terminating {}", operationId,
                        printable(kept.instanceId()), printable(kept.state()), printable(duplicate.instanceId()), printable(duplicate.state()),
                        printable(kept.instanceId()), printable(duplicate.instanceId()));
                String state;
                try {
                    state = gateway.terminate(duplicate.region(), duplicate.instanceId(), context);
                } catch (ProviderUnavailableException | ProviderTimeoutException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // the operation's instance exists: a failed create would leave it (and the duplicate) to leak reaping
                    throw new ProviderUnavailableException("operation " + operationId + " has instance " + kept.instanceId()
                            + ", and terminating its duplicate " + duplicate.instanceId() + " failed: " + e.getMessage()
                            + "; the create is to be repeated", e);
                }
                if (state == null) {
                    // listed, but not known to TerminateInstances yet: nothing was terminated, and once this create has answered
                    // no later one would look again, so the duplicate would run on as the member's (its operation is the current one)
                    throw new ProviderUnavailableException("operation " + operationId + " has instance " + kept.instanceId()
                            + ", and EC2 TerminateInstances does not know its duplicate " + duplicate.instanceId() + " yet, which "
                            + "DescribeInstances lists; the create is to be repeated, which terminates it");
                }
            }
        }
        return Optional.of(kept);
    }

    /**
     * Of the instances a look-up by the operation's tag listed, those launched for the operation in this installation
     * ({@link AwsDiscovery#ofInstallation}): the tag's value exactly the operation id, since EC2's filter takes {@code *} and
     * {@code ?} in a value for wildcards (the filter narrows, this decides), and no other installation's, which a create must
     * not take for its own nor terminate as a duplicate. The provider tag is not looked at: a create begun before the
     * provider's id changed launched under the id before, and the same operation asked again after the change must find
     * that instance, not launch a second ({@code AwsProviderModifiedTest}).
     */
    private List<Ec2Instance> made(List<Ec2Instance> listed, String operationId) {
        String own = discovery.installation();
        return listed.stream().filter(i -> operationId.equals(i.tags().get(MachineLabels.OPERATION))
                && AwsDiscovery.ofInstallation(i, own)).toList();
    }

    /** Of an operation's instances that still exist, earliest first: the earliest live one (pending or running), else the earliest. */
    private static Ec2Instance chosen(List<Ec2Instance> existing) {
        return existing.stream().filter(Ec2Instance::active).findFirst().orElse(existing.get(0));
    }

    /**
     * The handle's instance, read in its region; a handle without one (written by an older version) has it looked up in
     * every region at once under the one deadline ({@link AwsDiscovery#inAnyRegion}): the first region that lists the
     * instance answers at once, and a region that fails or does not answer fails the call unless another region lists it.
     */
    private Optional<Ec2Instance> lookup(MachineHandle handle, DiscoveryContext context) {
        String region = handle.attributes().get("region");
        if (region == null) {
            return discovery.inAnyRegion("DescribeInstances of instance " + printable(handle.machineId()), context,
                    (r, bounded) -> gateway.instance(r, handle.machineId(), bounded).stream().findFirst());
        }
        if (!settings.regions().contains(region)) {
            throw new NotFoundException("machine " + handle.machineId() + " is in region " + region + ", which AWS provider "
                    + settings.providerId() + " does not use " + settings.regions());
        }
        return gateway.instance(region, handle.machineId(), context).stream().findFirst();
    }

    private void requireOwn(MachineHandle handle) {
        if (!settings.providerId().equals(handle.providerId())) {
            throw new NotFoundException("machine " + handle.machineId() + " belongs to provider " + handle.providerId() + ", not "
                    + settings.providerId());
        }
    }

    private int efaInterfaces(Shape shape, String requested) {
        AwsSettings.Efa mode = settings.efa();
        if (requested != null && !requested.isBlank()) {
            try {
                mode = AwsSettings.Efa.valueOf(requested.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ProviderFailureException("request parameter efa = '" + requested + "'; expected all, one or off");
            }
        }
        return efaInterfaces(shape, mode);
    }

    /**
     * How many EFA interfaces an instance of the shape is launched with in the mode, one per network
     * card from card 0: none (a type without EFA, {@code off}), one ({@code one}), or one per card up
     * to the type's maximum ({@code all}).
     */
    static int efaInterfaces(Shape shape, AwsSettings.Efa mode) {
        if (!shape.efaSupported() || mode == AwsSettings.Efa.OFF) {
            return 0;
        }
        int cards = Math.max(1, shape.networkCards().size());
        int max = Math.max(1, shape.maxEfaInterfaces());
        return mode == AwsSettings.Efa.ONE ? 1 : Math.min(cards, max);
    }

    MachineStatus status(Ec2Instance instance) {
        MachineStates.Mapped mapped = MachineStates.of(instance.state(), instance.stateReason());
        Map<String, String> labels = new LinkedHashMap<>();
        for (String key : List.of(MachineLabels.DEPLOYMENT, MachineLabels.MEMBER, MachineLabels.TENANT, MachineLabels.OPERATION,
                MachineLabels.INSTALLATION, MachineLabels.ALLOCATION)) {
            String value = instance.tags().get(key);
            if (value != null) {
                labels.put(key, value);
            }
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("region", instance.region());
        if (instance.zone() != null) {
            attributes.put("zone", instance.zone());
        }
        if (instance.instanceType() != null) {
            attributes.put("instanceType", instance.instanceType());
        }
        attributes.put("ec2State", instance.state());
        if (instance.privateIp() != null) {
            attributes.put("privateIp", instance.privateIp());
        }
        if (instance.launchTime() != null) {
            attributes.put("launchTime", instance.launchTime().toString());
        }
        Map<String, String> handleAttributes = new LinkedHashMap<>();
        handleAttributes.put("region", instance.region());
        if (instance.zone() != null) {
            handleAttributes.put("zone", instance.zone());
        }
        if (instance.launchTime() != null) {
            handleAttributes.put(LAUNCH_TIME, instance.launchTime().toString());
        }
        MachineHandle handle = new MachineHandle(settings.providerId(), instance.instanceId(), handleAttributes);
        String nodeId = mapped.state() == MachineState.GONE ? null : Ids.node(settings.providerId(), instance.instanceId());
        return new MachineStatus(handle, mapped.state(), mapped.message(), nodeId, labels, attributes, clock.instant());
    }

    /**
     * When the instance was launched, if that is less than the grace period ago: EC2 not knowing it
     * may mean it does not list it yet. Empty when the grace period has passed, is zero, or the
     * launch time is unknown (neither EC2's answer nor the handle has it).
     */
    private Optional<Instant> notListedYet(MachineHandle handle, Ec2Instance found) {
        Instant launched = found != null && found.launchTime() != null ? found.launchTime() : launchTime(handle);
        if (launched == null || settings.visibilityGrace().isZero() || !clock.instant().isBefore(launched.plus(settings.visibilityGrace()))) {
            return Optional.empty();
        }
        return Optional.of(launched);
    }

    /** Remembers a delete asked for before EC2 listed the instance, and forgets those whose grace period has ended. */
    private void awaitListing(String machineId, Instant launched) {
        Instant now = clock.instant();
        deleteAwaitingListing.values().removeIf(until -> !now.isBefore(until));
        deleteAwaitingListing.put(machineId, launched.plus(settings.visibilityGrace()));
    }

    private static Instant launchTime(MachineHandle handle) {
        String value = handle.attributes().get(LAUNCH_TIME);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            LOG.debug("Machine {} has a launch time that is not an instant ({}); taken as unknown", printable(handle.machineId()),
                    printable(value));
            return null;
        }
    }

    private MachineStatus unlisted(MachineHandle handle, MachineState state, String message) {
        return new MachineStatus(handle, state, message, null, Map.of(), Map.of(), clock.instant());
    }

    private static String notListed(MachineHandle handle, Instant launched) {
        return "EC2 does not list instance " + handle.machineId() + " yet (launched at " + launched + ")";
    }

    /** The instance as RunInstances answered, with the launch time of now should the answer lack one. */
    private Ec2Instance withLaunchTime(Ec2Instance instance) {
        if (instance.launchTime() != null) {
            return instance;
        }
        return new Ec2Instance(instance.instanceId(), instance.region(), instance.zone(), instance.instanceType(), instance.state(),
                instance.stateReason(), instance.tags(), clock.instant(), instance.privateIp(), instance.privateDnsName(), instance.ownerId());
    }

    private MachineStatus gone(MachineHandle handle, String message) {
        return new MachineStatus(handle, MachineState.GONE, message, null, Map.of(), Map.of(), clock.instant());
    }

    private static final Comparator<Ec2Instance> EARLIEST = Comparator
            .comparing((Ec2Instance i) -> i.launchTime() == null ? Instant.MAX : i.launchTime())
            .thenComparing(Ec2Instance::instanceId);

    /** {@code text} cut to its first {@code max} code points (a surrogate pair is never split). */
    private static String cut(String text, int max) {
        return text.codePointCount(0, text.length()) <= max ? text : text.substring(0, text.offsetByCodePoints(0, max));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
