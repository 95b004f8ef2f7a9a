package dev.strata.platform.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * A provenance record's hash, as both ways of sealing compute it ({@link LogRecord#seal} from the
 * values, and from canonical forms the caller encoded), against an oracle that shares no code with
 * them: the record's body written as plain JSON here (every character outside printable ASCII
 * escaped, members in random order), canonicalised by the RFC 8785 reference implementation
 * ({@code io.github.erdtman:java-json-canonicalization}) and hashed by the JDK's SHA-256. Fields,
 * subject ids and payload names mix what the canonical form makes awkward: quotes, backslashes,
 * control characters, U+2028, U+007F, characters above U+FFFF (which sort before U+E000..U+FFFF),
 * empty strings; the payload nests objects and arrays and holds numbers of every size a double
 * holds exactly as an integer, fractions, booleans and nulls.
 */
class RecordHashOracleTest {

    private static final int[] AWKWARD = {'"', '\\', '/', 0, 0x1f, 0x7f, 0x2028, 0x2029, 0xfeff, 0xe000, 0xffff, 0x10000, 0x1f600, 0x10ffff,
        0xe9, 'A', 'a', '_', ' '};

    @Property(tries = 500)
    void theHashIsSha256OfTheReferenceCanonicalFormOfTheBody(@ForAll long seed) throws Exception {
        Random r = new Random(seed);
        long seq = new long[] {1, 2, r.nextInt(1_000_000) + 1L, (1L << 53) - 1}[r.nextInt(4)];
        String time = r.nextBoolean() ? LogRecord.formatTime(java.time.Instant.ofEpochMilli(r.nextLong() >>> 24)) : string(r);
        String kind = r.nextBoolean() ? "placement" : string(r);
        String actor = r.nextBoolean() ? "system" : string(r);
        String prev = r.nextBoolean() ? Hashes.genesis(string(r)) : string(r);
        Map<String, String> subjects = new TreeMap<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            subjects.put(string(r), string(r));
        }
        Map<String, Object> payload = object(r, 3);

        LogRecord plain = LogRecord.seal(seq, time, kind, actor, subjects, payload, prev);
        LogRecord fast = LogRecord.seal(seq, time, kind, actor, subjects, Jcs.canonicalize(subjects), payload, Jcs.canonicalize(payload), prev);

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("seq", seq);
        body.put("time", time);
        body.put("kind", kind);
        body.put("actor", actor);
        body.put("subjects", subjects);
        body.put("payload", payload);
        body.put("prev", prev);
        String json = json(body, r);
        byte[] canonical = new JsonCanonicalizer(json).getEncodedUTF8();
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));

        assertThat(plain.hash()).as(json).isEqualTo(expected);
        assertThat(fast.hash()).as(json).isEqualTo(expected);
        assertThat(plain.computeHash()).isEqualTo(expected);
        assertThat(new String(Jcs.canonicalBytes(plain.body()), StandardCharsets.UTF_8)).isEqualTo(new String(canonical, StandardCharsets.UTF_8));
    }

    // ---- generators -----------------------------------------------------------------------------

    private static String string(Random r) {
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(9); i > 0; i--) {
            int cp = switch (r.nextInt(4)) {
                case 0 -> 0x20 + r.nextInt(0x5f);
                case 1 -> r.nextInt(0xd800);
                case 2 -> 0xe000 + r.nextInt(0x110000 - 0xe000);
                default -> AWKWARD[r.nextInt(AWKWARD.length)];
            };
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    private static Map<String, Object> object(Random r, int depth) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = r.nextInt(5); i > 0; i--) {
            out.put(string(r), value(r, depth - 1));
        }
        return out;
    }

    private static Object value(Random r, int depth) {
        return switch (r.nextInt(depth <= 0 ? 6 : 8)) {
            case 0 -> string(r);
            case 1 -> switch (r.nextInt(4)) {
                case 0 -> (long) r.nextInt();
                case 1 -> 0L;
                case 2 -> (1L << 53) * (r.nextBoolean() ? 1 : -1);
                default -> (r.nextLong() >> 11);
            };
            case 2 -> new double[] {0.5, -0.25, 1e-7, 1e21, 123456.789, 0.1 + 0.2, 5e-324, Double.MAX_VALUE, r.nextDouble(), -r.nextInt() / 1000.0}[r.nextInt(10)];
            case 3 -> r.nextBoolean();
            case 4 -> null;
            case 5 -> string(r);
            case 6 -> object(r, depth);
            default -> {
                List<Object> list = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    list.add(value(r, depth - 1));
                }
                yield list;
            }
        };
    }

    // ---- the oracle's JSON: written here, not by Json or Jcs --------------------------------------

    private static String json(Object v, Random r) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            StringBuilder sb = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                    sb.append(c);
                } else {
                    sb.append(String.format("\\u%04x", (int) c));
                }
            }
            return sb.append('"').toString();
        }
        if (v instanceof Boolean || v instanceof Long) {
            return v.toString();
        }
        if (v instanceof Double d) {
            return new java.math.BigDecimal(d).toString(); // exact, never the shortest form Jcs writes
        }
        if (v instanceof Map<?, ?> m) {
            List<String> members = new ArrayList<>();
            m.forEach((k, x) -> members.add(json(k, r) + ":" + json(x, r)));
            java.util.Collections.shuffle(members, r);
            return "{" + String.join(",", members) + "}";
        }
        if (v instanceof List<?> l) {
            List<String> items = new ArrayList<>();
            l.forEach(x -> items.add(json(x, r)));
            return "[" + String.join(",", items) + "]";
        }
        throw new IllegalArgumentException("no JSON for " + v.getClass());
    }
}
