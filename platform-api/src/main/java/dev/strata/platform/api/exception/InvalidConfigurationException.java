package dev.strata.platform.api.exception;

import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A configuration value is malformed or out of range. The message names the property, the value
 * and what was expected; {@link #property()} returns the property alone. The message holds no
 * control character: it reaches the log, the provenance log's records and the shell, where a line
 * break in a value would forge a line of its own and an escape sequence would be run by the
 * terminal, so each is shown as a backslash, {@code u} and four hex digits (see the constructor).
 */
public class InvalidConfigurationException extends StrataException {
    private static final long serialVersionUID = 1L;

    /** What stands in a message in place of a secret. */
    public static final String MASK = "****";
    /**
     * A query parameter whose name says it holds a secret, up to its value. A name may start after a
     * ';' (a separator to some servers) but a value ends only at a '&' or '#', as RFC 3986 and
     * browsers read a query: a ';' in a token is the token's.
     */
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "(?i)([?&;][^=&;#]*(?:pass|pwd|secret|token|key|sig|credential|auth)[^=&;#]*=)[^&#]*");

    /** What may stand before "://" as a URL's scheme (RFC 3986). */
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");

    private final String pid;
    private final String property;

    /**
     * The message {@code pid: property = 'value' is invalid; expected ...}, every character of it
     * printable: a control character (C0, DEL or C1: a NUL, a line break, a terminal's ESC or CSI),
     * a Unicode format character (a direction override, a zero-width space), a line or paragraph
     * separator and half of a surrogate pair without its other half are each shown as a
     * backslash, {@code u} and four hex digits, as Java writes them
     * (<code>/srv&#92;u0000root</code>, <code>a&#92;u000ab</code>; one above U+FFFF as its two
     * UTF-16 units), the rest as it is. A configured value holds whatever its {@code .cfg} file or
     * the bundle that set it wrote; before 1.9 (package version) it went into the message as it
     * was, and each provider replaced such characters by {@code ?} itself, or did not. A URL or
     * address still goes through {@link #withoutCredentials} and a secret file's path through
     * {@link #secretFilePath} first.
     *
     * @param pid the configuration's PID
     * @param property the property's name
     * @param value the value as configured (its {@code toString})
     * @param expected what was expected
     */
    public InvalidConfigurationException(String pid, String property, Object value, String expected) {
        super(printable(pid + ": " + property + " = '" + value + "' is invalid; expected " + expected));
        this.pid = pid;
        this.property = property;
    }

    /** The copy {@link #withMessage} makes. */
    private InvalidConfigurationException(String message, String pid, String property) {
        super(message);
        this.pid = pid;
        this.property = property;
    }

    /**
     * {@inheritDoc} The new message is made printable as the constructor's is: a caller that adds
     * text to a refusal (a provider naming its configured {@code strata.provider.id}) would else
     * put a control character back into a message that reaches the log and the shell.
     */
    @Override
    public InvalidConfigurationException withMessage(String message) {
        return withMessage(message, getCause());
    }

    /** {@inheritDoc} The new message is made printable as {@link #withMessage(String)} makes it. */
    @Override
    public InvalidConfigurationException withMessage(String message, Throwable cause) {
        return copied(new InvalidConfigurationException(message == null ? null : printable(message), pid, property), cause);
    }

    /** The configuration PID the property belongs to. */
    public String pid() {
        return pid;
    }

    /** The offending property's name. */
    public String property() {
        return property;
    }

    /**
     * A URL or address as a configuration error may show it: a user and password (as in
     * {@code https://admin:pw@host} or IPMI's {@code root:calvin@10.0.0.5}) become {@value #MASK},
     * and so does the value of every query parameter whose name says secret ({@code password=},
     * {@code token=}, {@code X-Amz-Signature=}, {@code apikey=}, ...), and so does a fragment,
     * whatever follows its {@code #} (an OAuth implicit flow's {@code #access_token=...}):
     * {@code https://h/v3#t0k} shows as {@code https://h/v3#****}. A user and password stand only
     * in the authority, after {@code scheme://} (or the start of text without one; a scheme is a
     * letter followed by letters, digits, {@code +}, {@code -} or {@code .}, so the {@code ://} of a
     * password, as in {@code root:pa://ss@h}, starts none) and before the
     * first {@code /}, {@code ?} or {@code #}; they are masked up to the last {@code @} there, since
     * a password may hold an {@code @}. An {@code @} in a path, a query or a fragment is no user's:
     * {@code https://h/x#tok@en} shows as {@code https://h/x#****}, its host and path kept. Each
     * further {@code ://} may begin an authority too, so that a URL that other text precedes (quotes,
     * as in {@code "https://u:p@h"}, a blank, a name and {@code =}) or one URL of a list has its user
     * and password masked. A {@code //} without its {@code :} begins an authority as well where it
     * starts the text ({@code //u:p@h}), follows a scheme the text starts with ({@code https//u:p@h}
     * shows as {@code https//****@h}), or is followed by a {@code :} before any {@code /}, {@code ?},
     * {@code #}, {@code @} or blank ({@code see //u:p@h}), so a URL that lost its colon keeps its
     * user and password hidden. The value of a secret parameter that is empty ({@code ?token=&x=1},
     * {@code ?token=} at the end) is shown empty: there is nothing to hide.
     *
     * <p>Where text can be read more than one way, whatever any reading takes for a secret is
     * masked. A {@code ?} or {@code #} followed by an {@code @} before the first {@code /} may be a
     * password's ({@code https://root:pa#ss@10.0.0.5}) or begin a query or fragment
     * ({@code https://h#tok@en}): everything either reading hides is hidden, so such a URL loses its
     * host ({@code https://****}, and IPMI's {@code root:pa#ss@10.0.0.5} shows as {@code ****}; before,
     * as {@code ****@10.0.0.5}, which showed the tail of a fragment read the other way). A password
     * holding a {@code /} is masked, up to the last {@code @} of the text, wherever what precedes the
     * {@code /} holds a {@code :} outside brackets ({@code https://root:pa/ss@h},
     * {@code https://root:/pa@h}): one whose text before the {@code /} is digits
     * ({@code https://user:123/x@h}) cannot be told from a port and a path, so a URL without a user
     * whose port an {@code @} follows loses its host and port to the mask ({@code https://h:443/v3@x}
     * shows as {@code https://****@x}): too much masked, never too little. Only a host alone, with no
     * {@code :}, keeps a path's {@code @} ({@code https://h/v2/@sha:1}). It works on any text, one
     * that does not parse as a URL included, so a provider can pass the value it refuses through it
     * before putting it in this exception's message, which reaches the log and the shell.
     *
     * @param url the value as configured; null gives null
     * @since 1.8.1 (package version): only a user and password in the authority are masked; before,
     *     everything up to the last {@code @} was, a path's, a query's or a fragment's included,
     *     and the host and path with it
     */
    public static String withoutCredentials(String url) {
        if (url == null) {
            return null;
        }
        int n = url.length();
        int scheme = url.indexOf("://");
        // a scheme is a letter and then letters, digits, '+', '-' or '.': a "://" after a ':' is a password's ("root:pa://ss@h")
        boolean isUrl = scheme > 0 && SCHEME.matcher(url).region(0, scheme).matches();
        int start = isUrl ? scheme + 3 : 0;
        boolean[] hidden = new boolean[n];
        read(url, start, hidden);
        // each "://" after that may begin an authority too: a URL that other text precedes ("https://u:p@h" in quotes,
        // after a blank or a name and '='), or one URL of a list
        for (int k = url.indexOf("://", start); k >= 0; k = url.indexOf("://", k + 3)) {
            read(url, k + 3, hidden);
        }
        // a "//" without its ':' may begin one too: at the start of the text ("//u@h"), after a scheme the text starts with
        // ("https//u@h"), or anywhere a ':' follows it before any '/', '?', '#', '@' or blank ("x //u:p@h")
        for (int k = url.indexOf("//"); k >= 0; k = url.indexOf("//", k + 2)) {
            if (k == 0 || SCHEME.matcher(url).region(0, k).matches() || colonBeforeAt(url, k + 2)) {
                read(url, k + 2, hidden);
            }
        }
        StringBuilder shown = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            if (!hidden[i]) {
                shown.append(url.charAt(i));
            } else if (i == 0 || !hidden[i - 1]) {
                shown.append(MASK);
            }
        }
        return shown.toString();
    }

    /** Marks what the readings of {@code url} with an authority from {@code start} on hide. */
    private static void read(String url, int start, boolean[] hidden) {
        int n = url.length();
        int authorityEnd = first(url, start, n, "/?#");
        int slash = first(url, start, n, "/");
        // the authority as a URL parser reads it
        int strict = last(url, start, authorityEnd, '@');
        hide(url, start, strict, hidden);
        // a '?' or '#' in a password
        int lenient = last(url, start, slash, '@');
        if (lenient > authorityEnd) {
            hide(url, start, lenient, hidden);
        }
        // a '/' in a password, where what precedes it is not a host alone ("root:pa/ss@h", "user:123/x@h")
        if (strict < 0 && !hostAlone(url.substring(start, authorityEnd), url.startsWith("//", authorityEnd))) {
            hide(url, start, last(url, start, n, '@'), hidden);
        }
    }

    /**
     * Marks what one reading of {@code url} hides: a user and password from {@code start} up to
     * {@code at} (none where it is negative), the fragment after the first {@code #} that follows
     * them, and the value of every secret query parameter after them.
     */
    private static void hide(String url, int start, int at, boolean[] hidden) {
        int n = url.length();
        int from = start;
        if (at >= 0) {
            java.util.Arrays.fill(hidden, start, at, true);
            from = at + 1;
        }
        int hash = url.indexOf('#', from);
        if (hash >= 0) {
            java.util.Arrays.fill(hidden, hash + 1, n, true);
        }
        Matcher m = SECRET_PARAMETER.matcher(url).region(from, n);
        while (m.find()) {
            java.util.Arrays.fill(hidden, m.end(1), m.end(), true);
        }
    }

    /**
     * Whether an authority without a user can only be a host: it holds no ':' outside brackets. After a ':' may stand a
     * port or the start of a password that holds a '/': a port of digits ({@code h:443/v3@x}) cannot be told from a
     * password whose text before its '/' is digits ({@code user:123/x@h}), and is masked as one. A ':' with nothing
     * after it and {@code "//"} following ({@code slashesFollow}) is a {@code ://}, which the reading after it takes.
     */
    private static boolean hostAlone(String authority, boolean slashesFollow) {
        int colon = authority.indexOf(':', authority.lastIndexOf(']') + 1);
        return colon < 0 || colon == authority.length() - 1 && slashesFollow;
    }

    /** Whether a ':' stands after {@code from} before the first '/', '?', '#', '@' or white space: a user and password may. */
    private static boolean colonBeforeAt(String url, int from) {
        for (int i = from; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == ':') {
                return true;
            }
            if ("/?#@".indexOf(c) >= 0 || Character.isWhitespace(c)) {
                return false;
            }
        }
        return false;
    }

    /** The first index in {@code [from, to)} of one of {@code chars}, or {@code to} where none is there. */
    private static int first(String s, int from, int to, String chars) {
        for (int i = from; i < to; i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return to;
    }

    /** The last index of {@code c} in {@code [from, to)}, or -1. */
    private static int last(String s, int from, int to, char c) {
        int i = s.lastIndexOf(c, to - 1);
        return i >= from ? i : -1;
    }

    /**
     * A secret file's path as a configuration error may show it ({@code passwordFile},
     * {@code tokenFile}, ...): the path where it names something that exists; otherwise not the
     * value, since a value that names no file may be the secret itself, written where its file's
     * path belongs. Where the folder it names exists, that folder is shown, so that a mistyped file
     * name can still be found there; the name is not. Put what this returns in this exception's
     * value, which reaches the log and the shell.
     *
     * @param file the path as configured, resolved where the provider resolves it
     * @return the path, or a text that says what it is without showing it
     * @since 1.5 (package version)
     */
    public static String secretFilePath(java.nio.file.Path file) {
        if (file == null) {
            return "";
        }
        java.nio.file.Path path;
        try {
            path = file.toAbsolutePath().normalize();
        } catch (RuntimeException e) {
            return "(not shown: no valid path; " + SECRET_FILE_NOT_SHOWN + ")";
        }
        if (java.nio.file.Files.exists(path)) {
            return path.toString();
        }
        java.nio.file.Path folder = path.getParent();
        return folder != null && java.nio.file.Files.isDirectory(folder)
                ? "(a file in " + folder + " that does not exist; its name is not shown: " + SECRET_FILE_NOT_SHOWN + ")"
                : "(not shown: its folder does not exist either; " + SECRET_FILE_NOT_SHOWN + ")";
    }

    /**
     * A secret file's property read as a path ({@code passwordFile}, {@code secretAccessKeyFile},
     * ...): the value, stripped, as an absolute path, or resolved against {@code base} (Karaf's
     * {@code etc}, where every Strata component takes a relative secret file from). A value that is
     * no valid path on this system (a NUL in it) is this exception, whose message shows neither the
     * value nor {@link java.nio.file.InvalidPathException}'s message, which ends in the value: a
     * value that names no file may be the secret itself. Read a secret file's property through
     * here, then show the path in later errors through {@link #secretFilePath}.
     *
     * @param pid the configuration's PID
     * @param property the property's name
     * @param value the value as configured; not null or blank (check for an unset value first)
     * @param base the folder a relative path is taken from
     * @param expected what was expected, e.g. {@code a readable file holding the password}
     * @return the path the value names; whether anything is there is for the caller to check
     * @throws InvalidConfigurationException when the value is no valid path
     * @since 1.6 (package version)
     */
    public static java.nio.file.Path secretFile(String pid, String property, String value, java.nio.file.Path base,
            String expected) {
        try {
            java.nio.file.Path path = java.nio.file.Path.of(value.strip());
            return path.isAbsolute() ? path : base.resolve(path);
        } catch (java.nio.file.InvalidPathException e) {
            throw new InvalidConfigurationException(pid, property, "(not shown: no valid path)",
                    expected + " (" + e.getReason() + ")");
        }
    }

    /**
     * A configured path property that holds no secret ({@code root}, {@code file},
     * {@code stateDirectory}, {@code sovereigntyFile}, ...): the value, stripped, as an absolute
     * path, or resolved against {@code base} where it is relative (Karaf's {@code etc}, where a
     * file is taken from; {@code null} keeps it relative, taken from the working directory). A
     * value that is no valid path on this system (a NUL in it) is this exception naming
     * {@code pid}, {@code property}, the value as configured, shown printable as every value is
     * (see the constructor), and {@code expected}: {@link java.nio.file.InvalidPathException}
     * names neither the PID nor the property, and its message ends in the value as it is. For a
     * secret file's property use {@link #secretFile}, which does not show the value.
     *
     * @param pid the configuration's PID
     * @param property the property's name
     * @param value the value as configured; not null or blank (check for an unset value first)
     * @param base the folder a relative path is taken from, or null to keep it relative
     * @param expected what was expected, e.g. {@code an existing directory}
     * @return the path the value names; whether anything is there is for the caller to check
     * @throws InvalidConfigurationException when the value is no valid path
     * @since 1.9 (package version)
     */
    public static java.nio.file.Path path(String pid, String property, String value, java.nio.file.Path base, String expected) {
        java.nio.file.Path path;
        try {
            path = java.nio.file.Path.of(value.strip());
        } catch (java.nio.file.InvalidPathException e) {
            throw new InvalidConfigurationException(pid, property, value, expected);
        }
        return path.isAbsolute() || base == null ? path : base.resolve(path);
    }

    /**
     * {@code text} with each character a terminal or a log does not show as itself written as
     * a backslash, {@code u} and four hex digits, by the rule this exception's messages follow
     * (see the constructor): a control character (C0, DEL or C1), a format character, a line or
     * paragraph separator and half of a surrogate pair without its other half
     * (<code>a&#92;u000ab</code>, <code>&#92;u001b[2J</code>, <code>&#92;ud800</code>); the rest
     * as it is. Other text that reaches the log or the shell from outside (a value read from a
     * record file, a URL a service gave, a login's name) is shown the same way through here, so
     * that what it held can still be read and none of it forges a line or drives a terminal, where
     * each place replacing such characters by {@code ?} lost what they were.
     *
     * @param text the text; null gives null
     * @return the text, printable
     * @since 1.10 (package version)
     */
    public static String printable(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder b = null;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            int next = i + Character.charCount(c);
            if (shownEscaped(c)) {
                if (b == null) {
                    b = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                for (char unit : Character.toChars(c)) {
                    b.append(String.format(Locale.ROOT, "\\u%04x", (int) unit));
                }
            } else if (b != null) {
                b.append(text, i, next);
            }
            i = next;
        }
        return b == null ? text : b.toString();
    }

    /**
     * Whether {@code c} is a C0 or C1 control character or DEL, a format character (Unicode
     * category Cf), a line or paragraph separator, or half of a surrogate pair without its other half.
     */
    private static boolean shownEscaped(int c) {
        int type = Character.getType(c);
        return Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE;
    }

    /** What a refusal of a secret file holding a line that names the secret expects. */
    static final String NAMED_LINE = " alone, not a line that names it before its value (NAME=..., export NAME=..., NAME: ... or"
            + " \"NAME\": ..., as a shell, properties, credentials or JSON file writes it; the name is not shown, since a secret could be"
            + " taken for one): write the value alone";

    /** The largest secret file {@link #readSecretFile} reads: a secret is one line, and a larger file is not one. */
    public static final long MAX_SECRET_FILE_BYTES = 64 * 1024;

    /** A name that says it stands for a secret: letters, digits, '_', '.' or '-', holding one of the words. */
    private static final String SECRET_NAME = "(?=[a-z_])[a-z0-9_.-]*(?:secret|password|passwd|key|token)[a-z0-9_.-]*";
    /**
     * A line that names a secret before its value, as a shell ({@code export OS_PASSWORD=...}), a
     * properties, env or ini file ({@code password=...}, {@code aws_secret_access_key = ...}), YAML
     * ({@code password: ...}) or JSON ({@code "SecretAccessKey": "..."}) writes it; the name is group
     * 1, 2 or 3. A bare name must be followed by {@code =} and a value (not {@code ==}, nor a
     * {@code =} that ends the line: base64's padding, {@code abcKeyXY=}) or by {@code :} and a blank
     * or the line's end, so that a secret holding the letters followed by other characters
     * ({@code monkey+3/x}, {@code tokenizer:9}) is no name.
     */
    private static final Pattern NAMED_SECRET = Pattern.compile("(?im)^[ \\t{,]*(?:export[ \\t]+)?(?:\"(" + SECRET_NAME
            + ")\"[ \\t]*:|'(" + SECRET_NAME + ")'[ \\t]*:|(" + SECRET_NAME + ")[ \\t]*(?:=(?!=)(?=[ \\t]*\\S)|:(?=[ \\t]|$)))");

    /**
     * The secret a one-line secret file holds ({@code passwordFile}, {@code secretAccessKeyFile},
     * {@code applicationCredentialSecretFile}, ...): its text as UTF-8, a byte order mark at its start
     * (Windows editors write one) and blanks around it left out, as Strata reads every such file.
     * Refused, each as this exception naming {@code pid}, {@code property}, the path (as
     * {@link #secretFilePath} shows it) and what was expected, never the value: a file that does not
     * exist or cannot be read; one that is no regular file (a folder, a FIFO, a device), looked at
     * before it is opened, since opening a FIFO waits for a writer; one of more than
     * {@link #MAX_SECRET_FILE_BYTES} bytes; one that is not UTF-8; an empty one (or blanks alone);
     * one of more than one line that is not blank; and one with a line that names a secret before
     * its value ({@code password=...}, {@code export OS_APPLICATION_CREDENTIAL_SECRET=...},
     * {@code aws_secret_access_key = ...}, {@code "SecretAccessKey": ...}, a name holding
     * secret, password, passwd, key or token, in any case), the name not shown (a secret of that shape would show its start). Taken as
     * the secret, each of these would fail every login with an authentication error that says
     * nothing of the file. A symbolic link is followed. Resolve the property's value to a path through
     * {@link #secretFile} first.
     *
     * @param pid the configuration's PID
     * @param property the property's name
     * @param file the file, as {@link #secretFile} resolved it
     * @param what what the file holds, e.g. {@code the database password}
     * @return the secret, not empty, without a line break, blanks at either end or a byte order mark
     * @throws InvalidConfigurationException when the file is refused
     * @since 1.8 (package version)
     */
    public static String readSecretFile(String pid, String property, java.nio.file.Path file, String what) {
        String expected = "a readable file holding " + what + " alone";
        java.nio.file.attribute.BasicFileAttributes attributes;
        try {
            attributes = java.nio.file.Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
        } catch (java.io.IOException | RuntimeException e) {
            throw new InvalidConfigurationException(pid, property, secretFilePath(file), expected + " (" + e.getClass().getSimpleName() + ")");
        }
        if (!attributes.isRegularFile()) {
            throw new InvalidConfigurationException(pid, property, secretFilePath(file), expected + " ("
                    + (attributes.isDirectory() ? "it is a folder" : "it is no regular file but a FIFO, a socket or a device; it is not opened") + ")");
        }
        if (attributes.size() > MAX_SECRET_FILE_BYTES) {
            throw new InvalidConfigurationException(pid, property, secretFilePath(file), expected + ", at most "
                    + MAX_SECRET_FILE_BYTES + " bytes (it holds " + attributes.size() + ")");
        }
        byte[] bytes;
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            bytes = in.readNBytes((int) MAX_SECRET_FILE_BYTES + 1); // it may have grown since it was looked at
        } catch (java.io.IOException | RuntimeException e) {
            throw new InvalidConfigurationException(pid, property, secretFilePath(file), expected + " (" + e.getClass().getSimpleName() + ")");
        }
        String text;
        try {
            if (bytes.length > MAX_SECRET_FILE_BYTES) {
                throw new InvalidConfigurationException(pid, property, secretFilePath(file), expected + ", at most "
                        + MAX_SECRET_FILE_BYTES + " bytes (it holds more)");
            }
            text = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new InvalidConfigurationException(pid, property, secretFilePath(file), expected + " (it is not UTF-8 text)");
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        Matcher named = NAMED_SECRET.matcher(text);
        if (named.find()) {
            // neither the value nor the name: a secret of that shape taken for a named line (mykey=1) would show its start
            throw new InvalidConfigurationException(pid, property, secretFilePath(file), "a file holding " + what + NAMED_LINE);
        }
        String secret = text.strip();
        if (secret.isEmpty()) {
            throw new InvalidConfigurationException(pid, property, secretFilePath(file), expected + ", on one line (the file is empty)"); // blanks alone included
        }
        if (secret.indexOf('\n') >= 0 || secret.indexOf('\r') >= 0) {
            throw new InvalidConfigurationException(pid, property, secretFilePath(file), expected
                    + ", on one line (it holds more than one line that is not blank)");
        }
        return secret;
    }

    /** Why {@link #secretFilePath} does not show a path that names no file. */
    static final String SECRET_FILE_NOT_SHOWN = "a value that names no file may be the secret itself, written where its file's path belongs";

    /** How a failed conversion quotes the value: the OSGi Converter's, or a NumberFormatException's (as Felix SCR passes it on). */
    private static final Pattern NOT_CONVERTED = Pattern.compile(
            "^Cannot convert (.*) to class [\\w.$]+$|For input string: \"(.*)\"(?: under radix \\d+)?$", Pattern.DOTALL);

    /**
     * A whole-number property of a component's configuration, read through its configuration
     * type's method: {@code int attempts = InvalidConfigurationException.wholeNumber(PID, "attempts",
     * config::attempts, "a whole number from 1 to 10")}. Config Admin hands a value from a Karaf
     * {@code .cfg} file over as text, and Declarative Services converts it to the method's type only
     * when the method is called: text that is no whole number ({@code ten}, {@code 3x}, {@code 2.5})
     * fails there with the converter's own exception, which names neither the PID nor the property.
     * Read through here, it is this exception, naming both, the value as written and what was
     * expected. Check the number's range afterwards, with the same {@code expected}.
     *
     * @param pid the configuration's PID
     * @param property the property's name
     * @param read the configuration type's method
     * @param expected what was expected, e.g. {@code a whole number from 1 to 10}
     * @return the number
     * @throws InvalidConfigurationException when the value is no whole number
     * @since 1.3 (package version)
     */
    public static int wholeNumber(String pid, String property, IntSupplier read, String expected) {
        try {
            return read.getAsInt();
        } catch (InvalidConfigurationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new InvalidConfigurationException(pid, property, given(e), expected);
        }
    }

    /**
     * A true-or-false property, read as it was configured: Declarative Services reads a switch's
     * text as {@link Boolean#parseBoolean}, so {@code yes}, {@code 1} or {@code maybe} would be
     * {@code false} without a word. Take the component's properties (a {@code Map<String, Object>}
     * parameter of its activation) and read the switch through here: {@code true} or {@code false}
     * in any case (or a Boolean) is the value, and anything else is this exception.
     *
     * @param pid the configuration's PID
     * @param property the property's name
     * @param properties the component's properties as configured
     * @param absent the value when the property is not set
     * @return the switch
     * @throws InvalidConfigurationException when the value is neither true nor false
     * @since 1.3 (package version)
     */
    public static boolean trueOrFalse(String pid, String property, Map<String, ?> properties, boolean absent) {
        Object value = properties == null ? null : properties.get(property);
        if (value == null) {
            return absent;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = value instanceof String t ? t.strip().toLowerCase(Locale.ROOT) : "";
        if (text.equals("true") || text.equals("false")) {
            return text.equals("true");
        }
        throw new InvalidConfigurationException(pid, property, value, "true or false");
    }

    /** The value as configured, as the failed conversion quotes it (the OSGi Converter or Felix SCR). */
    static String given(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            Matcher m = message == null ? null : NOT_CONVERTED.matcher(message);
            if (m != null && m.find()) {
                return m.group(1) != null ? m.group(1) : m.group(2);
            }
        }
        return String.valueOf(e.getMessage());
    }
}
