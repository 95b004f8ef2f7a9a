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
import java.io.IOException;
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
        String endpoint = MotoServer.start();
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
            // the test launches a machine for a deployment Strata does not know: the reconciler reports it, and leaves it
            options.add(editConfigurationFilePut("etc/dev.strata.platform.core.deployment.cfg", "leaks", "report"));
            options.add(editConfigurationFilePut("etc/dev.strata.platform.core.deployment.cfg", "pollInterval", "200ms"));
        }
        return options.toArray(new Option[0]);
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
        // the account's quota of 4 in the region is shared among the zones that offer the type
        assertEquals(4, snapshot.offers().stream().filter(o -> o.shape().equals("p4d.24xlarge") && o.siteId().startsWith(ID + ":eu-central-1"))
                .mapToInt(CapacityOffer::limit).sum());
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

    /**
     * A contract deployed through the shell on the account's capacity: two p4d.24xlarge launched in
     * Frankfurt, shown as nodes bound to the deployment, listed and shown by the deployment
     * commands, and none left after undeploy.
     */
    @Test
    public void aContractIsDeployedThroughTheShellAndUndeployed() throws Exception {
        await("provider " + ID + " to be active", () -> registry.provider(ID).map(p -> p.state() == ProviderState.ACTIVE).orElse(false));
        Path contract = Path.of(System.getProperty("karaf.base"), "train.yaml");
        Files.writeString(contract, "name: train\ntenant: bank-risk\nsovereignty: {countries: [DE]}\ndeployment: {onMachineLoss: replace}\n"
                + "members:\n  - {name: trainer, replicas: 2, gpus: {count: 8}}\n");
        Shell shell = new Shell(sessions);
        String deployed = shell.run("strata:deploy --wait --timeout 2m -f " + contract);
        assertTrue(deployed, deployed.startsWith("Contract train of tenant bank-risk: placed as a-"));
        assertTrue(deployed, deployed.contains("p4d.24xlarge in eu-central-1"));
        assertTrue(deployed, deployed.contains("account quota"));
        assertTrue(deployed, deployed.contains(": ready (2 of 2 machines running)"));
        String id = deployed.substring(deployed.indexOf("Deployment d-") + 11).split(" ")[0];

        String listed = shell.run("strata:deployments --no-format");
        assertTrue(listed, listed.startsWith(id + "\ttrain\tbank-risk\tready\t2/2\t"));
        String shown = shell.run("strata:deployment " + id);
        assertTrue(shown, shown.contains("Deployment " + id + " of contract train, tenant bank-risk: ready"));
        assertTrue(shown, shown.contains("offer " + ID + ":eu-central-1"));
        assertTrue(shown, shown.contains("provider " + ID + " made i-"));

        registry.refresh(ID, Duration.ofSeconds(60));
        assertEquals(2, inventory.snapshot().nodes().stream().filter(n -> id.equals(n.attributes().get(MachineLabels.DEPLOYMENT))).count());

        String undeployed = shell.run("strata:undeploy --wait --timeout 2m " + id);
        assertTrue(undeployed, undeployed.contains("Deployment " + id + " deleted"));
        DiscoveryContext ctx = DiscoveryContext.withTimeout("itest", Duration.ofSeconds(60));
        assertTrue(provisioning().machines(ctx).stream().noneMatch(m -> id.equals(m.labels().get(MachineLabels.DEPLOYMENT))));
        String reports = System.getProperty("strata.itest.reports");
        if (reports != null) {
            Files.writeString(Path.of(reports).resolve("deployment-through-the-shell.txt"), deployed + "\n" + shown + "\n" + undeployed);
        }
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
