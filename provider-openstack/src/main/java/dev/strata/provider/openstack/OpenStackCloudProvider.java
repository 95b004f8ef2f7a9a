package dev.strata.provider.openstack;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.provider.ComputeProvider;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.Generations;
import dev.strata.platform.api.provider.StrataProvider;
import dev.strata.platform.api.provisioning.Installation;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.ProviderJournal;
import dev.strata.platform.api.provisioning.ProvisioningProvider;
import dev.strata.provider.openstack.auth.Session;
import dev.strata.provider.openstack.compute.NovaClient;
import dev.strata.provider.openstack.placement.PlacementClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Pattern;
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

/**
 * OpenStack clouds as Strata providers: one instance per factory configuration
 * ({@code etc/dev.strata.provider.openstack-<name>.cfg}), none without one, and then no network
 * call at all. Each is a {@link ComputeProvider} (the cloud's compute hosts as nodes) and a
 * {@link ProvisioningProvider} (Nova servers on those hosts); the work is done by an
 * {@link OpenStackCloud}, which a valid configuration change replaces. A configuration change
 * that is not valid is refused and the previous settings stay in force, unless it also changed
 * {@code strata.provider.id}: Declarative Services registers the service under the new id whatever
 * {@link #modified} does, so the provider, known by that id from then on, serves nothing and
 * answers every call with the refusal until a valid configuration replaces it or a change puts
 * the id back. Its old settings
 * under the new id would be a configuration nobody wrote, and under the old id its nodes would
 * not be the registered provider's.
 *
 * <p>The record of its create requests ({@link CreateJournal}) outlives those replacements: it is
 * kept in the core's {@link ProviderJournal}, in Strata's state store, once the core offers one,
 * and in memory until then. So does the core's {@link Installation}, once its store is up: the
 * cloud tells this installation's servers from those of another Strata installation sharing the
 * project by it.
 */
@Component(service = {ComputeProvider.class, ProvisioningProvider.class}, immediate = true, configurationPid = OpenStackCloudProvider.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = OpenStackConfig.class, factory = true)
@StrataProvider(id = "openstack", vendor = "openstack")
public class OpenStackCloudProvider implements ComputeProvider, ProvisioningProvider {

    public static final String PID = "dev.strata.provider.openstack";
    /** The tag every server Strata makes carries. */
    public static final String TAG = "strata";
    /** Metadata key: the node the server was made for. */
    public static final String NODE_LABEL = "strata:node";
    private static final Logger LOG = LoggerFactory.getLogger(OpenStackCloudProvider.class);
    private static final Pattern TAG_SAFE = Pattern.compile("[A-Za-z0-9_.:-]{1,50}");

    private final Clock clock;
    private final CreateJournal journal;
    private final AtomicReference<Installation> installation;
    /** Where the mark of the snapshots' generations is kept; null: in memory only (tests). */
    private final Path dataFolder;
    private volatile OpenStackCloud cloud;
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

    @Activate
    public OpenStackCloudProvider(OpenStackConfig config) {
        this(OpenStackSettings.from(config), null, Clock.systemUTC(), Generations.dataFolder());
        registeredId = config.strata_provider_id();
    }

    OpenStackCloudProvider(OpenStackSettings settings, Clock clock) {
        this(settings, null, clock, null);
    }

    /**
     * A provider on a session of the caller's (Placement alone with noauth2, in tests and
     * benchmarks); its create requests are recorded in memory until {@link #bindJournal} gives it
     * a journal, and its generations are kept in memory only.
     */
    public OpenStackCloudProvider(OpenStackSettings settings, Session session, Clock clock) {
        this(settings, session, clock, null);
    }

    /**
     * A provider on {@code session}, or on Keystone with the configured credentials where it is null, that keeps the mark
     * of its snapshots' generations in {@code dataFolder} under its provider id ({@link Generations#file}); in memory only
     * where {@code dataFolder} is null.
     */
    OpenStackCloudProvider(OpenStackSettings settings, Session session, Clock clock, Path dataFolder) {
        this.registeredId = settings.providerId();
        this.clock = clock;
        this.journal = new CreateJournal(clock);
        this.installation = new AtomicReference<>();
        this.dataFolder = dataFolder;
        this.cloud = session == null ? OpenStackCloud.connect(settings, clock, journal, idOf(installation), generations(settings))
                : new OpenStackCloud(settings, session, clock, journal, idOf(installation), generations(settings));
    }

    /** The generations of the configured provider id: the ones in use where a new configuration keeps the id. */
    private synchronized Generations generations(OpenStackSettings settings) {
        String id = settings.providerId();
        if (!id.equals(generationsOf)) {
            generations = dataFolder == null ? Generations.inMemory(clock) : Generations.inDataFolder(dataFolder, "openstack", id, clock,
                    message -> LOG.warn("OpenStack provider {}: {}", id, message));
            generationsOf = id;
        }
        return generations;
    }

    /** This installation's id as the bound {@link Installation} says it, or null while none is bound. */
    private static Supplier<String> idOf(AtomicReference<Installation> installation) {
        return () -> {
            Installation bound = installation.get();
            return bound == null ? null : bound.id();
        };
    }

    /**
     * The core's journal in the state store: from now on create requests to Nova are recorded
     * there, so that a restarted Strata, or another instance, knows of a request whose outcome is
     * unknown and does not send a second one too early.
     */
    @Reference(name = "journal", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindJournal")
    public void bindJournal(ProviderJournal providerJournal) {
        journal.attach(providerJournal);
    }

    public void unbindJournal(ProviderJournal providerJournal) {
        journal.detach(providerJournal);
    }

    /**
     * The core's {@link Installation}, once its state store is up: a server whose metadata names
     * another installation ({@link dev.strata.platform.api.provisioning.MachineLabels#INSTALLATION})
     * is never taken for the server of one of this installation's operations. Until one is bound,
     * every server Strata made is taken for this installation's.
     */
    @Reference(name = "installation", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindInstallation")
    public void bindInstallation(Installation bound) {
        installation.set(bound);
    }

    public void unbindInstallation(Installation bound) {
        installation.compareAndSet(bound, null);
    }

    /**
     * A configuration change: a valid one replaces the cloud. A refused one leaves the previous
     * settings in force while the provider id is the one they serve under; Declarative Services
     * registers the service with the new configuration's id whatever this method does (OSGi
     * Compendium 112.7.1: Felix SCR logs what a modified method throws and updates the service
     * properties all the same), so a refused change under another id leaves the provider serving
     * nothing under the id it is registered with: every call answers the refusal, which
     * {@code strata:providers} then shows. A change that puts the id back to the one the settings
     * in force serve under serves again: a valid one applies, a refused one leaves them in force. A refusal is recorded in the
     * provenance log ({@link ConfigurationRejections}) under the PID of this factory
     * configuration's instance ({@code service.pid}), which the change's own record names.
     */
    @Modified
    void modified(OpenStackConfig config, Map<String, Object> properties) {
        String pid = String.valueOf(properties.getOrDefault("service.pid", PID));
        String id = config.strata_provider_id();
        OpenStackSettings settings;
        try {
            settings = OpenStackSettings.from(config);
        } catch (InvalidConfigurationException e) {
            String previousId = registeredId;
            registeredId = id;
            // under the id the cloud in force serves (also one put back after a refusal under another id), that cloud serves on
            if (Objects.equals(id, cloud.settings().providerId())) {
                refusal = null;
                LOG.error("Configuration change rejected, previous settings stay in force: {}", e.getMessage());
                ConfigurationRejections.tell(rejections, pid, e.getMessage(), true);
                return;
            }
            refusal = e.withMessage("the configuration of OpenStack cloud " + id + " was refused, and it serves nothing until the "
                    + "configuration is corrected: " + e.getMessage());
            LOG.error("Configuration change rejected: {}; {}, so the cloud is registered as {} and serves nothing until its "
                    + "configuration is corrected", e.getMessage(), Objects.equals(id, previousId)
                            ? "the configuration refused before is still in force" : "the change also changed strata.provider.id (was "
                                    + previousId + ")", id);
            ConfigurationRejections.tell(rejections, pid, refusal.getMessage(), false);
            return;
        }
        OpenStackCloud previous = cloud;
        cloud = OpenStackCloud.connect(settings, clock, journal, idOf(installation), generations(settings));
        registeredId = id;
        refusal = null;
        previous.close(false);
    }

    /** The cloud that serves calls; throws the refusal of the configuration the provider is registered with, while there is one. */
    private OpenStackCloud serving() {
        InvalidConfigurationException refused = refusal;
        if (refused != null) {
            throw refused.withMessage(refused.getMessage());
        }
        return cloud;
    }

    @Deactivate
    public void deactivate() {
        cloud.close(true);
    }

    /** The provider id its nodes have: the id the service is registered with, also while a refusal is in force. */
    public String providerId() {
        return refusal != null ? registeredId : cloud.settings().providerId();
    }

    public Session session() {
        return cloud.session();
    }

    public PlacementClient placement() {
        return cloud.placement();
    }

    public NovaClient nova() {
        return cloud.nova();
    }

    @Override
    public ComputeSnapshot discoverCompute(DiscoveryContext context) {
        return serving().discoverCompute(context);
    }

    @Override
    public MachineStatus create(MachineRequest request, DiscoveryContext context) {
        return serving().create(request, context);
    }

    @Override
    public MachineStatus describe(MachineHandle handle, DiscoveryContext context) {
        return serving().describe(handle, context);
    }

    @Override
    public Optional<MachineStatus> find(String operationId, DiscoveryContext context) {
        return serving().find(operationId, context);
    }

    @Override
    public List<MachineStatus> machines(DiscoveryContext context) {
        return serving().machines(context);
    }

    @Override
    public MachineStatus delete(MachineHandle handle, DiscoveryContext context) {
        return serving().delete(handle, context);
    }

    /** The server name of a member: {@code strata-<deployment>-<member>}, made of safe characters, at most 63. */
    static String serverName(MachineRequest r) {
        String name = "strata-" + r.deploymentId() + "-" + r.member();
        name = name.replaceAll("[^A-Za-z0-9._-]", "-");
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    /**
     * The tag that names an operation: {@code strata-op-<id>} when the id is short and made of
     * characters tags allow, else {@code strata-op-<first 40 hex digits of its SHA-256>}.
     * Nova tags hold at most 60 characters, without '/' or ','.
     */
    static String operationTag(String operationId) {
        if (TAG_SAFE.matcher(operationId).matches()) {
            return "strata-op-" + operationId;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(operationId.getBytes(StandardCharsets.UTF_8));
            return "strata-op-" + HexFormat.of().formatHex(digest).substring(0, 40);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }
}
