package dev.strata.platform.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.exception.StrataException;
import org.junit.jupiter.api.Test;

/**
 * A copy of a refusal with another message, or with another message and cause, is a
 * {@link WritesRefusedException} still: the deployment engine tells it from a plain
 * {@code NotLeaderException} by its class, since being sent to the leader does not mend this
 * instance.
 */
class WritesRefusedExceptionTest {

    @Test
    void aCopyWithAnotherMessageOrCauseKeepsTheClassTheLeaderAndTheSuppressed() {
        WritesRefusedException refused = new WritesRefusedException("writes are refused: the mode lock is not held", "i-2", "b:8101");
        IllegalStateException first = new IllegalStateException("first");
        refused.initCause(first);
        IllegalArgumentException suppressed = new IllegalArgumentException("suppressed");
        refused.addSuppressed(suppressed);
        IllegalArgumentException shown = new IllegalArgumentException("shown");

        StrataException copy = refused.withMessage("escaped", shown);
        assertThat(copy).isInstanceOfSatisfying(WritesRefusedException.class, c -> {
            assertThat(c).hasMessage("escaped").hasCause(shown);
            assertThat(c.leaderId()).isEqualTo("i-2");
            assertThat(c.leaderAddress()).isEqualTo("b:8101");
            assertThat(c.getSuppressed()).containsExactly(suppressed);
            assertThat(c.getStackTrace()).isEqualTo(refused.getStackTrace());
        });
        StrataException same = refused.withMessage("escaped");
        assertThat(same).isInstanceOf(WritesRefusedException.class).hasMessage("escaped").hasCause(first);
    }
}
