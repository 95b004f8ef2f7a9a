package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.CountedMachine;
import dev.strata.platform.api.provisioning.Installation;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.platform.testkit.MemoryJournal;
import dev.strata.platform.testkit.SettableClock;
import dev.strata.provider.openstack.auth.StaticSession;
import dev.strata.provider.openstack.compute.Flavor;
import dev.strata.provider.openstack.compute.NovaClient;
import dev.strata.provider.openstack.http.OpenStackHttp;
import dev.strata.provider.openstack.placement.Inventory;
import java.net.URI;
import java.nio.file.Files;
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
 * made for the operation or when the record of the create request cannot be read, and (with a
 * real Placement, for the host's room) which flavor a member gets when one under the name Strata
 * gives its flavors already exists, and what becomes of another Strata installation's server in
 * the same project. The same flows on the real cloud, where it can show them, are
 * in {@code OpenStackAllInOneTest} and {@code OpenStackFaultsTest}.
 */
class NovaStandInCreateTest {

    static final String PROVIDER = "os-standin";
    static final Instant T = Instant.parse("2026-12-03T10:00:00Z");
    static final Duration SETTLE = Duration.ofSeconds(10);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    final SettableClock clock = SettableClock.at(T);
    final MemoryJournal store = new MemoryJournal();
    final String host = "host-" + UUID.randomUUID().toString().substring(0, 8);
    final String root = UUID.randomUUID().toString();
    final List<OpenStackCloud> clouds = new ArrayList<>();
    final List<Runnable> cleanUp = new ArrayList<>();
    NovaStandIn nova;
    URI placement = URI.create("http://127.0.0.1:1/placement");

    @BeforeEach
    void start() throws Exception {
        nova = NovaStandIn.start(root, host);
    }

    @AfterEach
    void stop() {
        cleanUp.forEach(Runnable::run);
        clouds.forEach(c -> c.close(true));
        nova.close();
    }

    /** A cloud on the stand-in (and Placement where the test set one up), recording its create requests in {@link #store}. */
    OpenStackCloud cloud() {
        CreateJournal journal = new CreateJournal(clock);
        journal.attach(store);
        OpenStackCloud cloud = new OpenStackCloud(settings(), session(), clock, journal);
        clouds.add(cloud);
        return cloud;
    }

    /** The provider component on the stand-in (and Placement where the test set one up), as the core would have it before binding anything. */
    OpenStackCloudProvider provider() {
        OpenStackCloudProvider provider = new OpenStackCloudProvider(settings(), session(), clock);
        provider.bindJournal(store);
        cleanUp.add(provider::deactivate);
        return provider;
    }

    OpenStackSettings settings() {
        Map<String, Object> m = TestClouds.passwordConfig(dir, "http://127.0.0.1:1/v3", "unused");
        m.put("strata.provider.id", PROVIDER);
        m.put("image", "76208bca-7c50-46e6-9d3c-503081dddf8d");
        m.put("networks", "none");
        m.put("flavorPolicy", "create");
        m.put("createSettle", SETTLE.toSeconds() + "s");
        m.put("requestTimeout", REQUEST_TIMEOUT.toSeconds() + "s");
        return OpenStackSettings.from(TestClouds.config(m));
    }

    StaticSession session() {
        return new StaticSession(new OpenStackHttp(Duration.ofSeconds(2), REQUEST_TIMEOUT), Map.of("compute", nova.url(), "placement", placement),
                NovaStandIn.CALLER_PROJECT);
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
        clock.set(until.minusMillis(1));
        assertThatThrownBy(() -> cloud.create(small(op), context())).isInstanceOf(ProviderUnavailableException.class);
        assertThat(nova.count("POST", "/v2\\.1/servers")).isZero();

        clock.set(until);
        MachineStatus made = cloud.create(small(op), context());
        assertThat(made.state()).isEqualTo(MachineState.RUNNING);
        assertThat(nova.count("POST", "/v2\\.1/servers")).isEqualTo(1);
        assertThat(nova.serverIds()).containsExactly(made.handle().machineId());
    }

    /** Strata dying (kill -9) at a point of a call: nothing after it runs. */
    static final class Killed extends Error {
        private static final long serialVersionUID = 1L;

        Killed() {
            super("killed");
        }
    }

    /**
     * Strata dies (kill -9) after Nova took a create request it had to send again: Nova throttled
     * the first (429), each request came 6 s on, so the second went out past requestTimeout after
     * the request was recorded but within the call's deadline (20 s), and Nova made the server,
     * which its listing does not show yet. A restarted Strata, past requestTimeout and createSettle
     * after the record, sends no new request: the record holds it back until the call's deadline
     * and createSettle have passed; then the server, listed, is found and no other made. Before,
     * the record held a new request back for requestTimeout and createSettle after it was written
     * only, and the restarted Strata made a second server.
     */
    @Test
    void aCreateSentAgainLateInItsCallHoldsBackANewRequestAfterARestartUntilItsDeadlineAndTheSettlePeriod() {
        nova.addFlavor("small", 1, 512, 1, Map.of());
        String op = UUID.randomUUID().toString();
        CreateJournal dying = new CreateJournal(clock);
        dying.attach(new dev.strata.platform.api.provisioning.ProviderJournal() {
            @Override
            public java.util.Optional<String> get(String providerId, String operationId) {
                return store.get(providerId, operationId);
            }

            @Override
            public Map<String, String> all(String providerId) {
                return store.all(providerId);
            }

            @Override
            public void put(String providerId, String operationId, String record) {
                if (!record.contains("\"state\":\"SENDING\"")) {
                    throw new Killed(); // dies before the outcome of the request is recorded
                }
                store.put(providerId, operationId, record);
            }

            @Override
            public String location() {
                return store.location();
            }
        });
        OpenStackCloud first = new OpenStackCloud(settings(), session(), clock, dying);
        clouds.add(first);
        nova.throttleCreates(1);
        nova.beforeEachCreate(() -> clock.advance(Duration.ofSeconds(6)));
        nova.lagListings();

        assertThatThrownBy(() -> first.create(small(op), context())).isInstanceOf(Killed.class);
        assertThat(nova.count("POST", "/v2\\.1/servers")).isEqualTo(2);
        assertThat(nova.serverIds()).hasSize(1);

        clock.set(T.plus(REQUEST_TIMEOUT).plus(SETTLE).plusSeconds(1));
        assertThatThrownBy(() -> cloud().create(small(op), context())).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("Nova has not said whether it made the server of operation " + op + ": its create request at " + T
                        + " was in flight when Strata stopped");
        assertThat(nova.serverIds()).hasSize(1);

        nova.listAll();
        clock.set(T.plus(Duration.ofSeconds(20)).plus(SETTLE));
        MachineStatus found = cloud().create(small(op), context());
        assertThat(found.state()).isEqualTo(MachineState.RUNNING);
        assertThat(nova.serverIds()).containsExactly(found.handle().machineId());
        assertThat(nova.count("POST", "/v2\\.1/servers")).isEqualTo(2);
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
        clock.set(T.plus(Duration.ofHours(1)));
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
        clock.set(T.plus(REQUEST_TIMEOUT).plus(SETTLE).plusSeconds(1));
        MachineStatus again = cloud.create(small(op), context());
        assertThat(again.state()).isEqualTo(MachineState.GONE);
        assertThat(again.handle()).isEqualTo(made.handle());
        assertThat(nova.count("POST", "/v2\\.1/servers")).isEqualTo(1);
        assertThat(nova.serverIds()).isEmpty();
    }

    /**
     * The answer to the create request is lost and Nova's listing lags, so the create answers "no
     * sure answer"; a find of the operation then finds the server by its tag, and the record now
     * names it. Once the server is deleted outside Strata, a repeated create after the settle period
     * is GONE. Before, only a create recorded a server it found: after a find the record still said
     * "no sure answer", and the request was sent again, making a second server.
     */
    @Test
    void aServerFoundByAFindAfterALostAnswerIsRecordedSoThatItsDeletionIsGoneToo() {
        nova.addFlavor("small", 1, 512, 1, Map.of());
        OpenStackCloud cloud = cloud();
        String op = UUID.randomUUID().toString();
        nova.loseCreateAnswers(1);
        nova.lagListings();
        assertThatThrownBy(() -> cloud.create(small(op), context())).isInstanceOf(ProviderUnavailableException.class);
        nova.listAll();

        MachineStatus found = cloud.find(op, context()).orElseThrow();
        assertThat(store.get(PROVIDER, op)).get().asString().contains("\"server\":\"" + found.handle().machineId() + "\"");

        nova.deleteServer(found.handle().machineId());
        clock.set(T.plus(REQUEST_TIMEOUT).plus(SETTLE).plusSeconds(1));
        MachineStatus again = cloud.create(small(op), context());
        assertThat(again.state()).isEqualTo(MachineState.GONE);
        assertThat(again.handle()).isEqualTo(found.handle());
        assertThat(nova.count("POST", "/v2\\.1/servers")).isEqualTo(1);
        assertThat(nova.serverIds()).isEmpty();
    }

    /**
     * The answer to the first create request is lost and Nova's listing lags, so after the settle
     * period the create is sent again and makes a second server; then the first shows, failed by
     * Nova (ERROR). Both carry the operation's tag: the operation's server is the running one,
     * and find and a repeated create report it, not the failed one. Before, the oldest was
     * reported: the operation failed while its running server was left to leak detection.
     */
    @Test
    void aServerInErrorLeftByAnEarlierRequestIsNotTakenForTheOperationsRunningServer() {
        nova.addFlavor("small", 1, 512, 1, Map.of());
        OpenStackCloud cloud = cloud();
        String op = UUID.randomUUID().toString();
        nova.loseCreateAnswers(1);
        nova.lagListings();
        assertThatThrownBy(() -> cloud.create(small(op), TestClouds.context(Duration.ofSeconds(2))))
                .isInstanceOf(ProviderUnavailableException.class);
        String failed = nova.serverIds().get(0);
        nova.listNewServers();
        clock.set(T.plus(SETTLE).plusSeconds(1));
        MachineStatus running = cloud.create(small(op), context());
        assertThat(running.state()).isEqualTo(MachineState.RUNNING);
        assertThat(nova.serverIds()).hasSize(2).contains(failed);

        nova.failServer(failed, "No valid host was found. There are not enough hosts available.");
        nova.listAll();
        assertThat(cloud.find(op, context())).get().satisfies(found -> {
            assertThat(found.handle()).isEqualTo(running.handle());
            assertThat(found.state()).isEqualTo(MachineState.RUNNING);
        });
        MachineStatus again = cloud.create(small(op), context());
        assertThat(again.handle()).isEqualTo(running.handle());
        assertThat(again.state()).isEqualTo(MachineState.RUNNING);
        assertThat(nova.count("POST", "/v2\\.1/servers")).isEqualTo(2);
    }

    /**
     * Nova's fault of a failed server becomes the machine's message, which reaches logs and the
     * shell: an escape sequence and a bidi override in it are shown escaped. Before, they went into
     * the message as Nova had them.
     */
    @Test
    void controlAndBidiCharactersOfNovasFaultAreShownEscapedInTheMachinesMessage() {
        nova.addFlavor("small", 1, 512, 1, Map.of());
        OpenStackCloud cloud = cloud();
        MachineStatus made = cloud.create(small(UUID.randomUUID().toString()), context());
        nova.failServer(made.handle().machineId(), "No valid host was found. \u001b[2J\u202egnp.exe");

        MachineStatus failed = cloud.describe(made.handle(), context());

        assertThat(failed.state()).isEqualTo(MachineState.FAILED);
        assertThat(failed.message()).endsWith(": No valid host was found. \\u001b[2J\\u202egnp.exe");
        assertThat(failed.message().codePoints()).noneMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT);
    }

    /**
     * A server building past buildTimeout is failed with a message naming its task state, which is
     * Nova's text: its control and bidi characters are shown escaped. Before, they reached the
     * machine's message, and the log and the shell with it, as they came.
     */
    @Test
    void controlAndBidiCharactersOfATaskStateAreShownEscapedInTheBuildTimeoutMessage() {
        nova.addFlavor("small", 1, 512, 1, Map.of());
        OpenStackCloud cloud = cloud();
        nova.holdInBuild(Duration.ofMinutes(11));
        MachineStatus made = cloud.create(small(UUID.randomUUID().toString()), TestClouds.context(Duration.ofSeconds(2)));
        nova.setTaskState(made.handle().machineId(), "spawning\u001b[2J\u202egnp.exe");

        MachineStatus stuck = cloud.describe(made.handle(), context());

        assertThat(stuck.state()).isEqualTo(MachineState.FAILED);
        assertThat(stuck.message()).contains("(task spawning\\u001b[2J\\u202egnp.exe)");
        assertThat(stuck.message().codePoints()).noneMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT);
    }

    /** A host in the real Placement (16 VCPU, 64 GiB, 1000 GB, and two PGPU in a child) that is the stand-in's hypervisor. */
    void hostInPlacement() throws Exception {
        PlacementServer server = SharedPlacement.get();
        placement = server.url();
        var writer = cloud().placement();
        DiscoveryContext c = context();
        writer.createProvider(root, host, null, c);
        writer.putInventories(root, 0, Map.of("VCPU", Inventory.of("VCPU", 16), "MEMORY_MB", Inventory.of("MEMORY_MB", 65536),
                "DISK_GB", Inventory.of("DISK_GB", 1000)), c);
        String gpu = UUID.randomUUID().toString();
        writer.createProvider(gpu, host + "_pci_0000_84_00_0", root, c);
        writer.putInventories(gpu, 0, Map.of("PGPU", Inventory.of("PGPU", 2)), c);
        cleanUp.add(() -> {
            writer.deleteProvider(gpu, context());
            writer.deleteProvider(root, context());
        });
    }

    /**
     * Strata makes a flavor with two requests, the flavor and then its extra specs; one cut short
     * between them left {@code strata-1c-1024m-1g-1pgpu} without {@code resources:PGPU=1}. A member
     * with one GPU gets that flavor completed (the extra spec set, no second flavor made) and its
     * server made with it. Before, the flavor was used by its name as it was, and the server got no
     * GPU.
     */
    @Test
    void aFlavorACreationCutShortLeftWithoutItsExtraSpecsIsCompletedBeforeItIsUsed() throws Exception {
        hostInPlacement();
        String cut = nova.addFlavor("strata-1c-1024m-1g-1pgpu", 1, 1024, 1, Map.of());
        OpenStackCloud cloud = cloud();
        MachineStatus made = cloud.create(request(UUID.randomUUID().toString(), new MachineResources(1000, 1L << 30, 1, List.of(), null),
                Map.of()), context());
        assertThat(made.state()).isEqualTo(MachineState.RUNNING);
        assertThat(nova.extraSpecs(cut)).isEqualTo(Map.of("resources:PGPU", "1"));
        assertThat(nova.flavorOf(made.handle().machineId())).isEqualTo("strata-1c-1024m-1g-1pgpu");
        assertThat(nova.count("POST", "/v2\\.1/flavors")).isZero();
        assertThat(nova.count("POST", "/v2\\.1/flavors/" + cut + "/os-extra_specs")).isEqualTo(1);
    }

    /**
     * Nova's text about the flavor a create uses reaches the log printable: the id of a flavor whose
     * extra specs Strata completes, and the name of the flavor a server is made with. Before, the
     * INFO lines named them as Nova gave them, so a line break, an escape or a bidi override in one
     * forged or rewrote a log line.
     */
    @Test
    void novasTextAboutTheFlavorACreateUsesIsLoggedPrintable() throws Exception {
        hostInPlacement();
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String cutId = "cut\u001b[2J\n[main] INFO forged-" + tag;
        nova.addFlavorAs(cutId, "strata-1c-1024m-1g-1pgpu", 1, 1024, 1, 0, 0, Map.of(), true);
        String named = "small\u202e-" + tag;
        nova.addFlavor(named, 1, 512, 1, Map.of());
        OpenStackCloud cloud = cloud();

        MachineStatus completed = cloud.create(request(UUID.randomUUID().toString(), new MachineResources(1000, 1L << 30, 1, List.of(), null),
                Map.of()), context());
        assertThat(nova.extraSpecs(cutId)).as("the flavor completed").isEqualTo(Map.of("resources:PGPU", "1"));
        MachineStatus made = cloud.create(request(UUID.randomUUID().toString(), new MachineResources(1000, 512L << 20, 0, List.of(), null),
                Map.of("flavor", named)), context());

        String log = Files.readString(LogFile.path());
        assertThat(log).contains("flavor strata-1c-1024m-1g-1pgpu (cut\\u001b[2J\\u000a[main] INFO forged-" + tag + ") lacks extra specs")
                .contains("server " + completed.handle().machineId() + " (").contains("server " + made.handle().machineId() + " (")
                .contains(", flavor small\\u202e-" + tag + ", operation").doesNotContain(cutId).doesNotContain(named);
    }

    /**
     * A flavor under the name Strata would give the member's flavor but of another size, or with an
     * extra spec Strata does not give it, is not that flavor and cannot become it: the create is
     * refused naming the flavor, what it has and what Strata makes, and nothing is sent to Nova.
     * Before, it was used by its name, and the member got a server of another size (or a GPU it
     * did not ask for).
     */
    @Test
    void aFlavorUnderStratasNameThatIsAnotherFlavorIsRefusedNamingWhatItHasAndWhatIsExpected() throws Exception {
        hostInPlacement();
        String smaller = nova.addFlavor("strata-2c-2048m-1g", 2, 1024, 1, Map.of());
        String withGpu = nova.addFlavor("strata-1c-4096m-1g", 1, 4096, 1, Map.of("resources:PGPU", "1"));
        OpenStackCloud cloud = cloud();
        assertThatThrownBy(() -> cloud.create(request(UUID.randomUUID().toString(), new MachineResources(2000, 2L << 30, 0, List.of(), null),
                Map.of()), context())).isInstanceOf(ProviderFailureException.class)
                .hasMessage("flavor strata-2c-2048m-1g (" + smaller + ") is not the flavor Strata makes under that name: it has 2 VCPU, "
                        + "1024 MiB RAM, 1 GiB disk, public, extra specs {}, where Strata makes 2 VCPU, 2048 MiB RAM, 1 GiB disk, public, extra specs {}; "
                        + "it is not used: delete or rename it, or name the flavor to use in the member's flavor parameter");
        assertThatThrownBy(() -> cloud.create(request(UUID.randomUUID().toString(), new MachineResources(1000, 4L << 30, 0, List.of(), null),
                Map.of()), context())).isInstanceOf(ProviderFailureException.class)
                .hasMessage("flavor strata-1c-4096m-1g (" + withGpu + ") is not the flavor Strata makes under that name: it has 1 VCPU, "
                        + "4096 MiB RAM, 1 GiB disk, public, extra specs {resources:PGPU=1}, where Strata makes 1 VCPU, 4096 MiB RAM, 1 GiB disk, "
                        + "public, extra specs {}; it is not used: delete or rename it, or name the flavor to use in the member's flavor parameter");
        assertThat(nova.count("POST", "/v2\\.1/.*")).isZero();
        assertThat(nova.serverIds()).isEmpty();
    }

    /**
     * The same checks where Nova refuses to create the flavor because one of its name was made
     * meanwhile (409, another Strata racing this one): used if it is the flavor, completed if its
     * extra specs are missing, refused if it is another. Before, whatever had the name was used.
     */
    @Test
    void aFlavorOfTheSameNameMadeMeanwhileIsUsedOnlyIfItIsTheFlavor() {
        String raced = nova.addFlavor("strata-1c-2048m-1g-2pgpu", 1, 2048, 1, Map.of());
        String other = nova.addFlavor("strata-4c-4096m-1g", 4, 4096, 20, Map.of());
        OpenStackCloud cloud = cloud();
        Flavor f = cloud.nova().createFlavor("strata-1c-2048m-1g-2pgpu", 1, 2048, 1, Map.of("resources:PGPU", "2"), context());
        assertThat(f.id()).isEqualTo(raced);
        assertThat(f.extraSpecs()).isEqualTo(Map.of("resources:PGPU", "2"));
        assertThatThrownBy(() -> cloud.nova().createFlavor("strata-4c-4096m-1g", 4, 4096, 1, Map.of(), context()))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageStartingWith("flavor strata-4c-4096m-1g (" + other + ") is not the flavor Strata makes under that name: it has 4 VCPU, "
                        + "4096 MiB RAM, 20 GiB disk, public, extra specs {}, where Strata makes 4 VCPU, 4096 MiB RAM, 1 GiB disk, public, extra specs {}");
        assertThat(nova.extraSpecs(other)).isEmpty();
    }

    /**
     * Strata makes its flavors public. A private flavor under the name Strata gives a member's
     * flavor was made by someone else, for some projects only. Cut short of Strata's extra specs,
     * it is neither completed nor used: the create is refused naming it private, and nothing is
     * sent to Nova. Made meanwhile (Nova's 409 to Strata's create of it), it is refused the same
     * way. Before, only size and extra specs were compared: the first got its extra specs set and
     * the member's server, the second was used as it was.
     */
    @Test
    void aPrivateFlavorUnderStratasNameIsRefusedNeitherCompletedNorUsed() throws Exception {
        hostInPlacement();
        String cut = nova.addFlavor("strata-1c-1024m-1g-1pgpu", 1, 1024, 1, Map.of(), false);
        OpenStackCloud cloud = cloud();
        assertThatThrownBy(() -> cloud.create(request(UUID.randomUUID().toString(), new MachineResources(1000, 1L << 30, 1, List.of(), null),
                Map.of()), context())).isInstanceOf(ProviderFailureException.class)
                .hasMessage("flavor strata-1c-1024m-1g-1pgpu (" + cut + ") is not the flavor Strata makes under that name: it has 1 VCPU, "
                        + "1024 MiB RAM, 1 GiB disk, private, extra specs {}, where Strata makes 1 VCPU, 1024 MiB RAM, 1 GiB disk, public, "
                        + "extra specs {resources:PGPU=1}; it is not used: delete or rename it, or name the flavor to use in the member's "
                        + "flavor parameter");
        assertThat(nova.extraSpecs(cut)).isEmpty();
        assertThat(nova.count("POST", "/v2\\.1/.*")).isZero();
        assertThat(nova.serverIds()).isEmpty();

        String raced = nova.addFlavor("strata-2c-2048m-1g", 2, 2048, 1, Map.of(), false);
        assertThatThrownBy(() -> cloud.nova().createFlavor("strata-2c-2048m-1g", 2, 2048, 1, Map.of(), context()))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageStartingWith("flavor strata-2c-2048m-1g (" + raced + ") is not the flavor Strata makes under that name: it has 2 VCPU, "
                        + "2048 MiB RAM, 1 GiB disk, private, extra specs {}, where Strata makes 2 VCPU, 2048 MiB RAM, 1 GiB disk, public, "
                        + "extra specs {}");
        // the flavors Strata makes are public, in the stand-in as in Nova
        assertThat(cloud.nova().createFlavor("strata-3c-3072m-1g", 3, 3072, 1, Map.of(), context()).isPublic()).isTrue();
    }

    /**
     * Nova lists an admin every project's private flavors for {@code is_public=None}. A private
     * flavor made for another project, the smallest that holds the member, is not taken; the
     * private flavor shared with this project is. Named in the member's flavor parameter, the
     * other project's flavor is refused as private to other projects, and no server is made.
     * Before, the member's server was made with the other project's flavor.
     */
    @Test
    void aFlavorPrivateToAnotherProjectIsNotTakenOneSharedWithThisProjectIs() throws Exception {
        hostInPlacement();
        String theirs = nova.addFlavor("theirs.small", 1, 512, 1, Map.of(), false);
        nova.grantAccess(theirs, "another-project");
        String ours = nova.addFlavor("ours.medium", 1, 1024, 1, Map.of(), false);
        nova.grantAccess(ours, NovaStandIn.CALLER_PROJECT);
        OpenStackCloud cloud = cloud();
        NovaClient.Flavors listed = cloud.nova().flavorsByAccess(context());
        assertThat(listed.all()).extracting(Flavor::id).contains(theirs, ours);
        assertThat(listed.usable()).extracting(Flavor::id).contains(ours).doesNotContain(theirs);

        MachineStatus made = cloud.create(request(UUID.randomUUID().toString(), new MachineResources(1000, 512L << 20, 0, List.of(), null),
                Map.of()), context());
        assertThat(made.state()).isEqualTo(MachineState.RUNNING);
        assertThat(nova.flavorOf(made.handle().machineId())).isEqualTo("ours.medium");

        assertThatThrownBy(() -> cloud.create(request(UUID.randomUUID().toString(), new MachineResources(1000, 512L << 20, 0, List.of(), null),
                Map.of("flavor", "theirs.small")), context())).isInstanceOf(NotFoundException.class)
                .hasMessage("member m0 names flavor 'theirs.small', which is private to other projects: its access list does not name project "
                        + NovaStandIn.CALLER_PROJECT);
        assertThat(nova.serverIds()).containsExactly(made.handle().machineId());
    }

    static final String OURS = "5b0c1f7e-this-installation";
    static final String THEIRS = "9d1e5b7a-another-installation";

    /**
     * Another Strata installation shares the project and made a server on the same host, through
     * Nova's API, with its labels: a deployment id this installation uses too (every store counts
     * from d-000001) and its own installation id. Servers are never nodes: the host is the one
     * node, and its room is what Placement leaves, their server's resources taken as much as this
     * installation's (Placement's usage is what the host really has left). {@code machines()}
     * lists their server with their installation's id, by which the core's reconciler neither
     * takes it for a member nor reaps it as a leak. It is never the server of one of this
     * installation's operations: operation ids are UUIDs, so only a copied or hand-made server
     * carries one of this installation's, and the test gives theirs one. Before, {@code find}
     * returned their server for that operation and {@code create} adopted it instead of making
     * this installation's own; until the core has said which installation this is (no
     * {@link Installation} bound), every server Strata made is still taken for this one's.
     */
    @Test
    void anotherInstallationsServerIsNoNodeNorThisInstallationsButUsesTheHostsRoom() throws Exception {
        hostInPlacement();
        nova.addFlavor("small", 1, 512, 1, Map.of());
        OpenStackCloudProvider provider = provider();
        Installation self = () -> OURS;
        provider.bindInstallation(self);
        MachineStatus mine = provider.create(small(UUID.randomUUID().toString(), OURS), context());
        assertThat(mine.state()).isEqualTo(MachineState.RUNNING);
        String theirOperation = UUID.randomUUID().toString();
        String theirs = serverOf(THEIRS, "d-000001", theirOperation);
        claimInPlacement(mine.handle().machineId());
        claimInPlacement(theirs);

        ComputeSnapshot snapshot = provider.discoverCompute(context());
        assertThat(snapshot.nodes()).extracting(Node::id).containsExactly(PROVIDER + ":" + host);
        Node node = snapshot.nodes().get(0);
        assertThat(node.cpu().threads()).as("16 VCPU less both servers' one each").isEqualTo(14);
        assertThat(node.memoryBytes()).isEqualTo((65536L - 2 * 512) << 20);
        assertThat(node.attributes().get("placement.VCPU")).startsWith("free 14 of 16 (used 2,");
        assertThat(snapshot.nodes()).allSatisfy(n -> assertThat(n.attributes().values()).noneMatch(v -> v.contains(theirs)));

        assertThat(provider.machines(context())).extracting(m -> m.handle().machineId(), m -> m.labels().get(MachineLabels.INSTALLATION),
                m -> m.labels().get(MachineLabels.DEPLOYMENT)).containsExactlyInAnyOrder(tuple(mine.handle().machineId(), OURS, "dep-1"),
                tuple(theirs, THEIRS, "d-000001"));

        assertThat(provider.find(theirOperation, context())).isEmpty();
        provider.unbindInstallation(self);
        assertThat(provider.find(theirOperation, context())).map(m -> m.handle().machineId()).contains(theirs);
        provider.bindInstallation(self);
        MachineStatus own = provider.create(small(theirOperation, OURS), context());
        assertThat(own.handle().machineId()).isNotIn(theirs, mine.handle().machineId());
        assertThat(own.labels()).containsEntry(MachineLabels.INSTALLATION, OURS);
        assertThat(provider.find(theirOperation, context())).map(m -> m.handle().machineId()).contains(own.handle().machineId());
        assertThat(nova.serverIds()).hasSize(3).contains(theirs);
    }

    /**
     * A host's room as Placement shows it leaves out every server on it, this installation's too,
     * while the core's ledger also holds the members those servers are for. So discovery reports
     * each of this installation's servers that Placement's allocations on the host hold, and that
     * names its ledger binding ({@link MachineLabels#ALLOCATION} and {@link MachineLabels#MEMBER}),
     * as a {@link CountedMachine} attribute of the host's node with what it holds there; the core
     * then reserves for the binding only what it holds beyond the server. Not reported: another
     * installation's server with the same labels (every ledger numbers from a-000001), a server
     * made without the allocation label (by a core before 1.4), a server Placement holds nothing
     * for (made after the host was read), and every server while the core has not said which
     * installation this is.
     */
    @Test
    void thisInstallationsServersAreReportedWithWhatTheyHoldOfTheirHost() throws Exception {
        hostInPlacement();
        nova.addFlavor("small", 1, 512, 1, Map.of());
        OpenStackCloudProvider provider = provider();
        Installation self = () -> OURS;
        provider.bindInstallation(self);
        MachineStatus mine = provider.create(bound(UUID.randomUUID().toString(), "a-000007", "m0"), context());
        assertThat(mine.labels()).containsEntry(MachineLabels.ALLOCATION, "a-000007").containsEntry(MachineLabels.MEMBER, "m0");
        MachineStatus unlabelled = provider.create(small(UUID.randomUUID().toString(), OURS), context());
        MachineStatus unclaimed = provider.create(bound(UUID.randomUUID().toString(), "a-000008", "m0"), context());
        String theirs = serverOf(THEIRS, "d-000001", UUID.randomUUID().toString(), "a-000007");
        claimInPlacement(mine.handle().machineId());
        claimInPlacement(unlabelled.handle().machineId());
        claimInPlacement(theirs);
        assertThat(unclaimed.state()).isEqualTo(MachineState.RUNNING);

        Node node = provider.discoverCompute(context()).nodes().get(0);
        assertThat(node.cpu().threads()).as("16 VCPU less the three claimed servers' one each").isEqualTo(13);
        assertThat(CountedMachine.on(node)).containsExactly(new CountedMachine("a-000007", "m0", 1000, 512L << 20, 0));
        assertThat(node.attributes()).containsEntry("strata.counted.a-000007/m0", "cpuMilli=1000,memoryBytes=536870912,gpus=0");

        provider.unbindInstallation(self);
        assertThat(CountedMachine.on(provider.discoverCompute(context()).nodes().get(0))).as("this installation's id not known yet").isEmpty();
    }

    /** A member of one CPU and 512 MiB on the flavor {@code small}, bound in ledger allocation {@code allocation} as {@code member}. */
    MachineRequest bound(String op, String allocation, String member) {
        return new MachineRequest(op, "dep-1", member, "bank-risk", MachineTarget.node(PROVIDER + ":" + host),
                new MachineResources(1000, 512L << 20, 0, List.of(), null), Map.of("flavor", "small"), OURS, allocation);
    }

    /** A member of one CPU and 512 MiB on the flavor {@code small}, as a core of {@code installation} asks for it. */
    MachineRequest small(String op, String installation) {
        return new MachineRequest(op, "dep-1", "m0", "bank-risk", MachineTarget.node(PROVIDER + ":" + host),
                new MachineResources(1000, 512L << 20, 0, List.of(), null), Map.of("flavor", "small"), installation);
    }

    /** A server on the host made through Nova's API as another installation's Strata makes one: its labels, its tags. */
    String serverOf(String installation, String deployment, String operation) {
        return serverOf(installation, deployment, operation, null);
    }

    /** The same, bound in the other installation's ledger allocation {@code allocation} (null: no such label). */
    String serverOf(String installation, String deployment, String operation, String allocation) {
        ObjectNode server = new ObjectMapper().createObjectNode().put("name", "strata-" + deployment + "-m0")
                .put("imageRef", "76208bca-7c50-46e6-9d3c-503081dddf8d").put("flavorRef", nova.flavorId("small")).put("networks", "none")
                .put("host", host).put("hypervisor_hostname", host);
        server.putObject("metadata").put(MachineLabels.DEPLOYMENT, deployment).put(MachineLabels.MEMBER, "m0")
                .put(MachineLabels.TENANT, "bank-risk").put(MachineLabels.OPERATION, operation).put(MachineLabels.INSTALLATION, installation)
                .put(OpenStackCloudProvider.NODE_LABEL, PROVIDER + ":" + host);
        if (allocation != null) {
            ((ObjectNode) server.get("metadata")).put(MachineLabels.ALLOCATION, allocation);
        }
        server.putArray("tags").add(OpenStackCloudProvider.TAG).add(OpenStackCloudProvider.operationTag(operation));
        NovaClient.Creation made = cloud().nova().createServer(server, context());
        assertThat(made).isInstanceOf(NovaClient.Accepted.class);
        return ((NovaClient.Accepted) made).serverId();
    }

    /** Claims a server's flavor {@code small} on the host in Placement, as Nova's scheduler does (the stand-in does not). */
    void claimInPlacement(String serverId) {
        var writer = cloud().placement();
        writer.allocate(serverId, Map.of(root, Map.of("VCPU", 1L, "MEMORY_MB", 512L, "DISK_GB", 1L)), UUID.randomUUID().toString(),
                UUID.randomUUID().toString(), context());
        cleanUp.add(0, () -> writer.deleteAllocations(serverId, context()));
    }
    /**
     * Nova writes a server's {@code created} by its own clock. Before, Strata took the time a
     * server had been building from its own clock: where Strata's clock ran two hours ahead of
     * Nova's, a server that had been building for seconds was FAILED at once ("has been building
     * for 7200 s ... longer than buildTimeout"), and the core would delete and replace every new
     * member's server; where it ran behind, a server stuck in BUILD was never reported failed. Now
     * the time is Nova's: from {@code created} to the Date of Nova's answer.
     */
    @Test
    void howLongAServerHasBeenBuildingIsCountedByNovasClockNotStratas() {
        nova.addFlavor("small", 1, 512, 1, Map.of());
        OpenStackCloud cloud = cloud();

        nova.holdInBuild(Duration.ofSeconds(5));
        clock.set(Instant.now().plus(Duration.ofHours(2)));
        MachineStatus young = cloud.create(small(UUID.randomUUID().toString()), TestClouds.context(Duration.ofSeconds(2)));
        assertThat(young.state()).as("building for 5 s by Nova's clock, Strata's two hours ahead: %s", young.message())
                .isEqualTo(MachineState.PENDING);
        assertThat(cloud.describe(young.handle(), context()).state()).isEqualTo(MachineState.PENDING);

        nova.holdInBuild(Duration.ofMinutes(11));
        clock.set(Instant.now().minus(Duration.ofHours(2)));
        MachineStatus stuck = cloud.create(small(UUID.randomUUID().toString()), TestClouds.context(Duration.ofSeconds(2)));
        assertThat(stuck.state()).as("building for 11 min by Nova's clock, Strata's two hours behind").isEqualTo(MachineState.FAILED);
        assertThat(stuck.message()).startsWith("server " + stuck.handle().machineId() + " has been building for 66")
                .contains("longer than buildTimeout 600 s");
    }

    /**
     * A server's id, name and status are Nova's text (anyone in the project may rename a server),
     * and the log lines that name them show them printable: the line saying an operation already
     * made its server, the warning naming the servers that carry one operation, and the line
     * saying a server is deleted. Before, they went into the log as Nova gave them, so a line
     * break, an escape sequence or a bidi override in them forged or hid log lines.
     */
    @Test
    void theIdsNamesAndStatusesOfServersAreLoggedPrintable() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String id = "srv\u001b[2J\n[main] INFO forged-" + tag;
        String twin = "twin\u202e-" + tag;
        String name = "web\n[main] WARN forged\u001b]0;x\u0007-" + tag;
        nova.addFlavor("small", 1, 512, 1, Map.of());
        nova.nextServerId(id);
        OpenStackCloud cloud = cloud();
        String op = UUID.randomUUID().toString();
        MachineStatus made = cloud.create(small(op), context());
        assertThat(made.handle().machineId()).isEqualTo(id);
        nova.copyServer(id, twin, "ERROR\u001b[31m");

        assertThat(cloud.create(small(op), context()).handle().machineId()).isEqualTo(id);
        nova.renameServer(id, name);
        assertThat(cloud.delete(made.handle(), context()).state()).isEqualTo(MachineState.GONE);

        String log = Files.readString(LogFile.path());
        assertThat(log).contains("INFO " + OpenStackCloud.class.getName() + " - OpenStack " + PROVIDER + ": operation " + op
                        + " already made server " + printable(id) + "; not making another")
                .contains("WARN " + OpenStackCloud.class.getName() + " - OpenStack " + PROVIDER + ": 2 servers carry operation " + op + ": ["
                        + printable(id) + " (ACTIVE), " + printable(twin) + " (ERROR\\u001b[31m)]; reporting " + printable(id))
                .contains("INFO " + OpenStackCloud.class.getName() + " - OpenStack " + PROVIDER + ": deleting server " + printable(id) + " ("
                        + printable(name) + ")")
                .doesNotContain(id).doesNotContain(twin).doesNotContain(name).doesNotContain("ERROR\u001b");
    }

    /**
     * What a record of a create request holds (the server id Nova answered, the error the request
     * got) is the state store's text, written long before or damaged since, and is shown printable
     * wherever it is named: the GONE status of an operation whose recorded server Nova no longer
     * has and its log line, the refusal while an unanswered request settles, and the line saying
     * the request is sent again. Before, it went into them as the record held it.
     */
    @Test
    void whatARecordHoldsIsShownPrintable() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String gone = "gone\u001b]0;x\u0007\n-" + tag;
        String detail = "Nova answered 504\n[main] INFO forged\u202e-" + tag;
        nova.addFlavor("small", 1, 512, 1, Map.of());
        OpenStackCloud cloud = cloud();

        String madeOne = UUID.randomUUID().toString();
        store.put(PROVIDER, madeOne, new CreateJournal.Entry(CreateJournal.State.ACCEPTED, T, null, gone, null).toJson());
        MachineStatus status = cloud.create(small(madeOne), context());
        assertThat(status.state()).isEqualTo(MachineState.GONE);
        assertThat(status.message()).startsWith("server " + printable(gone) + " of operation " + madeOne + " no longer exists in Nova")
                .doesNotContain(gone);

        String unanswered = UUID.randomUUID().toString();
        store.put(PROVIDER, unanswered, new CreateJournal.Entry(CreateJournal.State.UNKNOWN, T, T.plus(SETTLE), null, detail).toJson());
        assertThatThrownBy(() -> cloud.create(small(unanswered), context())).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining(" got no sure answer (" + printable(detail) + "), and Nova lists no server")
                .message().doesNotContain(detail);
        clock.set(T.plus(SETTLE));
        assertThat(cloud.create(small(unanswered), context()).state()).isEqualTo(MachineState.RUNNING);

        String log = Files.readString(LogFile.path());
        assertThat(log).contains("OpenStack " + PROVIDER + ": server " + printable(gone) + " of operation " + madeOne + " (recorded " + T
                        + ") is gone from Nova")
                .contains("OpenStack " + PROVIDER + ": the create request of operation " + unanswered + " at " + T + " got no sure answer ("
                        + printable(detail) + ") and Nova lists no server for it after the settle period; asking again")
                .doesNotContain(gone).doesNotContain(detail);
    }

    /**
     * A handle is the core's record of a server (Nova's id, stored): one that names another
     * provider is refused naming its id and provider printable. Before, they went into the
     * message as the handle held them.
     */
    @Test
    void aHandleOfAnotherProviderIsRefusedNamingItPrintable() {
        OpenStackCloud cloud = cloud();
        MachineHandle other = new MachineHandle("other\u001b[2J", "srv\n[main] INFO forged\u202e", Map.of());
        assertThatThrownBy(() -> cloud.describe(other, context())).isInstanceOf(NotFoundException.class)
                .hasMessage("machine srv\\u000a[main] INFO forged\\u202e belongs to provider other\\u001b[2J, not to OpenStack provider "
                        + PROVIDER);
    }

    /**
     * A host's name is Nova's (the hypervisor's), and so is the node id the core binds a member to:
     * the line saying which host a server is made on and the refusals of a target that is no host
     * of this cloud show them printable. Before, they went into both as they were.
     */
    @Test
    void aHostsNameIsLoggedAndRefusedPrintable() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String odd = "host\u001b[2J\n[main] INFO forged-" + tag;
        nova.close();
        nova = NovaStandIn.start(root, odd);
        nova.addFlavor("small", 1, 512, 1, Map.of());
        OpenStackCloud cloud = cloud();
        MachineResources one = new MachineResources(1000, 512L << 20, 0, List.of(), null);
        MachineStatus made = cloud.create(new MachineRequest(UUID.randomUUID().toString(), "dep-1", "m0", "bank-risk",
                MachineTarget.node(PROVIDER + ":" + odd), one, Map.of("flavor", "small")), context());
        assertThat(made.state()).isEqualTo(MachineState.RUNNING);
        String log = Files.readString(LogFile.path());
        assertThat(log).contains("for member m0 of deployment dep-1 on host " + printable(odd) + ", flavor small").doesNotContain(odd);

        String gone = PROVIDER + ":gone\u202e-" + tag;
        assertThatThrownBy(() -> cloud.create(new MachineRequest(UUID.randomUUID().toString(), "dep-1", "m1", "bank-risk",
                MachineTarget.node(gone), one, Map.of("flavor", "small")), context())).isInstanceOf(NotFoundException.class)
                .hasMessage("node " + printable(gone) + " is not a hypervisor of OpenStack provider " + PROVIDER + " (any more)");
        String elsewhere = "other:host\n" + tag;
        assertThatThrownBy(() -> cloud.create(new MachineRequest(UUID.randomUUID().toString(), "dep-1", "m1", "bank-risk",
                MachineTarget.node(elsewhere), one, Map.of()), context())).isInstanceOf(NotFoundException.class)
                .hasMessageStartingWith("node other:host\\u000a" + tag + " is not OpenStack provider " + PROVIDER + "'s");
    }

    private static String printable(String text) {
        return dev.strata.platform.api.exception.InvalidConfigurationException.printable(text);
    }
}
