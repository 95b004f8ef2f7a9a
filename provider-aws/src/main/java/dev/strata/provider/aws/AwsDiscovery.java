package dev.strata.provider.aws;

import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.FabricType;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.Operator;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.provider.aws.ec2.Ec2Gateway;
import dev.strata.provider.aws.ec2.Ec2Instance;
import dev.strata.provider.aws.ec2.Shape;
import dev.strata.provider.aws.ec2.Zone;
import dev.strata.provider.aws.sovereignty.RegionFacts;
import dev.strata.provider.aws.sovereignty.SovereigntyTable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what the account sees in its regions and describes it in Strata's model: zones as sites
 * with their sovereignty facts, GPU instance types offered per zone as capacity offers, instances
 * this installation launched as nodes, and one EFA fabric per zone and bandwidth. Thread-safe.
 *
 * <p>Several Strata installations may share an account. An instance tagged with another
 * installation's id ({@link MachineLabels#INSTALLATION}) is theirs: not a node here and not in an
 * offer's launch slots, but counted, like an instance Strata did not launch at all, among those
 * that use the region's quota. Until the core says which installation this is (its state store
 * is not up yet), every instance Strata launched is taken for this installation's.
 */
final class AwsDiscovery {

    private static final Logger LOG = LoggerFactory.getLogger(AwsDiscovery.class);
    /**
     * How long a region that fails has its last good nodes and sites reported: the core's default {@code staleGracePeriod},
     * for which it would have kept them, marked stale, had the whole discovery failed (a provider cannot read that setting).
     */
    static final Duration REGION_GRACE = Duration.ofMinutes(15);
    /**
     * How long after it fell due for its re-read a region's catalogue is still served while that re-read fails: 24 hours, the
     * longest {@code catalogueRefresh} takes, so the list served is never older than one the configuration could have chosen
     * to reuse anyway; zones and instance types change over months, and a list that old still describes what launches. Past
     * that the region fails as it did before, rather than offer types or zones AWS may have withdrawn since.
     */
    static final Duration STALE_CATALOGUE_LIMIT = Duration.ofHours(24);
    /** The most of the caller's deadline kept back from the regions' reads, to return what they read in time. */
    private static final Duration RETURN_MARGIN = Duration.ofSeconds(1);

    private final AwsSettings settings;
    private final Ec2Gateway gateway;
    private final SovereigntyTable sovereignty;
    private final Clock clock;
    private final Map<String, Catalogue> catalogues = new ConcurrentHashMap<>();
    /**
     * Instance types looked up alone ({@link #shape}), by {@code REGION/TYPE}: kept while these settings are in force, not
     * re-read with the catalogue. They describe instances that run (of a type the catalogue does not list) as launched, which
     * a later change to the type's description does not change (the EFA interfaces come from {@link AwsProvisioner#EFA_TAG});
     * a type the catalogue lists is taken from the catalogue. Re-read, a failing lone look-up would fail its region, and a
     * type EC2 no longer lists would drop its running instances from the nodes.
     */
    private final Map<String, Shape> extraShapes = new ConcurrentHashMap<>();
    /** One catalogue read per region at a time; a caller waits for another's read at most until its own deadline. */
    private final Map<String, java.util.concurrent.locks.ReentrantLock> loading = new ConcurrentHashMap<>();
    private final Set<String> accountChecked = ConcurrentHashMap.newKeySet();
    /** Regions where the account could not be read (no default security group), each warned about once. */
    private final Set<String> accountUnreadWarned = ConcurrentHashMap.newKeySet();
    private final Set<String> unknownRegionsLogged = ConcurrentHashMap.newKeySet();
    private final Supplier<String> installation;
    /** Since when each region's catalogue fails to be read again while its last good one is served ({@link #catalogue}). */
    private final Map<String, Instant> catalogueFailingSince = new ConcurrentHashMap<>();
    /** How many reads of each region's catalogue have ended, to tell a call that waited for another's read ({@link #catalogue}). */
    private final Map<String, Long> catalogueReadsEnded = new ConcurrentHashMap<>();
    /** Each region's last good read, and since when it fails while it does. */
    private final Map<String, RegionRead> lastReads = new ConcurrentHashMap<>();
    /**
     * The threads that read each region: two per region at most (compute and fabric discovery may read at once), made
     * when needed and ended when idle or at {@link #close}, so that a region that hangs holds up only its own reads.
     */
    private final Map<String, ExecutorService> readers = new LinkedHashMap<>();
    /**
     * The threads that look a region up for the provisioner ({@link #eachRegion}: find, leak detection): four per region at
     * most, apart from the discovery's so that neither waits behind the other, made when needed and ended when idle or at
     * {@link #close}.
     */
    private final Map<String, ExecutorService> lookups = new LinkedHashMap<>();

    AwsDiscovery(AwsSettings settings, Ec2Gateway gateway, SovereigntyTable sovereignty, Clock clock) {
        this(settings, gateway, sovereignty, clock, () -> null);
    }

    /**
     * @param installation this installation's id ({@link MachineLabels#INSTALLATION}), or null while
     *     the core has not said it
     */
    AwsDiscovery(AwsSettings settings, Ec2Gateway gateway, SovereigntyTable sovereignty, Clock clock, Supplier<String> installation) {
        this.settings = settings;
        this.gateway = gateway;
        this.sovereignty = sovereignty;
        this.clock = clock;
        this.installation = installation;
        for (String region : settings.regions()) {
            AtomicInteger count = new AtomicInteger();
            ThreadPoolExecutor reader = new ThreadPoolExecutor(2, 2, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "strata-aws-" + settings.providerId() + "-" + region + "-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            reader.allowCoreThreadTimeOut(true);
            readers.put(region, reader);
            AtomicInteger lookupCount = new AtomicInteger();
            ThreadPoolExecutor lookup = new ThreadPoolExecutor(4, 4, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "strata-aws-lookup-" + settings.providerId() + "-" + region + "-" + lookupCount.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            lookup.allowCoreThreadTimeOut(true);
            lookups.put(region, lookup);
        }
    }

    /**
     * {@code read} of every region, the regions read at once, each on a lookup thread of its own region ({@link #lookups})
     * and each given the whole deadline of {@code context} less the margin that discovery keeps ({@link #bounded}), so that a
     * region that hangs does not use up the time of the others, and the call returns before its deadline with the region
     * that did not answer named. Every region must answer: one that fails or does not answer in that time fails the whole
     * call (the first such region's error, the others' suppressed), since a listing short of a region would be taken for
     * "none there" (an instance taken for leaked, an operation for never launched).
     *
     * @param what what is read, for the messages ({@code "DescribeInstances of operation op-1"})
     * @param read a region's read, given the region and the context it is bounded by
     * @return each region's answer, in the order of {@code regions}
     */
    <T> Map<String, T> eachRegion(String what, DiscoveryContext context, BiFunction<String, DiscoveryContext, T> read) {
        Duration margin = margin(context);
        DiscoveryContext bounded = bounded(context, margin);
        RegionReads<T> reads = readRegions(lookups, " (" + what + ")", context, waitUntil(context, margin), r -> read.apply(r, bounded),
                t -> false);
        if (!reads.failures().isEmpty()) {
            Map<String, RuntimeException> failures = reads.failures();
            RuntimeException first = settings.regions().stream().filter(failures::containsKey).map(failures::get).findFirst().orElseThrow();
            failures.values().stream().filter(f -> f != first).forEach(first::addSuppressed);
            throw first;
        }
        return reads.answered();
    }

    /**
     * {@code read} of every region at once, as {@link #eachRegion} reads them, for what one region holds at most (an
     * instance by its id, which is unique across regions): the first answer that has it, returned at once, the reads of
     * the regions that have not answered yet cancelled (a region that hangs then holds up nothing); empty when every
     * region answered without it. A region that fails or does not answer in time fails the call (the first such region's
     * error, the others' suppressed) unless another region has it, since "in no region" cannot be told without that region.
     *
     * @param what what is read, for the messages ({@code "DescribeInstances of instance i-0123"})
     * @param read a region's read, given the region and the context it is bounded by
     */
    <T> Optional<T> inAnyRegion(String what, DiscoveryContext context, BiFunction<String, DiscoveryContext, Optional<T>> read) {
        Duration margin = margin(context);
        DiscoveryContext bounded = bounded(context, margin);
        RegionReads<Optional<T>> reads = readRegions(lookups, " (" + what + ")", context, waitUntil(context, margin),
                r -> read.apply(r, bounded), Optional::isPresent);
        Optional<T> found = reads.answered().values().stream().filter(Optional::isPresent).map(Optional::get).findFirst();
        if (found.isPresent() || reads.failures().isEmpty()) {
            return found;
        }
        Map<String, RuntimeException> failures = reads.failures();
        RuntimeException first = settings.regions().stream().filter(failures::containsKey).map(failures::get).findFirst().orElseThrow();
        failures.values().stream().filter(f -> f != first).forEach(first::addSuppressed);
        throw first;
    }

    /**
     * The margin kept back from the regions' reads to return what they read before the caller's deadline: a tenth of the
     * time left, at most {@link #RETURN_MARGIN}.
     */
    private static Duration margin(DiscoveryContext context) {
        Duration remaining = context.remaining();
        return remaining.isNegative() ? Duration.ZERO
                : remaining.dividedBy(10).compareTo(RETURN_MARGIN) < 0 ? remaining.dividedBy(10) : RETURN_MARGIN;
    }

    /** The context the regions' reads are given: the caller's, its deadline brought forward by the {@linkplain #margin margin}. */
    private static DiscoveryContext bounded(DiscoveryContext context, Duration margin) {
        return new DiscoveryContext(context.operationId(), context.deadline().minus(margin), context.clock());
    }

    /** Until when the regions' reads are waited for: half the {@linkplain #margin margin} before the caller's deadline. */
    private static Instant waitUntil(DiscoveryContext context, Duration margin) {
        return context.deadline().minus(margin.dividedBy(2));
    }

    /** What {@link #readRegions} read: each region's answer, and each failed region's error, by region. */
    private record RegionReads<T>(Map<String, T> answered, Map<String, RuntimeException> failures) {
    }

    /**
     * {@code read} of every region at once, each on a thread of {@code pools} for its region, waited for until
     * {@code waitUntil}, or until a region answers what is {@code enough} (the others' reads are then cancelled, and neither
     * answered nor failed): what each answered, and each region that failed (a {@link StrataException}), did not answer by
     * then (a {@link ProviderTimeoutException}, its read cancelled) or could not be asked (the provider stopped). Anything
     * else a read throws is no region's failure but a defect here, and is thrown, as is an interruption of the caller.
     *
     * @param what what is read, for the messages, after the region (" (DescribeInstances of operation op-1)"), or ""
     * @return the answers and failures, each in the order of the regions
     */
    private <T> RegionReads<T> readRegions(Map<String, ExecutorService> pools, String what, DiscoveryContext context, Instant waitUntil,
            java.util.function.Function<String, T> read, Predicate<T> enough) {
        Map<String, Future<T>> reads = new LinkedHashMap<>();
        Map<String, RuntimeException> failures = new LinkedHashMap<>();
        // the regions whose read has ended, in the order they ended
        BlockingQueue<String> ended = new LinkedBlockingQueue<>();
        for (String region : settings.regions()) {
            FutureTask<T> task = new FutureTask<>(() -> read.apply(region)) {
                @Override
                protected void done() {
                    ended.add(region);
                }
            };
            try {
                pools.get(region).execute(task);
                reads.put(region, task);
            } catch (RejectedExecutionException e) {
                failures.put(region, new ProviderUnavailableException("AWS provider " + settings.providerId() + ": region " + region
                        + " was not read" + what + ": the AWS provider was stopped"));
            }
        }
        Map<String, T> answered = new LinkedHashMap<>();
        boolean enoughRead = false;
        try {
            for (int pending = reads.size(); pending > 0 && !enoughRead; pending--) {
                long wait = Math.max(0, Duration.between(context.clock().instant(), waitUntil).toMillis());
                String region = ended.poll(wait, TimeUnit.MILLISECONDS);
                if (region == null) {
                    break;
                }
                try {
                    T answer = reads.get(region).get();
                    answered.put(region, answer);
                    enoughRead = enough.test(answer);
                } catch (CancellationException e) {
                    // cancelled by no one but this method, which does so only once it waits no more
                    throw new IllegalStateException("the read of region " + region + what + " was cancelled", e);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof StrataException failed) {
                        failures.put(region, failed);
                    } else if (e.getCause() instanceof RuntimeException unexpected) {
                        throw unexpected; // not a region's failure but a defect here: it fails the call, as before
                    } else if (e.getCause() instanceof Error error) {
                        throw error;
                    } else {
                        throw new IllegalStateException(e.getCause());
                    }
                }
            }
            if (!enoughRead) {
                for (String region : reads.keySet()) {
                    if (!answered.containsKey(region) && !failures.containsKey(region)) {
                        failures.put(region, new ProviderTimeoutException("AWS provider " + settings.providerId() + ": region " + region
                                + " did not answer" + what + " before the deadline (operation " + context.operationId() + ")"));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderTimeoutException("AWS provider " + settings.providerId() + ": interrupted while reading its regions" + what
                    + " (operation " + context.operationId() + ")");
        } finally {
            // a read still running (a region that hangs, or one no longer needed) is interrupted, which ends its EC2 call
            reads.values().forEach(f -> f.cancel(true));
        }
        return new RegionReads<>(inOrder(answered), inOrder(failures));
    }

    /** {@code byRegion} in the order of the regions. */
    private <V> Map<String, V> inOrder(Map<String, V> byRegion) {
        Map<String, V> out = new LinkedHashMap<>();
        settings.regions().stream().filter(byRegion::containsKey).forEach(r -> out.put(r, byRegion.get(r)));
        return out;
    }

    /**
     * Everything the provider reports, read now (the catalogue may be reused). The regions are read at once, each on a
     * thread of its own region ({@link #readers}), and each is given the whole deadline, less a margin that leaves time to
     * return what was read: a region that fails or does not answer in that time neither fails the others nor takes their
     * time. It contributes its last good nodes and sites ({@link #standIn}), and no offer, with a warning; only when every
     * region fails does the discovery fail, with the first region's error (the others' suppressed), as it did before.
     */
    View view(DiscoveryContext context) {
        List<String> regions = settings.regions();
        Duration margin = margin(context);
        DiscoveryContext bounded = bounded(context, margin);
        RegionReads<View> reads = readRegions(readers, "", context, waitUntil(context, margin), region -> regionView(region, bounded),
                v -> false);
        Map<String, View> answered = reads.answered();
        Map<String, RuntimeException> failures = reads.failures();
        Instant now = clock.instant();
        List<View> views = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (String region : regions) {
            View read = answered.get(region);
            if (read != null) {
                RegionRead before = lastReads.put(region, new RegionRead(read, now, null, null));
                if (before != null && before.failingSince() != null) {
                    LOG.info("AWS provider {}: region {} answers again (it failed from {})", settings.providerId(), region, before.failingSince());
                }
                views.add(read);
            } else {
                views.add(standIn(region, failures.get(region), now, warnings));
            }
        }
        if (failures.size() == regions.size()) {
            RuntimeException first = failures.get(regions.get(0));
            failures.values().stream().filter(f -> f != first).forEach(first::addSuppressed);
            throw first;
        }
        return View.merge(views, warnings);
    }

    /**
     * What a region that failed ({@code error}) contributes: its nodes and sites as it was last read, for
     * {@link #REGION_GRACE} from that read, so that the instances running there are neither dropped nor launched again
     * while its API fails, and its EFA fabrics with those nodes alone; never its offers, since nothing can be launched
     * there while its API fails. A region never read since the provider started, or last read longer ago than that,
     * contributes nothing. Each says so in a warning, naming the region, the error and since when it fails.
     */
    private View standIn(String region, RuntimeException error, Instant now, List<String> warnings) {
        String what = error.getMessage() == null ? error.getClass().getSimpleName() : InvalidConfigurationException.printable(error.getMessage().replaceAll("\\p{Cntrl}+", " ").strip());
        RegionRead read = lastReads.compute(region, (r, before) -> before == null ? new RegionRead(null, null, now, what)
                : new RegionRead(before.view(), before.readAt(), before.failingSince() == null ? now : before.failingSince(), what));
        if (read.failingSince().equals(now)) {
            LOG.warn("AWS provider {}: region {} fails: {}", settings.providerId(), region, what);
        }
        String failing = "region " + region + " fails since " + read.failingSince() + " (" + what + ")";
        if (read.view() == null) {
            warnings.add(failing + ": it has not answered since the provider started, so nothing of it is reported");
            return new View(List.of(), List.of(), List.of(), List.of());
        }
        Instant until = read.readAt().plus(REGION_GRACE);
        if (!now.isBefore(until)) {
            warnings.add(failing + ": it was last read at " + read.readAt() + ", more than " + REGION_GRACE.toMinutes()
                    + " minutes ago, so nothing of it is reported");
            return new View(List.of(), List.of(), List.of(), List.of());
        }
        View last = read.view();
        Set<String> nodeIds = new LinkedHashSet<>();
        last.nodes().forEach(n -> nodeIds.add(n.id()));
        List<Fabric> fabrics = last.fabrics().stream()
                .map(f -> f.toBuilder().members(f.members().stream().filter(nodeIds::contains).collect(Collectors.toCollection(LinkedHashSet::new))).build())
                .filter(f -> !f.members().isEmpty()).toList();
        warnings.add(failing + ": its " + last.nodes().size() + " nodes and " + last.sites().size() + " sites as read at " + read.readAt()
                + " are reported until " + until + ", and it offers no capacity until it answers");
        return new View(last.sites(), last.nodes(), List.of(), fabrics);
    }

    /** One region read now: the account checked, the catalogue (may be reused), the instances. */
    private View regionView(String region, DiscoveryContext context) {
        checkAccount(region, context);
        List<String> warnings = new ArrayList<>();
        Catalogue catalogue = catalogue(region, context, warnings);
        List<Ec2Instance> instances = gateway.instances(region, Map.of("instance-state-name", Ec2Gateway.EXISTING_STATES), context);
        Optional<RegionFacts> facts = sovereignty.facts(region);
        if (facts.isEmpty() && unknownRegionsLogged.add(region)) {
            LOG.warn("AWS provider {}: region {} is not in the sovereignty table; its sites have no country, jurisdictions or operator "
                    + "(add it with sovereigntyFile)", settings.providerId(), region);
        }
        String own = installation.get();
        // launched instances of a type outside the catalogue are described from a lookup of that type alone (remembered)
        instances.stream().filter(i -> ours(i, settings.providerId(), own) && i.instanceType() != null
                && !catalogue.shapes().containsKey(i.instanceType()))
                .map(Ec2Instance::instanceType).distinct().forEach(type -> shape(region, type, context));
        long theirs = instances.stream().filter(i -> isStrata(i) && !ours(i, settings.providerId(), own)).count();
        if (theirs > 0) {
            LOG.debug("AWS provider {}: {} instances in {} are another Strata installation's or provider's; counted against the quota, "
                    + "not nodes", settings.providerId(), theirs, region);
        }
        View view = region(withExtraShapes(catalogue), instances, facts.orElse(null), own);
        return warnings.isEmpty() ? view : new View(view.sites(), view.nodes(), view.offers(), view.fabrics(), warnings);
    }

    /** Ends the threads that read and look up the regions (the provider stops, or a configuration change replaced these settings). */
    void close() {
        readers.values().forEach(ExecutorService::shutdownNow);
        lookups.values().forEach(ExecutorService::shutdownNow);
    }

    /** {@link #region(Catalogue, List, RegionFacts, String)} with every instance Strata launched taken for this installation's. */
    View region(Catalogue catalogue, List<Ec2Instance> instances, RegionFacts facts) {
        return region(catalogue, instances, facts, null);
    }

    /**
     * One region described from its catalogue and instances (no I/O): a site per zone, an offer
     * per offered GPU type and zone, a node per instance this installation launched, an EFA fabric
     * per zone and bandwidth.
     *
     * @param own this installation's id, or null when it is not known (every instance Strata launched
     *     is then taken for this installation's)
     */
    View region(Catalogue catalogue, List<Ec2Instance> instances, RegionFacts facts, String own) {
        String region = catalogue.region();
        List<Site> sites = new ArrayList<>();
        List<CapacityOffer> offers = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        Map<String, FabricBuilder> fabrics = new TreeMap<>();
        Set<String> siteZones = new LinkedHashSet<>();
        for (Zone zone : catalogue.zones()) {
            sites.add(site(region, zone, facts));
            siteZones.add(zone.name());
        }
        // the quota is per region and is shared among the zones that offer the type (QuotaShares): an offer's limit is its
        // zone's share, and what it has in use is that share less its launch slots
        for (Map.Entry<String, List<String>> e : new TreeMap<>(catalogue.offered()).entrySet()) {
            String type = e.getKey();
            Shape shape = catalogue.shapes().get(type);
            // the machine a launch under the efa setting gives: its EFA NICs, the efa trait and its fabric alike
            int efa = AwsProvisioner.efaInterfaces(shape, settings.efa());
            int quota = settings.quota(region, type);
            List<String> offeredZones = e.getValue().stream().distinct().sorted().toList();
            Map<String, Integer> held = new TreeMap<>();
            int others = 0;
            for (Ec2Instance i : instances) {
                if (!i.active() || !type.equals(i.instanceType())) {
                    continue;
                }
                // another installation's instances use the quota as any other account's instance does
                if (ours(i, settings.providerId(), own) && i.zone() != null && offeredZones.contains(i.zone())) {
                    held.merge(i.zone(), 1, Integer::sum);
                } else {
                    others++;
                }
            }
            Map<String, Integer> slots = QuotaShares.slots(quota, offeredZones, held, others);
            for (String zone : offeredZones) {
                String offerId = Ids.offer(settings.providerId(), zone, type);
                // the limit is the zone's share, other instances already taken out of the region's quota: nothing else is
                // in use against it (the ledger holds the slots of Strata's own instances)
                int limit = slots.get(zone);
                int inUse = 0;
                Set<String> fabricIds = new LinkedHashSet<>();
                if (efa > 0) {
                    String fabricId = Ids.efaFabric(settings.providerId(), zone, efaGbps(shape));
                    fabricIds.add(fabricId);
                    fabrics.computeIfAbsent(fabricId, id -> new FabricBuilder(id, Ids.site(settings.providerId(), zone),
                            efaGbps(shape))).members.add(offerId);
                }
                Map<String, String> attributes = new LinkedHashMap<>();
                attributes.put("region", region);
                attributes.put("zone", zone);
                attributes.put("quota", String.valueOf(limit));
                attributes.put("quotaInUse", String.valueOf(inUse));
                attributes.put("regionQuota", String.valueOf(quota));
                attributes.put("regionQuotaInUseByOthers", String.valueOf(others));
                ResourceState state = inUse < limit ? ResourceState.AVAILABLE : ResourceState.UNAVAILABLE;
                Node machine = ShapeNodes.node(offerId, settings.providerId(), Ids.site(settings.providerId(), zone), null, shape, state,
                        null, attributes, efa);
                offers.add(CapacityOffer.builder().id(offerId).providerId(settings.providerId()).siteId(Ids.site(settings.providerId(), zone))
                        .shape(type).machine(machine).limit(limit).inUse(inUse).fabricIds(fabricIds).build());
            }
        }
        for (Ec2Instance instance : instances) {
            if (!ours(instance, settings.providerId(), own) || !instance.exists()) {
                continue;
            }
            // EC2 text (ids, types, tags) is logged escaped: a control or bidi character in it would forge or hide a log line
            if (instance.zone() == null) {
                // no site to report it at; said, since a node that silently disappears looks like an instance that is gone
                LOG.warn("AWS provider {}: instance {} ({}, operation {}) has no availability zone in EC2's answer; not reported as a node",
                        settings.providerId(), InvalidConfigurationException.printable(instance.instanceId()),
                        InvalidConfigurationException.printable(instance.instanceType()),
                        InvalidConfigurationException.printable(instance.tags().get(MachineLabels.OPERATION)));
                continue;
            }
            Shape shape = catalogue.shapes().get(instance.instanceType());
            if (shape == null) {
                LOG.warn("AWS provider {}: instance {} has type {}, which {} does not list; not reported", settings.providerId(),
                        InvalidConfigurationException.printable(instance.instanceId()),
                        InvalidConfigurationException.printable(instance.instanceType()), region);
                continue;
            }
            Node node = launchedNode(instance, shape);
            nodes.add(node);
            // the catalogue lists the zones that were available when it was read: an impaired or constrained zone still
            // holds this installation's instances, and without its site they would lose the region's country and jurisdictions.
            // Only an availability zone of the region (its name and a letter) is in the region's country: a local or
            // wavelength zone may be in another (eu-central-1-waw-1a is in Warsaw), so none is made up for those
            if (isAvailabilityZone(region, instance.zone()) && siteZones.add(instance.zone())) {
                sites.add(site(region, new Zone(instance.zone(), null, region), facts));
            }
            int efa = efaInterfaces(instance, shape);
            if (efa > 0) {
                double gbps = efaGbps(shape, efa);
                String fabricId = Ids.efaFabric(settings.providerId(), instance.zone(), gbps);
                fabrics.computeIfAbsent(fabricId, id -> new FabricBuilder(id, Ids.site(settings.providerId(), instance.zone()),
                        gbps)).members.add(node.id());
            }
        }
        return new View(sites, nodes, offers, fabrics.values().stream().map(FabricBuilder::build).toList());
    }

    /** Whether {@code zone} is one of the region's availability zones by its name: the region's name and a letter. */
    static boolean isAvailabilityZone(String region, String zone) {
        return zone.length() == region.length() + 1 && zone.startsWith(region) && Character.isLowerCase(zone.charAt(region.length()));
    }

    /**
     * The bandwidth of the EFA interfaces an instance of the shape is launched with under the
     * {@code efa} setting: the baseline of the network cards that carry one (one interface per card
     * from card 0), not of every card the type has.
     */
    private double efaGbps(Shape shape) {
        return efaGbps(shape, AwsProvisioner.efaInterfaces(shape, settings.efa()));
    }

    private static double efaGbps(Shape shape, int interfaces) {
        return shape.networkCards().stream().filter(c -> c.index() < interfaces).mapToDouble(Shape.NetworkCard::baselineGbps).sum();
    }

    /**
     * How many EFA interfaces a launched instance has: as its {@link AwsProvisioner#EFA_TAG} says (what it was launched
     * with, a request's {@code efa} parameter included), or for one launched without the tag, as the {@code efa} setting
     * gives its type. A tag that is no count the type can have is not believed.
     */
    int efaInterfaces(Ec2Instance instance, Shape shape) {
        String tagged = instance.tags().get(AwsProvisioner.EFA_TAG);
        if (tagged != null && tagged.matches("\\d{1,3}")) {
            int n = Integer.parseInt(tagged);
            if (n == 0 || shape.efaSupported() && n <= Math.max(Math.max(1, shape.networkCards().size()), shape.maxEfaInterfaces())) {
                return n;
            }
        }
        return AwsProvisioner.efaInterfaces(shape, settings.efa());
    }

    /**
     * An instance type of a region: from the catalogue when it holds it, else asked for alone
     * (and remembered). Empty only where EC2 says there is no such type: a failed call is no such
     * answer, and taken for one it would refuse a launch as "no instance type" and leave a launched
     * instance of the type out of the inventory.
     */
    Optional<Shape> shape(String region, String type, DiscoveryContext context) {
        Catalogue catalogue = catalogues.get(region);
        if (catalogue != null && catalogue.shapes().containsKey(type)) {
            return Optional.of(catalogue.shapes().get(type));
        }
        String key = region + "/" + type;
        Shape known = extraShapes.get(key);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<Shape> read;
        try {
            read = gateway.instanceTypes(region, List.of(type), context).stream().filter(s -> s.instanceType().equals(type)).findFirst();
        } catch (dev.strata.platform.api.exception.NotFoundException e) {
            // an unknown type name (InvalidInstanceType): there is no such type. Any other failure (an answer that is not
            // EC2's, a refused parameter) is no answer about the type, and is reported as what it is
            LOG.debug("Instance type {} in {}: {}", InvalidConfigurationException.printable(type), region,
                    InvalidConfigurationException.printable(e.getMessage()));
            return Optional.empty();
        }
        read.ifPresent(s -> extraShapes.put(key, s));
        return read;
    }

    /**
     * Fails when the configured account is not the credentials' (checked once per region). The
     * account is read from a default security group's owner, which every VPC has and which cannot be
     * shared, so it is the credentials' own. A region without one (no VPC at all: the default VPC
     * deleted and no other made) cannot be checked: that is said once, with a warning, and the
     * check is made again at every later call until a VPC exists, rather than taken as passed.
     */
    void checkAccount(String region, DiscoveryContext context) {
        if (settings.accountId() == null || accountChecked.contains(region)) {
            return;
        }
        String actual = gateway.accountId(region, context);
        if (actual == null) {
            if (accountUnreadWarned.add(region)) {
                LOG.warn("AWS provider {}: accountId {} cannot be checked in {}: the region has no default security group (no VPC) to "
                        + "read the credentials' account from; it is checked again at each discovery until it can be",
                        settings.providerId(), settings.accountId(), region);
            }
            return;
        }
        if (!actual.equals(settings.accountId())) {
            throw new AuthorizationException("AWS provider " + settings.providerId() + ": the credentials belong to account " + actual
                    + ", but accountId is " + settings.accountId() + "; nothing is discovered or launched");
        }
        accountChecked.add(region);
    }

    Catalogue catalogue(String region, DiscoveryContext context) {
        return catalogue(region, context, new ArrayList<>());
    }

    /**
     * The region's catalogue: the one read within {@code catalogueRefresh}, else read now. Where that re-read fails, the last
     * good catalogue is served for up to {@link #STALE_CATALOGUE_LIMIT} after it fell due, and read again at every call until
     * it succeeds: one failed DescribeInstanceTypes no longer fails the whole region (its offers gone and its nodes reported
     * only as last read) while an hour-old list still describes what it offers. {@code warnings} then gets a sentence naming
     * the region, what failed and since when (logged once when the failures begin). A call that waited while another read
     * the catalogue again and failed (compute and fabric discovery run at once) takes that read's outcome, the last good
     * catalogue, without reading it again and without the sentence, which the call that read puts in its own discovery's
     * warnings: one failed re-read is one warning, not one in each discovery. The first read of a region, and a re-read
     * that fails longer than that, fail as before.
     */
    Catalogue catalogue(String region, DiscoveryContext context, List<String> warnings) {
        Catalogue cached = fresh(region);
        if (cached != null) {
            return cached;
        }
        long readsEnded = catalogueReadsEnded.getOrDefault(region, 0L);
        // compute and fabric discovery may ask at once: one of them reads, the other waits for it, at most until its own deadline
        java.util.concurrent.locks.ReentrantLock lock = loading.computeIfAbsent(region, r -> new java.util.concurrent.locks.ReentrantLock());
        boolean locked;
        try {
            locked = lock.tryLock(Math.max(0, context.remaining().toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderTimeoutException("AWS provider " + settings.providerId() + ": interrupted while another call read the " + region
                    + " catalogue (operation " + context.operationId() + ")");
        }
        if (!locked) {
            throw new ProviderTimeoutException("AWS provider " + settings.providerId() + ": another call was still reading the " + region
                    + " catalogue when this one's deadline passed (operation " + context.operationId() + ")");
        }
        try {
            cached = fresh(region);
            if (cached != null) {
                return cached;
            }
            Catalogue last = catalogues.get(region);
            if (last != null && catalogueReadsEnded.getOrDefault(region, 0L) != readsEnded && catalogueFailingSince.containsKey(region)) {
                // another call's re-read failed while this one waited for it: the last good catalogue is still served
                return last;
            }
            try {
                Catalogue read = read(region, context);
                Instant failedSince = catalogueFailingSince.remove(region);
                if (failedSince != null) {
                    LOG.info("AWS provider {}: the {} catalogue is read again (its re-read failed from {})", settings.providerId(), region,
                            failedSince);
                }
                return read;
            } catch (StrataException e) {
                Instant now = clock.instant();
                Instant due = last == null ? null : last.readAt().plus(settings.catalogueRefresh());
                if (last == null || !now.isBefore(due.plus(STALE_CATALOGUE_LIMIT))) {
                    catalogueFailingSince.remove(region);
                    throw e;
                }
                Instant since = catalogueFailingSince.computeIfAbsent(region, r -> now);
                String what = e.getMessage() == null ? e.getClass().getSimpleName()
                        : InvalidConfigurationException.printable(e.getMessage().strip());
                if (since.equals(now)) {
                    LOG.warn("AWS provider {}: the {} catalogue (zones, instance types, offerings) cannot be read again: {}; the one read "
                            + "at {} is served until {} and read again at each discovery", settings.providerId(), region, what,
                            last.readAt(), due.plus(STALE_CATALOGUE_LIMIT));
                }
                warnings.add("region " + region + ": its catalogue (zones, instance types, offerings) fails to be read again since "
                        + since + " (" + what + "); the one read at " + last.readAt() + " is served until "
                        + due.plus(STALE_CATALOGUE_LIMIT) + " and read again at each discovery");
                return last;
            } finally {
                catalogueReadsEnded.merge(region, 1L, Long::sum);
            }
        } finally {
            lock.unlock();
        }
    }

    private Catalogue fresh(String region) {
        Catalogue cached = catalogues.get(region);
        return cached != null && cached.readAt().plus(settings.catalogueRefresh()).isAfter(clock.instant()) ? cached : null;
    }

    private Catalogue read(String region, DiscoveryContext context) {
        List<Zone> zones = gateway.zones(region, context);
        List<String> names = gateway.instanceTypeNames(region, context).stream().filter(settings::offers).distinct().sorted().toList();
        List<Shape> shapes = names.isEmpty() ? List.of() : gateway.instanceTypes(region, names, context);
        List<String> gpuTypes = gpuTypes(shapes);
        List<Map.Entry<String, String>> offerings = gpuTypes.isEmpty() ? List.of() : gateway.offerings(region, gpuTypes, context);
        Catalogue catalogue = catalogue(region, zones, shapes, offerings, clock.instant());
        catalogues.put(region, catalogue);
        LOG.info("AWS provider {}: {} has {} zones, {} instance types, {} offered GPU types in {} zone offerings", settings.providerId(),
                region, zones.size(), shapes.size(), catalogue.offered().size(), catalogue.offered().values().stream().mapToInt(List::size).sum());
        return catalogue;
    }

    private Catalogue withExtraShapes(Catalogue catalogue) {
        Map<String, Shape> shapes = new LinkedHashMap<>(catalogue.shapes());
        String prefix = catalogue.region() + "/";
        extraShapes.forEach((key, shape) -> {
            if (key.startsWith(prefix)) {
                shapes.putIfAbsent(shape.instanceType(), shape);
            }
        });
        return shapes.size() == catalogue.shapes().size() ? catalogue
                : new Catalogue(catalogue.region(), catalogue.zones(), shapes, catalogue.offered(), catalogue.readAt());
    }

    /** The types to offer: those with GPUs that match the configured patterns, by name. */
    List<String> gpuTypes(List<Shape> shapes) {
        return shapes.stream().filter(s -> s.gpuCount() > 0 && settings.offers(s.instanceType())).map(Shape::instanceType).sorted().toList();
    }

    /** A region's catalogue from what the API answered (no I/O): offerings outside the zones or of unknown types are left out. */
    Catalogue catalogue(String region, List<Zone> zones, List<Shape> shapeList, List<Map.Entry<String, String>> offerings, java.time.Instant readAt) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        shapeList.forEach(shape -> shapes.put(shape.instanceType(), shape));
        Set<String> offeredTypes = new LinkedHashSet<>(gpuTypes(shapeList));
        Set<String> zoneNames = new LinkedHashSet<>();
        zones.forEach(z -> zoneNames.add(z.name()));
        Map<String, List<String>> offered = new TreeMap<>();
        for (Map.Entry<String, String> offering : offerings) {
            if (zoneNames.contains(offering.getValue()) && offeredTypes.contains(offering.getKey())) {
                offered.computeIfAbsent(offering.getKey(), k -> new ArrayList<>()).add(offering.getValue());
            }
        }
        offered.replaceAll((type, list) -> list.stream().distinct().sorted().toList());
        return new Catalogue(region, zones, shapes, offered, readAt);
    }

    Node launchedNode(Ec2Instance instance, Shape shape) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("region", instance.region());
        attributes.put("zone", instance.zone());
        attributes.put("instanceId", instance.instanceId());
        attributes.put("ec2State", instance.state());
        if (instance.privateIp() != null) {
            attributes.put("privateIp", instance.privateIp());
        }
        if (instance.launchTime() != null) {
            attributes.put("launchTime", instance.launchTime().toString());
        }
        for (String label : List.of(MachineLabels.DEPLOYMENT, MachineLabels.MEMBER, MachineLabels.TENANT, MachineLabels.OPERATION,
                MachineLabels.INSTALLATION, MachineLabels.ALLOCATION)) {
            String value = instance.tags().get(label);
            if (value != null) {
                attributes.put(label, value);
            }
        }
        attributes.put("offer", Ids.offer(settings.providerId(), instance.zone(), instance.instanceType()));
        int efa = efaInterfaces(instance, shape);
        attributes.put("efaInterfaces", String.valueOf(efa));
        ResourceState state = "running".equals(instance.state()) ? ResourceState.AVAILABLE : ResourceState.UNAVAILABLE;
        return ShapeNodes.node(Ids.node(settings.providerId(), instance.instanceId()), settings.providerId(),
                Ids.site(settings.providerId(), instance.zone()), instance.privateDnsName(), shape, state,
                instance.tags().get(MachineLabels.TENANT), attributes, efa);
    }

    private Site site(String region, Zone zone, RegionFacts facts) {
        String id = Ids.site(settings.providerId(), zone.name());
        if (facts == null) {
            return Site.builder().id(id).providerId(settings.providerId()).region(region).zone(zone.name()).build();
        }
        return Site.builder().id(id).providerId(settings.providerId()).region(region).zone(zone.name()).country(facts.country())
                .jurisdictions(facts.jurisdictions()).operator(new Operator(facts.operatorName(), facts.operatorJurisdictions())).build();
    }

    /** This installation's id ({@link MachineLabels#INSTALLATION}), or null while the core has not said it. */
    String installation() {
        return installation.get();
    }

    static boolean isStrata(Ec2Instance instance) {
        return instance.tags().containsKey(MachineLabels.OPERATION);
    }

    /**
     * Whether this provider launched the instance ({@link AwsProvisioner#PROVIDER_TAG}): another
     * provider of Strata on the same account (its own settings, its own offers and ledger slots)
     * launched it when the tag names another provider id.
     */
    static boolean launchedBy(Ec2Instance instance, String providerId) {
        String launcher = instance.tags().get(AwsProvisioner.PROVIDER_TAG);
        return launcher == null || launcher.equals(providerId);
    }

    /**
     * Whether this provider launched the instance for this installation: it carries Strata's
     * operation tag, this provider's id ({@link #launchedBy}), and this installation's id, or no
     * installation id (launched before Strata tagged it), or this installation's id is not known yet.
     */
    static boolean ours(Ec2Instance instance, String providerId, String own) {
        return isStrata(instance) && launchedBy(instance, providerId) && ofInstallation(instance, own);
    }

    /**
     * Whether the instance was launched for this installation: it carries this installation's id, or
     * no installation id (launched before Strata tagged it), or this installation's id is not known
     * yet. The provider tag is not looked at: a provider whose id was changed while it ran is the
     * same provider, and its operations begun before the change are its own.
     */
    static boolean ofInstallation(Ec2Instance instance, String own) {
        String owner = instance.tags().get(MachineLabels.INSTALLATION);
        return owner == null || own == null || owner.equals(own);
    }

    /** One discovery's result, with what went wrong without failing it (a region that fails). */
    record View(List<Site> sites, List<Node> nodes, List<CapacityOffer> offers, List<Fabric> fabrics, List<String> warnings) {
        View {
            sites = List.copyOf(sites);
            nodes = List.copyOf(nodes);
            offers = List.copyOf(offers);
            fabrics = List.copyOf(fabrics);
            warnings = List.copyOf(warnings);
        }

        View(List<Site> sites, List<Node> nodes, List<CapacityOffer> offers, List<Fabric> fabrics) {
            this(sites, nodes, offers, fabrics, List.of());
        }

        static View merge(List<View> views, List<String> warnings) {
            List<Site> sites = new ArrayList<>();
            List<Node> nodes = new ArrayList<>();
            List<CapacityOffer> offers = new ArrayList<>();
            List<Fabric> fabrics = new ArrayList<>();
            List<String> all = new ArrayList<>();
            for (View v : views) {
                all.addAll(v.warnings());
                sites.addAll(v.sites());
                nodes.addAll(v.nodes());
                offers.addAll(v.offers());
                fabrics.addAll(v.fabrics());
            }
            nodes.sort(Comparator.comparing(Node::id));
            offers.sort(Comparator.comparing(CapacityOffer::id));
            fabrics.sort(Comparator.comparing(Fabric::id));
            all.addAll(warnings);
            return new View(sites, nodes, offers, fabrics, all);
        }
    }

    /**
     * A region's last good read and when it was made (both null: none since the provider started), and since when it
     * fails and what failed last (both null while it answers).
     */
    private record RegionRead(View view, Instant readAt, Instant failingSince, String failure) {
    }

    private static final class FabricBuilder {
        final String id;
        final String siteId;
        final double gbps;
        final Set<String> members = new LinkedHashSet<>();

        FabricBuilder(String id, String siteId, double gbps) {
            this.id = id;
            this.siteId = siteId;
            this.gbps = gbps;
        }

        Fabric build() {
            return Fabric.builder().id(id).type(FabricType.RDMA).technology("EFA").siteId(siteId).members(members).linkBandwidthGbps(gbps)
                    .tiers(List.of("zone")).build();
        }
    }
}
