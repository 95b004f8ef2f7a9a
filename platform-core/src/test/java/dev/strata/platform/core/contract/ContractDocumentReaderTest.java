package dev.strata.platform.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.InvalidContractException;
import dev.strata.platform.api.contract.Isolation;
import dev.strata.platform.api.contract.Member;
import dev.strata.platform.api.contract.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContractDocumentReaderTest {

    private final ContractDocumentReader reader = new ContractDocumentReader();

    static final String TRAINING = """
            name: llm-finetune
            tenant: bank-risk
            priority: 50
            isolation: dedicated-node
            sovereignty:
              countries: [DE, FR]
              jurisdictions: [EU]
              excludeOperatorJurisdictions: [US]
              dataClass: confidential
            fabric:
              rdma: true
              bandwidth: 400Gbps
            members:
              - name: trainer
                replicas: 2
                cpu: 64
                memory: 1TiB
                gpus:
                  count: 8
                  models: [H100, H200]
                  memory: 80GiB
                topology:
                  nvlinkDomain: true
                  numaAligned: true
                power: 10.2kW
              - name: notebook
                cpu: 500m
                memory: 8GiB
                gpus: {fraction: 0.25}
            """;

    @Test
    void readsEveryClauseWithUnits() {
        Contract c = reader.read(TRAINING, "training.yaml");
        assertThat(c.name()).isEqualTo("llm-finetune");
        assertThat(c.tenant()).isEqualTo("bank-risk");
        assertThat(c.priority()).isEqualTo(50);
        assertThat(c.isolation()).isEqualTo(Isolation.DEDICATED_NODE);
        assertThat(c.sovereignty().countries()).containsExactlyInAnyOrder("DE", "FR");
        assertThat(c.sovereignty().jurisdictions()).containsExactly("EU");
        assertThat(c.sovereignty().excludedOperatorJurisdictions()).containsExactly("US");
        assertThat(c.sovereignty().dataClass()).isEqualTo("confidential");
        assertThat(c.fabric().oneRdmaFabric()).isTrue();
        assertThat(c.fabric().minBandwidthGbps()).isEqualTo(400);
        assertThat(c.members()).extracting(Member::name).containsExactly("trainer-0", "trainer-1", "notebook");
        Member trainer = c.members().get(0);
        assertThat(trainer.cpuMilli()).isEqualTo(64_000);
        assertThat(trainer.memoryBytes()).isEqualTo(1L << 40);
        assertThat(trainer.gpus().count()).isEqualTo(8);
        assertThat(trainer.gpus().models()).containsExactlyInAnyOrder("H100", "H200");
        assertThat(trainer.gpus().minMemoryBytes()).isEqualTo(80L << 30);
        assertThat(trainer.topology().oneNvlinkDomain()).isTrue();
        assertThat(trainer.topology().numaAligned()).isTrue();
        assertThat(trainer.powerCeilingWatts()).isEqualTo(10_200);
        Member notebook = c.members().get(2);
        assertThat(notebook.cpuMilli()).isEqualTo(500);
        assertThat(notebook.gpus().count()).isEqualTo(1);
        assertThat(notebook.gpus().fraction()).isEqualTo(0.25);
    }

    @Test
    void defaultsAreSharedUnrestrictedAndPriorityZero() {
        Contract c = reader.read("{name: x, tenant: t, members: [{name: a, cpu: 2, gpus: 1}]}", "inline");
        assertThat(c.isolation()).isEqualTo(Isolation.SHARED);
        assertThat(c.sovereignty().unrestricted()).isTrue();
        assertThat(c.fabric().oneRdmaFabric()).isFalse();
        assertThat(c.priority()).isZero();
        assertThat(c.members().get(0).gpus().count()).isEqualTo(1);
    }

    @Test
    void everyErrorIsReportedAtOnceWithPathValueAndExpectation() {
        String bad = """
                name: broken
                members:
                  - name: trainer
                    cpu: lots
                    memory: 80 parsecs
                    gpus:
                      count: 2
                      fraction: 1.5
                      memory: 80GiB
                    power: hot
                  - cpu: 4
                    replicas: 0
                    gpu: 1
                sovereignty:
                  countries: [Germany]
                isolation: private
                """;
        assertThatThrownBy(() -> reader.read(bad, "broken.yaml"))
                .isInstanceOf(InvalidContractException.class)
                .hasMessageStartingWith("contract broken.yaml has 10 errors:")
                .satisfies(e -> assertThat(((InvalidContractException) e).violations()).containsExactlyInAnyOrder(
                        new Violation("tenant", null, "the owning tenant as text"),
                        new Violation("isolation", "private", "shared or dedicated-node"),
                        new Violation("sovereignty.countries[0]", "Germany", "an ISO 3166-1 alpha-2 country code such as DE"),
                        new Violation("members[0].cpu", "lots", "a CPU quantity such as 4, 2.5 or 500m"),
                        new Violation("members[0].memory", "80 parsecs", "a size such as 64GiB"),
                        new Violation("members[0].gpus.fraction", "1.5", "a share of one GPU, more than 0 and at most 1 (e.g. 0.25)"),
                        new Violation("members[0].power", "hot", "a power such as 700W or 10kW"),
                        new Violation("members[1].gpu", "1", "one of the fields cpu, gpus, memory, name, power, provisioning, replicas, topology"),
                        new Violation("members[1].name", null, "the member's name as text"),
                        new Violation("members[1].replicas", "0", "a whole number from 1 to 1024")));
    }

    @Test
    void malformedYamlNamesTheLine() {
        assertThatThrownBy(() -> reader.read("name: x\nmembers: [\n  - {", "bad.yaml"))
                .isInstanceOf(InvalidContractException.class)
                .hasMessageContaining("(document)")
                .hasMessageContaining("line");
    }

    @Test
    void fractionNeedsOneGpuAndBandwidthNeedsRdma() {
        String text = """
                name: x
                tenant: t
                fabric: {bandwidth: 100Gbps}
                members:
                  - name: a
                    gpus: {count: 2, fraction: 0.5}
                """;
        InvalidContractException e = (InvalidContractException) org.assertj.core.api.Assertions.catchThrowable(() -> reader.read(text, "x"));
        assertThat(e.violations()).extracting(Violation::path).containsExactlyInAnyOrder("fabric.bandwidth", "members[0].gpus.count");
    }

    @Test
    void duplicateMemberNamesAreRejected() {
        InvalidContractException e = (InvalidContractException) org.assertj.core.api.Assertions.catchThrowable(() -> reader.read(
                "{name: x, tenant: t, members: [{name: a, cpu: 1}, {name: a, cpu: 2}]}", "x"));
        assertThat(e.violations()).containsExactly(new Violation("members[1].name", "a", "a name no other member has"));
        assertThat(List.of(e.getMessage().split("\n"))).hasSize(2);
    }
}
