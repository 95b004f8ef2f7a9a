package dev.strata.platform.core.provenance;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes text that a provider wrote fit for the provenance log, the log and the shell: the
 * message of an exception a provider threw, the message of a machine's status, a step it reports,
 * a warning or an unavailable reason in its snapshot.
 *
 * <p>The SPI promises that such text carries no credential, and Strata's own providers keep that
 * promise. A bundle from elsewhere may not, and the provenance log keeps for good what it is given
 * (a record cannot be taken out without breaking the chain). So the core cleans every such text
 * where it comes in, before anything stores, logs or shows it:
 * <ul>
 * <li><b>Credentials in the forms they travel in</b> become {@value #MASK}: the user and password
 * of a URL ({@code https://admin:pw@bmc/}, the password's {@code /?#@} unencoded too; after a
 * {@code //} without its ':', {@code https//admin:pw@bmc/}, where a ':' stands between them, and
 * a token alone, {@code https//TOKEN@bmc/}, a {@code /} in it too, where a scheme or a word's
 * start comes before the {@code //}), the value of an {@code Authorization} header (its
 * scheme, whichever it is, and the credential after it, a quoted one up to its closing quote and
 * a list of parameters, {@code Digest username="u", response="..."}, to its last) and of a
 * {@code Bearer} or {@code Basic} credential ({@code Bearer "..."} quoted too), the value of any field, parameter or header whose
 * name says it is a secret ({@code password=}, {@code "token": "..."}, {@code X-Auth-Token:},
 * {@code X-Amz-Signature=}, {@code api_key}, {@code credential}, {@code private_key}, ...; a name
 * that ends in {@code file} or {@code path} names where a secret is kept and is left; a value that
 * is a list, {@code X-Auth-Token=[...]} as Java prints a map of headers or a JSON array, is masked
 * inside its brackets; a quoted value inside its quotes; a query parameter's, its name after a
 * {@code ?} or {@code &}, up to white space or one of {@code & # " ' < >}; any other value, and an
 * {@code Authorization} header's or a {@code Bearer} credential's, up to white space, a quote, a
 * {@code &}, a {@code ,} or {@code ;} followed by white space or by a name and {@code =} (the next
 * field of {@code {password=x, user=y}} or {@code Password=x;Database=y}), or the closing
 * brackets ({@code )}, {@code ]} or <code>}</code>) that end a run of them followed by the text's
 * end, white space, a {@code ,} or a {@code ;} and close, innermost first, brackets open before
 * the name ({@code (password=x)}, {@code {a=1, password=x}}; those before them in the run are the
 * value's: in {@code (password=ab))} one bracket is open, so the first {@code )} is the value's):
 * any other mark, {@code # , ; ( ) < >} included, is taken for the value's, as a generated password
 * holds them, so {@code password=a;b} and {@code password=a,b} are masked whole; only a {@code ,} or
 * {@code ;} followed by a name and {@code =} inside a secret ({@code password=a,b=c}) cannot be told
 * from the next field, and shows from there on), the
 * signature of an Azure shared access signature (the {@code sig} parameter of a URL's query), AWS
 * access key ids, JSON web tokens, OpenStack (Fernet) tokens and PEM private keys.</li>
 * <li><b>Control characters</b> (line breaks, terminal escapes, and the Unicode bidirectional
 * controls that can make a line read differently from what it holds) become a space, so that
 * one provider message is one line in the log and cannot forge a line of its own.</li>
 * <li><b>Length:</b> at most {@value #MAX_LENGTH} characters are kept, with the original length
 * said.</li>
 * </ul>
 * <p>Besides the forms, the <b>values of the secrets Strata's configuration holds</b> are masked
 * wherever they appear, a password written bare into a sentence included: {@link #knowSecret}
 * learns them ({@link ConfigurationRecorder} passes every secret property of a {@code dev.strata.*}
 * configuration, and the secret every secret file one names holds, as the providers read it). Values shorter than
 * {@value #MIN_KNOWN} characters are not, since masking them would garble ordinary words.
 *
 * <p>The same text always cleans to the same text (for the secrets known at the time), so a step
 * reported again on every status is still recorded once. A secret that is neither in one of the
 * forms nor in Strata's configuration is not found: a provider that writes one is at fault (the
 * kit's {@code StderrCapture} lets its tests search what it logged).
 */
public final class ProviderText {

    /** What a credential is replaced with. */
    public static final String MASK = "****";
    /** The longest text kept. */
    public static final int MAX_LENGTH = 2_000;
    /** Only this much of a longer text is looked at; the rest is cut before the rules run. */
    static final int WINDOW = 2 * MAX_LENGTH;
    /** Room left for the note that says a text was cut. */
    private static final int CUT_MARK_ROOM = 48;

    /** The shortest secret value masked wherever it appears. */
    public static final int MIN_KNOWN = 6;
    private static final int MAX_CAUSES = 8;
    /** The rules run at most this many times on one text. */
    private static final int MAX_PASSES = 4;
    /** Secret values from Strata's configuration, longest first (so a secret inside another is not masked half). */
    private static final Set<String> KNOWN = new ConcurrentSkipListSet<>(
            Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)", Pattern.DOTALL);
    /**
     * scheme://user:password@ or scheme://token@. A password pasted in as generated may hold
     * {@code /}, {@code ?}, {@code #} or {@code @} unencoded ({@code //strata:S3cr#t/pw@db}): after a
     * user and a {@code :}, everything up to the last {@code @} before white space, a double quote
     * or an angle bracket is taken for the password. A URL with a port and an {@code @} further on
     * ({@code //host:8443/users?email=ops@example.com}) loses its host to the mask: too much
     * masked, never too little.
     */
    private static final Pattern USERINFO = Pattern.compile(
            "(?i)(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,30}+://)(?:[^/\\s@?#:\"<>]*+:[^\\s\"<>]*|[^/\\s@?#]++)@");
    /**
     * //user:password@ after a {@code //} that is no {@code ://}: a URL that lost its ':'
     * ({@code https//admin:pw@bmc/}) or has no scheme ({@code //admin:pw@bmc/}). Without the ':' a
     * scheme's {@code //} cannot be told from a path's, so only a user and a password, a ':' between
     * them, are taken for user info here; the password runs to the last {@code @} as in {@link #USERINFO}.
     */
    private static final Pattern USERINFO_WITHOUT_COLON = Pattern.compile("(?<![:/])(//)[^/\\s@?#:\"<>]*+:[^\\s\"<>]*@");
    /**
     * //token@ without a ':' in it, after a {@code //} that is no {@code ://} but follows a scheme
     * that begins a word ({@code https//TOKEN@h}, {@code ssh//TOKEN@h}) or begins a word itself
     * ({@code //TOKEN@h} at the start of the text or after white space, a quote, a bracket, a
     * {@code <}, {@code =} or {@code ,}): a token alone as user info, which
     * {@code InvalidConfigurationException.withoutCredentials} masks too. The token may hold a
     * {@code /}, as a base64 one does ({@code https//Xk2/9fQ@h}): without the scheme's ':' it cannot
     * be told from a host and a path that holds an {@code @} ({@code https//h/x@y}), which loses its
     * host and path to the mask: too much masked, never too little. A {@code //} after a path's
     * segment ({@code /v2//x@sha}) follows a {@code /} and is left.
     */
    private static final Pattern TOKEN_WITHOUT_COLON = Pattern.compile(
            "(?i)((?:(?<![a-z0-9+.:/-])[a-z][a-z0-9+.-]{0,30}+|^|(?<=[\\s\"'<(\\[{=,]))//)[^\\s@?#:\"<>]++@");
    /**
     * Authorization: [scheme] value (header, or a field of that name). Any word before the value
     * is taken for a scheme ({@code SSWS}, {@code ApiKey}, {@code SharedKey}, {@code AWS}, ...), and
     * the scheme and its value are masked together: a list of known schemes would let the
     * credential of any other through. A scheme begins with a letter, so a value already masked
     * is not taken for one (cleaning twice changes nothing). A value that begins with a bracket is
     * {@link #AUTHORIZATION_LIST}'s, unless a quote or a scheme comes before it: in
     * {@code "Authorization": "(SSWS abc)"} and {@code Authorization: Bearer (abc)} the bracket is
     * the credential's, masked with it up to the quote, or as far as a bare value runs.
     */
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "(?i)(?<![a-z0-9_-])((?:proxy-)?authori[sz]ation[\"']?\\s*[:=]\\s*(?:[\"'](?=[^\\s\"'&])|(?![\"'])))"
                    + "(?:[a-z][a-z0-9_.+-]*+\\s++(?=[^\\s\"'&])|(?<=[\"'])|(?=[^\\s\"'&\\[(]))");
    /**
     * An Authorization header or field whose value is a bracketed list, as a Java map of headers
     * prints it ({@code {Authorization=[SSWS 00ab...]}}): the list is masked as a whole, see {@link #value}.
     */
    private static final Pattern AUTHORIZATION_LIST = Pattern.compile(
            "(?i)(?<![a-z0-9_-])(?:proxy-)?authori[sz]ation[\"']?\\s*[:=]\\s*(?=[\\[(])");
    /** Bearer value / Basic value, wherever it stands */
    private static final Pattern SCHEME_CREDENTIAL = Pattern.compile("(?i)(?<![a-z0-9_-])(bearer|basic)(\\s+)([A-Za-z0-9._~+/-]{8,}=*)");
    /** Bearer "value" or Bearer 'value', wherever it stands: the quote that opens the value */
    private static final Pattern QUOTED_BEARER = Pattern.compile("(?i)(?<![a-z0-9_-])bearer\\s+([\"'])");
    /**
     * A word that makes a name a secret's, in name=value, name: value, "name": "value". The name
     * around it (letters, digits, {@code _ . -}) is found by hand from each word's place: a regular
     * expression that tried every start of a name at every character cost 50 us a step line.
     */
    private static final Pattern SECRET_WORD = Pattern.compile(
            "(?i)password|passwd|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|signature"
                    + "|session[_-]?key|auth[_-]?key");
    /** How far before the secret word a name is taken to begin, at most. */
    private static final int NAME_BEFORE = 60;
    /**
     * What ends a bare value (neither quoted nor bracketed, nor a query parameter's) wherever it
     * stands, besides white space; a ',', ';' or closing bracket ends one only where it is followed
     * by what {@link #bareEnd} says.
     */
    private static final String BARE_VALUE_ENDS = "&\"'";
    /**
     * What ends a query parameter's value (its name after a '?' or '&'), besides white space: a
     * ',' or ';' there is the value's own, as RFC 3986 and browsers read a query.
     */
    private static final String QUERY_VALUE_ENDS = "&#\"'<>";
    private static final List<String> AWS_KEY_PREFIXES = List.of("AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "ANPA", "ANVA", "APKA",
            "AROA", "ASCA");
    private static final Pattern AWS_KEY_ID = Pattern.compile("(?<![A-Z0-9])(?:" + String.join("|", AWS_KEY_PREFIXES) + ")[A-Z0-9]{16}(?![A-Z0-9])");
    /** Every secret word contains one of these (lower case). */
    private static final List<String> SECRET_STEMS = List.of("pass", "pwd", "secret", "token", "key", "credential", "signature");
    private static final Pattern JWT = Pattern.compile("(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}");
    /**
     * The signature of an Azure shared access signature: the query parameter {@code sig} (a word too
     * short and common to be a secret's name anywhere else, so only as a parameter), base64 whether
     * percent-encoded or not.
     */
    private static final Pattern SAS_SIGNATURE = Pattern.compile("(?i)([?&;]sig=)[A-Za-z0-9%+/=_-]+");
    private static final Pattern FERNET = Pattern.compile("(?<![A-Za-z0-9_-])gAAAAA[A-Za-z0-9_-]{40,}=*");
    private static final List<String> NOT_SECRET_SUFFIXES = List.of("file", "path", "filename", "dir");

    private ProviderText() {
    }

    /**
     * The text cleaned as the class says; null stays null.
     *
     * @param text what a provider wrote
     */
    public static String clean(String text) {
        if (text == null) {
            return null;
        }
        int length = text.length();
        String s = maskKnown(length > WINDOW ? dropLastToken(text.substring(0, WINDOW)) : text);
        // a mask can complete a form an earlier rule passed over (a URL's user part that ran into a masked value): the
        // rules run again until nothing changes, so that cleaning a clean text changes nothing
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            String next = rules(s);
            if (next.equals(s)) {
                break;
            }
            s = next;
        }
        if (length <= WINDOW && s.length() <= MAX_LENGTH) {
            return s;
        }
        if (s.length() > MAX_LENGTH - CUT_MARK_ROOM) {
            s = dropLastToken(s.substring(0, MAX_LENGTH - CUT_MARK_ROOM));
        }
        String note = " (... cut; " + length + " characters in all)";
        // a cut can leave a secret's name and an opening quote at the end (passphrase=' whose value was cut off), which
        // the rules would read the note as the value of: such a last token goes too, so that cleaning again changes nothing
        for (int pass = 0; pass < MAX_PASSES && !s.isEmpty() && !rules(s + note).equals(s + note); pass++) {
            s = dropLastToken(s);
        }
        return s + note;
    }

    /**
     * The text with each secret {@link #knowSecret} learnt masked, and nothing else changed; null
     * stays null. This is the first step of {@link #clean}, for a caller that shows a text's control
     * and format characters escaped rather than as spaces: it masks first, escapes, and cleans last,
     * since a secret that holds such a character (a zero-width space in a password) is no longer
     * found once escaped.
     *
     * @param text the text
     */
    public static String maskKnown(String text) {
        if (text == null) {
            return null;
        }
        String s = text;
        for (String secret : KNOWN) {
            if (s.contains(secret)) {
                s = s.replace(secret, MASK);
            }
        }
        return s;
    }

    /** One pass of the rules after the known secrets (see the class). */
    private static String rules(String text) {
        String s = text;
        // each rule runs only where the text holds what it looks for (a masked text cannot gain it): most texts need none
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.contains("private key")) {
            s = PEM_KEY.matcher(s).replaceAll(MASK);
        }
        if (hasControl(s)) {
            s = spaceControls(s);
        }
        if (s.contains("//")) {
            s = USERINFO.matcher(s).replaceAll("$1" + MASK + "@");
            s = USERINFO_WITHOUT_COLON.matcher(s).replaceAll("$1" + MASK + "@");
            s = TOKEN_WITHOUT_COLON.matcher(s).replaceAll("$1" + MASK + "@");
        }
        if (lower.contains("authori")) {
            s = authorizations(s);
            s = authorizationLists(s);
        }
        if (lower.contains("bearer") || lower.contains("basic")) {
            s = schemeCredentials(s);
        }
        if (containsAny(lower, SECRET_STEMS)) {
            s = named(s);
        }
        if (containsAny(s, AWS_KEY_PREFIXES)) {
            s = AWS_KEY_ID.matcher(s).replaceAll(MASK);
        }
        if (s.contains("eyJ")) {
            s = JWT.matcher(s).replaceAll(MASK);
        }
        if (s.contains("gAAAAA")) {
            s = FERNET.matcher(s).replaceAll(MASK);
        }
        if (lower.contains("sig=")) {
            s = SAS_SIGNATURE.matcher(s).replaceAll("$1" + MASK);
        }
        return s;
    }

    /**
     * Learns the value of a secret, to be masked wherever it appears from now on (see the class);
     * surrounding white space is ignored, and values shorter than {@value #MIN_KNOWN} characters
     * are not kept. Secrets are kept in memory only, and never forgotten while Strata runs: a
     * rotated secret is still masked.
     *
     * @param value the secret
     */
    public static void knowSecret(String value) {
        String v = value == null ? "" : value.strip();
        if (v.length() >= MIN_KNOWN && !v.contains(MASK)) {
            KNOWN.add(v);
        }
    }

    /** Forgets a secret learnt by {@link #knowSecret} (for tests). */
    static void forgetSecret(String value) {
        KNOWN.remove(value == null ? "" : value.strip());
    }

    /**
     * The message of an exception a provider threw, cleaned; its class name when it has none.
     *
     * @param e what the provider threw
     */
    public static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : clean(m.strip());
    }

    /**
     * {@code Bearer <token>} always; {@code Basic <value>} only where the value is what HTTP's
     * basic scheme sends (base64 of {@code user:password}), so that "Basic configuration" stays.
     */
    private static String schemeCredentials(String s) {
        Matcher m = SCHEME_CREDENTIAL.matcher(s);
        List<int[]> ranges = new ArrayList<>();
        // a quoted token ("Bearer \"abc def\""): the quote was taken for the token's end, which left the token shown
        Matcher quoted = QUOTED_BEARER.matcher(s);
        while (quoted.find()) {
            int close = closingQuote(s, quoted.start(1));
            ranges.add(close < s.length() ? new int[] {quoted.start(1) + 1, close, 0}
                    : new int[] {quoted.start(1) + 1, s.length(), s.charAt(quoted.start(1))});
        }
        while (m.find()) {
            if (m.group(1).equalsIgnoreCase("bearer")) {
                // a token may hold what no b64token does ("Bearer abcdefgh;ijk"): it runs as far as any bare value
                ranges.add(new int[] {m.start(3), Math.max(m.end(3), bareEnd(s, m.start(1), m.start(3))), 0});
            } else if (isBasicCredential(m.group(3))) {
                ranges.add(new int[] {m.start(3), m.end(3), 0});
            }
        }
        ranges.sort(Comparator.comparingInt(r -> r[0]));
        return mask(s, ranges);
    }

    /**
     * Each Authorization header's or field's value, its scheme with it, masked; the value runs as
     * far as a bare value does ({@link #bareEnd}), so a credential holding a ',', ';' or bracket
     * ({@code Authorization: Bearer abc;def}) is masked whole; a quoted one up to its closing quote,
     * a blank in it too ({@code "Authorization": "(SSWS abc)"}).
     */
    private static String authorizations(String s) {
        Matcher m = AUTHORIZATION.matcher(s);
        List<int[]> ranges = new ArrayList<>();
        int from = 0;
        while (from < s.length() && m.find(from)) {
            char quote = s.charAt(m.end(1) - 1);
            if (quote == '"' || quote == '\'') {
                int close = closingQuote(s, m.end(1) - 1);
                ranges.add(close < s.length() ? new int[] {m.end(1), close, 0} : new int[] {m.end(1), s.length(), quote});
                from = Math.max(close, m.end(1) + 1);
                continue;
            }
            // a scheme's quoted credential or list of parameters runs past where a bare value would end: at its quote, or at
            // the quote of its first parameter's value, which left the rest of the list (a Digest response among them) shown
            int end = Math.max(bareEnd(s, m.start(), m.end()), schemeValueEnd(s, m.end(1)));
            if (end > m.end()) {
                ranges.add(new int[] {m.end(1), end, 0});
            }
            from = Math.max(end, m.end(1) + 1);
        }
        return mask(s, ranges);
    }

    /**
     * Where an Authorization value that begins at {@code at} with a scheme ends, when the scheme's
     * credential is quoted ({@code Bearer "abc def"}: after the closing quote) or is a list of
     * parameters ({@code Digest username="bob", response="6629fae4"}, RFC 9110's auth-params:
     * after the last {@code name=value} of the list, a value quoted or running up to white space,
     * a ',' or a quote); -1 when the value is neither (a bare token, {@code Bearer abc}).
     */
    private static int schemeValueEnd(String s, int at) {
        int i = at;
        if (i >= s.length() || !isAsciiLetter(s.charAt(i))) {
            return -1;
        }
        while (i < s.length() && (nameChar(s.charAt(i)) || s.charAt(i) == '+')) {
            i++;
        }
        int afterScheme = i;
        i = blanksEnd(s, i);
        if (i == afterScheme || i >= s.length()) {
            return -1;
        }
        if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
            return Math.min(closingQuote(s, i) + 1, s.length());
        }
        int end = -1;
        while (true) {
            int name = i;
            while (i < s.length() && nameChar(s.charAt(i))) {
                i++;
            }
            int equals = blanksEnd(s, i);
            if (i == name || equals >= s.length() || s.charAt(equals) != '=') {
                return end;
            }
            i = blanksEnd(s, equals + 1);
            if (i < s.length() && s.charAt(i) == '"') {
                i = Math.min(closingQuote(s, i) + 1, s.length());
            } else {
                int value = i;
                while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && s.charAt(i) != ',' && s.charAt(i) != '"') {
                    i++;
                }
                if (i == value) {
                    return end; // a token68 ending in '=' (Basic's base64), not a parameter
                }
            }
            end = i;
            int comma = blanksEnd(s, i);
            if (comma >= s.length() || s.charAt(comma) != ',') {
                return end;
            }
            i = blanksEnd(s, comma + 1);
        }
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static int blanksEnd(String s, int at) {
        int i = at;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isBasicCredential(String value) {
        try {
            return new String(Base64.getDecoder().decode(value), StandardCharsets.ISO_8859_1).indexOf(':') > 0;
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
    }

    /**
     * What to log or chain in place of an exception a provider threw: an exception whose message
     * is the original's class name and cleaned message, with the original's stack trace, and its
     * causes made the same way (up to {@value #MAX_CAUSES} deep). The stack trace stays for
     * whoever has to debug the provider; its words are cleaned like any other.
     *
     * @param e what the provider threw
     */
    public static Throwable trace(Throwable e) {
        return trace(e, ProviderText::clean);
    }

    /**
     * As {@link #trace(Throwable)}, each message shown by {@code shown} rather than cleaned (the
     * state store escapes a driver's text before it cleans it).
     *
     * @param e what was thrown
     * @param shown how a message is shown
     */
    public static Throwable trace(Throwable e, UnaryOperator<String> shown) {
        return trace(e, shown, 0);
    }

    private static Throwable trace(Throwable e, UnaryOperator<String> shown, int depth) {
        Throwable cause = e.getCause();
        Cleaned t = new Cleaned(e.getClass().getName() + (e.getMessage() == null ? "" : ": " + shown.apply(e.getMessage())),
                cause != null && cause != e && depth < MAX_CAUSES ? trace(cause, shown, depth + 1) : null);
        t.setStackTrace(e.getStackTrace());
        return t;
    }

    /** An exception that stands for another, its message cleaned or shown otherwise; it prints as the other would. */
    static final class Cleaned extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Cleaned(String message, Throwable cause) {
            super(message, cause, false, true);
        }

        @Override
        public String toString() {
            return getMessage();
        }
    }

    /**
     * Masks the value after every secret name. The search goes on inside each value, so that in
     * "credentials: password: x" the value of {@code password} is masked as well as that of
     * {@code credentials}; values that overlap or touch are masked as one.
     */
    private static String named(String s) {
        Matcher m = SECRET_WORD.matcher(s);
        List<int[]> ranges = new ArrayList<>();
        int from = 0;
        while (from < s.length() && m.find(from)) {
            int nameStart = m.start();
            while (nameStart > 0 && m.start() - nameStart < NAME_BEFORE && nameChar(s.charAt(nameStart - 1))) {
                nameStart--;
            }
            int nameEnd = m.end();
            while (nameEnd < s.length() && nameChar(s.charAt(nameEnd))) {
                nameEnd++;
            }
            int valueStart = separatorEnd(s, nameEnd);
            if (valueStart < 0) {
                from = m.end(); // a secret word, but no value follows its name
                continue;
            }
            String name = s.substring(nameStart, nameEnd).toLowerCase(Locale.ROOT);
            if (NOT_SECRET_SUFFIXES.stream().noneMatch(name::endsWith)) {
                boolean query = nameStart > 0 && (s.charAt(nameStart - 1) == '?' || s.charAt(nameStart - 1) == '&')
                        && s.charAt(nameEnd) == '=';
                int[] value = value(s, nameStart, valueStart, query);
                if (value[1] > value[0]) {
                    ranges.add(value);
                }
            }
            from = valueStart;
        }
        return mask(s, ranges);
    }

    /** The value of each Authorization header or field that is a bracketed list, masked (see {@link #value}). */
    private static String authorizationLists(String s) {
        Matcher m = AUTHORIZATION_LIST.matcher(s);
        List<int[]> ranges = new ArrayList<>();
        while (m.find()) {
            int[] value = value(s, m.start(), m.end(), false);
            if (value[1] > value[0]) {
                ranges.add(value);
            }
        }
        return mask(s, ranges);
    }

    /**
     * The text with each range (start, end, and the quote or bracket a value left open, else 0, as
     * {@link #value} gives them, in order of start) masked; ranges that overlap or touch are masked as one.
     */
    private static String mask(String s, List<int[]> ranges) {
        if (ranges.isEmpty()) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        int written = 0;
        int i = 0;
        while (i < ranges.size()) {
            int start = ranges.get(i)[0];
            int end = ranges.get(i)[1];
            int unclosed = ranges.get(i)[2];
            while (++i < ranges.size() && ranges.get(i)[0] <= end) {
                end = Math.max(end, ranges.get(i)[1]);
                unclosed = Math.max(unclosed, ranges.get(i)[2]);
            }
            out.append(s, written, start).append(MASK);
            if (unclosed != 0) {
                out.append((char) unclosed);
            }
            written = end;
        }
        return out.append(s, written, s.length()).toString();
    }

    private static boolean containsAny(String s, List<String> parts) {
        for (String p : parts) {
            if (s.contains(p)) {
                return true;
            }
        }
        return false;
    }

    /** C0 and C1 controls, the line and paragraph separators, and the bidirectional controls. */
    private static boolean isControl(char c) {
        return c < 0x20 || c >= 0x7F && c <= 0x9F || c == '\u2028' || c == '\u2029' || c == '\u200E' || c == '\u200F' || c >= '\u202A' && c <= '\u202E'
                || c >= '\u2066' && c <= '\u2069';
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (isControl(s.charAt(i)) || loneSurrogate(s, i)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the character at {@code i} is half of no surrogate pair. Such a text has no UTF-8 form
     * and no place in RFC 8785's I-JSON: a provenance record that quoted it could not be encoded,
     * and the operation it records would fail with the record (a provider's JSON error that
     * escapes {@code \ud800}, or a message cut by the provider between the halves of a pair).
     */
    private static boolean loneSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        return Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
    }

    /** Each run of control characters as one space. */
    private static String spaceControls(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean inRun = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (loneSurrogate(s, i)) {
                out.append('\uFFFD'); // what a UTF-8 decoder makes of it
                inRun = false;
            } else if (isControl(c)) {
                if (!inRun) {
                    out.append(' ');
                }
                inRun = true;
            } else {
                out.append(c);
                inRun = false;
            }
        }
        return out.toString();
    }

    private static boolean nameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-';
    }

    /** After a name ending at {@code at}: where its value begins past an optional closing quote, white space, ':' or '=', white space; -1 when no ':' or '=' follows. */
    private static int separatorEnd(String s, int at) {
        int i = at;
        if (i < s.length() && (s.charAt(i) == '"' || s.charAt(i) == '\'')) {
            i++;
        }
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        if (i >= s.length() || s.charAt(i) != ':' && s.charAt(i) != '=') {
            return -1;
        }
        i++;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /**
     * Where the value that starts at {@code at} lies: inside its quotes when quoted (a backslash
     * escapes); inside its brackets when it starts with '[' or '(' (a list, as Java prints a map of
     * headers, {@code {X-Auth-Token=[...]}}, or a JSON array), up to the bracket that closes it,
     * brackets nested and quotes inside honoured; else, a query parameter's value up to white
     * space or one of {@value #QUERY_VALUE_ENDS}, and any other value as {@link #bareEnd} says. The
     * third element is the quote or closing bracket a value left open (it runs to the end of the
     * text, and its mask closes it), else 0.
     *
     * @param nameStart where the value's name begins
     * @param query whether the name follows a '?' or '&' and is followed by '='
     */
    private static int[] value(String s, int nameStart, int at, boolean query) {
        if (at >= s.length()) {
            return new int[] {at, at, 0};
        }
        char quote = s.charAt(at);
        if (quote == '"' || quote == '\'') {
            int i = closingQuote(s, at);
            return i < s.length() ? new int[] {at + 1, i, 0} : new int[] {at + 1, s.length(), quote};
        }
        if (quote == '[' || quote == '(') {
            int i = closingBracket(s, at);
            return i < s.length() ? new int[] {at + 1, bracketedEnd(s, at, i), 0} : new int[] {at + 1, s.length(), quote == '[' ? ']' : ')'};
        }
        if (!query) {
            return new int[] {at, bareEnd(s, nameStart, at), 0};
        }
        int i = at;
        while (i < s.length() && QUERY_VALUE_ENDS.indexOf(s.charAt(i)) < 0 && !Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return new int[] {at, i, 0};
    }

    /**
     * Where a bare value that starts at {@code at} ends: at white space, a quote or a '&'; at a ','
     * or ';' followed by white space or by a name and '=' (the next field of a list, {@code {password=x,
     * user=y}}, {@code Password=x;Database=y}); at a run of ')', ']' and '}' followed by the end of the
     * text, white space, a ',' or a ';', where its last ones close brackets open before the name
     * ({@code nameStart}), innermost first ({@code (password=x)}, {@code {a=1, password=x}}): there,
     * at the first of those last ones, so that closing brackets beyond the open ones are the value's
     * ({@code (password=ab))} ends after {@code ab)}: one bracket was open); else at the end of the
     * text. Anything else is the value's: a generated password holds ',', ';', '#', '(' and ')' as
     * readily as letters, so where a mark may be the value's or end it, it is taken for the value's
     * and masked with it. A secret holding a ',' or ';' followed by a name and '='
     * ({@code password=a,b=c}) cannot be told from two fields and shows from its ',' on.
     */
    private static int bareEnd(String s, int nameStart, int at) {
        int i = at;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || BARE_VALUE_ENDS.indexOf(c) >= 0) {
                return i;
            }
            if ((c == ',' || c == ';') && i + 1 < s.length() && (Character.isWhitespace(s.charAt(i + 1)) || namesField(s, i + 1))) {
                return i;
            }
            if (c == ')' || c == ']' || c == '}') {
                int run = i;
                while (run < s.length() && ")]}".indexOf(s.charAt(run)) >= 0) {
                    run++;
                }
                if (run == s.length() || s.charAt(run) == ',' || s.charAt(run) == ';' || Character.isWhitespace(s.charAt(run))) {
                    int closing = closingOpenBefore(s, nameStart, s.substring(i, run));
                    if (closing > 0) {
                        return run - closing;
                    }
                }
                i = run; // brackets that close none opened before the name are the value's
                continue;
            }
            i++;
        }
        return i;
    }

    /**
     * Where a bracketed value that opens at {@code at} ends, its bracket first closed at {@code i}
     * ({@link #closingBracket}): a secret may hold closing brackets of its own
     * ({@code Authorization: (Bearer abc))}, {@code token=[ab]c]}), so the value runs on, as a bare
     * value does ({@link #bareEnd}), to a run of closing brackets whose last ones close its own
     * bracket and those open before it, followed by the text's end, white space, a {@code ,} or a
     * {@code ;}; the closing brackets before those are the secret's. Where no such run follows before
     * what ends a bare value, it ends at {@code i}.
     */
    private static int bracketedEnd(String s, int at, int i) {
        // the value's own bracket counts among those open before it, the innermost
        int end = bareEnd(s, at + 1, i);
        return end < s.length() && ")]}".indexOf(s.charAt(end)) >= 0 ? end : i;
    }

    /** Whether a name (a letter, then letters, digits or {@code _ . -}) and '=' begin at {@code at}. */
    private static boolean namesField(String s, int at) {
        if (at >= s.length() || !Character.isLetter(s.charAt(at))) {
            return false;
        }
        int i = at;
        while (i < s.length() && nameChar(s.charAt(i))) {
            i++;
        }
        return i < s.length() && s.charAt(i) == '=';
    }

    /**
     * How many of the last closing brackets of {@code run} close, innermost first, brackets that
     * the text before {@code end} leaves open: the most that do, at most as many as are open; 0
     * where its last one closes none. A closing bracket before {@code end} closes the innermost
     * open one where it matches it and is passed over where it does not.
     */
    private static int closingOpenBefore(String s, int end, String run) {
        StringBuilder open = new StringBuilder(); // the closing bracket each open one awaits, innermost last
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                open.append(c == '(' ? ')' : c == '[' ? ']' : '}');
            } else if (open.length() > 0 && c == open.charAt(open.length() - 1)) {
                open.setLength(open.length() - 1);
            }
        }
        for (int k = Math.min(run.length(), open.length()); k > 0; k--) {
            boolean closes = true;
            for (int m = 0; m < k && closes; m++) {
                closes = run.charAt(run.length() - k + m) == open.charAt(open.length() - 1 - m);
            }
            if (closes) {
                return k;
            }
        }
        return 0;
    }

    /** Where the quote that opens at {@code at} closes (a backslash escapes); the text's length when it does not. */
    private static int closingQuote(String s, int at) {
        char quote = s.charAt(at);
        int i = at + 1;
        while (i < s.length() && s.charAt(i) != quote) {
            i += s.charAt(i) == '\\' ? 2 : 1;
        }
        return Math.min(i, s.length());
    }

    /**
     * Where the bracket that opens at {@code at} closes: brackets ({@code [ ( {}) nest, a closing
     * bracket that matches no open one is part of the value, and a string quoted where an element
     * or a field's value begins (after a bracket, ',', ':' or '=') is skipped, so that an
     * apostrophe inside a word opens none; the text's length when it does not close.
     */
    private static int closingBracket(String s, int at) {
        StringBuilder open = new StringBuilder(); // the closing bracket each open one awaits, innermost last
        char before = 0; // the last character that was not white space
        int i = at;
        while (i < s.length()) {
            char c = s.charAt(i);
            if ((c == '"' || c == '\'') && "[({,:=".indexOf(before) >= 0) {
                i = closingQuote(s, i);
            } else if (c == '[' || c == '(' || c == '{') {
                open.append(c == '[' ? ']' : c == '(' ? ')' : '}');
            } else if (open.length() > 0 && c == open.charAt(open.length() - 1)) {
                open.setLength(open.length() - 1);
                if (open.length() == 0) {
                    return i;
                }
            }
            if (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
                before = s.charAt(i);
            }
            i++;
        }
        return s.length();
    }

    /** The text without its last whitespace-separated token, which a cut may have split. */
    private static String dropLastToken(String s) {
        int space = s.length() - 1;
        while (space >= 0 && !Character.isWhitespace(s.charAt(space))) {
            space--;
        }
        return space < 0 ? "" : s.substring(0, space).stripTrailing();
    }
}
