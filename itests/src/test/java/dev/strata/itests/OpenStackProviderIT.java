package dev.strata.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.ContractReader;
import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentMember;
import dev.strata.platform.api.deployment.DeploymentResult;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.Deployments;
import dev.strata.platform.api.deployment.MemberState;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.inventory.ProviderStatus;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.provisioning.MachineLabels;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.EnumSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Assume;
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

    @Inject
    Deployments deployments;

    @Inject
    ContractReader contracts;

    @Configuration
    public Option[] config() {
        List<Option> options = KarafOptions.strataDistribution();
        // the reconciler on a short schedule, so that it runs through every swap
        options.add(editConfigurationFilePut("etc/dev.strata.platform.core.deployment.cfg", "reconcileInterval", "2s"));
        options.add(editConfigurationFilePut("etc/dev.strata.platform.core.deployment.cfg", "pollInterval", "250ms"));
        return options.toArray(new Option[0]);
    }

    @Test
    public void openStackProviderStartsOnlyForAConfiguredCloudAndShowsNoSecret() throws Exception {
        // The distribution boots the OpenStack feature without a cloud: no provider, no network call.
        Bundle openstack = bundle("dev.strata.provider.openstack");
        assertEquals(Bundle.ACTIVE, openstack.getState());
        // (a provider of another test in this Karaf, deleted since, stays listed as DEPARTED)
        assertTrue(registry.providers().toString(), registry.providers().stream()
                .noneMatch(p -> "openstack".equals(p.vendor()) && p.state() != ProviderState.DEPARTED));

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

    /**
     * An operator who edits a cloud's configuration and changes its {@code strata.provider.id}:
     * the provider's component handles the change itself ({@code @Modified}) and stays, and
     * Declarative Services registers the new id on the same service. The inventory lists the
     * provider under the new id, and the old id departs as when its service is unregistered.
     * The cloud cannot be reached, so each id is FAILED with the reason: no OpenStack is needed.
     */
    @Test
    public void anIdChangedInTheConfigurationDepartsTheOldIdAndRegistersTheNewOne() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Path passwordFile = Files.createTempFile("strata-itest", ".pw");
        Files.writeString(passwordFile, "not-a-secret\n");
        org.osgi.service.cm.Configuration cloud = configAdmin.getFactoryConfiguration("dev.strata.provider.openstack", "rename", "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("strata.provider.id", "openstack-rename");
        props.put("authUrl", "http://127.0.0.1:" + closed + "/v3");
        props.put("userName", "admin");
        props.put("passwordFile", passwordFile.toString());
        props.put("projectName", "admin");
        try {
            cloud.update(props);
            await("openstack-rename to register and fail", () -> registry.provider("openstack-rename")
                    .map(p -> p.state() == ProviderState.FAILED).orElse(false));
            Object service = context.getServiceReferences(dev.strata.platform.api.provider.ComputeProvider.class,
                    "(strata.provider.id=openstack-rename)").iterator().next().getProperty(org.osgi.framework.Constants.SERVICE_ID);

            props.put("strata.provider.id", "openstack-renamed");
            cloud.update(props);
            await("openstack-renamed to register and fail, and openstack-rename to depart", () -> registry.provider("openstack-renamed")
                    .map(p -> p.state() == ProviderState.FAILED).orElse(false)
                    && registry.provider("openstack-rename").map(p -> p.state() == ProviderState.DEPARTED).orElse(false));
            assertEquals("the component stayed: its service is the one registered first, with the new id", List.of(service),
                    context.getServiceReferences(dev.strata.platform.api.provider.ComputeProvider.class, "(strata.provider.id=openstack-renamed)")
                            .stream().map(r -> r.getProperty(org.osgi.framework.Constants.SERVICE_ID)).toList());
            String providers = new Shell(sessions).run("strata:providers --no-format");
            assertTrue(providers, providers.contains("openstack-renamed\t") && providers.contains("openstack-rename\t"));
        } finally {
            cloud.delete();
            Files.deleteIfExists(passwordFile);
        }
        await("openstack-renamed to leave", () -> registry.provider("openstack-renamed")
                .map(p -> p.state() == ProviderState.DEPARTED).orElse(true));
    }

    /**
     * An operator's edit that changes a cloud's {@code strata.provider.id} and also holds a value
     * the provider refuses: Declarative Services registers the new id on the service all the same
     * (Felix SCR updates the service properties whatever the modified method makes of the change),
     * so the provider answers under the new id with the refusal, which {@code strata:providers}
     * shows; it never lists the new id with nodes named with the old one. Once corrected, the cloud
     * is taken under the new id (here FAILED, since it cannot be reached).
     */
    @Test
    public void aRefusedChangeThatAlsoChangesTheIdIsListedUnderTheNewIdWithTheRefusal() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Path passwordFile = Files.createTempFile("strata-itest", ".pw");
        Files.writeString(passwordFile, "not-a-secret\n");
        org.osgi.service.cm.Configuration cloud = configAdmin.getFactoryConfiguration("dev.strata.provider.openstack", "refused", "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("strata.provider.id", "openstack-before");
        props.put("authUrl", "http://127.0.0.1:" + closed + "/v3");
        props.put("userName", "admin");
        props.put("passwordFile", passwordFile.toString());
        props.put("projectName", "admin");
        try {
            cloud.update(props);
            await("openstack-before to register and fail", () -> registry.provider("openstack-before")
                    .map(p -> p.state() == ProviderState.FAILED).orElse(false));

            props.put("strata.provider.id", "openstack-after");
            props.put("flavorPolicy", "guess");
            cloud.update(props);
            String refusal = "the configuration of OpenStack cloud openstack-after was refused, and it serves nothing until the "
                    + "configuration is corrected: dev.strata.provider.openstack: flavorPolicy = 'guess' is invalid; expected match or create";
            await("openstack-after to be listed with the refusal, and openstack-before to depart", () -> registry.provider("openstack-after")
                    .map(p -> p.state() == ProviderState.FAILED && p.message() != null && p.message().contains(refusal)).orElse(false)
                    && registry.provider("openstack-before").map(p -> p.state() == ProviderState.DEPARTED).orElse(false));
            String providers = new Shell(sessions).run("strata:providers --no-format");
            assertTrue(providers, providers.contains("openstack-after\t") && providers.contains("flavorPolicy = 'guess' is invalid"));

            props.put("flavorPolicy", "match");
            cloud.update(props);
            await("openstack-after to be taken, and fail as the cloud cannot be reached", () -> registry.provider("openstack-after")
                    .map(p -> p.state() == ProviderState.FAILED && p.message() != null
                            && p.message().contains("Keystone at http://127.0.0.1:" + closed + " cannot be reached")).orElse(false));
        } finally {
            cloud.delete();
            Files.deleteIfExists(passwordFile);
        }
        await("openstack-after to leave", () -> registry.provider("openstack-after")
                .map(p -> p.state() == ProviderState.DEPARTED).orElse(true));
    }

    /**
     * The hot-swap test of the foundation on this provider, against the all-in-one OpenStack: the
     * {@code provider-openstack} bundle is updated again and again (each time to a new
     * Bundle-Version, as a vendor's next release) while one deployment is ready, a second is being
     * made, and then both are deleted, with the reconciler running every 2 s. Nothing is lost (the
     * ready deployment keeps its servers) and nothing duplicated (each member has exactly one
     * server in Nova, counted with Nova's own API); undeploy leaves none. A deploy that lands while
     * no provider is bound is refused and holds nothing, and is repeated.
     */
    @Test
    public void swappingTheOpenStackBundleWhileItsDeploymentsExistLosesAndDuplicatesNothing() throws Exception {
        String aio = System.getProperty("strata.openstack.aio", "");
        if (aio.isBlank()) {
            if (Boolean.getBoolean("strata.itest.ci")) {
                fail("the all-in-one OpenStack is not running (STRATA_OPENSTACK_AIO; CI=true: .ci/run starts it)");
            }
            Assume.assumeTrue("the all-in-one OpenStack is not running (STRATA_OPENSTACK_AIO; .ci/run starts it)", false);
        }
        java.util.Properties env = new java.util.Properties();
        try (java.io.Reader r = Files.newBufferedReader(Path.of(aio, "aio.env"))) {
            env.load(r);
        }
        NovaServers nova = new NovaServers(env);
        String id = "openstack-swap";
        org.osgi.service.cm.Configuration cloud = configAdmin.getFactoryConfiguration("dev.strata.provider.openstack", "swap", "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("strata.provider.id", id);
        props.put("authUrl", env.getProperty("AUTH_URL"));
        props.put("userName", env.getProperty("ADMIN_USER"));
        props.put("passwordFile", env.getProperty("ADMIN_PASSWORD_FILE"));
        props.put("projectName", env.getProperty("ADMIN_PROJECT"));
        props.put("region", env.getProperty("REGION"));
        props.put("country", "DE");
        props.put("jurisdictions", new String[] {"EU", "DE"});
        props.put("flavorPolicy", "create");
        props.put("image", env.getProperty("IMAGE"));
        props.put("networks", "none");
        cloud.update(props);
        Bundle bundle = bundle("dev.strata.provider.openstack");
        byte[] jar = Files.readAllBytes(Path.of(System.getProperty("strata.itest.openstack.jar")));
        String nodeId = id + ":" + env.getProperty("COMPUTE_HOST");
        List<String> swapErrors = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger swaps = new AtomicInteger();
        List<Long> swapMillis = Collections.synchronizedList(new ArrayList<>());
        try {
            await("node " + nodeId + " of the all-in-one", () -> registry.provider(id).map(p -> p.state() == ProviderState.ACTIVE).orElse(false)
                    && inventory.node(nodeId).map(n -> n.state() == ResourceState.AVAILABLE).orElse(false));
            String a = deployRepeating("swap-a", 2, new AtomicInteger());
            Deployment readyA = deployments.await(a, EnumSet.of(DeploymentState.READY), PATIENCE.multipliedBy(3));
            assertEquals(readyA.toString(), DeploymentState.READY, readyA.state());
            Map<String, String> machinesOfA = machines(readyA);

            AtomicInteger refusals = new AtomicInteger();
            String b;
            Deployment readyB;
            try (Swapper swapper = new Swapper(bundle, jar, id, swaps, swapMillis, swapErrors)) {
                b = deployRepeating("swap-b", 3, refusals);
                readyB = deployments.await(b, EnumSet.of(DeploymentState.READY), PATIENCE.multipliedBy(3));
                swapper.atLeast(6);
            }
            assertEquals("swap errors", List.of(), swapErrors);
            assertEquals(readyB.toString(), DeploymentState.READY, readyB.state());
            int swapsWhileDeploying = swaps.get();
            long waitsOfB = deployments.history(b).stream().filter(e -> e.summary().contains("waiting for it")).count();

            // nothing lost: a is READY on the same servers; nothing duplicated: one server per member, in Nova itself
            Deployment nowA = deployments.get(a).orElseThrow();
            assertEquals(nowA.toString(), DeploymentState.READY, nowA.state());
            assertEquals(machinesOfA, machines(nowA));
            assertOneServerPerMember(nova, nowA);
            assertOneServerPerMember(nova, deployments.get(b).orElseThrow());
            assertEquals(2, deployments.history(a).stream().filter(e -> e.summary().contains(" made ")).count());
            assertEquals(3, deployments.history(b).stream().filter(e -> e.summary().contains(" made ")).count());

            // both deleted while the bundle is replaced again
            Deployment deletedA;
            Deployment deletedB;
            try (Swapper swapper = new Swapper(bundle, jar, id, swaps, swapMillis, swapErrors)) {
                deployments.undeploy(a, "alice");
                deployments.undeploy(b, "bob");
                deletedA = deployments.await(a, EnumSet.of(DeploymentState.DELETED), PATIENCE.multipliedBy(3));
                deletedB = deployments.await(b, EnumSet.of(DeploymentState.DELETED), PATIENCE.multipliedBy(3));
                swapper.atLeast(swapsWhileDeploying + 2);
            }
            assertEquals("swap errors", List.of(), swapErrors);
            assertEquals(deletedA.toString(), DeploymentState.DELETED, deletedA.state());
            assertEquals(deletedB.toString(), DeploymentState.DELETED, deletedB.state());
            assertEquals(List.of(), nova.of(a));
            assertEquals(List.of(), nova.of(b));
            assertEquals(swaps.get(), registry.provider(id).orElseThrow().swaps());

            List<Long> sorted = new ArrayList<>(swapMillis);
            Collections.sort(sorted);
            String report = String.format(Locale.ROOT, "provider-openstack bundle updated %d times in Karaf against the all-in-one (%d while "
                    + "deploying b, whose deploy was refused %d times in a gap and repeated, "
                    + "and whose history shows %d waits for the provider): a kept %s, each of b's 3 members has one server; "
                    + "none left after undeploy; swap (update to ACTIVE) median %d ms, max %d ms%n", swaps.get(), swapsWhileDeploying,
                    refusals.get(), waitsOfB, machinesOfA.values(), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
            System.out.print(report);
            Files.writeString(Path.of(System.getProperty("strata.itest.reports"), "hot-swap-openstack.txt"), report);
        } finally {
            for (Deployment d : deployments.list()) {
                if (d.state() != DeploymentState.DELETED) {
                    deployments.undeploy(d.id(), "cleanup");
                    deployments.await(d.id(), EnumSet.of(DeploymentState.DELETED), PATIENCE);
                }
            }
            cloud.delete();
        }
        await("the OpenStack provider to leave", () -> registry.provider(id).map(p -> p.state() == ProviderState.DEPARTED).orElse(true));
    }

    /** Deploys n web members on the OpenStack region (the only DE capacity here), repeating a deploy refused in a swap gap. */
    private String deployRepeating(String name, int n, AtomicInteger refusals) throws InterruptedException {
        Contract contract = contracts.read("name: " + name + "\ntenant: bank-risk\nsovereignty: {countries: [DE]}\nmembers:\n"
                + "  - {name: web, replicas: " + n + ", cpu: 1, memory: 256MiB}\n", name + ".yaml");
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            try {
                DeploymentResult result = deployments.deploy(contract, "alice");
                if (result.deployment() != null) {
                    return result.deployment().id();
                }
                refusals.incrementAndGet(); // not placed: the node is stale while no provider is bound
            } catch (ProviderFailureException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("is running"));
                refusals.incrementAndGet();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " could not be deployed in " + PATIENCE.toSeconds() + " s; refusals: " + refusals.get());
            }
            Thread.sleep(100);
        }
    }

    private static Map<String, String> machines(Deployment d) {
        Map<String, String> out = new TreeMap<>();
        d.members().forEach(m -> out.put(m.name(), m.machine().machineId()));
        return out;
    }

    private static void assertOneServerPerMember(NovaServers nova, Deployment d) throws Exception {
        List<NovaServers.Server> servers = nova.of(d.id());
        Map<String, Long> perMember = servers.stream().collect(Collectors.groupingBy(s -> s.metadata().get(MachineLabels.MEMBER),
                TreeMap::new, Collectors.counting()));
        Map<String, Long> expected = new TreeMap<>();
        d.members().forEach(m -> expected.put(m.name(), 1L));
        assertEquals("servers per member of " + d.id() + " in Nova", expected, perMember);
        for (NovaServers.Server s : servers) {
            assertEquals(s.toString(), "ACTIVE", s.status());
        }
        assertEquals(new TreeSet<>(machines(d).values()), servers.stream().map(NovaServers.Server::id).collect(Collectors.toCollection(TreeSet::new)));
        for (DeploymentMember m : d.members()) {
            assertEquals(m.toString(), MemberState.RUNNING, m.state());
        }
    }

    /** Updates the provider's bundle, each time to a new Bundle-Version, until closed; waits for the new version to be ACTIVE. */
    private final class Swapper implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger swaps;
        private final List<String> errors;
        private final Thread thread;

        Swapper(Bundle bundle, byte[] jar, String provider, AtomicInteger swaps, List<Long> swapMillis, List<String> errors) {
            this.swaps = swaps;
            this.errors = errors;
            this.thread = new Thread(() -> {
                try {
                    while (running.get()) {
                        String version = String.format(Locale.ROOT, "0.1.0.openstack%02d", swaps.get() + 1);
                        long start = System.nanoTime();
                        bundle.update(new ByteArrayInputStream(StrataDistributionIT.withBundleVersion(jar, version)));
                        await("version " + version + " of " + provider + " to be ACTIVE", () -> registry.provider(provider)
                                .map(p -> p.version().equals(version) && p.state() == ProviderState.ACTIVE).orElse(false));
                        swapMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                        swaps.incrementAndGet();
                        Thread.sleep(700);
                    }
                } catch (Throwable e) {
                    errors.add(e.toString());
                }
            }, "openstack-swapper");
            thread.start();
        }

        /** Waits until at least n swaps are done (in all); fails when the swapper stopped or took too long. */
        void atLeast(int n) throws InterruptedException {
            long deadline = System.nanoTime() + PATIENCE.multipliedBy(2).toNanos();
            while (swaps.get() < n && thread.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue("the bundle was updated " + swaps.get() + " times, expected at least " + n + "; swap errors: " + errors, swaps.get() >= n);
        }

        @Override
        public void close() {
            running.set(false);
            try {
                thread.join(PATIENCE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
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
