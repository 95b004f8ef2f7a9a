package dev.strata.platform.core.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.strata.platform.api.inventory.ProviderStatus;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provider.ComputeProvider;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DescribedProvider;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.ProviderProperties;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;

/**
 * How the inventory binds a provider service: on the thread that binds every service of the
 * framework, so nothing a provider does there may stop it or break it. The service references
 * are built here (a proxy answering the few calls the bind makes) because the cases are the
 * framework's races, which a running framework cannot be made to produce on demand: a service
 * unregistered while it is bound, whose reference then names no bundle (OSGi Core R8, 10.1.24.6
 * {@code getBundle}).
 */
class InventoryServiceBindTest {

    private final InventoryService service = new InventoryService(
            new InventorySettings(Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofMinutes(15)),
            Clock.systemUTC());
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        service.deactivate();
    }

    /** A compute provider that describes itself with {@code description}, run when the bind asks. */
    private interface Described extends ComputeProvider, DescribedProvider {
    }

    private static Described provider(java.util.function.Supplier<String> description) {
        return new Described() {
            @Override
            public ComputeSnapshot discoverCompute(DiscoveryContext context) {
                return new ComputeSnapshot(1, Instant.now(), List.of(), List.<Node>of(), List.of(), List.of(), List.of());
            }

            @Override
            public String description() {
                return description.get();
            }
        };
    }

    /** A reference to service {@code serviceId} of provider {@code id}, of a bundle, or of none once it is unregistered. */
    @SuppressWarnings("unchecked")
    private static ServiceReference<ComputeProvider> reference(long serviceId, String id, boolean unregistered) {
        Bundle bundle = (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (p, m, args) -> switch (m.getName()) {
                    case "getSymbolicName" -> "vendor.provider";
                    case "getVersion" -> new Version(1, 2, 3);
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        Map<String, Object> properties = Map.of(Constants.SERVICE_ID, serviceId, ProviderProperties.ID, id);
        return (ServiceReference<ComputeProvider>) Proxy.newProxyInstance(ServiceReference.class.getClassLoader(),
                new Class<?>[] {ServiceReference.class}, (p, m, args) -> switch (m.getName()) {
                    case "getBundle" -> unregistered ? null : bundle;
                    case "getProperty" -> properties.get((String) args[0]);
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == args[0];
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    @Test
    void aServiceUnregisteredWhileItIsBoundIsIgnoredWithoutBreakingTheBind() {
        service.bindCompute(reference(41, "gone", true), provider(() -> "left"));
        service.bindCompute(reference(42, "cloud", false), provider(() -> "region eu-central-1"));

        assertThat(service.providers()).extracting(ProviderStatus::id).containsExactly("cloud");
        assertThat(service.provider("cloud")).get().satisfies(p -> {
            assertThat(p.bundle()).isEqualTo("vendor.provider");
            assertThat(p.description()).isEqualTo("region eu-central-1");
        });
    }

    @Test
    void aProviderWhoseDescriptionHangsIsBoundWithoutOneWithinTheBound() {
        assertTimeoutPreemptively(InventoryService.DESCRIPTION_TIMEOUT.plusSeconds(8), () -> service.bindCompute(reference(43, "hung", false),
                provider(() -> {
                    try {
                        release.await(); // never, until the test ends
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return "never";
                })), "the bind waits for a hung description() no longer than its bound");

        assertThat(service.provider("hung")).as("bound, listed without a description").get()
                .satisfies(p -> assertThat(p.description()).isNull());
    }

    @Test
    void aProviderWhoseDescriptionThrowsIsBoundWithoutOne() {
        service.bindCompute(reference(44, "broken", false), provider(() -> {
            throw new IllegalStateException("not configured");
        }));

        assertThat(service.provider("broken")).get().satisfies(p -> assertThat(p.description()).isNull());
    }

    /**
     * What a provider's failed description says is logged cleaned, as every text a provider writes
     * (the test's logging shows this class's DEBUG lines): a secret it quoted is masked. Before, the
     * exception's own text was logged as it was.
     */
    @Test
    void aFailedDescriptionIsLoggedWithoutTheSecretItQuoted() {
        String secret = "Sup3r-s3cret-Pa55word";
        try (dev.strata.platform.testkit.StderrCapture log = new dev.strata.platform.testkit.StderrCapture()) {
            service.bindCompute(reference(45, "leaky", false), provider(() -> {
                throw new IllegalStateException("cannot reach https://admin:" + secret + "@bmc.example/redfish?password=" + secret);
            }));
            assertThat(log.text()).contains("Provider service 45 could not describe itself").doesNotContain(secret);
        }
    }
}
