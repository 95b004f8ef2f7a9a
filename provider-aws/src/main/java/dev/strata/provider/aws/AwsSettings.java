package dev.strata.provider.aws;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.model.Quantities;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The AWS provider's validated settings. Prints without credentials.
 *
 * @param providerId the provider id
 * @param regions the regions to use, in configuration order
 * @param accountId the account the credentials must belong to, or null when not checked
 * @param credentials where the credentials come from
 * @param endpoint the EC2 endpoint to use instead of AWS's, or null
 * @param instanceTypes glob patterns of the GPU types to offer
 * @param quotas quota rules in configuration order
 * @param defaultQuota the quota of a type no rule matches
 * @param images AMI per region
 * @param subnets subnet per zone
 * @param securityGroups security groups per region
 * @param keyName key pair name, or null
 * @param efa which EFA interfaces launched instances get
 * @param requestTimeout the most one API call may take
 * @param catalogueRefresh how long a region's catalogue is reused
 * @param visibilityGrace how long after its launch an instance EC2 does not list yet is not gone
 * @param sovereigntyFile the operator's sovereignty overrides, or null
 */
record AwsSettings(
        String providerId,
        List<String> regions,
        String accountId,
        Credentials credentials,
        URI endpoint,
        List<String> instanceTypes,
        List<QuotaRule> quotas,
        int defaultQuota,
        Map<String, String> images,
        Map<String, String> subnets,
        Map<String, List<String>> securityGroups,
        String keyName,
        Efa efa,
        Duration requestTimeout,
        Duration catalogueRefresh,
        Duration visibilityGrace,
        Path sovereigntyFile) {

    static final String PID = AwsProvider.PID;
    /**
     * An AWS region name: a partition's prefix of 2 to 4 letters ({@code eu}, {@code us}, {@code cn}, and
     * {@code eusc} of the AWS European Sovereign Cloud's {@code eusc-de-east-1}), words and a number.
     */
    private static final Pattern REGION = Pattern.compile("[a-z]{2,4}(-[a-z]+)+-\\d+");
    private static final Pattern ZONE = Pattern.compile("[a-z]{2,4}(-[a-z]+)+-\\d+(-[a-z]+-\\d+)?[a-z]");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /**
     * The longest {@code requestTimeout}: an EC2 call that has not answered in 10 minutes will not,
     * and a longer wait only holds the operation until the caller's deadline.
     */
    static final Duration MAX_REQUEST_TIMEOUT = Duration.ofMinutes(10);
    /** The longest {@code catalogueRefresh}: offerings change, and a day-old catalogue is old enough. */
    static final Duration MAX_CATALOGUE_REFRESH = Duration.ofHours(24);
    /**
     * The longest {@code visibilityGrace}: EC2 lists a terminated instance for about an hour, so
     * within half an hour of its launch an instance EC2 does not know has not come and gone; and
     * a launch that never happened should not keep a member waiting longer.
     */
    static final Duration MAX_VISIBILITY_GRACE = Duration.ofMinutes(30);
    private static final Pattern TYPE_GLOB = Pattern.compile("[a-z0-9*?][a-z0-9.*?-]*");

    /** Which EFA interfaces an instance of an EFA type is launched with. */
    enum Efa { ALL, ONE, OFF }

    /**
     * A quota: how many instances of the types matching {@code typeGlob} the account may run in
     * {@code region} (or in every region when null).
     */
    record QuotaRule(String region, String typeGlob, int limit) {
        boolean matches(String inRegion, String type) {
            return (region == null || region.equals(inRegion)) && glob(typeGlob).matcher(type).matches();
        }
    }

    /**
     * Where the credentials come from: static ones from the configuration, or the standard chain.
     * Never prints the key id or the secret.
     */
    static final class Credentials {
        final Secret accessKeyId;
        final Secret secretAccessKey;
        final String profile;
        final String origin;

        private Credentials(Secret accessKeyId, Secret secretAccessKey, String profile, String origin) {
            this.accessKeyId = accessKeyId;
            this.secretAccessKey = secretAccessKey;
            this.profile = profile;
            this.origin = origin;
        }

        static Credentials chain(String profile) {
            return new Credentials(Secret.NONE, Secret.NONE, profile,
                    "the standard AWS chain" + (profile == null ? "" : " (profile " + profile + ")"));
        }

        static Credentials fixed(String accessKeyId, String secret, String origin) {
            return new Credentials(Secret.of(accessKeyId), Secret.of(secret), null, origin);
        }

        boolean isStatic() {
            return !accessKeyId.isEmpty();
        }

        /** {@code text} with the key id and the secret replaced by {@code ****}. */
        String scrub(String text) {
            return accessKeyId.scrub(secretAccessKey.scrub(text));
        }

        /** Zeroes the key id and the secret: once the settings are replaced, and once a configuration that read them is refused. */
        void clear() {
            accessKeyId.clear();
            secretAccessKey.clear();
        }

        @Override
        public String toString() {
            return origin;
        }
    }

    AwsSettings {
        regions = List.copyOf(regions);
        instanceTypes = List.copyOf(instanceTypes);
        quotas = List.copyOf(quotas);
        images = Map.copyOf(images);
        subnets = Map.copyOf(subnets);
        securityGroups = Map.copyOf(securityGroups);
        Objects.requireNonNull(credentials, "credentials");
    }

    /** The quota of a type in a region: the first region rule that matches, else the first global one, else the default. */
    int quota(String region, String type) {
        for (QuotaRule rule : quotas) {
            if (rule.region() != null && rule.matches(region, type)) {
                return rule.limit();
            }
        }
        for (QuotaRule rule : quotas) {
            if (rule.region() == null && rule.matches(region, type)) {
                return rule.limit();
            }
        }
        return defaultQuota;
    }

    boolean offers(String type) {
        return instanceTypes.stream().anyMatch(g -> glob(g).matcher(type).matches());
    }

    /** What strata:providers shows: the account and the regions, never a credential. */
    /**
     * The {@code images}, {@code subnets} and {@code securityGroups} entries for a region not in
     * {@code regions} (a subnet by its zone's region), each as {@code property: key}: they are
     * never used. They are not refused, since a template shared by several installations lists
     * every region's image and each narrows {@code regions}; the provider logs them at start, so
     * that a region left out by mistake is seen.
     */
    List<String> unusedEntries() {
        List<String> unused = new ArrayList<>();
        images.keySet().stream().filter(r -> !regions.contains(r)).sorted().forEach(r -> unused.add("images: " + r));
        subnets.keySet().stream().filter(z -> regions.stream().noneMatch(r -> inRegion(z, r))).sorted()
                .forEach(z -> unused.add("subnets: " + z));
        securityGroups.keySet().stream().filter(r -> !regions.contains(r)).sorted().forEach(r -> unused.add("securityGroups: " + r));
        return unused;
    }

    /** Whether a zone ({@code eu-central-1a}, the local zone {@code us-west-2-lax-1a}) is one of the region's. */
    static boolean inRegion(String zone, String region) {
        return zone.length() > region.length() && zone.startsWith(region) && !Character.isDigit(zone.charAt(region.length()));
    }

    String description() {
        return "account " + (accountId == null ? "not set" : accountId) + ", regions " + String.join(", ", regions)
                + (endpoint == null ? "" : ", endpoint " + endpoint) + ", credentials from " + credentials;
    }

    /**
     * Validates a configuration.
     *
     * @param etc the directory relative file names are resolved against
     * @throws InvalidConfigurationException naming the first property that is malformed
     */
    static AwsSettings from(AwsConfig config, Path etc) {
        return from(config, etc, credentials -> { });
    }

    /**
     * {@link #from(AwsConfig, Path)}, handing {@code read} the credentials as soon as they are read (a test sees through it
     * that a configuration refused after its secret was read has the secret zeroed, not left to the garbage collector).
     */
    static AwsSettings from(AwsConfig config, Path etc, Consumer<Credentials> read) {
        String id = text(config.strata_provider_id());
        if (id.isEmpty() || !ID.matcher(id).matches()) {
            throw new InvalidConfigurationException(PID, "strata.provider.id", id,
                    "a provider id of letters, digits, '.', '_' or '-', at most 64 characters (e.g. aws-prod)");
        }
        List<String> regions = new ArrayList<>(new LinkedHashSet<>(list(config.regions())));
        if (regions.isEmpty()) {
            throw new InvalidConfigurationException(PID, "regions", "", "at least one AWS region, e.g. eu-central-1");
        }
        for (String region : regions) {
            requireRegion("regions", region);
        }
        requireOnePartition(regions);
        String account = text(config.accountId());
        if (!account.isEmpty() && !account.matches("\\d{12}")) {
            throw new InvalidConfigurationException(PID, "accountId", account, "the 12-digit AWS account id, or nothing");
        }
        URI endpoint = endpoint(text(config.endpoint()));
        List<String> types = list(config.instanceTypes());
        for (String glob : types) {
            if (!TYPE_GLOB.matcher(glob).matches()) {
                throw new InvalidConfigurationException(PID, "instanceTypes", glob, "an instance type or glob such as p5.* or g6e.xlarge");
            }
        }
        if (types.isEmpty()) {
            types = List.of("p*", "g*");
        }
        int defaultQuota = InvalidConfigurationException.wholeNumber(PID, "defaultQuota", config::defaultQuota, "a number of instances, 0 or more");
        if (defaultQuota < 0) {
            throw new InvalidConfigurationException(PID, "defaultQuota", defaultQuota, "a number of instances, 0 or more");
        }
        Credentials credentials = credentials(config, etc);
        read.accept(credentials);
        try {
            return new AwsSettings(id, regions, account.isEmpty() ? null : account, credentials, endpoint, types,
                    quotas(config.quotas()), defaultQuota, images(config.images()), subnets(config.subnets()),
                    securityGroups(config.securityGroups()), blankToNull(config.keyName()), efa(config.efa()),
                    duration("requestTimeout", config.requestTimeout(), Duration.ofSeconds(1), MAX_REQUEST_TIMEOUT),
                    duration("catalogueRefresh", config.catalogueRefresh(), Duration.ZERO, MAX_CATALOGUE_REFRESH),
                    duration("visibilityGrace", config.visibilityGrace(), Duration.ZERO, MAX_VISIBILITY_GRACE),
                    file(config.sovereigntyFile(), etc));
        } catch (RuntimeException e) {
            // refused after the secret was read: zeroed now, as the settings a change replaces are
            credentials.clear();
            throw e;
        }
    }

    private static Credentials credentials(AwsConfig config, Path etc) {
        String keyId = text(config.accessKeyId());
        String secretFile = text(config.secretAccessKeyFile());
        String inline = config._secretAccessKey() == null ? "" : config._secretAccessKey().strip();
        if (keyId.isEmpty()) {
            if (!secretFile.isEmpty() || !inline.isEmpty()) {
                throw new InvalidConfigurationException(PID, "accessKeyId", "", "the access key id that goes with the configured secret");
            }
            return Credentials.chain(blankToNull(config.profile()));
        }
        if (!keyId.matches("[A-Z0-9]{16,128}")) {
            // the value is not echoed: it may be a secret pasted into the wrong property
            throw new InvalidConfigurationException(PID, "accessKeyId", "(hidden)", "an access key id of 16 to 128 upper-case letters and digits");
        }
        if (!secretFile.isEmpty()) {
            // a value that names no file may be the secret itself, written where its file's path belongs: never shown as it
            // is, nor through Path.of's InvalidPathException, whose message ends in the value (a NUL in it)
            Path path = InvalidConfigurationException.secretFile(PID, "secretAccessKeyFile", secretFile, etc,
                    "the path of a file holding the secret access key");
            if (!inline.isEmpty()) {
                throw new InvalidConfigurationException(PID, "secretAccessKeyFile", InvalidConfigurationException.secretFilePath(path),
                        "either secretAccessKeyFile or .secretAccessKey, not both");
            }
            // a byte order mark is no part of the key, and a line that names it (aws_secret_access_key = ...) is refused: either
            // would be signed with, and every call refused as SignatureDoesNotMatch
            String secret = InvalidConfigurationException.readSecretFile(PID, "secretAccessKeyFile", path, "the secret access key");
            return Credentials.fixed(keyId, secret, "configuration (secret in " + path + ")");
        }
        if (inline.isEmpty()) {
            throw new InvalidConfigurationException(PID, "secretAccessKeyFile", "", "the file holding the secret of accessKeyId (or .secretAccessKey)");
        }
        return Credentials.fixed(keyId, inline, "configuration");
    }

    private static URI endpoint(String value) {
        if (value.isEmpty()) {
            return null;
        }
        try {
            URI uri = new URI(value);
            // no query or fragment: EC2 takes none, and a token or password in one would be shown wherever the endpoint is
            // (the log, strata:providers)
            // a port beyond 65535 (or 0) parses, and would fail every call as EC2 being unreachable rather than be refused here
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null && uri.getUserInfo() == null
                    && uri.getRawQuery() == null && uri.getRawFragment() == null
                    && (uri.getPort() == -1 || uri.getPort() >= 1 && uri.getPort() <= 65_535)) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new InvalidConfigurationException(PID, "endpoint", InvalidConfigurationException.withoutCredentials(value),
                "an http or https URL without user info, query or fragment, its port (if any) from 1 to 65535, e.g. http://127.0.0.1:5000");
    }

    private static List<QuotaRule> quotas(String[] entries) {
        List<QuotaRule> rules = new ArrayList<>();
        for (String entry : list(entries)) {
            int eq = entry.lastIndexOf('=');
            String expected = "TYPE=N or REGION/TYPE=N with N a number of instances (e.g. p5.48xlarge=4, eu-central-1/g6.*=8)";
            if (eq <= 0) {
                throw new InvalidConfigurationException(PID, "quotas", entry, expected);
            }
            String key = entry.substring(0, eq).strip();
            int limit;
            try {
                limit = Integer.parseInt(entry.substring(eq + 1).strip());
            } catch (NumberFormatException e) {
                throw new InvalidConfigurationException(PID, "quotas", entry, expected);
            }
            if (limit < 0) {
                throw new InvalidConfigurationException(PID, "quotas", entry, expected);
            }
            int slash = key.indexOf('/');
            String region = slash < 0 ? null : key.substring(0, slash).strip();
            String type = slash < 0 ? key : key.substring(slash + 1).strip();
            if (region != null && !REGION.matcher(region).matches() || !TYPE_GLOB.matcher(type).matches()) {
                throw new InvalidConfigurationException(PID, "quotas", entry, expected);
            }
            rules.add(new QuotaRule(region, type, limit));
        }
        return rules;
    }

    private static Map<String, String> images(String[] entries) {
        Map<String, String> images = new LinkedHashMap<>();
        pairs("images", entries, "REGION=ami-... (e.g. eu-central-1=ami-0abc)").forEach((region, value) -> {
            requireRegion("images", region);
            if (!value.matches("ami-[0-9a-zA-Z]+")) {
                throw new InvalidConfigurationException(PID, "images", region + "=" + value, "REGION=ami-... (e.g. eu-central-1=ami-0abc)");
            }
            images.put(region, value);
        });
        return images;
    }

    private static Map<String, String> subnets(String[] entries) {
        Map<String, String> subnets = new LinkedHashMap<>();
        pairs("subnets", entries, "ZONE=subnet-... (e.g. eu-central-1a=subnet-0abc)").forEach((zone, value) -> {
            if (!ZONE.matcher(zone).matches() || !value.matches("subnet-[0-9a-zA-Z]+")) {
                throw new InvalidConfigurationException(PID, "subnets", zone + "=" + value, "ZONE=subnet-... (e.g. eu-central-1a=subnet-0abc)");
            }
            subnets.put(zone, value);
        });
        return subnets;
    }

    private static Map<String, List<String>> securityGroups(String[] entries) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (String entry : list(entries)) {
            int eq = entry.indexOf('=');
            String region = eq < 0 ? "" : entry.substring(0, eq).strip();
            String group = eq < 0 ? "" : entry.substring(eq + 1).strip();
            if (!REGION.matcher(region).matches() || !group.matches("sg-[0-9a-zA-Z]+")) {
                throw new InvalidConfigurationException(PID, "securityGroups", entry, "REGION=sg-... (e.g. eu-central-1=sg-0abc)");
            }
            groups.computeIfAbsent(region, r -> new ArrayList<>()).add(group);
        }
        groups.replaceAll((region, list) -> List.copyOf(list));
        return groups;
    }

    private static Map<String, String> pairs(String property, String[] entries, String expected) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String entry : list(entries)) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new InvalidConfigurationException(PID, property, entry, expected);
            }
            String key = entry.substring(0, eq).strip();
            if (pairs.put(key, entry.substring(eq + 1).strip()) != null) {
                throw new InvalidConfigurationException(PID, property, entry, "one entry per key; " + key + " appears twice");
            }
        }
        return pairs;
    }

    private static Efa efa(String value) {
        try {
            return Efa.valueOf(text(value).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(PID, "efa", value, "all, one or off");
        }
    }

    private static Path file(String value, Path etc) {
        String name = text(value);
        if (name.isEmpty()) {
            return null;
        }
        // no path at all (a NUL in it) is refused there naming the property, not with the JDK's exception, which left the
        // provider's modified method past the line that says the previous settings stay in force
        Path path = InvalidConfigurationException.path(PID, "sovereigntyFile", name, etc, "a readable YAML file in the format of the built-in table");
        if (!Files.isReadable(path)) {
            throw new InvalidConfigurationException(PID, "sovereigntyFile", path, "a readable YAML file in the format of the built-in table");
        }
        return path;
    }

    /**
     * A duration property: a whole number with unit {@code ms}, {@code s}, {@code m} or {@code h}
     * (a bare number is seconds) from {@code minimum} to {@code maximum}, both included.
     */
    static Duration duration(String property, String value, Duration minimum, Duration maximum) {
        String expected = "a duration of at least " + show(minimum) + " and at most " + show(maximum)
                + ", a number with unit ns, us, ms, s, m (or min), h or d; a bare number is seconds (e.g. 30s)";
        Duration d;
        try {
            d = Quantities.duration(value == null ? "" : value.strip());
        } catch (IllegalArgumentException | ArithmeticException e) { // NumberFormatException is an IllegalArgumentException
            throw new InvalidConfigurationException(PID, property, value, expected);
        }
        if (d.compareTo(minimum) < 0 || d.compareTo(maximum) > 0) {
            throw new InvalidConfigurationException(PID, property, value, expected);
        }
        return d;
    }

    /** A bound as the configuration would write it: {@code 0s}, {@code 1s}, {@code 10m}, {@code 24h}, {@code 1500ms}. */
    private static String show(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1_000 == 0 ? ms / 1_000 + "s" : ms + "ms";
    }

    /**
     * The regions of one provider share its account and credentials, and an account lives in one AWS
     * partition: the commercial regions ({@code aws}), China ({@code aws-cn}), GovCloud
     * ({@code aws-us-gov}), the European Sovereign Cloud ({@code aws-eusc}) each have their own
     * accounts, identities and endpoints. Regions of two partitions in one configuration could never
     * all be reached; each partition takes a provider configuration of its own.
     */
    private static void requireOnePartition(List<String> regions) {
        Map<String, List<String>> byPartition = new java.util.TreeMap<>();
        for (String region : regions) {
            byPartition.computeIfAbsent(partition(region), p -> new ArrayList<>()).add(region);
        }
        if (byPartition.size() > 1) {
            StringBuilder found = new StringBuilder();
            byPartition.forEach((partition, in) -> found.append(found.length() == 0 ? "" : "; ").append(partition).append(": ")
                    .append(String.join(", ", in)));
            throw new InvalidConfigurationException(PID, "regions", String.join(", ", regions),
                    "regions of one AWS partition, since they share one account (found " + found
                            + "); configure a provider of its own for each partition");
        }
    }

    /**
     * The {@code regions} this release of the AWS SDK does not know, each as a sentence naming the known regions nearest its
     * name. They are not refused: AWS opens regions after an SDK release, and the SDK reaches a new one by its name. But a
     * misspelt one ({@code eu-centrl-1}) is never reached, and every call to it fails as EC2 being unreachable and is
     * repeated without end; the provider logs these at start, so that a typo is seen.
     */
    List<String> unknownRegions() {
        List<String> known = sdkRegions();
        List<String> out = new ArrayList<>();
        for (String region : regions) {
            if (!known.contains(region)) {
                List<String> nearest = nearest(known, region);
                out.add("region " + region + " is not one this release's AWS SDK knows ("
                        + (nearest.isEmpty() ? "none is near its name" : "nearest: " + String.join(", ", nearest))
                        + "); it is used as named, which reaches a region AWS opened since, but a misspelt one never answers and every "
                        + "call to it fails as EC2 being unreachable");
            }
        }
        return out;
    }

    /** The regions this release of the AWS SDK knows, by name. */
    static List<String> sdkRegions() {
        return software.amazon.awssdk.regions.Region.regions().stream().map(software.amazon.awssdk.regions.Region::id)
                .filter(REGION.asPredicate()).sorted().toList();
    }

    /** The (at most three) names of {@code known} nearest {@code region}'s, within three edits, nearest first. */
    static List<String> nearest(java.util.Collection<String> known, String region) {
        return known.stream().distinct().filter(k -> distance(k, region) <= 3)
                .sorted(java.util.Comparator.comparingInt((String k) -> distance(k, region)).thenComparing(k -> k)).limit(3).toList();
    }

    /** The edit distance of two names (insertions, deletions and substitutions of one character). */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** The AWS partition of a region, as the AWS SDK's region data places it by name. */
    static String partition(String region) {
        return software.amazon.awssdk.regions.PartitionMetadata.of(software.amazon.awssdk.regions.Region.of(region)).id();
    }

    private static void requireRegion(String property, String region) {
        if (!REGION.matcher(region).matches()) {
            throw new InvalidConfigurationException(PID, property, region, "an AWS region name such as eu-central-1");
        }
    }

    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }

    private static List<String> list(String[] values) {
        List<String> out = new ArrayList<>();
        if (values != null) {
            for (String v : values) {
                // Karaf's .cfg files give a comma-separated string for a single value
                for (String part : v == null ? new String[0] : v.split(",")) {
                    if (!part.isBlank()) {
                        out.add(part.strip());
                    }
                }
            }
        }
        return out;
    }

    private static String text(String value) {
        return value == null ? "" : value.strip();
    }

    private static String blankToNull(String value) {
        String t = text(value);
        return t.isEmpty() ? null : t;
    }
}
