package dev.strata.provider.aws;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.provider.ComputeProvider;
import dev.strata.platform.api.provider.ComputeSnapshot;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
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
 */
@Component(service = {ComputeProvider.class, FabricProvider.class, ProvisioningProvider.class}, immediate = true,
        configurationPid = AwsProvider.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = AwsConfig.class, factory = true)
@StrataProvider(id = "aws", vendor = "aws")
public class AwsProvider implements ComputeProvider, FabricProvider, ProvisioningProvider, DescribedProvider {

    public static final String PID = "dev.strata.provider.aws";
    private static final Logger LOG = LoggerFactory.getLogger(AwsProvider.class);

    private final AwsSettings settings;
    private final Ec2Gateway gateway;
    private final AwsDiscovery discovery;
    private final AwsProvisioner provisioner;
    private final Clock clock;
    private final Generations generations;
    private final AtomicReference<Installation> installation = new AtomicReference<>();

    @Activate
    public AwsProvider(AwsConfig config) {
        this(AwsSettings.from(config, etc()), Clock.systemUTC(), Generations.dataFolder());
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
        this.settings = settings;
        this.clock = clock;
        this.generations = dataFolder == null ? Generations.inMemory(clock) : Generations.inDataFolder(dataFolder, "aws",
                settings.providerId(), clock, message -> LOG.warn("AWS provider {}: {}", settings.providerId(), message));
        SovereigntyTable table;
        try {
            table = SovereigntyTable.load(settings.sovereigntyFile());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(PID, "sovereigntyFile", settings.sovereigntyFile(), "a valid table: " + e.getMessage());
        }
        AwsCredentialsProvider credentials = credentials(settings.credentials());
        // credentials from the standard chain (environment, profile, instance role) are scrubbed as they are now, session token
        // included: they rotate, so they are read from the chain's cache whenever a text is scrubbed
        this.gateway = new Ec2Gateway(credentials, settings.endpoint(), settings.requestTimeout(),
                settings.credentials().isStatic() ? settings.credentials()::scrub : text -> scrubResolved(credentials, text));
        this.discovery = new AwsDiscovery(settings, gateway, table, clock, this::installation);
        this.provisioner = new AwsProvisioner(settings, gateway, discovery, clock);
        LOG.info("AWS provider {} ready: {}", settings.providerId(), settings.description());
        List<String> unused = settings.unusedEntries();
        if (!unused.isEmpty()) {
            LOG.warn("AWS provider {}: {} configured for regions not in 'regions' ({}), never used: {}", settings.providerId(),
                    unused.size() == 1 ? "an entry is" : unused.size() + " entries are", String.join(", ", settings.regions()),
                    String.join("; ", unused));
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

    @Deactivate
    void deactivate() {
        gateway.close();
        settings.credentials().accessKeyId.clear();
        settings.credentials().secretAccessKey.clear();
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

    /** The account, regions and where the credentials come from; never a credential. */
    @Override
    public String description() {
        return settings.description();
    }

    String providerId() {
        return settings.providerId();
    }

    @Override
    public ComputeSnapshot discoverCompute(DiscoveryContext context) {
        AwsDiscovery.View view = discovery.view(context);
        return ComputeSnapshot.builder(generation(), clock.instant()).sites(view.sites()).nodes(view.nodes()).offers(view.offers())
                .warnings(generations.warnings()).build();
    }

    @Override
    public FabricSnapshot discoverFabrics(DiscoveryContext context) {
        return FabricSnapshot.builder(generation(), clock.instant()).fabrics(discovery.view(context).fabrics())
                .warnings(generations.warnings()).build();
    }

    @Override
    public MachineStatus create(MachineRequest request, DiscoveryContext context) {
        return provisioner.create(request, context);
    }

    @Override
    public MachineStatus describe(MachineHandle handle, DiscoveryContext context) {
        return provisioner.describe(handle, context);
    }

    @Override
    public Optional<MachineStatus> find(String operationId, DiscoveryContext context) {
        return provisioner.find(operationId, context);
    }

    @Override
    public List<MachineStatus> machines(DiscoveryContext context) {
        return provisioner.machines(context);
    }

    @Override
    public MachineStatus delete(MachineHandle handle, DiscoveryContext context) {
        return provisioner.delete(handle, context);
    }

    private long generation() {
        return generations.next();
    }

    @Override
    public String toString() {
        return "AwsProvider[" + settings.providerId() + ": " + settings.description() + "]";
    }
}
