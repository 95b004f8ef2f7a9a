package dev.strata.platform.core.inventory;

import static dev.strata.platform.core.inventory.TestNodes.compute;
import static dev.strata.platform.core.inventory.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.inventory.ProviderStatus;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.provider.Capability;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Mistakes a vendor's provider bundle makes that its own tests cannot see, since they need a
 * second provider or a second version: the core keeps the other providers whole and says what
 * was wrong, naming the provider.
 */
class ProviderMistakesTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private final AtomicLong serviceIds = new AtomicLong();
    private final ProviderDirectory directory = new ProviderDirectory(
            new InventorySettings(Duration.ofHours(1), WAIT, WAIT, Duration.ofMinutes(15)), new DeadlineExecutor(8), Clock.systemUTC());

    @AfterEach
    void close() {
        directory.close();
    }

    private Registration registration(String id, String bundle, String version, Registration.Discoverer discoverer) {
        return new Registration(id, id, version, bundle, serviceIds.incrementAndGet(), Capability.COMPUTE, discoverer);
    }

    /**
     * A second bundle registers a service with a provider id and capability another bundle's service
     * holds. Before, it silently took over the first one's resources, and when it left the provider
     * was DEPARTED although the first bundle's service was still registered.
     */
    @Test
    void aSecondServiceWithAnIdInUseWaitsAndTakesOverOnlyWhenTheFirstLeaves() {
        Registration first = registration("acme", "com.acme.gpu", "1.0", ctx -> compute(1, node("a1", "acme", "h")));
        directory.register(first);
        directory.refresh("acme", WAIT);
        Registration second = registration("acme", "com.other.gpu", "9.9", ctx -> compute(2, node("b1", "acme", "h")));
        directory.register(second);

        ProviderStatus status = directory.refresh("acme", WAIT);
        assertThat(status.bundle()).isEqualTo("com.acme.gpu");
        assertThat(status.version()).isEqualTo("1.0");
        assertThat(status.warnings()).containsExactly("conflict: the COMPUTE service of bundle com.other.gpu (version 9.9) has this "
                + "provider's id too; it is not used while that of bundle com.acme.gpu (version 1.0) is registered; give each provider "
                + "its own id");
        assertThat(directory.inventory().node("a1")).isPresent();
        assertThat(directory.inventory().node("b1")).isEmpty();

        // the waiting one leaving changes nothing
        directory.unregister(second.serviceId(), Capability.COMPUTE);
        assertThat(directory.refresh("acme", WAIT).state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(directory.status("acme").orElseThrow().warnings()).isEmpty();

        // once the first leaves, one that waited takes over, as a new version would
        directory.register(second);
        directory.unregister(first.serviceId(), Capability.COMPUTE);
        status = directory.refresh("acme", WAIT);
        assertThat(status.state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(status.bundle()).isEqualTo("com.other.gpu");
        assertThat(status.swaps()).isEqualTo(1);
        assertThat(status.warnings()).isEmpty();
        assertThat(directory.inventory().node("b1").orElseThrow().state()).isEqualTo(ResourceState.AVAILABLE);
        assertThat(directory.inventory().node("a1")).isEmpty();

        // and when it leaves with none waiting, the provider departs as usual
        directory.unregister(second.serviceId(), Capability.COMPUTE);
        assertThat(directory.status("acme").orElseThrow().state()).isEqualTo(ProviderState.DEPARTED);
    }

    /**
     * When the service that holds an id leaves and one that waited with it takes over, the resources of the one that left
     * are STALE until the successor's discovery ends, as those of a provider that departed are: they stayed merged as live,
     * its nodes AVAILABLE, while the provider was STARTING, for as long as that discovery took.
     */
    @Test
    void theResourcesOfAServiceThatLeftAreStaleWhileTheOneThatWaitedIsDiscovered() throws Exception {
        Registration first = registration("acme", "com.acme.gpu", "1.0", ctx -> compute(1, node("a1", "acme", "h")));
        directory.register(first);
        directory.refresh("acme", WAIT);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        Registration second = registration("acme", "com.other.gpu", "9.9", ctx -> {
            entered.countDown();
            try {
                release.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return compute(2, node("a1", "acme", "h"));
        });
        directory.register(second);

        directory.unregister(first.serviceId(), Capability.COMPUTE);
        assertThat(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the successor is being discovered").isTrue();
        assertThat(directory.status("acme").orElseThrow().state()).isEqualTo(ProviderState.STARTING);
        assertThat(directory.inventory().node("a1").orElseThrow().state()).as("while the successor is discovered")
                .isEqualTo(ResourceState.STALE);

        release.countDown();
        assertThat(directory.refresh("acme", WAIT).state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(directory.inventory().node("a1").orElseThrow().state()).isEqualTo(ResourceState.AVAILABLE);
    }

    /**
     * A new version whose generations start below its predecessor's (a counter instead of the
     * clock). Before, its snapshots were dropped at DEBUG: it stayed STARTING for ever while the
     * old version's resources stayed, stale, and nothing said why.
     */
    @Test
    void aNewVersionWhoseGenerationsGoBackwardsIsTakenAndToldSo() {
        Registration v1 = registration("acme", "com.acme", "1.0", ctx -> compute(1_700_000_000_000_000L, node("a1", "acme", "h")));
        directory.register(v1);
        directory.refresh("acme", WAIT);
        directory.unregister(v1.serviceId(), Capability.COMPUTE);
        directory.register(registration("acme", "com.acme", "2.0", ctx -> compute(1, node("a2", "acme", "h"))));

        ProviderStatus status = directory.refresh("acme", WAIT);
        assertThat(status.state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(directory.inventory().node("a2").orElseThrow().state()).isEqualTo(ResourceState.AVAILABLE);
        assertThat(directory.inventory().node("a1")).isEmpty();
        assertThat(status.warnings()).containsExactly("generation 1 of version 2.0 is below 1700000000000000 of the version it "
                + "replaced (1.0); generations must increase across bundle versions (use the wall clock in microseconds)");
    }

    /**
     * The warning about generations that went backwards stays while the new version's generations
     * are below its predecessor's. Before, the next discovery (the one registering starts, when it
     * finished before a refresh asked for another) cleared it a moment after it was given.
     */
    @Test
    void theWarningAboutGenerationsGoingBackwardsStaysUntilTheyPassThePredecessors() {
        Registration v1 = registration("acme", "com.acme", "1.0", ctx -> compute(1_000, node("a1", "acme", "h")));
        directory.register(v1);
        directory.refresh("acme", WAIT);
        directory.unregister(v1.serviceId(), Capability.COMPUTE);
        AtomicLong generation = new AtomicLong(1);
        directory.register(registration("acme", "com.acme", "2.0", ctx -> compute(generation.get(), node("a2", "acme", "h"))));
        String warning = "generation 1 of version 2.0 is below 1000 of the version it replaced (1.0); generations must increase "
                + "across bundle versions (use the wall clock in microseconds)";
        assertThat(directory.refresh("acme", WAIT).warnings()).containsExactly(warning);

        // discovered again, still below: the same warning, not a new one per generation
        generation.set(2);
        assertThat(directory.refresh("acme", WAIT).warnings()).containsExactly(warning);
        assertThat(directory.refresh("acme", WAIT).warnings()).containsExactly(warning);

        // once its generations reach the predecessor's, the mistake no longer matters
        generation.set(1_000);
        assertThat(directory.refresh("acme", WAIT).warnings()).isEmpty();
        generation.set(1_001);
        assertThat(directory.refresh("acme", WAIT).warnings()).isEmpty();
    }

    /**
     * A provider whose nodes name another provider as theirs (the example's id copied, a factory
     * configuration's id not passed on). Before, they were merged as that other provider's nodes:
     * provisioned through it and dropped with it. Its site, which names that provider too, is left
     * out as well, and it is told of both.
     */
    @Test
    void nodesThatNameAnotherProviderAreLeftOutWithAWarningToTheirReporter() {
        directory.register(registration("baremetal", "b", "1.0", ctx -> compute(1, node("m1", "baremetal", "h"))));
        directory.refresh("baremetal", WAIT);
        directory.register(registration("acme", "com.acme", "1.0", ctx -> compute(1, node("a1", "baremetal", "h"))));

        ProviderStatus status = directory.refresh("acme", WAIT);
        assertThat(directory.inventory().node("a1")).isEmpty();
        assertThat(status.warnings()).containsExactly("site site-baremetal names provider baremetal, not acme, as the one that "
                + "reports it; left out of the inventory (a resource's providerId is the id of the provider service that reports it)",
                "node a1 names provider baremetal, not acme, as the one that reports it; "
                + "left out of the inventory (a resource's providerId is the id of the provider service that reports it)");
        assertThat(directory.status("baremetal").orElseThrow().warnings()).isEmpty();
        assertThat(directory.inventory().node("m1").orElseThrow().state()).isEqualTo(ResourceState.AVAILABLE);
    }

    /**
     * What the merge says about a provider's resources quotes what the provider wrote (a node's id,
     * a host name, a site's facts): a power domain id carrying an ESC and a host name carrying a
     * BMC's credentials are told in the status and the log cleaned, one line each. Before, merge
     * warnings were the one text of a provider that went to the log uncleaned: a node id could
     * forge a log line of its own, and a password in a host name was logged as it was. A node id
     * carrying a line break is now left out of the inventory, the warning showing it escaped, and so
     * is a node that names its power domain by an id carrying an ESC, the warning showing that id
     * escaped as well.
     */
    @Test
    void whatTheMergeSaysAboutAProvidersResourcesIsCleaned() {
        String password = "pw-" + java.util.UUID.randomUUID();
        String forged = "n1\n2026-12-05 10:00:00 ERROR [main] forged line";
        dev.strata.platform.api.model.Accelerator gpu = dev.strata.platform.api.model.Accelerator.builder().id("GPU-1").model("NVIDIA H200")
                .build();
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            directory.register(registration("acme", "com.acme", "1.0", ctx -> compute(1, node(forged, "acme", "h"), node(forged, "acme", "h2"),
                    node("n2", "acme", "h3").toBuilder().powerDomainId("rack\u001b[31m-9").build())));
            directory.register(new Registration("acme-gpu", "acme", "1.0", "com.acme", serviceIds.incrementAndGet(), Capability.GPU,
                    ctx -> dev.strata.platform.api.provider.GpuSnapshot.builder(1, java.time.Instant.now())
                            .hostname("https://admin:" + password + "@bmc-r12").accelerators(java.util.List.of(gpu)).build()));

            ProviderStatus status = directory.refresh("acme", WAIT);
            ProviderStatus gpus = directory.refresh("acme-gpu", WAIT);
            assertThat(status.warnings()).hasSize(2).allSatisfy(w -> assertThat(w).doesNotContainPattern("\\p{Cntrl}"));
            assertThat(status.warnings().get(0)).startsWith("node n1\\u000a2026-12-05 10:00:00 ERROR [main] forged line of provider acme "
                    + "is left out of the inventory: its id holds a control or format character");
            assertThat(status.warnings().get(1)).startsWith("node n2 of provider acme is left out of the inventory: its power domain id "
                    + "rack\\u001b[31m-9 holds a control or format character");
            assertThat(gpus.warnings()).containsExactly("1 accelerator of host https://****@bmc-r12 attached to no node: the snapshot has "
                    + "no machine identity and its accelerators no PCI addresses");
            assertThat(log.text()).contains("forged line of provider acme is left out of the inventory").doesNotContain("\n2026-12-05 10:00:00 ERROR [main] forged")
                    .contains("of host https://****@bmc-r12").doesNotContain(password);
        }
    }

    /**
     * Another vendor's bundle registers a GPU service under the id of a provider whose compute
     * service is another bundle's: one id is one provider, so it waits as a second service with
     * the same capability does, and is used once the first bundle's services have all left.
     * Before, it joined the provider: its failing discovery made the provider FAILED and the first
     * bundle's nodes STALE (refused by placement, dropped after the grace period), and the
     * provider's status named the second bundle as its own.
     */
    @Test
    void anotherBundlesServiceOfAnotherCapabilityWithAnIdInUseWaits() {
        Registration first = registration("acme", "com.acme", "1.0", ctx -> compute(1, node("a1", "acme", "h")));
        directory.register(first);
        directory.refresh("acme", WAIT);
        java.util.concurrent.atomic.AtomicInteger gpuCalls = new java.util.concurrent.atomic.AtomicInteger();
        Registration other = new Registration("acme", "other", "9.9", "com.other.gpu", serviceIds.incrementAndGet(), Capability.GPU, ctx -> {
            gpuCalls.incrementAndGet();
            throw new dev.strata.platform.api.exception.ProviderUnavailableException("NVML not found");
        });
        directory.register(other);

        ProviderStatus status = directory.refresh("acme", WAIT);
        assertThat(status.state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(status.bundle()).isEqualTo("com.acme");
        assertThat(status.vendor()).isEqualTo("acme");
        assertThat(status.capabilities()).containsExactly(Capability.COMPUTE);
        assertThat(status.warnings()).containsExactly("conflict: the GPU service of bundle com.other.gpu (version 9.9) has this "
                + "provider's id too; it is not used while that of bundle com.acme (version 1.0) is registered; give each provider "
                + "its own id");
        assertThat(gpuCalls).hasValue(0);
        assertThat(directory.inventory().node("a1").orElseThrow().state()).isEqualTo(ResourceState.AVAILABLE);

        // once the first bundle's services have left, the one that waited takes over, as a new version would
        directory.unregister(first.serviceId(), Capability.COMPUTE);
        org.assertj.core.api.Assertions.catchThrowable(() -> directory.refresh("acme", WAIT));
        status = directory.status("acme").orElseThrow();
        assertThat(gpuCalls.get()).isPositive();
        assertThat(status.bundle()).isEqualTo("com.other.gpu");
        assertThat(status.swaps()).isEqualTo(1);
        assertThat(status.state()).isEqualTo(ProviderState.FAILED);
        assertThat(status.warnings()).isEmpty();
    }

    /**
     * A provider that reports a warning per resource of a large estate (100,000 of them), or
     * whose resources the merge finds fault with one by one: its status and the log hold a bounded
     * number, and say how many more there are. Before, every one was kept in the status, printed
     * by {@code strata:providers} and logged at WARN, on each discovery where they were new.
     */
    @Test
    void aProviderThatReportsAHugeNumberOfWarningsIsToldOfABoundedNumber() {
        java.util.List<String> many = java.util.stream.IntStream.range(0, 100_000).mapToObj(i -> "BMC n" + i + " did not answer").toList();
        java.util.List<dev.strata.platform.api.model.Node> twice = java.util.stream.IntStream.range(0, 5_000)
                .mapToObj(i -> node("flood:n" + i, "flood", "h")).flatMap(n -> java.util.stream.Stream.of(n, n)).toList();
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            directory.register(registration("flood", "com.flood", "1.0", ctx -> dev.strata.platform.api.provider.ComputeSnapshot.builder(1,
                    java.time.Instant.now()).sites(java.util.List.of(dev.strata.platform.api.model.Site.local("site-flood", "flood")))
                    .nodes(twice).warnings(many).build()));
            ProviderStatus status = directory.refresh("flood", WAIT);

            assertThat(directory.inventory().nodes()).hasSize(5_000);
            assertThat(status.warnings()).hasSizeLessThanOrEqualTo(2 * (100 + 1));
            assertThat(status.warnings()).contains("BMC n0 did not answer", "... and 99900 more warnings (at most "
                    + 100 + " are shown)");
            assertThat(status.warnings()).contains("conflict: node flood:n0 is listed twice by flood; keeping the first",
                    "... and 4900 more warnings (at most 100 are shown)");
            assertThat(log.text().lines().filter(l -> l.contains("WARN")).count()).isLessThanOrEqualTo(2L * (100 + 1));
        }
    }

    /**
     * A provider whose generations go back from one discovery to the next (its host's clock was
     * set a year ahead and corrected): calls to one service never overlap, so the lower generation
     * is its later view, which is taken, and its status says what was wrong until its generations
     * pass the highest it reported. Before, every later snapshot was ignored at DEBUG: the provider
     * stayed ACTIVE on the resources of its last snapshot before the correction, for a year.
     */
    @Test
    void aProviderWhoseGenerationsGoBackIsTakenAndToldSo() {
        AtomicLong generation = new AtomicLong(1_800_000_000_000_000L);
        java.util.concurrent.atomic.AtomicReference<String> nodeId = new java.util.concurrent.atomic.AtomicReference<>("a1");
        directory.register(registration("acme", "com.acme", "1.0", ctx -> compute(generation.get(), node(nodeId.get(), "acme", "h"))));
        directory.refresh("acme", WAIT);

        generation.set(1_700_000_000_000_000L);
        nodeId.set("a2");
        ProviderStatus status = directory.refresh("acme", WAIT);
        String warning = "generation 1700000000000000 is below 1800000000000000 of this provider's snapshot before it; generations "
                + "must increase from one discovery to the next (use the wall clock in microseconds, never below the last one)";
        assertThat(directory.inventory().nodes()).extracting(dev.strata.platform.api.model.Node::id).containsExactly("a2");
        assertThat(status.generation()).isEqualTo(1_700_000_000_000_000L);
        assertThat(status.state()).isEqualTo(ProviderState.ACTIVE);
        assertThat(status.warnings()).containsExactly(warning);

        generation.set(1_700_000_000_000_001L);
        assertThat(directory.refresh("acme", WAIT).warnings()).as("still below the highest").containsExactly(warning);
        generation.set(1_800_000_000_000_001L);
        assertThat(directory.refresh("acme", WAIT).warnings()).isEmpty();
    }
}
