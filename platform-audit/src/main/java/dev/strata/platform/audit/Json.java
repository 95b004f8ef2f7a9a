package dev.strata.platform.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON (RFC 8259) parser into plain Java values, for the I-JSON subset RFC 8785 works
 * on: objects become {@code LinkedHashMap<String, Object>} (a duplicate name is an error),
 * arrays {@code ArrayList<Object>}, strings {@code String} (lone surrogates are an error), numbers
 * {@code Double} (IEEE 754 double precision; but see {@link #parseObjectExactly}), {@code true}/{@code false} {@code Boolean}, and
 * {@code null} Java's null. Thread-safe (stateless); every call parses one document.
 */
public final class Json {

    private final String text;
    private final boolean exact;
    private int pos;

    private Json(String text, boolean exact) {
        this.text = text;
        this.exact = exact;
    }

    /**
     * Parses one JSON document.
     *
     * @throws IllegalArgumentException naming the offset and what was expected, for malformed input
     */
    public static Object parse(String text) {
        return parse(text, false);
    }

    private static Object parse(String text, boolean exact) {
        Json p = new Json(text, exact);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) {
            throw p.error("end of the document");
        }
        return value;
    }

    /** Parses a JSON object. */
    public static Map<String, Object> parseObject(String text) {
        return parseObject(text, false);
    }

    /**
     * As {@link #parseObject(String)}, except that a number of 2^53 or more whose value no double
     * holds ({@code 9007199254740993}, which reads as the double 9007199254740992) becomes the
     * {@code BigDecimal} written, so that {@link Jcs} refuses a whole one as it refuses such a number
     * from Strata's writer, rather than hashing another value than the text holds. Such a number
     * is at most {@value #MAX_EXACT_CHARS} characters long.
     */
    static Map<String, Object> parseObjectExactly(String text) {
        return parseObject(text, true);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parseObject(String text, boolean exact) {
        Object value = parse(text, exact);
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("expected a JSON object, found " + describe(value));
        }
        return (Map<String, Object>) value;
    }

    static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Map) {
            return "an object";
        }
        if (value instanceof List) {
            return "an array";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        return "a number";
    }

    private Object value(int depth) {
        if (depth > 512) {
            throw error("at most 512 levels of nesting");
        }
        if (pos >= text.length()) {
            throw error("a value");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object(depth);
            case '[':
                return array(depth);
            case '"':
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return null;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("a value");
        }
    }

    private Map<String, Object> object(int depth) {
        pos++;
        Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("a member name in double quotes");
            }
            int at = pos;
            String name = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object value = value(depth + 1);
            if (map.containsKey(name)) {
                pos = at;
                throw error("no duplicate member name '" + Verification.quoted(name) + "'");
            }
            map.put(name, value);
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == '}') {
                return map;
            }
            if (c != ',') {
                pos--;
                throw error("',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) {
        pos++;
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipWhitespace();
            list.add(value(depth + 1));
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == ']') {
                return list;
            }
            if (c != ',') {
                pos--;
                throw error("',' or ']'");
            }
        }
    }

    private String string() {
        pos++;
        int start = pos;
        // fast path: no escapes
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"') {
                String s = text.substring(start, pos++);
                checkSurrogates(s, start);
                return s;
            }
            if (c == '\\' || c < 0x20) {
                break;
            }
            pos++;
        }
        StringBuilder sb = new StringBuilder(text.length() - start < 64 ? 16 : 64);
        sb.append(text, start, pos);
        while (true) {
            if (pos >= text.length()) {
                throw error("the closing '\"' of a string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                String s = sb.toString();
                checkSurrogates(s, start);
                return s;
            }
            if (c < 0x20) {
                pos--;
                throw error("no unescaped control character in a string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw error("an escape sequence");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("four hex digits after \\u");
                    }
                    int v = 0;
                    for (int i = 0; i < 4; i++) {
                        // ASCII hex digits only: Character.digit also reads fullwidth and other scripts' digits
                        char h = text.charAt(pos++);
                        int d = h < 0x80 ? Character.digit(h, 16) : -1;
                        if (d < 0) {
                            pos--;
                            throw error("four hex digits after \\u");
                        }
                        v = v * 16 + d;
                    }
                    sb.append((char) v);
                }
                default -> {
                    pos--;
                    throw error("one of the escapes \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
                }
            }
        }
    }

    private void checkSurrogates(String s, int at) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                pos = at;
                throw error("no lone surrogate in a string (I-JSON)");
            }
            if (Character.isLowSurrogate(c)) {
                pos = at;
                throw error("no lone surrogate in a string (I-JSON)");
            }
        }
    }

    /** The longest number {@link #parseObjectExactly} reads exactly: a double's largest is 309 digits, its shortest form 25 characters. */
    static final int MAX_EXACT_CHARS = 400;

    private static final double TWO_TO_53 = 0x1p53;

    private Number number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            while (isDigit(peek())) {
                pos++;
            }
        } else {
            throw error("a digit");
        }
        if (peek() == '.') {
            pos++;
            if (!isDigit(peek())) {
                throw error("a digit after the decimal point");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw error("a digit in the exponent");
            }
            while (isDigit(peek())) {
                pos++;
            }
        }
        String written = text.substring(start, pos);
        double d = Double.parseDouble(written);
        if (Double.isInfinite(d)) {
            pos = start;
            throw error("a number within IEEE 754 double precision range");
        }
        if (exact && Math.abs(d) >= TWO_TO_53) {
            if (written.length() > MAX_EXACT_CHARS) {
                pos = start;
                throw error("a number of at most " + MAX_EXACT_CHARS + " characters (this one has " + written.length() + ")");
            }
            java.math.BigDecimal value = new java.math.BigDecimal(written);
            if (value.compareTo(new java.math.BigDecimal(d)) != 0) {
                return value;
            }
        }
        return d;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void literal(String word) {
        if (!text.startsWith(word, pos)) {
            throw error("a value");
        }
        pos += word.length();
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("'" + c + "'");
        }
        pos++;
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private IllegalArgumentException error(String expected) {
        String found = pos >= text.length() ? "the end of the text"
                : "'" + text.substring(pos, Math.min(text.length(), pos + 12)).replace("\n", "\\n") + "'";
        return new IllegalArgumentException("malformed JSON at offset " + pos + ": found " + found + "; expected " + expected);
    }
}
