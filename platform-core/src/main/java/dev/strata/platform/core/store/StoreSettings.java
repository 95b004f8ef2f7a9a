package dev.strata.platform.core.store;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.model.Quantities;
import dev.strata.platform.core.provenance.ProviderText;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The state store's validated settings. {@link #toString()} shows no password.
 *
 * @param kind embedded H2 or PostgreSQL
 * @param url the JDBC URL as the driver gets it
 * @param location what to show: the H2 file, or the URL with any credential in it masked
 * @param user the database user
 * @param password read from the password file
 * @param poolSize pool connections
 * @param connectTimeout how long to wait for a connection
 * @param fsync embedded: force every group commit to disk
 * @param highAvailability PostgreSQL: elect a leader
 * @param instanceId this instance
 * @param advertisedAddress where it is reached
 * @param electionInterval election and lock check period
 * @param h2File the embedded database file ({@code .mv.db}), or null
 * @param compactFillRate embedded: the live-data percentage below which the writer compacts the
 *     file online; 0 for never
 * @param socketTimeout PostgreSQL: the longest wait for the server's answer on an open connection
 * @param electionStartWait PostgreSQL with high availability: how long a start waits for the first
 *     election round
 * @param writeQueueLimit how many writes may wait for the writer
 * @param writeQueueWait how long a write waits for room among them before it fails
 */
public record StoreSettings(Kind kind, String url, String location, String user, Secret password, int poolSize, Duration connectTimeout,
        boolean fsync, boolean highAvailability, String instanceId, String advertisedAddress, Duration electionInterval, Path h2File,
        int compactFillRate, Duration socketTimeout, Duration electionStartWait, int writeQueueLimit, Duration writeQueueWait) {

    public static final String PID = "dev.strata.platform.core.store";

    /** The database behind the store. */
    public enum Kind {
        EMBEDDED, POSTGRESQL
    }

    private static final String H2_OPTIONS = ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;LOCK_TIMEOUT=10000";

    /**
     * Validates a configuration and reads the password file.
     *
     * @param data the distribution's {@code data/} folder (the embedded database and the instance id live there)
     * @param etc the distribution's {@code etc/} folder (a relative password file is resolved there)
     * @throws InvalidConfigurationException naming the PID, the property, its value (never the
     *     password) and what was expected
     */
    public static StoreSettings from(StoreConfig c, Path data, Path etc) {
        String url = c.url() == null ? "" : c.url().strip();
        Kind kind;
        String location;
        Path h2File = null;
        if (url.isEmpty()) {
            kind = Kind.EMBEDDED;
            Path base = data.resolve("strata").resolve("store").toAbsolutePath();
            url = "jdbc:h2:file:" + base + H2_OPTIONS;
            location = base + ".mv.db";
            h2File = Path.of(base + ".mv.db");
        } else if (url.startsWith("jdbc:h2:file:")) {
            kind = Kind.EMBEDDED;
            String base = url.substring("jdbc:h2:file:".length()).split(";", 2)[0];
            if (base.isEmpty()) {
                throw new InvalidConfigurationException(PID, "url", url, "jdbc:h2:file:PATH with a file path");
            }
            // H2 reads ~/ as the user's home folder: the driver, the file forced to disk and what is shown name the same file
            base = expandHome(base);
            url = "jdbc:h2:file:" + base + H2_OPTIONS;
            location = base + ".mv.db";
            h2File = Path.of(base + ".mv.db");
        } else if (url.startsWith("jdbc:postgresql:")) {
            kind = Kind.POSTGRESQL;
            if (hasUserInfo(url)) {
                // first: a password may hold what looks like a parameter (?password=), and what is shown masks the user part whole
                throw new InvalidConfigurationException(PID, "url", maskSecretParameters(shown(url)),
                        "a URL without user or password in it (jdbc:postgresql://HOST:PORT/DATABASE, no '@' in it: one ends a user part, "
                                + "whatever comes before it; write %40 for an '@' in a parameter); put the user in user and the password "
                                + "in the file named by passwordFile");
            }
            List<String> secrets = secretParameters(url);
            if (!secrets.isEmpty()) {
                throw new InvalidConfigurationException(PID, "url", shown(maskSecretParameters(url)),
                        "a URL whose parameters carry no secret, since the URL is configuration that config:list shows and the "
                                + "provenance log records; put the database password in the file named by passwordFile ("
                                + String.join(", ", secrets) + (secrets.size() == 1 ? " carries one)" : " carry one)"));
            }
            List<String> overriding = settingParameters(url);
            if (!overriding.isEmpty()) {
                throw new InvalidConfigurationException(PID, "url", shown(url),
                        "a URL without the driver parameters that Strata sets from its own settings, since the URL's value would "
                                + "override the setting; remove " + String.join(", ", overriding) + " and use the setting"
                                + (overriding.size() == 1 ? " " : "s ") + String.join(", ", overriding.stream().map(StoreSettings::settingOf)
                                .distinct().toList()) + " of this configuration instead");
            }
            location = shown(url);
        } else {
            throw new InvalidConfigurationException(PID, "url", shown(url),
                    "empty (the embedded database), jdbc:postgresql://HOST:PORT/DATABASE or jdbc:h2:file:PATH");
        }
        String user = c.user() == null || c.user().isBlank() ? "strata" : c.user().strip();
        Secret password = readPassword(c.passwordFile(), etc);
        int poolSize = InvalidConfigurationException.wholeNumber(PID, "poolSize", c::poolSize, "a whole number from 1 to 64");
        if (poolSize < 1 || poolSize > 64) {
            throw new InvalidConfigurationException(PID, "poolSize", poolSize, "a whole number from 1 to 64");
        }
        Duration connectTimeout = duration("connectTimeout", c.connectTimeout(), Duration.ofMillis(250), Duration.ofMinutes(10));
        String durability = c.durability() == null ? "fsync" : c.durability().strip().toLowerCase(Locale.ROOT);
        if (!durability.equals("fsync") && !durability.equals("write")) {
            throw new InvalidConfigurationException(PID, "durability", c.durability(), "fsync or write");
        }
        Duration electionInterval = duration("electionInterval", c.electionInterval(), Duration.ofMillis(100), Duration.ofHours(1));
        if (c.instanceId() != null && !c.instanceId().isBlank() && !c.instanceId().strip().matches(INSTANCE_ID)) {
            throw new InvalidConfigurationException(PID, "instanceId", c.instanceId().strip(), "1 to 128 letters, digits, '.', '_', ':' or '-'");
        }
        int compactFillRate = InvalidConfigurationException.wholeNumber(PID, "compactFillRate", c::compactFillRate,
                "a percentage from 1 to 90, or 0 to turn online compaction off");
        if (compactFillRate < 0 || compactFillRate > 90) {
            throw new InvalidConfigurationException(PID, "compactFillRate", compactFillRate,
                    "a percentage from 1 to 90, or 0 to turn online compaction off");
        }
        String address = c.advertisedAddress() == null || c.advertisedAddress().isBlank() ? hostName() : c.advertisedAddress().strip();
        if (address.length() > 256 || address.chars().anyMatch(ch -> Character.isISOControl(ch))) {
            // the cluster tables hold 256 characters: a longer address would fail every election with a database error
            throw new InvalidConfigurationException(PID, "advertisedAddress", address.length() > 80 ? address.substring(0, 80) + "..." : address,
                    "host[:port] where other instances and operators reach this one, at most 256 characters, no control characters");
        }
        Duration socketTimeout = duration("socketTimeout", c.socketTimeout(), Duration.ofSeconds(5), Duration.ofHours(1));
        Duration electionStartWait = duration("electionStartWait", c.electionStartWait(), Duration.ofSeconds(1), Duration.ofMinutes(10));
        int writeQueueLimit = InvalidConfigurationException.wholeNumber(PID, "writeQueueLimit", c::writeQueueLimit,
                "a whole number from 100 to 1000000");
        if (writeQueueLimit < 100 || writeQueueLimit > 1_000_000) {
            throw new InvalidConfigurationException(PID, "writeQueueLimit", writeQueueLimit, "a whole number from 100 to 1000000");
        }
        Duration writeQueueWait = duration("writeQueueWait", c.writeQueueWait(), Duration.ofMillis(100), Duration.ofMinutes(10));
        // last: the id kept in data/ is written only for a configuration found good
        String instanceId = c.instanceId() == null || c.instanceId().isBlank() ? persistentInstanceId(data) : c.instanceId().strip();
        if (!instanceId.matches(INSTANCE_ID)) {
            throw new InvalidConfigurationException(PID, "instanceId", instanceId, "1 to 128 letters, digits, '.', '_', ':' or '-'");
        }
        return new StoreSettings(kind, url, location, user, password, poolSize, connectTimeout, durability.equals("fsync"),
                kind == Kind.POSTGRESQL && c.highAvailability(), instanceId, address, electionInterval, h2File,
                compactFillRate, socketTimeout, electionStartWait, writeQueueLimit, writeQueueWait);
    }

    /**
     * An H2 file path with a leading {@code ~/} (or {@code ~} alone) replaced by the user's home
     * folder, as H2 does ({@code jdbc:h2:file:~/test}); any other path as it is.
     */
    static String expandHome(String path) {
        if (path.equals("~") || path.startsWith("~/") || path.startsWith("~" + java.io.File.separator)) {
            return Path.of(System.getProperty("user.home", ""), path.substring(1)).toAbsolutePath().toString();
        }
        return path;
    }

    private static Secret readPassword(String passwordFile, Path etc) {
        if (passwordFile == null || passwordFile.isBlank()) {
            return Secret.none();
        }
        // a value that names no file may be the password itself, written where its file's path belongs: never shown as it is
        Path file = InvalidConfigurationException.secretFile(PID, "passwordFile", passwordFile, etc,
                "the path of a file holding the database password");
        // read as every secret file is: a byte order mark is no part of the password, and a line that names it, or a second
        // line, is refused
        return Secret.of(InvalidConfigurationException.readSecretFile(PID, "passwordFile", file, "the database password").toCharArray());
    }

    /**
     * A duration from {@code minimum} to {@code maximum}, written as every duration setting is
     * ({@link Quantities#duration}: a number with unit ns, us, ms, s, m or min, h or d; a bare
     * number is seconds). Anything else, a number too large for a duration included, is an
     * {@link InvalidConfigurationException} naming the property and the range.
     */
    static Duration duration(String property, String value, Duration minimum, Duration maximum) {
        String expected = "a duration from " + describe(minimum) + " to " + describe(maximum)
                + ", a number with unit ns, us, ms, s, m (or min), h or d; a bare number is seconds (e.g. 10s)";
        Duration d;
        try {
            d = Quantities.duration(value == null ? "" : value.strip());
        } catch (IllegalArgumentException | ArithmeticException tooLarge) { // NumberFormatException is an IllegalArgumentException
            throw new InvalidConfigurationException(PID, property, value, expected);
        }
        if (d.compareTo(minimum) < 0 || d.compareTo(maximum) > 0) {
            throw new InvalidConfigurationException(PID, property, value, expected);
        }
        return d;
    }

    /** A duration in the largest of h, m, s and ms that writes it whole. */
    static String describe(Duration d) {
        long ms = d.toMillis();
        return ms != 0 && ms % 3_600_000 == 0 ? ms / 3_600_000 + "h" : ms != 0 && ms % 60_000 == 0 ? ms / 60_000 + "m"
                : ms != 0 && ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    /**
     * Words that make a query parameter's name a secret's ({@code password}, {@code sslpassword},
     * {@code pwd}, {@code token}, ...), looked for in the name lower-cased without {@code _ - .}.
     */
    private static final List<String> SECRET_WORDS = List.of("password", "passwd", "passphrase", "pwd", "secret", "token", "credential",
            "apikey", "accesskey", "privatekey", "sessionkey", "authkey");
    /** Endings that make such a name one of where a secret is kept or how it is got, not of the secret ({@code sslpasswordcallback}). */
    private static final List<String> NOT_SECRET_ENDINGS = List.of("file", "filename", "path", "dir", "callback");
    /** A query parameter of a JDBC URL: its separator, its name, and its value if it has one. */
    private static final Pattern PARAMETER = Pattern.compile("([?&;#])([^=&;#]*)(=[^&;#]*)?");

    /**
     * The names of the query parameters of a URL that carry a secret, as written, in order: a
     * name with one of {@link #SECRET_WORDS} in it (percent-decoded, any case, {@code _ - .}
     * left out) and none of {@link #NOT_SECRET_ENDINGS}. Every pair after the first {@code ?} counts,
     * split at {@code &} and, to be safe, at {@code ;} and {@code #}: the driver does not treat a
     * {@code #} as the start of a fragment, so a pair after one may still reach it.
     * The word elsewhere (a host {@code password-db}, a database {@code password_vault}, a
     * parameter's value) is no secret.
     */
    static List<String> secretParameters(String url) {
        return parameters(url, StoreSettings::isSecretName);
    }

    /** The names of the query parameters of a URL (as {@link #secretParameters} splits them), as written, in order, that {@code which} takes. */
    private static List<String> parameters(String url, java.util.function.Predicate<String> which) {
        List<String> names = new ArrayList<>();
        int query = url.indexOf('?');
        if (query < 0) {
            return names;
        }
        Matcher m = PARAMETER.matcher(url);
        m.region(query, url.length());
        while (m.find()) {
            if (which.test(m.group(2))) {
                names.add(m.group(2));
            }
        }
        return names;
    }

    /** The URL with the value of every parameter {@link #secretParameters} names masked. */
    static String maskSecretParameters(String url) {
        int query = url.indexOf('?');
        if (query < 0) {
            return url;
        }
        Matcher m = PARAMETER.matcher(url);
        m.region(query, url.length());
        StringBuilder out = new StringBuilder(url.substring(0, query));
        int written = query;
        while (m.find()) {
            out.append(url, written, m.start());
            out.append(m.group(1)).append(m.group(2));
            if (m.group(3) != null) {
                out.append(isSecretName(m.group(2)) ? "=" + ProviderText.MASK : m.group(3));
            }
            written = m.end();
        }
        return out.append(url.substring(written)).toString();
    }

    /** The driver parameters that Strata sets from a setting of its own (pgjdbc's name, lower case, to the setting's name). */
    private static final Map<String, String> SETTING_PARAMETERS = Map.of("user", "user", "connecttimeout", "connectTimeout",
            "sockettimeout", "socketTimeout");

    /**
     * The names of the query parameters of a PostgreSQL URL, as written, that set what Strata sets
     * from its own settings ({@code user}, {@code connectTimeout}, {@code socketTimeout}): pgjdbc
     * lets a URL's parameters override the connection properties it is given, so
     * {@code ?socketTimeout=0} would lift the bound on a silent server and {@code ?user=} would
     * connect as someone other than the configured user, with nothing shown.
     */
    static List<String> settingParameters(String url) {
        return parameters(url, name -> SETTING_PARAMETERS.containsKey(decodedName(name)));
    }

    private static String settingOf(String parameter) {
        return SETTING_PARAMETERS.get(decodedName(parameter));
    }

    /** A parameter's name percent-decoded (as written where it does not decode), stripped and lower-cased. */
    private static String decodedName(String name) {
        String decoded;
        try {
            decoded = java.net.URLDecoder.decode(name, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            decoded = name;
        }
        return decoded.strip().toLowerCase(Locale.ROOT);
    }

    private static boolean isSecretName(String name) {
        String key = decodedName(name).replaceAll("[_.\\-]", "");
        return SECRET_WORDS.stream().anyMatch(key::contains) && NOT_SECRET_ENDINGS.stream().noneMatch(key::endsWith);
    }

    /**
     * Whether a URL names a user (and maybe a password) before its host: {@code //user:password@host}.
     * A password pasted in as generated may hold {@code /}, {@code ?}, {@code #} or {@code @}
     * unencoded, so the user part is not taken to end at the first of those: any {@code @} after
     * the {@code //} (or, without one, anywhere) counts, and the last one ends the user part
     * ({@link #userInfoEnd}). An {@code @} in a parameter's value is refused with it, which costs
     * nothing: it can be written {@code %40}.
     */
    static boolean hasUserInfo(String url) {
        return userInfoEnd(url) >= 0;
    }

    /** Where the user part of a URL begins: after {@code //}, else after {@code jdbc:postgresql:}, else at the start. */
    static int userInfoStart(String url) {
        int slashes = url.indexOf("//");
        return slashes >= 0 ? slashes + 2 : url.startsWith("jdbc:postgresql:") ? "jdbc:postgresql:".length() : 0;
    }

    /** The index of the {@code @} that ends the user part of a URL (the last one after {@link #userInfoStart}), or -1 when it has none. */
    static int userInfoEnd(String url) {
        int at = url.lastIndexOf('@');
        return at >= userInfoStart(url) ? at : -1;
    }

    /**
     * A URL as messages, the log and the shell show it: cleaned as provider text is
     * ({@link ProviderText#clean}: a user and password after {@code scheme://}, a secret query
     * parameter), and everything before the last {@code @} masked, from the {@code //} on (from
     * the start where no {@code scheme://} introduces it: {@code strata:pw@db/strata}), whatever
     * the password holds ({@code strata:S3cr#t/pw@db}).
     */
    static String shown(String url) {
        String s = ProviderText.clean(url);
        int at = userInfoEnd(s);
        if (at < 0) {
            return s;
        }
        int start = userInfoStart(s);
        return s.substring(start, at).equals(ProviderText.MASK) ? s : s.substring(0, start) + ProviderText.MASK + s.substring(at);
    }

    private static final String INSTANCE_ID = "[A-Za-z0-9._:-]{1,128}";

    /** The id kept in {@code data/strata/instance-id}, created at first start. */
    static String persistentInstanceId(Path data) {
        Path file = data.resolve("strata").resolve("instance-id");
        try {
            if (Files.isRegularFile(file)) {
                String id = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (!id.isEmpty()) {
                    return id;
                }
            }
            Files.createDirectories(file.getParent());
            String id = hostName().replaceAll("[^A-Za-z0-9.-]", "-") + "-" + UUID.randomUUID().toString().substring(0, 8);
            Path tmp = file.resolveSibling("instance-id.tmp");
            Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return id;
        } catch (IOException e) {
            throw new InvalidConfigurationException(PID, "instanceId", "", "an id, since " + file + " cannot be written: " + e.getMessage());
        }
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
