package dev.strata.benchmarks;

import dev.strata.platform.core.provenance.ProviderText;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What cleaning one text a provider wrote costs ({@link ProviderText#clean}): the core cleans
 * every step line of every status the reconciler reads, and every provider message, before it is
 * stored, logged or shown. {@code text}: a BMC step line (the commonest), an EC2 error, a Nova
 * fault with a Python traceback of 1.9 kB, and a line with a credential in three forms (the
 * rules that mask do work). {@code known}: how many secret values Strata's configuration holds
 * (each is looked for in every text).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ProviderTextBenchmark {

    @Param({"step", "ec2", "nova", "leaky"})
    public String text;

    @Param({"0", "50"})
    public int known;

    private String input;

    @Setup
    public void setUp() {
        input = switch (text) {
            case "step" -> "2026-12-01T20:15:02.114Z boot-override-set pxe once";
            case "ec2" -> "InsufficientInstanceCapacity: We currently do not have sufficient p4d.24xlarge capacity in the Availability Zone "
                    + "you requested (us-east-1a). Our system will be working on provisioning additional capacity. (Service: Ec2, Status "
                    + "Code: 500, Request ID: 4f1f0c2e-77aa-4c5e-9d1b-1c1e7f0f1a2b)";
            case "nova" -> "Build of instance 5a3c81f0-9a5e-4c0b-9d3c-0f2b8b9c1e11 aborted: Failed to allocate the network(s), not "
                    + "rescheduling.\nTraceback (most recent call last):\n" + "  File \"/usr/lib/python3/dist-packages/nova/compute/manager.py\", "
                    + "line 2437, in _build_and_run_instance\n    self.driver.spawn(context, instance, image_meta,\n".repeat(12)
                    + "nova.exception.VirtualInterfaceCreateException: Virtual Interface creation failed";
            case "leaky" -> "GET https://admin:calvin-0xs3cr3t@10.0.0.5/redfish/v1/Systems/1 answered 401; retried with X-Auth-Token: "
                    + "gAAAAABn1aXfR3pQ7vK2mN8sT4uW6yZ0bC5dE9fG1hJ3kL and password=calvin-0xs3cr3t";
            default -> throw new IllegalArgumentException(text);
        };
        for (int i = 0; i < known; i++) {
            ProviderText.knowSecret("configured-secret-" + i + "-" + Integer.toHexString(31 * i + 7));
        }
    }

    @Benchmark
    public String clean() {
        return ProviderText.clean(input);
    }
}
