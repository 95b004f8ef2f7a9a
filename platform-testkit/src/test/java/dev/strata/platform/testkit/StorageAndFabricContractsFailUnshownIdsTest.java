package dev.strata.platform.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.FabricType;
import dev.strata.platform.api.model.StorageClass;
import dev.strata.platform.api.model.StoragePool;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.FabricProvider;
import dev.strata.platform.api.provider.FabricSnapshot;
import dev.strata.platform.api.provider.StorageProvider;
import dev.strata.platform.api.provider.StorageSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The storage and fabric contracts against providers one of whose ids the inventory would not
 * take (it holds a control or format character, a line or paragraph separator or half of a
 * surrogate pair): exactly the completeness checks fail, naming the id escaped and what the
 * inventory does with it, and a provider whose ids all show as themselves passes. Before, the kit
 * passed them, and the inventory left the pool or fabric out at runtime.
 */
class StorageAndFabricContractsFailUnshownIdsTest {

    private static final AtomicLong CLOCK = new AtomicLong(System.currentTimeMillis() * 1000);

    /** Which id does not show as itself, if any. */
    enum Unshown { NONE, ID, SITE_ID, MEMBER_ID }

    /** One pool at one site. */
    record Storage(Unshown unshown) implements StorageProvider {
        @Override
        public StorageSnapshot discoverStorage(DiscoveryContext context) {
            context.checkDeadline("storage discovery");
            return StorageSnapshot.builder(CLOCK.incrementAndGet(), Instant.now()).pools(List.of(StoragePool.builder()
                    .id(unshown == Unshown.ID ? "example:/data\u001b]0;x\u0007" : "example:/data").storageClass(StorageClass.FILE)
                    .siteId(unshown == Unshown.SITE_ID ? "site-1\u2029" : "site-1").capacityBytes(1L << 40).build())).build();
        }
    }

    /** One data network at one site, of two nodes. */
    record Fabrics(Unshown unshown) implements FabricProvider {
        @Override
        public FabricSnapshot discoverFabrics(DiscoveryContext context) {
            context.checkDeadline("fabric discovery");
            return FabricSnapshot.builder(CLOCK.incrementAndGet(), Instant.now()).fabrics(List.of(Fabric.builder()
                    .id(unshown == Unshown.ID ? "example:lan\u0085" : "example:lan").type(FabricType.DATA)
                    .siteId(unshown == Unshown.SITE_ID ? "site-1\u202a" : "site-1")
                    .members(Set.of("node-1", unshown == Unshown.MEMBER_ID ? "node-2\r" : "node-2")).build())).build();
        }
    }

    abstract static class StorageContract extends StorageProviderContract<Storage> {
        abstract Unshown unshown();

        @Override
        protected Storage createProvider() {
            return new Storage(unshown());
        }

        @Override
        protected String providerId() {
            return "example";
        }
    }

    abstract static class FabricContract extends FabricProviderContract<Fabrics> {
        abstract Unshown unshown();

        @Override
        protected Fabrics createProvider() {
            return new Fabrics(unshown());
        }

        @Override
        protected String providerId() {
            return "example";
        }
    }

    static class GoodStorage extends StorageContract {
        Unshown unshown() {
            return Unshown.NONE;
        }
    }

    static class StorageUnshownId extends StorageContract {
        Unshown unshown() {
            return Unshown.ID;
        }
    }

    static class StorageUnshownSiteId extends StorageContract {
        Unshown unshown() {
            return Unshown.SITE_ID;
        }
    }

    static class GoodFabric extends FabricContract {
        Unshown unshown() {
            return Unshown.NONE;
        }
    }

    static class FabricUnshownId extends FabricContract {
        Unshown unshown() {
            return Unshown.ID;
        }
    }

    static class FabricUnshownSiteId extends FabricContract {
        Unshown unshown() {
            return Unshown.SITE_ID;
        }
    }

    static class FabricUnshownMemberId extends FabricContract {
        Unshown unshown() {
            return Unshown.MEMBER_ID;
        }
    }

    /** The kit's tests that failed for a contract, each with what it failed with. */
    private static Map<String, String> failures(Class<?> contract) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(contract)).execute().testEvents().failed().stream()
                .collect(Collectors.toMap(e -> e.getTestDescriptor().getDisplayName().replace("()", ""),
                        e -> e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).map(String::valueOf)
                                .orElse(""), (a, b) -> a, TreeMap::new));
    }

    /** Exactly the two tests that check a snapshot's completeness fail for the contract, each with the message. */
    private static void assertFailsCompleteness(Class<?> contract, String message) {
        Map<String, String> failures = failures(contract);
        assertThat(failures).as(contract.getSimpleName()).containsOnlyKeys("snapshotsAreComplete", "concurrentCallsAreSafe");
        assertThat(failures.values()).as(contract.getSimpleName()).allSatisfy(m -> assertThat(m).contains(message));
    }

    private static final String HOLDS = ", which holds a control or format character, a line or paragraph separator or half of a "
            + "surrogate pair (shown here as a backslash, u and four hex digits): ";

    @Test
    void providersWhoseIdsShowAsThemselvesPassEveryTest() {
        assertThat(failures(GoodStorage.class)).isEmpty();
        assertThat(failures(GoodFabric.class)).isEmpty();
    }

    @Test
    void aStoragePoolIdOrSiteIdThatDoesNotShowAsItselfFailsTheCompletenessChecks() {
        assertFailsCompleteness(StorageUnshownId.class, "a storage pool has id example:/data\\u001b]0;x\\u0007" + HOLDS + "the "
                + "inventory leaves the pool out; expected an id of characters that show as themselves");
        assertFailsCompleteness(StorageUnshownSiteId.class, "storage pool example:/data has site id site-1\\u2029" + HOLDS + "the "
                + "inventory leaves the pool out; expected a site id of characters that show as themselves");
    }

    @Test
    void aFabricIdSiteIdOrMemberIdThatDoesNotShowAsItselfFailsTheCompletenessChecks() {
        assertFailsCompleteness(FabricUnshownId.class, "a fabric has id example:lan\\u0085" + HOLDS + "the inventory leaves the fabric "
                + "out; expected an id of characters that show as themselves");
        assertFailsCompleteness(FabricUnshownSiteId.class, "fabric example:lan has site id site-1\\u202a" + HOLDS + "the inventory "
                + "leaves the fabric out; expected a site id of characters that show as themselves");
        assertFailsCompleteness(FabricUnshownMemberId.class, "fabric example:lan has member id node-2\\u000d" + HOLDS + "the inventory "
                + "drops it from the fabric's members; expected a member id of characters that show as themselves");
    }
}
