package dev.strata.provider.baremetal.bmc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.testkit.MemoryJournal;
import dev.strata.platform.testkit.RefreshingRegistry;
import dev.strata.platform.testkit.SettableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core's journal in the state store coming after the provider's first discovery, as it does
 * at every start of Strata (the core registers it once its store is up). That order is no fault:
 * the first snapshot says nothing of it, and the journal's arrival has the core rediscover the
 * provider, so the labels of provisioned machines show without waiting for the next periodic
 * discovery. A journal still missing longer than a start-up explains, or one that went away, is
 * warned of. No BMC is configured: the snapshot's warnings are what is looked at.
 */
class BmcJournalArrivalTest {

    static final String WARNING = "the labels of provisioned machines are not shown: ";

    @TempDir
    Path dir;
    final SettableClock clock = SettableClock.at(Instant.parse("2026-12-06T10:00:00Z"));
    final BlockingQueue<String> rediscovered = new LinkedBlockingQueue<>();
    BmcProvider provider;

    @BeforeEach
    void start() {
        provider = new BmcProvider(OperationJournal.inStateStore(dir.resolve("legacy")), 2, Duration.ofSeconds(5), Duration.ofSeconds(60),
                clock);
    }

    @AfterEach
    void stop() {
        provider.close();
    }

    private List<String> warnings() {
        return provider.discoverCompute(DiscoveryContext.withTimeout("test", Duration.ofSeconds(10))).warnings();
    }

    /** The journal's arrival at start-up: no warning before it, and the provider rediscovered once it is there. */
    @Test
    void theJournalComingAfterTheFirstDiscoveryIsNoWarningAndHasTheProviderRediscovered() throws Exception {
        assertThat(warnings()).as("the first discovery, before the core's journal is there").noneMatch(w -> w.startsWith(WARNING));

        registry(provider, new RefreshingRegistry(rediscovered::add));
        clock.advance(Duration.ofSeconds(5));
        MemoryJournal journal = new MemoryJournal();
        provider.bindJournal(journal);
        assertThat(rediscovered.poll(10, TimeUnit.SECONDS)).as("the core asked to rediscover the provider once the journal came")
                .isEqualTo(BmcProvider.ID);
        assertThat(warnings()).noneMatch(w -> w.startsWith(WARNING));
        // a later arrival, the labels shown meanwhile, asks for nothing
        provider.unbindJournal(journal);
        provider.bindJournal(journal);
        assertThat(rediscovered.poll(200, TimeUnit.MILLISECONDS)).as("a rediscovery, though no snapshot went without the labels").isNull();
    }

    /** A journal missing longer than a start-up explains is warned of, naming why. */
    @Test
    void aJournalMissingLongerThanAStartUpIsWarnedOf() {
        assertThat(warnings()).noneMatch(w -> w.startsWith(WARNING));
        clock.advance(Duration.ofMinutes(2)); // BmcProvider.JOURNAL_START_UP_GRACE
        assertThat(warnings()).anySatisfy(w -> assertThat(w).startsWith(WARNING).contains("the core's ProviderJournal service is not there"));
    }

    /** The journal going away while Strata runs is warned of at once. */
    @Test
    void aJournalThatWentAwayIsWarnedOfAtOnce() {
        MemoryJournal journal = new MemoryJournal();
        provider.bindJournal(journal);
        assertThat(warnings()).noneMatch(w -> w.startsWith(WARNING));
        provider.unbindJournal(journal);
        assertThat(warnings()).anySatisfy(w -> assertThat(w).startsWith(WARNING).contains("which went away"));
    }

    /** Sets the component's reference to the core's registry, as Declarative Services does, by the field its descriptor names. */
    private static void registry(BmcProvider provider, ProviderRegistry registry) throws Exception {
        String descriptor = "OSGI-INF/" + BmcProvider.class.getName() + ".xml";
        org.w3c.dom.Document document;
        try (java.io.InputStream in = BmcProvider.class.getClassLoader().getResourceAsStream(descriptor)) {
            assertThat(in).as(descriptor).isNotNull();
            document = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
        }
        org.w3c.dom.NodeList references = document.getElementsByTagName("reference");
        for (int i = 0; i < references.getLength(); i++) {
            org.w3c.dom.Element r = (org.w3c.dom.Element) references.item(i);
            if (r.getAttribute("interface").equals(ProviderRegistry.class.getName())) {
                java.lang.reflect.Field f = BmcProvider.class.getDeclaredField(r.getAttribute("field"));
                f.setAccessible(true);
                f.set(provider, registry);
                return;
            }
        }
        throw new AssertionError("the BMC provider has no reference to the core's ProviderRegistry");
    }
}
