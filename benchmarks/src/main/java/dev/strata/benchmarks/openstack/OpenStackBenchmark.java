package dev.strata.benchmarks.openstack;

import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.provider.openstack.OpenStackCloudProvider;
import dev.strata.provider.openstack.OpenStackConfig;
import dev.strata.provider.openstack.OpenStackSettings;
import dev.strata.provider.openstack.auth.StaticSession;
import dev.strata.provider.openstack.http.OpenStackHttp;
import dev.strata.provider.openstack.placement.Inventory;
import dev.strata.provider.openstack.placement.PlacementClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.osgi.util.converter.Converters;

/**
 * Times the OpenStack provider against real OpenStack services:
 *
 * <pre>
 * placement URL [--providers 1000] [--runs 7]
 *     a Placement (noauth2) filled by the harness with half as many compute nodes as providers,
 *     each with a PGPU child; discovery read one provider at a time and four at a time
 * aio DIR [--runs 7] [--servers 3]
 *     the all-in-one of scripts/openstack-aio.sh: discovery, then creating servers one after
 *     the other until ACTIVE, and deleting them until gone
 * </pre>
 *
 * Prints medians with min and max; {@code benchmarks/openstack.sh} runs both.
 */
public final class OpenStackBenchmark {

    private OpenStackBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: OpenStackBenchmark placement URL [--providers N] [--runs N] | aio DIR [--runs N] [--servers N]");
            System.exit(2);
        }
        Map<String, String> opts = new HashMap<>();
        for (int i = 2; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int runs = Integer.parseInt(opts.getOrDefault("runs", "7"));
        if (args[0].equals("placement")) {
            placement(URI.create(args[1]), Integer.parseInt(opts.getOrDefault("providers", "1000")), runs);
        } else {
            aio(Path.of(args[1]), runs, Integer.parseInt(opts.getOrDefault("servers", "3")));
        }
    }

    static DiscoveryContext context(Duration d) {
        return DiscoveryContext.withTimeout("benchmark-" + UUID.randomUUID(), d);
    }

    static OpenStackSettings settings(Map<String, Object> m) {
        return OpenStackSettings.from(Converters.standardConverter().convert(m).to(OpenStackConfig.class));
    }

    static void placement(URI url, int providers, int runs) throws IOException {
        Path pw = Files.createTempFile("strata-bench", ".pw");
        Files.writeString(pw, "unused\n");
        List<OpenStackCloudProvider> byParallelism = new ArrayList<>();
        for (int parallelism : new int[] {1, 4}) {
            byParallelism.add(provider(url, pw, parallelism));
        }
        PlacementClient p = byParallelism.get(0).placement();
        DiscoveryContext c = context(Duration.ofHours(1));
        p.ensureTrait("CUSTOM_GPU_NVIDIA_H100", c);
        String tag = UUID.randomUUID().toString().substring(0, 6);
        List<String> made = new ArrayList<>();
        List<String> roots = new ArrayList<>();
        long fill = System.nanoTime();
        for (int i = 0; i < providers / 2; i++) {
            String root = UUID.randomUUID().toString();
            String gpu = UUID.randomUUID().toString();
            p.createProvider(root, "bench-" + tag + "-cn" + i, null, c);
            long g = p.putInventories(root, 0, Map.of("VCPU", new Inventory("VCPU", 64, 0, 1, 64, 1, 4.0),
                    "MEMORY_MB", new Inventory("MEMORY_MB", 524288, 4096, 1, 524288, 1, 1.0), "DISK_GB", Inventory.of("DISK_GB", 2000)), c);
            p.putTraits(root, g, Set.of("HW_CPU_X86_AVX2", "COMPUTE_NODE"), c);
            p.createProvider(gpu, "bench-" + tag + "-cn" + i + "_pgpu", root, c);
            g = p.putInventories(gpu, 0, Map.of("PGPU", Inventory.of("PGPU", 8)), c);
            p.putTraits(gpu, g, Set.of("CUSTOM_GPU_NVIDIA_H100"), c);
            made.add(gpu);
            made.add(root);
            roots.add(root);
        }
        System.out.printf(Locale.ROOT, "filled Placement %s with %d resource providers in %.1f s%n", url, made.size(),
                (System.nanoTime() - fill) / 1e9);
        try {
            for (int k = 0; k < 2; k++) {
                int parallelism = k == 0 ? 1 : 4;
                // Cold: a provider that has read nothing yet reads every provider.
                List<Double> cold = new ArrayList<>();
                int nodes = 0;
                for (int r = 0; r < runs; r++) {
                    OpenStackCloudProvider fresh = provider(url, pw, parallelism);
                    fresh.placement().version(context(Duration.ofMinutes(1)));
                    long s = System.nanoTime();
                    nodes = fresh.discoverCompute(context(Duration.ofMinutes(30))).nodes().size();
                    cold.add((System.nanoTime() - s) / 1e6);
                    fresh.deactivate();
                }
                System.out.printf(Locale.ROOT, "discovery of %d providers (%d nodes), first, %d at a time: %s over %d runs%n", made.size(), nodes,
                        parallelism, summary(cold), runs);
            }
            // Warm: the providers Placement lists at the generation they were read at are not read again.
            OpenStackCloudProvider provider = byParallelism.get(1);
            provider.discoverCompute(context(Duration.ofMinutes(30)));
            List<Double> warm = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                long s = System.nanoTime();
                provider.discoverCompute(context(Duration.ofMinutes(30)));
                warm.add((System.nanoTime() - s) / 1e6);
            }
            System.out.printf(Locale.ROOT, "discovery of %d providers, nothing changed since the last one: %s over %d runs%n", made.size(),
                    summary(warm), runs);
            // A tenth of the hosts changed (a server allocated on each) since the last discovery.
            List<Double> tenth = new ArrayList<>();
            List<String> consumers = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                for (int i = r % 10; i < roots.size(); i += 10) {
                    String consumer = UUID.randomUUID().toString();
                    p.allocate(consumer, Map.of(roots.get(i), Map.of("VCPU", 1L)), UUID.randomUUID().toString(), UUID.randomUUID().toString(), c);
                    consumers.add(consumer);
                }
                long s = System.nanoTime();
                provider.discoverCompute(context(Duration.ofMinutes(30)));
                tenth.add((System.nanoTime() - s) / 1e6);
            }
            System.out.printf(Locale.ROOT, "discovery of %d providers, %d hosts changed since the last one, 4 at a time: %s over %d runs%n",
                    made.size(), roots.size() / 10, summary(tenth), runs);
            consumers.forEach(x -> p.deleteAllocations(x, c));
        } finally {
            for (String rp : made) {
                p.deleteProvider(rp, c);
            }
            byParallelism.forEach(OpenStackCloudProvider::deactivate);
            Files.deleteIfExists(pw);
        }
    }

    static OpenStackCloudProvider provider(URI url, Path pw, int parallelism) {
        Map<String, Object> m = new HashMap<>(Map.of("strata.provider.id", "bench", "authUrl", "http://127.0.0.1:1/v3", "userName", "x",
                "passwordFile", pw.toString(), "projectName", "x", "parallelism", parallelism));
        OpenStackHttp http = new OpenStackHttp(Duration.ofSeconds(2), Duration.ofSeconds(60));
        return new OpenStackCloudProvider(settings(m), new StaticSession(http, Map.of("placement", url), "admin"), Clock.systemUTC());
    }

    static void aio(Path dir, int runs, int servers) throws IOException {
        Properties env = new Properties();
        try (var r = Files.newBufferedReader(dir.resolve("aio.env"))) {
            env.load(r);
        }
        Map<String, Object> m = new HashMap<>(Map.of("strata.provider.id", "bench", "authUrl", env.getProperty("AUTH_URL"), "userName", "admin",
                "passwordFile", env.getProperty("ADMIN_PASSWORD_FILE"), "projectName", "admin", "region", env.getProperty("REGION"),
                "flavorPolicy", "create", "image", env.getProperty("IMAGE"), "networks", "none"));
        OpenStackCloudProvider provider = new OpenStackCloudProvider(Converters.standardConverter().convert(m).to(OpenStackConfig.class));
        try {
            long cold = System.nanoTime();
            provider.discoverCompute(context(Duration.ofMinutes(5)));
            System.out.printf(Locale.ROOT, "all-in-one discovery, first (token, microversions): %.1f ms%n", (System.nanoTime() - cold) / 1e6);
            List<Double> ms = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                long s = System.nanoTime();
                provider.discoverCompute(context(Duration.ofMinutes(5)));
                ms.add((System.nanoTime() - s) / 1e6);
            }
            System.out.printf(Locale.ROOT, "all-in-one discovery (1 compute node, 2 providers, Nova hypervisors, zones, flavors): %s over %d runs%n",
                    summary(ms), runs);

            String target = "bench:" + env.getProperty("COMPUTE_HOST");
            List<Double> create = new ArrayList<>();
            List<Double> delete = new ArrayList<>();
            List<Double> createAll = new ArrayList<>();
            List<Double> deleteAll = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                String deployment = "bench-" + UUID.randomUUID().toString().substring(0, 8);
                List<MachineHandle> handles = new ArrayList<>();
                long all = System.nanoTime();
                for (int i = 0; i < servers; i++) {
                    MachineRequest req = new MachineRequest(UUID.randomUUID().toString(), deployment, "m-" + i, "bench", MachineTarget.node(target),
                            new MachineResources(1000, 512L << 20, 0, List.of(), null), Map.of());
                    long s = System.nanoTime();
                    MachineStatus st = provider.create(req, context(Duration.ofMinutes(5)));
                    if (st.state() != MachineState.RUNNING) {
                        throw new IllegalStateException("server not running: " + st);
                    }
                    create.add((System.nanoTime() - s) / 1e6);
                    handles.add(st.handle());
                }
                createAll.add((System.nanoTime() - all) / 1e6);
                all = System.nanoTime();
                for (MachineHandle h : handles) {
                    long s = System.nanoTime();
                    MachineStatus st = provider.delete(h, context(Duration.ofMinutes(5)));
                    if (st.state() != MachineState.GONE) {
                        throw new IllegalStateException("server not gone: " + st);
                    }
                    delete.add((System.nanoTime() - s) / 1e6);
                }
                deleteAll.add((System.nanoTime() - all) / 1e6);
            }
            System.out.printf(Locale.ROOT, "create one server until ACTIVE: %s over %d servers%n", summary(create), create.size());
            System.out.printf(Locale.ROOT, "create %d servers one after the other: %s over %d runs%n", servers, summary(createAll), runs);
            System.out.printf(Locale.ROOT, "delete one server until gone: %s over %d servers%n", summary(delete), delete.size());
            System.out.printf(Locale.ROOT, "delete %d servers one after the other: %s over %d runs%n", servers, summary(deleteAll), runs);
        } finally {
            provider.deactivate();
        }
    }

    static String summary(List<Double> ms) {
        List<Double> sorted = new ArrayList<>(ms);
        sorted.sort(Double::compare);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return String.format(Locale.ROOT, "median %.1f ms (min %.1f, max %.1f)", median, sorted.get(0), sorted.get(n - 1));
    }
}
