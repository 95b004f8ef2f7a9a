package dev.strata.provider.nvidia.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.testkit.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The small shared rules: addresses, speeds, throttle names, health, NVLink domains, the XID window. */
class DeviceRulesTest {

    @Test
    void normalisesNvidiaBusIdsToLinuxAddresses() {
        assertThat(PciAddresses.normalise("00000000:00:06.0")).isEqualTo("0000:00:06.0");
        assertThat(PciAddresses.normalise("00000000:3B:00.0")).isEqualTo("0000:3b:00.0");
        assertThat(PciAddresses.normalise("0001:C1:00.1")).isEqualTo("0001:c1:00.1");
        assertThat(PciAddresses.normalise("07:00.0")).isEqualTo("0000:07:00.0");
        assertThat(PciAddresses.normalise("N/A")).isNull();
        assertThat(PciAddresses.normalise(null)).isNull();
    }

    @Test
    void convertsPcieGenerationsToGigaTransfersPerLane() {
        assertThat(List.of(1, 2, 3, 4, 5, 6).stream().map(PcieSpeeds::gigaTransfersOf)).containsExactly(2.5, 5.0, 8.0, 16.0, 32.0, 64.0);
        assertThat(PcieSpeeds.gigaTransfersOf(0)).isZero();
        assertThat(PcieSpeeds.gigaTransfersOf(7)).isZero();
    }

    @Test
    void namesThrottleReasonsAsNvmlDoes() {
        assertThat(ThrottleReasons.ofMask(0x1FF)).containsExactlyInAnyOrder("GPU_IDLE", "APPLICATIONS_CLOCKS_SETTING", "SW_POWER_CAP",
                "HW_SLOWDOWN", "SYNC_BOOST", "SW_THERMAL_SLOWDOWN", "HW_THERMAL_SLOWDOWN", "HW_POWER_BRAKE_SLOWDOWN",
                "DISPLAY_CLOCK_SETTING");
        assertThat(ThrottleReasons.ofMask(0x1000)).containsExactly("0x1000");
        assertThat(ThrottleReasons.maskOf(Set.of("SW_POWER_CAP", "GPU_IDLE"))).isEqualTo(0x5);
        assertThat(ThrottleReasons.ofXmlElement("clocks_event_reason_hw_power_brake_slowdown")).isEqualTo("HW_POWER_BRAKE_SLOWDOWN");
        assertThat(ThrottleReasons.ofXmlElement("clocks_throttle_reason_sw_power_cap")).isEqualTo("SW_POWER_CAP");
        assertThat(ThrottleReasons.ofXmlElement("clocks_event_reason_display_clocks_setting")).isEqualTo("DISPLAY_CLOCK_SETTING");
        assertThat(ThrottleReasons.ofXmlElement("clocks_event_reasons_counters_sw_power_cap")).isNull();
    }

    @Test
    void healthRules() {
        assertThat(HealthRules.evaluate(Set.of("GPU_IDLE", "APPLICATIONS_CLOCKS_SETTING"), null, false, false, List.of()))
                .isEqualTo(Health.OK);
        assertThat(HealthRules.evaluate(Set.of(), null, null, null, List.of(13, 31, 43, 45))).isEqualTo(Health.OK);
        assertThat(HealthRules.evaluate(Set.of("SW_POWER_CAP"), null, null, null, List.of()))
                .as("a GPU at its power cap under load is healthy").isEqualTo(Health.OK);
        assertThat(HealthRules.evaluate(Set.of("SW_POWER_CAP", "HW_SLOWDOWN"), null, null, null, List.of()))
                .isEqualTo(new Health(Health.Status.DEGRADED, List.of("clocks throttled: HW_SLOWDOWN")));
        assertThat(HealthRules.evaluate(Set.of(), true, null, null, List.of(94)))
                .isEqualTo(new Health(Health.Status.DEGRADED, List.of("XID 94 reported", "retired pages pending (reset required)")));
        assertThat(HealthRules.evaluate(Set.of("HW_SLOWDOWN"), null, true, true, List.of(79)))
                .isEqualTo(new Health(Health.Status.FAILED, List.of("row remapping failed", "XID 79 reported",
                        "remapped rows pending (reset required)", "clocks throttled: HW_SLOWDOWN")));
    }

    /**
     * A corrupted infoROM degrades the GPU and fails it never (the GPU works; the configuration and ECC counts stored there
     * may be wrong); unknown (null) or valid is no finding, and it adds its reason to a failure's. Before, the rules had no
     * such fact.
     */
    @Test
    void aCorruptedInforomDegradesAndDoesNotFail() {
        assertThat(HealthRules.evaluate(Set.of(), null, null, null, List.of(), HealthRules.MemoryRepair.UNKNOWN, true))
                .isEqualTo(new Health(Health.Status.DEGRADED, List.of("infoROM corrupted")));
        assertThat(HealthRules.evaluate(Set.of(), null, null, null, List.of(), HealthRules.MemoryRepair.UNKNOWN, false))
                .isEqualTo(Health.OK);
        assertThat(HealthRules.evaluate(Set.of(), null, null, null, List.of(), HealthRules.MemoryRepair.UNKNOWN, null))
                .isEqualTo(Health.OK);
        assertThat(HealthRules.evaluate(Set.of(), null, null, null, List.of(79), HealthRules.MemoryRepair.UNKNOWN, true))
                .isEqualTo(new Health(Health.Status.FAILED, List.of("XID 79 reported", "infoROM corrupted")));
    }

    @Test
    void nvLinkDomainsAreConnectedComponents() {
        NvLinkDomains.Domains domains = NvLinkDomains.of(List.of(
                new NvLinkDomains.Member("GPU-b", true, false, 100),
                new NvLinkDomains.Member("GPU-a", true, false, 100),
                new NvLinkDomains.Member("GPU-c", true, false, 50),
                new NvLinkDomains.Member("GPU-d", false, false, 0)),
                List.of(List.of("GPU-a", "GPU-b"), List.of("GPU-b", "GPU-c")));

        assertThat(domains.fabrics()).singleElement().satisfies(f -> {
            assertThat(f.id()).isEqualTo("nvlink:GPU-a");
            assertThat(f.members()).containsExactlyInAnyOrder("GPU-a", "GPU-b", "GPU-c");
            assertThat(f.technology()).isEqualTo("NVLink");
            assertThat(f.linkBandwidthGbps()).isEqualTo(400);
        });
        assertThat(domains.domainOf()).containsOnlyKeys("GPU-a", "GPU-b", "GPU-c");
        assertThat(NvLinkDomains.perLinkGBps("9.0")).isEqualTo(25);
        assertThat(NvLinkDomains.perLinkGBps("10.0")).isEqualTo(50);
        assertThat(NvLinkDomains.perLinkGBps("6.0")).isEqualTo(20);
    }

    @Test
    void switchedGpusShareOneDomain() {
        NvLinkDomains.Domains domains = NvLinkDomains.of(List.of(
                new NvLinkDomains.Member("GPU-1", true, true, 450),
                new NvLinkDomains.Member("GPU-0", true, true, 450)), List.of());

        Fabric fabric = domains.fabrics().get(0);
        assertThat(fabric.technology()).isEqualTo("NVSwitch");
        assertThat(fabric.tiers()).containsExactly("nvswitch");
        assertThat(fabric.members()).hasSize(2);
    }

    @Test
    void xidsCountForAnHour() {
        SettableClock clock = SettableClock.at(Instant.parse("2026-11-27T00:00:00Z"));
        XidLog log = new XidLog(clock);
        log.record("GPU-0", 79);
        log.record("GPU-0", 79);
        clock.advance(Duration.ofMinutes(30));
        log.record("GPU-0", 94);
        assertThat(log.recent("GPU-0")).containsExactly(79, 94);
        clock.advance(Duration.ofMinutes(31));
        assertThat(log.recent("GPU-0")).containsExactly(94);
        assertThat(log.recent("GPU-1")).isEmpty();
    }

    @Test
    void aFloodOfApplicationXidsDoesNotPushAnEarlierCriticalXidOutOfTheWindow() {
        SettableClock clock = SettableClock.at(Instant.parse("2026-11-27T00:00:00Z"));
        XidLog log = new XidLog(clock);
        log.record("GPU-0", 79);
        // a faulting application can make the driver report XID 13 many times a second
        for (int i = 0; i < 500; i++) {
            clock.advance(Duration.ofMillis(100));
            log.record("GPU-0", 13);
        }
        assertThat(log.recent("GPU-0")).containsExactly(79, 13);
        assertThat(HealthRules.evaluate(Set.of(), null, null, null, log.recent("GPU-0")).status()).isEqualTo(Health.Status.FAILED);
        clock.advance(Duration.ofSeconds(3580));
        assertThat(log.recent("GPU-0")).as("XID 79 was reported more than an hour ago, XID 13 less").containsExactly(13);
    }
}
