package dev.strata.benchmarks.store;

import dev.strata.platform.audit.AuditKeys;
import dev.strata.platform.audit.Checkpoint;
import dev.strata.platform.audit.ExportFile;
import dev.strata.platform.audit.Hashes;
import dev.strata.platform.audit.LogRecord;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The offline verifier's speed: writes an export of N placement-like records (checkpoints every
 * 1000, a last one at the end), then verifies it as {@code bin/strata audit-verify} does, several
 * times, and prints each run and the median.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.strata.benchmarks.store.VerifierThroughput [records 1000000] [runs 3]
 * </pre>
 */
public final class VerifierThroughput {

    private VerifierThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        KeyPair key = AuditKeys.generate();
        String log = "00000000-0000-4000-8000-000000000001";
        Path file = Files.createTempFile("strata-audit", ".jsonl");
        long w0 = System.nanoTime();
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
                ExportFile.Writer w = new ExportFile.Writer(out, new ExportFile.Header(ExportFile.FORMAT, log, "2026-12-01T00:00:00.000Z", "bench"))) {
            String prev = Hashes.genesis(log);
            Instant t = Instant.parse("2026-11-01T00:00:00Z");
            for (int i = 1; i <= n; i++) {
                LogRecord r = LogRecord.seal(i, LogRecord.formatTime(t.plusMillis(i * 37L)), i % 3 == 0 ? "release" : "placement", "karaf",
                        Map.of("contract", "llm-" + (i % 1000), "tenant", "tenant-" + (i % 50), "allocation", String.format("a-%06d", i)),
                        Map.of("inventoryGeneration", 10 + i / 1000, "ledgerGeneration", i, "evidence", List.of(
                                "sovereignty.countries: site fra-1 country=DE in [DE, FR]", "members.trainer-0.gpus: 8x NVIDIA H100 80GB HBM3"),
                                "rejections", Map.of("country US not in [DE, FR]", 32, "no GPUs", 8)), prev);
                w.record(r);
                prev = r.hash();
                if (i % 1000 == 0 || i == n) {
                    w.checkpoint(Checkpoint.sign(log, i, r.hash(), r.time(), i == n, key.getPrivate(), key.getPublic()));
                }
            }
        }
        System.out.printf("wrote %d records (%.0f MB) in %.1f s%n", n, Files.size(file) / 1e6, (System.nanoTime() - w0) / 1e9);
        List<Double> times = new ArrayList<>();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        for (int r = 0; r < runs; r++) {
            long s = System.nanoTime();
            long c = os.getProcessCpuTime();
            ExportFile.Result result = ExportFile.verify(file, List.of(key.getPublic()), List.of());
            double secs = (System.nanoTime() - s) / 1e9;
            double cpu = (os.getProcessCpuTime() - c) / 1e9;
            times.add(secs);
            System.out.printf("run %d: %.2f s wall, %.2f s CPU of all threads, %d cores (%.0f records/s; load average %.1f): %s%n", r + 1, secs,
                    cpu, os.getAvailableProcessors(), n / secs,
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), result.verification().summary());
        }
        Collections.sort(times);
        System.out.printf("median %.2f s for %d records%n", times.get(times.size() / 2), n);
        Files.delete(file);
    }
}
