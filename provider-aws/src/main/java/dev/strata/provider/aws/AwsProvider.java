package dev.strata.provider.aws;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.provider.ComputeProvider;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.api.provider.DescribedProvider;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.FabricProvider;
import dev.strata.platform.api.provider.FabricSnapshot;
import dev.strata.platform.api.provider.Generations;
import dev.strata.platform.api.provider.StrataProvider;
import dev.strata.platform.api.provisioning.Installation;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.ProvisioningProvider;
import dev.strata.provider.aws.ec2.Ec2Gateway;
import dev.strata.provider.aws.sovereignty.SovereigntyTable;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * One AWS account: its regions' zones as sites, GPU instance types as capacity offers, the
 * instances this installation launched as nodes, EFA fabrics, and provisioning through EC2.
 *
 * <p>A factory component: one instance per configuration ({@code etc/dev.strata.provider.aws-NAME.cfg});
 * with none, nothing runs. Activation validates the configuration and makes no network call; the
 * first discovery does. The provider keeps no state the platform needs: ids come from zone names,
 * type names and instance ids, instances are found again by their tags, generations are the clock,
 * kept above every earlier one across restarts by a mark in Karaf's data folder ({@link Generations}).
 *
 * <p>A configuration change that is valid applies in place ({@link #modified}): new SDK clients for the new settings take
 * the calls that begin from then on, and the previous ones are closed once the calls in progress on them (discoveries,
 * creates, deletes) have ended, each finishing on the settings it began with. A change the settings refuse leaves the
 * previous settings in force, unless it also changed {@code strata.provider.id}: Declarative Services registers the service
 * under the new id whatever {@link #modified} does, so the provider, known by that id from then on, serves nothing and
 * answers every call with the refusal until a valid configuration replaces it or a change puts the id back.
 */
@Component(service = {ComputeProvider.class, FabricProvider.class, ProvisioningProvider.class}, immediate = true,
        configurationPid = AwsProvider.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = AwsConfig.class, factory = true)
@StrataProvider(id = "aws", vendor = "aws")
public class AwsProvider implements ComputeProvider, FabricProvider, ProvisioningProvider, DescribedProvider {

    public static final String PID = "dev.strata.provider.aws";
    private static final Logger LOG = LoggerFactory.getLogger(AwsProvider.class);

    private final Clock clock;
    /** Where the mark of the generations is kept; null: in memory only (tests). */
    private final Path dataFolder;
    private final AtomicReference<Installation> installation = new AtomicReference<>();
    /** The settings in force and the clients made for them: replaced by a valid configuration change. */
    private volatile Engine engine;
    /** The provider id the service is registered with: the configuration's, as Declarative Services registers it. */
    private volatile String registeredId;
    /** The refusal of the configuration the service is registered with, once a refused change changed the id; else null. */
    private volatile InvalidConfigurationException refusal;

    /**
     * Where a refused configuration change is recorded in the provenance log, after the core's
     * record of the change; none where the provider runs without the core.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ConfigurationRejections rejections;

    /** The generations of the provider id last configured, kept when a configuration change leaves the id as it was. */
    private Generations generations;
    private String generationsOf;
    /** The deletes waiting for EC2 to list their instance ({@link AwsProvisioner}), kept when a change leaves the id as it was. */
    private Map<String, Instant> deletesAwaitingListing;

    @Activate
    public AwsProvider(AwsConfig config) {
        this(AwsSettings.from(config, etc()), Clock.systemUTC(), Generations.dataFolder());
        registeredId = config.strata_provider_id();
    }

    /** A provider whose generations are kept in memory only (tests). */
    AwsProvider(AwsSettings settings, Clock clock) {
        this(settings, clock, null);
    }

    /**
     * A provider that keeps the mark of its generations in {@code dataFolder}, in a file of its own provider id
     * ({@link Generations#file}); in memory only where {@code dataFolder} is null.
     */
    AwsProvider(AwsSettings settings, Clock clock, Path dataFolder) {
        this.clock = clock;
        this.dataFolder = dataFolder;
        this.registeredId = settings.providerId();
        this.engine = engine(settings);
        LOG.info("AWS provider {} ready: {}", settings.providerId(), engine.scrub(settings.description()));
        warnUnused(settings);
    }

    /**
     * The clients of {@code settings}, with the generations and the deletes awaiting listing of their provider id (those in use
     * where the id stays as it was).
     *
     * @throws InvalidConfigurationException where the sovereignty file is no valid table; the credentials of {@code settings}
     *     are then zeroed, as those of settings a change replaces are, rather than left to the garbage collector
     */
    private synchronized Engine engine(AwsSettings settings) {
        SovereigntyTable table;
        try {
            table = SovereigntyTable.load(settings.sovereigntyFile());
        } catch (IllegalArgumentException e) {
            settings.credentials().clear();
            throw new InvalidConfigurationException(PID, "sovereigntyFile", settings.sovereigntyFile(), "a valid table: " + e.getMessage());
        }
        warnUnknownTableRegions(settings, table);
        String id = settings.providerId();
        if (!id.equals(generationsOf)) {
            generations = dataFolder == null ? Generations.inMemory(clock) : Generations.inDataFolder(dataFolder, "aws", id, clock,
                    message -> LOG.warn("AWS provider {}: {}", id, message));
            deletesAwaitingListing = new ConcurrentHashMap<>();
            generationsOf = id;
        }
        AwsCredentialsProvider credentials = credentials(settings.credentials());
        // credentials from the standard chain (environment, profile, instance role) are scrubbed as they are now, session token
        // included: they rotate, so they are read from the chain's cache whenever a text is scrubbed
        UnaryOperator<String> scrub = settings.credentials().isStatic() ? settings.credentials()::scrub
                : text -> scrubResolved(credentials, text);
        Ec2Gateway gateway = new Ec2Gateway(credentials, settings.endpoint(), settings.requestTimeout(), scrub);
        AwsDiscovery discovery = new AwsDiscovery(settings, gateway, table, clock, this::installation);
        return new Engine(settings, gateway, discovery, new AwsProvisioner(settings, gateway, discovery, clock, deletesAwaitingListing),
                generations);
    }

    /**
     * Warns of each region of the sovereignty file that is neither in the built-in table, nor one the AWS SDK knows, nor in
     * {@code regions}: a misspelt region ({@code eu-centrl-1}) is taken for a region of its own, so its facts apply nowhere and
     * the region meant keeps the built-in facts, while the installation believes its own apply. It is not refused: a file may
     * give the facts of a region AWS opened after this release (README, sovereigntyFile).
     */
    private static void warnUnknownTableRegions(AwsSettings settings, SovereigntyTable table) {
        List<String> known = new ArrayList<>(AwsSettings.sdkRegions());
        known.addAll(table.regions().stream().filter(SovereigntyTable::builtInHas).toList());
        known.addAll(settings.regions());
        for (String region : table.overriddenRegions()) {
            if (!known.contains(region)) {
                List<String> nearest = AwsSettings.nearest(known, region);
                LOG.warn("AWS provider {}: sovereigntyFile {} gives facts for region {}, which is neither in the built-in table, nor one "
                        + "this release's AWS SDK knows, nor in regions ({}); {}: a misspelt region's facts apply nowhere, and the "
                        + "region meant keeps the built-in facts", settings.providerId(),
                        InvalidConfigurationException.printable(String.valueOf(settings.sovereigntyFile())),
                        InvalidConfigurationException.printable(region), String.join(", ", settings.regions()),
                        nearest.isEmpty() ? "no known region is near its name" : "known regions nearest its name: " + String.join(", ", nearest));
            }
        }
    }

    private static void warnUnused(AwsSettings settings) {
        List<String> unused = settings.unusedEntries();
        if (!unused.isEmpty()) {
            LOG.warn("AWS provider {}: {} configured for regions not in 'regions' ({}), never used: {}", settings.providerId(),
                    unused.size() == 1 ? "an entry is" : unused.size() + " entries are", String.join(", ", settings.regions()),
                    String.join("; ", unused));
        }
        settings.unknownRegions().forEach(message -> LOG.warn("AWS provider {}: {}", settings.providerId(), message));
    }

    /**
     * One configuration's settings and the SDK clients made for them, with the calls in progress on them: closed at once when
     * the provider stops, or, when a configuration change replaces them, once the last of those calls has ended.
     */
    private static final class Engine {
        final AwsSettings settings;
        final Ec2Gateway gateway;
        final AwsDiscovery discovery;
        final AwsProvisioner provisioner;
        final Generations generations;
        /** Calls in progress; whether a change replaced these settings; whether the clients were let go. Guarded by this. */
        private int calls;
        private boolean replaced;
        private boolean closed;

        Engine(AwsSettings settings, Ec2Gateway gateway, AwsDiscovery discovery, AwsProvisioner provisioner, Generations generations) {
            this.settings = settings;
            this.gateway = gateway;
            this.discovery = discovery;
            this.provisioner = provisioner;
            this.generations = generations;
        }

        /**
         * {@code text} without the configured credentials of these settings, for a log line of the provider's own. Credentials
         * from the standard chain are in no configuration value, and resolving them here (an instance role: a network call)
         * would hold up the configuration change; what EC2 answers is scrubbed of them by the gateway.
         */
        String scrub(String text) {
            return settings.credentials().scrub(text);
        }

        /** A call begins on these clients; false where a change replaced them (the call goes to the new ones). */
        synchronized boolean begin() {
            if (replaced) {
                return false;
            }
            calls++;
            return true;
        }

        void end() {
            synchronized (this) {
                if (--calls > 0 || !replaced || closed) {
                    return;
                }
                closed = true;
            }
            release();
        }

        /** A change replaced these settings: their clients are let go now where no call is in progress, else when the last ends. */
        void replaced() {
            synchronized (this) {
                replaced = true;
                if (calls > 0 || closed) {
                    return;
                }
                closed = true;
            }
            release();
        }

        /** The provider stops: the clients are let go at once, a call in progress fails as one on a stopped provider. */
        void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            release();
        }

        private void release() {
            discovery.close();
            gateway.close();
            settings.credentials().clear();
        }
    }

    /**
     * The core's {@link Installation}, once its state store is up: discovery tells this
     * installation's instances from another's sharing the account by it.
     */
    @Reference(name = "installation", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindInstallation")
    public void bindInstallation(Installation installation) {
        this.installation.set(installation);
    }

    public void unbindInstallation(Installation installation) {
        this.installation.compareAndSet(installation, null);
    }

    /** This installation's id, or null while the core has not said it. */
    private String installation() {
        Installation bound = installation.get();
        return bound == null ? null : bound.id();
    }

    /**
     * A configuration change: a valid one replaces the settings and the SDK clients in place. Calls in progress finish on the
     * clients they began with (a create that began under the previous settings launches under them; the operation's tag and
     * the per-operation lock of {@link AwsProvisioner} make a create of it under the new settings find that instance rather
     * than launch a second), and those clients are closed once the last of them has ended. A refused one leaves the previous
     * settings in force while the provider id is the one they serve under; Declarative Services registers the service with the
     * new configuration's id whatever this method does (OSGi Compendium 112.7.1: Felix SCR logs what a modified method throws
     * and updates the service properties all the same), so a refused change under another id leaves the provider serving
     * nothing under the id it is registered with: every call answers the refusal, which {@code strata:providers} then shows.
     * A change that puts the id back to the one the settings in force serve under serves again: a valid one applies, a
     * refused one leaves those settings in force. What is logged goes through the credentials' scrubbing, as every message of
     * the provider does, and so does what a refusal records in the provenance log ({@link ConfigurationRejections}), under the
     * PID of this factory configuration's instance ({@code service.pid}), which the change's own record names.
     */
    @Modified
    void modified(AwsConfig config, Map<String, Object> properties) {
        Path etc = etc();
        modified(config, String.valueOf(properties.getOrDefault("service.pid", PID)), () -> AwsSettings.from(config, etc));
    }

    /**
     * {@link #modified(AwsConfig, Map)} of the configuration {@code pid}, its settings read by {@code read} (a test keeps
     * what it read, to see that a refusal zeroes the secret read).
     */
    void modified(AwsConfig config, String pid, Supplier<AwsSettings> read) {
        String id = config.strata_provider_id();
        Engine previous = engine;
        AwsSettings settings;
        Engine next;
        try {
            settings = read.get();
            next = engine(settings);
        } catch (InvalidConfigurationException e) {
            String message = clean(previous, config, e.getMessage());
            String previousId = registeredId;
            registeredId = id;
            // under the id the settings in force serve (also one put back after a refusal under another id), those settings serve on
            if (Objects.equals(id, previous.settings.providerId())) {
                refusal = null;
                LOG.error("Configuration change rejected, previous settings stay in force: {}", message);
                ConfigurationRejections.tell(rejections, pid, message, true);
                return;
            }
            refusal = e.withMessage("the configuration of AWS provider " + id + " was refused, and it serves nothing until the "
                    + "configuration is corrected: " + message);
            LOG.error("Configuration change rejected: {}; {}, so the provider is registered as {} and serves nothing until its "
                    + "configuration is corrected", message, Objects.equals(id, previousId)
                            ? "the configuration refused before is still in force" : "the change also changed strata.provider.id (was "
                                    + previousId + ")", clean(previous, config, id));
            ConfigurationRejections.tell(rejections, pid, refusal.getMessage(), false);
            return;
        }
        engine = next;
        registeredId = id;
        refusal = null;
        previous.replaced();
        LOG.info("AWS provider {} takes its changed configuration: {}", settings.providerId(), next.scrub(settings.description()));
        warnUnused(settings);
    }

    /**
     * {@code text} without the credentials in force nor those the refused configuration names: a refusal never shows them
     * (the key id is hidden, the secret file's content never read into a message), and this holds should one slip through.
     */
    private static String clean(Engine inForce, AwsConfig config, String text) {
        String out = inForce.scrub(text);
        out = Secret.of(config._secretAccessKey() == null ? null : config._secretAccessKey().strip()).scrub(out);
        return Secret.of(config.accessKeyId() == null ? null : config.accessKeyId().strip()).scrub(out);
    }

    /**
     * The clients that serve a call, the call counted on them until {@link Engine#end}; throws the refusal of the
     * configuration the provider is registered with, while there is one.
     */
    private Engine serving() {
        while (true) {
            InvalidConfigurationException refused = refusal;
            if (refused != null) {
                throw refused.withMessage(refused.getMessage());
            }
            Engine serving = engine;
            if (serving.begin()) {
                return serving;
            }
            // replaced between the read and the count: the call goes to the clients that replaced them
        }
    }

    @Deactivate
    void deactivate() {
        engine.close();
    }

    private static AwsCredentialsProvider credentials(AwsSettings.Credentials credentials) {
        if (credentials.isStatic()) {
            return StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(credentials.accessKeyId.reveal(), credentials.secretAccessKey.reveal()));
        }
        var chain = DefaultCredentialsProvider.builder();
        if (credentials.profile != null) {
            chain.profileName(credentials.profile);
        }
        return chain.build();
    }

    /** {@code text} with the key id, secret and session token the chain resolves now replaced by {@code ****}. */
    static String scrubResolved(AwsCredentialsProvider provider, String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        AwsCredentials resolved;
        try {
            resolved = provider.resolveCredentials();
        } catch (RuntimeException e) {
            return text; // none resolve: no request carried any
        }
        String out = Secret.of(resolved.secretAccessKey()).scrub(Secret.of(resolved.accessKeyId()).scrub(text));
        if (resolved instanceof AwsSessionCredentials session) {
            out = Secret.of(session.sessionToken()).scrub(out);
        }
        return out;
    }

    private static Path etc() {
        String etc = System.getProperty("karaf.etc");
        return Path.of(etc == null ? "." : etc);
    }

    /**
     * The account, regions and where the credentials come from; never a credential. While a refused configuration is in force
     * under a changed id, the refusal.
     */
    @Override
    public String description() {
        InvalidConfigurationException refused = refusal;
        return refused != null ? refused.getMessage() : engine.settings.description();
    }

    /** The provider id its nodes have: the id the service is registered with, also while a refusal is in force. */
    String providerId() {
        return refusal != null ? registeredId : engine.settings.providerId();
    }

    @Override
    public ComputeSnapshot discoverCompute(DiscoveryContext context) {
        Engine serving = serving();
        try {
            AwsDiscovery.View view = serving.discovery.view(context);
            return ComputeSnapshot.builder(serving.generations.next(), clock.instant()).sites(view.sites()).nodes(view.nodes())
                    .offers(view.offers()).warnings(warnings(serving, view)).build();
        } finally {
            serving.end();
        }
    }

    @Override
    public FabricSnapshot discoverFabrics(DiscoveryContext context) {
        Engine serving = serving();
        try {
            AwsDiscovery.View view = serving.discovery.view(context);
            return FabricSnapshot.builder(serving.generations.next(), clock.instant()).fabrics(view.fabrics())
                    .warnings(warnings(serving, view)).build();
        } finally {
            serving.end();
        }
    }

    /** The generations' warnings and the discovery's (regions that fail). */
    private static List<String> warnings(Engine serving, AwsDiscovery.View view) {
        List<String> warnings = new ArrayList<>(serving.generations.warnings());
        warnings.addAll(view.warnings());
        return warnings;
    }

    @Override
    public MachineStatus create(MachineRequest request, DiscoveryContext context) {
        Engine serving = serving();
        try {
            return serving.provisioner.create(request, context);
        } finally {
            serving.end();
        }
    }

    @Override
    public MachineStatus describe(MachineHandle handle, DiscoveryContext context) {
        Engine serving = serving();
        try {
            return serving.provisioner.describe(handle, context);
        } finally {
            serving.end();
        }
    }

    @Override
    public Optional<MachineStatus> find(String operationId, DiscoveryContext context) {
        Engine serving = serving();
        try {
            return serving.provisioner.find(operationId, context);
        } finally {
            serving.end();
        }
    }

    @Override
    public List<MachineStatus> machines(DiscoveryContext context) {
        Engine serving = serving();
        try {
            return serving.provisioner.machines(context);
        } finally {
            serving.end();
        }
    }

    @Override
    public MachineStatus delete(MachineHandle handle, DiscoveryContext context) {
        Engine serving = serving();
        try {
            return serving.provisioner.delete(handle, context);
        } finally {
            serving.end();
        }
    }

    @Override
    public String toString() {
        InvalidConfigurationException refused = refusal;
        return refused != null ? "AwsProvider[" + registeredId + ": " + refused.getMessage() + "]"
                : "AwsProvider[" + engine.settings.providerId() + ": " + engine.settings.description() + "]";
    }
}
