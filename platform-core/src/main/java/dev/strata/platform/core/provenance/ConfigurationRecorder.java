package dev.strata.platform.core.provenance;

import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.core.placement.Actors;
import dev.strata.platform.core.store.ProvenanceEntry;
import dev.strata.platform.core.store.StateStore;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.SynchronousConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.MetaTypeService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every change of Strata's configuration (PIDs under {@code dev.strata.}) in the
 * provenance log as kind {@code configuration}: the PID, what happened (updated, deleted), the
 * properties as they are now with secrets redacted, which properties changed since the last
 * record this instance wrote, and who changed it.
 *
 * <p>It is a synchronous configuration listener, so it runs on the thread that changed the
 * configuration: a change made at the Karaf shell ({@code config:edit}, {@code config:property-set})
 * names the shell user as actor; a change from a file in {@code etc/} or from another bundle is
 * {@code system}. The properties are read there and then; the record is written on a thread of its
 * own, in order, so a slow store never holds up Config Admin. Config Admin tells it of a change
 * before the component configured has read it, so a change the component refuses is recorded as
 * {@code updated} too; such a component tells it through {@link ConfigurationRejections}, and a
 * record with action {@code rejected} follows.
 *
 * <p>Secrets never reach the log: a property whose name starts with {@code .} (Config Admin's
 * convention for private properties) or names a password (or passphrase, pwd), secret, token,
 * credential, or API, private, session or auth key ({@code _ - .} in the name ignored, as in
 * {@code ssh.key.passphrase} or {@code api.key}) is written as {@code (redacted)}; a property naming the file a secret is read from
 * ({@code passwordFile}) is not a secret and is shown, unless it names no file: it may then be the
 * secret itself, written where its file's path belongs ({@code tokenFile = <the token>}), and is
 * written {@code (redacted: names no file)}. Every other value is shown cleaned as
 * {@link ProviderText#clean} cleans provider text, so that a credential inside it (the
 * {@code user:password@} of a URL, a {@code password=} parameter) is masked.
 *
 * <p>It also hands {@link ProviderText} the values of those secrets, and the secret each file such
 * properties name holds (as the providers read it), when it starts and on every change, so that a provider that writes
 * one of them into a message is masked (see {@link #learnSecrets}); the files are watched, so that
 * a secret rotated by rewriting its file is learnt within a second ({@link SecretFiles}).
 *
 * <p>A property that the configured component does not declare (in its metatype) is read by
 * nothing: most often a misspelt name, whose setting is then not in force. Such properties are
 * logged at WARN, each with the declared property it most likely misspells, when the
 * configuration changes and, for what is configured already, when the recorder or a Strata bundle
 * starts; a change's record names them ({@code unknown}). See {@link UnknownProperties}.
 *
 * <p>A property's name can be a secret too: Karaf reads a {@code .cfg} file as Java properties, so
 * a secret written on the line after its key ({@code secretAccessKey =}, the value below it) is
 * read as an empty secret and a property named by the secret. Such a name, and the names of the
 * other properties that may be one ({@link UnknownProperties#withheld}), reach neither the log nor
 * the record: the record shows each as {@code (withheld 1)}, ... with its value redacted (in
 * {@code properties}, {@code changed} and {@code unknown}), and the warning says how many there
 * are, which secret is empty, and how to write it, without their names.
 */
@Component(service = {SynchronousConfigurationListener.class, ConfigurationRejections.class}, immediate = true)
public class ConfigurationRecorder implements SynchronousConfigurationListener, ConfigurationRejections {

    static final String KIND = "configuration";
    static final String REDACTED = "(redacted)";
    /** What stands for the value of a secret file's property that names no file: it may be the secret itself. */
    static final String NAMES_NO_FILE = "(redacted: names no file)";
    static final String PREFIX = "dev.strata.";
    private static final Logger LOG = LoggerFactory.getLogger(ConfigurationRecorder.class);
    private static final List<String> SECRET_WORDS = List.of("password", "passwd", "passphrase", "pwd", "secret", "token", "credential",
            "privatekey", "apikey", "sessionkey", "authkey");

    private final StateStore store;
    private final ConfigurationAdmin admin;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(
            r -> dev.strata.platform.core.placement.TenantAccess.platformThread(r, "strata-configuration-records"));
    /** The properties this instance last recorded, per PID, to name what changed (secrets only as digests, in memory). */
    private final Map<String, Seen> last = new ConcurrentHashMap<>();
    /** Strata's bundles, whose metatypes say which properties each configuration's component reads; null outside a framework. */
    private final BundleContext context;
    private final BundleListener bundleStarted = this::bundleChanged;
    /** The unknown properties last warned of, per PID, so that a start of another bundle does not warn of them again. */
    private final Map<String, List<String>> warned = new ConcurrentHashMap<>();
    private volatile MetaTypeService metaType;
    /** Who made the latest change of each PID, which a rejection of that change names. */
    private final Map<String, String> changedBy = new ConcurrentHashMap<>();
    /** The secret files the configurations name, watched so that a rotated one is learnt without a configuration change. */
    private final SecretFiles secretFiles = new SecretFiles();

    /**
     * Properties as seen: the values shown in the log (secrets redacted, every other value
     * cleaned as provider text is) and, kept in memory only to tell whether a secret changed, a
     * SHA-256 digest of each secret's value and of each value that cleaning changed. A property
     * whose name may be a secret ({@code withheld}) is shown as {@code (withheld 1)}, ... with its
     * value redacted, the digest of its name and value telling whether it changed. Where the
     * properties could not be read, {@code shown} holds only why ({@code unreadable}), which is no
     * property of the configuration.
     */
    record Seen(Map<String, Object> shown, Map<String, String> secretDigests, boolean unreadable, UnknownProperties.Withheld withheld) {
        Seen(Map<String, Object> shown, Map<String, String> secretDigests) {
            this(shown, secretDigests, false, UnknownProperties.Withheld.NONE);
        }

        /** The names of the properties, the withheld ones as they are (in memory only). */
        Set<String> names() {
            Set<String> out = new java.util.TreeSet<>(shown.keySet());
            withheld.placeholders().forEach(out::remove);
            out.addAll(withheld.names());
            return out;
        }
    }

    /** A recorder outside a framework, which cannot tell unknown properties. */
    public ConfigurationRecorder(StateStore store, ConfigurationAdmin admin) {
        this(store, admin, null);
    }

    @Activate
    public ConfigurationRecorder(@Reference StateStore store, @Reference ConfigurationAdmin admin, BundleContext context) {
        this.store = store;
        this.admin = admin;
        this.context = context;
        // what is configured already: its secrets are masked in what providers write from now on
        try {
            Configuration[] all = admin.listConfigurations("(service.pid=" + PREFIX + "*)");
            for (Configuration c : all == null ? new Configuration[0] : all) {
                if (c.getProperties() != null) {
                    secretFiles.track(c.getPid(), learnSecrets(c.getProperties(), etc()));
                }
            }
        } catch (IOException | InvalidSyntaxException | RuntimeException e) {
            LOG.warn("The secrets of Strata's configurations could not be read, to mask them in what providers write: {}", e.getMessage());
        }
        secretFiles.start(SecretFiles.PERIOD_MS);
        if (context != null) {
            context.addBundleListener(bundleStarted);
        }
        checkAllLater();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindMetaType(MetaTypeService service) {
        metaType = service;
        checkAllLater();
    }

    void unbindMetaType(MetaTypeService service) {
        if (metaType == service) {
            metaType = null;
        }
    }

    /** A Strata bundle that starts (a provider installed or updated) declares its configurations: those already configured are checked. */
    private void bundleChanged(BundleEvent event) {
        String name = event.getBundle().getSymbolicName();
        if (event.getType() == BundleEvent.STARTED && name != null && name.startsWith(PREFIX)) {
            checkAllLater();
        }
    }

    private void checkAllLater() {
        try {
            writer.execute(this::checkAll);
        } catch (RejectedExecutionException e) {
            LOG.debug("Stopping: configurations are not checked for unknown properties");
        }
    }

    /** Warns of the unknown properties of every Strata configuration, those not warned of already. */
    private void checkAll() {
        Configuration[] all;
        try {
            all = admin.listConfigurations("(service.pid=" + PREFIX + "*)");
        } catch (IOException | InvalidSyntaxException | RuntimeException e) {
            LOG.debug("Strata's configurations could not be listed to check their properties: {}", e.toString());
            return;
        }
        for (Configuration c : all == null ? new Configuration[0] : all) {
            Dictionary<String, Object> properties = c.getProperties();
            Set<String> declared = properties == null ? null
                    : UnknownProperties.declared(metaType, context, c.getPid(), c.getFactoryPid()).orElse(null);
            if (declared != null) {
                unknown(c.getPid(), declared, java.util.Collections.list(properties.keys()), UnknownProperties.withheld(properties, declared),
                        properties.get(FILE), false);
            }
        }
    }

    /**
     * A configuration's properties that its component does not declare, and what it declares: those
     * named, and those whose names are withheld as they may be a secret.
     */
    private record Unknown(List<String> names, Set<String> declared, UnknownProperties.Withheld withheld) {
        boolean any() {
            return !names.isEmpty() || withheld.any();
        }

        /** As the record lists them: the named ones, then the placeholders of the withheld ones. */
        List<String> listed() {
            List<String> out = new ArrayList<>(names);
            out.addAll(withheld.placeholders());
            return out;
        }
    }

    /** Where File Install read a configuration from, when it did. */
    private static final String FILE = "felix.fileinstall.filename";

    /**
     * The properties of a configuration that its component ({@code declared}: what it declares, null
     * when its metatype is not known) does not declare, warned of (once for the same properties,
     * unless {@code always}); null when its component's metatype is not known. Those
     * {@code withheld} are not named: the warning says why and what to write instead.
     */
    private Unknown unknown(String pid, Set<String> declared, java.util.Collection<String> keys, UnknownProperties.Withheld withheld,
            Object file, boolean always) {
        if (declared == null) {
            return null;
        }
        List<String> unknown = UnknownProperties.of(keys, declared);
        List<String> before = unknown.isEmpty() ? warned.remove(pid) : warned.put(pid, unknown);
        List<String> named = unknown.stream().filter(u -> !withheld.contains(u)).toList();
        if (!unknown.isEmpty() && (always || !unknown.equals(before))) {
            String where = file == null ? "" : " (" + file + ")";
            if (!named.isEmpty()) {
                LOG.warn("Configuration {}{}: {} {} not a property Strata reads; {} no effect (the properties it reads: {})", pid, where,
                        UnknownProperties.describe(named, declared), named.size() == 1 ? "is" : "are", named.size() == 1 ? "it has" : "they have",
                        String.join(", ", declared));
            }
            if (withheld.any()) {
                LOG.warn("Configuration {}{}: {}", pid, where, withheld.warning());
            }
        }
        return new Unknown(named, declared, withheld);
    }

    @Deactivate
    void deactivate() {
        if (context != null) {
            try {
                context.removeBundleListener(bundleStarted);
            } catch (IllegalStateException stopping) {
                // the framework is stopping: nothing to remove
            }
        }
        secretFiles.close();
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        String pid = event.getPid();
        String factoryPid = event.getFactoryPid();
        if (!(pid != null && pid.startsWith(PREFIX)) && !(factoryPid != null && factoryPid.startsWith(PREFIX))) {
            return;
        }
        String action = switch (event.getType()) {
            case ConfigurationEvent.CM_UPDATED -> "updated";
            case ConfigurationEvent.CM_DELETED -> "deleted";
            case ConfigurationEvent.CM_LOCATION_CHANGED -> "location-changed";
            default -> "event-" + event.getType();
        };
        String actor = Actors.current();
        changedBy.put(pid, actor);
        // what the component declares tells which properties no component reads, and which names may be a secret's value
        Set<String> declared = event.getType() == ConfigurationEvent.CM_DELETED ? null
                : UnknownProperties.declared(metaType, context, pid, factoryPid).orElse(null);
        Seen properties = event.getType() == ConfigurationEvent.CM_DELETED ? null : read(pid, declared);
        if (properties == null) {
            secretFiles.track(pid, Set.of());
        }
        // a change of the bundle location changes no property: warned only if what is unknown changed
        boolean always = event.getType() != ConfigurationEvent.CM_LOCATION_CHANGED;
        try {
            // warned of on the writer, in the order of the checks of every configuration (checkAll) queued there: one thread
            // keeps what was warned of, and a check queued before this change warns before it, never after it again
            writer.execute(() -> {
                if (properties == null) {
                    warned.remove(pid);
                }
                // a configuration that could not be read has no properties to tell of: what is shown is why
                Unknown unknown = properties == null || properties.unreadable() ? null
                        : unknown(pid, declared, properties.names(), properties.withheld(), properties.shown().get(FILE), always);
                write(pid, factoryPid, action, actor, properties, unknown);
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("Stopping: the {} change of {} is not recorded", action, pid);
        }
    }

    /**
     * Writes, after the record of the change, that a component refused the latest change of
     * {@code pid} and the settings before it stay in force ({@link #rejected(String, String, boolean)}).
     */
    @Override
    public void rejected(String pid, String reason) {
        rejected(pid, reason, true);
    }

    /**
     * Writes, after the record of the change, that a component refused the latest change of
     * {@code pid}: kind {@code configuration}, action {@code rejected}, the reason cleaned as
     * provider text is (a secret the value carried is masked), as actor whoever made the change, and
     * whether the settings before it stay in force ({@code previousSettingsInForce}, which the
     * summary says too), as the component says: a provider refusing a change that also changed its
     * {@code strata.provider.id} (the AWS and OpenStack providers), a BMC whose configuration the
     * bare-metal provider refuses, and the retired tenant quota file, whose refusal stops placement,
     * are left serving nothing; which, only the component knows. A component that applies a change in
     * part (the bare-metal provider's BMC {@code name}, {@code journal} and {@code stateDirectory})
     * tells of the part it refuses, the settings before it in force, its reason naming that part.
     */
    @Override
    public void rejected(String pid, String reason, boolean previousSettingsInForce) {
        String actor = changedBy.getOrDefault(pid, Actors.current());
        String why = ProviderText.clean(String.valueOf(reason));
        try {
            writer.execute(() -> {
                Map<String, Object> payload = new LinkedHashMap<>();
                payload.put("summary", "configuration " + pid + " change rejected" + (previousSettingsInForce ? ", the settings before it "
                        + "stay in force: " : ": ") + why);
                payload.put("pid", pid);
                payload.put("action", "rejected");
                payload.put("reason", why);
                payload.put("previousSettingsInForce", previousSettingsInForce);
                append(payload, actor, "rejected", pid);
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("Stopping: the rejection of the change of {} is not recorded", pid);
        }
    }

    private Seen read(String pid, Set<String> declared) {
        try {
            Configuration[] found = admin.listConfigurations(pidFilter(pid));
            if (found == null || found.length == 0 || found[0].getProperties() == null) {
                return new Seen(Map.of(), Map.of());
            }
            secretFiles.track(pid, learnSecrets(found[0].getProperties(), etc()));
            return seen(found[0].getProperties(), declared);
        } catch (IOException | InvalidSyntaxException | RuntimeException e) {
            LOG.warn("The properties of {} could not be read for the provenance log: {}", pid, e.getMessage());
            return new Seen(Map.of("unreadable", String.valueOf(e.getMessage())), Map.of(), true, UnknownProperties.Withheld.NONE);
        }
    }

    /**
     * The filter that finds one configuration by its PID. A factory configuration's name is the
     * operator's (a BMC named {@code rack*} or {@code r(1)}): its {@code * ( ) \} are escaped, so it
     * matches that configuration only, not another one's properties recorded under its PID.
     */
    static String pidFilter(String pid) {
        StringBuilder sb = new StringBuilder("(service.pid=");
        for (char ch : pid.toCharArray()) {
            if (ch == '\\' || ch == '*' || ch == '(' || ch == ')') {
                sb.append('\\');
            }
            sb.append(ch);
        }
        return sb.append(')').toString();
    }

    private void write(String pid, String factoryPid, String action, String actor, Seen properties, Unknown unknown) {
        Map<String, Object> payload = new LinkedHashMap<>();
        Seen before = properties == null ? last.remove(pid) : last.put(pid, properties);
        List<String> changed = changed(before, properties);
        boolean anyUnknown = unknown != null && unknown.any();
        UnknownProperties.Withheld withheld = properties == null ? UnknownProperties.Withheld.NONE : properties.withheld();
        String notRead = !anyUnknown ? withheld.any() ? "; " + withheld.summary() : ""
                : "; not read by Strata: " + UnknownProperties.describe(unknown.names(), unknown.declared())
                + (!withheld.any() ? "" : unknown.names().isEmpty() ? withheld.summary() : ", and " + withheld.summary());
        payload.put("summary", "configuration " + pid + " " + action + (changed == null ? "" : changed.isEmpty() ? " (no property changed)"
                : ": " + String.join(", ", changed.stream().map(ProviderText::clean).toList())) + notRead);
        payload.put("pid", pid);
        if (factoryPid != null) {
            payload.put("factoryPid", factoryPid);
        }
        payload.put("action", action);
        if (properties != null) {
            payload.put("properties", properties.shown());
        }
        if (changed != null) {
            payload.put("changed", changed);
        }
        if (anyUnknown) {
            payload.put("unknown", unknown.listed());
        }
        append(payload, actor, action, pid);
    }

    private void append(Map<String, Object> payload, String actor, String action, String pid) {
        if (!store.leadership().isLeader()) {
            LOG.debug("Not the leader: the {} change of {} is recorded by the leader only", action, pid);
            return;
        }
        try {
            store.provenance().append(ProvenanceEntry.of(KIND, actor, payload, "configuration", pid)).join();
        } catch (RuntimeException e) {
            LOG.warn("The {} change of configuration {} is not known to be recorded in the provenance log: {}", action, pid, e.getMessage());
        }
    }

    /** The properties that differ, sorted; null when nothing was recorded before (the first record this instance writes). */
    static List<String> changed(Seen before, Seen after) {
        if (before == null) {
            return null;
        }
        Seen now = after == null ? new Seen(Map.of(), Map.of()) : after;
        List<String> out = new ArrayList<>();
        java.util.Set<String> keys = new java.util.TreeSet<>(before.shown().keySet());
        keys.addAll(now.shown().keySet());
        for (String k : keys) {
            if (!Objects.equals(before.shown().get(k), now.shown().get(k))
                    || !Objects.equals(before.secretDigests().get(k), now.secretDigests().get(k))) {
                out.add(k);
            }
        }
        return out;
    }

    /**
     * The properties as JSON-able values, secrets replaced; Config Admin's own bookkeeping left out;
     * the names that may be a secret withheld as though no component declared any property.
     */
    static Seen seen(Dictionary<String, ?> properties) {
        return seen(properties, null);
    }

    /**
     * The properties as JSON-able values, secrets replaced; Config Admin's own bookkeeping left out;
     * the names that may be a secret withheld ({@link UnknownProperties#withheld}; {@code declared}:
     * what the component declares, null when it is not known).
     */
    static Seen seen(Dictionary<String, ?> properties, Set<String> declared) {
        UnknownProperties.Withheld withheld = UnknownProperties.withheld(properties, declared);
        Map<String, Object> shown = new TreeMap<>();
        Map<String, String> digests = new TreeMap<>();
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements(); ) {
            String key = keys.nextElement();
            if (key.equals("service.pid") || key.equals("service.factoryPid") || key.equals("service.bundleLocation")) {
                continue;
            }
            String placeholder = withheld.placeholder(key);
            if (placeholder != null) {
                // its name may be a secret, and what follows an = or a : in the line is read as its value
                shown.put(placeholder, REDACTED);
                digests.put(placeholder, digest(key + "=" + value(properties.get(key))));
            } else if (secret(key)) {
                shown.put(key, REDACTED);
                digests.put(key, digest(properties.get(key)));
            } else if (secretFile(key) && namesNoFile(properties.get(key))) {
                // tokenFile = <the token>: the secret written where its file's path belongs names no file, and the record's
                // log cannot be mended; whether it changed is still told by its digest
                shown.put(key, NAMES_NO_FILE);
                digests.put(key, digest(properties.get(key)));
            } else {
                Object raw = value(properties.get(key));
                Object clean = cleaned(raw);
                shown.put(key, clean);
                if (!Objects.equals(raw, clean)) {
                    // a credential inside the value (a URL's user:password@, a password= parameter) is masked: whether it changed is
                    // still told by its digest
                    digests.put(key, digest(properties.get(key)));
                }
            }
        }
        return new Seen(java.util.Collections.unmodifiableMap(shown), java.util.Collections.unmodifiableMap(digests), false, withheld);
    }

    private static String digest(Object secret) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(String.valueOf(value(secret))
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /**
     * Hands {@link ProviderText} the value of every property whose name says secret, and the secret held by every
     * file a property whose name says secret names (as the providers read it: {@link SecretFiles#secretIn}) ({@code passwordFile}, {@code secretAccessKeyFile};
     * a relative path is resolved against {@code etc}, as the providers resolve it), so that a
     * provider that writes one of them bare is still masked.
     *
     * @return the secret files named, to be watched for a rotation ({@link SecretFiles})
     */
    static Set<Path> learnSecrets(Dictionary<String, ?> properties, Path etc) {
        Set<Path> files = new java.util.TreeSet<>();
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements(); ) {
            String key = keys.nextElement();
            Object v = properties.get(key);
            if (namesSecret(key)) {
                Object shown = value(v);
                if (shown instanceof List<?> list) {
                    list.forEach(e -> ProviderText.knowSecret(String.valueOf(e)));
                } else if (shown != null) {
                    ProviderText.knowSecret(String.valueOf(shown));
                }
            } else if (secretFile(key) && v instanceof String name && !name.isBlank()) {
                try {
                    Path file = etc.resolve(name.strip());
                    files.add(file);
                    SecretFiles.secretIn(file).ifPresent(ProviderText::knowSecret);
                } catch (java.nio.file.InvalidPathException e) {
                    LOG.debug("Property {} names no valid path; its provider reports it", key);
                }
            }
        }
        return files;
    }

    /**
     * Whether a secret file's property's value, or any element of it (a list or an array, as a typed
     * {@code .config} file or another bundle may give it: Declarative Services hands the component its
     * first element), is a text that is not blank and names no file.
     */
    private static boolean namesNoFile(Object v) {
        Object value = value(v);
        if (value instanceof List<?> list) {
            return list.stream().anyMatch(ConfigurationRecorder::namesNoFile);
        }
        String name = value == null ? "" : String.valueOf(value);
        return !name.isBlank() && !namesFile(name);
    }

    /** Whether a secret file's property names a file that exists (a relative path taken from {@link #etc()}). */
    private static boolean namesFile(String name) {
        try {
            return java.nio.file.Files.exists(etc().resolve(name.strip()));
        } catch (java.nio.file.InvalidPathException | SecurityException e) {
            return false;
        }
    }

    /** Where relative paths in a configuration point: Karaf's etc folder. */
    private static Path etc() {
        return Path.of(System.getProperty("karaf.etc", "etc"));
    }

    /** Whether a property names a file that holds a secret ({@code passwordFile}, {@code applicationCredentialSecretFile}). */
    static boolean secretFile(String key) {
        String k = key.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "").replace(".", "");
        return k.endsWith("file") && SECRET_WORDS.stream().anyMatch(k::contains);
    }

    /** Whether a property holds a secret, judged by its name. */
    static boolean secret(String key) {
        return key.startsWith(".") || namesSecret(key);
    }

    /**
     * Whether a property's name says it holds a password, secret, token, credential or key (not
     * where one is kept: {@code passwordFile}). Only these values are handed to {@link ProviderText}:
     * any private ({@code .}) property is redacted in the record, but masking every value of one
     * wherever it appears would mask ordinary words.
     */
    static boolean namesSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "").replace(".", "");
        if (k.endsWith("file") || k.endsWith("path")) {
            return false;
        }
        return SECRET_WORDS.stream().anyMatch(k::contains);
    }

    /**
     * A value as shown, cleaned as provider text is ({@link ProviderText#clean}; a list element by
     * element): a property whose name does not say secret may still carry one, as the user and
     * password of a URL ({@code url}, {@code authUrl}, {@code address}, {@code endpoint}) or a
     * {@code password=} parameter in it.
     */
    private static Object cleaned(Object shown) {
        if (shown instanceof String s) {
            return ProviderText.clean(s);
        }
        if (shown instanceof List<?> list) {
            return list.stream().map(ConfigurationRecorder::cleaned).toList();
        }
        return shown;
    }

    private static Object value(Object v) {
        if (v == null) {
            return null;
        }
        if (v.getClass().isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) {
                list.add(value(Array.get(v, i)));
            }
            return list;
        }
        if (v instanceof java.util.Collection<?> c) {
            return c.stream().map(ConfigurationRecorder::value).toList();
        }
        if (v instanceof Boolean || v instanceof String) {
            return v;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            long n = ((Number) v).longValue();
            return Math.abs(n) <= (1L << 53) ? n : Long.toString(n);
        }
        return String.valueOf(v);
    }
}
