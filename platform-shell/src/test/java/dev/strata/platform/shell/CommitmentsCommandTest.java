package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.commitment.Commitment;
import dev.strata.platform.api.commitment.CommitmentStatus;
import dev.strata.platform.api.commitment.Commitments;
import dev.strata.platform.api.commitment.Finding;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.inventory.ProviderState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommitmentsCommandTest {

    static final Instant T = Instant.parse("2026-11-27T10:00:00Z");

    static final Commitment HONORED = new Commitment("a-000001", "web", "t1", CommitmentStatus.HONORED, T, List.of(), 12);
    static final Commitment BREACHED = new Commitment("a-000002", "train", "t2", CommitmentStatus.BREACHED, T.plusSeconds(60), List.of(
            new Finding("trainer", "sovereignty.countries", CommitmentStatus.BREACHED,
                    "node fra-1-h100-03 is at site fra-1, country US, not in [DE, FR]"),
            new Finding("trainer", "members.trainer.gpus.allowDegraded", CommitmentStatus.AT_RISK,
                    "GPU g1 on node fra-1-h100-03 is DEGRADED; the member does not allow degraded GPUs")), 12);
    static final Commitment AT_RISK = new Commitment("a-000003", "infer", "t1", CommitmentStatus.AT_RISK, T, List.of(
            new Finding("server", "members.server.node", CommitmentStatus.AT_RISK, "node n7 is STALE: its provider declared no longer reports it")),
            12);

    /** A verifier with fixed verdicts that counts what it was asked. */
    static final class Verifier implements Commitments {
        final List<Commitment> verdicts;
        final List<String> asked = new ArrayList<>();

        Verifier(Commitment... verdicts) {
            this.verdicts = List.of(verdicts);
        }

        @Override
        public List<Commitment> commitments() {
            asked.add("commitments");
            return verdicts;
        }

        @Override
        public Commitment verify(String allocationId) {
            asked.add("verify " + allocationId);
            return verdicts.stream().filter(c -> c.allocationId().equals(allocationId)).findFirst()
                    .orElseThrow(() -> new NotFoundException("no allocation '" + allocationId + "' in the ledger; strata:allocations lists them"));
        }

        @Override
        public List<Commitment> verifyAll() {
            asked.add("verifyAll");
            return verdicts;
        }
    }

    @Test
    void listsTheLastVerdictsWithTheCountAndFirstFinding() throws Exception {
        CommitmentsCommand command = new CommitmentsCommand();
        Verifier verifier = new Verifier(HONORED, BREACHED);
        command.commitments = verifier;
        command.noFormat = true;

        List<List<String>> rows = CommandOutput.of(command::execute).lines().map(CommandsTest::cells).toList();

        assertThat(rows).containsExactly(
                List.of("a-000001", "web", "t1", "HONORED", "2026-11-27T10:00:00Z", "-"),
                List.of("a-000002", "train", "t2", "BREACHED", "2026-11-27T10:01:00Z",
                        "2: sovereignty.countries node fra-1-h100-03 is at site fra-1, country US, not in [DE, FR] (and 1 more)"));
        assertThat(verifier.asked).containsExactly("commitments");
    }

    @Test
    void withVerifyEveryAllocationIsVerifiedNow() throws Exception {
        CommitmentsCommand command = new CommitmentsCommand();
        Verifier verifier = new Verifier(AT_RISK);
        command.commitments = verifier;
        command.verifyAll = true;

        String out = CommandOutput.of(command::execute);

        assertThat(verifier.asked).containsExactly("verifyAll");
        assertThat(out).contains("ALLOCATION").contains("a-000003").contains("AT_RISK")
                .contains("1: members.server.node node n7 is STALE: its provider declared no longer reports it");
    }

    @Test
    void withoutVerdictsItSaysHowToGetThem() throws Exception {
        CommitmentsCommand command = new CommitmentsCommand();
        command.commitments = new Verifier();
        assertThat(CommandOutput.of(command::execute)).isEqualTo("No verdicts yet: the verifier checks every allocation each interval "
                + "on the leader; --verify checks them now." + System.lineSeparator());
    }

    @Test
    void oneAllocationIsVerifiedNowWithEveryFinding() throws Exception {
        CommitmentsCommand command = new CommitmentsCommand();
        Verifier verifier = new Verifier(HONORED, BREACHED);
        command.commitments = verifier;
        command.id = "a-000002";
        command.noFormat = true;

        List<String> lines = CommandOutput.of(command::execute).lines().toList();

        assertThat(verifier.asked).containsExactly("verify a-000002");
        assertThat(lines.get(0)).isEqualTo("Allocation a-000002 of contract train, tenant t2: BREACHED since 2026-11-27T10:01:00Z "
                + "(inventory generation 12)");
        assertThat(lines.subList(1, lines.size()).stream().map(CommandsTest::cells).toList()).containsExactly(
                List.of("trainer", "sovereignty.countries", "BREACHED", "node fra-1-h100-03 is at site fra-1, country US, not in [DE, FR]"),
                List.of("trainer", "members.trainer.gpus.allowDegraded", "AT_RISK",
                        "GPU g1 on node fra-1-h100-03 is DEGRADED; the member does not allow degraded GPUs"));
        // the generation in ASCII digits whatever the JVM's locale (an Arabic one wrote it in its own)
        assertThat(CommandOutput.inLocale("ar-EG", command::execute)).startsWith(lines.get(0) + "\n");
    }

    @Test
    void anHonoredAllocationSaysEveryClauseHolds() throws Exception {
        CommitmentsCommand command = new CommitmentsCommand();
        command.commitments = new Verifier(HONORED);
        command.id = "a-000001";
        assertThat(CommandOutput.of(command::execute)).contains("a-000001 of contract web, tenant t1: HONORED since 2026-11-27T10:00:00Z")
                .contains("Every clause holds.");
    }

    @Test
    void anUnknownAllocationFailsNamingIt() {
        CommitmentsCommand command = new CommitmentsCommand();
        command.commitments = new Verifier(HONORED);
        command.id = "a-999";
        assertThatThrownBy(command::execute).isInstanceOf(NotFoundException.class).hasMessageContaining("a-999");
    }

    @Test
    void withoutTheVerifierItSaysWhatIsNotRunning() {
        CommitmentsCommand command = new CommitmentsCommand();
        assertThatThrownBy(command::execute).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("the Strata verifier of commitments is not running");
    }

    @Test
    void statusCountsTheVerdictsByStatus() throws Exception {
        StatusCommand command = new StatusCommand();
        command.registry = Fixtures.registry(Fixtures.status("baremetal", ProviderState.ACTIVE, null));
        command.inventory = Fixtures.inventory(Fixtures.node());
        command.placement = StatusCommandTest.ledger();
        command.commitments = new Verifier(HONORED, BREACHED, AT_RISK, HONORED);

        assertThat(CommandOutput.of(command::execute)).contains("Commitments: 2 honored, 1 at risk, 1 breached" + System.lineSeparator());
    }
}
