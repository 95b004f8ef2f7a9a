package dev.strata.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.provisioning.MachineState;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Ids, client tokens and the EC2 state mapping (moto's instances are running at once, so every state is checked here). */
class IdsTest {

    @Test
    void offerIdsRoundTripAndZonesFindTheirRegion() {
        String id = Ids.offer("aws-prod", "eu-central-1a", "p5.48xlarge");
        assertThat(id).isEqualTo("aws-prod:eu-central-1a:p5.48xlarge");
        assertThat(Ids.parseOffer("aws-prod", id)).contains(new Ids.Offer("eu-central-1a", "p5.48xlarge"));
        assertThat(Ids.parseOffer("aws", id)).isEmpty();
        assertThat(Ids.parseOffer("aws-prod", "aws-prod:eu-central-1a")).isEmpty();
        List<String> regions = List.of("us-east-1", "us-east-2", "eu-central-1");
        assertThat(Ids.regionOf("us-east-1a", regions)).contains("us-east-1");
        assertThat(Ids.regionOf("us-east-1-bos-1a", regions)).contains("us-east-1");
        assertThat(Ids.regionOf("us-east-2c", regions)).contains("us-east-2");
        assertThat(Ids.regionOf("us-east-11a", regions)).isEmpty();
        assertThat(Ids.regionOf("eu-west-1a", regions)).isEmpty();
        assertThat(Ids.efaFabric("aws", "us-east-1a", 3200.0)).isEqualTo("aws:us-east-1a:efa-3200g");
        assertThat(Ids.efaFabric("aws", "us-east-1a", 12.5)).isEqualTo("aws:us-east-1a:efa-12.5g");
    }

    @Test
    void clientTokensAreStablePerOperationDistinctOtherwiseAndFitEc2sLimit() {
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String token = Ids.clientToken("aws", "op-" + i);
            assertThat(token).isEqualTo(Ids.clientToken("aws", "op-" + i)).hasSizeLessThanOrEqualTo(64).matches("[ -~]+");
            tokens.add(token);
        }
        assertThat(tokens).hasSize(1000);
        assertThat(Ids.clientToken("aws-a", "op")).isNotEqualTo(Ids.clientToken("aws-b", "op"));
    }

    /**
     * The token of an operation is the one every earlier run and version sent for it: a launch whose answer a crash lost is
     * repeated by a restarted (or upgraded) Strata, and EC2 returns the instance it launched only for the same token. The test
     * above compares two tokens of one JVM, and so cannot see a token that changes from one run to the next (one salted per
     * process, or built on a hash code that is); this one pins the token of one operation.
     */
    @Test
    void anOperationsClientTokenIsTheOneEarlierRunsSent() {
        assertThat(Ids.clientToken("aws", "op-7672edb9-0339-4461-912c-133f68d63ba3"))
                .isEqualTo("strata-3cbb9f47f0a2ab07e6aeb3cea369a3c09154a2c1bdc0784c");
    }

    @Test
    void everyEc2StateMapsAndUnknownOnesFail() {
        assertThat(MachineStates.of("pending", null).state()).isEqualTo(MachineState.PENDING);
        assertThat(MachineStates.of("running", null).state()).isEqualTo(MachineState.RUNNING);
        assertThat(MachineStates.of("shutting-down", null).state()).isEqualTo(MachineState.DELETING);
        assertThat(MachineStates.of("terminated", "Server.InsufficientInstanceCapacity")).satisfies(m -> {
            assertThat(m.state()).isEqualTo(MachineState.GONE);
            assertThat(m.message()).contains("InsufficientInstanceCapacity");
        });
        assertThat(MachineStates.of("stopped", "Client.UserInitiatedShutdown")).satisfies(m -> {
            assertThat(m.state()).isEqualTo(MachineState.FAILED);
            assertThat(m.message()).contains("stopped").contains("UserInitiatedShutdown");
        });
        assertThat(MachineStates.of("stopping", null).state()).isEqualTo(MachineState.FAILED);
        assertThat(MachineStates.of("hibernating", null)).satisfies(m -> {
            assertThat(m.state()).isEqualTo(MachineState.FAILED);
            assertThat(m.message()).contains("'hibernating'");
        });
    }

    /** A state or state reason EC2 answers is outside text: the message shows its control and bidi characters escaped. */
    @Test
    void aStateAndItsReasonAreShownEscaped() {
        assertThat(MachineStates.of("stopped", "Client.\u202eUserInitiated\nFORGED")).satisfies(m -> {
            assertThat(m.state()).isEqualTo(MachineState.FAILED);
            assertThat(m.message()).contains("(Client.\\u202eUserInitiated\\u000aFORGED)").doesNotContain("\u202e").doesNotContain("\n");
        });
        assertThat(MachineStates.of("odd\u001b[2J", null)).satisfies(m -> {
            assertThat(m.state()).isEqualTo(MachineState.FAILED);
            assertThat(m.message()).contains("'odd\\u001b[2J'").doesNotContain("\u001b");
        });
    }
}
