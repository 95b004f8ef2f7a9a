package dev.strata.benchmarks.deploy;

import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentResult;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.FabricSnapshot;
import dev.strata.platform.core.contract.ContractDocumentReader;
import dev.strata.platform.core.deployment.DeploymentEngine;
import dev.strata.platform.core.deployment.DeploymentSettings;
import dev.strata.platform.core.deployment.ProvisioningProviders;
import dev.strata.platform.core.deployment.Reconciler;
import dev.strata.platform.core.placement.PlacementEngines;
import dev.strata.platform.core.store.DataSources;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.StoreConfig;
import dev.strata.platform.core.store.StoreSettings;
import dev.strata.provider.aws.AwsConfig;
import dev.strata.provider.aws.AwsProvider;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.util.converter.Converters;

/**
 * Deployments through an EC2 endpoint (moto, started beforehand): the time to deploy N machines
 * (from the deploy call until every machine runs, the reconciler driving) and to undeploy them
 * (until every machine is terminated and the allocation released), then the reconciler's cost
 * per pass with M machines running (median and spread of passes that find nothing to do: one
 * listing call per region, the store read, the comparison), and how much of it is the listing.
 * The embedded store (H2, fsync) in a temporary folder; the AWS provider and placement as in Strata.
 *
 * <pre>
 * .venv/moto/bin/moto_server -H 127.0.0.1 -p 5077 &amp;
 * java -cp benchmarks/target/benchmarks.jar dev.strata.benchmarks.deploy.DeploymentThroughput \
 *     --endpoint http://127.0.0.1:5077 [--deploy 100] [--rounds 3] [--pass-machines 1000] [--passes 20] [--workers 8] \
 *     [--pass-provider memory|aws]
 * </pre>
 * The pass is measured by default with the machines made by {@link MemoryProvisioning} (placement
 * still decides on the offers EC2 reports), so that it shows the core's own cost; with
 * {@code --pass-provider aws} the 1,000 machines are launched in moto, whose listing then dominates.
 * <pre>
 * </pre>
 */
public final class DeploymentThroughput {

    private DeploymentThroughput() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String endpoint = a.getOrDefault("endpoint", "http://127.0.0.1:5077");
        int deployN = Integer.parseInt(a.getOrDefault("deploy", "100"));
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
        int passMachines = Integer.parseInt(a.getOrDefault("pass-machines", "1000"));
        int passes = Integer.parseInt(a.getOrDefault("passes", "20"));
        int workers = Integer.parseInt(a.getOrDefault("workers", "8"));
        boolean memoryPass = a.getOrDefault("pass-provider", "memory").equals("memory");
        System.out.printf(Locale.ROOT, "EC2 at %s, %d workers, %d processors, load average %.1f%n", endpoint, workers,
                Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        List<Long> deployMs = new ArrayList<>();
        List<Long> undeployMs = new ArrayList<>();
        for (int r = 1; r <= rounds && deployN > 0; r++) {
            reset(endpoint);
            try (World w = new World(Files.createTempDirectory("strata-deploy-bench"), endpoint, deployN, workers, false)) {
                long t0 = System.nanoTime();
                String id = w.deploy("round" + r, deployN);
                w.await(id, DeploymentState.READY);
                long t1 = System.nanoTime();
                w.engine.undeploy(id, "bench");
                w.await(id, DeploymentState.DELETED);
                long t2 = System.nanoTime();
                deployMs.add((t1 - t0) / 1_000_000);
                undeployMs.add((t2 - t1) / 1_000_000);
                System.out.printf(Locale.ROOT, "round %d: deploy %d machines %d ms, undeploy %d ms%n", r, deployN, (t1 - t0) / 1_000_000,
                        (t2 - t1) / 1_000_000);
            }
        }
        if (!deployMs.isEmpty()) {
            System.out.printf(Locale.ROOT, "deploy %d machines: median %d ms (%s); undeploy: median %d ms (%s)%n", deployN, median(deployMs),
                    deployMs, median(undeployMs), undeployMs);
        }

        reset(endpoint);
        try (World w = new World(Files.createTempDirectory("strata-deploy-bench"), endpoint, passMachines, workers, memoryPass)) {
            long t0 = System.nanoTime();
            List<String> ids = new ArrayList<>();
            int per = 100;
            for (int made = 0, k = 0; made < passMachines; made += per, k++) {
                ids.add(w.deploy("fleet" + k, Math.min(per, passMachines - made)));
            }
            for (String id : ids) {
                w.await(id, DeploymentState.READY);
            }
            System.out.printf(Locale.ROOT, "%d machines in %d deployments running after %d ms%n", passMachines, ids.size(),
                    (System.nanoTime() - t0) / 1_000_000);
            List<Long> passMicros = new ArrayList<>();
            List<Long> listMicros = new ArrayList<>();
            for (int i = 0; i < passes + 3; i++) {
                long l0 = System.nanoTime();
                int listed = w.provisioning.machines(DiscoveryContext.withTimeout("bench", Duration.ofSeconds(60))).size();
                long l1 = System.nanoTime();
                Reconciler.PassReport report = w.engine.reconcileNow();
                if (report.started() != 0 || report.listed() != passMachines || listed != passMachines) {
                    throw new IllegalStateException("a pass that should find nothing to do: " + report + ", listed " + listed);
                }
                if (i >= 3) {
                    passMicros.add(report.took().toNanos() / 1000);
                    listMicros.add((l1 - l0) / 1000);
                }
            }
            System.out.printf(Locale.ROOT, "reconciler pass with %d machines (%d deployments): median %.1f ms (min %.1f, max %.1f); "
                    + "the provider's listing alone: median %.1f ms; so Strata's own part is about %.1f ms%n", passMachines, ids.size(),
                    median(passMicros) / 1000.0, Collections.min(passMicros) / 1000.0, Collections.max(passMicros) / 1000.0,
                    median(listMicros) / 1000.0, (median(passMicros) - median(listMicros)) / 1000.0);
        }
    }

    static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    static void reset(String endpoint) throws Exception {
        java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(endpoint + "/moto-api/reset"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /** The store, the AWS provider, placement and the deployment engine, as the system tests wire them. */
    static final class World implements AutoCloseable {
        final JdbcStateStore store;
        final AwsProvider aws;
        final dev.strata.platform.api.provisioning.ProvisioningProvider provisioning;
        final DeploymentEngine engine;
        final ContractDocumentReader reader = new ContractDocumentReader();

        /** @param memory machines made by {@link MemoryProvisioning} (placement still on the offers EC2 reports) */
        World(Path data, String endpoint, int quota, int workers, boolean memory) {
            Map<String, Object> s = new HashMap<>();
            s.put("instanceId", "bench");
            StoreSettings settings = StoreSettings.from(Converters.standardConverter().convert(s).to(StoreConfig.class), data, data);
            store = JdbcStateStore.open(settings, DataSources.direct(settings, new org.h2.util.OsgiDataSourceFactory(new org.h2.Driver())),
                    Clock.systemUTC());
            Map<String, Object> p = new HashMap<>();
            p.put("strata.provider.id", "aws");
            p.put("regions", new String[] {"eu-central-1", "us-east-1"});
            p.put("endpoint", endpoint);
            p.put("accessKeyId", "AKIATESTKEYID0000000");
            p.put(".secretAccessKey", "moto-does-not-check-this-secret");
            p.put("instanceTypes", new String[] {"p4d.24xlarge"});
            p.put("quotas", new String[] {"*=" + quota});
            p.put("images", new String[] {"eu-central-1=ami-03cf127a", "us-east-1=ami-03cf127a"});
            p.put("requestTimeout", "60s");
            aws = new AwsProvider(Converters.standardConverter().convert(p).to(AwsConfig.class));
            Inventory inventory = new Inventory() {
                private final AtomicLong generation = new AtomicLong();
                private volatile InventorySnapshot last;

                @Override
                public InventorySnapshot snapshot() {
                    return last != null ? last : refresh(Duration.ofSeconds(60));
                }

                @Override
                public InventorySnapshot refresh(Duration maxWait) {
                    DiscoveryContext c = DiscoveryContext.withTimeout("inventory", Duration.ofSeconds(60));
                    ComputeSnapshot compute = aws.discoverCompute(c);
                    FabricSnapshot fabrics = aws.discoverFabrics(c);
                    last = new InventorySnapshot(generation.incrementAndGet(), Instant.now(), compute.sites(), compute.nodes(),
                            fabrics.fabrics(), List.of(), List.of(), compute.offers(), List.of());
                    return last;
                }
            };
            // the durable ledger on the same store, as in Strata: the store stores a deployment only on an allocation its ledger holds
            Placement placement = PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 0);
            ProvisioningProviders providers = new ProvisioningProviders();
            provisioning = memory ? new MemoryProvisioning("aws") : aws;
            providers.add("aws", 1, provisioning);
            engine = new DeploymentEngine(store, placement, inventory, providers, null, new DeploymentSettings(Duration.ofMinutes(10),
                    Duration.ofMillis(100), Duration.ofSeconds(60), Duration.ofMillis(200), Duration.ofSeconds(5), workers, true), Clock.systemUTC());
            engine.start();
        }

        String deploy(String name, int n) {
            DeploymentResult r = engine.deploy(reader.read("name: " + name + "\ntenant: bench\nsovereignty: {countries: [DE]}\nmembers:\n"
                    + "  - {name: trainer, replicas: " + n + ", gpus: {count: 8}}\n", name + ".yaml"), "bench");
            if (!r.decision().placed()) {
                throw new IllegalStateException("not placed: " + r.decision().summary() + " " + r.decision().rejections());
            }
            return r.deployment().id();
        }

        void await(String id, DeploymentState state) {
            Deployment d = engine.await(id, EnumSet.of(state), Duration.ofMinutes(20));
            if (d.state() != state) {
                throw new IllegalStateException(id + " is " + d.state() + " (" + d.message() + "), not " + state);
            }
        }

        @Override
        public void close() {
            engine.close();
            store.close();
        }
    }

}
