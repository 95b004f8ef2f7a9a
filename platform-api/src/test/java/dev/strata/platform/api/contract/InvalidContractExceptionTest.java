package dev.strata.platform.api.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What an invalid contract's exception keeps: its source and violations, in copies with another message too. */
class InvalidContractExceptionTest {

    private static final List<Violation> VIOLATIONS = List.of(new Violation("name", "x", "the contract's name"),
            new Violation("tenant", null, "a tenant id"));

    @Test
    void theSourceIsKeptAsGivenWhateverItHolds() {
        InvalidContractException e = new InvalidContractException("a has 2 errors:\n  b.yaml", VIOLATIONS);
        assertThat(e.source()).isEqualTo("a has 2 errors:\n  b.yaml");
        assertThat(e).hasMessageStartingWith("contract a has 2 errors:\n  b.yaml has 2 errors:\n  name: 'x'");
        assertThat(new InvalidContractException(null, VIOLATIONS).source()).isNull();
    }

    /**
     * A copy with another message is an {@code InvalidContractException} with the same source,
     * violations, cause and stack trace; before, it was a plain {@code StrataException}, which
     * whoever caught contract errors by their type took for another error.
     */
    @Test
    void aCopyWithAnotherMessageKeepsTheTypeTheSourceAndTheViolations() {
        InvalidContractException e = new InvalidContractException("c.yaml", VIOLATIONS);
        IllegalStateException cause = new IllegalStateException("cause");
        e.initCause(cause);
        Object copy = e.withMessage("contract c.yaml has 2 errors (shown escaped)");
        assertThat(copy).isInstanceOfSatisfying(InvalidContractException.class, c -> {
            assertThat(c).hasMessage("contract c.yaml has 2 errors (shown escaped)").hasCause(cause);
            assertThat(c.source()).isEqualTo("c.yaml");
            assertThat(c.violations()).isEqualTo(VIOLATIONS);
            assertThat(c.getStackTrace()).isEqualTo(e.getStackTrace());
        });
        assertThat(e).hasMessageStartingWith("contract c.yaml has 2 errors:\n");
    }

    /**
     * A copy with another message and another cause (from 1.3) is an {@code InvalidContractException}
     * too, with the same source, violations and stack trace and the cause given; without its own
     * override it would be the plain {@code StrataException} its superclass makes.
     */
    @Test
    void aCopyWithAnotherCauseKeepsTheTypeTheSourceAndTheViolations() {
        InvalidContractException e = new InvalidContractException("c.yaml", VIOLATIONS);
        e.initCause(new IllegalStateException("cause"));
        IllegalArgumentException shown = new IllegalArgumentException("shown");
        Object copy = e.withMessage("contract c.yaml has 2 errors (shown escaped)", shown);
        assertThat(copy).isInstanceOfSatisfying(InvalidContractException.class, c -> {
            assertThat(c).hasMessage("contract c.yaml has 2 errors (shown escaped)").hasCause(shown);
            assertThat(c.source()).isEqualTo("c.yaml");
            assertThat(c.violations()).isEqualTo(VIOLATIONS);
            assertThat(c.getStackTrace()).isEqualTo(e.getStackTrace());
        });
    }
}
