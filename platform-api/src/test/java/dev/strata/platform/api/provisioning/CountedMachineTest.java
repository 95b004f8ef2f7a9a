package dev.strata.platform.api.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class CountedMachineTest {

    private static final String KEY = "strata.counted.a-000001/worker-0";

    @Test
    void writesTheDocumentedKeyAndValueAndReadsThemBack() {
        CountedMachine m = new CountedMachine("a-000001", "worker-0", 2000, 4L << 30, 1);
        assertThat(m.attributeKey()).isEqualTo(KEY);
        assertThat(m.attributeValue()).isEqualTo("cpuMilli=2000,memoryBytes=4294967296,gpus=1");
        assertThat(CountedMachine.parse(m.attributeKey(), m.attributeValue())).contains(m);
    }

    @Test
    void theFieldsMayComeInAnyOrderAndAroundSpaces() {
        assertThat(CountedMachine.parse(KEY, "gpus=0, memoryBytes = 1048576 ,cpuMilli=500"))
                .contains(new CountedMachine("a-000001", "worker-0", 500, 1 << 20, 0));
    }

    @Test
    void aMemberNameMayHoldASlashTheAllocationIdNever() {
        CountedMachine m = new CountedMachine("a-7", "w/0", 1, 2, 3);
        assertThat(m.attributeKey()).isEqualTo("strata.counted.a-7/w/0");
        assertThat(CountedMachine.parse(m.attributeKey(), m.attributeValue())).contains(m);
    }

    @Test
    void keysOfOtherAttributesAreNoCountedMachine() {
        for (String key : new String[] {"os", "strata.counted", "strata.countedX.a/m", "Strata.counted.a/m", "x.strata.counted.a/m", ""}) {
            assertThat(CountedMachine.parse(key, "whatever")).as(key).isEmpty();
        }
        assertThat(CountedMachine.parse(null, "cpuMilli=1,memoryBytes=1,gpus=1")).isEmpty();
    }

    @Test
    void aKeyWithoutAllocationOrMemberIsRefusedNamingTheAttributeAndTheForm() {
        String value = "cpuMilli=1,memoryBytes=1,gpus=0";
        for (String key : new String[] {"strata.counted.", "strata.counted.a-1", "strata.counted.a-1/", "strata.counted./m", "strata.counted./"}) {
            assertThatThrownBy(() -> CountedMachine.parse(key, value)).as(key).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("node attribute " + key).hasMessageContaining("expected strata.counted.<allocation id>/<member>");
        }
    }

    @Test
    void aBlankAllocationOrMemberIsRefusedNamingTheAttribute() {
        String value = "cpuMilli=1,memoryBytes=1,gpus=0";
        for (String key : new String[] {"strata.counted.a-1/ ", "strata.counted. /m"}) {
            assertThatThrownBy(() -> CountedMachine.parse(key, value)).as(key).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("node attribute " + key).hasMessageContaining("expected");
        }
    }

    @Test
    void aValueNotInTheWrittenFormIsRefusedNamingTheAttributeAndTheForm() {
        String[] values = {
            null,
            "",
            "cpuMilli=1,memoryBytes=1", // a part missing
            "cpuMilli=1,gpus=0",
            "memoryBytes=1,gpus=0",
            "cpuMilli=-1,memoryBytes=1,gpus=0", // negative
            "cpuMilli=1,memoryBytes=-5,gpus=0",
            "cpuMilli=1,memoryBytes=1,gpus=-1",
            "cpuMilli=1,cpuMilli=2,memoryBytes=1,gpus=0", // repeated
            "cpuMilli=1,memoryBytes=1,gpus=0,gpus=0",
            "cpuMilli=one,memoryBytes=1,gpus=0", // not a number
            "cpuMilli=1.5,memoryBytes=1,gpus=0",
            "cpuMilli=1,memoryBytes=1GiB,gpus=0",
            "cpuMilli=1,memoryBytes=99999999999999999999,gpus=0",
            "cpuMilli=1,memoryBytes=1,gpus=2147483648", // more GPUs than an int
            "cpuMilli=1,memoryBytes=1,gpus=", // no number
            "cpuMilli=1,memoryBytes=1,gpus",
            "cpuMilli=1,memoryBytes=1,gpus=0,", // an empty part
            "cpuMilli=1;memoryBytes=1;gpus=0",
            "cpuMilli=1,memoryBytes=1,gpus=0,disk=5", // unknown field
            "cpumilli=1,memoryBytes=1,gpus=0",
        };
        for (String value : values) {
            assertThatThrownBy(() -> CountedMachine.parse(KEY, value)).as(value).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("node attribute " + KEY + " = '" + value + "'")
                    .hasMessageContaining("expected cpuMilli=<n>,memoryBytes=<n>,gpus=<n>");
        }
    }

    @Test
    void theRecordRefusesASlashInTheAllocationIdBlankNamesAndNegativeUse() {
        assertThatThrownBy(() -> new CountedMachine("a/1", "m", 0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a/1").hasMessageContaining("without '/'");
        assertThatThrownBy(() -> new CountedMachine(" ", "m", 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CountedMachine("a", "", 0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("member");
        assertThatThrownBy(() -> new CountedMachine(null, "m", 0, 0, 0)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new CountedMachine("a", null, 0, 0, 0)).isInstanceOf(NullPointerException.class);
        for (long[] use : new long[][] {{-1, 0, 0}, {0, -1, 0}, {0, 0, -1}}) {
            assertThatThrownBy(() -> new CountedMachine("a", "m", use[0], use[1], (int) use[2])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("a/m").hasMessageContaining("expected 0 or more");
        }
        assertThat(new CountedMachine("a", "m", 0, 0, 0).gpus()).isZero();
    }

    @Test
    void aNodeReportsItsCountedMachinesAmongItsOtherAttributes() {
        CountedMachine one = new CountedMachine("a-1", "m0", 1000, 1 << 30, 0);
        CountedMachine two = new CountedMachine("a-2", "m0", 2000, 2L << 30, 1);
        Node node = Node.builder().id("host1").providerId("openstack").siteId("s1").kind(NodeKind.DECLARED)
                .attribute("os", "linux").attribute(one.attributeKey(), one.attributeValue()).attribute(two.attributeKey(), two.attributeValue())
                .build();
        assertThat(CountedMachine.on(node)).containsExactlyInAnyOrder(one, two);
        Node plain = Node.builder().id("host2").providerId("openstack").siteId("s1").kind(NodeKind.DECLARED).attribute("os", "linux").build();
        assertThat(CountedMachine.on(plain)).isEmpty();
        Node bad = node.toBuilder().attribute("strata.counted.a-3/m0", "cpuMilli=1").build();
        assertThatThrownBy(() -> CountedMachine.on(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strata.counted.a-3/m0");
    }

    @Property(tries = 300)
    void everyMachineReadsBackFromItsAttribute(@ForAll("allocationIds") String allocationId, @ForAll("members") String member,
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long cpuMilli, @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long memoryBytes,
            @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int gpus) {
        CountedMachine m = new CountedMachine(allocationId, member, cpuMilli, memoryBytes, gpus);
        assertThat(m.attributeKey()).startsWith(CountedMachine.ATTRIBUTE_PREFIX);
        assertThat(CountedMachine.parse(m.attributeKey(), m.attributeValue())).contains(m);
        Node node = Node.builder().id("n").providerId("p").siteId("s").kind(NodeKind.DECLARED).attribute(m.attributeKey(), m.attributeValue())
                .build();
        assertThat(CountedMachine.on(node)).isEqualTo(List.of(m));
    }

    @Provide
    Arbitrary<String> allocationIds() {
        return Arbitraries.strings().all().ofMinLength(1).ofMaxLength(20).filter(s -> !s.isBlank() && s.indexOf('/') < 0);
    }

    @Provide
    Arbitrary<String> members() {
        return Arbitraries.oneOf(Arbitraries.strings().alpha().numeric().withChars('-', '_', '.').ofMinLength(1).ofMaxLength(12),
                Arbitraries.strings().all().ofMinLength(1).ofMaxLength(20).filter(s -> !s.isBlank()));
    }
}
