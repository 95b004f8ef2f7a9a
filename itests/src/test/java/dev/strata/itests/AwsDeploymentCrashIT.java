package dev.strata.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.strata.itests.StrataInstallation.Result;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * kill -9 of the Strata distribution itself (its Karaf process, started with {@code bin/strata})
 * while it deploys 20 machines on AWS (moto), started again on the same instance folder:
 * afterwards exactly 20 instances carry the deployment's tag, one per member and operation (none
 * launched twice, none leaked) and the deployment is ready. Then kill -9 again while it undeploys:
 * after the restart the terminations resume, none is left and the allocation is released. The
 * instances are counted in moto with EC2's own API, not through Strata.
 */
public class AwsDeploymentCrashIT {

    private static final Duration START = Duration.ofMinutes(5);
    private static final Duration COMMAND = Duration.ofMinutes(2);
    private static final int MACHINES = 20;
    private static final Pattern INSTANCE = Pattern.compile("<instanceId>(i-[0-9a-f]+)</instanceId>");
    private static final Pattern OPERATION = Pattern.compile("<key>strata:operation</key>\\s*<value>([^<]+)</value>");
    private static String endpoint;
    private static Path work;
    private static String currentDeployment;

    @BeforeClass
    public static void moto() throws Exception {
        endpoint = MotoServer.start();
        work = Path.of(KarafOptions.reactorRoot(), "itests/target/aws-crash").toAbsolutePath().normalize();
        StrataInstallation.deleteTree(work);
        Files.createDirectories(work);
    }

    @Test
    public void killMinusNineOfTheDistributionWhileDeployingAndWhileUndeployingLeavesExactlyTwentyThenNone() throws Exception {
        Assume.assumeFalse("moto_server is not installed (.ci/run installs it)", endpoint.isEmpty());
        Path base = work.resolve("instance");
        try (StrataInstallation strata = StrataInstallation.unpack(work.resolve("dist"), base)) {
            strata.prepareInstance();
            Path secret = base.resolve("etc/aws-crash-secret.txt");
            Files.writeString(secret, "moto-does-not-check-this\n");
            Files.writeString(base.resolve("etc/dev.strata.provider.aws-crash.cfg"), String.join("\n",
                    "strata.provider.id = aws-crash",
                    "regions = eu-central-1",
                    "endpoint = " + endpoint,
                    "accessKeyId = AKIACRASHTEST0000000",
                    "secretAccessKeyFile = " + secret,
                    "quotas = p4d.24xlarge=90",
                    "images = eu-central-1=ami-03cf127a",
                    "requestTimeout = 30s", ""));
            Files.writeString(base.resolve("etc/dev.strata.platform.core.deployment.cfg"), String.join("\n",
                    "pollInterval = 200ms", "reconcileInterval = 2s", "workers = 4", ""));

            Result start = strata.strata(START, "start");
            assertEquals(start.output(), 0, start.exitCode());
            await("the AWS provider's offers in the inventory", Duration.ofMinutes(2), () -> {
                Result p = strata.strata(COMMAND, "shell", "strata:providers", "--no-format");
                return p.output().contains("aws-crash") && p.output().contains("ACTIVE");
            });
            String contract = "name: twenty\ntenant: bank-risk\nsovereignty: {countries: [DE]}\n"
                    + "members:\n  - {name: trainer, replicas: " + MACHINES + ", gpus: {count: 8}}\n";
            Result deployed = strata.strataWithInput(contract, COMMAND, "shell", "strata:deploy", "-f", "-");
            assertTrue(deployed.output(), deployed.output().contains("Contract twenty of tenant bank-risk: placed as a-"));
            Matcher m = Pattern.compile("Deployment (d-\\d+)").matcher(deployed.output());
            assertTrue(deployed.output(), m.find());
            String id = m.group(1);
            currentDeployment = id;

            List<String> kills = new ArrayList<>();
            await("the first instance of " + id + " in EC2", Duration.ofMinutes(3), () -> !live(id).isEmpty());
            kills.add("deploying: killed with " + killAndStart(strata) + " of " + MACHINES + " launched");
            await(id + " to be ready", Duration.ofMinutes(5), () -> {
                Result d = strata.strata(COMMAND, "shell", "strata:deployment", id);
                return d.output().contains("Deployment " + id + " of contract twenty, tenant bank-risk: ready");
            });
            List<String> response = describe(id);
            Set<String> instances = new HashSet<>(response);
            assertEquals("instances of " + id + " after " + kills + ": " + instances, MACHINES, instances.size());
            Set<String> operations = operations(id);
            assertEquals("one instance per operation: " + operations, MACHINES, operations.size());
            Result shown = strata.strata(COMMAND, "shell", "strata:deployment", id);
            assertTrue(shown.output(), shown.output().contains(MACHINES + " of " + MACHINES + " machines running"));

            // kill -9 again while it undeploys: the terminations resume and the allocation is released once
            Result undeploying = strata.strata(COMMAND, "shell", "strata:undeploy", id);
            assertEquals(undeploying.output(), 0, undeploying.exitCode());
            await("the first termination of " + id, Duration.ofMinutes(3), () -> live(id).size() < MACHINES);
            kills.add("undeploying: killed with " + killAndStart(strata) + " of " + MACHINES + " still running");
            await(id + " to be deleted", Duration.ofMinutes(5), () -> strata.strata(COMMAND, "shell", "strata:deployment", id).output()
                    .contains("Deployment " + id + " of contract twenty, tenant bank-risk: deleted"));
            assertTrue("no instance left: " + live(id), live(id).isEmpty());
            Result allocations = strata.strata(COMMAND, "shell", "strata:allocations", "--no-format");
            assertTrue("the allocation is released: " + allocations.output(), allocations.lines().stream().noneMatch(l -> l.startsWith("a-")));
            Result verify = strata.strata(COMMAND, "shell", "strata:audit-verify");
            assertTrue(verify.output(), verify.output().contains("The chain holds"));
            System.out.println("kill -9 of the distribution, " + MACHINES + " machines: " + kills + "; after the first restart " + instances.size()
                    + " instances, one per operation");
        }
    }

    /** SIGKILL to the Karaf process, then bin/strata start on the same instance; returns the live instances at the kill. */
    private static int killAndStart(StrataInstallation strata) throws Exception {
        ProcessHandle karaf = ProcessHandle.of(strata.pid()).orElseThrow();
        karaf.destroyForcibly(); // SIGKILL
        int live = live(currentDeployment).size();
        karaf.onExit().get();
        Result again = strata.strata(START, "start");
        assertEquals(again.output(), 0, again.exitCode());
        return live;
    }

    // ---- EC2's own API, read by this test (moto does not check signatures; the region is in the credential scope) ----

    private static List<String> live(String deployment) {
        try {
            return describe(deployment);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Ids of the pending or running instances this test's provider launched for the deployment. */
    private static List<String> describe(String deployment) throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>();
        Matcher m = INSTANCE.matcher(query(deployment));
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    private static Set<String> operations(String deployment) throws IOException, InterruptedException {
        Set<String> ops = new HashSet<>();
        Matcher m = OPERATION.matcher(query(deployment));
        while (m.find()) {
            ops.add(m.group(1));
        }
        return ops;
    }

    private static String query(String deployment) throws IOException, InterruptedException {
        String body = "Action=DescribeInstances&Version=2016-11-15"
                + "&Filter.1.Name=" + enc("tag:strata:deployment") + "&Filter.1.Value.1=" + enc(deployment)
                + "&Filter.2.Name=instance-state-name&Filter.2.Value.1=pending&Filter.2.Value.2=running"
                + "&Filter.3.Name=" + enc("tag:strata:provider") + "&Filter.3.Value.1=aws-crash";
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint + "/")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=AKIACRASHTEST0000000/20260101/eu-central-1/ec2/aws4_request, "
                        + "SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("DescribeInstances answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    interface Check {
        boolean holds() throws Exception;
    }

    private static void await(String what, Duration patience, Check condition) throws Exception {
        long end = System.nanoTime() + patience.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + patience + " waiting for " + what);
            }
            Thread.sleep(500);
        }
    }
}
