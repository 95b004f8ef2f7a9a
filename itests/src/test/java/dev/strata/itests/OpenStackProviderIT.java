package dev.strata.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.inventory.ProviderStatus;
import dev.strata.platform.api.model.ResourceState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.function.BooleanSupplier;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The OpenStack provider in the Strata distribution (a Karaf of its own, so that the cloud's
 * nodes it adds stay out of the other tests' inventory): the feature boots without a cloud and
 * makes no provider; a configured cloud that cannot be reached is FAILED with the reason and no
 * secret in the shell or the log; with the all-in-one OpenStack running (STRATA_OPENSTACK_AIO,
 * started by .ci/run), its compute host becomes a node in Karaf.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OpenStackProviderIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    /** Boot can take longer than Pax Exam's default 10 s on a busy machine. */
    @Inject
    @Filter(timeout = 180_000)
    BootFinished bootFinished;

    @Inject
    Inventory inventory;

    @Inject
    ProviderRegistry registry;

    @Inject
    SessionFactory sessions;

    @Inject
    ConfigurationAdmin configAdmin;

    @Inject
    BundleContext context;

    @Configuration
    public Option[] config() {
        return KarafOptions.strataDistribution().toArray(new Option[0]);
    }

    @Test
    public void openStackProviderStartsOnlyForAConfiguredCloudAndShowsNoSecret() throws Exception {
        // The distribution boots the OpenStack feature without a cloud: no provider, no network call.
        Bundle openstack = bundle("dev.strata.provider.openstack");
        assertEquals(Bundle.ACTIVE, openstack.getState());
        assertTrue(registry.providers().stream().noneMatch(p -> "openstack".equals(p.vendor())));

        String secret = "itest-secret-" + System.nanoTime();
        Path passwordFile = Files.createTempFile("strata-itest", ".pw");
        Files.writeString(passwordFile, secret + "\n");
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        org.osgi.service.cm.Configuration cloud = configAdmin.getFactoryConfiguration("dev.strata.provider.openstack", "itest", "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("strata.provider.id", "openstack-itest");
        props.put("authUrl", "http://127.0.0.1:" + closed + "/v3");
        props.put("userName", "admin");
        props.put("passwordFile", passwordFile.toString());
        props.put("projectName", "admin");
        props.put("country", "DE");
        cloud.update(props);
        try {
            await("the OpenStack provider to register and fail", () -> registry.provider("openstack-itest")
                    .map(p -> p.state() == ProviderState.FAILED).orElse(false));
            ProviderStatus status = registry.provider("openstack-itest").orElseThrow();
            assertEquals("openstack", status.vendor());
            assertTrue(status.message(), status.message().contains("Keystone at http://127.0.0.1:" + closed + " cannot be reached: connection refused"));
            String providers = new Shell(sessions).run("strata:providers --no-format");
            assertTrue(providers, providers.contains("openstack-itest") && providers.contains("FAILED"));
            assertFalse(providers, providers.contains(secret));
            assertFalse(read(Path.of(System.getProperty("karaf.data"), "log", "karaf.log")).contains(secret));

            // Against the all-in-one OpenStack, where one runs: the cloud's compute host becomes a node in Karaf.
            String aio = System.getProperty("strata.openstack.aio", "");
            if (!aio.isBlank()) {
                java.util.Properties env = new java.util.Properties();
                try (java.io.Reader r = Files.newBufferedReader(Path.of(aio, "aio.env"))) {
                    env.load(r);
                }
                props.put("authUrl", env.getProperty("AUTH_URL"));
                props.put("passwordFile", env.getProperty("ADMIN_PASSWORD_FILE"));
                props.put("region", env.getProperty("REGION"));
                cloud.update(props);
                String nodeId = "openstack-itest:" + env.getProperty("COMPUTE_HOST");
                await("node " + nodeId + " from the all-in-one OpenStack", () -> {
                    try {
                        registry.refresh("openstack-itest", PATIENCE);
                    } catch (RuntimeException e) {
                        return false; // a discovery that started before the change still saw the old cloud
                    }
                    return inventory.node(nodeId).map(n -> n.state() == ResourceState.AVAILABLE).orElse(false);
                });
                String detail = new Shell(sessions).run("strata:node " + nodeId);
                assertTrue(detail, detail.contains("CUSTOM_MAGIC"));
                String password = Files.readString(Path.of(env.getProperty("ADMIN_PASSWORD_FILE"))).strip();
                assertFalse(read(Path.of(System.getProperty("karaf.data"), "log", "karaf.log")).contains(password));
            }
        } finally {
            cloud.delete();
            Files.deleteIfExists(passwordFile);
        }
        await("the OpenStack provider to leave", () -> registry.provider("openstack-itest")
                .map(p -> p.state() == ProviderState.DEPARTED).orElse(true));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + PATIENCE.toSeconds() + " s waiting for " + what + "; providers now: "
                        + registry.providers());
            }
            Thread.sleep(50);
        }
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("bundle " + symbolicName + " is not installed");
    }
}
