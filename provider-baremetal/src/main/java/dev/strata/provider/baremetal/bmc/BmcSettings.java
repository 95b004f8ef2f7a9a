package dev.strata.provider.baremetal.bmc;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.model.Quantities;
import dev.strata.provider.baremetal.ipmi.IpmiTool;
import dev.strata.provider.baremetal.redfish.RedfishEndpoint;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One BMC's configuration, validated: every problem is an {@link InvalidConfigurationException}
 * naming the configuration PID, the property, the value (never the password) and what was
 * expected.
 *
 * @param pid the configuration's PID, for messages
 * @param name the BMC's name
 * @param protocol redfish or ipmi
 * @param redfish how to reach it through Redfish, or null
 * @param ipmi how to reach it through IPMI, or null
 * @param ipmitool the ipmitool command
 * @param siteId the site of its machines
 * @param powerDomainId their power domain, or null
 */
public record BmcSettings(String pid, String name, String protocol, RedfishEndpoint redfish, IpmiTool.Target ipmi, Path ipmitool,
        String siteId, String powerDomainId) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern FINGERPRINT = Pattern.compile("(?i)[0-9a-f]{64}");
    /** The longest {@code requestTimeout}: one request or ipmitool command. */
    public static final Duration MAX_REQUEST_TIMEOUT = Duration.ofMinutes(10);
    /**
     * The shortest {@code requestTimeout}, as OpenStack's: below it no BMC answers a request (a TLS
     * handshake alone takes longer), so every call would time out.
     */
    public static final Duration MIN_REQUEST_TIMEOUT = Duration.ofMillis(100);
    /**
     * An IPMI address. A host name may hold '_' (bmc_rack1.lab): it goes to ipmitool, whose resolver
     * (getaddrinfo) takes it; only Redfish addresses, read by Java's URI, cannot.
     */
    private static final Pattern HOST_PORT = Pattern.compile("(?:ipmi://)?(\\[[0-9a-fA-F:]+\\]|[A-Za-z0-9._-]+)(?::(\\d{1,5}))?/?");

    public BmcSettings {
        Objects.requireNonNull(pid, "pid");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(siteId, "siteId");
    }

    /** The address without credentials, for attributes and messages. */
    public String address() {
        return redfish != null ? redfish.address() : ipmi.address();
    }

    /**
     * Validates a configuration.
     *
     * @param etc the directory relative file names are resolved against (Karaf's etc/)
     */
    public static BmcSettings from(BmcConfig config, String pid, Path etc) {
        String protocol = text(config.protocol()).toLowerCase(Locale.ROOT);
        if (!protocol.equals("redfish") && !protocol.equals("ipmi")) {
            throw new InvalidConfigurationException(pid, "protocol", config.protocol(), "redfish or ipmi");
        }
        String address = text(config.address());
        if (address.isEmpty()) {
            throw new InvalidConfigurationException(pid, "address", config.address(),
                    protocol.equals("redfish") ? "the BMC's URL, e.g. https://10.0.0.5" : "the BMC's host[:port], e.g. 10.0.0.5");
        }
        String user = text(config.user());
        if (user.isEmpty()) {
            throw new InvalidConfigurationException(pid, "user", config.user(), "the BMC account's user name");
        }
        Secret password = password(config, pid, etc);
        String site = text(config.site());
        if (site.isEmpty()) {
            throw new InvalidConfigurationException(pid, "site", config.site(), "a site id such as local or fra-1");
        }
        String powerDomain = text(config.powerDomain());
        Duration timeout = duration(pid, "requestTimeout", config.requestTimeout(), MIN_REQUEST_TIMEOUT, MAX_REQUEST_TIMEOUT);
        int attempts = InvalidConfigurationException.wholeNumber(pid, "attempts", config::attempts, "a whole number from 1 to 10");
        if (attempts < 1 || attempts > 10) {
            throw new InvalidConfigurationException(pid, "attempts", attempts, "a whole number from 1 to 10");
        }
        String ipmitool = text(config.ipmitool());
        if (ipmitool.isEmpty()) {
            throw new InvalidConfigurationException(pid, "ipmitool", config.ipmitool(), "the ipmitool command, e.g. ipmitool or /usr/bin/ipmitool");
        }

        RedfishEndpoint redfish = null;
        IpmiTool.Target ipmi = null;
        String host;
        if (protocol.equals("redfish")) {
            URI uri;
            try {
                uri = new URI(address);
            } catch (URISyntaxException e) {
                throw new InvalidConfigurationException(pid, "address", InvalidConfigurationException.withoutCredentials(address),
                        "a URL such as https://10.0.0.5 (" + e.getReason() + ")");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            String authority = uri.getRawAuthority();
            if (uri.getHost() == null && authority != null && !authority.contains("@")
                    && authority.replaceFirst(":\\d*$", "").contains("_")) {
                // bmc_rack1.lab: java.net.URI reads no host in it, and the JDK's HTTP client sends nothing to an address without one
                throw new InvalidConfigurationException(pid, "address", address, "a host name without '_': the host name holds an "
                        + "underscore, which Java's URI does not accept; use the BMC's IP address or a name without '_'");
            }
            if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null || uri.getUserInfo() != null
                    || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))
                    || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new InvalidConfigurationException(pid, "address", InvalidConfigurationException.withoutCredentials(address),
                        "https://host[:port] (or http:// for an emulator), without user, path or query");
            }
            if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535)) {
                throw new InvalidConfigurationException(pid, "address", address, "a port from 1 to 65535");
            }
            host = uri.getHost();
            String fingerprint = text(config.certificateFingerprint());
            String normalized = fingerprint.replace(":", "").replace(" ", "");
            if (!fingerprint.isEmpty() && !FINGERPRINT.matcher(normalized).matches()) {
                throw new InvalidConfigurationException(pid, "certificateFingerprint", fingerprint,
                        "the SHA-256 fingerprint of the BMC's certificate: 64 hex digits, colons allowed");
            }
            String ca = text(config.caFile());
            Path caFile = null;
            if (!ca.isEmpty()) {
                caFile = resolve(etc, ca);
                if (!Files.isReadable(caFile)) {
                    throw new InvalidConfigurationException(pid, "caFile", ca, "a readable PEM file of CA certificates");
                }
            }
            if (!fingerprint.isEmpty() && caFile != null) {
                throw new InvalidConfigurationException(pid, "caFile", ca, "nothing when certificateFingerprint is set (pin or CA, not both)");
            }
            if (scheme.equals("http") && (!fingerprint.isEmpty() || caFile != null)) {
                throw new InvalidConfigurationException(pid, "address", address, "an https:// URL when a certificate is pinned or a CA given");
            }
            RedfishEndpoint.Auth auth;
            try {
                auth = RedfishEndpoint.Auth.valueOf(text(config.auth()).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationException(pid, "auth", config.auth(), "auto, session or basic");
            }
            String name = name(config, pid, host);
            redfish = new RedfishEndpoint(name, URI.create(scheme + "://" + uri.getRawAuthority()), user, password, auth,
                    fingerprint.isEmpty() ? null : normalized.toLowerCase(Locale.ROOT), caFile, timeout, attempts);
            return new BmcSettings(pid, name, protocol, redfish, null, Path.of(ipmitool), site, powerDomain.isEmpty() ? null : powerDomain);
        }
        Matcher m = HOST_PORT.matcher(address);
        if (!m.matches()) {
            throw new InvalidConfigurationException(pid, "address", InvalidConfigurationException.withoutCredentials(address),
                    "host[:port] for IPMI, e.g. 10.0.0.5 or 10.0.0.5:623 (no user: it is the user property)");
        }
        host = m.group(1).startsWith("[") ? m.group(1).substring(1, m.group(1).length() - 1) : m.group(1);
        int port = m.group(2) == null ? 623 : Integer.parseInt(m.group(2));
        if (port < 1 || port > 65535) {
            throw new InvalidConfigurationException(pid, "address", address, "a port from 1 to 65535");
        }
        List<Integer> suites = new ArrayList<>();
        for (String part : text(config.cipherSuites()).split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            try {
                int suite = Integer.parseInt(p);
                if (suite < 0 || suite > 255) {
                    throw new NumberFormatException();
                }
                suites.add(suite);
            } catch (NumberFormatException e) {
                throw new InvalidConfigurationException(pid, "cipherSuites", config.cipherSuites(),
                        "RMCP+ cipher suite numbers separated by commas, e.g. 17,3");
            }
        }
        if (suites.isEmpty()) {
            throw new InvalidConfigurationException(pid, "cipherSuites", config.cipherSuites(), "at least one cipher suite, e.g. 17,3");
        }
        String name = name(config, pid, host);
        ipmi = new IpmiTool.Target(name, host, port, user, password, suites, timeout);
        return new BmcSettings(pid, name, protocol, null, ipmi, Path.of(ipmitool), site, powerDomain.isEmpty() ? null : powerDomain);
    }

    private static String name(BmcConfig config, String pid, String host) {
        String name = text(config.name());
        if (name.isEmpty()) {
            name = host;
        }
        if (!NAME.matcher(name).matches()) {
            throw new InvalidConfigurationException(pid, "name", name,
                    "1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return name;
    }

    private static Secret password(BmcConfig config, String pid, Path etc) {
        String file = text(config.passwordFile());
        String inline = config._password() == null ? "" : config._password();
        if (!file.isEmpty()) {
            // a value that names no file may be the password itself, written where its file's path belongs: never shown as it is
            Path path = InvalidConfigurationException.secretFile(pid, "passwordFile", file, etc, "the path of a file holding the password");
            if (!inline.isEmpty()) {
                throw new InvalidConfigurationException(pid, "passwordFile", InvalidConfigurationException.secretFilePath(path),
                        "no password file when .password is set (one or the other)");
            }
            // read as every secret file is: a byte order mark is no part of the password, and a line that names it is refused
            return Secret.of(InvalidConfigurationException.readSecretFile(pid, "passwordFile", path, "the password"));
        }
        if (inline.isEmpty()) {
            throw new InvalidConfigurationException(pid, "passwordFile", "", "a password file, or the password in .password");
        }
        return Secret.of(inline);
    }

    static Path resolve(Path etc, String file) {
        Path path = Path.of(file);
        return path.isAbsolute() ? path : etc.resolve(path);
    }

    /**
     * A duration such as {@code 500ms}, {@code 10s}, {@code 2m}, from 1 ms to {@code maximum}, written
     * as every duration setting is ({@link Quantities#duration}; a bare number is seconds).
     * Anything else, a number too large for a duration included, is an
     * {@link InvalidConfigurationException} naming the property and the range.
     */
    public static Duration duration(String pid, String property, String text, Duration maximum) {
        return duration(pid, property, text, Duration.ofMillis(1), maximum);
    }

    /** A duration as {@link #duration(String, String, String, Duration)} reads it, from {@code minimum} to {@code maximum}. */
    public static Duration duration(String pid, String property, String text, Duration minimum, Duration maximum) {
        String expected = "a duration from " + describe(minimum) + " to " + describe(maximum)
                + ": a number with unit ns, us, ms, s, m (or min), h or d; a bare number is seconds (e.g. 10s)";
        Duration d;
        try {
            d = Quantities.duration(text(text));
        } catch (IllegalArgumentException | ArithmeticException tooLarge) { // NumberFormatException is an IllegalArgumentException
            throw new InvalidConfigurationException(pid, property, text, expected);
        }
        if (d.compareTo(minimum) < 0 || d.compareTo(maximum) > 0) {
            throw new InvalidConfigurationException(pid, property, text, expected);
        }
        return d;
    }

    /** A duration in the largest of h, m, s and ms that writes it whole. */
    static String describe(Duration d) {
        long ms = d.toMillis();
        return ms != 0 && ms % 3_600_000 == 0 ? ms / 3_600_000 + "h" : ms != 0 && ms % 60_000 == 0 ? ms / 60_000 + "m"
                : ms != 0 && ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    private static String text(String s) {
        return s == null ? "" : s.trim();
    }
}
