package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.provider.openstack.auth.StaticSession;
import dev.strata.provider.openstack.http.OpenStackHttp;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Creates of servers against {@link NovaStandIn}, a Nova kept in memory behind a local HTTP
 * endpoint, on a clock the test moves: what a repeated create does after Nova lost a server it
 * made for the operation, or when the record of the create request cannot be read. The same
 * flows on the real cloud, where it can show them, are in {@code OpenStackAllInOneTest} and
 * {@code OpenStackFaultsTest}.
 */
class NovaStandInCreateTest {

    static final String PROVIDER = "os-standin";
    static final Instant T = Instant.parse("2026-12-03T10:00:00Z");
    static final Duration SETTLE = Duration.ofSeconds(10);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    final MovingClock clock = new MovingClock(T);
    final MemoryJournal store = new MemoryJournal();
    final String host = "host-" + UUID.randomUUID().toString().substring(0, 8);
    final String root = UUID.randomUUID().toString();
    final List<OpenStackCloud> clouds = new ArrayList<>();
    NovaStandIn nova;

    @BeforeEach
    void start() throws Exception {
        nova = NovaStandIn.start(root, host);
    }

    @AfterEach
    void stop() {
        clouds.forEach(c -> c.close(true));
        nova.close();
    }

    /** A cloud on the stand-in, recording its create requests in {@link #store}. */
    OpenStackCloud cloud() {
        Map<String, Object> m = TestClouds.passwordConfig(dir, "http://127.0.0.1:1/v3", "unused");
        m.put("strata.provider.id", PROVIDER);
        m.put("image", "76208bca-7c50-46e6-9d3c-503081dddf8d");
        m.put("networks", "none");
        m.put("flavorPolicy", "create");
        m.put("createSettle", SETTLE.toSeconds() + "s");
        m.put("requestTimeout", REQUEST_TIMEOUT.toSeconds() + "s");
        OpenStackSettings settings = OpenStackSettings.from(TestClouds.config(m));
        StaticSession session = new StaticSession(new OpenStackHttp(Duration.ofSeconds(2), REQUEST_TIMEOUT),
                Map.of("compute", nova.url()), "admin");
        CreateJournal journal = new CreateJournal(clock);
        journal.attach(store);
        OpenStackCloud cloud = new OpenStackCloud(settings, session, clock, journal);
        clouds.add(cloud);
        return cloud;
    }

    MachineRequest request(String op, MachineResources resources, Map<String, String> parameters) {
        return new MachineRequest(op, "dep-1", "m0", "bank-risk", MachineTarget.node(PROVIDER + ":" + host), resources, parameters);
    }

    /** A member of one CPU and 512 MiB on the stand-in's flavor {@code small}: no Placement needed. */
    MachineRequest small(String op) {
        return request(op, new MachineResources(1000, 512L << 20, 0, List.of(), null), Map.of("flavor", "small"));
    }

    static DiscoveryContext context() {
        return TestClouds.context(Duration.ofSeconds(20));
    }

    /**
     * The record of an operation's create request cannot be read (damaged, or written by a Strata
     * that records more than this one reads): a request was sent, at a time nobody knows. It is
     * taken as sent when this Strata first read the record, so for requestTimeout + createSettle
     * from then a create or find of the operation answers retryable and Nova is not asked again;
     * after that the request is sent. Before, the unreadable record was a request whose settle
     * period had already ended: a server made just before Strata stopped, and not listed by Nova
     * yet, got a twin at once.
     */
    @Test
    void anUnreadableRecordHoldsBackANewRequestAsOneSentWhenTheRecordWasFirstRead() {
        nova.addFlavor("small", 1, 512, 1, Map.of());
        OpenStackCloud cloud = cloud();
        String op = UUID.randomUUID().toString();
        store.put(PROVIDER, op, "{\"state\": \"SENT_BY_A_NEWER_STRATA\", \"at\": \"2026-12-03T09:59:59Z\"}");
        Instant until = T.plus(REQUEST_TIMEOUT).plus(SETTLE);

        assertThatThrownBy(() -> cloud.create(small(op), context())).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageStartingWith("Nova has not said whether it made the server of operation " + op + ": its create request at " + T
                        + " got no sure answer (its record in the test's journal is unreadable (")
                .hasMessageEndingWith("and Nova lists no server with the operation's tag yet; the operation stays pending, and Nova is not "
                        + "asked again before " + until);
        assertThatThrownBy(() -> cloud.find(op, context())).isInstanceOf(ProviderUnavailableException.class);
        clock.now = until.minusMillis(1);
        assertThatThrownBy(() -> cloud.create(small(op), context())).isInstanceOf(ProviderUnavailableException.class);
        assertThat(nova.count("POST", "/v2\\.1/servers")).isZero();

        clock.now = until;
        MachineStatus made = cloud.create(small(op), context());
        assertThat(made.state()).isEqualTo(MachineState.RUNNING);
        assertThat(nova.count("POST", "/v2\\.1/servers")).isEqualTo(1);
        assertThat(nova.serverIds()).containsExactly(made.handle().machineId());
    }

    /**
     * A server made for an operation is deleted outside Strata; the create of that operation is
     * repeated (the core had not stored the outcome, say). The answer is GONE with the server's
     * handle, as the AWS provider answers for a terminated instance, from this provider and from a
     * restarted one reading the same journal, and no second server is made. Before, a new server
     * was made under the old operation id.
     */
    @Test
    void aRepeatedCreateOfAnOperationWhoseServerWasDeletedOutsideStrataIsGoneAndMakesNoOther() {
        nova.addFlavor("small", 1, 512, 1, Map.of());
        OpenStackCloud cloud = cloud();
        String op = UUID.randomUUID().toString();
        MachineStatus made = cloud.create(small(op), context());
        assertThat(made.state()).isEqualTo(MachineState.RUNNING);
        String id = made.handle().machineId();

        nova.deleteServer(id);
        MachineStatus again = cloud.create(small(op), context());
        assertThat(again.state()).isEqualTo(MachineState.GONE);
        assertThat(again.handle()).isEqualTo(made.handle());
        assertThat(again.message()).isEqualTo("server " + id + " of operation " + op + " no longer exists in Nova (deleted outside Strata); "
                + "the operation made its server and does not make another");
        assertThat(again.labels()).containsEntry("strata:operation", op);
        clock.now = T.plus(Duration.ofHours(1));
        assertThat(cloud().create(small(op), context()).state()).isEqualTo(MachineState.GONE);
        assertThat(cloud.find(op, context())).isEmpty();
        assertThat(nova.count("POST", "/v2\\.1/servers")).isEqualTo(1);
        assertThat(nova.serverIds()).isEmpty();
    }

    /**
     * The answer to the create request is lost (a gateway's 504) after Nova made the server, which
     * the provider then finds by its tag: the record now names the server. Once the server is
     * deleted outside Strata, a repeated create after the settle period is GONE rather than a
     * second request. Before, the record still said "no sure answer", and the request was sent
     * again.
     */
    @Test
    void aServerFoundByItsTagAfterALostAnswerIsRecordedSoThatItsDeletionIsGoneToo() {
        nova.addFlavor("small", 1, 512, 1, Map.of());
        OpenStackCloud cloud = cloud();
        String op = UUID.randomUUID().toString();
        nova.loseCreateAnswers(1);
        MachineStatus made = cloud.create(small(op), context());
        assertThat(made.state()).isEqualTo(MachineState.RUNNING);
        assertThat(store.get(PROVIDER, op)).get().asString().contains("\"state\":\"ACCEPTED\"")
                .contains("\"server\":\"" + made.handle().machineId() + "\"");

        nova.deleteServer(made.handle().machineId());
        clock.now = T.plus(REQUEST_TIMEOUT).plus(SETTLE).plusSeconds(1);
        MachineStatus again = cloud.create(small(op), context());
        assertThat(again.state()).isEqualTo(MachineState.GONE);
        assertThat(again.handle()).isEqualTo(made.handle());
        assertThat(nova.count("POST", "/v2\\.1/servers")).isEqualTo(1);
        assertThat(nova.serverIds()).isEmpty();
    }
}
