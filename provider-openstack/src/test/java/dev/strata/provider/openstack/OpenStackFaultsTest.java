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
import dev.strata.platform.testkit.MemoryJournal;
import dev.strata.provider.openstack.auth.KeystoneSession;
import dev.strata.provider.openstack.auth.Session;
import dev.strata.provider.openstack.compute.Server;
import dev.strata.provider.openstack.http.OpenStackHttp;
import java.net.URI;
import java.nio.file.Files;
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

    /** Waits until the request the proxy held back has reached Nova. */
    static void awaitForwarded(NovaProxy proxy) throws InterruptedException {
        for (int i = 0; i < 300 && proxy.forwardedLater() == 0; i++) {
            Thread.sleep(100);
        }
        assertThat(proxy.forwardedLater()).as("requests the proxy passed on late").isEqualTo(1);
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

    /**
     * The gateway answers 504 at once and passes the create request to Nova only 3 s later (a
     * backend slow to take it): the provider does not ask again but looks for the server by its
     * operation tag, finds it once Nova has made it, and Nova ends with exactly one server.
     */
    @Test
    void a504WhileNovaHasNotYetTakenTheCreateMakesOneServer() throws Exception {
        OpenStackCloudProvider direct = provider("10m");
        String deployment = "late-" + UUID.randomUUID().toString().substring(0, 8);
        MachineRequest request = request(deployment);
        try (NovaProxy proxy = NovaProxy.start(nova(direct))) {
            OpenStackCloudProvider provider = throughProxy(proxy, aio.config("aio"));
            try {
                provider.discoverCompute(TestClouds.context());
                proxy.answerThenForward("POST", "/v2\\.1/servers", 1, 504, Duration.ofSeconds(3));
                MachineStatus made = provider.create(request, TestClouds.context(Duration.ofSeconds(60)));
                assertThat(made.state()).isIn(MachineState.PENDING, MachineState.RUNNING);
                awaitForwarded(proxy);
                assertThat(serversOf(direct, request.operationId())).extracting(Server::id).containsExactly(made.handle().machineId());
                assertThat(proxy.count("POST", "/v2\\.1/servers")).isEqualTo(1);
                assertThat(Files.readString(LogFile.path())).contains("the request to create the server of operation " + request.operationId()
                        + " got no sure answer (Nova answered 504 Gateway Timeout to POST /v2.1/servers)");
            } finally {
                provider.deactivate();
                deleteAll(direct, deployment);
                direct.deactivate();
            }
        }
    }

    /**
     * The gateway passes the create request on and closes the connection without an answer, and
     * Nova takes it only 15 s later. Within the settle period a create of the operation, by this
     * provider or by a new one that shares its journal (a restarted Strata reading the state
     * store), answers retryable and sends nothing, and so does find; once Nova has the server, the
     * next create returns it. Nova saw one create request and has one server.
     */
    @Test
    void aLostAnswerIsNotFollowedByASecondRequestWithinTheSettlePeriodNotEvenAfterARestart() throws Exception {
        OpenStackCloudProvider direct = provider("10m");
        String deployment = "lost-" + UUID.randomUUID().toString().substring(0, 8);
        MachineRequest request = request(deployment);
        MemoryJournal store = new MemoryJournal();
        try (NovaProxy proxy = NovaProxy.start(nova(direct))) {
            OpenStackCloudProvider first = throughProxy(proxy, aio.config("aio"));
            first.bindJournal(store);
            OpenStackCloudProvider restarted = throughProxy(proxy, aio.config("aio"));
            restarted.bindJournal(store);
            try {
                first.discoverCompute(TestClouds.context());
                restarted.discoverCompute(TestClouds.context());
                proxy.answerThenForward("POST", "/v2\\.1/servers", 1, -1, Duration.ofSeconds(15));
                assertThatThrownBy(() -> first.create(request, TestClouds.context(Duration.ofSeconds(8))))
                        .isInstanceOf(ProviderUnavailableException.class)
                        .hasMessageStartingWith("Nova has not said whether it made the server of operation " + request.operationId()
                                + ": its create request got no sure answer (Nova at http://127.0.0.1:")
                        .hasMessageContaining("and Nova lists no server with the operation's tag yet; the operation stays pending, and Nova "
                                + "is not asked again before ");
                assertThat(proxy.count("POST", "/v2\\.1/servers")).isEqualTo(1);
                assertThat(store.get("aio", request.operationId())).get().asString().contains("\"state\":\"UNKNOWN\"");

                assertThatThrownBy(() -> restarted.create(request, TestClouds.context(Duration.ofSeconds(10))))
                        .isInstanceOf(ProviderUnavailableException.class)
                        .hasMessageStartingWith("Nova has not said whether it made the server of operation " + request.operationId()
                                + ": its create request at ");
                assertThatThrownBy(() -> restarted.find(request.operationId(), TestClouds.context()))
                        .isInstanceOf(ProviderUnavailableException.class);
                assertThat(proxy.count("POST", "/v2\\.1/servers")).isEqualTo(1);

                awaitForwarded(proxy);
                MachineStatus made = restarted.create(request, TestClouds.context(Duration.ofSeconds(60)));
                assertThat(restarted.find(request.operationId(), TestClouds.context())).get()
                        .satisfies(m -> assertThat(m.handle()).isEqualTo(made.handle()));
                assertThat(proxy.count("POST", "/v2\\.1/servers")).isEqualTo(1);
                assertThat(serversOf(direct, request.operationId())).extracting(Server::id).containsExactly(made.handle().machineId());
            } finally {
                first.deactivate();
                restarted.deactivate();
                deleteAll(direct, deployment);
                direct.deactivate();
            }
        }
    }

    /**
     * A 502 for a create request that in truth never reached Nova: the provider waits the settle
     * period (here 3 s) looking for the server, answers retryable, and the next create after it
     * asks Nova again and makes the one server. A 400 from Nova itself is final and does not hold
     * back the next request.
     */
    @Test
    void afterTheSettlePeriodWithoutAServerTheCreateIsSentAgain() throws Exception {
        OpenStackCloudProvider direct = provider("10m");
        String deployment = "settle-" + UUID.randomUUID().toString().substring(0, 8);
        MachineRequest request = request(deployment);
        Map<String, Object> config = aio.config("aio");
        config.put("createSettle", "3s");
        try (NovaProxy proxy = NovaProxy.start(nova(direct))) {
            OpenStackCloudProvider provider = throughProxy(proxy, config);
            try {
                provider.discoverCompute(TestClouds.context());
                proxy.refuse("POST", "/v2\\.1/servers", 1, 400);
                assertThatThrownBy(() -> provider.create(request, TestClouds.context(Duration.ofSeconds(30))))
                        .isInstanceOf(ProviderFailureException.class).hasMessageStartingWith("Nova answered 400 Bad Request to POST /v2.1/servers");

                proxy.refuse("POST", "/v2\\.1/servers", 1, 502);
                long start = System.nanoTime();
                assertThatThrownBy(() -> provider.create(request, TestClouds.context(Duration.ofSeconds(30))))
                        .isInstanceOf(ProviderUnavailableException.class)
                        .hasMessageContaining("its create request got no sure answer (Nova answered 502 Bad Gateway to POST /v2.1/servers)");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(2500), Duration.ofSeconds(20));
                assertThat(proxy.count("POST", "/v2\\.1/servers")).isEqualTo(2);

                MachineStatus made = provider.create(request, TestClouds.context(Duration.ofSeconds(60)));
                assertThat(proxy.count("POST", "/v2\\.1/servers")).isEqualTo(3);
                assertThat(serversOf(direct, request.operationId())).extracting(Server::id).containsExactly(made.handle().machineId());
            } finally {
                provider.deactivate();
                deleteAll(direct, deployment);
                direct.deactivate();
            }
        }
    }

    /**
     * Nova answers 500 to a create request, once after it has made the server (the proxy passes the
     * request on and answers 500 in place of Nova's answer, as a nova-api that recorded the server and
     * then failed) and once without making one (the proxy answers 500 and passes nothing on). The
     * first create finds the server by its tag, and Nova has exactly one. The second looks for its
     * server through the settle period (3 s), then fails for good, and a later create of that
     * operation sends nothing. Before, a 500 was final at once, and a server Nova had made was left
     * to leak reaping.
     */
    @Test
    void aCreateThatNovaFailsWith500FindsTheServerItMadeOrFailsForGood() throws Exception {
        OpenStackCloudProvider direct = provider("10m");
        String deployment = "nova500-" + UUID.randomUUID().toString().substring(0, 8);
        MachineRequest made = request(deployment);
        MachineRequest none = request(deployment);
        Map<String, Object> config = aio.config("aio");
        config.put("createSettle", "3s");
        MemoryJournal store = new MemoryJournal();
        try (NovaProxy proxy = NovaProxy.start(nova(direct))) {
            OpenStackCloudProvider provider = throughProxy(proxy, config);
            provider.bindJournal(store);
            try {
                provider.discoverCompute(TestClouds.context());
                proxy.loseAnswer("POST", "/v2\\.1/servers", 1, 500);
                MachineStatus status = provider.create(made, TestClouds.context(Duration.ofSeconds(60)));
                assertThat(status.state()).isIn(MachineState.PENDING, MachineState.RUNNING);
                assertThat(serversOf(direct, made.operationId())).extracting(Server::id).containsExactly(status.handle().machineId());
                assertThat(proxy.count("POST", "/v2\\.1/servers")).isEqualTo(1);

                proxy.refuse("POST", "/v2\\.1/servers", 1, 500);
                long start = System.nanoTime();
                assertThatThrownBy(() -> provider.create(none, TestClouds.context(Duration.ofSeconds(30))))
                        .isInstanceOf(ProviderFailureException.class)
                        .hasMessageStartingWith("Nova failed the create request of operation " + none.operationId()
                                + " (Nova answered 500 Internal Server Error to POST /v2.1/servers")
                        .hasMessageContaining("and lists no server with the operation's tag after the settle period (createSettle 3s): it made "
                                + "none, and the request is not sent again");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(2500), Duration.ofSeconds(20));
                assertThat(proxy.count("POST", "/v2\\.1/servers")).isEqualTo(2);
                assertThat(store.get("aio", none.operationId())).get().asString().contains("\"state\":\"FAILED\"");

                // a later create of the operation (a restarted Strata reading the same journal, say) sends nothing either
                assertThatThrownBy(() -> provider.create(none, TestClouds.context(Duration.ofSeconds(30))))
                        .isInstanceOf(ProviderFailureException.class)
                        .hasMessageStartingWith("Nova failed the create request of operation " + none.operationId());
                assertThat(proxy.count("POST", "/v2\\.1/servers")).isEqualTo(2);
                assertThat(serversOf(direct, none.operationId())).isEmpty();
            } finally {
                provider.deactivate();
                deleteAll(direct, deployment);
                direct.deactivate();
            }
        }
    }

    /** A create request that the state store cannot record is not sent: a retryable failure, and Nova saw nothing. */
    @Test
    void aCreateRequestThatCannotBeRecordedIsNotSent() throws Exception {
        OpenStackCloudProvider direct = provider("10m");
        MachineRequest request = request("unrecorded-" + UUID.randomUUID().toString().substring(0, 8));
        try (NovaProxy proxy = NovaProxy.start(nova(direct))) {
            OpenStackCloudProvider provider = throughProxy(proxy, aio.config("aio"));
            provider.bindJournal(new MemoryJournal() {
                @Override
                public void put(String providerId, String operationId, String record) {
                    throw new dev.strata.platform.api.exception.StateStoreException("the store did not commit in time");
                }
            });
            try {
                assertThatThrownBy(() -> provider.create(request, TestClouds.context(Duration.ofSeconds(60))))
                        .isInstanceOf(ProviderUnavailableException.class)
                        .hasMessage("the create request of operation " + request.operationId() + " cannot be recorded in the test's journal "
                                + "(the store did not commit in time); nothing was sent to Nova");
                assertThat(proxy.count("POST", "/v2\\.1/servers")).isZero();
                assertThat(serversOf(direct, request.operationId())).isEmpty();
            } finally {
                provider.deactivate();
                direct.deactivate();
            }
        }
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
