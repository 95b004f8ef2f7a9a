package dev.strata.platform.api.exception;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link InvalidConfigurationException#withoutCredentials} over generated URLs, against an oracle
 * that builds what should be shown from the parts the URL was built from: a user and password are
 * masked, the host, port, path and query kept (the value of a parameter whose name says secret
 * masked), and a fragment masked after its {@code #}. Secrets are written in capitals and nothing
 * else is, so that a secret shown, even in part, is a capital letter in the output.
 */
class WithoutCredentialsPropertiesTest {

    /** A parameter whose name says secret; its value is masked. */
    private static final List<String> SECRET_NAMES = List.of("password", "token", "X-Amz-Signature", "apiKey", "access_token", "pwd");
    /** A parameter whose name says nothing secret; its value is shown. */
    private static final List<String> PLAIN_NAMES = List.of("region", "db", "sslmode", "page", "q", "x");

    /** A query parameter, and whether its value is secret. */
    record Parameter(String name, String value, boolean secret) {
        String shown() {
            return name + "=" + (secret && !value.isEmpty() ? InvalidConfigurationException.MASK : value);
        }

        @Override
        public String toString() {
            return name + "=" + value;
        }
    }

    /**
     * A URL's parts; an absent part is null, an empty path is "". The scheme holds its separator,
     * {@code ://} or a {@code //} that lost its ':'.
     */
    record Url(String scheme, String user, String password, String host, String port, String path, List<Parameter> query,
            String fragment) {
        @Override
        public String toString() {
            return (scheme == null ? "" : scheme) + (user == null ? "" : user + (password == null ? "" : ":" + password) + "@")
                    + host + (port == null ? "" : ":" + port) + path
                    + (query == null ? "" : "?" + query.stream().map(Parameter::toString).collect(Collectors.joining("&")))
                    + (fragment == null ? "" : "#" + fragment);
        }

        /** What may be shown of it: built from the parts, not by reading the text. */
        String shown() {
            return (scheme == null ? "" : scheme) + (user == null ? "" : InvalidConfigurationException.MASK + "@")
                    + host + (port == null ? "" : ":" + port) + path
                    + (query == null ? "" : "?" + query.stream().map(Parameter::shown).collect(Collectors.joining("&")))
                    + (fragment == null ? "" : "#" + (fragment.isEmpty() ? "" : InvalidConfigurationException.MASK));
        }

        /**
         * Whether a '?' or '#' holding an '@' comes before any '/': read one way, the text up to
         * that '@' is a user and password holding the '?' or '#', and everything either reading
         * hides is hidden, the host included. Likewise a port followed by an '@' ({@link
         * #portThenAt}), and a host that could be a scheme that lost its ':' followed by "//"
         * ({@code h//x@y}, read as {@code h://x@y} too).
         */
        boolean ambiguous() {
            return path.isEmpty() && (query != null && query.stream().anyMatch(q -> q.toString().contains("@"))
                    || fragment != null && fragment.contains("@")) || portThenAt()
                    || scheme == null && path.startsWith("//") && Character.isLetter(host.charAt(0));
        }

        /**
         * Whether a port without a user is followed by an '@': read one way, the host, the port and
         * what follows up to the last '@' are a user and a password whose text before its '/' is
         * digits, and they are hidden.
         */
        boolean portThenAt() {
            return user == null && port != null && (path.contains("@") || query != null && query.stream().anyMatch(q -> q.toString().contains("@"))
                    || fragment != null && fragment.contains("@"));
        }
    }

    /**
     * Where a URL's parts can be told apart (no '@' in a query or fragment without a path before
     * it, nor after a port without a user, no '/', '?' or '#' in a password), exactly the user and password, the secret parameters'
     * values and the fragment are masked: the host, the port, the path (an '@' in it included) and
     * the rest of the query are kept.
     */
    @Property(tries = 2000)
    void theUserInfoAloneIsMaskedTheHostPathAndQueryKept(@ForAll("plainUrls") Url url) {
        assertThat(InvalidConfigurationException.withoutCredentials(url.toString())).as(url.toString()).isEqualTo(url.shown());
    }

    /**
     * Whatever the URL, a password holding '@', ':', '?', '#' or other marks, a path, query or
     * fragment holding '@', no part of a user, a password, a secret parameter's value or a fragment
     * is shown.
     */
    @Property(tries = 3000)
    void noSecretIsEverShown(@ForAll("anyUrls") Url url) {
        assertThat(InvalidConfigurationException.withoutCredentials(url.toString())).as(url.toString())
                .doesNotContainPattern("[A-Z]");
    }

    /**
     * A password holding a '/' (as {@code https://root:pa/ss@h} writes it) is not shown either, nor
     * the user, its text before the '/' digits that could be a port included.
     */
    @Property(tries = 1000)
    void aPasswordHoldingASlashIsNotShown(@ForAll("slashedPasswordUrls") Url url) {
        assertThat(InvalidConfigurationException.withoutCredentials(url.toString())).as(url.toString())
                .doesNotContainPattern("[A-Z]");
    }

    /**
     * A host and port followed by an '@' in the path, no user before them, cannot be told from a
     * user and a password holding a '/' after digits ({@code //user:123/x@h}): everything up to the
     * last '@' is masked, and what follows it is kept as a host and path are.
     */
    @Property(tries = 1000)
    void aPortFollowedByAnAtIsMaskedAsAPassword(@ForAll("portThenAtUrls") Url url) {
        String afterAt = url.path().substring(url.path().lastIndexOf('@') + 1);
        Url rest = new Url(null, null, null, "", null, "", url.query(), url.fragment());
        assertThat(InvalidConfigurationException.withoutCredentials(url.toString())).as(url.toString())
                .isEqualTo((url.scheme() == null ? "" : url.scheme()) + InvalidConfigurationException.MASK + "@" + afterAt + rest.shown());
    }

    @Provide
    Arbitrary<Url> portThenAtUrls() {
        return urls("ABCXYZ", Arbitraries.just("X"), PLAIN_NAMES, SECRET_NAMES)
                .filter(u -> u.port() != null && u.path().contains("@"))
                .map(u -> new Url(u.scheme(), null, null, u.host(), u.port(), u.path(),
                        u.query() == null || u.query().stream().anyMatch(q -> q.toString().contains("@")) ? null : u.query(),
                        u.fragment() == null || u.fragment().contains("@") ? null : u.fragment()));
    }

    @Provide
    Arbitrary<Url> plainUrls() {
        return urls("ABCXYZ@", Arbitraries.strings().withChars("ABCXYZ0123456789@:!$%&=; ").ofMinLength(1).ofMaxLength(10),
                PLAIN_NAMES, SECRET_NAMES).filter(u -> !u.ambiguous());
    }

    @Provide
    Arbitrary<Url> anyUrls() {
        return urls("ABCXYZ@#?", Arbitraries.strings().withChars("ABCXYZ@:#?!$%&=; ").ofMinLength(1).ofMaxLength(10), PLAIN_NAMES,
                SECRET_NAMES.stream().map(String::toLowerCase).toList());
    }

    @Provide
    Arbitrary<Url> slashedPasswordUrls() {
        Arbitrary<String> passwords = Combinators.combine(
                        // a password's text before its '/' may be digits, as a port's is (https://USER:123/X@h)
                        Arbitraries.oneOf(Arbitraries.strings().withChars("ABCXYZ").ofMinLength(1).ofMaxLength(4),
                                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(5)),
                        Arbitraries.strings().withChars("ABCXYZ@:#?/").ofMinLength(0).ofMaxLength(6))
                .as((a, b) -> a + "/" + b);
        return urls("ABCXYZ", passwords, PLAIN_NAMES, SECRET_NAMES.stream().map(String::toLowerCase).toList())
                .filter(u -> u.user() != null && u.password() != null);
    }

    /** URLs, with or without a scheme, user info, port, path, query and fragment; secrets in capitals. */
    private static Arbitrary<Url> urls(String userChars, Arbitrary<String> passwords, List<String> plainNames, List<String> secretNames) {
        // a "//" that lost its ':' begins an authority too
        Arbitrary<String> schemes = Arbitraries.of("https://", "http://", "redfish://", "ipmi://", "ftp://", "https//", "redfish//").injectNull(0.25);
        Arbitrary<String> users = Arbitraries.strings().withChars(userChars).ofMinLength(1).ofMaxLength(6).injectNull(0.3);
        Arbitrary<String> hosts = Arbitraries.oneOf(
                Arbitraries.strings().withChars("abcxyz0123456789.-").ofMinLength(1).ofMaxLength(12)
                        .filter(h -> Character.isLetterOrDigit(h.charAt(0))),
                Arbitraries.of("[fe80::1]", "[::1]", "10.0.0.5"));
        Arbitrary<String> ports = Arbitraries.integers().between(1, 65535).map(String::valueOf).injectNull(0.5);
        Arbitrary<String> paths = Arbitraries.strings().withChars("abcxyz019@.-/").ofMaxLength(12).map(p -> p.isEmpty() ? p : "/" + p)
                .injectNull(0.3).map(p -> p == null ? "" : p);
        Arbitrary<Parameter> plain = Combinators.combine(Arbitraries.of(plainNames),
                        Arbitraries.strings().withChars("abcxyz019@.:-").ofMinLength(0).ofMaxLength(8))
                .as((n, v) -> new Parameter(n, v, false));
        // a secret value may hold '=' and ';' (a ';' ends no value where '&' separates parameters, as RFC 3986 and browsers read a
        // query), or be empty (?token=&x=1, or ?token= at the end), and shown so
        Arbitrary<Parameter> secret = Combinators.combine(Arbitraries.of(secretNames),
                        Arbitraries.strings().withChars("ABCXYZ@;=").ofMinLength(0).ofMaxLength(8))
                .as((n, v) -> new Parameter(n, v, true));
        Arbitrary<List<Parameter>> queries = Arbitraries.oneOf(plain, secret).list().ofMinSize(1).ofMaxSize(3).injectNull(0.4);
        Arbitrary<String> fragments = Arbitraries.strings().withChars("ABCXYZ@=_").ofMaxLength(10).injectNull(0.5);
        return Combinators.combine(schemes, users, passwords.injectNull(0.3), hosts, ports, paths, queries, fragments)
                .as((scheme, user, password, host, port, path, query, fragment) ->
                        new Url(scheme, user, user == null ? null : password, host, port, path, query, fragment));
    }
}
