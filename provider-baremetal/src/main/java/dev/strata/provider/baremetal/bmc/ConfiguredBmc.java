package dev.strata.provider.baremetal.bmc;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.provider.baremetal.ipmi.IpmiBmc;
import dev.strata.provider.baremetal.ipmi.IpmiTool;
import dev.strata.provider.baremetal.redfish.RedfishBmc;
import dev.strata.provider.baremetal.redfish.RedfishClient;
import dev.strata.provider.baremetal.redfish.RedfishEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
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
 * One configured BMC ({@code etc/dev.strata.provider.bmc-<name>.cfg}). A configuration with
 * errors still registers, holding the error, so that the provider reports it on that BMC's node
 * (UNAVAILABLE, with the message) instead of the BMC silently missing; the error is also logged,
 * and recorded in the provenance log as a refusal that leaves nothing of this BMC serving
 * ({@link ConfigurationRejections}, told once the core's is bound: see {@link #bindRejections}).
 *
 * <p>A change of the configuration applies in place ({@link #modified}): a change the settings
 * refuse leaves the previous settings serving, a valid one makes the next calls use a new client
 * where it changes what the client is made from ({@link #sameClient}, {@link #sameCaFile}; a change
 * of the site alone keeps the client and its Redfish session).
 * Discoveries and operations hold the client they began with ({@link #use}) to their end, and the
 * previous client (whose {@link Bmc#close} deletes its Redfish session) is closed once the last of
 * them has ended. The BMC's name does not change while the component lives: operations are
 * journalled by it, and one in progress would no longer find its BMC under the new name.
 */
@Component(service = ConfiguredBmc.class, configurationPid = ConfiguredBmc.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = BmcConfig.class, factory = true)
public final class ConfiguredBmc {

    public static final String PID = "dev.strata.provider.bmc";
    private static final Logger LOG = LoggerFactory.getLogger(ConfiguredBmc.class);

    private final String pid;
    private final Path etc;
    /** The settings in force, or the error of a configuration refused since activation; swapped whole. */
    private volatile State state;
    /** The client of {@link #state}, opened on first use; guarded by {@code this}. */
    private Client client;

    /**
     * Where a refused configuration, or the part of a change not applied, is recorded in the
     * provenance log, after the core's record of the change; none where the provider runs without
     * the core. Bound through {@link #bindRejections}; guarded by {@code told}.
     */
    private ConfigurationRejections rejections;
    /**
     * The refusal of the latest configuration (at activation or a change) that could not be told
     * yet, for want of {@link #rejections}, or null; guarded by {@code told}.
     */
    private Refusal untold;
    /**
     * Why the fleet refuses this BMC while another configuration gives its name
     * ({@link #nameClash}), or null; guarded by {@code told}.
     */
    private String clash;
    /** Whether the refusal of {@link #clash} waits for {@link #rejections} to be told; guarded by {@code told}. */
    private boolean clashUntold;
    /**
     * Guards {@link #rejections}, {@link #untold}, {@link #clash} and {@link #clashUntold}; never
     * held while the client lock ({@code this}) is.
     */
    private final Object told = new Object();

    /** A refusal as {@link ConfigurationRejections#rejected(String, String, boolean)} records it. */
    private record Refusal(String reason, boolean previousSettingsInForce) {
    }

    /** Settings (or the error that stands for them) and the name and site their node is shown under. */
    private record State(BmcSettings settings, InvalidConfigurationException problem, String fallbackName, String fallbackSite) {

        String name() {
            return settings != null ? settings.name() : fallbackName;
        }
    }

    @Activate
    public ConfiguredBmc(BmcConfig config, Map<String, Object> properties) {
        this(config, String.valueOf(properties.getOrDefault("service.pid", PID)), Path.of(System.getProperty("karaf.etc", "etc")));
    }

    ConfiguredBmc(BmcConfig config, String pid, Path etc) {
        this.pid = pid;
        this.etc = etc;
        BmcSettings s = null;
        InvalidConfigurationException p = null;
        try {
            s = BmcSettings.from(config, pid, etc);
            LOG.info("BMC {} at {} ({}), site {}", s.name(), s.address(), s.protocol(), s.siteId());
        } catch (InvalidConfigurationException e) {
            p = e;
            LOG.error("BMC configuration rejected: {}", e.getMessage());
            // no reference is bound before the component is made: told by bindRejections
            untold = new Refusal(e.getMessage(), false);
        }
        String name = config.name() == null || config.name().isBlank() ? lastPart(pid) : config.name().trim();
        this.state = new State(s, p, name.replaceAll("[^A-Za-z0-9._-]", "_"),
                config.site() == null || config.site().isBlank() ? "local" : config.site().trim());
    }

    /** A BMC made from settings directly (tests, benchmarks). */
    public static ConfiguredBmc of(BmcSettings settings) {
        return new ConfiguredBmc(settings);
    }

    private ConfiguredBmc(BmcSettings settings) {
        this.pid = settings.pid();
        this.etc = Path.of(System.getProperty("karaf.etc", "etc"));
        this.state = new State(settings, null, settings.name(), settings.siteId());
    }

    /**
     * A change of the configuration, applied in place. One the settings refuse is logged, recorded
     * in the provenance log as refused ({@link ConfigurationRejections}), and leaves the previous
     * settings serving (where the component holds the error of a refused configuration, the new
     * error replaces it: nothing served before, and the record says that no settings before it are
     * in force). A valid one serves the
     * calls that begin from now on; where it changes what the client is made from, calls in
     * progress end on the client they began with, which is closed after the last of them, and
     * where it does not ({@link #sameClient}) the client serves on, so that an unrelated edit does
     * not log out of the BMC and in again. A new {@code name} is not applied (logged, and recorded in
     * the provenance log as a refusal of that part, the rest of the change applied): operations in
     * progress are journalled under the name in force and find their BMC by it; the BMC keeps it
     * until its component is made again (Strata restarts, or the configuration is deleted and
     * created again). Where the core's {@link ConfigurationRejections} is not bound yet, the
     * refusal of the latest change is told once it is ({@link #bindRejections}).
     */
    @Modified
    void modified(BmcConfig config, Map<String, Object> properties) {
        apply(config);
    }

    /** What {@link #modified} does: the change of a configuration, as Configuration Admin hands it over. */
    void apply(BmcConfig config) {
        State previous = state;
        BmcSettings s;
        try {
            s = BmcSettings.from(config, pid, etc);
        } catch (InvalidConfigurationException e) {
            if (previous.problem() != null) {
                LOG.error("BMC configuration rejected: {}", e.getMessage());
                replace(new State(null, e, previous.fallbackName(), previous.fallbackSite()), true);
                refused(new Refusal(e.getMessage(), false));
            } else {
                LOG.error("Configuration change rejected, previous settings stay in force: {}", e.getMessage());
                refused(new Refusal(e.getMessage(), true));
            }
            return;
        }
        String name = previous.name();
        Refusal refusal = null;
        if (!s.name().equals(name)) {
            String why = "Configuration change of the name of BMC " + name + " (" + pid + ") to " + s.name() + " is not applied while "
                    + "Strata runs: operations are journalled under the BMC's name, and one in progress would no longer find its BMC; the "
                    + "BMC keeps the name " + name + " until its configuration is made again (Strata restarts, or the configuration is "
                    + "deleted and created again); the rest of the change applies";
            LOG.warn("{}", why);
            refusal = new Refusal(why, true);
            s = renamed(s, name);
        }
        refused(refusal);
        LOG.info("BMC {} at {} ({}), site {}: configuration change applied", s.name(), s.address(), s.protocol(), s.siteId());
        State next = new State(s, null, previous.fallbackName(), s.siteId());
        if (previous.settings() != null && sameClient(previous.settings(), s)) {
            byte[] ca = caDigest(s); // read outside the lock, which every call takes to begin
            synchronized (this) {
                if (client == null || sameCaFile(client, ca)) {
                    // nothing the client is made from changed (a site, a power domain): it and its Redfish session serve on
                    state = next;
                    return;
                }
            }
        }
        replace(next, true);
    }

    /**
     * Binds where refusals are recorded, and tells it the refusal of the latest configuration not
     * told yet: a configuration refused at activation is refused in the constructor, before any
     * reference is bound (and the core registers it only once its state store is up, which may be
     * later still), so it would otherwise never reach the provenance log. Told once: a refusal told
     * here is not told again at a later bind.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindRejections(ConfigurationRejections r) {
        Refusal pending;
        String pendingClash;
        synchronized (told) {
            rejections = r;
            pending = untold;
            untold = null;
            pendingClash = clashUntold ? clash : null;
            clashUntold = false;
        }
        // told outside the lock: the core writes the record to its state store, which may be slow to answer
        if (pending != null) {
            ConfigurationRejections.tell(r, pid, pending.reason(), pending.previousSettingsInForce());
        }
        if (pendingClash != null) {
            ConfigurationRejections.tell(r, pid, pendingClash, false);
        }
    }

    void unbindRejections(ConfigurationRejections r) {
        synchronized (told) {
            if (rejections == r) {
                rejections = null;
            }
        }
    }

    /**
     * Tells the core of the refusal of the latest change ({@code refusal}), or, where none is bound,
     * keeps it for {@link #bindRejections}; with null (a change applied whole) it forgets one kept
     * for an earlier change, which the change replaced: a record of it after this change's record
     * would say that this change was refused.
     */
    private void refused(Refusal refusal) {
        ConfigurationRejections r;
        synchronized (told) {
            if (clash != null) {
                // the fleet serves nothing of this BMC while its name clashes: the change's record is followed by a refusal that says so
                refusal = refusal == null ? new Refusal(clash, false) : new Refusal(refusal.reason() + "; besides, " + clash, false);
            }
            r = rejections;
            if (r == null) {
                untold = refusal;
                clashUntold = false; // the refusal of the latest change, kept, names the clash
            }
        }
        // told outside the lock, as bindRejections tells
        if (r != null && refusal != null) {
            ConfigurationRejections.tell(r, pid, refusal.reason(), refusal.previousSettingsInForce());
        }
    }

    /**
     * Where the fleet refuses this BMC because another configuration gives its name
     * ({@link BmcFleet#nameConflict}: {@code reason}, the fleet's message naming this
     * configuration's PID, the name and the other configurations), or no longer does (null: the
     * other configurations were removed). The core's record of this configuration says
     * {@code updated} while nothing of the BMC serves, so the refusal is told to
     * {@link ConfigurationRejections} when the clash begins, with nothing of the BMC in force (the
     * fleet neither discovers nor provisions the machines of either BMC); once per clash, a
     * discovery telling nothing, and again only for a clash that begins after this one has ended.
     * While it lasts, each change of this configuration is told as refused with it
     * ({@link #refused}). Taken under the lock and told outside it, or, where the core's recorder
     * is not bound yet, told once it is ({@link #bindRejections}).
     *
     * @return the telling, for the caller to run once it holds no lock of its own (the fleet's,
     *     under which it tells each BMC of a name in turn); one that tells nothing where there is
     *     nothing to tell
     */
    Runnable nameClash(String reason) {
        ConfigurationRejections r;
        synchronized (told) {
            boolean begins = reason != null && clash == null;
            clash = reason; // a clash that goes on keeps its refusal told, with the configurations that give the name now
            if (!begins) {
                if (reason == null) {
                    clashUntold = false;
                }
                return () -> { };
            }
            r = rejections;
            clashUntold = r == null;
        }
        // told outside the lock, as bindRejections tells
        return () -> ConfigurationRejections.tell(r, pid, reason, false);
    }

    /**
     * Whether a client made from {@code a} serves {@code b} as well: the same protocol and the same
     * way of reaching the BMC (address, account, password, authentication, pinned certificate,
     * request timeout, attempts; for IPMI the cipher suites and the ipmitool command). The
     * passwords are compared by content, in constant time ({@link Secret#equals}), never through
     * their text. A CA file is compared here by its path; what it holds, by {@link #sameCaFile}.
     */
    static boolean sameClient(BmcSettings a, BmcSettings b) {
        return a.protocol().equals(b.protocol()) && java.util.Objects.equals(a.redfish(), b.redfish())
                && java.util.Objects.equals(a.ipmi(), b.ipmi()) && (a.ipmi() == null || a.ipmitool().equals(b.ipmitool()));
    }

    /**
     * Whether the CA file a client trusts holds what it held when the client was made, read again
     * at every change ({@code now}, from {@link #caDigest}): the client reads the file only when it
     * is made, and the file may have been replaced at the same path, so a changed file makes a new
     * client, and one written again as it was (or untouched) keeps the client and its Redfish
     * session. True where the client trusts no CA file; false where the file could not be read
     * then or now. The digests of the file's bytes are compared with {@link MessageDigest#isEqual}.
     */
    private static boolean sameCaFile(Client client, byte[] now) {
        if (!client.trustsCaFile) {
            return true;
        }
        return client.caDigest != null && now != null && MessageDigest.isEqual(client.caDigest, now);
    }

    /** The SHA-256 digest of the bytes of the settings' CA file; null where there is none or it cannot be read. */
    private static byte[] caDigest(BmcSettings settings) {
        Path ca = settings.redfish() == null ? null : settings.redfish().caFile();
        if (ca == null) {
            return null;
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(ca));
        } catch (IOException | NoSuchAlgorithmException e) {
            LOG.debug("BMC {}: caFile {} could not be read to compare it: {}", settings.name(), ca, e.toString());
            return null;
        }
    }

    /**
     * Puts the state in force; the previous client is closed once its last user has ended. Where
     * none uses it and {@code aside} (a configuration change), it is closed on a thread of its own:
     * deleting its Redfish session may take up to the BMC's request timeout, for which Configuration
     * Admin's update thread, which hands over the changes of every configuration, would wait.
     */
    private void replace(State next, boolean aside) {
        Client retired;
        synchronized (this) {
            state = next;
            retired = client;
            client = null;
            if (retired == null || !retired.retire()) {
                return;
            }
        }
        if (!aside) {
            retired.bmc.close();
            return;
        }
        String name = next.name();
        Thread closing = new Thread(() -> {
            try {
                retired.bmc.close(); // bounded: a Redfish session delete waits at most the request timeout (at most 10 s)
            } catch (RuntimeException e) {
                LOG.warn("BMC {}: the client the configuration change replaced could not be closed: {}", name, e.toString());
            }
        }, "strata-bmc-close-" + name);
        closing.setDaemon(true);
        closing.start();
    }

    private static BmcSettings renamed(BmcSettings s, String name) {
        RedfishEndpoint r = s.redfish();
        IpmiTool.Target i = s.ipmi();
        return new BmcSettings(s.pid(), name, s.protocol(),
                r == null ? null : new RedfishEndpoint(name, r.baseUri(), r.user(), r.password(), r.auth(), r.fingerprint(), r.caFile(),
                        r.requestTimeout(), r.maxAttempts()),
                i == null ? null : new IpmiTool.Target(name, i.host(), i.port(), i.user(), i.password(), i.cipherSuites(), i.commandTimeout()),
                s.ipmitool(), s.siteId(), s.powerDomainId());
    }

    /** The configuration PID. */
    public String pid() {
        return pid;
    }

    /** The BMC's name (from the configuration, even when it has errors). */
    public String name() {
        return state.name();
    }

    /** The validated settings, or null when the configuration has errors. */
    public BmcSettings settings() {
        return state.settings();
    }

    /** What is wrong with the configuration, or null. */
    public InvalidConfigurationException problem() {
        return state.problem();
    }

    /** The template of this BMC's nodes. */
    public NodeTemplate template(String providerId) {
        return template(state, providerId);
    }

    private NodeTemplate template(State st, String providerId) {
        BmcSettings settings = st.settings();
        if (settings == null) {
            return new NodeTemplate(providerId, st.fallbackName(), "(invalid configuration " + pid + ")", "unknown", st.fallbackSite(), null);
        }
        return new NodeTemplate(providerId, settings.name(), settings.address(), settings.protocol(), settings.siteId(), settings.powerDomainId());
    }

    /**
     * The BMC in force, connected on first use, for a caller that holds it no longer than one
     * request (tests); a discovery or an operation takes it through {@link #use}, so that a
     * configuration change does not close it under them.
     *
     * @throws InvalidConfigurationException when the configuration has errors
     */
    public Bmc bmc() {
        try (Use use = use()) {
            return use.bmc();
        }
    }

    /**
     * The BMC in force and the template of its nodes, held until the use is closed: a
     * configuration change made meanwhile leaves them to it, and the client is closed only after
     * the last use of it has ended.
     *
     * @throws InvalidConfigurationException when the configuration has errors
     */
    public Use use() {
        return use(null);
    }

    /** {@link #use()}, running {@code release} (once) when the use is closed. */
    Use use(Runnable release) {
        synchronized (this) {
            State st = state;
            if (st.problem() != null) {
                throw st.problem();
            }
            if (client == null) {
                BmcSettings settings = st.settings();
                byte[] ca = caDigest(settings); // what the client trusts, read with it: a change compares the file with it
                client = new Client(settings.redfish() != null
                        ? new RedfishBmc(RedfishClient.open(settings.redfish(), pid))
                        : new IpmiBmc(new IpmiTool(settings.ipmitool(), settings.ipmi())),
                        settings.redfish() != null && settings.redfish().caFile() != null, ca);
            }
            client.users++;
            return new Use(client, st, release);
        }
    }

    /** One caller's hold of a client; closing it lets the client go where a change retired it. */
    public final class Use implements AutoCloseable {
        private final Client held;
        private final State st;
        /** What the taker of the use runs once it has ended (the fleet's count of BMCs held), or null. */
        private final Runnable release;
        private boolean closed;

        private Use(Client held, State st, Runnable release) {
            this.held = held;
            this.st = st;
            this.release = release;
        }

        /** The BMC, as the configuration was when the use began. */
        public Bmc bmc() {
            return held.bmc;
        }

        /** The template of the BMC's nodes, as the configuration was when the use began. */
        public NodeTemplate template(String providerId) {
            return ConfiguredBmc.this.template(st, providerId);
        }

        @Override
        public void close() {
            boolean last;
            synchronized (ConfiguredBmc.this) {
                if (closed) {
                    return;
                }
                closed = true;
                last = --held.users == 0 && held.retired && !held.closed;
                if (last) {
                    held.closed = true;
                }
            }
            try {
                if (last) {
                    held.bmc.close();
                }
            } finally {
                if (release != null) {
                    release.run();
                }
            }
        }
    }

    /** A client and how many calls use it; guarded by the ConfiguredBmc. */
    private static final class Client {
        final Bmc bmc;
        /** Whether it trusts a CA file ({@code caFile}). */
        final boolean trustsCaFile;
        /** The digest of the CA file's bytes as it was read when the client was made; null where none or unreadable. */
        final byte[] caDigest;
        int users;
        boolean retired;
        boolean closed;

        Client(Bmc bmc, boolean trustsCaFile, byte[] caDigest) {
            this.bmc = bmc;
            this.trustsCaFile = trustsCaFile;
            this.caDigest = caDigest;
        }

        /** Marks it replaced; true where no call uses it, so the caller closes it now. */
        boolean retire() {
            retired = true;
            if (users > 0 || closed) {
                return false;
            }
            closed = true;
            return true;
        }
    }

    @Deactivate
    public void close() {
        replace(state, false);
    }

    private static String lastPart(String pid) {
        int tilde = Math.max(pid.lastIndexOf('~'), pid.lastIndexOf('.'));
        return tilde < 0 ? pid : pid.substring(tilde + 1);
    }

    @Override
    public String toString() {
        return "ConfiguredBmc[" + name() + " " + pid + "]";
    }
}
