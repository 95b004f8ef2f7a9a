package dev.strata.platform.api.exception;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a configuration error shows of a URL or address: never a user's password or a secret parameter's value. */
class InvalidConfigurationExceptionTest {

    @Test
    void aUserAndPasswordBeforeTheHostAreMasked() {
        assertThat(InvalidConfigurationException.withoutCredentials("https://admin:s3cret@keystone.example:5000/v3"))
                .isEqualTo("https://****@keystone.example:5000/v3");
        // IPMI's address form, no scheme; a password holding '@' is masked up to the last one
        assertThat(InvalidConfigurationException.withoutCredentials("root:calvin@10.0.0.5")).isEqualTo("****@10.0.0.5");
        assertThat(InvalidConfigurationException.withoutCredentials("redfish://u:p@ss@bmc-7:443")).isEqualTo("redfish://****@bmc-7:443");
        assertThat(InvalidConfigurationException.withoutCredentials("not a url: x@y")).isEqualTo("****@y");
    }

    /**
     * A user and password stand only in the authority: an '@' in a path, a query or a fragment is
     * no user's, and the host and path are kept; before, everything up to the last '@' was masked
     * ({@code https://****@en}).
     */
    @Test
    void anAtInAPathQueryOrFragmentIsNoUsers() {
        assertThat(InvalidConfigurationException.withoutCredentials("https://h/x#tok@en")).isEqualTo("https://h/x#****");
        assertThat(InvalidConfigurationException.withoutCredentials("https://registry.example/v2/@sha:1?by=ops@example.org"))
                .isEqualTo("https://registry.example/v2/@sha:1?by=ops@example.org");
        assertThat(InvalidConfigurationException.withoutCredentials("https://u:p@ss@h:443/a@b?token=t@k#f@g"))
                .isEqualTo("https://****@h:443/a@b?token=****#****");
        assertThat(InvalidConfigurationException.withoutCredentials("h/x#tok@en")).as("no scheme").isEqualTo("h/x#****");
    }

    /**
     * A secret parameter's value runs to the next '&' or '#', as RFC 3986 and browsers read a
     * query: a ';' in it is its own. Before, the value ended at the ';' and the rest of the secret
     * was shown ({@code ?token=****;CD}).
     */
    @Test
    void aSemicolonInASecretParametersValueIsMaskedWithIt() {
        assertThat(InvalidConfigurationException.withoutCredentials("https://h/v3?token=AB;CD&region=x")).isEqualTo("https://h/v3?token=****&region=x");
        assertThat(InvalidConfigurationException.withoutCredentials("https://h/v3?region=x;password=p;w#f")).isEqualTo("https://h/v3?region=x;password=****#****");
    }

    /**
     * A '?' or '#' followed by an '@' before any '/' may be a password's or begin a query or a
     * fragment: what either reading hides is hidden. A '/' in a password is masked with it wherever
     * what precedes it holds a ':', a port's included.
     */
    @Test
    void whatEitherReadingTakesForASecretIsMasked() {
        assertThat(InvalidConfigurationException.withoutCredentials("https://root:pa#ss@10.0.0.5")).isEqualTo("https://****");
        assertThat(InvalidConfigurationException.withoutCredentials("https://h#tok@en")).isEqualTo("https://****");
        assertThat(InvalidConfigurationException.withoutCredentials("https://h?token=a@b")).isEqualTo("https://****");
        assertThat(InvalidConfigurationException.withoutCredentials("https://root:pa/ss@h/v3")).isEqualTo("https://****@h/v3");
        assertThat(InvalidConfigurationException.withoutCredentials("https://h:443/v3@x")).as("a port or a password's digits")
                .isEqualTo("https://****@x");
    }

    /**
     * A "://" in a password, of an address without a scheme, is no scheme's end: what stands before it holds a ':' and
     * is no scheme, so the user and password are masked whole. Before, what preceded the "://" was taken for a scheme
     * and shown, the user and the start of the password with it.
     */
    @Test
    void aSchemeSeparatorInAPasswordIsNoScheme() {
        assertThat(InvalidConfigurationException.withoutCredentials("root:pa://ss@10.0.0.5")).isEqualTo("****@10.0.0.5");
        assertThat(InvalidConfigurationException.withoutCredentials("https://root:pa://ss@10.0.0.5")).isEqualTo("https://****@10.0.0.5");
        assertThat(InvalidConfigurationException.withoutCredentials("svn+ssh://u:p@h/r")).as("a scheme with '+'").isEqualTo("svn+ssh://****@h/r");
    }

    /**
     * A URL that something other than its scheme precedes (a value written in quotes, as a Karaf .cfg file keeps them, a
     * blank, a name and '=', or another URL of a list) has its user and password masked: each "://" may begin an
     * authority. Before, text not starting with a scheme was read from its start alone, where what precedes the first
     * '/' ({@code "https:}) reads as a host and an empty port, and the password was shown whole.
     */
    @Test
    void aUserAndPasswordAfterTextBeforeTheSchemeAreMasked() {
        assertThat(InvalidConfigurationException.withoutCredentials("\"https://admin:S3cret@10.0.0.5\""))
                .isEqualTo("\"https://****@10.0.0.5\"");
        assertThat(InvalidConfigurationException.withoutCredentials("'https://admin:S3cret@h'")).isEqualTo("'https://****@h'");
        assertThat(InvalidConfigurationException.withoutCredentials(" https://admin:S3cret@h")).isEqualTo(" https://****@h");
        assertThat(InvalidConfigurationException.withoutCredentials("<https://admin:S3cret@h>")).isEqualTo("<https://****@h>");
        assertThat(InvalidConfigurationException.withoutCredentials("endpoint=https://admin:S3cret@h/v3"))
                .isEqualTo("endpoint=https://****@h/v3");
        assertThat(InvalidConfigurationException.withoutCredentials("https://a:S1@h1, https://c:S2@h2"))
                .isEqualTo("https://****@h1, https://****@h2");
        assertThat(InvalidConfigurationException.withoutCredentials("https://h/login?next=https://h2:8443/x"))
                .as("a URL in a query without a user is shown").isEqualTo("https://h/login?next=https://h2:8443/x");
    }

    /**
     * A password that starts with a '/' (one generated base64 password in 64 does) is masked: what precedes the '/', a
     * user and a ':', is no host and port, since an empty port is none. Before, the ':' with nothing after it read as a
     * host's empty port, the rest as a path, and the user and password were shown whole.
     */
    @Test
    void aPasswordStartingWithASlashIsMasked() {
        assertThat(InvalidConfigurationException.withoutCredentials("https://admin:/S3cret@h/v3")).isEqualTo("https://****@h/v3");
        assertThat(InvalidConfigurationException.withoutCredentials("root:/X9Ab+c@10.0.0.5")).isEqualTo("****@10.0.0.5");
        assertThat(InvalidConfigurationException.withoutCredentials("https://h:443/v3@x")).as("a port and a path, or a password")
                .isEqualTo("https://****@x");
    }

    /**
     * A password holding a '/' whose text before the '/' is digits cannot be told from a port and
     * a path, and is masked as a password: more, never less. Before, it read as a port and a path,
     * and the user and password were shown whole.
     */
    @Test
    void aPasswordWhoseTextBeforeItsSlashIsDigitsIsMasked() {
        assertThat(InvalidConfigurationException.withoutCredentials("https://admin:123/S3cret@h/v3")).isEqualTo("https://****@h/v3");
        assertThat(InvalidConfigurationException.withoutCredentials("root:2024/X9Ab@10.0.0.5")).isEqualTo("****@10.0.0.5");
        assertThat(InvalidConfigurationException.withoutCredentials("https://[::1]:443/x@h")).isEqualTo("https://****@h");
        assertThat(InvalidConfigurationException.withoutCredentials("https://[::1]/x@h")).as("a host alone keeps a path's '@'")
                .isEqualTo("https://[::1]/x@h");
    }

    /**
     * A URL that lost the ':' of its "://" ({@code https//u:p@h}) has its user and password masked: a
     * "//" begins an authority at the start of the text, after a scheme the text starts with, and
     * wherever a ':' follows it before any '/', '?', '#', '@' or blank. Before, the text was read
     * from its start alone, where {@code https} is a host, and shown whole.
     */
    @Test
    void aUserAndPasswordAfterADoubleSlashWithoutItsColonAreMasked() {
        assertThat(InvalidConfigurationException.withoutCredentials("https//admin:S3cret@h")).isEqualTo("https//****@h");
        assertThat(InvalidConfigurationException.withoutCredentials("https//admin:S3cret@h:443/v3?token=t0k"))
                .isEqualTo("https//****@h:443/v3?token=****");
        assertThat(InvalidConfigurationException.withoutCredentials("https//S3cretToken@h/v3")).isEqualTo("https//****@h/v3");
        assertThat(InvalidConfigurationException.withoutCredentials("//admin:S3cret@h")).isEqualTo("//****@h");
        assertThat(InvalidConfigurationException.withoutCredentials("endpoint //admin:S3cret@h")).isEqualTo("endpoint //****@h");
        assertThat(InvalidConfigurationException.withoutCredentials("https://h/v2//x@y")).as("a path's '//' and '@' without a ':'")
                .isEqualTo("https://h/v2//x@y");
    }

    /** A secret parameter's empty value hides nothing and is shown empty, at the end of the text too. */
    @Test
    void anEmptySecretParameterIsShownEmpty() {
        assertThat(InvalidConfigurationException.withoutCredentials("https://h/v3?token=&x=1")).isEqualTo("https://h/v3?token=&x=1");
        assertThat(InvalidConfigurationException.withoutCredentials("https://h/v3?x=1&token=")).isEqualTo("https://h/v3?x=1&token=");
        assertThat(InvalidConfigurationException.withoutCredentials("https://u:p@h/v3?token=")).isEqualTo("https://****@h/v3?token=");
    }

    @Test
    void theValueOfEveryParameterWhoseNameSaysSecretIsMasked() {
        assertThat(InvalidConfigurationException.withoutCredentials(
                "https://ec2.example/?X-Amz-Signature=abc123&region=eu-central-1&Token=t0k&apiKey=k3y;password=pw#frag"))
                .as("a value runs to the next '&': the ';' and what follows are apiKey's").isEqualTo(
                        "https://ec2.example/?X-Amz-Signature=****&region=eu-central-1&Token=****&apiKey=****#****");
        assertThat(InvalidConfigurationException.withoutCredentials("https://h/?sslmode=require&db=secret-store"))
                .as("the word in a value is no secret").isEqualTo("https://h/?sslmode=require&db=secret-store");
    }

    /**
     * A fragment can carry a token (an OAuth implicit flow answers {@code #access_token=...}), so
     * it is masked wherever it stands; before, it was shown, and each provider masked it itself.
     * A {@code #} before an {@code @} ahead of any {@code /} may be a password's or begin a
     * fragment, and is masked as both.
     */
    @Test
    void aFragmentIsMasked() {
        assertThat(InvalidConfigurationException.withoutCredentials("https://keystone.example:5000/v3#access_token=t0k-Secret"))
                .isEqualTo("https://keystone.example:5000/v3#****");
        assertThat(InvalidConfigurationException.withoutCredentials("https://admin:pw@h/v3?token=t0k#t0k-Secret"))
                .isEqualTo("https://****@h/v3?token=****#****");
        assertThat(InvalidConfigurationException.withoutCredentials("https://h/v3#t0k%-Secret")).as("not a URL").isEqualTo("https://h/v3#****");
        assertThat(InvalidConfigurationException.withoutCredentials("root:pa#ss@10.0.0.5")).as("a fragment or a password: both hidden")
                .isEqualTo("****");
        assertThat(InvalidConfigurationException.withoutCredentials("https://h/v3#")).as("nothing to mask").isEqualTo("https://h/v3#");
    }

    @Test
    void textWithoutCredentialsIsShownAsItIs() {
        assertThat(InvalidConfigurationException.withoutCredentials("https://keystone.example:5000/v3")).isEqualTo("https://keystone.example:5000/v3");
        assertThat(InvalidConfigurationException.withoutCredentials("")).isEmpty();
        assertThat(InvalidConfigurationException.withoutCredentials(null)).isNull();
    }

    @Test
    void theMessageNamesThePidThePropertyTheValueAndWhatWasExpected() {
        InvalidConfigurationException e = new InvalidConfigurationException("dev.strata.x", "endpoint",
                InvalidConfigurationException.withoutCredentials("http://a:b@h"), "a URL without user:password@");
        assertThat(e).hasMessage("dev.strata.x: endpoint = 'http://****@h' is invalid; expected a URL without user:password@");
        assertThat(e.pid()).isEqualTo("dev.strata.x");
        assertThat(e.property()).isEqualTo("endpoint");
    }

    /**
     * A value holding control characters (a NUL, a line break that would forge a log line of its
     * own, a terminal's ESC and CSI, DEL, C1's NEL) shows none of them in the message, which
     * reaches the log, the provenance log and the shell: each is written as a backslash, u and its
     * four hex digits, the rest of the message as it was. Before, the value went in as it was.
     */
    @Test
    void aValueHoldingControlCharactersIsShownWithoutThem() {
        String value = "/srv\u0000a\nb\rc\u001b[31md\u007fe\u0085f\u009b2Jg";
        InvalidConfigurationException e = new InvalidConfigurationException("dev.strata.x", "root", value, "an existing directory");
        e.getMessage().codePoints().forEach(c -> assertThat(Character.isISOControl(c))
                .as("U+%04X in the message", c).isFalse());
        assertThat(e).hasMessage("dev.strata.x: root = '/srv\\u0000a\\u000ab\\u000dc\\u001b[31md\\u007fe\\u0085f\\u009b2Jg' is invalid; "
                + "expected an existing directory");
        assertThat(e.property()).isEqualTo("root");
    }

    /**
     * A message given through withMessage (a provider's refusal naming its configured
     * strata.provider.id before the original message) is made printable as the constructor's is.
     * Before, the text added went in as it was, a line break or an escape sequence in it raw.
     */
    @Test
    void aMessageGivenThroughWithMessageIsShownWithoutControlCharacters() {
        InvalidConfigurationException e = new InvalidConfigurationException("p", "name", "v", "x");
        InvalidConfigurationException copy = e.withMessage("provider a\nforged\u001b[2J was refused: " + e.getMessage());
        assertThat(copy).hasMessage("provider a\\u000aforged\\u001b[2J was refused: p: name = 'v' is invalid; expected x");
        assertThat(copy.property()).isEqualTo("name");
        IllegalStateException cause = new IllegalStateException("shown");
        assertThat(e.withMessage("a\nforged", cause)).as("with another cause too").hasMessage("a\\u000aforged").hasCause(cause);
    }

    /** A direction override, a line separator and half a surrogate pair are shown escaped as well; the rest, beyond U+FFFF included, as it is. */
    @Test
    void formatCharactersSeparatorsAndLoneSurrogatesAreShownEscaped() {
        InvalidConfigurationException e = new InvalidConfigurationException("p", "name", "a\u202eb\u2028c\ud800d\u00e9\ud83d\ude00", "x");
        assertThat(e).hasMessage("p: name = 'a\\u202eb\\u2028c\\ud800d\u00e9\ud83d\ude00' is invalid; expected x");
        assertThat(InvalidConfigurationException.printable("C:\\u0041 is kept")).isEqualTo("C:\\u0041 is kept");
    }

    /**
     * The rule is public for other text that reaches the log or the shell from outside (a record
     * file's value, a login's name): it shows such text as the messages show a value, and null as null.
     */
    @Test
    void printableShowsTextByTheMessagesRule() {
        assertThat(InvalidConfigurationException.printable("a\u0000b\u001b[2J\u2028c\ud800d\ud83d\ude00"))
                .isEqualTo("a\\u0000b\\u001b[2J\\u2028c\\ud800d\ud83d\ude00");
        assertThat(InvalidConfigurationException.printable("plain")).isEqualTo("plain");
        assertThat(InvalidConfigurationException.printable(null)).isNull();
    }

    /**
     * A configured path is the value stripped, relative ones taken from the base (or left relative
     * without one); one that is no path is refused naming the PID and the property, its value shown
     * printable, where Path.of's InvalidPathException named neither.
     */
    @Test
    void aConfiguredPathIsReadAndOneThatIsNoPathIsRefusedNamingTheProperty(@org.junit.jupiter.api.io.TempDir java.nio.file.Path etc) {
        assertThat(InvalidConfigurationException.path("p", "file", " inventory.yaml\n", etc, "a file")).isEqualTo(etc.resolve("inventory.yaml"));
        assertThat(InvalidConfigurationException.path("p", "root", "srv/root", null, "a directory")).isEqualTo(java.nio.file.Path.of("srv/root"));
        java.nio.file.Path absolute = etc.resolve("x").toAbsolutePath();
        assertThat(InvalidConfigurationException.path("p", "file", absolute.toString(), java.nio.file.Path.of("/nowhere"), "a file")).isEqualTo(absolute);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> InvalidConfigurationException.path("dev.strata.x", "stateDirectory", "/var/else\u0000where", etc, "a directory"))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.property()).isEqualTo("stateDirectory"))
                .hasMessage("dev.strata.x: stateDirectory = '/var/else\\u0000where' is invalid; expected a directory");
    }

    /**
     * A secret file's path is shown where it names a file; otherwise neither the value nor any
     * part of it that names nothing: the folder only where it exists.
     */
    @Test
    void aSecretFilesPathIsShownOnlyWhereItNamesSomething(@org.junit.jupiter.api.io.TempDir java.nio.file.Path etc) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(etc.resolve("bmc.pw"), "hunter2");
        assertThat(InvalidConfigurationException.secretFilePath(file)).isEqualTo(file.toAbsolutePath().toString());
        String pasted = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY";
        assertThat(InvalidConfigurationException.secretFilePath(etc.resolve(pasted))).doesNotContain(pasted)
                .isEqualTo("(a file in " + etc.toAbsolutePath() + " that does not exist; its name is not shown: a value that names no file "
                        + "may be the secret itself, written where its file's path belongs)");
        String slashed = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        assertThat(InvalidConfigurationException.secretFilePath(etc.resolve(slashed))).doesNotContain("wJalr").doesNotContain("K7MDENG")
                .doesNotContain(etc.toString()).startsWith("(not shown: its folder does not exist either; ");
        assertThat(InvalidConfigurationException.secretFilePath(null)).as("none given, nothing to show").isEmpty();
    }

    @Test
    void aSecretFilesValueIsResolvedAgainstTheBaseOrTakenAsItIsWhereAbsolute(@org.junit.jupiter.api.io.TempDir java.nio.file.Path etc) {
        assertThat(InvalidConfigurationException.secretFile("p", "passwordFile", " db.pw\n", etc, "a file"))
                .as("stripped, then taken from the base").isEqualTo(etc.resolve("db.pw"));
        java.nio.file.Path absolute = etc.resolve("elsewhere/db.pw").toAbsolutePath();
        assertThat(InvalidConfigurationException.secretFile("p", "passwordFile", absolute.toString(), java.nio.file.Path.of("/nowhere"), "a file"))
                .isEqualTo(absolute);
    }

    @Test
    void aSecretFilesValueThatIsNoPathIsRefusedWithoutShowingIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path etc) {
        String pasted = "wJalrXUtnFEMI\u0000K7MDENGbPxRfiCYEXAMPLEKEY";
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> InvalidConfigurationException.secretFile("strata.bmc-r1", "passwordFile", pasted, etc, "a readable file holding the password"))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
                    assertThat(e.pid()).isEqualTo("strata.bmc-r1");
                    assertThat(e.property()).isEqualTo("passwordFile");
                })
                .hasMessageStartingWith("strata.bmc-r1: passwordFile = '(not shown: no valid path)' is invalid; expected a readable file holding the password (")
                .hasMessageNotContaining("wJalr").hasMessageNotContaining("K7MDENG");
    }
}
