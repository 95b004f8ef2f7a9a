package dev.strata.platform.core.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.StateStoreException;
import org.junit.jupiter.api.Test;

/**
 * A deployment's spec and a member's machine record, as stored, that cannot be read: what is said
 * names the deployment (and the member) and what was expected, and never repeats the row's text,
 * which may hold a tenant's parameters. Before, Jackson's own message was passed on, and it quotes
 * the token it could not read ({@code Unrecognized token 'hunter2'}).
 */
class SpecTest {

    private static final String SECRET = "hunter2";

    @Test
    void anUnreadableSpecNamesTheDeploymentAndWhatWasExpectedWithoutItsContent() {
        assertThatThrownBy(() -> Spec.parse(SECRET + " is no JSON", "d-000007")).isInstanceOf(StateStoreException.class)
                .hasMessage("the spec of deployment d-000007 cannot be read (not well-formed JSON at line 1, column 1); expected the"
                        + " JSON object the core stores for a deployment (contract, tenant, priority, onMachineLoss, allocationId, members)")
                .hasNoCause();
        assertThatThrownBy(() -> Spec.parse("{\"contract\": \"train\", \"members\": \"" + SECRET + "\"}", "d-000007"))
                .isInstanceOf(StateStoreException.class)
                .hasMessageStartingWith("the spec of deployment d-000007 cannot be read (JSON of another shape at .members, line 1,")
                .hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> Spec.parse("", "d-000007")).isInstanceOf(StateStoreException.class)
                .hasMessageStartingWith("the spec of deployment d-000007 cannot be read (it is empty); expected the JSON object");
    }

    @Test
    void anUnreadableMachineRecordNamesTheMemberAndWhatWasExpectedWithoutItsContent() {
        Spec.Detail detail = Spec.Detail.parse("{\"machine\": " + SECRET + "}", "d-000007", "worker-1");
        assertThat(detail.machine()).isNull();
        assertThat(detail.message()).isEqualTo("the machine record of member worker-1 of deployment d-000007 cannot be read (not well-formed"
                + " JSON at line 1, column 13); expected the JSON object the core stores for a member's machine (machine, operation, message)");
        assertThat(Spec.Detail.parse("{\"operation\": [\"" + SECRET + "\"]}", "d-000007", "worker-1").message())
                .startsWith("the machine record of member worker-1 of deployment d-000007 cannot be read (JSON of another shape at .operation,")
                .doesNotContain(SECRET);
    }
}
