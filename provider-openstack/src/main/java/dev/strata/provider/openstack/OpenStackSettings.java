package dev.strata.provider.openstack;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.Operator;
import dev.strata.platform.api.model.Quantities;
import dev.strata.platform.api.model.Site;
import dev.strata.provider.openstack.auth.Credentials;
import dev.strata.provider.openstack.http.Secret;
import dev.strata.provider.openstack.placement.PciGpus;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A cloud's validated settings. Building them reads no network; it checks that the secret file
 * is readable (and non-empty) without keeping what it holds.
 *
 * @param providerId the provider id
 * @param authUrl the Keystone URL
 * @param credentials who to authenticate as
 * @param region the region, or null
 * @param endpointInterface the endpoint interface
 * @param country ISO country code, or null
 * @param jurisdictions the jurisdictions at the region
 * @param operator the operator, or null
 * @param certifications the region's certifications
 * @param createFlavors whether flavors may be created
 * @param flavorDiskGiB root disk of created flavors
 * @param image the default image, or null
 * @param networks {@code none}, {@code auto} or network UUIDs
 * @param connectTimeout connect deadline
 * @param requestTimeout per-call deadline
 * @param buildTimeout how long a server may build
 * @param tokenRenewBefore token renewal margin
 * @param parallelism concurrent provider reads
 * @param createSettle after a request to create a server whose outcome is unknown, how long the
 *     server is looked for by its operation tag before Nova is asked again
 * @param pciGpus the PCI devices that are GPUs: their Placement resource class, model and Nova
 *     PCI alias
 */
public record OpenStackSettings(String providerId, URI authUrl, Credentials credentials, String region, String endpointInterface,
        String country, Set<String> jurisdictions, Operator operator, Set<String> certifications, boolean createFlavors, int flavorDiskGiB,
        String image, List<String> networks, Duration connectTimeout, Duration requestTimeout, Duration buildTimeout,
        Duration tokenRenewBefore, int parallelism, Duration createSettle, PciGpus pciGpus) {

    /** The bounds of each duration, as {@link #from} checks them and the messages state them. */
    static final Duration MIN_CONNECT_TIMEOUT = Duration.ofMillis(100);
    static final Duration MAX_CONNECT_TIMEOUT = Duration.ofMinutes(5);
    static final Duration MIN_REQUEST_TIMEOUT = Duration.ofMillis(100);
    static final Duration MAX_REQUEST_TIMEOUT = Duration.ofMinutes(10);
    static final Duration MIN_BUILD_TIMEOUT = Duration.ofSeconds(1);
    static final Duration MAX_BUILD_TIMEOUT = Duration.ofDays(1);
    static final Duration MAX_TOKEN_RENEW_BEFORE = Duration.ofDays(1);
    static final Duration MIN_CREATE_SETTLE = Duration.ofSeconds(1);
    static final Duration MAX_CREATE_SETTLE = Duration.ofHours(1);

    static final String PID = OpenStackCloudProvider.PID;
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern JURISDICTION = Pattern.compile("[A-Z]{2}");
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}");

    public OpenStackSettings {
        jurisdictions = Set.copyOf(jurisdictions);
        certifications = Set.copyOf(certifications);
        networks = List.copyOf(networks);
        java.util.Objects.requireNonNull(pciGpus, "pciGpus");
    }

    /**
     * Validates a configuration.
     *
     * @throws InvalidConfigurationException naming the first property that is missing, malformed or out of range
     */
    public static OpenStackSettings from(OpenStackConfig c) {
        String id = trim(c.strata_provider_id());
        if (id.isEmpty() || !ID.matcher(id).matches()) {
            throw bad("strata.provider.id", c.strata_provider_id(), "a provider id of lower-case letters, digits, '.', '_' or '-' (e.g. openstack-fra1)");
        }
        URI auth = authUrl(c.authUrl());
        Credentials credentials = credentials(c);
        String iface = trim(c.endpointInterface()).toLowerCase(Locale.ROOT);
        if (!List.of("public", "internal", "admin").contains(iface)) {
            throw bad("endpointInterface", c.endpointInterface(), "one of public, internal, admin");
        }
        String country = trim(c.country()).toUpperCase(Locale.ROOT);
        if (!country.isEmpty() && !Site.isCountryCode(country)) {
            throw bad("country", c.country(), "an ISO 3166-1 alpha-2 country code such as DE, or nothing");
        }
        Set<String> jurisdictions = jurisdictions("jurisdictions", c.jurisdictions());
        Set<String> operatorJurisdictions = jurisdictions("operatorJurisdictions", c.operatorJurisdictions());
        String operatorName = trim(c.operatorName());
        if (operatorName.isEmpty() && !operatorJurisdictions.isEmpty()) {
            throw bad("operatorName", c.operatorName(), "the operator's legal name when operatorJurisdictions is set");
        }
        if (!operatorName.isEmpty() && operatorJurisdictions.isEmpty()) {
            // an operator subject to no law would pass every contract's excludeOperatorJurisdictions
            throw bad("operatorJurisdictions", "", "the jurisdictions the operator is subject to (at least one, e.g. EU,DE) when "
                    + "operatorName is set; leave operatorName empty when they are not known (a contract excluding operator "
                    + "jurisdictions then refuses the cloud)");
        }
        Set<String> certifications = new LinkedHashSet<>();
        for (String cert : c.certifications() == null ? new String[0] : c.certifications()) {
            if (!trim(cert).isEmpty()) {
                certifications.add(trim(cert));
            }
        }
        String policy = trim(c.flavorPolicy()).toLowerCase(Locale.ROOT);
        if (!policy.equals("match") && !policy.equals("create")) {
            throw bad("flavorPolicy", c.flavorPolicy(), "match or create");
        }
        int flavorDisk = InvalidConfigurationException.wholeNumber(PID, "flavorDisk", c::flavorDisk, "a root disk size in GiB from 0 to 100000");
        if (flavorDisk < 0 || flavorDisk > 100_000) {
            throw bad("flavorDisk", flavorDisk, "a root disk size in GiB from 0 to 100000");
        }
        List<String> networks = networks(c.networks());
        int parallelism = InvalidConfigurationException.wholeNumber(PID, "parallelism", c::parallelism, "a number from 1 to 32");
        if (parallelism < 1 || parallelism > 32) {
            throw bad("parallelism", parallelism, "a number from 1 to 32");
        }
        String region = trim(c.region());
        String image = trim(c.image());
        return new OpenStackSettings(id, auth, credentials, region.isEmpty() ? null : region, iface, country.isEmpty() ? null : country,
                jurisdictions, operatorName.isEmpty() ? null : new Operator(operatorName, operatorJurisdictions), certifications,
                policy.equals("create"), flavorDisk, image.isEmpty() ? null : image, networks,
                duration("connectTimeout", c.connectTimeout(), MIN_CONNECT_TIMEOUT, MAX_CONNECT_TIMEOUT),
                duration("requestTimeout", c.requestTimeout(), MIN_REQUEST_TIMEOUT, MAX_REQUEST_TIMEOUT),
                duration("buildTimeout", c.buildTimeout(), MIN_BUILD_TIMEOUT, MAX_BUILD_TIMEOUT),
                duration("tokenRenewBefore", c.tokenRenewBefore(), Duration.ZERO, MAX_TOKEN_RENEW_BEFORE), parallelism,
                duration("createSettle", c.createSettle(), MIN_CREATE_SETTLE, MAX_CREATE_SETTLE), pciGpus(c.pciGpus()));
    }

    /** A resource class of Placement's own making: {@code CUSTOM_} and upper-case letters, digits and '_', 255 characters at most. */
    private static final Pattern CUSTOM_CLASS = Pattern.compile("CUSTOM_[A-Z0-9_]{1,248}");
    /** An alias Strata writes into flavor names and extra specs: no ':' or ',' (Nova's separators), no blank. */
    private static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /**
     * {@code pciGpus}: entries {@code <resource class>=<GPU model>@<alias>} separated by commas
     * (in one value or several). The model ends at the last {@code @}; it may hold blanks but no
     * comma. A class or an alias given twice is refused: a flavor's alias must say one class.
     */
    private static PciGpus pciGpus(String[] values) {
        String entry = "an entry <resource class>=<GPU model>@<alias>, e.g. CUSTOM_PCI_10DE_2330=NVIDIA H100 80GB HBM3@h100";
        List<PciGpus.Mapping> mappings = new ArrayList<>();
        Map<String, String> classes = new java.util.HashMap<>();
        Map<String, String> aliases = new java.util.HashMap<>();
        for (String value : values == null ? new String[0] : values) {
            for (String part : (value == null ? "" : value).split(",")) {
                String e = part.strip();
                if (e.isEmpty()) {
                    continue;
                }
                int eq = e.indexOf('=');
                int at = e.lastIndexOf('@');
                if (eq < 0 || at < eq) {
                    throw bad("pciGpus", e, entry + " (entries are separated by commas)");
                }
                String rc = e.substring(0, eq).strip();
                String model = e.substring(eq + 1, at).strip();
                String alias = e.substring(at + 1).strip();
                if (!CUSTOM_CLASS.matcher(rc).matches()) {
                    throw bad("pciGpus", e, entry + ": the resource class as Placement has it, CUSTOM_ and then upper-case letters, digits "
                            + "and '_' (Nova's CUSTOM_PCI_<VENDOR_ID>_<PRODUCT_ID>, or the resource_class of [pci]device_spec); "
                            + "PGPU inventories are GPUs without a mapping");
                }
                if (model.isEmpty()) {
                    throw bad("pciGpus", e, entry + ": the GPU model between '=' and '@'");
                }
                if (!ALIAS.matcher(alias).matches()) {
                    throw bad("pciGpus", e, entry + ": after '@' the name of the [pci]alias in nova.conf that asks for one such device, "
                            + "letters, digits, '.', '_' or '-' (64 at most)");
                }
                if (classes.containsKey(rc)) {
                    throw bad("pciGpus", e, entry + ", each resource class once (" + rc + " is also in '" + classes.get(rc) + "')");
                }
                if (aliases.containsKey(alias)) {
                    throw bad("pciGpus", e, entry + ", each alias once: an alias asks Nova for one resource class (" + alias + " is also in '"
                            + aliases.get(alias) + "')");
                }
                classes.put(rc, e);
                aliases.put(alias, e);
                mappings.add(new PciGpus.Mapping(rc, model, alias));
            }
        }
        return PciGpus.of(mappings);
    }

    private static URI authUrl(String value) {
        String v = trim(value);
        String expected = "the Keystone v3 URL, http or https with a host, e.g. https://keystone.example.org:5000/v3";
        if (v.isEmpty()) {
            throw bad("authUrl", value, expected);
        }
        try {
            URI uri = new URI(v);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null || uri.getUserInfo() != null) {
                throw bad("authUrl", InvalidConfigurationException.withoutCredentials(v), expected + " (and no user:password@ in it)");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                // Keystone takes none; a token in one would be shown wherever the URL is (the log, strata:providers), and the
                // paths the provider adds (/v3/auth/tokens) went after the query
                throw bad("authUrl", InvalidConfigurationException.withoutCredentials(v), expected + " (without a query or fragment)");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw bad("authUrl", InvalidConfigurationException.withoutCredentials(v), expected);
        }
    }

    private static Credentials credentials(OpenStackConfig c) {
        String type = trim(c.authType());
        if (type.equals("password")) {
            String user = trim(c.userName());
            if (user.isEmpty()) {
                throw bad("userName", c.userName(), "the user name (authType password)");
            }
            Supplier<Secret> password = secretFile("passwordFile", c.passwordFile(), "the password");
            String project = trim(c.projectName());
            String projectId = trim(c.projectId());
            if (project.isEmpty() == projectId.isEmpty()) {
                throw bad(project.isEmpty() ? "projectName" : "projectId", project.isEmpty() ? c.projectName() : c.projectId(),
                        "exactly one of projectName and projectId (authType password)");
            }
            String userDomain = trim(c.userDomain()).isEmpty() ? "Default" : trim(c.userDomain());
            String projectDomain = trim(c.projectDomain()).isEmpty() ? "Default" : trim(c.projectDomain());
            return new Credentials.Password(user, userDomain, project.isEmpty() ? null : project, projectId.isEmpty() ? null : projectId,
                    projectDomain, password);
        }
        if (type.equals("applicationCredential")) {
            String id = trim(c.applicationCredentialId());
            if (id.isEmpty()) {
                throw bad("applicationCredentialId", c.applicationCredentialId(), "the application credential id (authType applicationCredential)");
            }
            return new Credentials.ApplicationCredential(id, secretFile("applicationCredentialSecretFile", c.applicationCredentialSecretFile(),
                    "the application credential's secret"));
        }
        throw bad("authType", c.authType(), "password or applicationCredential");
    }

    /**
     * Checks the file now; reads it each time a token is requested. A file refused then (gone,
     * unreadable, empty or rewritten in another shape) was accepted with the configuration and may be
     * being rotated by an operator: the call is unavailable and tried again, the file named as at
     * configuration, not failed for good as a bad configuration.
     */
    private static Supplier<Secret> secretFile(String property, String value, String what) {
        String path = trim(value);
        String expected = "a readable file holding " + what + " alone";
        if (path.isEmpty()) {
            throw bad(property, value, expected);
        }
        // a value that names no file may be the secret itself, written where its file's path belongs: never shown as it is
        // a relative path is taken from Karaf's etc/, as every other secret file's is (and as the configuration record reads it)
        Path file = InvalidConfigurationException.secretFile(PID, property, path, Path.of(System.getProperty("karaf.etc", "etc")), expected);
        // read as every secret file is: a byte order mark is no part of the secret, and a line that names it is refused
        Supplier<Secret> reader = () -> Secret.of(InvalidConfigurationException.readSecretFile(PID, property, file, what));
        reader.get();
        return () -> {
            try {
                return reader.get();
            } catch (InvalidConfigurationException e) {
                // the message names the PID, the property, the file and what was expected, never the secret
                throw new ProviderUnavailableException(e.getMessage() + "; the file was read when the configuration was taken, "
                        + "and is read again at the next token request", e);
            }
        };
    }

    private static Set<String> jurisdictions(String property, String[] values) {
        Set<String> out = new LinkedHashSet<>();
        for (String v : values == null ? new String[0] : values) {
            for (String part : v.split(",")) {
                String j = part.strip().toUpperCase(Locale.ROOT);
                if (j.isEmpty()) {
                    continue;
                }
                if (!j.equals("EU") && !(JURISDICTION.matcher(j).matches() && Site.isCountryCode(j))) {
                    throw bad(property, v, "jurisdiction codes: ISO 3166-1 alpha-2 (DE, FR, US) or EU");
                }
                out.add(j);
            }
        }
        return out;
    }

    private static List<String> networks(String value) {
        String v = trim(value);
        String expected = "none, auto, or network UUIDs separated by commas";
        if (v.isEmpty() || v.equalsIgnoreCase("none")) {
            return List.of("none");
        }
        if (v.equalsIgnoreCase("auto")) {
            return List.of("auto");
        }
        List<String> ids = new ArrayList<>();
        for (String part : v.split(",")) {
            String id = part.strip();
            if (!UUID.matcher(id).matches()) {
                throw bad("networks", value, expected);
            }
            ids.add(id);
        }
        return ids;
    }

    /**
     * A duration within its bounds. Beyond its maximum a value makes no sense (a deadline of weeks
     * for one API call) and a very large one would overflow where it is added to an instant, so it
     * is refused here, with the range in the message.
     */
    static Duration duration(String property, String value, Duration minimum, Duration maximum) {
        String expected = "a duration from " + describe(minimum) + " to " + describe(maximum)
                + ", a number with unit ns, us, ms, s, m, h or d (e.g. 30s)";
        Duration d;
        try {
            d = Quantities.duration(value == null ? "" : value.strip());
        } catch (IllegalArgumentException e) {
            throw bad(property, value, expected);
        }
        if (d.compareTo(minimum) < 0 || d.compareTo(maximum) > 0) {
            throw bad(property, value, expected);
        }
        return d;
    }

    /** A bound as configuration writes it, in the largest of d, h, m, s and ms that writes it whole: 100ms, 1s, 5m, 1d. */
    static String describe(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        for (Map.Entry<String, Duration> unit : List.of(Map.entry("d", Duration.ofDays(1)), Map.entry("h", Duration.ofHours(1)),
                Map.entry("m", Duration.ofMinutes(1)), Map.entry("s", Duration.ofSeconds(1)))) {
            if (d.toMillis() % unit.getValue().toMillis() == 0 && d.toNanos() % 1_000_000 == 0) {
                return d.toMillis() / unit.getValue().toMillis() + unit.getKey();
            }
        }
        return d.toMillis() + "ms";
    }

    private static InvalidConfigurationException bad(String property, Object value, String expected) {
        return new InvalidConfigurationException(PID, property, value, expected);
    }

    private static String trim(String s) {
        return s == null ? "" : s.strip();
    }
}
