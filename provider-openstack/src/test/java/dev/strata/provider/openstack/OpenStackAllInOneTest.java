package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.Installation;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.provider.openstack.compute.Flavor;
import dev.strata.provider.openstack.compute.GlanceClient;
import dev.strata.provider.openstack.compute.NovaClient;
import dev.strata.provider.openstack.compute.Server;
import dev.strata.provider.openstack.compute.ServerStates;
import dev.strata.provider.openstack.http.ApiRequest;
import dev.strata.provider.openstack.http.Microversion;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The provider against a real all-in-one OpenStack (Keystone, Placement, Glance, Neutron, Nova
 * with the fake driver whose compute node has a nested child provider with 10 CUSTOM_MAGIC):
 * discovery shows the compute node with its nested custom resource; three members become three
 * ACTIVE servers with their labels; repeating the creates makes none; find() recovers a lost
 * handle; delete leaves none; NoValidHost and a server deleted behind Strata's back are reported;
 * a flavor under Strata's name that is another flavor is refused; another Strata installation's
 * server in the project is no node and not this installation's, but uses the host; a flavor
 * private to another project is not used, one shared with this project is; a GPU passed through by
 * PCI (a child provider made as nova-compute makes it) is a GPU of the host, and its member's flavor
 * asks Nova for it by alias.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenStackAllInOneTest {

    static final Duration CREATE_DEADLINE = Duration.ofSeconds(180);

    AllInOne aio;
    OpenStackCloudProvider provider;
    String deployment = "dep-" + UUID.randomUUID().toString().substring(0, 8);
    List<MachineHandle> made = new ArrayList<>();

    @BeforeAll
    void cloud() {
        aio = AllInOne.get();
        provider = new OpenStackCloudProvider(OpenStackSettings.from(TestClouds.config(aio.config("aio"))), Clock.systemUTC());
    }

    @AfterAll
    void cleanUp() {
        if (provider == null) {
            return;
        }
        for (MachineStatus m : provider.machines(TestClouds.context())) {
            if (deployment.equals(m.labels().get(MachineLabels.DEPLOYMENT))) {
                provider.delete(m.handle(), TestClouds.context(Duration.ofSeconds(120)));
            }
        }
        provider.deactivate();
    }

    String nodeId() {
        return "aio:" + aio.computeHost();
    }

    MachineRequest request(String member, String operation, long cpuMillis, long memoryMiB, Map<String, String> parameters) {
        return new MachineRequest(operation, deployment, member, "bank-risk", MachineTarget.node(nodeId()),
                new MachineResources(cpuMillis, memoryMiB << 20, 0, List.of(), null), parameters, INSTALLATION);
    }

    static final String INSTALLATION = "4c2f0e1a-strata-test";

    /** What Placement itself says is free of a class on a provider: int((total - reserved) * ratio) - used, from its raw answers. */
    long freeFromPlacement(String rpUuid, String rc) {
        DiscoveryContext c = TestClouds.context();
        URI placement = provider.session().endpoint("placement", c);
        JsonNode inv = provider.session().send(ApiRequest.get("Placement", URI.create(placement + "/resource_providers/" + rpUuid + "/inventories"))
                .withHeader("OpenStack-API-Version", "placement 1.39"), c).body().path("inventories").path(rc);
        JsonNode used = provider.session().send(ApiRequest.get("Placement", URI.create(placement + "/resource_providers/" + rpUuid + "/usages"))
                .withHeader("OpenStack-API-Version", "placement 1.39"), c).body().path("usages").path(rc);
        return (long) ((inv.path("total").asLong() - inv.path("reserved").asLong()) * inv.path("allocation_ratio").asDouble()) - used.asLong(0);
    }

    @Test
    @Order(1)
    void discoveryShowsTheComputeNodeWithItsNestedCustomResource() {
        ComputeSnapshot snapshot = provider.discoverCompute(TestClouds.context());
        Node n = snapshot.nodes().stream().filter(x -> x.id().equals(nodeId())).findFirst()
                .orElseThrow(() -> new AssertionError("no node " + nodeId() + " in " + snapshot.nodes()));
        assertThat(n.kind()).isEqualTo(NodeKind.BARE_METAL);
        assertThat(n.state()).isEqualTo(ResourceState.AVAILABLE);
        assertThat(n.hostname()).isEqualTo(aio.computeHost());
        String root = n.attributes().get("placement.root");
        assertThat(n.attributes()).containsEntry("nova.hypervisor", root).containsEntry("nova.hypervisorType", "fake")
                .containsEntry("nova.state", "up/enabled").containsEntry("placement.providers", "2");
        assertThat(n.attributes().get("placement.CUSTOM_MAGIC")).startsWith("free ").contains(" of 10 ");
        assertThat(n.attributes().get("placement.provider." + aio.computeHost() + "-child"))
                .contains("parent " + aio.computeHost(), "CUSTOM_MAGIC total 10 reserved 0 ratio 1.0 units 1..10 step 1");
        assertThat((long) n.cpu().threads()).isEqualTo(freeFromPlacement(root, "VCPU"));
        assertThat(n.memoryBytes()).isEqualTo(freeFromPlacement(root, "MEMORY_MB") << 20);
        assertThat(n.traits()).contains("COMPUTE_NODE");
        Site site = snapshot.sites().stream().filter(s -> s.id().equals(n.siteId())).findFirst().orElseThrow();
        assertThat(site.zone()).isEqualTo("nova");
        assertThat(site.region()).isEqualTo("RegionOne");
        assertThat(site.country()).isEqualTo("DE");
        assertThat(site.operator().jurisdictions()).containsExactlyInAnyOrder("EU", "DE");
        assertThat(provider.nova().version(TestClouds.context())).isEqualTo(Microversion.of(2, 93));
        assertThat(provider.placement().version(TestClouds.context())).isEqualTo(Microversion.of(1, 39));
    }

    @Test
    @Order(2)
    void threeMembersBecomeThreeActiveServersAndRepeatingMakesNoneNew() {
        String root = provider.discoverCompute(TestClouds.context()).nodes().stream().filter(x -> x.id().equals(nodeId())).findFirst()
                .orElseThrow().attributes().get("placement.root");
        long vcpuBefore = freeFromPlacement(root, "VCPU");
        List<String> ops = new ArrayList<>();
        List<MachineStatus> first = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String op = UUID.randomUUID().toString();
            ops.add(op);
            MachineStatus s = provider.create(request("trainer-" + i, op, 1000, 512, Map.of()), TestClouds.context(CREATE_DEADLINE));
            assertThat(s.state()).as("%s: %s", s.handle(), s.message()).isEqualTo(MachineState.RUNNING);
            assertThat(s.nodeId()).isEqualTo(nodeId());
            assertThat(s.labels()).containsEntry(MachineLabels.DEPLOYMENT, deployment).containsEntry(MachineLabels.MEMBER, "trainer-" + i)
                    .containsEntry(MachineLabels.TENANT, "bank-risk").containsEntry(MachineLabels.OPERATION, op)
                    .containsEntry(MachineLabels.INSTALLATION, INSTALLATION);
            first.add(s);
            made.add(s.handle());
        }
        // Nova holds the labels as metadata and the tags that find the server again.
        for (int i = 0; i < 3; i++) {
            Server server = provider.nova().server(first.get(i).handle().machineId(), TestClouds.context()).orElseThrow();
            assertThat(server.status()).isEqualTo("ACTIVE");
            assertThat(server.metadata()).containsEntry(MachineLabels.DEPLOYMENT, deployment).containsEntry(MachineLabels.MEMBER, "trainer-" + i)
                    .containsEntry(MachineLabels.TENANT, "bank-risk").containsEntry(MachineLabels.OPERATION, ops.get(i))
                    .containsEntry(MachineLabels.INSTALLATION, INSTALLATION).containsEntry(OpenStackCloudProvider.NODE_LABEL, nodeId());
            assertThat(server.tags()).contains("strata", OpenStackCloudProvider.operationTag(ops.get(i)));
            assertThat(server.hypervisorHostname()).isEqualTo(aio.computeHost());
            assertThat(server.flavorName()).isEqualTo("strata-1c-512m-1g");
        }
        // The servers' resources are taken in Placement: 3 VCPU less.
        assertThat(freeFromPlacement(root, "VCPU")).isEqualTo(vcpuBefore - 3);

        // The same operations again (a retry, a core that crashed before storing the handles): no new server.
        for (int i = 0; i < 3; i++) {
            MachineStatus again = provider.create(request("trainer-" + i, ops.get(i), 1000, 512, Map.of()), TestClouds.context(CREATE_DEADLINE));
            assertThat(again.handle()).isEqualTo(first.get(i).handle());
            assertThat(again.state()).isEqualTo(MachineState.RUNNING);
        }
        assertThat(ours(provider.machines(TestClouds.context()))).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(provider.find(ops.get(i), TestClouds.context())).map(MachineStatus::handle).contains(first.get(i).handle());
        }
        assertThat(provider.find("no-such-operation", TestClouds.context())).isEmpty();
    }

    @Test
    @Order(3)
    void findRecoversTheHandleOfACreateWhoseAnswerWasLost() {
        String op = UUID.randomUUID().toString();
        // A deadline too short to see the server ACTIVE: the caller gives up with no handle stored.
        MachineStatus early;
        try {
            early = provider.create(request("trainer-3", op, 1000, 512, Map.of()), TestClouds.context(Duration.ofSeconds(3)));
        } catch (dev.strata.platform.api.exception.ProviderTimeoutException e) {
            early = null;
        }
        Optional<MachineStatus> found = Optional.empty();
        for (int i = 0; i < 60 && found.isEmpty(); i++) {
            found = provider.find(op, TestClouds.context());
            if (found.isEmpty()) {
                sleep(1000);
            }
        }
        assertThat(found).as("the server made for operation %s", op).isPresent();
        if (early != null) {
            assertThat(found.get().handle()).isEqualTo(early.handle());
        }
        made.add(found.get().handle());
        MachineStatus settled = provider.create(request("trainer-3", op, 1000, 512, Map.of()), TestClouds.context(CREATE_DEADLINE));
        assertThat(settled.handle()).isEqualTo(found.get().handle());
        assertThat(settled.state()).isEqualTo(MachineState.RUNNING);
        assertThat(ours(provider.machines(TestClouds.context()))).hasSize(4);
    }

    @Test
    @Order(4)
    void deleteLeavesNoneAndReleasesTheResources() {
        String root = provider.discoverCompute(TestClouds.context()).nodes().stream().filter(x -> x.id().equals(nodeId())).findFirst()
                .orElseThrow().attributes().get("placement.root");
        long vcpuBefore = freeFromPlacement(root, "VCPU");
        for (MachineHandle h : made) {
            MachineStatus s = provider.delete(h, TestClouds.context(Duration.ofSeconds(120)));
            assertThat(s.state()).isEqualTo(MachineState.GONE);
            assertThat(provider.describe(h, TestClouds.context()).state()).isEqualTo(MachineState.GONE);
            // Deleting again is harmless.
            assertThat(provider.delete(h, TestClouds.context()).state()).isEqualTo(MachineState.GONE);
        }
        assertThat(ours(provider.machines(TestClouds.context()))).isEmpty();
        assertThat(freeFromPlacement(root, "VCPU")).isEqualTo(vcpuBefore + made.size());
        made.clear();
    }

    @Test
    @Order(5)
    void noValidHostIsReportedClearly() {
        DiscoveryContext c = TestClouds.context();
        Flavor magic = provider.nova().flavors(c).stream().filter(f -> f.name().equals("strata-test-magic-11")).findFirst()
                .orElseGet(() -> provider.nova().createFlavor("strata-test-magic-11", 1, 256, 1, Map.of("resources:CUSTOM_MAGIC", "11"), c));
        MachineStatus s = provider.create(request("too-big", UUID.randomUUID().toString(), 1000, 256, Map.of("flavor", magic.name())),
                TestClouds.context(CREATE_DEADLINE));
        assertThat(s.state()).isEqualTo(MachineState.FAILED);
        assertThat(s.message()).startsWith("NoValidHost: Nova found no host with room for server strata-" + deployment + "-too-big")
                .contains("flavor strata-test-magic-11").contains("No valid host was found");
        // A failed server still exists until it is deleted.
        assertThat(ours(provider.machines(c))).extracting(MachineStatus::state).containsExactly(MachineState.FAILED);
        assertThat(provider.delete(s.handle(), TestClouds.context(Duration.ofSeconds(120))).state()).isEqualTo(MachineState.GONE);
    }

    /**
     * A server deleted behind Strata's back is GONE, and so is a repeated create of its operation
     * (a core that had not stored the outcome): the operation made its server, and no second one
     * is made for it, as the AWS provider answers for a terminated instance.
     */
    @Test
    @Order(6)
    void aServerDeletedBehindStratasBackIsGoneAndItsOperationMakesNoOther() {
        MachineRequest victim = request("victim", UUID.randomUUID().toString(), 1000, 512, Map.of());
        MachineStatus s = provider.create(victim, TestClouds.context(CREATE_DEADLINE));
        assertThat(s.state()).isEqualTo(MachineState.RUNNING);
        assertThat(provider.nova().deleteServer(s.handle().machineId(), TestClouds.context())).isTrue();
        MachineState state = s.state();
        for (int i = 0; i < 120 && state != MachineState.GONE; i++) {
            sleep(500);
            state = provider.describe(s.handle(), TestClouds.context()).state();
        }
        assertThat(state).isEqualTo(MachineState.GONE);
        assertThat(ours(provider.machines(TestClouds.context()))).isEmpty();

        MachineStatus again = provider.create(victim, TestClouds.context(CREATE_DEADLINE));
        assertThat(again.state()).isEqualTo(MachineState.GONE);
        assertThat(again.handle()).isEqualTo(s.handle());
        assertThat(again.message()).contains("deleted outside Strata");
        assertThat(ours(provider.machines(TestClouds.context()))).isEmpty();
    }

    @Test
    @Order(7)
    void aMemberNoFlavorHoldsIsRefusedWithWhatItNeeds() {
        OpenStackCloudProvider matching = new OpenStackCloudProvider(OpenStackSettings.from(TestClouds.config(withPolicy("match"))),
                Clock.systemUTC());
        try {
            assertThatThrownBy(() -> matching.create(request("huge", UUID.randomUUID().toString(), 500_000, 512, Map.of()),
                    TestClouds.context(CREATE_DEADLINE)))
                    .isInstanceOf(ProviderFailureException.class)
                    .hasMessageStartingWith("no flavor holds member huge (needs 500 VCPU, 512 MiB)")
                    .hasMessageContaining("set flavorPolicy = create");
        } finally {
            matching.deactivate();
        }
        assertThatThrownBy(() -> provider.create(request("huge", UUID.randomUUID().toString(), 500_000, 512, Map.of()),
                TestClouds.context(CREATE_DEADLINE)))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("member huge needs 500 VCPU, 512 MiB and host " + aio.computeHost() + " cannot take that now")
                .hasMessageContaining("VCPU free");
        assertThatThrownBy(() -> provider.create(new MachineRequest(UUID.randomUUID().toString(), deployment, "lost", "bank-risk",
                MachineTarget.node("aio:no-such-host"), new MachineResources(1000, 1 << 20, 0, List.of(), null), Map.of()),
                TestClouds.context())).isInstanceOf(NotFoundException.class).hasMessageContaining("aio:no-such-host");
        assertThatThrownBy(() -> provider.create(new MachineRequest(UUID.randomUUID().toString(), deployment, "lost", "bank-risk",
                MachineTarget.offer("aio:nova:m1.small"), new MachineResources(1000, 1 << 20, 0, List.of(), null), Map.of()),
                TestClouds.context())).isInstanceOf(NotFoundException.class).hasMessageContaining("publishes no capacity offers");
    }

    /**
     * A flavor under the name Strata gives the flavor it would make for a member, but with fewer
     * CPUs (made by hand, or left from something else), is not used by its name: the create is
     * refused naming the flavor, what it has and what Strata makes, and no server is made.
     */
    @Test
    @Order(8)
    void aFlavorUnderStratasNameOfAnotherSizeIsRefusedNotUsed() {
        DiscoveryContext c = TestClouds.context();
        Flavor misfit = provider.nova().createFlavor("strata-3c-3333m-1g", 2, 3333, 1, Map.of(), c);
        assertThat(provider.nova().flavors(c)).as("flavors that would hold a member of 3 VCPU and 3333 MiB")
                .noneMatch(f -> FlavorChooser.holds(f, 3, 3333, 0));
        assertThatThrownBy(() -> provider.create(request("misfit", UUID.randomUUID().toString(), 3000, 3333, Map.of()),
                TestClouds.context(CREATE_DEADLINE)))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("flavor strata-3c-3333m-1g (" + misfit.id() + ") is not the flavor Strata makes under that name: it has 2 VCPU, "
                        + "3333 MiB RAM, 1 GiB disk, public, extra specs {}, where Strata makes 3 VCPU, 3333 MiB RAM, 1 GiB disk, public, extra specs {}; it "
                        + "is not used: delete or rename it, or name the flavor to use in the member's flavor parameter");
        assertThat(ours(provider.machines(c))).isEmpty();
    }

    /**
     * Another Strata installation sharing the project made a server, through Nova's API, with its
     * labels: a deployment id this installation uses too (every store counts from d-000001) and
     * its own installation id. It is no node (the compute host is, alone), and the host's room that
     * discovery reports is what Placement leaves with the server's resources taken: it uses the
     * host as any server does. {@code machines()} lists it with the other installation's id, by
     * which the core's reconciler leaves it alone, and it is not the server of one of this
     * installation's operations.
     */
    @Test
    @Order(9)
    void anotherInstallationsServerIsNoNodeAndNotThisInstallationsButUsesTheHost() {
        DiscoveryContext c = TestClouds.context();
        Installation self = () -> INSTALLATION;
        provider.bindInstallation(self);
        String theirs = null;
        try {
            String root = computeNode(provider.discoverCompute(c)).attributes().get("placement.root");
            long vcpuBefore = freeFromPlacement(root, "VCPU");
            Flavor flavor = provider.nova().createFlavor("strata-1c-512m-1g", 1, 512, 1, Map.of(), c);
            String operation = UUID.randomUUID().toString();
            ObjectNode server = new ObjectMapper().createObjectNode().put("name", "strata-d-000001-theirs")
                    .put("imageRef", new GlanceClient(provider.session()).imageId(aio.get("IMAGE"), c)).put("flavorRef", flavor.id())
                    .put("networks", "none");
            server.putObject("metadata").put(MachineLabels.DEPLOYMENT, "d-000001").put(MachineLabels.MEMBER, "theirs")
                    .put(MachineLabels.TENANT, "bank-risk").put(MachineLabels.OPERATION, operation)
                    .put(MachineLabels.INSTALLATION, "9d1e5b7a-another-installation").put(OpenStackCloudProvider.NODE_LABEL, nodeId());
            server.putArray("tags").add(OpenStackCloudProvider.TAG).add(OpenStackCloudProvider.operationTag(operation));
            NovaClient.Creation made = provider.nova().createServer(server, c);
            assertThat(made).as("Nova's answer to the create").isInstanceOf(NovaClient.Accepted.class);
            theirs = ((NovaClient.Accepted) made).serverId();
            Server active = null;
            for (int i = 0; i < 240 && (active == null || !active.status().equals("ACTIVE")); i++) {
                active = provider.nova().server(theirs, TestClouds.context()).orElseThrow();
                assertThat(active.status()).as("their server %s: %s", theirs, active.faultMessage()).isNotEqualTo("ERROR");
                if (!active.status().equals("ACTIVE")) {
                    sleep(500);
                }
            }
            assertThat(active.status()).isEqualTo("ACTIVE");

            ComputeSnapshot snapshot = provider.discoverCompute(TestClouds.context());
            String id = theirs;
            assertThat(snapshot.nodes()).noneMatch(n -> n.id().contains(id) || n.attributes().values().stream().anyMatch(v -> v.contains(id)));
            Node host = computeNode(snapshot);
            assertThat(freeFromPlacement(root, "VCPU")).as("their server's VCPU taken in Placement").isEqualTo(vcpuBefore - 1);
            assertThat((long) host.cpu().threads()).isEqualTo(vcpuBefore - 1);

            assertThat(provider.machines(TestClouds.context())).filteredOn(m -> m.handle().machineId().equals(id)).singleElement()
                    .satisfies(m -> assertThat(m.labels()).containsEntry(MachineLabels.INSTALLATION, "9d1e5b7a-another-installation")
                            .containsEntry(MachineLabels.DEPLOYMENT, "d-000001"));
            assertThat(provider.find(operation, TestClouds.context())).isEmpty();
        } finally {
            provider.unbindInstallation(self);
            if (theirs != null) {
                provider.nova().deleteServer(theirs, TestClouds.context());
                for (int i = 0; i < 240 && provider.nova().server(theirs, TestClouds.context())
                        .filter(s -> ServerStates.of(s.status(), s.taskState()) != MachineState.GONE).isPresent(); i++) {
                    sleep(500);
                }
            }
        }
    }

    /**
     * With admin credentials Nova lists every project's private flavors and boots an admin's server
     * with any of them. A private flavor an operator made for another project, the smallest that
     * holds the member, is not taken: the member gets the private flavor shared with this project.
     * Named in the member's flavor parameter, the other project's flavor is refused as private to
     * other projects. A user of this project without the admin role sees the same flavors. Before,
     * the member's server was made with the other project's flavor.
     */
    @Test
    @Order(10)
    void aFlavorPrivateToAnotherProjectIsNotUsedAndOneSharedWithThisProjectIs() throws Exception {
        DiscoveryContext c = TestClouds.context();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String project = provider.session().projectId(c);
        List<Runnable> undo = new ArrayList<>();
        try {
            String other = keystone("POST", "/projects", new ObjectMapper().createObjectNode().set("project", new ObjectMapper().createObjectNode()
                    .put("name", "strata-other-" + suffix).put("domain_id", "default"))).path("project").path("id").asText();
            undo.add(() -> keystone("DELETE", "/projects/" + other, null));
            String theirs = privateFlavor("theirs-1c-300m-" + suffix, 300, other);
            undo.add(() -> nova("DELETE", "/flavors/" + theirs, null));
            String ours = privateFlavor("ours-1c-400m-" + suffix, 400, project);
            undo.add(() -> nova("DELETE", "/flavors/" + ours, null));

            assertThat(provider.nova().flavorsByAccess(c).all()).extracting(Flavor::id).as("what an admin lists").contains(theirs, ours);
            assertThat(provider.nova().flavors(c)).extracting(Flavor::id).as("what this project may use").contains(ours).doesNotContain(theirs);

            MachineStatus s = provider.create(request("shared", UUID.randomUUID().toString(), 1000, 256, Map.of()), TestClouds.context(CREATE_DEADLINE));
            undo.add(0, () -> provider.delete(s.handle(), TestClouds.context(Duration.ofSeconds(120))));
            assertThat(s.state()).as("%s: %s", s.handle(), s.message()).isEqualTo(MachineState.RUNNING);
            assertThat(provider.nova().server(s.handle().machineId(), c).orElseThrow().flavorName()).isEqualTo("ours-1c-400m-" + suffix);

            assertThatThrownBy(() -> provider.create(request("named", UUID.randomUUID().toString(), 1000, 256,
                    Map.of("flavor", "theirs-1c-300m-" + suffix)), TestClouds.context(CREATE_DEADLINE)))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessage("member named names flavor 'theirs-1c-300m-" + suffix + "', which is private to other projects: its access "
                            + "list does not name project " + project);
            assertThat(ours(provider.machines(c))).extracting(m -> m.labels().get(MachineLabels.MEMBER)).containsExactly("shared");

            // a member of this project without the admin role: Nova lists it only the flavors it may use
            String user = "strata-member-" + suffix;
            java.nio.file.Path password = java.nio.file.Files.createTempFile("strata-member", ".secret");
            undo.add(() -> password.toFile().delete());
            java.nio.file.Files.writeString(password, UUID.randomUUID().toString());
            ObjectNode u = new ObjectMapper().createObjectNode();
            u.putObject("user").put("name", user).put("domain_id", "default").put("password", java.nio.file.Files.readString(password));
            String userId = keystone("POST", "/users", u).path("user").path("id").asText();
            undo.add(() -> keystone("DELETE", "/users/" + userId, null));
            String member = keystone("GET", "/roles?name=member", null).path("roles").get(0).path("id").asText();
            keystone("PUT", "/projects/" + project + "/users/" + userId + "/roles/" + member, null);
            Map<String, Object> config = withPolicy("match");
            config.put("userName", user);
            config.put("passwordFile", password.toString());
            OpenStackCloudProvider asMember = new OpenStackCloudProvider(OpenStackSettings.from(TestClouds.config(config)), Clock.systemUTC());
            try {
                assertThat(asMember.nova().flavors(c)).extracting(Flavor::id).contains(ours).doesNotContain(theirs);
            } finally {
                asMember.deactivate();
            }
        } finally {
            for (Runnable r : undo) {
                r.run();
            }
        }
    }

    /**
     * A GPU passed through by PCI, as nova-compute with {@code [pci]report_in_placement = True}
     * reports it: a child provider of the compute node named {@code <host>_0000:1B:00.0}, with one
     * {@code CUSTOM_PCI_10DE_2330} (an H100 SXM5) and the trait {@code COMPUTE_MANAGED_PCI_DEVICE},
     * made here through the real Placement API (the fake driver has no PCI device to report). With
     * {@code pciGpus} mapping the class to an H100 and the alias {@code h100}, discovery shows it as
     * a GPU of the compute node's node. A member bound to it gets, among the real Nova's flavors,
     * the one that asks for exactly {@code pci_passthrough:alias = h100:1} (not one with another
     * alias besides), and with {@code flavorPolicy = create} a member no flavor holds gets one Strata
     * makes in Nova with that extra spec (Nova at 2.93 checks its format).
     *
     * <p>The boot itself is not exercised: it needs a PCI device the fake driver does not have, and
     * an {@code h100} entry in nova-api's {@code [pci]alias}, which this cloud's nova.conf does not
     * define. So Nova refuses the server ("PCI alias h100 is not defined"), which is checked: it
     * shows that the flavor Strata sent asks for the device by that alias. The provider and the
     * flavors are removed afterwards.
     */
    @Test
    @Order(11)
    void aGpuPassedThroughByPciIsAGpuOfItsHostAndItsMemberGetsAFlavorWithItsAlias() {
        DiscoveryContext c = TestClouds.context();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> config = aio.config("aio");
        config.put("pciGpus", "CUSTOM_PCI_10DE_2330=NVIDIA H100 80GB HBM3@h100");
        config.put("flavorPolicy", "match");
        OpenStackCloudProvider pci = new OpenStackCloudProvider(OpenStackSettings.from(TestClouds.config(config)), Clock.systemUTC());
        List<Runnable> undo = new ArrayList<>();
        try {
            String root = computeNode(pci.discoverCompute(c)).attributes().get("placement.root");
            String child = UUID.randomUUID().toString();
            String name = aio.computeHost() + "_0000:1B:00.0";
            pci.placement().ensureResourceClass("CUSTOM_PCI_10DE_2330", c);
            pci.placement().createProvider(child, name, root, c);
            undo.add(() -> pci.placement().deleteProvider(child, TestClouds.context()));
            long g = pci.placement().putInventories(child, 0, Map.of("CUSTOM_PCI_10DE_2330",
                    new dev.strata.provider.openstack.placement.Inventory("CUSTOM_PCI_10DE_2330", 1, 0, 1, 1, 1, 1.0)), c);
            pci.placement().putTraits(child, g, java.util.Set.of("COMPUTE_MANAGED_PCI_DEVICE"), c);

            Node node = computeNode(pci.discoverCompute(c));
            assertThat(node.accelerators()).singleElement().satisfies(gpu -> {
                assertThat(gpu.id()).isEqualTo(child + "/CUSTOM_PCI_10DE_2330/0");
                assertThat(gpu.model()).isEqualTo("NVIDIA H100 80GB HBM3");
                assertThat(gpu.vendor()).isEqualTo("NVIDIA");
                assertThat(gpu.pciAddress()).isEqualTo("0000:1b:00.0");
                assertThat(gpu.attributes()).containsEntry("placementProvider", name).containsEntry("resourceClass", "CUSTOM_PCI_10DE_2330")
                        .containsEntry("pciAlias", "h100");
            });
            assertThat(node.attributes()).containsEntry("placement.providers", "3");
            assertThat(computeNode(provider.discoverCompute(c)).accelerators()).as("without pciGpus").isEmpty();
            List<String> gpuIds = List.of(child + "/CUSTOM_PCI_10DE_2330/0");

            // flavorPolicy match: the real Nova's flavor with exactly that alias
            Flavor both = pci.nova().createFlavor("gpu.h100.qat-" + suffix, 1, 512, 1, Map.of("pci_passthrough:alias", "h100:1,qat:1"), c);
            undo.add(0, () -> nova("DELETE", "/flavors/" + both.id(), null));
            Flavor exact = pci.nova().createFlavor("gpu.h100-" + suffix, 1, 1024, 1, Map.of("pci_passthrough:alias", "h100:1"), c);
            undo.add(0, () -> nova("DELETE", "/flavors/" + exact.id(), null));
            NovaClient.Flavors flavors = pci.nova().flavorsByAccess(c);
            FlavorChooser.Choice choice = FlavorChooser.choose("gpu", new MachineResources(1000, 512L << 20, 1, gpuIds, null),
                    pci.placement().readTree(root, c), flavors.usable(), flavors.all(), false, 1, OpenStackSettings.from(TestClouds.config(config))
                            .pciGpus());
            assertThat(choice.existing().name()).isEqualTo("gpu.h100-" + suffix);
            MachineRequest matched = new MachineRequest(UUID.randomUUID().toString(), deployment, "gpu", "bank-risk",
                    MachineTarget.node(nodeId()), new MachineResources(1000, 512L << 20, 1, gpuIds, null), Map.of(), INSTALLATION);
            assertThatThrownBy(() -> pci.create(matched, TestClouds.context(CREATE_DEADLINE))).isInstanceOf(StrataException.class)
                    .hasMessageContaining("PCI alias h100 is not defined");

            // flavorPolicy create: a member of 2 VCPU, which neither holds, gets a flavor made in Nova
            config.put("flavorPolicy", "create");
            OpenStackCloudProvider creating = new OpenStackCloudProvider(OpenStackSettings.from(TestClouds.config(config)), Clock.systemUTC());
            try {
                MachineRequest twoCpus = new MachineRequest(UUID.randomUUID().toString(), deployment, "gpu2", "bank-risk",
                        MachineTarget.node(nodeId()), new MachineResources(2000, 512L << 20, 1, gpuIds, null), Map.of(), INSTALLATION);
                assertThatThrownBy(() -> creating.create(twoCpus, TestClouds.context(CREATE_DEADLINE))).isInstanceOf(StrataException.class)
                        .hasMessageContaining("PCI alias h100 is not defined");
            } finally {
                creating.deactivate();
            }
            Flavor made = pci.nova().flavors(c).stream().filter(f -> f.name().equals("strata-2c-512m-1g-1xh100")).findFirst()
                    .orElseThrow(() -> new AssertionError("Strata made no flavor strata-2c-512m-1g-1xh100"));
            undo.add(0, () -> nova("DELETE", "/flavors/" + made.id(), null));
            assertThat(made.extraSpecs()).isEqualTo(Map.of("pci_passthrough:alias", "h100:1"));
            assertThat(made.isPublic()).isTrue();
            assertThat(ours(pci.machines(c))).as("no server was made").isEmpty();
        } finally {
            for (Runnable r : undo) {
                r.run();
            }
            pci.deactivate();
        }
    }

    /** Makes a private flavor of 1 VCPU, the memory given and 1 GiB disk, shared with one project; returns its id. */
    private String privateFlavor(String name, long ramMiB, String sharedWith) {
        ObjectNode body = new ObjectMapper().createObjectNode();
        body.putObject("flavor").put("name", name).put("vcpus", 1).put("ram", ramMiB).put("disk", 1).put("os-flavor-access:is_public", false);
        String id = nova("POST", "/flavors", body).path("flavor").path("id").asText();
        ObjectNode grant = new ObjectMapper().createObjectNode();
        grant.putObject("addTenantAccess").put("tenant", sharedWith);
        nova("POST", "/flavors/" + id + "/action", grant);
        return id;
    }

    /** Nova's API as the admin, directly. */
    private JsonNode nova(String method, String path, JsonNode body) {
        DiscoveryContext c = TestClouds.context();
        return provider.session().send(ApiRequest.of("Nova", method, URI.create(provider.session().endpoint("compute", c) + path), body)
                .withHeader("OpenStack-API-Version", "compute 2.60"), c).body();
    }

    /** Keystone's API as the admin, directly. */
    private JsonNode keystone(String method, String path, JsonNode body) {
        DiscoveryContext c = TestClouds.context();
        return provider.session().send(ApiRequest.of("Keystone", method, URI.create(aio.authUrl() + path), body), c).body();
    }

    private Node computeNode(ComputeSnapshot snapshot) {
        return snapshot.nodes().stream().filter(x -> x.id().equals(nodeId())).findFirst()
                .orElseThrow(() -> new AssertionError("no node " + nodeId() + " in " + snapshot.nodes()));
    }

    private Map<String, Object> withPolicy(String policy) {
        Map<String, Object> m = aio.config("aio");
        m.put("flavorPolicy", policy);
        return m;
    }

    private List<MachineStatus> ours(List<MachineStatus> all) {
        return all.stream().filter(m -> deployment.equals(m.labels().get(MachineLabels.DEPLOYMENT))).toList();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
