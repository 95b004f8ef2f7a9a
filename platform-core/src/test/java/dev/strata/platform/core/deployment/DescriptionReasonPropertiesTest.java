package dev.strata.platform.core.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.exception.ProviderFailureException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;

/**
 * The reason the once-per-reason warning tells a member's undescribable machine by ({@link Reconciler#reason}): an error
 * that differs only in a request id, whatever hex digits the id holds, gives one reason; errors that differ in their words
 * give two.
 */
class DescriptionReasonPropertiesTest {

    private static String reason(String message) {
        ProviderFailureException ex = new ProviderFailureException(message);
        return Reconciler.reason(ex, message);
    }

    /**
     * The two request ids of a CI run where the same refusal was warned of twice: the second id's fourth group
     * ({@code adcc}) holds letters only, and was kept in the reason as a word.
     */
    @Example
    void aUuidWithAGroupOfLettersOnlyGivesTheReasonOfAnyOther() {
        assertThat(reason("provider lab: DescribeInstances refused (request 368e9a5e-7ec7-481b-adcc-f36f77e00b91, attempt 3)"))
                .isEqualTo(reason("provider lab: DescribeInstances refused (request 15d75924-1b6f-46a6-a0a9-9e7d33b2e7cd, attempt 1)"));
    }

    @Property
    void anErrorDifferingOnlyInItsRequestIdGivesOneReason(@ForAll("uuids") String a, @ForAll("uuids") String b,
            @ForAll("words") String before, @ForAll("words") String after) {
        assertThat(reason(before + " (request " + a + ") " + after)).isEqualTo(reason(before + " (request " + b + ") " + after));
    }

    @Property
    void errorsDifferingInAWordGiveTwoReasons(@ForAll("uuids") String a, @ForAll("uuids") String b, @ForAll("words") String word,
            @ForAll("words") String other) {
        net.jqwik.api.Assume.that(!word.equals(other));
        assertThat(reason("DescribeInstances refused: " + word + " (request " + a + ")"))
                .isNotEqualTo(reason("DescribeInstances refused: " + other + " (request " + b + ")"));
    }

    /** Words with no hex digit in them, as a provider's fixed text holds (quota, throttled, denied). */
    @Provide
    Arbitrary<String> words() {
        return Arbitraries.strings().withChars("ghijklmnopqrstuvwxyz GHIJKLMNOPQRSTUVWXYZ:").ofMinLength(1).ofMaxLength(20);
    }

    /**
     * UUIDs in either case, each group drawn from all hex digits or from the letters a-f alone (half the time), so ids with
     * groups of letters only, first, last or between, are frequent rather than one in twenty.
     */
    @Provide
    Arbitrary<String> uuids() {
        Arbitrary<String> g8 = group(8);
        Arbitrary<String> g4 = group(4);
        Arbitrary<String> g12 = group(12);
        Arbitrary<String> id = Combinators.combine(g8, g4, g4, g4, g12).as((p, q, r, s, t) -> p + "-" + q + "-" + r + "-" + s + "-" + t);
        return Combinators.combine(id, Arbitraries.of(true, false)).as((s, upper) -> upper ? s.toUpperCase(java.util.Locale.ROOT) : s);
    }

    private static Arbitrary<String> group(int length) {
        return Arbitraries.oneOf(Arbitraries.strings().withChars("0123456789abcdef").ofLength(length),
                Arbitraries.strings().withChars("abcdef").ofLength(length));
    }
}
