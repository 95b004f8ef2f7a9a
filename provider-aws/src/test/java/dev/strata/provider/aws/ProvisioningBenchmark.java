package dev.strata.provider.aws;

import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Measurement harness (not a test): creates and deletes N machines through the provider against
 * moto, with a given number of concurrent callers, for several rounds, and prints the time to
 * create all, to repeat every create (idempotent: nothing new), to list them, to discover them, and
 * to delete all. Run with {@code benchmarks/aws-provisioning.sh} (see docs/benchmarks.md).
 *
 * <p>Arguments: machines (100), rounds (3), concurrency (1).
 */
public final class ProvisioningBenchmark {

    private ProvisioningBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int machines = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        try (Moto moto = Moto.start()) {
            AwsProvider provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "regions", "eu-central-1",
                    "quotas", new String[] {"*=" + (machines * 2)}, "requestTimeout", "60s")), Clock.systemUTC());
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                provider.discoverCompute(ctx()); // warm up: catalogue read, moto's EC2 backend loaded
                List<long[]> results = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    moto.reset();
                    String prefix = "r" + round + "-";
                    long t0 = System.nanoTime();
                    List<MachineStatus> made = run(pool, machines, i -> provider.create(request(prefix + i), ctx()));
                    long t1 = System.nanoTime();
                    run(pool, machines, i -> provider.create(request(prefix + i), ctx()));
                    long t2 = System.nanoTime();
                    int listed = provider.machines(ctx()).size();
                    long t3 = System.nanoTime();
                    int nodes = provider.discoverCompute(ctx()).nodes().size();
                    long t4 = System.nanoTime();
                    run(pool, machines, i -> provider.delete(made.get(i).handle(), ctx()));
                    long t5 = System.nanoTime();
                    int left = provider.machines(ctx()).size();
                    if (listed != machines || nodes != machines || left != 0) {
                        throw new IllegalStateException("round " + round + ": listed " + listed + ", nodes " + nodes + ", left " + left);
                    }
                    results.add(new long[] {t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4});
                    System.out.printf("round %d: create %d in %.2f s, repeat %.2f s, list %.2f s, discover %.2f s, delete %.2f s%n", round,
                            machines, s(t1 - t0), s(t2 - t1), s(t3 - t2), s(t4 - t3), s(t5 - t4));
                }
                String[] names = {"create", "repeat create", "list (machines)", "discover (nodes)", "delete"};
                System.out.printf("%n%d machines, %d concurrent caller(s), median of %d rounds:%n", machines, threads, rounds);
                for (int k = 0; k < names.length; k++) {
                    List<Long> values = new ArrayList<>();
                    for (long[] r : results) {
                        values.add(r[k]);
                    }
                    Collections.sort(values);
                    long median = values.get(values.size() / 2);
                    System.out.printf("  %-17s %7.2f s  (%6.1f ms per machine)%n", names[k], s(median), median / 1e6 / machines);
                }
            } finally {
                pool.shutdownNow();
                provider.deactivate();
            }
        }
    }

    private interface Step {
        MachineStatus apply(int index);
    }

    private static List<MachineStatus> run(ExecutorService pool, int n, Step step) throws Exception {
        List<Future<MachineStatus>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            futures.add(pool.submit(() -> step.apply(index)));
        }
        List<MachineStatus> out = new ArrayList<>();
        for (Future<MachineStatus> f : futures) {
            out.add(f.get());
        }
        return out;
    }

    private static MachineRequest request(String operation) {
        return new MachineRequest(operation, "bench", "m-" + operation, "bench-tenant", MachineTarget.offer("aws:eu-central-1a:g5.xlarge"),
                AwsProviderMotoTest.resources(), Map.of());
    }

    private static DiscoveryContext ctx() {
        return DiscoveryContext.withTimeout("bench", Duration.ofSeconds(120));
    }

    private static double s(long nanos) {
        return nanos / 1e9;
    }
}
