package dev.strata.platform.core.placement;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.placement.TenantUse;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.core.placement.packing.Demand;
import dev.strata.platform.core.placement.packing.NodeCapacity;
import dev.strata.platform.core.placement.packing.PackingPolicy;
import dev.strata.platform.audit.Jcs;
import dev.strata.platform.audit.LogRecord;
import dev.strata.platform.core.store.AuditFilter;
import dev.strata.platform.core.store.ReleaseGuard;
import dev.strata.platform.core.store.StateStore;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.SortedMap;
import java.util.function.BiFunction;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The placement service: the {@link PlacementEngine} (decide on a model of one's own, commit with
 * the ledger's generation check, retry) over the inventory and the durable ledger of the
 * {@link StateStore} ({@link StoreLedger}), offered as a DS component. Decisions run in parallel,
 * up to {@link PlacementConfig#deciders()} at once. An instance that does not lead refuses
 * placements and releases with a message naming the leader; it still answers dry runs and reads.
 * Tests and benchmarks build it over the {@link InMemoryLedger}. As a {@link MultiCollector} it
 * offers its outcome counters and latency histograms to the metrics endpoint.
 */
@Component(service = {Placement.class, MultiCollector.class}, immediate = true, configurationPid = PlacementService.PID)
@Designate(ocd = PlacementConfig.class)
public class PlacementService implements Placement, MultiCollector {

    public static final String PID = "dev.strata.platform.core.placement";

    private static final Logger LOG = LoggerFactory.getLogger(PlacementService.class);

    /** What each engine is built on: a changed configuration builds a new engine over the same inventory and ledger. */
    private final Inventory inventory;
    private final AllocationLedger ledger;
    private final Clock clock;
    /**
     * The engine, its policy's name and the settings in force, replaced whole, in one write, when a
     * change of them is accepted ({@link #modified}); each call reads it once, so it never works with
     * one setting's engine and another's name or settings, nor with two engines.
     */
    private volatile InForce inForce;
    /** Where the settings in force are recorded; null where placement runs without a state store (tests and benchmarks). */
    private volatile StateStore store;
    private final PlacementMetrics metrics = new PlacementMetrics();
    /** The tenant quotas in the state store; null where placement runs without one (tests and benchmarks over a ledger). */
    private StoreQuotas storeQuotas;

    /**
     * The retired quota file: placement refuses while it sets quotas. A mandatory reference (the
     * component is always there, with or without the file), so that placement starts only once a
     * file left over from an upgrade has been read: with an optional one, a placement made in the
     * moment between placement's start and the file's was not refused. Null only where tests build
     * placement without it.
     */
    @Reference
    volatile RetiredQuotaFile retiredQuotaFile;

    /** Where a refused change of the configuration is recorded, after Config Admin's record of it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ConfigurationRejections rejections;

    @Activate
    public PlacementService(@Reference Inventory inventory, @Reference StateStore store, PlacementConfig config,
            Map<String, Object> properties) {
        this(switches(config, properties), inventory, store);
        this.store = store;
        quotasFrom(store);
        recordConfiguration(store, config);
    }

    /**
     * The engine of the settings in force, and its policy's name.
     *
     * @param settings the settings in force, as configured; null where placement was built without a configuration (tests)
     */
    private record InForce(PlacementEngine engine, String policyName, Settings settings) {
    }

    /** The settings placement runs with, checked: a policy it knows, a number of deciders of 0 or more. */
    private record Settings(String policy, int deciders, boolean recordDryRuns) {

        /** @throws InvalidConfigurationException naming the property, the value and what was expected */
        static Settings of(PlacementConfig config) {
            PackingPolicies.byName(config.policy());
            int deciders = InvalidConfigurationException.wholeNumber(PID, "deciders", config::deciders, DECIDERS_EXPECTED);
            PlacementService.deciders(deciders);
            return new Settings(config.policy(), deciders, config.recordDryRuns());
        }
    }

    /**
     * A change of the configuration while placement runs. One that is not valid is refused: the
     * settings before it stay in force, the refusal is logged and recorded in the provenance log
     * (without this method Declarative Services made the component again from the changed
     * configuration, and a value it refused left no placement service, and none of the services
     * that need it, until the file was corrected). One that changes the settings builds a new
     * engine with them over the same inventory and ledger (the ledger orders the commits of both
     * while decisions on the engine before finish), and is recorded as placement records its
     * settings at start.
     */
    @Modified
    void modified(PlacementConfig config, Map<String, Object> properties) {
        Settings next;
        try {
            switches(config, properties);
            next = Settings.of(config);
        } catch (InvalidConfigurationException e) {
            LOG.error("Configuration change rejected, previous settings stay in force: {}", e.getMessage());
            ConfigurationRejections.tell(rejections, PID, e.getMessage());
            return;
        }
        if (!next.equals(inForce.settings())) {
            PlacementEngine replacement = new PlacementEngine(inventory, ledger, PackingPolicies.byName(next.policy()), clock,
                    deciders(next.deciders()), next.policy(), next.recordDryRuns());
            StoreQuotas quotas = storeQuotas;
            if (quotas != null) {
                replacement.quotas(quotas);
            }
            inForce = new InForce(replacement, next.policy(), next);
            LOG.info("Placement's settings changed: policy {}, deciders {}, recordDryRuns {}", next.policy(), next.deciders(),
                    next.recordDryRuns());
        }
        StateStore s = store;
        if (s != null) {
            recordConfiguration(s, config);
        }
    }

    /** Holds every decision to the tenant quotas in {@code store}, read at each decision, and sets them there ({@link #setQuota}). */
    PlacementService quotasFrom(StateStore store) {
        storeQuotas = new StoreQuotas(store);
        inForce.engine().quotas(storeQuotas);
        return this;
    }

    private PlacementService(PlacementConfig config, Inventory inventory, StateStore store) {
        this(OfferSlots.view(inventory), new StoreLedger(store), config, Clock.systemUTC());
    }

    /**
     * The configuration, its switch {@code recordDryRuns} checked as written: Declarative Services
     * would read {@code yes} as false without a word.
     */
    static PlacementConfig switches(PlacementConfig config, Map<String, Object> properties) {
        InvalidConfigurationException.trueOrFalse(PID, "recordDryRuns", properties, false);
        return config;
    }

    PlacementService(Inventory inventory, AllocationLedger ledger, PlacementConfig config, Clock clock) {
        Settings settings = Settings.of(config);
        this.inventory = inventory;
        this.ledger = ledger;
        this.clock = clock;
        this.inForce = new InForce(new PlacementEngine(inventory, ledger, PackingPolicies.byName(settings.policy()), clock,
                deciders(settings.deciders()), settings.policy(), settings.recordDryRuns()), settings.policy(), settings);
    }

    /**
     * Appends a {@code configuration} record of the settings in force ({@code values}) when they differ
     * from the last such record (leader only). Config Admin's change events are recorded apart, with
     * their {@code properties}, by the configuration recorder.
     */
    static void recordConfiguration(StateStore store, PlacementConfig config) {
        if (!store.leadership().isLeader()) {
            return;
        }
        Map<String, Object> values = new TreeMap<>();
        values.put("policy", config.policy());
        values.put("deciders", config.deciders());
        values.put("recordDryRuns", config.recordDryRuns());
        try {
            Optional<LogRecord> last = store.provenance().find(new AuditFilter(null, null, null, null, "configuration", null, null, 1000, true))
                    .stream().filter(r -> PID.equals(r.subjects().get("configuration")) && r.payload().containsKey("values")).findFirst();
            String now = Jcs.canonicalize(values);
            if (last.isPresent() && last.get().payloadJson().contains("\"values\":" + now)) {
                return;
            }
            store.provenance().append(PlacementRecords.configuration(PID, values, Actors.current())).join();
        } catch (RuntimeException e) {
            LOG.warn("Placement's configuration is not known to be recorded in the provenance log: {}", e.getMessage());
        }
    }

    PlacementService(Inventory inventory, AllocationLedger ledger, String policyName, Clock clock) {
        this(inventory, ledger, policyName, PackingPolicies.byName(policyName), clock, deciders(0));
    }

    PlacementService(Inventory inventory, AllocationLedger ledger, String policyName,
            BiFunction<List<NodeCapacity>, Map<Demand, Integer>, PackingPolicy> policy, Clock clock) {
        this(inventory, ledger, policyName, policy, clock, deciders(0));
    }

    PlacementService(Inventory inventory, AllocationLedger ledger, String policyName,
            BiFunction<List<NodeCapacity>, Map<Demand, Integer>, PackingPolicy> policy, Clock clock, int deciders) {
        this.inventory = inventory;
        this.ledger = ledger;
        this.clock = clock;
        this.inForce = new InForce(new PlacementEngine(inventory, ledger, policy, clock, deciders), policyName, null);
    }

    private static final String DECIDERS_EXPECTED =
            "a whole number of decisions at once, at least 1, or 0 for as many as the machine has processors";

    /**
     * The deciders configured, or (0) as many as the machine has processors, at least 2.
     *
     * @throws InvalidConfigurationException for a negative number, which would otherwise be taken for 0 without a word
     */
    static int deciders(int configured) {
        if (configured < 0) {
            throw new InvalidConfigurationException(PID, "deciders", configured, DECIDERS_EXPECTED);
        }
        return configured > 0 ? configured : Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /** Refuses while the retired quota file sets quotas: placed without them, every tenant would go unlimited. */
    private void requireNoRetiredQuotas() {
        RetiredQuotaFile retired = retiredQuotaFile;
        Optional<String> refusal = retired == null ? Optional.empty() : retired.refusal();
        if (refusal.isPresent()) {
            throw new IllegalStateException(refusal.get());
        }
    }

    @Override
    public PlacementDecision place(Contract contract, boolean dryRun) {
        return metrics.place(dryRun ? PlacementMetrics.DRY_RUN : PlacementMetrics.PLACE, () -> {
            TenantAccess.require(contract.tenant(), (dryRun ? "dry-run contract " : "place contract ") + contract.name());
            requireNoRetiredQuotas();
            return inForce.engine().place(contract, dryRun, null);
        });
    }

    @Override
    public PlacementDecision placeFor(Contract contract, String deploymentId) {
        return metrics.place(PlacementMetrics.DEPLOYMENT, () -> {
            if (deploymentId == null || deploymentId.isBlank()) {
                throw new IllegalArgumentException("placement of " + contract.name() + " for a deployment without an id; expected the id "
                        + "the deployment will be stored under");
            }
            TenantAccess.require(contract.tenant(), "place contract " + contract.name());
            PlacementEngine engine = inForce.engine();
            if (TenantAccess.restriction().isPresent()) {
                // the id must not be another tenant's deployment: placed for it, the allocation would be held by that
                // deployment (a release refused naming it), or freed with it as one never stored
                TenantAccess.requireAll(engine.deploymentTenants(deploymentId), "place contract " + contract.name() + " for deployment "
                        + deploymentId + ", which is not one of its tenants'");
            }
            requireNoRetiredQuotas();
            return engine.place(contract, false, deploymentId);
        });
    }

    @Override
    public List<Allocation> allocations() {
        return TenantAccess.visible(inForce.engine().allocations(), Allocation::tenant);
    }

    @Override
    public Optional<Allocation> allocation(String id) {
        return TenantAccess.visible(inForce.engine().allocation(id), Allocation::tenant);
    }

    @Override
    public List<TenantUse> tenants() {
        // as placement counts them: a launch slot holds the whole machine it becomes
        PlacementEngine engine = inForce.engine();
        return TenantAccess.visible(engine.quotas().with(engine.tenantUses()), TenantUse::tenant);
    }

    @Override
    public Map<String, String> unreadableQuotas() {
        Map<String, String> out = new TreeMap<>();
        inForce.engine().quotas().unreadable().forEach((tenant, why) -> {
            if (TenantAccess.visible(Optional.of(tenant), t -> t).isPresent()) {
                out.put(tenant, why);
            }
        });
        return java.util.Collections.unmodifiableMap(out);
    }

    @Override
    public TenantUse setQuota(String tenant, Map<String, String> limits) {
        TenantAccess.requireEveryTenant("a tenant's quota is set by the platform's operators", "set the quota of tenant " + tenant);
        StoreQuotas quotas = storeQuotas;
        if (quotas == null) {
            throw new UnsupportedOperationException("this placement service runs without a state store and keeps no tenant quotas");
        }
        TenantQuotas.Limits set = TenantQuotas.limits(tenant, limits == null ? Map.of() : limits);
        String actor = Actors.current();
        PlacementEngine engine = inForce.engine();
        // through the ledger, which refuses every commit decided on the quota this one replaces
        engine.holding(() -> quotas.submit(tenant, set, actor));
        LOG.info("Tenant {}'s quota {} by {}", tenant, set.equals(TenantQuotas.Limits.NONE) ? "removed" : "set to " + TenantQuotas.stated(set),
                actor);
        return engine.quotas().with(engine.tenantUses()).stream().filter(u -> u.tenant().equals(tenant)).findFirst()
                .orElse(new TenantUse(tenant, 0, 0, 0, 0, -1, -1, -1));
    }

    @Override
    public Allocation release(String id) {
        return release(id, ReleaseGuard.UNHELD);
    }

    @Override
    public Allocation forceRelease(String id) {
        return release(id, ReleaseGuard.FORCED);
    }

    @Override
    public Allocation releaseFor(String id, String deploymentId) {
        if (deploymentId == null || deploymentId.isBlank()) {
            return metrics.release(() -> {
                throw new IllegalArgumentException("release of " + id + " for a deployment without an id; expected the id of the "
                        + "deployment it was placed for");
            });
        }
        return release(id, ReleaseGuard.holder(deploymentId));
    }

    private Allocation release(String id, ReleaseGuard guard) {
        PlacementEngine engine = inForce.engine();
        if (TenantAccess.restriction().isPresent()) {
            // another tenant's allocation reads as absent to a tenant's user, and the ledger's answer (which names every
            // allocation) is not passed on
            if (TenantAccess.visible(engine.allocation(id), Allocation::tenant).isEmpty()) {
                throw new dev.strata.platform.api.exception.NotFoundException("no allocation '" + id + "'");
            }
            try {
                return metrics.release(() -> engine.release(id, guard));
            } catch (dev.strata.platform.api.exception.NotFoundException e) {
                throw new dev.strata.platform.api.exception.NotFoundException("no allocation '" + id + "'");
            }
        }
        return metrics.release(() -> engine.release(id, guard));
    }

    /** Placement's counters and histograms: {@code strata_placements_total}, {@code strata_placement_duration_seconds}, {@code strata_releases_total}. */
    @Override
    public MetricSnapshots collect() {
        return metrics.collect();
    }

    String policyName() {
        return inForce.policyName();
    }

    PlacementEngine engine() {
        return inForce.engine();
    }

    /** See {@link PlacementEngine#freeCapacity()}. */
    SortedMap<String, String> freeCapacity() {
        return inForce.engine().freeCapacity();
    }
}
