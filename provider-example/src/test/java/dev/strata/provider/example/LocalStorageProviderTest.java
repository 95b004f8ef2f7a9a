package dev.strata.provider.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.StorageClass;
import dev.strata.platform.api.model.StoragePool;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.Generations;
import dev.strata.platform.api.provider.StorageSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.osgi.util.converter.Converters;

/** What the example reports, and its messages for a bad configuration and a missing mount point. */
class LocalStorageProviderTest {

    private static LocalStorageConfig config(Map<String, Object> properties) {
        return Converters.standardConverter().convert(properties).to(LocalStorageConfig.class);
    }

    @Test
    void reportsEachMountPointWithTheCapacityOfItsFileSystem() throws Exception {
        LocalStorageProvider provider = new LocalStorageProvider(config(Map.of()));
        List<StoragePool> pools = provider.discoverStorage(DiscoveryContext.withTimeout("t", Duration.ofSeconds(10))).pools();
        assertThat(pools).hasSize(1);
        StoragePool root = pools.get(0);
        assertThat(root.id()).isEqualTo("example-storage:/");
        assertThat(root.storageClass()).isEqualTo(StorageClass.FILE);
        assertThat(root.siteId()).isEqualTo("local");
        assertThat(root.capacityBytes()).isEqualTo(Files.getFileStore(Path.of("/")).getTotalSpace()).isPositive();
    }

    /**
     * A new instance of the provider (its bundle restarted or updated, Karaf restarted) whose clock is an hour behind the
     * earlier instance's hands out generations above the earlier instance's, through the mark in the data folder. Before,
     * generations were the clock from memory: the new instance's went back an hour, and the core warned that they must
     * increase across bundle versions until the clock caught up.
     */
    @Test
    void generationsStayAboveAnEarlierInstancesAfterARestartWithTheClockSetBack(@org.junit.jupiter.api.io.TempDir Path data) {
        Instant t = Instant.parse("2026-06-01T12:00:00Z");
        LocalStorageProvider before = new LocalStorageProvider(List.of(Path.of("/")), "local", Clock.fixed(t, ZoneOffset.UTC), data);
        long last = before.discoverStorage(DiscoveryContext.withTimeout("t1", Duration.ofSeconds(10))).generation();

        LocalStorageProvider after = new LocalStorageProvider(List.of(Path.of("/")), "local",
                Clock.fixed(t.minus(Duration.ofHours(1)), ZoneOffset.UTC), data);
        StorageSnapshot snapshot = after.discoverStorage(DiscoveryContext.withTimeout("t2", Duration.ofSeconds(10)));
        assertThat(snapshot.generation()).as("above the earlier instance's, its clock an hour ahead").isGreaterThan(last);
        assertThat(snapshot.warnings()).isEmpty();
        assertThat(Generations.file(data, "example", LocalStorageProvider.ID)).isRegularFile();
    }

    /**
     * Two configured paths on one file system (or one path configured twice) are one pool, under the
     * first path: before, each was a pool with the file system's whole capacity, promised twice.
     */
    @Test
    void pathsOnOneFileSystemAreOnePool(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        LocalStorageProvider provider = new LocalStorageProvider(List.of(a, b, a), "local", Clock.systemUTC());
        List<StoragePool> pools = provider.discoverStorage(DiscoveryContext.withTimeout("t", Duration.ofSeconds(10))).pools();
        assertThat(pools).extracting(StoragePool::id).containsExactly("example-storage:" + a);
        assertThat(pools.get(0).capacityBytes()).isEqualTo(Files.getFileStore(a).getTotalSpace());
    }

    /**
     * A mount point listed twice ({@code /data, /data/}) is read once, without a warning. Before, the
     * second was read again and warned of as being "on the file system of" the first, itself.
     */
    @Test
    void aMountPointListedTwiceIsReadOnceWithoutAWarning(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        LocalStorageProvider provider = new LocalStorageProvider(config(Map.of("paths", dir + ", " + dir + "/", "site", "lab-1")));
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            List<StoragePool> pools = provider.discoverStorage(DiscoveryContext.withTimeout("t", Duration.ofSeconds(10))).pools();
            assertThat(pools).extracting(StoragePool::id).containsExactly("example-storage:" + dir);
            assertThat(log.text()).doesNotContain("is on the file system of");
        }
    }

    /**
     * A {@code .cfg} file gives {@code paths = /data, /} as one string, as the feature's default
     * configuration says: each of its comma-separated mount points is reported. Before, the whole
     * string was taken for one mount point, {@code "/data, /"}, which does not exist, and every
     * discovery failed.
     */
    @Test
    void mountPointsSeparatedByCommasInOneValueAreEachReported(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        LocalStorageProvider provider = new LocalStorageProvider(config(Map.of("paths", dir + ", /", "site", "lab-1")));
        List<StoragePool> pools = provider.discoverStorage(DiscoveryContext.withTimeout("t", Duration.ofSeconds(10))).pools();
        if (Files.getFileStore(dir).equals(Files.getFileStore(Path.of("/")))) {
            assertThat(pools).extracting(StoragePool::id).containsExactly("example-storage:" + dir);
        } else {
            assertThat(pools).extracting(StoragePool::id).containsExactly("example-storage:" + dir, "example-storage:/");
        }
    }

    /**
     * Blanks around the configured site (a {@code .cfg} line's trailing blank) are dropped, as they
     * are around each mount point: before, every pool was at site {@code "lab-1 "}, which no other
     * provider reports and no contract naming {@code lab-1} finds.
     */
    @Test
    void blanksAroundTheSiteAreDroppedAsAroundTheMountPoints() {
        LocalStorageProvider provider = new LocalStorageProvider(config(Map.of("paths", " / ", "site", " lab-1 ")));
        List<StoragePool> pools = provider.discoverStorage(DiscoveryContext.withTimeout("t", Duration.ofSeconds(10))).pools();
        assertThat(pools).extracting(StoragePool::id).containsExactly("example-storage:/");
        assertThat(pools).extracting(StoragePool::siteId).containsExactly("lab-1");
    }

    @Test
    void aRelativePathIsRejectedNamingTheProperty() {
        assertThatThrownBy(() -> new LocalStorageProvider(config(Map.of("paths", new String[] {"data"}))))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("dev.strata.provider.example: paths = 'data' is invalid; expected an absolute mount point, e.g. / or /data");
    }

    /**
     * A value that is no path at all (a NUL in it, as a mistyped {@code .cfg} can carry) is refused
     * naming the property, its control character shown escaped (<code>&#92;u0000</code>); before, {@code Path.of}'s
     * {@code InvalidPathException} left the constructor, naming neither the PID nor the property.
     */
    @Test
    void aValueThatIsNoPathIsRejectedNamingTheProperty() {
        assertThatThrownBy(() -> new LocalStorageProvider(config(Map.of("paths", new String[] {"/data\0"}))))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("dev.strata.provider.example: paths = '/data\\u0000' is invalid; expected an absolute mount point, e.g. / or /data");
    }

    /**
     * A mount point or site holding a line break or a direction override (U+202E) is refused naming
     * the property, the character shown escaped. Before, {@code Path.of} took such a mount point and
     * the blank check such a site: the log showed them raw (a forged log line) and every pool's id or
     * site held the character, which the inventory leaves out, so the pool was gone, with a warning
     * about the pool but none naming the property to correct.
     */
    @Test
    void aMountPointOrSiteHoldingAControlOrFormatCharacterIsRejectedNamingTheProperty(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path forged = Files.createDirectories(dir.resolve("data\nINFO forged"));
        assertThatThrownBy(() -> new LocalStorageProvider(config(Map.of("paths", new String[] {forged.toString()}))))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("dev.strata.provider.example: paths = '" + dir + "/data\\u000aINFO forged' is invalid; expected an absolute"
                        + " mount point without control or format characters, e.g. / or /data");
        assertThatThrownBy(() -> new LocalStorageProvider(config(Map.of("paths", new String[] {"/data\u202e"}))))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("paths = '/data\\u202e' is invalid");
        assertThatThrownBy(() -> new LocalStorageProvider(config(Map.of("site", "lab\r\n1"))))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("dev.strata.provider.example: site = 'lab\\u000d\\u000a1' is invalid; expected a site id without control or"
                        + " format characters, such as local or fra-1");
    }

    /**
     * A read the caller interrupted (the JDK's ClosedByInterruptException, InterruptedIOException)
     * is a ProviderTimeoutException, as the SPI asks of an interrupted call; before, translate made
     * it ProviderUnavailableException, reporting a working source as unreachable.
     */
    @Test
    void anInterruptedReadIsATimeoutNotAnUnreachableSource() {
        Path path = Path.of("/data");
        assertThat(LocalStorageProvider.translate(path, new java.nio.channels.ClosedByInterruptException()))
                .isInstanceOf(ProviderTimeoutException.class)
                .hasMessage("interrupted while reading the file system of /data");
        assertThat(LocalStorageProvider.translate(path, new java.io.InterruptedIOException("read interrupted")))
                .isInstanceOf(ProviderTimeoutException.class);
        assertThat(LocalStorageProvider.translate(path, new java.io.IOException("Input/output error")))
                .isInstanceOf(ProviderUnavailableException.class);
    }

    /**
     * A mount point whose file system does not answer (a hung NFS mount: the read blocks in the kernel)
     * fails the discovery at its deadline with a ProviderTimeoutException naming the mount point, and a
     * second discovery, the read still blocked, waits for that read rather than starting another: a hung
     * mount holds one thread however many discoveries follow. Once the mount answers, it is reported
     * again. Before, the read ran on the caller's thread and held the discovery until the mount answered.
     */
    @Test
    void aHungMountPointFailsTheDiscoveryAtItsDeadlineNamingItAndHoldsOneThread(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path mount = Files.createDirectories(dir.resolve("nfs"));
        java.util.concurrent.CountDownLatch answers = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        LocalStorageProvider provider = new LocalStorageProvider(List.of(mount), "local", Clock.systemUTC(), null, path -> {
            reads.incrementAndGet();
            try {
                answers.await();
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException("interrupted");
            }
            return Files.getFileStore(path);
        });
        try {
            for (String operation : List.of("first", "second")) {
                org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
                        assertThatThrownBy(() -> provider.discoverStorage(DiscoveryContext.withTimeout(operation, Duration.ofMillis(200))))
                                .isInstanceOf(ProviderTimeoutException.class)
                                .hasMessageStartingWith("the file system of mount point " + mount + " did not answer by the deadline"),
                        "the " + operation + " discovery returns at its deadline");
            }
            assertThat(reads).as("one read of the hung mount, waited for by both discoveries").hasValue(1);
        } finally {
            answers.countDown();
        }
        assertThat(provider.discoverStorage(DiscoveryContext.withTimeout("answered", Duration.ofSeconds(10))).pools())
                .extracting(StoragePool::id).containsExactly("example-storage:" + mount);
        provider.discoverStorage(DiscoveryContext.withTimeout("afresh", Duration.ofSeconds(10)));
        assertThat(reads).as("the read after the one that returned starts afresh").hasValue(2);
    }

    @Test
    void aMissingMountPointIsUnavailableNamingIt() {
        LocalStorageProvider provider = new LocalStorageProvider(List.of(Path.of("/no/such/mount")), "local", Clock.systemUTC());
        assertThatThrownBy(() -> provider.discoverStorage(DiscoveryContext.withTimeout("t", Duration.ofSeconds(10))))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessage("mount point /no/such/mount does not exist; expected an existing directory");
    }
}
