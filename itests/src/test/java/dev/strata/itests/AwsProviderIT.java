package dev.strata.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.platform.api.provisioning.ProvisioningProvider;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The AWS provider inside the Strata distribution, against moto started by this test on a free
 * port: the bundle (with the AWS SDK inside) resolves and activates from a factory configuration,
 * the SDK works in OSGi (its HTTP client set explicitly), the inventory holds its sites and offers,
 * a machine is launched, becomes a node bound to its deployment, and is deleted. The secret never
 * reaches a service property or the shell.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AwsProviderIT {

    private static final String ID = "aws-itest";
    private static final String SECRET = "itest-secret-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
    private static Process moto;

    @Inject
    BootFinished bootFinished;

    @Inject
    Inventory inventory;

    @Inject
    ProviderRegistry registry;

    @Inject
    SessionFactory sessions;

    @Inject
    BundleContext context;

    @Configuration
    public Option[] config() throws Exception {
        List<Option> options = new ArrayList<>(KarafOptions.strataDistribution());
        String endpoint = startMoto();
        options.add(systemProperty("strata.itest.moto").value(endpoint));
        options.add(systemProperty("strata.itest.secret").value(SECRET));
        if (!endpoint.isEmpty()) {
            Path secret = Path.of(KarafOptions.reactorRoot(), "itests/target/aws-itest-secret.txt").toAbsolutePath();
            Files.createDirectories(secret.getParent());
            Files.writeString(secret, SECRET + "\n");
            String cfg = "etc/dev.strata.provider.aws-itest.cfg";
            options.add(editConfigurationFilePut(cfg, "strata.provider.id", ID));
            options.add(editConfigurationFilePut(cfg, "regions", "eu-central-1"));
            options.add(editConfigurationFilePut(cfg, "endpoint", endpoint));
            options.add(editConfigurationFilePut(cfg, "accessKeyId", "AKIAITESTKEYID000000"));
            options.add(editConfigurationFilePut(cfg, "secretAccessKeyFile", secret.toString()));
            options.add(editConfigurationFilePut(cfg, "quotas", "p4d.24xlarge=4"));
            options.add(editConfigurationFilePut(cfg, "images", "eu-central-1=ami-03cf127a"));
        }
        return options.toArray(new Option[0]);
    }

    /** moto_server on a free port, in the test JVM; "" when it is not installed (the tests are then skipped, except under CI). */
    private static synchronized String startMoto() throws Exception {
        String executable = System.getProperty("strata.moto", "");
        if (executable.isBlank() || !new File(executable).canExecute()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("moto_server missing at " + executable + "; .ci/run installs it");
            }
            return "";
        }
        if (moto == null) {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            File log = new File(KarafOptions.reactorRoot(), "itests/target/moto-itest.log");
            log.getParentFile().mkdirs();
            ProcessBuilder builder = new ProcessBuilder(executable, "-H", "127.0.0.1", "-p", String.valueOf(port))
                    .redirectErrorStream(true).redirectOutput(log);
            builder.environment().put("MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION", "true");
            moto = builder.start();
            Process started = moto;
            Runtime.getRuntime().addShutdownHook(new Thread(started::destroy));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                try (Socket probe = new Socket("127.0.0.1", port)) {
                    break;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline || !moto.isAlive()) {
                        throw new IllegalStateException("moto_server did not start; see " + log, e);
                    }
                    Thread.sleep(200);
                }
            }
            System.setProperty("strata.itest.moto.endpoint", "http://127.0.0.1:" + port);
        }
        return System.getProperty("strata.itest.moto.endpoint");
    }

    @Before
    public void motoIsThere() {
        Assume.assumeFalse("moto_server is not installed (.ci/run installs it)", System.getProperty("strata.itest.moto", "").isEmpty());
    }

    @Test
    public void theBundleWithTheSdkResolvesAndTheProviderDiscoversThroughIt() throws Exception {
        Bundle bundle = bundle("dev.strata.provider.aws");
        assertEquals(Bundle.ACTIVE, bundle.getState());
        await("provider " + ID + " to be active", () -> registry.provider(ID).map(p -> p.state() == ProviderState.ACTIVE).orElse(false));
        InventorySnapshot snapshot = inventory.snapshot();
        assertTrue(snapshot.sites().stream().anyMatch(s -> s.id().equals(ID + ":eu-central-1a") && "DE".equals(s.country())
                && s.operator() != null && s.operator().jurisdictions().contains("US")));
        Optional<CapacityOffer> p4d = snapshot.offer(ID + ":eu-central-1a:p4d.24xlarge");
        assertTrue("offers: " + snapshot.offers().size(), p4d.isPresent());
        assertEquals(4, p4d.get().limit());
        assertEquals(8, p4d.get().machine().accelerators().size());

        String providers = new Shell(sessions).run("strata:providers --no-format");
        assertTrue(providers, providers.contains(ID) && providers.contains("ACTIVE") && providers.contains("COMPUTE"));
        String secret = System.getProperty("strata.itest.secret");
        assertFalse(providers, providers.contains(secret) || providers.contains("AKIAITESTKEYID000000"));
        for (ServiceReference<?> ref : bundle.getRegisteredServices()) {
            for (String key : ref.getPropertyKeys()) {
                assertFalse(key, key.toLowerCase().contains("secret") && !key.equals("secretAccessKeyFile"));
                assertFalse(key, String.valueOf(ref.getProperty(key)).contains(secret));
            }
        }
    }

    @Test
    public void aMachineIsLaunchedBecomesANodeOfItsDeploymentAndIsDeleted() throws Exception {
        await("provider " + ID + " to be active", () -> registry.provider(ID).map(p -> p.state() == ProviderState.ACTIVE).orElse(false));
        ProvisioningProvider provisioning = provisioning();
        DiscoveryContext ctx = DiscoveryContext.withTimeout("itest", Duration.ofSeconds(60));
        MachineRequest request = new MachineRequest("itest-op-1", "itest-dep", "trainer-0", "bank-risk",
                MachineTarget.offer(ID + ":eu-central-1a:p4d.24xlarge"), new MachineResources(96_000, 1L << 40, 8, List.of(), null), Map.of());
        MachineStatus made = provisioning.create(request, ctx);
        assertEquals(made.handle().machineId(), provisioning.create(request, ctx).handle().machineId());
        assertEquals(1, provisioning.machines(ctx).size());

        registry.refresh(ID, Duration.ofSeconds(60));
        Node node = inventory.node(made.nodeId()).orElseThrow(() -> new AssertionError("no node " + made.nodeId()));
        assertEquals("itest-dep", node.attributes().get(MachineLabels.DEPLOYMENT));
        assertEquals("trainer-0", node.attributes().get(MachineLabels.MEMBER));

        MachineStatus deleted = provisioning.delete(made.handle(), ctx);
        assertTrue(deleted.state() == MachineState.DELETING || deleted.state() == MachineState.GONE);
        assertTrue(provisioning.machines(ctx).isEmpty());
        registry.refresh(ID, Duration.ofSeconds(60));
        assertTrue(inventory.node(made.nodeId()).isEmpty());
    }

    private ProvisioningProvider provisioning() throws Exception {
        var refs = context.getServiceReferences(ProvisioningProvider.class, "(strata.provider.id=" + ID + ")");
        assertEquals(1, refs.size());
        return context.getService(refs.iterator().next());
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; providers now: " + registry.providers());
            }
            Thread.sleep(100);
        }
    }
}
