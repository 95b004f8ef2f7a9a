package dev.strata.platform.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

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
                        new Violation("members[0].cpu", "lots", "is not a CPU quantity", "a CPU quantity such as 4, 2.5 or 500m, from 0 to 65536 CPUs"),
                        new Violation("members[0].memory", "80 parsecs", "has a unit ('parsecs') that is not a size unit",
                                "a size with a unit, such as 64GiB, from 0 to 1PiB"),
                        new Violation("members[0].gpus.fraction", "1.5", "a share of one GPU from 0.001 to 1 (e.g. 0.25)"),
                        new Violation("members[0].power", "hot", "is not a power", "a power with a unit, such as 700W or 10kW, from 0 to 1MW"),
                        new Violation("members[1].gpu", "1", "one of the fields cpu, gpus, memory, name, power, provisioning, replicas, topology"),
                        new Violation("members[1].name", null, "the member's name as text"),
                        new Violation("members[1].replicas", "0", "a whole number from 1 to 1024")));
    }

    @Test
    void malformedYamlNamesTheLineAndSaysWhatIsWrongNotMissing() {
        assertThatThrownBy(() -> reader.read("name: x\ntenant: t: u\nmembers: [{name: a, cpu: 1}]\n", "bad.yaml"))
                .isInstanceOf(InvalidContractException.class)
                .hasMessage("contract bad.yaml has 1 error:\n  (document) line 2, column 10: 'tenant: t: u' is not well-formed YAML: "
                        + "mapping values are not allowed here; expected a well-formed YAML or JSON document");
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
        assertThat(e.violations()).containsExactly(new Violation("members[1].name", "a", "is already the name of members[0]",
                "a name no other member or replica has (the replicas of a member named m are named m-0, m-1, ...)"));
        assertThat(List.of(e.getMessage().split("\n"))).hasSize(2);
    }

    // ---- issue: contract input (bounds, units, nested fields, duplicate keys) -----------------

    private List<Violation> violations(String yaml) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> reader.read(yaml, "c.yaml"));
        assertThat(t).as("refused with InvalidContractException").isInstanceOf(InvalidContractException.class);
        return ((InvalidContractException) t).violations();
    }

    private static String member(String fields) {
        return "{name: x, tenant: t1, members: [{name: w, " + fields + "}]}";
    }

    /**
     * A document with thousands of problems (unknown keys) is refused with every one in
     * {@code violations()}, but the message, which reaches the shell and the log, lists the first
     * 100 and counts the rest: it was one line per problem, megabytes for a large document.
     */
    @Test
    void theMessageOfAContractWithManyErrorsListsAHundredAndCountsTheRest() {
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < 250; i++) {
            fields.append("unknown").append(i).append(": 1, ");
        }
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> reader.read(member(fields + "cpu: 1"), "c.yaml"));
        assertThat(t).isInstanceOf(InvalidContractException.class);
        assertThat(((InvalidContractException) t).violations()).hasSize(250);
        String[] lines = t.getMessage().split("\n");
        assertThat(lines).hasSize(102);
        assertThat(lines[0]).isEqualTo("contract c.yaml has 250 errors:");
        assertThat(lines[101]).isEqualTo("  ... and 150 more errors (the first 100 are shown)");
    }

    @Test
    void hugeCpuIsOutOfBoundsNotAnIllegalArgument() {
        assertThat(violations(member("cpu: 9300000000000000"))).containsExactly(new Violation("members[0].cpu", "9300000000000000",
                "is out of bounds", "a CPU quantity such as 4, 2.5 or 500m, from 0 to 65536 CPUs"));
    }

    @Test
    void cpuThatWouldWrapIsOutOfBounds() {
        assertThat(violations(member("cpu: 99999999999999999"))).extracting(Violation::problem).containsExactly("is out of bounds");
        assertThat(violations(member("cpu: 65537"))).extracting(Violation::problem).containsExactly("is out of bounds");
        assertThat(reader.read(member("cpu: 65536"), "c").members().get(0).cpuMilli()).isEqualTo(65_536_000L);
        assertThat(violations(member("cpu: 0.0005"))).extracting(Violation::problem).containsExactly("is finer than a thousandth of a CPU");
    }

    /**
     * Settings of GPUs with a count of 0 were accepted and did nothing: {@code gpus: {count: 0,
     * models: [H100]}} placed the member on any node, with no GPU, where its author meant H100s.
     */
    @Test
    void gpuSettingsWithACountOfZeroAreRefusedNotIgnored() {
        String expected = "a GPU count of 1 or more, or no models, memory or allowDegraded";
        assertThat(violations(member("cpu: 1, gpus: {count: 0, models: [H100]}"))).containsExactly(
                new Violation("members[0].gpus.count", "0", "asks for no GPU, yet models is set for the GPUs asked for", expected));
        assertThat(violations(member("cpu: 1, gpus: {count: 0, memory: 80GiB, allowDegraded: true}"))).containsExactly(
                new Violation("members[0].gpus.count", "0", "asks for no GPU, yet memory, allowDegraded are set for the GPUs asked for", expected));
        // nothing said of the GPUs that none are asked for: accepted as before
        assertThat(reader.read(member("cpu: 1, gpus: {count: 0}"), "c").members().get(0).gpus().count()).isZero();
        assertThat(reader.read(member("cpu: 1, gpus: {count: 0, models: [], allowDegraded: false}"), "c").members().get(0).gpus().count()).isZero();
        assertThat(reader.read(member("cpu: 1, gpus: {count: 2, models: [H100]}"), "c").members().get(0).gpus().models()).containsExactly("H100");
    }

    @Test
    void memoryThatSaturatesIsOutOfBounds() {
        assertThat(violations(member("memory: 99999999999PiB"))).containsExactly(new Violation("members[0].memory", "99999999999PiB",
                "is out of bounds", "a size with a unit, such as 64GiB, from 0 to 1PiB"));
        assertThat(reader.read(member("memory: 1PiB"), "c").members().get(0).memoryBytes()).isEqualTo(1L << 50);
        assertThat(violations(member("memory: 1025TiB"))).extracting(Violation::problem).containsExactly("is out of bounds");
    }

    @Test
    void powerThatWouldOverflowTheMilliwattCounterIsOutOfBounds() {
        assertThat(violations(member("cpu: 1, power: 10000000000000000W"))).containsExactly(new Violation("members[0].power",
                "10000000000000000W", "is out of bounds", "a power with a unit, such as 700W or 10kW, from 0 to 1MW"));
        assertThat(reader.read(member("cpu: 1, power: 1000kW"), "c").members().get(0).powerCeilingWatts()).isEqualTo(1_000_000);
    }

    /**
     * A size that does not come to a whole number of bytes, or a power finer than the milliwatt that
     * placement counts in, is refused naming the field, as a CPU finer than 1m is; before, 0.3B was
     * taken for 0 bytes, 0.5B for 1, 1.1GiB for 1181116006 and a power of 0.3mW reserved nothing.
     */
    @Test
    void quantitiesThatAreNotWholeBaseUnitsAreRefusedNotRounded() {
        assertThat(violations(member("cpu: 1, memory: 0.3B"))).containsExactly(new Violation("members[0].memory", "0.3B",
                "is not a whole number of bytes (0.3 bytes)", "a size with a unit, such as 64GiB, from 0 to 1PiB, in whole bytes"));
        assertThat(violations(member("cpu: 1, memory: 1.1GiB"))).extracting(Violation::problem)
                .containsExactly("is not a whole number of bytes (1181116006.4 bytes)");
        assertThat(violations(member("gpus: {count: 1, memory: 0.5B}"))).containsExactly(new Violation("members[0].gpus.memory", "0.5B",
                "is not a whole number of bytes (0.5 bytes)", "a size with a unit, such as 80GiB, from 0 to 1PiB, in whole bytes"));
        assertThat(violations(member("cpu: 1, power: 0.3mW"))).containsExactly(new Violation("members[0].power", "0.3mW",
                "is finer than a milliwatt", "a power with a unit, such as 700W or 10kW, from 0 to 1MW, in steps of 1mW"));
        assertThat(violations(member("cpu: 1, power: 10.0004W"))).extracting(Violation::problem).containsExactly("is finer than a milliwatt");
        // what comes to whole bytes and milliwatts is read exactly
        Member exact = reader.read(member("cpu: 1, memory: 0.5KiB, power: 0.0015kW, gpus: {count: 1, memory: 19.625GiB}"), "c").members().get(0);
        assertThat(exact.memoryBytes()).isEqualTo(512);
        assertThat(exact.gpus().minMemoryBytes()).isEqualTo(21_072_183_296L);
        assertThat(exact.powerCeilingWatts()).isEqualTo(1.5);
        assertThat(reader.read(member("cpu: 1, memory: 1.5kB, power: 10.2kW"), "c").members().get(0))
                .extracting(Member::memoryBytes, Member::powerCeilingWatts).containsExactly(1500L, 10_200.0);
        // a bandwidth is compared as it is, never counted in a unit, so nothing is rounded: 1.5bps is kept
        assertThat(reader.read("{name: x, tenant: t, fabric: {rdma: true, bandwidth: 1.5bps}, members: [{name: w, cpu: 1}]}", "c")
                .fabric().minBandwidthGbps()).isEqualTo(1.5e-9);
    }

    /**
     * A quantity written with many digits (more than the shared parser's 40) is read exactly like any
     * other: before, a power or a bandwidth was said to have a unit that is not one, and a size that
     * came to exactly 1GiB, or to a fraction of a byte, was said to be out of bounds.
     */
    @Test
    void quantitiesWithManyDigitsAreReadExactlyNotBlamedOnTheirUnit() {
        String zeros = "0".repeat(45);
        Member exact = reader.read(member("cpu: 1, memory: 1." + zeros + "GiB, power: 1." + zeros + "kW"), "c").members().get(0);
        assertThat(exact.memoryBytes()).isEqualTo(1L << 30);
        assertThat(exact.powerCeilingWatts()).isEqualTo(1000);
        assertThat(reader.read("{name: x, tenant: t, fabric: {rdma: true, bandwidth: 100." + zeros + "Gbps}, members: [{name: w, cpu: 1}]}", "c")
                .fabric().minBandwidthGbps()).isEqualTo(100);
        assertThat(violations(member("cpu: 1, memory: 0." + zeros + "1KiB"))).extracting(Violation::problem).singleElement().asString()
                .startsWith("is not a whole number of bytes");
        assertThat(violations(member("cpu: 1, power: 0." + zeros + "1kW"))).extracting(Violation::problem)
                .containsExactly("is finer than a milliwatt");
        assertThat(violations(member("cpu: 1, power: 2" + zeros + "W"))).extracting(Violation::problem).containsExactly("is out of bounds");
        assertThat(violations("{name: x, tenant: t, fabric: {rdma: true, bandwidth: 1" + zeros + "Gbps}, members: [{name: w, cpu: 1}]}"))
                .extracting(Violation::path, Violation::problem).containsExactly(tuple("fabric.bandwidth", "is out of bounds"));
    }

    @Test
    void quantitiesWithoutAUnitAreRefused() {
        assertThat(violations(member("memory: 64"))).containsExactly(new Violation("members[0].memory", "64", "has no unit",
                "a size with a unit, such as 64GiB, from 0 to 1PiB (a bare number is not taken as bytes)"));
        assertThat(violations(member("gpus: {count: 1, memory: 80}"))).containsExactly(new Violation("members[0].gpus.memory", "80",
                "has no unit", "a size with a unit, such as 80GiB, from 0 to 1PiB (a bare number is not taken as bytes)"));
        assertThat(violations(member("cpu: 1, power: 700"))).extracting(Violation::problem).containsExactly("has no unit");
        assertThat(violations("{name: x, tenant: t, fabric: {rdma: true, bandwidth: 400}, members: [{name: w, cpu: 1}]}"))
                .extracting(Violation::path, Violation::problem).containsExactly(tuple("fabric.bandwidth", "has no unit"));
    }

    @Test
    void mistypedNestedFieldsAreRefused() {
        assertThat(violations(member("gpus: {count: 1, models: [{name: H100}]}"))).containsExactly(new Violation("members[0].gpus.models[0]",
                "{\"name\":\"H100\"}", "a GPU model name such as H100, as text"));
        assertThat(violations("{name: x, tenant: t, sovereignty: {dataClass: {level: 3}}, members: [{name: w, cpu: 1}]}"))
                .containsExactly(new Violation("sovereignty.dataClass", "{\"level\":3}", "a label for the data, such as confidential, as text"));
        assertThat(violations(member("memory: [64GiB]"))).extracting(Violation::path, Violation::problem)
                .containsExactly(tuple("members[0].memory", "is not a size"));
        assertThat(violations(member("gpus: {count: 1, partition: [1g.10gb]}"))).extracting(Violation::path).containsExactly("members[0].gpus.partition");
        assertThat(violations("{name: x, tenant: t, isolation: [shared], members: [{name: w, cpu: 1}]}")).extracting(Violation::path)
                .containsExactly("isolation");
        assertThat(violations(member("gpus: {count: 1, allowDegraded: yes please}"))).extracting(Violation::path)
                .containsExactly("members[0].gpus.allowDegraded");
        assertThat(violations(member("replicas: 2.5, cpu: 1"))).extracting(Violation::path).containsExactly("members[0].replicas");
    }

    @Test
    void duplicateKeysAreRefusedNamingThePath() {
        assertThat(violations("name: x\ntenant: t1\ntenant: t2\nmembers: [{name: w, cpu: 1}]\n")).containsExactly(
                new Violation("tenant", null, "is given twice (again at line 3)", "each key once in a mapping"));
        assertThat(violations("{name: x, tenant: t, members: [{name: w, cpu: 1, gpus: {count: 1, count: 2}}]}")).extracting(Violation::path)
                .containsExactly("members[0].gpus.count");
    }

    @Test
    void gangSizeIsBoundedWithReplicasCounted() {
        assertThat(violations("{name: x, tenant: t, members: [{name: a, replicas: 1000, cpu: 1}, {name: b, replicas: 25, cpu: 1}]}"))
                .containsExactly(new Violation("members[1].replicas", "25", "would make 1025 members in all",
                        "at most 1024 members in a contract, replicas counted"));
        assertThat(reader.read("{name: x, tenant: t, members: [{name: a, replicas: 1000, cpu: 1}, {name: b, replicas: 24, cpu: 1}]}", "c")
                .members()).hasSize(1024);
    }

    @Test
    void aliasesAndASecondDocumentAreRefusedNotReadAsSomethingElse() {
        // an alias was read as its anchor's name: tenant 'n', an image 'img'
        assertThat(violations("name: &n foo\ntenant: *n\nmembers: [{name: w, cpu: 1}]\n")).containsExactly(new Violation("tenant", "*n",
                "is an alias (of the anchor &n)", "the value written out: anchors and aliases are not read in a contract"));
        assertThat(violations("name: x\ntenant: t\nmembers:\n - name: a\n   cpu: 1\n   provisioning: {image: &img ami-0abc}\n"
                + " - name: b\n   cpu: 1\n   provisioning: {image: *img}\n")).extracting(Violation::path, Violation::value)
                .containsExactly(tuple("members[1].provisioning.image", "*img"));
        assertThat(violations("name: x\ntenant: t\nsovereignty: {countries: [&c DE, *c]}\nmembers: [{name: w, cpu: 1}]\n"))
                .extracting(Violation::path).containsExactly("sovereignty.countries[1]");
        // a second document was never read
        assertThat(violations("name: x\ntenant: t\nmembers: [{name: w, cpu: 1}]\n---\nname: y\ntenant: t\n")).containsExactly(new Violation(
                "(document) line 5", null, "holds a second YAML document ('---'), which would not be read",
                "one contract per document: one document per file"));
        // a document of only an alias was named as its anchor's name, '(document): 'a'', not as the alias it is
        assertThat(violations("*a\n")).containsExactly(new Violation("(document)", "*a", "is an alias (of the anchor &a)",
                "the value written out: anchors and aliases are not read in a contract"));
        // the markers of one document, and an anchor never used, are fine
        assertThat(reader.read("---\nname: &n x\ntenant: t\nmembers: [{name: w, cpu: 1}]\n---\n", "c").name()).isEqualTo("x");
        assertThat(reader.read("name: x\ntenant: t\nmembers: [{name: w, cpu: 1}]\n...\n", "c").tenant()).isEqualTo("t");
    }

    /**
     * A member named {@code ' m-0'} beside a member {@code m} with replicas (m-0, m-1) was accepted: GPU models were trimmed,
     * names were not, and listings, the provenance log and the shell show the two as the same member. A name with white space
     * at either end is refused (the workload's and the tenant's too), and so is a name that is a replica's of another member.
     */
    @Test
    void namesWithWhiteSpaceAtAnEndOrAReplicasNameAreRefused() {
        String expected = "the member's name as text on one line, without control characters or white space at its start or end";
        assertThat(violations("{name: x, tenant: t, members: [{name: m, replicas: 2, cpu: 1}, {name: ' m-0', cpu: 1}]}"))
                .containsExactly(new Violation("members[1].name", " m-0", "has white space at its start or end", expected));
        assertThat(violations("{name: x, tenant: t, members: [{name: \"m\\u00a0\", cpu: 1}]}"))
                .containsExactly(new Violation("members[0].name", "m\u00a0", "has white space at its start or end", expected));
        assertThat(violations("{name: 'x ', tenant: \"\\tt\", members: [{name: m, cpu: 1}]}")).containsExactly(
                new Violation("name", "x ", "has white space at its start or end",
                        "the workload's name as text on one line, without control characters or white space at its start or end"),
                new Violation("tenant", "\\u0009t", "holds a control or format character (a line break, an escape, a direction override)",
                        "the owning tenant as text on one line, without control characters or white space at its start or end"));
        String replica = "a name no other member or replica has (the replicas of a member named m are named m-0, m-1, ...)";
        assertThat(violations("{name: x, tenant: t, members: [{name: m, replicas: 2, cpu: 1}, {name: m-1, cpu: 1}]}"))
                .containsExactly(new Violation("members[1].name", "m-1", "is already the name of replica m-1 of members[0]", replica));
        assertThat(violations("{name: x, tenant: t, members: [{name: m-0, cpu: 1}, {name: m, replicas: 2, cpu: 1}]}"))
                .containsExactly(new Violation("members[1].name", "m", "makes replica m-0, which is already the name of members[0]", replica));
        // white space inside a name, and names that differ only in case (nothing downstream folds case), are still names
        assertThat(reader.read("{name: 'a b', tenant: t, members: [{name: 'm 1', cpu: 1}, {name: M, cpu: 1}, {name: m, cpu: 1}]}", "c")
                .members()).extracting(Member::name).containsExactly("m 1", "M", "m");
    }

    /**
     * A name or GPU model with a line break, an escape or a direction override would reach log lines
     * and the placement's evidence as it is: refused, shown escaped.
     */
    @Test
    void namesWithControlCharactersAreRefusedShownEscaped() {
        String contract = """
                {"name": "llm\\n2026-12-01 INFO forged", "tenant": "bank\\u202Eevil", "sovereignty": {"dataClass": "x\\u001b[2Ky"},
                 "members": [{"name": "w\\r1", "gpus": 1}, {"name": "v", "gpus": {"count": 1, "models": ["H100\\n2026-12-01 INFO forged"]}}]}
                """;
        assertThatThrownBy(() -> reader.read(contract, "c.json"))
                .isInstanceOf(InvalidContractException.class)
                .satisfies(e -> assertThat(((InvalidContractException) e).violations()).extracting(Violation::path, Violation::value)
                        .contains(tuple("name", "llm\\u000a2026-12-01 INFO forged"), tuple("tenant", "bank\\u202eevil"),
                                tuple("sovereignty.dataClass", "x\\u001b[2Ky"), tuple("members[0].name", "w\\u000d1"),
                                tuple("members[1].gpus.models[0]", "H100\\u000a2026-12-01 INFO forged")))
                .hasMessageNotContaining("\n2026").hasMessageContaining("without control characters");
    }

    /**
     * A key is the writer's text as much as a value: an unknown field or a key given twice is named in
     * the error's path, which must not carry a line break, a direction override or a kilobyte of key
     * into the shell and the log as it is.
     */
    @Test
    void keysInAnErrorsPathAreShownEscapedAndCut() {
        String contract = """
                {"name": "x", "tenant": "t", "sovereignty": {"a\\n2026-12-01 INFO forged": 1, "b\\u202Ec": 1},
                 "members": [{"name": "w", "cpu": 1, "%s": 1}]}
                """.formatted("k".repeat(1000));
        assertThatThrownBy(() -> reader.read(contract, "c.json"))
                .isInstanceOf(InvalidContractException.class)
                .satisfies(e -> assertThat(((InvalidContractException) e).violations()).extracting(Violation::path).containsExactly(
                        "sovereignty.a\\u000a2026-12-01 INFO forged", "sovereignty.b\\u202ec",
                        "members[0]." + "k".repeat(189) + "... (a path of 1011 characters)"))
                .hasMessageNotContaining("\n2026").hasMessageNotContaining("\u202E");
        // a key given twice with a line break in it is named as the key, not as the parser's sentence
        assertThat(violations("name: x\ntenant: t\nmembers: [{name: w, cpu: 1, \"a\\nb\": 1, \"a\\nb\": 2}]\n"))
                .extracting(Violation::path).containsExactly("members[0].a\\u000ab");
    }

    @Test
    void numbersAndBooleansWhereTextIsExpectedAreRefusedNotRewritten() {
        // YAML reads 007 as 7, 0x10 as 16 and yes as true: the text written is lost (1e3 stays 1e3, a number with an exponent)
        assertThat(violations("name: 1e3\ntenant: 007\nmembers: [{name: 0x10, cpu: 1}]\n")).containsExactly(
                new Violation("name", "1e3", "is read as a number, not as text (quote it to keep it as written)", "the workload's name as text"),
                new Violation("tenant", "7", "is read as a number, not as text (quote it to keep it as written)", "the owning tenant as text"),
                new Violation("members[0].name", "16", "is read as a number, not as text (quote it to keep it as written)",
                        "the member's name as text"));
        assertThat(violations("{name: x, tenant: t, sovereignty: {dataClass: yes}, members: [{name: w, cpu: 1}]}")).extracting(Violation::path,
                Violation::problem).containsExactly(tuple("sovereignty.dataClass",
                        "is read as true or false, not as text (quote it to keep it as written)"));
        Contract quoted = reader.read("name: '1e3'\ntenant: '007'\nsovereignty: {dataClass: 'yes'}\nmembers: [{name: '0x10', cpu: 1}]\n", "c");
        assertThat(List.of(quoted.name(), quoted.tenant(), quoted.sovereignty().dataClass(), quoted.members().get(0).name()))
                .containsExactly("1e3", "007", "yes", "0x10");
    }

    /**
     * A share of a GPU is bounded as it is written, not as the double it rounds to: one just past 1 or
     * just under 0.001 is refused, and one just under 1 is a share, which needs a count of 1.
     */
    /**
     * Placement reserves a GPU in thousandths: a finer share is refused, as a CPU finer than 1m is,
     * rather than rounded up to more than was asked for (0.2505 held 0.251 of the GPU).
     */
    @Test
    void gpuFractionFinerThanAThousandthIsRefusedNotRoundedUp() {
        String expected = "a share of one GPU from 0.001 to 1 (e.g. 0.25), in steps of 0.001";
        assertThat(violations(member("gpus: {count: 1, fraction: 0.2505}"))).containsExactly(
                new Violation("members[0].gpus.fraction", "0.2505", "is finer than a thousandth of a GPU", expected));
        assertThat(violations(member("gpus: {count: 1, fraction: 0.99999999999999999999}"))).containsExactly(
                new Violation("members[0].gpus.fraction", "0.99999999999999999999", "is finer than a thousandth of a GPU", expected));
        assertThat(violations(member("gpus: {count: 1, fraction: 1.5e-3}"))).extracting(Violation::problem)
                .containsExactly("is finer than a thousandth of a GPU");
    }

    @Test
    void gpuFractionIsBoundedAsWrittenNotAsADouble() {
        String expected = "a share of one GPU from 0.001 to 1 (e.g. 0.25)";
        assertThat(violations(member("gpus: {count: 1, fraction: 1.0000000000000000001}"))).containsExactly(
                new Violation("members[0].gpus.fraction", "1.0000000000000000001", expected));
        assertThat(violations(member("gpus: {count: 1, fraction: 0.0009999999999999999999}"))).containsExactly(
                new Violation("members[0].gpus.fraction", "0.0009999999999999999999", expected));
        assertThat(violations(member("gpus: {count: 2, fraction: 0.999}"))).extracting(Violation::path, Violation::expected)
                .containsExactly(tuple("members[0].gpus.count", "1 when a fraction or partition of a GPU is asked for"));
        assertThat(reader.read(member("gpus: {count: 1, fraction: 0.001}"), "c").members().get(0).gpus().fraction()).isEqualTo(0.001);
        assertThat(reader.read(member("gpus: {count: 1, fraction: 0.12500}"), "c").members().get(0).gpus().fraction()).isEqualTo(0.125);
        assertThat(reader.read(member("gpus: {count: 2, fraction: 1.000}"), "c").members().get(0).gpus().count()).isEqualTo(2);
    }

    /**
     * YAML reads Norway's code NO as false: a country, a jurisdiction or a GPU model that YAML reads
     * as true/false or as a number is refused saying so and to quote it, as a name is, not as a bare
     * 'false' that was never written.
     */
    @Test
    void codesAndModelsThatYamlReadsAsBooleansOrNumbersSayToQuoteThem() {
        String quote = "is read as true or false, not as text (quote it to keep it as written)";
        assertThat(violations("{name: x, tenant: t, sovereignty: {countries: [DE, NO], excludeOperatorJurisdictions: [NO]},"
                + " members: [{name: w, cpu: 1}]}")).containsExactly(
                new Violation("sovereignty.countries[1]", "NO", quote, "an ISO 3166-1 alpha-2 country code such as DE"),
                new Violation("sovereignty.excludeOperatorJurisdictions[0]", "NO", quote, "a jurisdiction code such as EU, DE or US"));
        assertThat(violations(member("gpus: {count: 1, models: [H100, 100]}"))).containsExactly(new Violation("members[0].gpus.models[1]", "100",
                "is read as a number, not as text (quote it to keep it as written)", "a GPU model name such as H100, as text"));
        assertThat(reader.read("{name: x, tenant: t, sovereignty: {countries: ['NO']}, members: [{name: w, cpu: 1}]}", "c").sovereignty()
                .countries()).containsExactly("NO");
    }

    /**
     * Sites name a country's law by its alpha-2 code: a jurisdiction written as the alpha-3 code
     * ({@code USA}) or as a two-letter code no country has ({@code UK}) matched no site, so
     * {@code excludeOperatorJurisdictions: [USA]} excluded no US operator. Both are refused; unions
     * and longer codes are taken as written.
     */
    @Test
    void aJurisdictionNoSiteCanHaveIsRefusedNotLeftToExcludeNothing() {
        String expected = "a jurisdiction code such as EU, DE or US: a country's ISO 3166-1 alpha-2 code, or a union such as EU";
        assertThat(violations("{name: x, tenant: t, sovereignty: {jurisdictions: [EU, DEU], excludeOperatorJurisdictions: [usa, UK, XX]}, "
                + "members: [{name: w, cpu: 1}]}")).containsExactly(
                new Violation("sovereignty.jurisdictions[1]", "DEU", "is the ISO 3166-1 alpha-3 code of DE, which sites do not use (write DE)",
                        expected),
                new Violation("sovereignty.excludeOperatorJurisdictions[0]", "usa", "is the ISO 3166-1 alpha-3 code of US, which sites do not "
                        + "use (write US)", expected),
                new Violation("sovereignty.excludeOperatorJurisdictions[1]", "UK", "is not an ISO 3166-1 alpha-2 country code (the United "
                        + "Kingdom's is GB)", expected),
                new Violation("sovereignty.excludeOperatorJurisdictions[2]", "XX", "is not an ISO 3166-1 alpha-2 country code", expected));
        assertThat(reader.read("{name: x, tenant: t, sovereignty: {jurisdictions: [EU, EEA, de], excludeOperatorJurisdictions: [US, GB, XK]}, "
                + "members: [{name: w, cpu: 1}]}", "c").sovereignty()).satisfies(s -> {
                    assertThat(s.jurisdictions()).containsExactlyInAnyOrder("EU", "EEA", "DE");
                    assertThat(s.excludedOperatorJurisdictions()).containsExactlyInAnyOrder("US", "GB", "XK");
                });
    }

    /** A country code of the right shape that no country has (XX, or EU, a union) matched no site: it is refused, not kept. */
    @Test
    void sovereigntyCountryThatIsNoIsoCountryCodeIsRefused() {
        String iso = "an ISO 3166-1 alpha-2 country code such as DE (EU and other unions go in jurisdictions)";
        assertThat(violations("{name: x, tenant: t, sovereignty: {countries: [DE, XX, eu], jurisdictions: [EU]}, members: [{name: w, cpu: 1}]}"))
                .containsExactly(new Violation("sovereignty.countries[1]", "XX", "is not an ISO 3166-1 alpha-2 country code", iso),
                        new Violation("sovereignty.countries[2]", "eu", "is not an ISO 3166-1 alpha-2 country code", iso));
        assertThat(reader.read("{name: x, tenant: t, sovereignty: {countries: [de, GB, 'NO']}, members: [{name: w, cpu: 1}]}", "c")
                .sovereignty().countries()).containsExactlyInAnyOrder("DE", "GB", "NO");
    }

    /**
     * A code is read in ASCII letters as written: before, it was put in upper case first, and Unicode's
     * upper case of the long s, the dotless i and the sharp s (S, I, SS) made Sweden of {@code ſe}, Italy
     * of {@code ıt} and a jurisdiction SSSS of {@code ßß}, none of them what was written.
     */
    @Test
    void aCodeOfLettersThatUpperCaseMakesAsciiIsRefusedNotReadAsAnotherCode() {
        assertThat(violations("{name: x, tenant: t, sovereignty: {countries: ['ſe', 'ıt'], excludeOperatorJurisdictions: [US, 'ßß']}, "
                + "members: [{name: w, cpu: 1}]}")).extracting(Object::toString).containsExactly(
                        "sovereignty.countries[0]: 'ſe'; expected an ISO 3166-1 alpha-2 country code such as DE",
                        "sovereignty.countries[1]: 'ıt'; expected an ISO 3166-1 alpha-2 country code such as DE",
                        "sovereignty.excludeOperatorJurisdictions[1]: 'ßß'; expected a jurisdiction code such as EU, DE or US");
    }

    /** Kosovo's XK is the code the EU and the cloud providers use, and a site may be there: a contract may name it. */
    @Test
    void kosovosUserAssignedCodeIsACountry() {
        assertThat(reader.read("{name: x, tenant: t, sovereignty: {countries: [XK, de]}, members: [{name: w, cpu: 1}]}", "c")
                .sovereignty().countries()).containsExactlyInAnyOrder("XK", "DE");
    }

    /**
     * A MIG profile of no compute slice or no memory (0g.0gb) was taken, and matched nothing. A profile
     * has 1 to 16 compute slices and 1 to 65536 GB, the bounds a declared inventory's profiles have,
     * written without leading zeros (01g.10gb is no profile an inventory names).
     */
    @Test
    void migPartitionWithZeroOrOutOfBoundsSlicesOrMemoryIsRefused() {
        String expected = "a MIG profile name such as 1g.10gb or 3g.40gb, of 1 to 16 compute slices and 1 to 65536 GB, without leading zeros";
        assertThat(violations(member("gpus: {count: 1, partition: 0g.0gb}"))).containsExactly(new Violation("members[0].gpus.partition",
                "0g.0gb", "has 0 compute slices and 0 GB, which no MIG profile has", expected));
        for (String refused : List.of("0g.10gb", "1g.0gb", "17g.80gb", "1g.65537gb", "01g.10gb", "1g.010gb", "99999999999g.1gb")) {
            assertThat(violations(member("gpus: {count: 1, partition: " + refused + "}"))).as(refused).extracting(Violation::path, Violation::value)
                    .containsExactly(tuple("members[0].gpus.partition", refused));
        }
        for (String taken : List.of("1g.10gb", "7g.80gb", "1g.18gb+me", "7g.141gb", "16g.65536gb")) {
            assertThat(reader.read(member("gpus: {count: 1, partition: " + taken + "}"), "c").members().get(0).gpus().partitionProfile())
                    .isEqualTo(taken);
        }
    }

    /**
     * YAML 1.1 reads 0x10 as 16, 0b101 as 5 and 1_000 as 1000: replicas: 0x2 made 2 replicas and cpu:
     * 1_000 a thousand CPUs, without a word, where YAML 1.2 or JSON reads no such number. Each is refused
     * in every numeric field, as a leading-zero octal is; a parameter is kept as written.
     */
    @Test
    void numbersInOtherBasesOrWithUnderscoresAreRefused() {
        assertThat(violations(member("replicas: 0x10, cpu: 1"))).containsExactly(new Violation("members[0].replicas", "0x10",
                "is read as 16 (YAML takes a number starting 0x for hexadecimal)", "a plain decimal number, such as 16"));
        assertThat(violations(member("cpu: 0b101"))).containsExactly(new Violation("members[0].cpu", "0b101",
                "is read as 5 (YAML takes a number starting 0b for binary)", "a plain decimal number, such as 5"));
        assertThat(violations(member("cpu: 1_000"))).containsExactly(new Violation("members[0].cpu", "1_000",
                "is read as 1000 (YAML drops the underscores in a number)", "a plain decimal number without underscores, such as 1000"));
        assertThat(violations(member("cpu: 1_0.5"))).containsExactly(new Violation("members[0].cpu", "1_0.5",
                "is read as 10.5 (YAML drops the underscores in a number)", "a plain decimal number without underscores, such as 10.5"));
        assertThat(violations("{name: x, tenant: t, priority: 0x_1F, members: [{name: w, cpu: +0x1, gpus: {count: 0b1, fraction: 0_0.5}},"
                + " {name: v, gpus: 0x2}]}")).extracting(Violation::path, Violation::value).containsExactly(tuple("priority", "0x_1F"),
                        tuple("members[0].cpu", "+0x1"), tuple("members[0].gpus.count", "0b1"), tuple("members[0].gpus.fraction", "0_0.5"),
                        tuple("members[1].gpus", "0x2"));
        // base 60: 1:30 is text to this parser, refused as a number would be; 1:30.5 is named by its field, not a syntax error
        assertThat(violations(member("replicas: 1:30, cpu: 1"))).containsExactly(new Violation("members[0].replicas", "1:30",
                "a whole number from 1 to 1024"));
        assertThat(violations(member("cpu: 1:30.5"))).containsExactly(new Violation("members[0].cpu", "1:30.5",
                "is read by YAML as a number in base 60 (sexagesimal)", "a plain decimal number, in the unit the field takes"));
        Contract c = reader.read(member("cpu: 2.5, provisioning: {disk: 0x10, size: 1_000}"), "c");
        assertThat(c.members().get(0).cpuMilli()).isEqualTo(2500);
        assertThat(c.members().get(0).provisioning()).containsEntry("disk", "0x10").containsEntry("size", "1_000");
    }

    /**
     * An explicit YAML tag made a value something else or was dropped without a word: tenant: !!binary
     * was refused as "read as a number", cpu: !foo 4 was 4 CPUs and name: !!str x was x. A contract
     * takes plain values: every tag is refused naming its field and the tag, and quoting keeps text.
     */
    @Test
    void explicitYamlTagsAreRefusedNamingTheFieldAndTheTag() {
        String plain = "a plain YAML value without a tag: a contract takes no tags (quote text to keep it as written)";
        assertThat(violations("{name: x, tenant: !!binary aGVsbG8=, members: [{name: w, cpu: 1}]}")).containsExactly(
                new Violation("tenant", "!!binary aGVsbG8=", "has the YAML tag !!binary", plain));
        assertThat(violations(member("cpu: !foo 4"))).containsExactly(new Violation("members[0].cpu", "!foo 4", "has the YAML tag !foo", plain));
        assertThat(violations("{name: !!str x, tenant: !<tag:yaml.org,2002:str> t, priority: ! 4, members: [{name: w, cpu: !!int 1}]}"))
                .extracting(Violation::path, Violation::value).containsExactly(tuple("name", "!!str x"), tuple("tenant", "!!str t"),
                        tuple("priority", "! 4"), tuple("members[0].cpu", "!!int 1"));
        assertThat(violations(member("cpu: 1, gpus: !gpu {count: 1}, topology: !!map {numaAligned: true}")))
                .extracting(Violation::path, Violation::value, Violation::problem).containsExactly(
                        tuple("members[0].gpus", "!gpu", "has the YAML tag !gpu"), tuple("members[0].topology", "!!map", "has the YAML tag !!map"));
        assertThat(violations("{name: x, tenant: t, sovereignty: {countries: [DE, !c FR]}, members: [{name: w, cpu: 1}]}"))
                .extracting(Violation::path).containsExactly("sovereignty.countries[1]");
        // a parameter's value is not shown, only its tag
        assertThat(violations(member("cpu: 1, provisioning: {image: !ami ami-0abc}"))).containsExactly(
                new Violation("members[0].provisioning.image", "!ami", "has the YAML tag !ami", plain));
        Contract quoted = reader.read("{name: '!!str x', tenant: \"!foo\", members: [{name: w, cpu: '4'}]}", "c");
        assertThat(List.of(quoted.name(), quoted.tenant())).containsExactly("!!str x", "!foo");
        assertThat(quoted.members().get(0).cpuMilli()).isEqualTo(4000);
    }

    /**
     * A document of only a tagged value was refused as its value without the tag ('x' for !foo x), where
     * a tag anywhere else is named: it is named here too.
     */
    @Test
    void aDocumentOfOnlyATaggedValueNamesTheTag() {
        String plain = "a plain YAML value without a tag: a contract takes no tags (quote text to keep it as written)";
        assertThat(violations("!foo x")).containsExactly(new Violation("(document)", "!foo x", "has the YAML tag !foo", plain));
        assertThat(violations("!!str x")).containsExactly(new Violation("(document)", "!!str x", "has the YAML tag !!str", plain));
        assertThat(violations("!foo [x]")).containsExactly(new Violation("(document)", "!foo", "has the YAML tag !foo", plain));
        // a tagged list is named by its own path, not its first item's
        assertThat(violations("{name: x, tenant: t, members: !!seq [{name: w, cpu: 1}]}")).containsExactly(
                new Violation("members", "!!seq", "has the YAML tag !!seq", plain));
        // untagged, the value is shown as before
        assertThat(violations("x")).containsExactly(new Violation("(document)", "x", "a mapping with name, tenant and members"));
    }

    /**
     * A document of only a tag without a value ({@code !foo}) was refused as empty, the tag it
     * held not named. It is named, shown printable (a control or format character in it escaped),
     * and what a document must hold is said; a tag without a value on a field is named without a
     * value after it.
     */
    @Test
    void aDocumentOfOnlyATagWithoutAValueNamesTheTag() {
        String mapping = "a mapping with name, tenant and members";
        assertThat(violations("!foo")).containsExactly(new Violation("(document)", "!foo", "is only the YAML tag !foo, without a value", mapping));
        assertThat(violations("--- !!map\n")).containsExactly(
                new Violation("(document)", "!!map", "is only the YAML tag !!map, without a value", mapping));
        assertThat(violations("!f%E2%80%8Bo")).containsExactly(
                new Violation("(document)", "!f\\u200bo", "is only the YAML tag !f\\u200bo, without a value", mapping));
        assertThat(violations("name: x\ntenant: t1\nmembers:\n  - name: w\n    cpu: !foo\n")).containsExactly(new Violation("members[0].cpu", "!foo", "has the YAML tag !foo",
                "a plain YAML value without a tag: a contract takes no tags (quote text to keep it as written)"));
        // a document with nothing in it is still said to be empty
        assertThat(violations("---\n")).containsExactly(new Violation("(document)", null, "is empty", mapping));
    }

    /**
     * YAML 1.1 reads yes, no, on and off as true and false, and numaAligned: yes or allowDegraded: on
     * were taken so; JSON and YAML 1.2 read them as text, and what their author meant is a guess. A
     * true/false field takes true or false only, refusing the others naming the field.
     */
    @Test
    void yaml11BooleansAreRefusedInTrueOrFalseFields() {
        String only = " by YAML 1.1 only (JSON and YAML 1.2 read it as text)";
        assertThat(violations(member("cpu: 1, topology: {numaAligned: yes}"))).containsExactly(
                new Violation("members[0].topology.numaAligned", "yes", "is read as true" + only, "true or false"));
        assertThat(violations(member("gpus: {count: 1, allowDegraded: on}"))).containsExactly(
                new Violation("members[0].gpus.allowDegraded", "on", "is read as true" + only, "true or false"));
        assertThat(violations("{name: x, tenant: t, fabric: {rdma: OFF}, members: [{name: w, cpu: 1, gpus: 2, topology: {nvlinkDomain: No}}]}"))
                .extracting(Violation::path, Violation::value, Violation::problem).containsExactly(
                        tuple("fabric.rdma", "OFF", "is read as false" + only), tuple("members[0].topology.nvlinkDomain", "No", "is read as false" + only));
        // in a field that is not true/false such a word is quoted as written, not as the true or false YAML 1.1 made of it
        assertThat(violations(member("cpu: yes"))).extracting(Violation::path, Violation::value).containsExactly(tuple("members[0].cpu", "yes"));
        assertThat(violations("{name: On, tenant: t, members: [{name: w, cpu: 1}]}")).extracting(Violation::path, Violation::value)
                .containsExactly(tuple("name", "On"));
        // y and n, which YAML 1.1's type repository lists too, are text to the parser: refused as any text is
        assertThat(violations(member("cpu: 1, topology: {numaAligned: y}"))).containsExactly(
                new Violation("members[0].topology.numaAligned", "y", "true or false"));
        // true and false as JSON and YAML 1.2 write them are read; a parameter keeps what was written
        Contract c = reader.read("{name: x, tenant: t, fabric: {rdma: True}, members: [{name: w, cpu: 1, gpus: {count: 2, allowDegraded: TRUE},"
                + " topology: {nvlinkDomain: true, numaAligned: false}, provisioning: {efa: off}}]}", "c");
        assertThat(c.fabric().oneRdmaFabric()).isTrue();
        assertThat(c.members().get(0).gpus().allowDegraded()).isTrue();
        assertThat(c.members().get(0).topology().oneNvlinkDomain()).isTrue();
        assertThat(c.members().get(0).provisioning()).containsEntry("efa", "off");
    }

    /**
     * An empty value (cpu:) is null in YAML, as cpu: ~ is, yet it was read as empty text and refused as
     * "not a CPU quantity" while cpu: ~ meant no CPUs asked for. It is read as ~ is; quoted, '' is text.
     */
    @Test
    void anEmptyValueIsReadAsTilde() {
        for (String none : List.of("~", "", "null")) {
            Contract c = reader.read("name: x\ntenant: t\nmembers:\n  - name: w\n    memory: 1GiB\n    cpu: " + none + "\n    power:\n"
                    + "    gpus:\n", "c");
            assertThat(c.members().get(0).cpuMilli()).as("cpu: %s", none).isZero();
            assertThat(c.members().get(0).memoryBytes()).isEqualTo(1L << 30);
            assertThat(c.members().get(0).gpus().count()).isZero();
        }
        assertThat(violations("name: x\ntenant:\nmembers: [{name: w, cpu: 1}]\n")).containsExactly(
                new Violation("tenant", null, "the owning tenant as text"));
        assertThat(violations(member("cpu: ''"))).extracting(Violation::path, Violation::problem)
                .containsExactly(tuple("members[0].cpu", "is not a CPU quantity"));
        // a parameter keeps the empty text written, as it keeps any other; ~ is no plain value
        Contract c = reader.read("name: x\ntenant: t\nmembers:\n  - name: w\n    cpu: 1\n    provisioning:\n      image:\n", "c");
        assertThat(c.members().get(0).provisioning()).containsEntry("image", "");
        assertThat(violations(member("cpu: 1, provisioning: {image: ~}"))).extracting(Violation::path)
                .containsExactly("members[0].provisioning.image");
    }

    /**
     * YAML reads a number with a leading zero as octal: replicas: 010 made 8 replicas and cpu: 010 8
     * CPUs, while cpu: 09 (not octal) was 9. A number is read as written or refused, never as another.
     */
    @Test
    void numbersWithALeadingZeroAreNotReadAsOctal() {
        String octal = "is read as 8 (YAML takes a number with a leading 0 for octal)";
        assertThat(violations(member("replicas: 010, cpu: 1"))).containsExactly(new Violation("members[0].replicas", "010", octal,
                "a decimal number without leading zeros, such as 10"));
        assertThat(violations("{name: x, tenant: t, priority: 010, members: [{name: w, cpu: 010, gpus: {count: 010}}]}"))
                .extracting(Violation::path, Violation::problem)
                .containsExactly(tuple("priority", octal), tuple("members[0].cpu", octal), tuple("members[0].gpus.count", octal));
        assertThat(violations(member("gpus: 010"))).extracting(Violation::path).containsExactly("members[0].gpus");
        // what a leading zero does not change is read as written, and so is a parameter, which is kept as text
        Contract c = reader.read("{name: x, tenant: t, priority: 07, members: [{name: w, cpu: 09, gpus: 00, provisioning: {disk: 010}}]}", "c");
        assertThat(c.priority()).isEqualTo(7);
        assertThat(c.members().get(0).cpuMilli()).isEqualTo(9000);
        assertThat(c.members().get(0).provisioning()).containsEntry("disk", "010");
    }

    @Test
    void degradedGpusAreOptIn() {
        assertThat(reader.read(member("gpus: 1"), "c").members().get(0).gpus().allowDegraded()).isFalse();
        assertThat(reader.read(member("gpus: {count: 2, allowDegraded: true}"), "c").members().get(0).gpus().allowDegraded()).isTrue();
    }

    // ---- issue: messages for bad input (files, encodings, sizes, syntax) ------------------------

    /**
     * YAML's {@code .inf} and {@code .nan}, and numbers past the reader's 100 digits, fail in the YAML
     * parser. Before, they were reported as "not well-formed YAML: Malformed numeric value" (which
     * they are not) or with the parser's internal setting's name and no line.
     */
    @Test
    void numbersThatAreNotFiniteOrTooLongAreRefusedNamingTheField() {
        assertThat(violations(member("cpu: .inf"))).extracting(Object::toString)
                .containsExactly("members[0].cpu: '.inf' is not a finite number; expected a finite number, in the unit the field takes");
        assertThat(violations(member("gpus: {count: 1, fraction: .nan}"))).extracting(Object::toString)
                .containsExactly("members[0].gpus.fraction: '.nan' is not a finite number; expected a finite number, in the unit the field takes");
        assertThat(violations("name: x\ntenant: t1\npower: {ceiling: .NaN}\nmembers: [{name: w, cpu: 1}]\n")).extracting(Object::toString)
                .containsExactly("power.ceiling: '.NaN' is not a finite number; expected a finite number, in the unit the field takes");
        assertThat(violations("name: x\ntenant: t1\nmembers:\n  - name: w\n    cpu: 1" + "0".repeat(120) + "\n"))
                .extracting(Object::toString)
                .containsExactly("(document) line 5: is a number of 121 digits; expected a number of at most 100 digits");
        // numbers past a double's range, or finer than it, are shown as written and refused by the field's own bound
        String cpu = "expected a CPU quantity such as 4, 2.5 or 500m, from 0 to 65536 CPUs";
        assertThat(violations(member("cpu: 1e400"))).extracting(Object::toString).containsExactly("members[0].cpu: '1e400' is out of bounds; " + cpu);
        assertThat(violations(member("cpu: 1.5E+10"))).extracting(Object::toString).containsExactly("members[0].cpu: '1.5e10' is out of bounds; " + cpu);
        assertThat(violations(member("cpu: -1e400"))).extracting(Object::toString).containsExactly("members[0].cpu: '-1e400' is not a CPU quantity; " + cpu);
        assertThat(violations(member("cpu: 1e-400"))).extracting(Object::toString)
                .containsExactly("members[0].cpu: '1e-400' is finer than a thousandth of a CPU; " + cpu + ", in steps of 1m");
        assertThat(violations(member("cpu: 2.50e999999999"))).extracting(Object::toString)
                .containsExactly("members[0].cpu: '2.50e999999999' is out of bounds; " + cpu);
        assertThat(violations(member("cpu: 0.0000001"))).extracting(Object::toString)
                .containsExactly("members[0].cpu: '0.0000001' is finer than a thousandth of a CPU; " + cpu + ", in steps of 1m");
        assertThat(violations(member("gpus: {count: 1, fraction: 1e400}"))).extracting(Object::toString).singleElement().asString()
                .startsWith("members[0].gpus.fraction: '1e400'; expected a share of one GPU");
        assertThat(violations(member("power: 1e400"))).extracting(Object::toString)
                .containsExactly("members[0].power: '1e400' has no unit; expected a power with a unit, such as 700W or 10kW, from 0 to 1MW");
    }

    @Test
    void tabIndentationGivesOneLineNumberAndSaysWhy() {
        String text = "name: x\ntenant: t\nmembers:\n\t- name: w\n\t  cpu: 1\n";
        Violation v = violations(text).get(0);
        assertThat(v.path()).isEqualTo("(document) line 4, column 1");
        assertThat(v.value()).isEqualTo("\\t- name: w");
        assertThat(v.problem()).startsWith("is not well-formed YAML: found character '\\t(TAB)' that cannot start any token")
                .endsWith("(tabs cannot indent YAML; indent with spaces)").doesNotContain("line 3").doesNotContain("line 5");
    }

    @Test
    void aDirectoryIsNotAContractFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        assertThatThrownBy(() -> reader.read(dir)).isInstanceOf(InvalidContractException.class)
                .hasMessage("contract " + dir + " has 1 error:\n  (file): '" + dir + "' is a directory; expected a contract file (YAML or JSON), "
                        + "not a directory");
    }

    @Test
    void aMissingFileSaysWhereItWasLookedFor(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        java.nio.file.Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> reader.read(missing)).isInstanceOf(InvalidContractException.class)
                .hasMessageContaining("(file): '" + missing + "' does not exist; expected a contract file (YAML or JSON); the path was read as "
                        + missing.toAbsolutePath());
    }

    @Test
    void bytesThatAreNotUtf8AreNamedWithTheirPlace(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("latin1.yaml");
        java.nio.file.Files.write(file, "name: x\ntenant: M\u00fcller\nmembers: [{name: w, cpu: 1}]\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> reader.read(file)).isInstanceOf(InvalidContractException.class)
                .hasMessage("contract " + file + " has 1 error:\n  (document) line 2, column 10 (byte 17): has byte 0xFC, which is not UTF-8; "
                        + "expected text encoded as UTF-8")
                .hasMessageNotContaining("Input length");
        java.nio.file.Files.write(file, "name: x\ntenant: M\u00fcller\nmembers: [{name: w, cpu: 1}]\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(reader.read(file).tenant()).isEqualTo("M\u00fcller");
    }

    /**
     * A file is read on the Strata server, whose files are not a tenant's to read: a tenant's user (a
     * login with roles {@code tenant:ID}) is refused any file, before it is looked at, so neither
     * what an error would quote (Karaf's etc/users.properties holds every login's password) nor
     * whether a path exists is told; it sends its contract on standard input. Everyone else reads
     * files as before.
     */
    @Test
    void aTenantsUserIsRefusedFilesOfTheServerAndSendsItsContractOnStandardInput(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path users = dir.resolve("users.properties");
        java.nio.file.Files.writeString(users, "# users\nkaraf = s3cret-admin,_g_:admingroup\n_g_\\:admingroup = group,admin\n");
        java.nio.file.Path contract = dir.resolve("mine.yaml");
        java.nio.file.Files.writeString(contract, "{name: web, tenant: bank-risk, members: [{name: m, cpu: 1}]}\n");
        assertThatThrownBy(() -> reader.read(users)).as("an operator").hasMessageContaining("s3cret");
        assertThat(reader.read(contract).tenant()).isEqualTo("bank-risk");
        for (java.nio.file.Path file : List.of(users, contract, dir.resolve("missing.yaml"), dir)) {
            assertThatThrownBy(() -> dev.strata.platform.core.placement.TenantUsers.as("ann", () -> reader.read(file), "ssh", "tenant:bank-risk"))
                    .isInstanceOf(dev.strata.platform.api.exception.AuthorizationException.class)
                    .hasMessage("user ann may act for tenant bank-risk only (its roles tenant:ID); a contract file is read on the Strata "
                            + "server, whose files are not a tenant's to read; give the contract on standard input (strata:place -f -): "
                            + "refused to read " + file);
        }
        byte[] sent = java.nio.file.Files.readAllBytes(contract);
        assertThat(dev.strata.platform.core.placement.TenantUsers.as("ann", () -> reader.read(new java.io.ByteArrayInputStream(sent),
                "(standard input)"), "tenant:bank-risk").name()).isEqualTo("web");
        assertThatThrownBy(() -> dev.strata.platform.core.placement.TenantUsers.as("ann", () -> reader.read(
                new java.io.ByteArrayInputStream("just s3cret text".getBytes(java.nio.charset.StandardCharsets.UTF_8)), "(standard input)"),
                "tenant:bank-risk")).as("its own document, sent on standard input, is quoted").hasMessageContaining("s3cret");
    }

    @Test
    void aFiftyMegabyteContractIsTooLargeAndIsNotParsed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("huge.yaml");
        // well-formed YAML: a valid contract followed by 50 MB of comments
        try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(file)) {
            out.write("{name: x, tenant: t, members: [{name: w, cpu: 1}]}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            byte[] comment = ("# " + "x".repeat(1021) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            for (int i = 0; i < 50 * 1024; i++) {
                out.write(comment);
            }
        }
        long size = java.nio.file.Files.size(file);
        assertThatThrownBy(() -> reader.read(file)).isInstanceOf(InvalidContractException.class)
                .hasMessage("contract " + file + " has 1 error:\n  (document): is too large: " + String.format(java.util.Locale.ROOT, "%,d", size)
                        + " bytes; expected at most 1,048,576 bytes (1 MiB); the document was not parsed")
                .hasMessageNotContaining("well-formed").hasMessageNotContaining("code points");
        // the same through a stream: reading stops after the limit
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            assertThatThrownBy(() -> reader.read(in, "stdin")).isInstanceOf(InvalidContractException.class)
                    .hasMessageContaining("(document): is too large (more than 1,048,576 bytes); expected at most 1,048,576 bytes (1 MiB)");
            assertThat(in.available()).as("the rest of the stream was not read").isGreaterThan(40 << 20);
        }
        assertThatThrownBy(() -> reader.read("#".repeat((1 << 20) + 1), "text")).isInstanceOf(InvalidContractException.class)
                .hasMessageContaining("is too large: 1,048,577 characters; expected at most 1,048,576 characters");
    }

    /**
     * What an error shows of the document is bounded and cleaned: a scalar document (a token
     * pasted where a contract was expected), a value with line breaks that would forge lines of a
     * log, and a megabyte of text.
     */
    @Test
    void errorsShowNoCredentialNoLineBreakAndNoMegabyteOfTheDocument() {
        String key = "AKIAIOSFODNN7EXAMPLE";
        assertThatThrownBy(() -> reader.read("\"aws_access_key_id=" + key + " aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"",
                "shell")).isInstanceOf(InvalidContractException.class)
                .hasMessageContaining("(document): '").hasMessageContaining("expected a mapping with name, tenant and members")
                .hasMessageNotContaining(key).hasMessageNotContaining("wJalrXUtnFEMI");
        assertThatThrownBy(() -> reader.read("{name: a, tenant: t, colour: \"blue\\n2026-12-01 INFO forged line\", members: [{name: w, cpu: 1}]}", "a.yaml"))
                .isInstanceOf(InvalidContractException.class)
                .satisfies(e -> assertThat(((InvalidContractException) e).violations()).singleElement()
                        .satisfies(v -> assertThat(v.toString()).doesNotContain("\n").contains("colour: 'blue 2026-12-01 INFO forged line'")));
        String huge = "x".repeat(1_000_000);
        assertThatThrownBy(() -> reader.read("\"" + huge + "\"", "shell")).isInstanceOf(InvalidContractException.class)
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400).contains("1000000 characters"));
    }

    @Test
    void anEmptyDocumentSaysSo() {
        assertThatThrownBy(() -> reader.read("", "empty.yaml")).isInstanceOf(InvalidContractException.class)
                .hasMessage("contract empty.yaml has 1 error:\n  (document): is empty; expected a mapping with name, tenant and members");
    }

    /**
     * A document of only '---' is empty, as one of nothing is; and when the contract stands after a
     * second '---', the error says that it does instead of showing an empty value that nobody wrote.
     */
    @Test
    void anEmptyFirstDocumentSaysSoAndNamesTheSecond() {
        assertThat(violations("---\n")).containsExactly(new Violation("(document)", null, "is empty", "a mapping with name, tenant and members"));
        assertThat(violations("---\n---\nname: x\ntenant: t\nmembers: [{name: w, cpu: 1}]\n")).containsExactly(
                new Violation("(document)", null, "is empty", "a mapping with name, tenant and members"),
                new Violation("(document) line 3", null, "holds a second YAML document ('---'), which would not be read",
                        "one contract per document: one document per file"));
    }

    @Test
    void aStreamIsReadLikeAFile() {
        Contract c = reader.read(new java.io.ByteArrayInputStream("{name: x, tenant: t, members: [{name: w, gpus: 1}]}".getBytes(
                java.nio.charset.StandardCharsets.UTF_8)), "stdin");
        assertThat(c.members()).hasSize(1);
    }

    // ---- issue: documents made to be slow, and characters that hide what an error shows -----------

    /**
     * Each number YAML reads in another base or form ({@code 0x1}, {@code 1_0}) is refused; before, each
     * such violation was checked against every violation found before it, so a document of a hundred
     * thousand of them (500 KB, within the size limit) took three minutes to refuse, holding a thread
     * of the shell that read it; it takes about a second.
     */
    @Test
    void aDocumentOfManyNumbersInAnotherBaseIsRefusedWithoutScanningItsErrorsForEach() {
        int n = 100_000;
        String document = "{name: x, tenant: t, members: [{name: w, cpu: 1}], x: [" + "0x1, ".repeat(n - 1) + "0x1]}";
        List<Violation> found = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                () -> violations(document));
        assertThat(found).hasSize(n + 1);
        assertThat(found.get(1)).hasToString("x[0]: '0x1' is read as 1 (YAML takes a number starting 0x for hexadecimal); "
                + "expected a plain decimal number, such as 1");
        assertThat(found.get(n)).extracting(Violation::path).isEqualTo("x[" + (n - 1) + "]");
    }

    /**
     * A quantity quoted as text has no more digits than a number YAML reads ({@value ContractBounds#MAX_DIGITS}):
     * before, the reader made a number of however many digits were quoted, which for a document of
     * a megabyte of digits took half a minute, and a number of 101 digits was only "out of bounds".
     * (The time is not asserted: on a loaded machine it would not tell the two apart.)
     */
    @Test
    void aQuotedQuantityOfMoreDigitsThanAYamlNumberIsRefusedBeforeItIsRead() {
        String digits = "1".repeat(101);
        assertThat(violations(member("memory: '" + digits + "GiB'"))).extracting(Object::toString).containsExactly("members[0].memory: '"
                + digits + "GiB' is a number of 101 digits; expected a size "
                + "with a unit, such as 64GiB, from 0 to 1PiB (a number of at most 100 digits)");
        assertThat(violations(member("cpu: '0." + digits + "'"))).extracting(Violation::problem).containsExactly("is a number of 102 digits");
        assertThat(violations(member("cpu: 1, power: '" + digits + "W'"))).extracting(Violation::problem).containsExactly("is a number of 101 digits");
        // 100 digits are read as before: the many zeros of 1.000...0GiB are exactly 1GiB
        assertThat(reader.read(member("memory: '1." + "0".repeat(99) + "GiB'"), "c").members().get(0).memoryBytes()).isEqualTo(1L << 30);
        String many = "1".repeat(100_000);
        assertThat(violations(member("cpu: '" + many + "'"))).extracting(Violation::problem).containsExactly("is a number of 100000 digits");
    }

    /**
     * A format character that cleaning leaves in an offending value or a problem (a byte order mark, a
     * zero-width space, the Arabic letter mark, which reorders text as a direction override does) is
     * shown escaped, as one in a key is; before, it reached the message as it was, where it hides or
     * turns what the error shows.
     */
    @Test
    void formatCharactersInAnOffendingValueAreShownEscaped() {
        assertThat(violations(member("cpu: \"4\\u061C\""))).extracting(Object::toString).containsExactly(
                "members[0].cpu: '4\\u061c' has a unit ('\\u061c') that is not m; expected a CPU quantity such as 4, 2.5 or 500m, from 0 to "
                        + "65536 CPUs");
        assertThat(violations("{name: x, tenant: t, members: [{name: w, cpu: 1}], \"colour\": \"b\\uFEFFlu\\u200Be\"}"))
                .extracting(Object::toString).containsExactly("colour: 'b\\ufefflu\\u200be'; expected one of the fields deployment, fabric, "
                        + "isolation, members, name, priority, sovereignty, tenant");
    }

    /**
     * A document nested deeper than the reader's 64 levels is well-formed YAML: before, it was said not
     * to be, naming the parser's internal setting ({@code StreamReadConstraints.getMaxNestingDepth()})
     * and no place; it is named by the line and column where it goes too deep, with the limit.
     */
    @Test
    void aDocumentNestedTooDeeplyIsNamedWhereItGoesTooDeepNotCalledMalformed() {
        assertThat(violations("name: x\ntenant: t\nmembers:\n  - name: w\n    cpu: 1\n    topology: " + "[".repeat(70) + "]".repeat(70) + "\n"))
                .extracting(Object::toString).containsExactly("(document) line 6, column 77: is nested more than 64 levels deep; expected at most "
                        + "64 levels of mappings and lists, one inside another");
    }
}
