package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.provider.openstack.auth.KeystoneSession;
import dev.strata.provider.openstack.auth.Session;
import dev.strata.provider.openstack.compute.Server;
import dev.strata.provider.openstack.http.OpenStackHttp;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults of a real cloud: Nova answering 500 (its API database lost a table), a server stuck in
 * BUILD (Nova's conductor stopped), and the faults of a gateway before Nova ({@link NovaProxy}):
 * clear errors within bounded waits, nothing leaked, never a second server for one operation.
 */
class OpenStackFaultsTest {

    AllInOne aio;

    @BeforeEach
    void cloud() {
        aio = AllInOne.get();
    }

    OpenStackCloudProvider provider(String buildTimeout) {
        Map<String, Object> m = aio.config("aio");
        m.put("buildTimeout", buildTimeout);
        return new OpenStackCloudProvider(OpenStackSettings.from(TestClouds.config(m)), Clock.systemUTC());
    }

    /** A provider whose Nova calls go through the proxy (Keystone, Placement and Glance are reached directly). */
    OpenStackCloudProvider throughProxy(NovaProxy proxy, Map<String, Object> config) {
        OpenStackSettings s = OpenStackSettings.from(TestClouds.config(config));
        Session real = new KeystoneSession(new OpenStackHttp(s.connectTimeout(), s.requestTimeout()), s.authUrl(), s.credentials(),
                s.endpointInterface(), s.region(), s.tokenRenewBefore(), Clock.systemUTC());
        return new OpenStackCloudProvider(s, proxy.session(real), Clock.systemUTC());
    }

    URI nova(OpenStackCloudProvider direct) {
        return direct.session().endpoint("compute", TestClouds.context());
    }

    MachineRequest request(String deployment) {
        return new MachineRequest(UUID.randomUUID().toString(), deployment, "m0", "bank-risk", MachineTarget.node("aio:" + aio.computeHost()),
                new MachineResources(1000, 512L << 20, 0, List.of(), null), Map.of());
    }

    /** The servers Nova has for an operation, read past the proxy. */
    static List<Server> serversOf(OpenStackCloudProvider direct, String operationId) {
        return direct.nova().serversTagged(OpenStackCloudProvider.operationTag(operationId), TestClouds.context());
    }

    /** Deletes every server of the deployment and waits until Nova has none left. */
    static void deleteAll(OpenStackCloudProvider direct, String deployment) throws InterruptedException {
        for (int i = 0; i < 60; i++) {
            List<MachineStatus> left = direct.machines(TestClouds.context()).stream()
                    .filter(m -> deployment.equals(m.labels().get(MachineLabels.DEPLOYMENT))).toList();
            if (left.isEmpty()) {
                return;
            }
            left.stream().filter(m -> m.state() != MachineState.DELETING)
                    .forEach(m -> direct.delete(m.handle(), TestClouds.context(Duration.ofSeconds(5))));
            Thread.sleep(1000);
        }
        throw new AssertionError("servers of " + deployment + " are still there after a minute");
    }

    /**
     * Nova accepted the create, then reading the new server fails (500): the server exists, so the
     * failure is retryable, not final (a final one would fail the operation and leave the server to
     * be reaped as a leak). The core's retry with the same operation id finds the server by its tag
     * and makes no other.
     */
    @Test
    void aFailureAfterNovaAcceptedTheCreateIsRetryableAndTheRetryFindsTheServer() throws Exception {
        OpenStackCloudProvider direct = provider("10m");
        String deployment = "after-" + UUID.randomUUID().toString().substring(0, 8);
        MachineRequest request = request(deployment);
        try (NovaProxy proxy = NovaProxy.start(nova(direct))) {
            OpenStackCloudProvider provider = throughProxy(proxy, aio.config("aio"));
            try {
                provider.discoverCompute(TestClouds.context());
                proxy.refuse("GET", "/v2\\.1/servers/[0-9a-f-]{36}", 1, 500);
                assertThatThrownBy(() -> provider.create(request, TestClouds.context(Duration.ofSeconds(60))))
                        .isInstanceOf(ProviderUnavailableException.class)
                        .hasMessageContaining(" of operation " + request.operationId() + " exists, but reading it failed: Nova answered 500 ")
                        .hasMessageEndingWith("; the operation stays pending and its next try finds the server by its tag");
                List<Server> made = serversOf(direct, request.operationId());
                assertThat(made).hasSize(1);

                MachineStatus retried = provider.create(request, TestClouds.context(Duration.ofSeconds(60)));
                assertThat(retried.handle().machineId()).isEqualTo(made.get(0).id());
                assertThat(retried.state()).isIn(MachineState.PENDING, MachineState.RUNNING);
                assertThat(proxy.count("POST", "/v2\\.1/servers")).isEqualTo(1);
                assertThat(serversOf(direct, request.operationId())).hasSize(1);
            } finally {
                provider.deactivate();
                deleteAll(direct, deployment);
                direct.deactivate();
            }
        }
        LogFile.assertNoneOf(aio.password());
    }

    @Test
    void novaAnswering500IsAClearBoundedFailure() throws Exception {
        OpenStackCloudProvider provider = provider("10m");
        MachineHandle handle = new MachineHandle("aio", UUID.randomUUID().toString(), Map.of());
        provider.nova().version(TestClouds.context());
        aio.sql("nova_api", "ALTER TABLE instance_mappings RENAME TO instance_mappings_hidden");
        long start = System.nanoTime();
        try {
            assertThatThrownBy(() -> provider.describe(handle, TestClouds.context(Duration.ofSeconds(30))))
                    .isInstanceOf(ProviderFailureException.class)
                    .hasMessageStartingWith("Nova answered 500 Internal Server Error to GET /v2.1/servers/" + handle.machineId()
                            + ": Unexpected API Error.")
                    .hasMessageContaining("(request req-");
        } finally {
            aio.sql("nova_api", "ALTER TABLE instance_mappings_hidden RENAME TO instance_mappings");
            provider.deactivate();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        // Nova is back: the same call answers again (the server does not exist: GONE).
        OpenStackCloudProvider again = provider("10m");
        try {
            assertThat(again.describe(handle, TestClouds.context()).state()).isEqualTo(MachineState.GONE);
        } finally {
            again.deactivate();
        }
    }

    @Test
    void aServerStuckInBuildIsPendingByTheDeadlineThenFailedAfterTheBuildTimeout() throws Exception {
        OpenStackCloudProvider provider = provider("60s");
        OpenStackCloudProvider impatient = provider("3s");
        String deployment = "stuck-" + UUID.randomUUID().toString().substring(0, 8);
        String op = UUID.randomUUID().toString();
        MachineRequest request = new MachineRequest(op, deployment, "builder", "bank-risk", MachineTarget.node("aio:" + aio.computeHost()),
                new MachineResources(1000, 512L << 20, 0, List.of(), null), Map.of());
        // Warm up (token, microversions, flavor) while the cloud is whole.
        provider.discoverCompute(TestClouds.context());
        aio.signal("nova-conductor", "STOP");
        MachineStatus pending;
        try {
            long start = System.nanoTime();
            pending = provider.create(request, TestClouds.context(Duration.ofSeconds(10)));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(11));
            assertThat(pending.state()).isEqualTo(MachineState.PENDING);
            assertThat(pending.attributes()).containsEntry("status", "BUILD");
            MachineStatus failed = impatient.describe(pending.handle(), TestClouds.context());
            assertThat(failed.state()).isEqualTo(MachineState.FAILED);
            assertThat(failed.message()).startsWith("server " + pending.handle().machineId() + " has been building for ")
                    .contains("longer than buildTimeout 3 s; Nova's conductor, scheduler or compute service may be down");
            // A retry of the operation finds it and makes no second server.
            assertThat(impatient.create(request, TestClouds.context(Duration.ofSeconds(5))).handle()).isEqualTo(pending.handle());
        } finally {
            aio.signal("nova-conductor", "CONT");
        }
        MachineStatus gone = provider.delete(pending.handle(), TestClouds.context(Duration.ofSeconds(120)));
        for (int i = 0; i < 60 && gone.state() != MachineState.GONE; i++) {
            Thread.sleep(1000);
            gone = provider.describe(pending.handle(), TestClouds.context());
        }
        assertThat(gone.state()).isEqualTo(MachineState.GONE);
        assertThat(provider.machines(TestClouds.context())).noneMatch(m -> deployment.equals(m.labels().get("strata:deployment")));
        provider.deactivate();
        impatient.deactivate();
        LogFile.assertNoneOf(aio.password());
    }
}
