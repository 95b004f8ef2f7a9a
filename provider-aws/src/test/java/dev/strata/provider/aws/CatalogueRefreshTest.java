package dev.strata.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.FabricSnapshot;
import dev.strata.platform.testkit.SettableClock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hourly re-read of a region's catalogue fails (DescribeInstanceTypes answers an error, injected by the proxy in front
 * of moto for one region alone) while the rest of the region's API answers. Before, the region's discovery failed with it:
 * its offers were gone and its nodes reported only as last read, for 15 minutes, although the list read an hour before
 * still described what the region offers.
 */
class CatalogueRefreshTest {

    private static final String REGION = "eu-central-1";

    private Moto moto;
    private Ec2Proxy proxy;
    private AwsProvider provider;

    @BeforeEach
    void start() {
        moto = Moto.shared();
        moto.reset();
        proxy = new Ec2Proxy(moto.endpoint());
    }

    @AfterEach
    void stop() {
        if (provider != null) {
            provider.deactivate();
        }
        proxy.close();
    }

    private static DiscoveryContext context() {
        return DiscoveryContext.withTimeout("catalogue", Duration.ofSeconds(60));
    }

    private static List<CapacityOffer> offersIn(ComputeSnapshot snapshot, String region) {
        return snapshot.offers().stream().filter(o -> o.siteId().startsWith("aws:" + region)).toList();
    }

    private void failInstanceTypes(String message) {
        proxy.inject(call -> call.region().equals(REGION) && call.action().equals("DescribeInstanceTypes")
                ? Ec2Proxy.Answer.error(503, "Unavailable", message) : null);
    }

    @Test
    void aFailedReReadServesTheLastCatalogueWithAWarningAndIsRetriedAtTheNextDiscovery() {
        SettableClock clock = SettableClock.system();
        provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "endpoint", proxy.endpoint().toString())), clock);
        ComputeSnapshot before = provider.discoverCompute(context());
        List<String> offers = offersIn(before, REGION).stream().map(CapacityOffer::id).toList();
        assertThat(offers).isNotEmpty();

        clock.advance(Duration.ofHours(1).plusSeconds(1));
        failInstanceTypes("types down \u0085\u202e");
        int readsBefore = proxy.calls("DescribeInstanceTypes").size();
        ComputeSnapshot snapshot = provider.discoverCompute(context());

        assertThat(proxy.calls("DescribeInstanceTypes").size()).as("the catalogue was read again").isGreaterThan(readsBefore);
        assertThat(offersIn(snapshot, REGION)).extracting(CapacityOffer::id).containsExactlyElementsOf(offers);
        assertThat(snapshot.warnings()).singleElement().asString()
                .startsWith("region eu-central-1: its catalogue (zones, instance types, offerings) fails to be read again since ")
                .contains("DescribeInstanceTypes").contains("types down \\u0085\\u202e")
                .doesNotContain("\u0085").doesNotContain("\u202e").endsWith("and read again at each discovery");

        // the next discovery reads it again, and once it answers the warning is gone
        int failedReads = proxy.calls("DescribeInstanceTypes").size();
        proxy.inject(call -> null);
        ComputeSnapshot recovered = provider.discoverCompute(context());
        assertThat(proxy.calls("DescribeInstanceTypes").size()).isGreaterThan(failedReads);
        assertThat(recovered.warnings()).isEmpty();
        assertThat(offersIn(recovered, REGION)).extracting(CapacityOffer::id).containsExactlyElementsOf(offers);
    }

    /**
     * Compute and fabric discovery run at once: one reads the catalogue again, the other waits for that read. When it fails,
     * the waiting one takes its outcome (the last catalogue) without reading again, and the failure is one warning, in the
     * discovery that read; a discovery that runs alone reads again and carries the warning itself. Before, the waiting one
     * read the catalogue again too, and both discoveries reported the failure, so the core logged it twice.
     */
    @Test
    void aFailedReReadAnotherDiscoveryWaitedForIsReadAndReportedOnce() throws Exception {
        SettableClock clock = SettableClock.system();
        provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "endpoint", proxy.endpoint().toString())), clock);
        List<String> offers = offersIn(provider.discoverCompute(context()), REGION).stream().map(CapacityOffer::id).toList();
        assertThat(offers).isNotEmpty();

        clock.advance(Duration.ofHours(1).plusSeconds(1));
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        proxy.inject(call -> {
            if (!call.region().equals(REGION) || !call.action().equals("DescribeInstanceTypes")) {
                return null;
            }
            reading.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Ec2Proxy.Answer.error(503, "Unavailable", "types down");
        });
        int readsBefore = typeReads();
        ExecutorService discoveries = Executors.newFixedThreadPool(2);
        try {
            Future<ComputeSnapshot> compute = discoveries.submit(() -> provider.discoverCompute(context()));
            assertThat(reading.await(30, TimeUnit.SECONDS)).as("the compute discovery reads the catalogue").isTrue();
            Future<FabricSnapshot> fabrics = discoveries.submit(() -> provider.discoverFabrics(context()));
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!waitingForTheCatalogue()) {
                assertThat(System.nanoTime()).as("the fabric discovery waits for the compute discovery's read").isLessThan(until);
                Thread.sleep(20);
            }
            release.countDown();
            ComputeSnapshot computed = compute.get(60, TimeUnit.SECONDS);
            FabricSnapshot fabricSnapshot = fabrics.get(60, TimeUnit.SECONDS);
            int pairReads = typeReads() - readsBefore;

            assertThat(offersIn(computed, REGION)).extracting(CapacityOffer::id).containsExactlyElementsOf(offers);
            assertThat(fabricSnapshot.fabrics()).anyMatch(f -> f.siteId().startsWith("aws:" + REGION));
            assertThat(computed.warnings()).singleElement().asString()
                    .startsWith("region eu-central-1: its catalogue (zones, instance types, offerings) fails to be read again since ");
            assertThat(fabricSnapshot.warnings()).as("the failure the compute discovery reported").isEmpty();

            // alone, a discovery reads again and reports the failure itself: as many reads as the two made together
            int aloneBefore = typeReads();
            FabricSnapshot alone = provider.discoverFabrics(context());
            assertThat(typeReads() - aloneBefore).as("one re-read for both discoveries").isEqualTo(pairReads);
            assertThat(alone.warnings()).singleElement().asString()
                    .startsWith("region eu-central-1: its catalogue (zones, instance types, offerings) fails to be read again since ");
        } finally {
            release.countDown();
            discoveries.shutdownNow();
        }
    }

    /** The DescribeInstanceTypes requests sent for eu-central-1 so far. */
    private int typeReads() {
        return (int) proxy.calls("DescribeInstanceTypes").stream().filter(c -> c.region().equals(REGION)).count();
    }

    /** Whether a thread that reads eu-central-1 waits for another's read of its catalogue. */
    private static boolean waitingForTheCatalogue() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().isAlive() && e.getKey().getName().startsWith("strata-aws-aws-" + REGION + "-"))
                .anyMatch(e -> Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().equals(ReentrantLock.class.getName())
                        && f.getMethodName().equals("tryLock")));
    }

    @Test
    void theLastCatalogueIsServedForADayAfterItFellDueAndNoLonger() {
        SettableClock clock = SettableClock.system();
        provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "endpoint", proxy.endpoint().toString())), clock);
        assertThat(offersIn(provider.discoverCompute(context()), REGION)).isNotEmpty();
        failInstanceTypes("types down");

        // the clock also runs on by itself: a minute short of the day is well inside it
        clock.advance(Duration.ofHours(25).minusMinutes(1));
        assertThat(offersIn(provider.discoverCompute(context()), REGION)).isNotEmpty();

        clock.advance(Duration.ofMinutes(1));
        ComputeSnapshot snapshot = provider.discoverCompute(context());
        assertThat(offersIn(snapshot, REGION)).isEmpty();
        assertThat(snapshot.warnings()).singleElement().asString().startsWith("region eu-central-1 fails since ")
                .contains("DescribeInstanceTypes");
    }

    @Test
    void theFirstReadOfARegionStillFailsIt() {
        provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "endpoint", proxy.endpoint().toString())),
                SettableClock.system());
        failInstanceTypes("types down");

        ComputeSnapshot snapshot = provider.discoverCompute(context());

        assertThat(offersIn(snapshot, REGION)).isEmpty();
        assertThat(offersIn(snapshot, "us-east-1")).isNotEmpty();
        assertThat(snapshot.warnings()).singleElement().asString().startsWith("region eu-central-1 fails since ")
                .contains("DescribeInstanceTypes").endsWith("so nothing of it is reported");
    }
}
