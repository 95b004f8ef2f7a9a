package dev.strata.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.inventory.ProviderStatus;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.ResourceState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.apache.karaf.shell.api.console.SessionFactory;
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
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Boots the Strata distribution and checks it end to end: this machine is in the inventory,
 * the shell commands answer, a bad configuration is rejected by name, and the bare-metal
 * provider is replaced 20 times under continuous queries without one failing.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StrataDistributionIT {

    private static final String PROVIDER = "baremetal";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    /**
     * Karaf installs the boot features in the background; until it is done it may re-provision
     * a SNAPSHOT bundle that a test has updated. Injecting this waits for the end of boot.
     */
    @Inject
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
    org.apache.karaf.features.FeaturesService features;

    @Inject
    dev.strata.platform.api.audit.AuditLog audit;

    @Inject
    dev.strata.platform.api.cluster.Cluster cluster;

    /** A property misspelt in a file the distribution ships, as an operator would: warned of at start. */
    private static final String PROVENANCE_CFG = "etc/dev.strata.platform.core.provenance.cfg";

    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>(KarafOptions.strataDistribution());
        options.add(org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut(PROVENANCE_CFG, "checkpointEvry",
                "500"));
        options.add(org.ops4j.pax.exam.CoreOptions.systemProperty("strata.itest.readme").value(
                KarafOptions.reactorFile("README.md").getAbsolutePath()));
        return options.toArray(new Option[0]);
    }

    /**
     * Every property a Strata component reads, as the metatype of its bundle in the distribution
     * declares it (the same declarations the warning of unknown properties goes by), is named in
     * the README, where an operator looks for it.
     */
    @Test
    public void everyPropertyAStrataComponentReadsIsNamedInTheReadme() throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("strata.itest.readme")), StandardCharsets.UTF_8);
        org.osgi.framework.ServiceReference<org.osgi.service.metatype.MetaTypeService> ref =
                context.getServiceReference(org.osgi.service.metatype.MetaTypeService.class);
        org.osgi.service.metatype.MetaTypeService metaType = context.getService(ref);
        List<String> undocumented = new ArrayList<>();
        Set<String> pids = new java.util.TreeSet<>();
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName() == null || !b.getSymbolicName().startsWith("dev.strata.")) {
                continue;
            }
            org.osgi.service.metatype.MetaTypeInformation info = metaType.getMetaTypeInformation(b);
            if (info == null) {
                continue;
            }
            List<String> ids = new ArrayList<>(List.of(info.getPids()));
            ids.addAll(List.of(info.getFactoryPids()));
            for (String pid : ids) {
                pids.add(pid);
                for (org.osgi.service.metatype.AttributeDefinition a : info.getObjectClassDefinition(pid, null)
                        .getAttributeDefinitions(org.osgi.service.metatype.ObjectClassDefinition.ALL)) {
                    String id = a.getID();
                    if (!readme.contains("`" + id + "`") && !readme.contains("`" + id + " ") && !readme.contains("`" + id + "=")) {
                        undocumented.add(pid + ": " + id);
                    }
                }
            }
        }
        context.ungetService(ref);
        assertTrue("the configurations of the core and the providers are declared: " + pids, pids.containsAll(Set.of(
                "dev.strata.platform.core.placement", "dev.strata.platform.core.store", "dev.strata.provider.aws", "dev.strata.provider.openstack",
                "dev.strata.provider.bmc", "dev.strata.provider.nvidia")));
        assertEquals("properties the README does not name", List.of(), undocumented);
    }

    /**
     * A property no Strata component reads (most often a misspelt one, whose setting is then not in
     * force) is warned of, with the property it most likely misspells: for a file there at start,
     * and for a change, whose provenance record names it too. The distribution's own
     * configurations raise no such warning.
     */
    @Test
    public void aPropertyNoComponentReadsIsWarnedOfWithTheOneItMostLikelyMisspells() throws Exception {
        Path log = Path.of(System.getProperty("karaf.data"), "log", "karaf.log");
        await("the warning of the misspelt property in " + PROVENANCE_CFG, () -> read(log).contains("Configuration "
                + "dev.strata.platform.core.provenance") && read(log).contains("checkpointEvry (did you mean checkpointEvery?) is not a "
                + "property Strata reads; it has no effect (the properties it reads: checkpointEvery, checkpointInterval, keyFile)"));

        org.osgi.service.cm.Configuration config = configAdmin.getConfiguration("dev.strata.platform.core.commitment", null);
        Dictionary<String, Object> original = config.getProperties();
        Dictionary<String, Object> changed = original == null ? new java.util.Hashtable<>() : copy(original);
        changed.put("telemetryWindw", "5m");
        config.update(changed);
        try {
            await("the warning of the misspelt property changed", () -> read(log).contains("Configuration dev.strata.platform.core.commitment")
                    && read(log).contains("telemetryWindw (did you mean telemetryWindow?) is not a property Strata reads"));
            await("the change's record naming it", () -> audit.entries(new dev.strata.platform.api.audit.AuditQuery(null, null, null, null,
                    "configuration", null, null, 50, true)).stream()
                    .anyMatch(e -> "dev.strata.platform.core.commitment".equals(e.subjects().get("configuration"))
                            && e.payload().contains("\"unknown\":[\"telemetryWindw\"]")
                            && e.payload().contains("not read by Strata: telemetryWindw (did you mean telemetryWindow?)")));
        } finally {
            if (original != null) {
                config.update(original);
            } else {
                config.delete();
            }
        }
        // no false alarm: the configurations the distribution ships (and other tests here change) declare what they set; the
        // deployment configuration is left out, since another test here gives it a .webhookPassword, which nothing reads
        Set<String> flagged = new java.util.TreeSet<>();
        for (String line : read(log).split("\n")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Configuration ([\\w.~-]+)(?: \\(|:).*(?:is|are) not a property Strata reads")
                    .matcher(line);
            if (m.find()) {
                flagged.add(m.group(1));
            }
        }
        assertEquals(flagged.toString(), Set.of("dev.strata.platform.core.provenance", "dev.strata.platform.core.commitment"),
                flagged.stream().filter(p -> !p.equals("dev.strata.platform.core.deployment")).collect(java.util.stream.Collectors.toSet()));
    }

    @Before
    public void providerIsActive() throws Exception {
        await("the bare-metal provider to be active", () ->
                registry.provider(PROVIDER).map(p -> p.state() == ProviderState.ACTIVE).orElse(false));
    }

    @Test
    public void inventoryHoldsThisMachine() throws Exception {
        Node node = localNode();
        assertEquals("online threads", Runtime.getRuntime().availableProcessors(), node.cpu().threads());
        assertTrue("packages", node.cpu().packages().size() >= 1);
        assertTrue("cores", node.cpu().cores() >= 1 && node.cpu().cores() <= node.cpu().threads());
        File[] numa = new File("/sys/devices/system/node").listFiles((dir, name) -> name.matches("node\\d+"));
        assertEquals("NUMA nodes", numa == null || numa.length == 0 ? 1 : numa.length, node.numaNodes().size());
        assertTrue("memory", node.memoryBytes() > 0);
        File[] pci = new File("/sys/bus/pci/devices").listFiles();
        assertEquals("PCI devices", pci == null ? 0 : pci.length, node.pciDevices().size());
        assertEquals(ResourceState.AVAILABLE, node.state());
    }

    /** The AWS provider's feature is booted, but without an account configured nothing runs and nothing is called. */
    @Test
    public void awsProviderDoesNothingWithoutAnAccount() throws Exception {
        Bundle aws = java.util.Arrays.stream(context.getBundles()).filter(b -> "dev.strata.provider.aws".equals(b.getSymbolicName()))
                .findFirst().orElseThrow(() -> new AssertionError("the AWS provider bundle is not installed"));
        assertEquals(Bundle.ACTIVE, aws.getState());
        assertTrue(registry.providers().toString(), registry.providers().stream().noneMatch(p -> "aws".equals(p.vendor())));
        assertTrue(aws.getRegisteredServices() == null || aws.getRegisteredServices().length == 0);
    }

    @Test
    public void embeddedStateStoreAndProvenanceLogThroughTheShellAndOffline() throws Exception {
        Shell shell = new Shell(sessions);
        java.nio.file.Path data = java.nio.file.Path.of(System.getProperty("karaf.data"));
        java.nio.file.Path home = java.nio.file.Path.of(System.getProperty("karaf.home"));
        assertTrue("the embedded database lives under data/", java.nio.file.Files.isRegularFile(data.resolve("strata/store.mv.db")));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                java.nio.file.Files.getPosixFilePermissions(data.resolve("strata/provenance-ed25519.key"))));
        String clusterOut = shell.run("strata:cluster");
        assertTrue(clusterOut, clusterOut.contains("embedded (H2)") && clusterOut.contains("(this)") && clusterOut.contains("leader"));
        // online compaction reaches H2's store inside Karaf (by reflection, H2's engine packages are not exported)
        assertTrue(clusterOut, clusterOut.contains("% of its chunks live (compacted online below 50 %)"));
        // the header check reaches H2's internals inside Karaf too
        assertTrue(clusterOut, clusterOut.contains("store header kept on the newest commit (rewritten "));
        assertEquals(cluster.status().self(), cluster.status().leader());
        // the key is registered among the first records (provider and configuration records may come before it)
        String list = shell.run("strata:audit --oldest-first -n 5 -k provenance-key");
        assertTrue(list, list.contains("provenance-key"));
        String verified = shell.run("strata:audit-verify");
        assertTrue(verified, verified.contains("The chain holds"));
        java.nio.file.Path file = data.resolve("export/audit.jsonl");
        java.nio.file.Path keys = data.resolve("export/audit-keys.pem");
        String exported = shell.run("strata:audit-export --public-key " + keys + " " + file);
        assertTrue(exported, exported.contains("Exported ") && exported.contains("Verify offline: bin/strata audit-verify"));
        // the auditor's side: bin/strata audit-verify runs the verifier jar on its own JVM, without Strata
        Process p = new ProcessBuilder(home.resolve("bin/strata").toString(), "audit-verify", file.toString(), "--key", keys.toString())
                .redirectErrorStream(true).start();
        String offline = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue("exit " + p.waitFor() + ": " + offline, p.exitValue() == 0 && offline.contains("RESULT: the chain holds"));
        // one byte of the export changed: the verifier names the record
        java.util.List<String> lines = new java.util.ArrayList<>(java.nio.file.Files.readAllLines(file));
        // the record that registers the key (placement's configuration record may come before it); line 1 is the header
        int keyRecord = 1;
        while (!lines.get(keyRecord).contains("\"kind\":\"provenance-key\"")) {
            keyRecord++;
        }
        lines.set(keyRecord, lines.get(keyRecord).replace("\"kind\":\"provenance-key\"", "\"kind\":\"provenance-kez\""));
        java.nio.file.Files.write(file, lines);
        p = new ProcessBuilder(home.resolve("bin/strata").toString(), "audit-verify", file.toString(), "--key", keys.toString())
                .redirectErrorStream(true).start();
        offline = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue("exit " + p.waitFor() + ": " + offline, p.exitValue() == 1
                && offline.contains("RESULT: FAILED at line " + (keyRecord + 1) + " (record " + keyRecord + ")"));
        assertTrue(audit.verify().holds());
    }

    /**
     * A vendor bundle's provider service whose id is not a plain word (here a tab in it) is
     * ignored, and a vendor or version holding control characters is shown with each escaped as a
     * backslash, u and four hex digits.
     */
    @Test
    public void aProviderServiceWithAnIdThatIsNoPlainWordIsIgnoredAndLabelsAreShownPrintable() throws Exception {
        dev.strata.platform.api.provider.ComputeProvider empty = ctx -> dev.strata.platform.api.provider.ComputeSnapshot
                .builder(1, java.time.Instant.now()).build();
        Hashtable<String, Object> bad = new Hashtable<>();
        bad.put(dev.strata.platform.api.provider.ProviderProperties.ID, "ids\tprobe");
        bad.put(dev.strata.platform.api.provider.ProviderProperties.VENDOR, "probe");
        Hashtable<String, Object> odd = new Hashtable<>();
        odd.put(dev.strata.platform.api.provider.ProviderProperties.ID, "ids-probe");
        odd.put(dev.strata.platform.api.provider.ProviderProperties.VENDOR, "Probe\tVendor\nINFO forged");
        odd.put(dev.strata.platform.api.provider.ProviderProperties.VERSION, "1.0\t2");
        var badRegistration = context.registerService(dev.strata.platform.api.provider.ComputeProvider.class, empty, bad);
        var oddRegistration = context.registerService(dev.strata.platform.api.provider.ComputeProvider.class, empty, odd);
        try {
            await("the probe provider to be active", () ->
                    registry.provider("ids-probe").map(p -> p.state() == ProviderState.ACTIVE).orElse(false));
            ProviderStatus probe = registry.provider("ids-probe").orElseThrow();
            assertEquals("Probe\\u0009Vendor\\u000aINFO forged", probe.vendor());
            assertEquals("1.0\\u00092", probe.version());
            assertTrue(registry.providers().toString(), registry.providers().stream().noneMatch(p -> p.id().startsWith("ids\t")));
            String rows = new Shell(sessions).run("strata:providers --no-format");
            // the plain output writes a tab within a value as \t, and so a backslash as two (Table.escape)
            assertTrue(rows, rows.contains("ids-probe\tProbe\\\\u0009Vendor\\\\u000aINFO forged\t1.0\\\\u00092\t"));
            assertFalse(rows, rows.contains("ids\\tprobe"));
        } finally {
            badRegistration.unregister();
            oddRegistration.unregister();
        }
    }

    @Test
    public void shellCommandsAnswer() throws Exception {
        Shell shell = new Shell(sessions);
        Node node = localNode();
        String providers = shell.run("strata:providers --no-format");
        assertTrue(providers, providers.contains(PROVIDER) && providers.contains("ACTIVE") && providers.contains("COMPUTE"));
        String nodes = shell.run("strata:nodes");
        assertTrue(nodes, nodes.contains(node.id()) && nodes.contains("THREADS"));
        String detail = shell.run("strata:node " + node.id());
        assertTrue(detail, detail.contains("NUMA nodes") && detail.contains("PCI devices"));
        String refreshed = shell.run("strata:refresh " + PROVIDER);
        assertTrue(refreshed, refreshed.startsWith(PROVIDER + " ") && refreshed.contains("ACTIVE"));
        try {
            shell.run("strata:node no-such-node");
            fail("an unknown node id must fail");
        } catch (IllegalArgumentException e) {
            assertEquals("no node 'no-such-node'; known nodes: " + node.id(), e.getMessage());
        }
        // the forms the README shows parse: options before the argument
        try {
            shell.run("strata:gpu -s 3 GPU-no-such-gpu");
            fail("an unknown GPU id must fail");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("no GPU 'GPU-no-such-gpu'"));
        }
        String status = shell.run("strata:status");
        assertTrue(status, status.contains("Nodes by site and state") && status.contains("GPUs by model"));
    }

    /**
     * A configuration change made by a shell user is in the provenance log with the user as actor,
     * what changed, and its secret redacted (Config Admin calls the recorder on the changing thread,
     * here inside the user's JAAS subject as Karaf runs a shell command).
     */
    @Test
    public void configurationChangesAreRecordedWithTheUserAndWithoutSecrets() throws Exception {
        org.osgi.service.cm.Configuration config = configAdmin.getConfiguration("dev.strata.platform.core.deployment", null);
        Dictionary<String, Object> original = config.getProperties();
        Dictionary<String, Object> changed = original == null ? new java.util.Hashtable<>() : copy(original);
        changed.put("leaks", "report");
        changed.put(".webhookPassword", "s3cret-never-logged");
        javax.security.auth.Subject alice = new javax.security.auth.Subject();
        alice.getPrincipals().add(new org.apache.karaf.jaas.boot.principal.UserPrincipal("alice"));
        alice.getPrincipals().add(new org.apache.karaf.jaas.boot.principal.RolePrincipal("admin"));
        javax.security.auth.Subject.doAs(alice, (java.security.PrivilegedExceptionAction<Void>) () -> {
            config.update(changed);
            return null;
        });
        try {
            java.util.concurrent.atomic.AtomicReference<dev.strata.platform.api.audit.AuditEntry> found = new java.util.concurrent.atomic.AtomicReference<>();
            await("the configuration record of alice's change", () -> {
                audit.entries(new dev.strata.platform.api.audit.AuditQuery(null, null, null, null, "configuration", null, null, 50, true))
                        .stream().filter(e -> "dev.strata.platform.core.deployment".equals(e.subjects().get("configuration"))
                                && e.actor().equals("alice") && e.payload().contains("\"leaks\":\"report\""))
                        .findFirst().ifPresent(found::set);
                return found.get() != null;
            });
            String payload = found.get().payload();
            assertTrue(payload, payload.contains("\".webhookPassword\":\"(redacted)\"") && !payload.contains("s3cret-never-logged"));
            assertTrue(payload, payload.contains("\"action\":\"updated\""));
            assertTrue(audit.verify().holds());
        } finally {
            if (original != null) {
                config.update(original);
            }
        }
    }

    @Test
    public void invalidConfigurationIsRejectedNamingTheProperty() throws Exception {
        org.osgi.service.cm.Configuration config = configAdmin.getConfiguration("dev.strata.platform.core.inventory", null);
        Dictionary<String, Object> original = config.getProperties();
        Dictionary<String, Object> bad = copy(original);
        bad.put("refreshInterval", "-5s");
        config.update(bad);
        try {
            Path log = Path.of(System.getProperty("karaf.data"), "log", "karaf.log");
            await("the rejection in " + log, () -> read(log).contains(
                    "refreshInterval = '-5s' is invalid; expected a duration of at least 1s"));
            // and in the provenance log, after the change's own record (which says updated: Config Admin tells the recorder first)
            await("the rejection's record", () -> {
                List<String> actions = audit.entries(new dev.strata.platform.api.audit.AuditQuery(null, null, null, null, "configuration",
                                null, null, 50, true)).stream()
                        .filter(e -> "dev.strata.platform.core.inventory".equals(e.subjects().get("configuration")))
                        .map(dev.strata.platform.api.audit.AuditEntry::payload).limit(2).toList();
                return actions.size() == 2 && actions.get(0).contains("\"action\":\"rejected\"")
                        && actions.get(0).contains("refreshInterval = '-5s' is invalid; expected a duration of at least 1s")
                        && actions.get(1).contains("\"action\":\"updated\"") && actions.get(1).contains("\"refreshInterval\":\"-5s\"");
            });
            // the previous settings stay in force: the inventory still answers and still refreshes
            assertTrue(inventory.node(localNode().id()).isPresent());
            assertEquals(ProviderState.ACTIVE, registry.refresh(PROVIDER, PATIENCE).state());
        } finally {
            config.update(original);
        }
    }

    @Test
    public void bareMetalProviderSwapUnderLoadLosesNoQuery() throws Exception {
        String nodeId = localNode().id();
        String report = hotSwap(PROVIDER, "dev.strata.provider.baremetal", "strata.itest.baremetal.jar", ProviderState.ACTIVE,
                () -> inventory.node(nodeId).map(n -> n.state() == ResourceState.STALE ? "stale" : "ok").orElse("missing"));
        Files.writeString(Path.of(System.getProperty("strata.itest.reports"), "hot-swap.txt"), report);
        assertFalse(inventory.node(nodeId).isEmpty());
    }

    /**
     * The NVIDIA provider, swapped the same way. On a machine without a GPU its normal state is
     * UNAVAILABLE ("no NVML and no nvidia-smi"), which must survive every swap; the rest of the
     * inventory must not notice.
     */
    @Test
    public void nvidiaProviderSwapUnderLoadLosesNoQuery() throws Exception {
        await("the NVIDIA provider to report", () -> registry.provider("nvidia").map(p -> p.state() != ProviderState.STARTING).orElse(false));
        ProviderState settled = registry.provider("nvidia").orElseThrow().state();
        String nodeId = localNode().id();
        String report = hotSwap("nvidia", "dev.strata.provider.nvidia", "strata.itest.nvidia.jar", settled,
                () -> inventory.node(nodeId).isPresent() ? "ok" : "missing");
        Files.writeString(Path.of(System.getProperty("strata.itest.reports"), "hot-swap-nvidia.txt"), report);
        assertEquals(ProviderState.ACTIVE, registry.provider(PROVIDER).orElseThrow().state());
    }

    /**
     * The example inventory of the distribution, declared, and the example contracts placed on
     * it through the shell: a dry run explains, a real one reserves, an impossible one says why.
     */
    @Test
    public void declaredInventoryAndPlacementThroughTheShell() throws Exception {
        Path base = Path.of(System.getProperty("karaf.base"));
        Path declared = Path.of(System.getProperty("karaf.etc")).resolve("strata-inventory.yaml");
        Files.copy(base.resolve("etc/strata-inventory.example.yaml"), declared, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try {
            ProviderStatus status = registry.refresh("declared", PATIENCE);
            assertEquals(status.toString(), ProviderState.ACTIVE, status.state());
            assertEquals(92, inventory.snapshot().nodes().stream().filter(n -> n.providerId().equals("declared")).count());
            Shell shell = new Shell(sessions);

            String dry = shell.run("strata:place -f examples/llm-training.yaml --dry-run");
            assertTrue(dry, dry.startsWith("Contract llm-finetune of tenant bank-risk: would be placed (dry run, nothing reserved)"));
            assertTrue(dry, dry.contains("sovereignty.excludeOperatorJurisdictions: site par-1 operator Datacentres de la Seine SAS"));
            assertTrue(dry, dry.contains("fabric.rdma: all members on par-1-ib-ndr"));
            assertTrue(dry, dry.contains("nodes: operator subject to excluded jurisdiction [US]"));
            assertTrue("a dry run reserves nothing", shell.run("strata:allocations --no-format").isBlank());

            String real = shell.run("strata:place -f examples/llm-training.yaml");
            assertTrue(real, real.contains("placed as a-"));
            String allocation = real.substring(real.indexOf("placed as ") + 10).lines().findFirst().orElseThrow().strip();
            String listed = shell.run("strata:allocations --no-format");
            assertTrue(listed, listed.contains(allocation) && listed.contains("llm-finetune") && listed.contains("dedicated-node"));
            // the verifier runs in the framework: the allocation just placed holds every clause
            String verdicts = shell.run("strata:commitments --verify --no-format");
            assertTrue(verdicts, verdicts.lines().anyMatch(l -> l.startsWith(allocation + "\tllm-finetune\t") && l.contains("\tHONORED\t")));
            String one = shell.run("strata:commitments " + allocation);
            assertTrue(one, one.contains("HONORED") && one.contains("Every clause holds."));

            String tooBig = shell.run("strata:place -f examples/too-big.yaml --dry-run");
            // the README quotes these two outputs
            Path reports = Path.of(System.getProperty("strata.itest.reports"));
            Files.writeString(reports.resolve("place-llm-training-dry-run.txt"), dry);
            Files.writeString(reports.resolve("place-too-big-dry-run.txt"), tooBig);
            assertTrue(tooBig, tooBig.startsWith("Contract foundation-model of tenant bank-research: not placed"));
            assertTrue(tooBig, tooBig.contains("Why not"));

            // tenant quotas: set in the state store, held to at the next decision, shown by strata:tenants, recorded
            String set = shell.run("strata:quota bank-payments gpus=0.5");
            assertTrue(set, set.startsWith("Quota of tenant bank-payments: at most 0.5 GPUs"));
            try {
                String refusal = "not placed: tenant bank-payments would exceed its quota: 0.75 GPUs more on the 0 GPUs it holds, of 0.5 GPUs";
                String over = shell.run("strata:place -f examples/inference.yaml --dry-run");
                assertTrue(over, over.contains(refusal));
                String tenants = shell.run("strata:tenants --no-format");
                assertTrue(tenants, tenants.lines().anyMatch(l -> l.startsWith("bank-risk\t1\t16\t-\t")));
                assertTrue(tenants, tenants.lines().anyMatch(l -> l.equals("bank-payments\t0\t0\t0.5\t0\t-\t0 B\t-")));
                String audit = shell.run("strata:audit --tenant bank-payments --no-format");
                assertTrue(audit, audit.lines().anyMatch(l -> l.contains("\tquota\t")));
                String bad = shellRun(shell, "strata:quota bank-payments gpu=8");
                assertTrue(bad, bad.contains("quota of tenant bank-payments: gpu=8 is invalid: 'gpu' is no resource"));
                assertTrue("the quota before the refused change stays", shell.run("strata:place -f examples/inference.yaml --dry-run")
                        .contains(refusal));

                // the retired quota file, left from an older installation, stops placement until it sets no quotas
                org.osgi.service.cm.Configuration retired = configAdmin.getConfiguration("dev.strata.platform.core.quotas", null);
                Dictionary<String, Object> file = new java.util.Hashtable<>();
                file.put("tenantQuotas", "bank-payments/gpus=4");
                retired.update(file);
                try {
                    await("placement refused while the retired file sets quotas", () -> shellRun(shell,
                            "strata:place -f examples/inference.yaml --dry-run").contains("Strata no longer reads: tenant quotas are kept in "
                                    + "the state store, the same for every instance, and placement refuses until the file sets none: run "
                                    + "strata:quota bank-payments gpus=4"));
                } finally {
                    retired.delete();
                }
                await("placement again once the file is gone", () -> shellRun(shell, "strata:place -f examples/inference.yaml --dry-run")
                        .contains(refusal));
            } finally {
                shell.run("strata:quota bank-payments --remove");
            }
            String unlimited = shell.run("strata:place -f examples/inference.yaml --dry-run");
            assertTrue(unlimited, unlimited.contains("would be placed"));

            assertTrue(shell.run("strata:release " + allocation).startsWith("Released " + allocation));
            assertTrue(shell.run("strata:allocations --no-format").isBlank());
        } finally {
            Files.deleteIfExists(declared);
            registry.refresh("declared", PATIENCE);
        }
    }

    /**
     * A provider with a modified method keeps its service through a change of its configuration:
     * one it refuses leaves the previous settings serving (the same service, ACTIVE, its node
     * AVAILABLE) and is logged as README says, where the provider used to be made again from it,
     * which failed, so it departed and its node went stale until the file was corrected; a valid
     * one applies in place and is in the inventory at once, with no refresh asked for (the periodic
     * refresh comes once a minute), as a provider made again from a change was. The refusal is in
     * the provenance log too: the change's own record (updated: Config Admin tells the recorder
     * first) is followed by one with action rejected and the message, which the provider has the
     * core write through the API's ConfigurationRejections, so that the log does not show the
     * refused root as in force.
     */
    @Test
    public void aProviderKeepsItsSettingsOnARefusedChangeAndAppliesAValidOneInPlace() throws Exception {
        org.osgi.service.cm.Configuration metal = configAdmin.getConfiguration("dev.strata.provider.baremetal", null);
        Dictionary<String, Object> before = metal.getProperties();
        long service = bareMetalServiceId();
        String site = localNode().siteId();
        Path log = Path.of(System.getProperty("karaf.data"), "log", "karaf.log");
        try {
            Dictionary<String, Object> refused = copy(before);
            refused.put("root", "/no/such/strata/root");
            metal.update(refused);
            await("the refusal in " + log, () -> read(log).contains("Configuration change rejected, previous settings stay in force: "
                    + "dev.strata.provider.baremetal: root = '/no/such/strata/root' is invalid"));
            await("the refusal's record after the change's own", () -> {
                List<String> records = audit.entries(new dev.strata.platform.api.audit.AuditQuery(null, null, null, null, "configuration",
                                null, null, 50, true)).stream()
                        .filter(e -> "dev.strata.provider.baremetal".equals(e.subjects().get("configuration")))
                        .map(dev.strata.platform.api.audit.AuditEntry::payload).limit(2).toList();
                return records.size() == 2 && records.get(0).contains("\"action\":\"rejected\"")
                        && records.get(0).contains("root = '/no/such/strata/root' is invalid")
                        && records.get(1).contains("\"action\":\"updated\"");
            });
            assertEquals("the same service serves on", service, bareMetalServiceId());
            assertEquals(ProviderState.ACTIVE, registry.refresh(PROVIDER, PATIENCE).state());
            assertEquals(ResourceState.AVAILABLE, localNode().state());
            assertEquals(site, localNode().siteId());

            Dictionary<String, Object> moved = copy(before);
            moved.put("site", "lab-moved");
            long start = System.nanoTime();
            metal.update(moved);
            await("the bare-metal node at the new site without a refresh", () -> inventory.snapshot().nodes().stream()
                    .anyMatch(n -> n.providerId().equals(PROVIDER) && n.siteId().equals("lab-moved") && n.state() == ResourceState.AVAILABLE));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue("picked up in " + tookMs + " ms; expected within seconds, not at the periodic refresh", tookMs <= 15_000);
            assertEquals("the same service, its settings changed in place", service, bareMetalServiceId());
        } finally {
            metal.update(before == null ? new Hashtable<>() : before);
            await("the bare-metal node back at " + site, () -> inventory.snapshot().nodes().stream()
                    .anyMatch(n -> n.providerId().equals(PROVIDER) && n.siteId().equals(site)));
        }
    }

    /**
     * The state store keeps its settings on a change of its configuration it refuses: the same
     * store service serves on, the core's services that need it (placement, deployments, the
     * provenance log) stay as they are and answer, and the refusal is logged and recorded as README
     * says, where Declarative Services used to make the store again from the change, which failed,
     * so that the store and every service of the core that needs it were gone until the file was
     * corrected. A valid change that alters the settings closes the store and opens it again with
     * them, under a new service. The configuration is put back as it was, and the test returns only
     * once the store and the provenance log of the settings before serve again.
     */
    @Test
    public void theStateStoreKeepsItsSettingsOnARefusedChangeAndOpensAgainWithAValidOne() throws Exception {
        org.osgi.service.cm.Configuration store = configAdmin.getConfiguration("dev.strata.platform.core.store", null);
        Dictionary<String, Object> before = store.getProperties();
        long storeService = serviceId(STATE_STORE);
        long placement = serviceId(dev.strata.platform.api.placement.Placement.class.getName());
        long deployments = serviceId(dev.strata.platform.api.deployment.Deployments.class.getName());
        long auditLog = serviceId(dev.strata.platform.api.audit.AuditLog.class.getName());
        Path log = Path.of(System.getProperty("karaf.data"), "log", "karaf.log");
        String wait = "17s".equals(before == null ? null : before.get("writeQueueWait")) ? "19s" : "17s";
        long[] reopened = {storeService, auditLog};
        Duration waitBefore = writeQueueWaitInForce();
        try {
            Dictionary<String, Object> refused = copy(before);
            refused.put("durability", "sometimes");
            store.update(refused);
            await("the refusal in " + log, () -> read(log).contains("Configuration change rejected, previous settings stay in force: "
                    + "dev.strata.platform.core.store: durability = 'sometimes' is invalid"));
            await("the refusal's record after the change's own", () -> {
                List<String> records = audit.entries(new dev.strata.platform.api.audit.AuditQuery(null, null, null, null, "configuration",
                                null, null, 50, true)).stream()
                        .filter(e -> "dev.strata.platform.core.store".equals(e.subjects().get("configuration")))
                        .map(dev.strata.platform.api.audit.AuditEntry::payload).limit(2).toList();
                return records.size() == 2 && records.get(0).contains("\"action\":\"rejected\"")
                        && records.get(0).contains("durability = 'sometimes' is invalid")
                        && records.get(1).contains("\"action\":\"updated\"");
            });
            assertEquals("the same state store serves on", storeService, serviceId(STATE_STORE));
            assertEquals("with the settings before", waitBefore, writeQueueWaitInForce());
            assertEquals("placement is not made again", placement, serviceId(dev.strata.platform.api.placement.Placement.class.getName()));
            assertEquals("deployments are not made again", deployments,
                    serviceId(dev.strata.platform.api.deployment.Deployments.class.getName()));
            assertEquals("the provenance log is not made again", auditLog, serviceId(dev.strata.platform.api.audit.AuditLog.class.getName()));
            assertTrue("the provenance log holds, over the same store", audit.verify().holds());
            assertTrue("the store answers the shell's cluster view", cluster.status() != null);

            Dictionary<String, Object> changed = copy(before);
            changed.put("writeQueueWait", wait);
            store.update(changed);
            await("the state store opened again", () -> servesAgain(storeService, auditLog));
            assertEquals("the settings in force", wait, writeQueueWaitInForce().toSeconds() + "s");
            reopened[0] = serviceId(STATE_STORE);
            reopened[1] = serviceId(dev.strata.platform.api.audit.AuditLog.class.getName());
        } finally {
            store.update(before == null ? new Hashtable<>() : before);
            if (reopened[0] != storeService) {
                await("the state store and the provenance log with the settings before the test",
                        () -> servesAgain(reopened[0], reopened[1]));
            }
        }
    }

    /** The core's state store service, by name: its package is the core's own, which this bundle does not import. */
    private static final String STATE_STORE = "dev.strata.platform.core.store.StateStore";

    private long serviceId(String service) {
        org.osgi.framework.ServiceReference<?> ref = context.getServiceReference(service);
        assertTrue("a " + service + " service", ref != null);
        return (Long) ref.getProperty(org.osgi.framework.Constants.SERVICE_ID);
    }

    /**
     * The state store's write queue wait in force, as the core registers its settings (by
     * reflection: the service's package is the core's own, which this bundle does not import).
     */
    private Duration writeQueueWaitInForce() throws Exception {
        org.osgi.framework.ServiceReference<?> ref = context.getServiceReference("dev.strata.platform.core.store.StoreSettingsInForce");
        assertTrue("the state store's settings in force", ref != null);
        Object inForce = context.getService(ref);
        try {
            Object settings = inForce.getClass().getMethod("settings").invoke(inForce);
            return (Duration) settings.getClass().getMethod("writeQueueWait").invoke(settings);
        } finally {
            context.ungetService(ref);
        }
    }

    /**
     * Whether a state store other than {@code storeBefore} is registered and a provenance log other
     * than {@code auditBefore} answers over it, with placement and deployments there again.
     */
    private boolean servesAgain(long storeBefore, long auditBefore) {
        org.osgi.framework.ServiceReference<?> store = context.getServiceReference(STATE_STORE);
        org.osgi.framework.ServiceReference<dev.strata.platform.api.audit.AuditLog> audit =
                context.getServiceReference(dev.strata.platform.api.audit.AuditLog.class);
        if (store == null || audit == null || store.getProperty(org.osgi.framework.Constants.SERVICE_ID).equals(storeBefore)
                || audit.getProperty(org.osgi.framework.Constants.SERVICE_ID).equals(auditBefore)
                || context.getServiceReference(dev.strata.platform.api.placement.Placement.class) == null
                || context.getServiceReference(dev.strata.platform.api.deployment.Deployments.class) == null) {
            return false;
        }
        dev.strata.platform.api.audit.AuditLog log = context.getService(audit);
        try {
            return log != null && log.verify().holds();
        } catch (RuntimeException e) {
            return false; // made again under way
        } finally {
            if (log != null) {
                context.ungetService(audit);
            }
        }
    }

    private long bareMetalServiceId() throws Exception {
        var refs = context.getServiceReferences(dev.strata.platform.api.provider.ComputeProvider.class,
                "(" + dev.strata.platform.api.provider.ProviderProperties.ID + "=" + PROVIDER + ")");
        assertEquals("one bare-metal compute service", 1, refs.size());
        return (Long) refs.iterator().next().getProperty(org.osgi.framework.Constants.SERVICE_ID);
    }

    /**
     * The declared inventory file is watched: a saved change reaches the inventory within a second
     * or two, with no refresh asked for; an empty file (what an editor leaves for a moment) is
     * refused and the nodes stay. And the README's case: the bare-metal provider configured at
     * site fra-1 reports an empty placeholder site, which must not hide the declared facts.
     */
    @Test
    public void declaredInventoryIsWatchedAndRefusesAnEmptyFile() throws Exception {
        Path base = Path.of(System.getProperty("karaf.base"));
        Path declared = Path.of(System.getProperty("karaf.etc")).resolve("strata-inventory.yaml");
        Path saving = declared.resolveSibling(".strata-inventory.yaml.saving");
        org.osgi.service.cm.Configuration metal = configAdmin.getConfiguration("dev.strata.provider.baremetal", null);
        Dictionary<String, Object> metalBefore = metal.getProperties();
        try {
            Files.copy(base.resolve("etc/strata-inventory.example.yaml"), saving, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            long start = System.nanoTime();
            Files.move(saving, declared, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            await("the declared nodes without a refresh", () -> declaredNodes() == 92);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            Files.writeString(Path.of(System.getProperty("strata.itest.reports"), "declared-watch.txt"),
                    "declared inventory change picked up in " + tookMs + " ms\n");
            assertTrue("picked up in " + tookMs + " ms; expected a second or two", tookMs <= 3_000);

            Files.writeString(declared, "");
            await("the empty file to be refused", () -> registry.provider("declared")
                    .map(p -> p.state() == ProviderState.FAILED && p.message() != null && p.message().contains("is empty")).orElse(false));
            long kept = inventory.snapshot().nodes().stream().filter(n -> n.providerId().equals("declared")).count();
            assertEquals("the last good nodes stay (stale, so nothing is placed on them)", 92, kept);

            Files.copy(base.resolve("etc/strata-inventory.example.yaml"), declared, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            await("the declared provider to be active again", () -> registry.provider("declared")
                    .map(p -> p.state() == ProviderState.ACTIVE).orElse(false));

            Dictionary<String, Object> atFra = copy(metalBefore);
            atFra.put("site", "fra-1");
            metal.update(atFra);
            await("the bare-metal node at fra-1", () -> inventory.snapshot().nodes().stream()
                    .anyMatch(n -> n.providerId().equals(PROVIDER) && n.siteId().equals("fra-1") && n.state() == ResourceState.AVAILABLE));
            dev.strata.platform.api.model.Site fra = inventory.snapshot().site("fra-1").orElseThrow();
            assertEquals("DE", fra.country());
            assertEquals("Mainufer Rechenzentrum GmbH", fra.operator().name());
            assertTrue("no conflict for a placeholder: " + registry.provider(PROVIDER).orElseThrow().warnings(),
                    registry.provider(PROVIDER).orElseThrow().warnings().isEmpty());
        } finally {
            metal.update(metalBefore);
            Files.deleteIfExists(saving);
            Files.deleteIfExists(declared);
            registry.refresh("declared", PATIENCE);
        }
    }

    /**
     * The provider guide's example deploys as a feature and shows up at once; removed, it leaves.
     * Neither stops any other bundle: before, installing it refreshed JLine and the PostgreSQL driver
     * (which had resolved without JNA's optional package at the first start), and with them the
     * shell, SCR, the core and every provider.
     */
    @Test
    public void exampleProviderDeploysAsAFeature() throws Exception {
        assertEquals("bundles stopped by installing or removing the example's feature", List.of(),
                othersStoppedDuring("dev.strata.provider.example", this::exampleProviderComesAndGoes));
    }

    /**
     * A provider booted with the distribution is removed by uninstalling its feature, and comes back
     * by installing it, stopping no other bundle on the way.
     */
    @Test
    public void aBootedProviderIsUninstalledAndInstalledAgainAlone() throws Exception {
        String declared = "dev.strata.provider.declared";
        List<String> others = othersStoppedDuring(declared, () -> {
            features.uninstallFeature("strata-provider-declared");
            try {
                assertTrue("the declared provider's bundle is uninstalled",
                        java.util.Arrays.stream(context.getBundles()).noneMatch(b -> declared.equals(b.getSymbolicName())));
                await("the declared provider to depart", () -> registry.provider("declared")
                        .map(p -> p.state() == ProviderState.DEPARTED).orElse(true));
            } finally {
                features.installFeature("strata-provider-declared");
            }
            await("the declared provider to be back", () -> registry.provider("declared")
                    .map(p -> p.state() == ProviderState.ACTIVE).orElse(false));
        });
        assertEquals("bundles stopped by uninstalling and installing the declared provider's feature", List.of(), others);
    }

    /** What {@code action} stopped besides the bundle {@code own}, by symbolic name. */
    private List<String> othersStoppedDuring(String own, ThrowingRunnable action) throws Exception {
        // the swap tests replace these two providers' bundles by bundle:update, with another Bundle-Version: the
        // features service puts its own version back at its next deployment, whichever feature that is for
        Set<String> exempt = Set.of(own, "dev.strata.provider.baremetal", "dev.strata.provider.nvidia");
        List<String> othersStopped = new java.util.concurrent.CopyOnWriteArrayList<>();
        org.osgi.framework.BundleListener stops = event -> {
            if (event.getType() == org.osgi.framework.BundleEvent.STOPPED && !exempt.contains(event.getBundle().getSymbolicName())) {
                othersStopped.add(event.getBundle().getSymbolicName());
            }
        };
        context.addBundleListener(stops);
        try {
            action.run();
        } finally {
            try {
                context.removeBundleListener(stops);
            } catch (IllegalStateException e) {
                othersStopped.add("this test's own bundle (its context is no longer valid: it was refreshed)");
            }
        }
        return othersStopped;
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private void exampleProviderComesAndGoes() throws Exception {
        features.installFeature("strata-provider-example");
        try {
            await("the example provider to be active", () -> registry.provider("example-storage")
                    .map(p -> p.state() == ProviderState.ACTIVE).orElse(false));
            assertTrue(inventory.snapshot().storagePools().stream().anyMatch(p -> p.id().equals("example-storage:/")));
            String providers = new Shell(sessions).run("strata:providers --no-format");
            assertTrue(providers, providers.contains("example-storage") && providers.contains("STORAGE"));
        } finally {
            features.uninstallFeature("strata-provider-example");
        }
        await("the example provider to depart", () -> registry.provider("example-storage")
                .map(p -> p.state() == ProviderState.DEPARTED).orElse(true));
    }

    private long declaredNodes() {
        return inventory.snapshot().nodes().stream().filter(n -> n.providerId().equals("declared") && n.state() == ResourceState.AVAILABLE)
                .count();
    }

    /**
     * Four threads query while the provider's bundle is updated 20 times, each time to a new
     * Bundle-Version; every fourth query is a refresh of the provider, which needs the provider
     * itself and waits through the swap gap. Asserts no query failed; returns the figures.
     */
    private String hotSwap(String provider, String symbolicName, String jarProperty, ProviderState settledState,
            java.util.function.Supplier<String> query) throws Exception {
        Bundle bundle = bundle(symbolicName);
        byte[] jar = Files.readAllBytes(Path.of(System.getProperty(jarProperty)));
        int swapsBefore = registry.provider(provider).orElseThrow().swaps();

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger queries = new AtomicInteger();
        AtomicInteger refreshes = new AtomicInteger();
        AtomicInteger staleSeen = new AtomicInteger();
        AtomicLong longestWaitNanos = new AtomicLong();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService load = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            load.submit(() -> {
                for (int i = 0; running.get(); i++) {
                    long start = System.nanoTime();
                    try {
                        if (i % 4 == 0) {
                            registry.refresh(provider, PATIENCE);
                            refreshes.incrementAndGet();
                        }
                        String answer = query.get();
                        if (answer.equals("missing")) {
                            failures.add("node missing from the inventory");
                        } else if (answer.equals("stale")) {
                            staleSeen.incrementAndGet();
                        }
                        queries.incrementAndGet();
                    } catch (RuntimeException e) {
                        failures.add(e.toString());
                    }
                    longestWaitNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
                }
            });
        }

        List<Long> swapMillis = new ArrayList<>();
        try {
            Thread.sleep(300);
            for (int swap = 1; swap <= 20; swap++) {
                String version = String.format(Locale.ROOT, "0.1.0.swap%02d", swap);
                long start = System.nanoTime();
                bundle.update(new ByteArrayInputStream(withBundleVersion(jar, version)));
                await("version " + version + " of " + provider + " to be " + settledState, () -> registry.provider(provider)
                        .map(p -> p.version().equals(version) && p.state() == settledState).orElse(false));
                swapMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                Thread.sleep(100);
            }
        } finally {
            running.set(false);
            load.shutdown();
            assertTrue("load threads stopped", load.awaitTermination(90, TimeUnit.SECONDS));
        }

        ProviderStatus after = registry.provider(provider).orElseThrow();
        List<Long> sorted = new ArrayList<>(swapMillis);
        Collections.sort(sorted);
        String report = String.format(Locale.ROOT,
                "provider=%s swaps=20 queries=%d refreshes=%d failed=%d staleObservations=%d longestQueryWaitMs=%d "
                        + "swapMedianMs=%d swapMaxMs=%d swapTimesMs=%s%n",
                provider, queries.get(), refreshes.get(), failures.size(), staleSeen.get(),
                TimeUnit.NANOSECONDS.toMillis(longestWaitNanos.get()),
                (sorted.get(9) + sorted.get(10)) / 2, sorted.get(19), swapMillis);
        System.out.print("Hot swap: " + report);

        assertEquals("failed queries: " + failures, 0, failures.size());
        assertTrue("queries ran during the swaps: " + queries.get(), queries.get() > 100);
        assertEquals("swaps counted", swapsBefore + 20, after.swaps());
        assertEquals("0.1.0.swap20", after.version());
        // every swap is in the provenance log, naming the version it replaced (records are written in order, off the
        // swapping thread: the last one may land a moment after the provider settled)
        java.util.function.Supplier<List<String>> swapRecords = () -> audit.entries(new dev.strata.platform.api.audit.AuditQuery(null, null,
                null, null, "swap", null, null, 1000, false)).stream().filter(e -> provider.equals(e.subjects().get("provider")))
                .map(e -> e.payload()).toList();
        await("the swap record of " + provider + " to 0.1.0.swap20", () -> swapRecords.get().stream()
                .anyMatch(p -> p.contains("\"version\":\"0.1.0.swap20\"")));
        List<String> swaps = swapRecords.get();
        for (int swap = 2; swap <= 20; swap++) {
            String version = String.format(Locale.ROOT, "0.1.0.swap%02d", swap);
            String previous = String.format(Locale.ROOT, "0.1.0.swap%02d", swap - 1);
            assertTrue("a swap record of " + provider + " to " + version + " in " + swaps, swaps.stream().anyMatch(
                    p -> p.contains("\"version\":\"" + version + "\"") && p.contains("\"previousVersion\":\"" + previous + "\"")));
        }
        return report;
    }

    // ---- helpers ------------------------------------------------------------------------------

    private Node localNode() {
        return inventory.snapshot().nodes().stream().filter(n -> n.providerId().equals(PROVIDER)).findFirst()
                .orElseThrow(() -> new AssertionError("no bare-metal node in " + inventory.snapshot().nodes()));
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("bundle " + symbolicName + " is not installed");
    }

    /** The same bundle with another Bundle-Version: what a vendor ships as its next release. */
    static byte[] withBundleVersion(byte[] jar, String version) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().put(new Attributes.Name("Bundle-Version"), version);
            try (JarOutputStream target = new JarOutputStream(out, manifest)) {
                for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                    target.putNextEntry(new JarEntry(entry.getName()));
                    in.transferTo(target);
                    target.closeEntry();
                }
            }
        }
        return out.toByteArray();
    }

    private static Dictionary<String, Object> copy(Dictionary<String, Object> source) {
        Hashtable<String, Object> copy = new Hashtable<>();
        if (source != null) {
            for (var keys = source.keys(); keys.hasMoreElements(); ) {
                String key = keys.nextElement();
                copy.put(key, source.get(key));
            }
        }
        return copy;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static volatile Object registryNow;

    private static String shellRun(Shell shell, String command) {
        try {
            return shell.run(command);
        } catch (Exception e) {
            return e.toString();
        }
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        registryNow = registry == null ? null : registry.providers();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + PATIENCE.toSeconds() + " s waiting for " + what
                        + "; providers now: " + registryNow);
            }
            Thread.sleep(20);
            registryNow = registry.providers();
        }
    }
}
