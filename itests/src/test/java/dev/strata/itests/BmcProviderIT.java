package dev.strata.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.provider.ProviderProperties;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.platform.api.provisioning.ProviderJournal;
import dev.strata.platform.api.provisioning.ProvisioningProvider;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The BMC provider in the Strata distribution: its bundle resolves, it registers the compute
 * and provisioning services under the id {@code bmc}, and one factory configuration per BMC
 * becomes a node. No BMC peer runs here (the provider's own tests drive sushy-tools and
 * ipmi_sim): the BMCs configured are one that nobody answers for and one whose configuration is
 * wrong, and both must show as UNAVAILABLE nodes with the reason, the password nowhere.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BmcProviderIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String PASSWORD = "itest-Secret-77";

    @Inject
    BootFinished bootFinished;

    @Inject
    Inventory inventory;

    @Inject
    ProviderRegistry registry;

    @Inject
    ConfigurationAdmin configAdmin;

    @Inject
    BundleContext context;

    @Configuration
    public Option[] config() {
        return KarafOptions.strataDistribution().toArray(new Option[0]);
    }

    @Test
    public void configuredBmcsBecomeNodesAndFailuresStayOnTheirNode() throws Exception {
        await("the bmc provider", () -> registry.provider("bmc").isPresent());
        Collection<ServiceReference<ProvisioningProvider>> provisioning =
                context.getServiceReferences(ProvisioningProvider.class, "(" + ProviderProperties.ID + "=bmc)");
        assertEquals("one provisioning service with the id bmc", 1, provisioning.size());

        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        org.osgi.service.cm.Configuration silent = configAdmin.getFactoryConfiguration("dev.strata.provider.bmc", "itest-silent", "?");
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("name", "rack1-n01");
        p.put("address", "https://127.0.0.1:" + closed);
        p.put("user", "admin");
        p.put(".password", PASSWORD);
        p.put("certificateFingerprint", "ab".repeat(32));
        p.put("requestTimeout", "2s");
        p.put("attempts", 1);
        silent.update(p);

        org.osgi.service.cm.Configuration wrong = configAdmin.getFactoryConfiguration("dev.strata.provider.bmc", "itest-wrong", "?");
        Dictionary<String, Object> w = new Hashtable<>();
        w.put("name", "rack1-n02");
        w.put("address", "https://127.0.0.1/redfish/v1");
        w.put("user", "admin");
        w.put(".password", PASSWORD);
        wrong.update(w);

        try {
            await("both BMC nodes", () -> {
                registry.refresh("bmc", PATIENCE);
                return node("bmc:rack1-n01").isPresent() && node("bmc:rack1-n02").isPresent();
            });
            Node n1 = node("bmc:rack1-n01").orElseThrow();
            assertEquals(ResourceState.UNAVAILABLE, n1.state());
            String e1 = n1.attributes().get("bmc.error");
            assertTrue(e1, e1.contains("BMC rack1-n01 (https://127.0.0.1:" + closed + "): cannot connect"));
            Node n2 = node("bmc:rack1-n02").orElseThrow();
            assertEquals(ResourceState.UNAVAILABLE, n2.state());
            String e2 = n2.attributes().get("bmc.error");
            assertTrue(e2, e2.contains("dev.strata.provider.bmc~itest-wrong: address = 'https://127.0.0.1/redfish/v1' is invalid"));
            for (Node n : inventory.snapshot().nodes()) {
                assertFalse(n.id(), n.attributes().toString().contains(PASSWORD));
            }
            // the password is a private property: never published with the BMC's service
            ServiceReference<?>[] bmcs = context.getServiceReferences("dev.strata.provider.baremetal.bmc.ConfiguredBmc", null);
            assertNotNull("the BMC services", bmcs);
            assertEquals(2, bmcs.length);
            for (ServiceReference<?> ref : bmcs) {
                for (String key : ref.getPropertyKeys()) {
                    assertFalse(key, key.contains("password") && !key.equals("passwordFile"));
                    assertFalse(key, String.valueOf(ref.getProperty(key)).contains(PASSWORD));
                }
            }
        } finally {
            silent.delete();
            wrong.delete();
        }
        await("the BMC nodes to go with their configuration", () -> {
            registry.refresh("bmc", PATIENCE);
            return node("bmc:rack1-n01").isEmpty() && node("bmc:rack1-n02").isEmpty();
        });
    }

    /**
     * In Karaf the BMC provider journals its operations in Strata's state store (the core's
     * {@link ProviderJournal}, given to it by Declarative Services): a create for a node no BMC has
     * reads the journal and is refused as not found (without the journal it would be refused as
     * unavailable), and a record written through the service reads back.
     */
    @Test
    public void theBmcProviderJournalsInTheStateStore() throws Exception {
        await("the bmc provider", () -> registry.provider("bmc").isPresent());
        ServiceReference<ProviderJournal> ref = context.getServiceReference(ProviderJournal.class);
        assertNotNull("the core's provider journal", ref);
        ProviderJournal journal = context.getService(ref);
        assertTrue(journal.location(), journal.location().startsWith("embedded "));
        ProvisioningProvider bmc = context.getService(context.getServiceReferences(ProvisioningProvider.class,
                "(" + ProviderProperties.ID + "=bmc)").iterator().next());
        MachineRequest request = new MachineRequest("op-itest-journal", "d-itest", "worker-0", "lab-ops", MachineTarget.node("bmc:nowhere"),
                new MachineResources(1000, 1L << 30, 0, java.util.List.of(), null), java.util.Map.of());
        try {
            bmc.create(request, DiscoveryContext.withTimeout("itest", Duration.ofSeconds(20)));
            org.junit.Assert.fail("a create for a node no BMC has");
        } catch (NotFoundException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("node bmc:nowhere is not a system of any configured BMC"));
        }
        assertFalse("nothing recorded for a refused create", journal.get("bmc", "op-itest-journal").isPresent());
        journal.put("itest-vendor", "op-1", "{\"phase\":\"CLAIMED\"}");
        assertEquals(java.util.Map.of("op-1", "{\"phase\":\"CLAIMED\"}"), journal.all("itest-vendor"));
    }

    private Optional<Node> node(String id) {
        return inventory.snapshot().nodes().stream().filter(n -> n.id().equals(id)).findFirst();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out waiting for " + what);
    }
}
