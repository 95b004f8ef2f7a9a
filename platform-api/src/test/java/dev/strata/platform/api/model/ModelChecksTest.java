package dev.strata.platform.api.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleFunction;
import org.junit.jupiter.api.Test;

/** What the model records' compact constructors refuse, for every consumer's sake. */
class ModelChecksTest {

    /**
     * Every double of the model (bandwidths, latency, power limits, throughput, floor space, PCIe
     * speeds) refuses infinity as it refuses NaN and a negative value, naming the field. Before, an
     * infinite bandwidth was taken: a fabric reported at {@code Infinity} Gbit/s met every
     * contract's minimum bandwidth, and an infinite GPU power limit made every power sum over the
     * node infinite.
     */
    @Test
    void aDoubleThatIsInfiniteIsRefusedNamingTheField() {
        Map<String, DoubleFunction<Object>> records = Map.of(
                "fabric.linkBandwidthGbps", v -> Fabric.builder().id("f").type(FabricType.DATA).linkBandwidthGbps(v).build(),
                "fabric.latencyMicros", v -> Fabric.builder().id("f").type(FabricType.DATA).latencyMicros(v).build(),
                "power.enforcedWatts", v -> new PowerLimits(v, 0, 0, 0),
                "power.maxWatts", v -> new PowerLimits(0, 0, 0, v),
                "storage.throughputMBps", v -> StoragePool.builder().id("p").storageClass(StorageClass.FILE).siteId("s").throughputMBps(v).build(),
                "link.bandwidthGBps", v -> new DeviceLink(0, null, null, v, true),
                "accelerator.linkBandwidthGBps", v -> Accelerator.builder().id("g").model("m").linkBandwidthGBps(v).build(),
                "site.floorSpaceSquareMetres", v -> Site.builder().id("s").providerId("p").floorSpaceSquareMetres(v).build(),
                "pci.link.maxSpeedGts", v -> new PciLink(0, 0, v, 0));
        records.forEach((field, make) -> {
            assertThat(make.apply(12.5)).as(field + " finite").isNotNull();
            assertThatThrownBy(() -> make.apply(Double.POSITIVE_INFINITY)).as(field + " infinite")
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(field + " is Infinity; expected a finite number, 0 or more");
            assertThatThrownBy(() -> make.apply(Double.NaN)).as(field + " NaN").isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(field + " is NaN; expected a finite number, 0 or more");
            assertThatThrownBy(() -> make.apply(Double.NEGATIVE_INFINITY)).as(field + " negative").isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(field + " is -Infinity; expected a finite number, 0 or more");
        });
    }

    /**
     * A null element, key or value of a record's list, set or map is refused naming the field, and
     * the index or key, as the builders' {@code @throws} promises. Before, {@code List.copyOf} and
     * {@code Map.copyOf} threw a NullPointerException without a message: a provider that put an
     * attribute it could not read ({@code serial} null) learnt neither which record nor which entry.
     */
    @Test
    void aNullElementKeyOrValueIsRefusedNamingTheFieldAndTheEntry() {
        assertThatThrownBy(() -> Accelerator.builder().id("g").model("m").attribute("serial", null).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("accelerator.attributes: 'serial' is null; expected a value, or the entry left out");
        assertThatThrownBy(() -> Node.builder().id("n").providerId("p").siteId("s").kind(NodeKind.values()[0])
                .attribute("dmi\nforged", null).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("node.attributes: 'dmi\\u000aforged' is null; expected a value, or the entry left out");
        Accelerator gpu = Accelerator.builder().id("g").model("m").build();
        assertThatThrownBy(() -> Node.builder().id("n").providerId("p").siteId("s").kind(NodeKind.values()[0])
                .accelerators(Arrays.asList(gpu, null)).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("node.accelerators[1] is null; expected a value, or the element left out");
        Set<String> members = new HashSet<>(Arrays.asList("a", null));
        assertThatThrownBy(() -> Fabric.builder().id("f").type(FabricType.DATA).members(members).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("fabric.members holds null; expected values only");
        assertThatThrownBy(() -> new InventorySnapshot(1, Instant.EPOCH, null, List.of(), List.of(), List.of(), List.of(), List.of(), List.of()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("inventory.sites");
        assertThat(Node.builder().id("n").providerId("p").siteId("s").kind(NodeKind.values()[0]).accelerators(List.of(gpu))
                .attribute("os", "linux").build().attributes()).containsExactly(Map.entry("os", "linux"));
    }

    /**
     * A record refusing a value shows the provider's text in its message (a site id and country, a
     * device path's ends, a PCI address) with control and format characters escaped, as a
     * configured value is shown. Before, they went into the message as they were: an escape
     * sequence from a vendor library's output drove the terminal of whoever read the log, and a line
     * break forged a log line.
     */
    /**
     * An accelerator's or NIC's NUMA node below -1 is refused naming the field and the range, as a
     * PCI device's is. Before, it was taken: -1 means unknown, and a consumer that checks for -1 read
     * -2 as a node that no node has.
     */
    @Test
    void aNumaNodeBelowMinusOneIsRefusedNamingTheField() {
        assertThatThrownBy(() -> Accelerator.builder().id("g").model("m").numaNode(-2).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("accelerator.numaNode is -2; expected -1 (unknown) or more");
        assertThatThrownBy(() -> new Nic("eth0", null, null, 0, -2, "ethernet"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nic.numaNode is -2; expected -1 (unknown) or more");
        assertThat(Accelerator.builder().id("g").model("m").numaNode(-1).build().numaNode()).isEqualTo(-1);
        assertThat(new Nic("eth0", null, null, 0, 1, "ethernet").numaNode()).isEqualTo(1);
    }

    /**
     * A partition profile with more compute slices than its device, or a negative count, is refused
     * naming the profile and what was expected, so that {@code fraction()} stays in (0, 1] as it
     * promises. Before, 8 of 7 slices was taken, and one instance was 8/7 of a GPU.
     */
    @Test
    void aPartitionProfileWithMoreSlicesThanItsDeviceIsRefused() {
        PartitionProfile.Builder profile = PartitionProfile.builder().name("1g.18gb\n").maxInstances(7).totalSlices(7);
        assertThatThrownBy(() -> profile.computeSlices(8).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partitionProfile 1g.18gb\\u000a: computeSlices is 8, more than the device's totalSlices, 7; expected 0 to 7");
        assertThatThrownBy(() -> profile.computeSlices(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partitionProfile.computeSlices is -1; expected 0 or more");
        assertThatThrownBy(() -> profile.computeSlices(1).totalSlices(-7).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partitionProfile.totalSlices is -7; expected 0 or more");
        assertThat(profile.computeSlices(7).totalSlices(7).build().fraction()).isEqualTo(1.0);
        assertThat(profile.computeSlices(3).totalSlices(0).build().fraction()).as("device's slices unknown").isZero();
    }

    @Test
    void aRefusalShowsTheProvidersTextEscaped() {
        assertThatThrownBy(() -> Site.builder().id("fra\n1").providerId("p").country("D\u202eE").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("site fra\\u000a1: country 'D\\u202eE' is not an ISO 3166-1 alpha-2 country code; expected an upper-case"
                        + " code such as DE");
        assertThatThrownBy(() -> new DevicePath("GPU-a\u001b[31m", "GPU-b", null, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("path GPU-a\\u001b[31m -> GPU-b has neither a PCIe level nor NVLinks");
        assertThatThrownBy(() -> new PciDevice("0000:3b:00.0\r", 0x10de, 0x2335, 0x030200, null, null, -2, CpuSet.EMPTY, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pci 0000:3b:00.0\\u000d: numaNode is -2; expected -1 or more");
    }
}
