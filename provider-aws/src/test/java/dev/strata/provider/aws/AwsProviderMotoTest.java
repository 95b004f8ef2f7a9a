package dev.strata.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.Nic;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.FabricSnapshot;
import dev.strata.platform.api.provider.Generations;
import dev.strata.platform.api.provisioning.Installation;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * The provider against moto, the EC2 emulator in server mode: discovery of zones, offers and
 * launched instances, and the provisioning obligations (idempotent by operation id, found again,
 * deleted, gone when terminated behind Strata's back). What the test checks on EC2's side it reads
 * with its own SDK client, not through the provider.
 */
class AwsProviderMotoTest {

    private static final String P4D_EU = "aws:eu-central-1a:p4d.24xlarge";

    private Moto moto;
    private AwsProvider provider;
    private Ec2Client direct;

    @BeforeEach
    void start() {
        moto = Moto.shared();
        moto.reset();
        provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto)), Clock.systemUTC());
        direct = Ec2Client.builder().region(Region.EU_CENTRAL_1).endpointOverride(moto.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAOTHER", "other")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterEach
    void stop() {
        provider.deactivate();
        direct.close();
    }

    @Test
    void zonesBecomeSitesWithSovereigntyAndGpuTypesBecomeOffers() {
        ComputeSnapshot snapshot = provider.discoverCompute(context());
        List<Site> frankfurt = snapshot.sites().stream().filter(s -> "eu-central-1".equals(s.region())).toList();
        assertThat(frankfurt).extracting(Site::zone).containsExactly("eu-central-1a", "eu-central-1b", "eu-central-1c");
        for (Site site : frankfurt) {
            assertThat(site.id()).isEqualTo("aws:" + site.zone());
            assertThat(site.country()).isEqualTo("DE");
            assertThat(site.jurisdictions()).containsExactlyInAnyOrder("EU", "DE");
            assertThat(site.operator().name()).isEqualTo("Amazon Web Services, Inc.");
            assertThat(site.operator().jurisdictions()).contains("US", "EU");
        }
        assertThat(snapshot.sites().stream().filter(s -> "us-east-1".equals(s.region())).map(Site::country)).containsOnly("US");

        // what moto itself says is offered, read with the test's own client
        List<String> expected = new ArrayList<>();
        direct.describeInstanceTypeOfferings(b -> b.locationType("availability-zone")
                .filters(f -> f.name("instance-type").values("p4d.24xlarge", "g5.xlarge", "p5.48xlarge")))
                .instanceTypeOfferings().forEach(o -> expected.add("aws:" + o.location() + ":" + o.instanceTypeAsString()));
        List<String> offered = snapshot.offers().stream().map(CapacityOffer::id)
                .filter(id -> id.contains("eu-central-1") && (id.endsWith(":p4d.24xlarge") || id.endsWith(":g5.xlarge") || id.endsWith(":p5.48xlarge")))
                .toList();
        assertThat(offered).containsExactlyInAnyOrderElementsOf(expected).isNotEmpty();
        assertThat(offered).noneMatch(id -> id.endsWith("p5.48xlarge")); // Frankfurt has no p5.48xlarge
        CapacityOffer p4d = snapshot.offers().stream().filter(o -> o.id().equals(P4D_EU)).findFirst().orElseThrow();
        // the region's quota of 16 is shared among the zones that offer the type, as evenly as whole machines allow
        List<CapacityOffer> p4dZones = snapshot.offers().stream().filter(o -> o.shape().equals("p4d.24xlarge")
                && o.siteId().startsWith("aws:eu-central-1")).toList();
        assertThat(p4dZones.stream().mapToInt(CapacityOffer::limit).sum()).isEqualTo(16);
        assertThat(p4dZones).allSatisfy(o -> assertThat(o.limit()).isBetween(16 / p4dZones.size(), 16 / p4dZones.size() + 1));
        assertThat(p4d.inUse()).isZero();
        assertThat(p4d.machine().attributes()).containsEntry("regionQuota", "16");
        assertThat(p4d.machine().accelerators()).hasSize(8).allSatisfy(a -> assertThat(a.model()).isEqualTo("NVIDIA A100"));
        assertThat(p4d.fabricIds()).containsExactly("aws:eu-central-1a:efa-400g");
        FabricSnapshot fabrics = provider.discoverFabrics(context());
        assertThat(fabrics.fabrics()).anySatisfy(f -> {
            assertThat(f.id()).isEqualTo("aws:eu-central-1a:efa-400g");
            assertThat(f.members()).contains(P4D_EU);
        });
        assertThat(snapshot.nodes()).isEmpty();
    }

    /**
     * A new instance of the provider (its bundle restarted or updated, Karaf restarted) whose clock is an hour behind
     * the earlier instance's hands out generations above the earlier instance's, through the mark each configuration
     * keeps in the data folder under its own provider id. Before, generations were the clock from memory: the new
     * instance's went back an hour, and the core warned that they must increase across bundle versions until the
     * clock caught up.
     */
    @Test
    void generationsStayAboveAnEarlierInstancesAfterARestartWithTheClockSetBack(@TempDir Path data) {
        AwsProvider before = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto)), Clock.systemUTC(), data);
        long computed = before.discoverCompute(context()).generation();
        long last = before.discoverFabrics(context()).generation();
        before.deactivate();
        assertThat(last).isGreaterThan(computed);

        AwsProvider after = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto)), Clock.offset(Clock.systemUTC(),
                Duration.ofHours(-1)), data);
        try {
            ComputeSnapshot compute = after.discoverCompute(context());
            assertThat(compute.generation()).as("above the earlier instance's, its clock an hour ahead").isGreaterThan(last);
            assertThat(compute.warnings()).isEmpty();
            assertThat(after.discoverFabrics(context()).generation()).isGreaterThan(compute.generation());
            assertThat(Generations.file(data, "aws", "aws")).as("the mark of provider id aws").isRegularFile();
        } finally {
            after.deactivate();
        }
    }

    /**
     * A launched instance is reported with the EFA interfaces it was launched with, not as the {@code efa} setting gives
     * its type: one made with the request's {@code efa=off} is on no EFA fabric, has no {@code efa} NIC or trait; one made
     * with {@code efa=one} is on the fabric of one card's bandwidth (100 Gb/s on a p4d.24xlarge), not the 400 Gb/s one of
     * all its cards. Before, both were reported on the 400 Gb/s fabric with every card an EFA NIC, as the setting
     * ({@code all}) would have launched them, and placement could bind an RDMA gang to a machine that has no EFA.
     */
    @Test
    void aLaunchedInstanceIsOnTheEfaFabricItWasLaunchedWithNotTheSettings() {
        MachineStatus off = provider.create(new MachineRequest("op-efa-off", "dep-1", "plain", "bank-risk", MachineTarget.offer(P4D_EU),
                resources(), Map.of("efa", "off"), INSTALLATION), context());
        MachineStatus one = provider.create(new MachineRequest("op-efa-one", "dep-1", "single", "bank-risk", MachineTarget.offer(P4D_EU),
                resources(), Map.of("efa", "one"), INSTALLATION), context());
        MachineStatus all = provider.create(request("op-efa-all", "trainer-0"), context());

        ComputeSnapshot compute = provider.discoverCompute(context());
        Node plain = compute.nodes().stream().filter(n -> n.id().equals(off.nodeId())).findFirst().orElseThrow();
        Node single = compute.nodes().stream().filter(n -> n.id().equals(one.nodeId())).findFirst().orElseThrow();
        Node full = compute.nodes().stream().filter(n -> n.id().equals(all.nodeId())).findFirst().orElseThrow();
        assertThat(plain.traits()).doesNotContain("efa");
        assertThat(plain.nics()).isNotEmpty().allSatisfy(n -> assertThat(n.linkType()).isEqualTo("ethernet"));
        assertThat(plain.attributes()).containsEntry("efaInterfaces", "0");
        assertThat(single.traits()).contains("efa");
        assertThat(single.nics()).filteredOn(n -> "efa".equals(n.linkType())).hasSize(1);
        assertThat(full.nics()).filteredOn(n -> "efa".equals(n.linkType())).hasSize(4);

        FabricSnapshot fabrics = provider.discoverFabrics(context());
        assertThat(fabrics.fabrics()).noneSatisfy(f -> assertThat(f.members()).contains(plain.id()));
        assertThat(fabrics.fabrics()).filteredOn(f -> f.members().contains(single.id())).singleElement()
                .satisfies(f -> assertThat(f.id()).isEqualTo("aws:eu-central-1a:efa-100g"));
        assertThat(fabrics.fabrics()).filteredOn(f -> f.members().contains(full.id())).singleElement()
                .satisfies(f -> assertThat(f.id()).isEqualTo("aws:eu-central-1a:efa-400g"));
    }

    /**
     * An offer's machine is what a launch under the {@code efa} setting gives, as a launched instance is described by the
     * interfaces it has: with {@code off} no {@code efa} trait and no EFA NIC, with {@code one} the trait and card 0 alone
     * an EFA NIC, with {@code all} each of a p4d.24xlarge's four cards. Before, the machine was described by what the type
     * supports whatever the setting: with {@code off} it had the trait and four EFA NICs, so a clause asking for EFA was
     * matched by an offer whose launch has none.
     */
    @Test
    void anOffersMachineHasTheEfaInterfacesALaunchUnderTheSettingGives() {
        Map<String, Integer> efaNics = Map.of("off", 0, "one", 1, "all", 4);
        for (Map.Entry<String, Integer> mode : efaNics.entrySet()) {
            AwsProvider configured = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "efa", mode.getKey())), Clock.systemUTC());
            try {
                CapacityOffer offer = configured.discoverCompute(context()).offers().stream().filter(o -> o.id().equals(P4D_EU))
                        .findFirst().orElseThrow();
                Node machine = offer.machine();
                assertThat(machine.nics()).as("efa = %s", mode.getKey()).hasSize(4)
                        .filteredOn(n -> "efa".equals(n.linkType())).hasSize(mode.getValue());
                assertThat(machine.nics()).as("efa = %s", mode.getKey()).filteredOn(n -> "efa".equals(n.linkType()))
                        .extracting(Nic::name).isEqualTo(List.of("card0", "card1", "card2", "card3").subList(0, mode.getValue()));
                assertThat(machine.traits().contains("efa")).as("efa = %s: the efa trait", mode.getKey()).isEqualTo(mode.getValue() > 0);
                assertThat(offer.fabricIds().isEmpty()).as("efa = %s: on no EFA fabric", mode.getKey()).isEqualTo(mode.getValue() == 0);
            } finally {
                configured.deactivate();
            }
        }
    }

    @Test
    void fourMembersMakeExactlyFourTaggedInstancesAndRepeatingMakesNoMore() {
        List<MachineStatus> first = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            first.add(provider.create(request("op-" + i, "trainer-" + i), context()));
        }
        assertThat(first).allSatisfy(s -> assertThat(s.state()).isIn(MachineState.PENDING, MachineState.RUNNING));
        assertThat(liveInstances()).hasSize(4);
        for (Instance instance : liveInstances()) {
            Map<String, String> tags = tags(instance);
            assertThat(tags).containsEntry(MachineLabels.DEPLOYMENT, "dep-1").containsEntry(MachineLabels.TENANT, "bank-risk")
                    .containsEntry(MachineLabels.INSTALLATION, INSTALLATION).containsKeys(MachineLabels.MEMBER, MachineLabels.OPERATION);
            assertThat(instance.instanceTypeAsString()).isEqualTo("p4d.24xlarge");
            assertThat(instance.placement().availabilityZone()).isEqualTo("eu-central-1a");
        }
        // every create repeated with the same operation id: the same instance, none new
        for (int i = 0; i < 4; i++) {
            MachineStatus again = provider.create(request("op-" + i, "trainer-" + i), context());
            assertThat(again.handle().machineId()).isEqualTo(first.get(i).handle().machineId());
        }
        assertThat(liveInstances()).hasSize(4);

        // launched instances are nodes bound to their deployment; offers count them no more as free capacity of others
        ComputeSnapshot snapshot = provider.discoverCompute(context());
        assertThat(snapshot.nodes()).hasSize(4).allSatisfy(n -> {
            assertThat(n.kind()).isEqualTo(NodeKind.VIRTUAL_MACHINE);
            assertThat(n.attributes()).containsEntry(MachineLabels.DEPLOYMENT, "dep-1").containsEntry(MachineLabels.TENANT, "bank-risk");
            assertThat(n.ownerTenant()).isEqualTo("bank-risk");
            assertThat(n.state()).isEqualTo(ResourceState.AVAILABLE);
            assertThat(n.accelerators()).hasSize(8);
            assertThat(n.siteId()).isEqualTo("aws:eu-central-1a");
        });
        assertThat(snapshot.nodes()).extracting(Node::id)
                .containsExactlyInAnyOrderElementsOf(first.stream().map(MachineStatus::nodeId).toList());
        assertThat(provider.machines(context())).hasSize(4)
                .allSatisfy(m -> assertThat(m.labels()).containsEntry(MachineLabels.INSTALLATION, INSTALLATION));

        for (MachineStatus s : first) {
            MachineStatus deleted = provider.delete(s.handle(), context());
            assertThat(deleted.state()).isIn(MachineState.DELETING, MachineState.GONE);
        }
        assertThat(liveInstances()).isEmpty();
        assertThat(provider.machines(context())).isEmpty();
        assertThat(provider.discoverCompute(context()).nodes()).isEmpty();
        // deleting again is idempotent
        assertThat(provider.delete(first.get(0).handle(), context()).state()).isEqualTo(MachineState.GONE);
    }

    @Test
    void findRecoversAnInstanceWhoseHandleWasLost() {
        MachineStatus made = provider.create(request("op-lost", "worker-0"), context());
        // the core crashed before storing the handle: only the operation id is known
        Optional<MachineStatus> found = provider.find("op-lost", context());
        assertThat(found).isPresent();
        assertThat(found.get().handle().machineId()).isEqualTo(made.handle().machineId());
        assertThat(found.get().labels()).containsEntry(MachineLabels.MEMBER, "worker-0");
        assertThat(provider.find("op-never", context())).isEmpty();
        provider.delete(found.get().handle(), context());
        assertThat(provider.find("op-lost", context())).isEmpty();
    }

    @Test
    void anInstanceTerminatedBehindStrataIsGoneAndStaysGoneOnRepeat() {
        MachineStatus made = provider.create(request("op-t", "worker-0"), context());
        assertThat(provider.describe(made.handle(), context()).state()).isEqualTo(MachineState.RUNNING); // moto: running at once
        direct.terminateInstances(b -> b.instanceIds(made.handle().machineId()));
        assertThat(provider.describe(made.handle(), context()).state()).isEqualTo(MachineState.GONE);
        assertThat(provider.find("op-t", context())).isEmpty();
        // the operation made its machine once; repeating it does not make another (the core replaces with a new operation)
        assertThat(provider.create(request("op-t", "worker-0"), context()).state()).isEqualTo(MachineState.GONE);
        assertThat(liveInstances()).isEmpty();
        // an id EC2 never knew
        assertThat(provider.describe(new MachineHandle("aws", "i-0123456789abcdef0", Map.of("region", "eu-central-1")), context()).state())
                .isEqualTo(MachineState.GONE);
    }

    @Test
    void instancesStrataDidNotLaunchCountAgainstTheQuotaAndAreNeverTerminated() {
        String foreign = direct.runInstances(b -> b.imageId("ami-03cf127a").instanceType("p4d.24xlarge").minCount(1).maxCount(1)
                .placement(p -> p.availabilityZone("eu-central-1b"))).instances().get(0).instanceId();
        ComputeSnapshot snapshot = provider.discoverCompute(context());
        // the foreign instance takes one of the region's 16 from what the zones share
        List<CapacityOffer> p4dZones = snapshot.offers().stream().filter(o -> o.shape().equals("p4d.24xlarge")
                && o.siteId().startsWith("aws:eu-central-1")).toList();
        assertThat(p4dZones.stream().mapToInt(CapacityOffer::limit).sum()).isEqualTo(15);
        assertThat(p4dZones).allSatisfy(o -> assertThat(o.machine().attributes()).containsEntry("regionQuotaInUseByOthers", "1"));
        assertThat(snapshot.nodes()).isEmpty();
        assertThat(provider.machines(context())).isEmpty();
        MachineHandle handle = new MachineHandle("aws", foreign, Map.of("region", "eu-central-1"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> provider.delete(handle, context()))
                .isInstanceOf(ProviderFailureException.class).hasMessageContaining("Strata did not launch it");
        assertThat(liveInstances()).extracting(Instance::instanceId).containsExactly(foreign);
    }

    /**
     * Another Strata installation sharing the account tags its instances with its own id: they are
     * not nodes here (nothing is shown or placed on them) and hold no launch slots of this
     * installation's offers, but they use the region's quota as any instance does. Before, they
     * were nodes, and the zone they ran in kept slots for them that this installation's ledger does
     * not hold, so its offers promised more machines than the region could launch.
     */
    @Test
    void anotherInstallationsInstancesAreNotNodesButUseTheQuota() {
        Installation self = () -> INSTALLATION;
        provider.bindInstallation(self);
        MachineStatus mine = provider.create(request("op-mine", "trainer-0"), context());
        List<String> theirs = new ArrayList<>();
        for (String zone : List.of("eu-central-1a", "eu-central-1a", "eu-central-1b")) {
            String operation = "op-theirs-" + theirs.size();
            theirs.add(direct.runInstances(b -> b.imageId("ami-03cf127a").instanceType("p4d.24xlarge").minCount(1).maxCount(1)
                    .placement(p -> p.availabilityZone(zone)).tagSpecifications(t -> t.resourceType(ResourceType.INSTANCE).tags(
                            tag(MachineLabels.DEPLOYMENT, "d-000001"), tag(MachineLabels.MEMBER, "trainer-0"),
                            tag(MachineLabels.TENANT, "bank-risk"), tag(MachineLabels.OPERATION, operation),
                            tag(MachineLabels.INSTALLATION, "9d1e5b7a-another-installation")))).instances().get(0).instanceId());
        }
        direct.runInstances(b -> b.imageId("ami-03cf127a").instanceType("p4d.24xlarge").minCount(1).maxCount(1)
                .placement(p -> p.availabilityZone("eu-central-1b"))); // launched outside Strata

        ComputeSnapshot snapshot = provider.discoverCompute(context());
        assertThat(snapshot.nodes()).extracting(Node::id).containsExactly(mine.nodeId());
        List<CapacityOffer> p4dZones = snapshot.offers().stream().filter(o -> o.shape().equals("p4d.24xlarge")
                && o.siteId().startsWith("aws:eu-central-1")).toList();
        // 16 less their 3 and the 1 launched outside Strata: 12 launch slots, 1 of them held by this installation's instance
        assertThat(p4dZones.stream().mapToInt(CapacityOffer::limit).sum()).isEqualTo(12);
        assertThat(p4dZones).allSatisfy(o -> assertThat(o.machine().attributes()).containsEntry("regionQuotaInUseByOthers", "4"));
        assertThat(provider.discoverFabrics(context()).fabrics()).allSatisfy(f -> assertThat(f.members())
                .noneMatch(m -> theirs.stream().anyMatch(m::endsWith)));
        // machines() lists them with their installation's id, so the core's reconciler leaves them alone
        assertThat(provider.machines(context())).hasSize(4).filteredOn(m -> theirs.contains(m.handle().machineId()))
                .hasSize(3).allSatisfy(m -> assertThat(m.labels()).containsEntry(MachineLabels.INSTALLATION, "9d1e5b7a-another-installation"));

        // until the core says which installation this is, every instance Strata launched is taken for this one's, as before
        provider.unbindInstallation(self);
        assertThat(provider.discoverCompute(context()).nodes()).hasSize(4);
    }

    /**
     * Two providers of one installation on one account (each its own settings) see each other's
     * instances: every instance carries the provider that launched it ({@code strata:provider}).
     * The other provider's are not nodes here and hold no launch slots of this provider's offers,
     * since its ledger holds their slots on the other's offers; they use the region's quota as any
     * instance does. Before, each provider reported the other's instances as its own nodes, and its
     * zones kept slots for them, so the two promised more machines than the region could launch.
     */
    @Test
    void anotherProvidersInstancesInTheSameAccountAreNotNodesButUseTheQuota() {
        Installation self = () -> INSTALLATION;
        provider.bindInstallation(self);
        MachineStatus made = provider.create(request("op-first", "trainer-0"), context());
        AwsProvider other = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "strata.provider.id", "aws-gpu")), Clock.systemUTC());
        other.bindInstallation(self);
        try {
            ComputeSnapshot snapshot = other.discoverCompute(context());
            assertThat(snapshot.nodes()).isEmpty();
            List<CapacityOffer> p4dZones = snapshot.offers().stream().filter(o -> o.shape().equals("p4d.24xlarge")
                    && o.siteId().startsWith("aws-gpu:eu-central-1")).toList();
            assertThat(p4dZones).isNotEmpty();
            // 16 less the first provider's instance: 15 launch slots, none held by the second provider
            assertThat(p4dZones.stream().mapToInt(CapacityOffer::limit).sum()).isEqualTo(15);
            assertThat(p4dZones).allSatisfy(o -> assertThat(o.machine().attributes()).containsEntry("regionQuotaInUseByOthers", "1"));
            assertThat(other.machines(context())).isEmpty();
            // the provider that launched it still has it
            assertThat(provider.discoverCompute(context()).nodes()).extracting(Node::id).containsExactly(made.nodeId());
            assertThat(provider.machines(context())).extracting(m -> m.handle().machineId()).containsExactly(made.handle().machineId());
        } finally {
            other.deactivate();
        }
    }

    /**
     * An instance whose tags name another installation carries an operation id too: find does not report it as this
     * provider's, a create of the same operation does not take it for its own, and delete refuses to terminate it. Before,
     * find and create matched the operation tag alone and delete refused only an instance without it. One whose provider tag
     * names another id of this installation is this provider's under the id it had before a change
     * ({@code AwsProviderModifiedTest.aCreateInProgressAcrossAChangeFinishesUnderItsSettingsAndIsNotLaunchedTwice}): found,
     * taken by a create of its operation (not launched twice), and terminated by a delete.
     */
    @Test
    void anotherInstallationsInstanceIsNeitherFoundNorTerminated() {
        Installation self = () -> INSTALLATION;
        provider.bindInstallation(self);
        String otherInstallation = launchTagged("op-shared-2", tag(AwsProvisioner.PROVIDER_TAG, "aws"),
                tag(MachineLabels.INSTALLATION, "9d1e5b7a-another-installation"));
        MachineHandle handle = new MachineHandle("aws", otherInstallation, Map.of("region", "eu-central-1"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> provider.delete(handle, context()))
                .isInstanceOf(ProviderFailureException.class).hasMessageContaining(otherInstallation)
                .hasMessageContaining("does not terminate it");
        assertThat(provider.find("op-shared-2", context())).isEmpty();
        MachineStatus mine = provider.create(request("op-shared-2", "trainer-0"), context());
        assertThat(mine.handle().machineId()).isNotEqualTo(otherInstallation);
        assertThat(liveInstances()).extracting(Instance::instanceId).containsExactlyInAnyOrder(otherInstallation, mine.handle().machineId());

        String renamed = launchTagged("op-before-rename", tag(AwsProvisioner.PROVIDER_TAG, "aws-before"),
                tag(MachineLabels.INSTALLATION, INSTALLATION));
        assertThat(provider.find("op-before-rename", context())).hasValueSatisfying(f -> assertThat(f.handle().machineId())
                .isEqualTo(renamed));
        assertThat(provider.create(request("op-before-rename", "trainer-1"), context()).handle().machineId()).isEqualTo(renamed);
        provider.delete(new MachineHandle("aws", renamed, Map.of("region", "eu-central-1")), context());
        assertThat(liveInstances()).extracting(Instance::instanceId).doesNotContain(renamed);
    }

    /**
     * EC2's tag filter takes {@code *} and {@code ?} in a value for wildcards: an operation id holding one matches other
     * operations' instances. find and create check the tag's value exactly. Before, find("op-wild-*") reported the instance
     * of op-wild-1, and a create of op-wild-? returned it instead of launching.
     */
    @Test
    void anOperationIdWithWildcardsMatchesOnlyItsOwnInstance() {
        MachineStatus first = provider.create(request("op-wild-1", "trainer-0"), context());
        assertThat(provider.find("op-wild-*", context())).isEmpty();
        MachineStatus wild = provider.create(request("op-wild-?", "trainer-1"), context());
        assertThat(wild.handle().machineId()).isNotEqualTo(first.handle().machineId());
        assertThat(wild.labels()).containsEntry(MachineLabels.OPERATION, "op-wild-?");
        assertThat(provider.find("op-wild-?", context())).hasValueSatisfying(f -> assertThat(f.handle().machineId())
                .isEqualTo(wild.handle().machineId()));
        assertThat(liveInstances()).hasSize(2);
    }

    private String launchTagged(String operation, Tag... extra) {
        List<Tag> tags = new ArrayList<>(List.of(tag(MachineLabels.DEPLOYMENT, "d-000001"), tag(MachineLabels.MEMBER, "trainer-0"),
                tag(MachineLabels.TENANT, "bank-risk"), tag(MachineLabels.OPERATION, operation)));
        tags.addAll(List.of(extra));
        return direct.runInstances(b -> b.imageId("ami-03cf127a").instanceType("p4d.24xlarge").minCount(1).maxCount(1)
                .placement(p -> p.availabilityZone("eu-central-1a")).tagSpecifications(t -> t.resourceType(ResourceType.INSTANCE).tags(tags)))
                .instances().get(0).instanceId();
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }

    @Test
    void targetsThatAreNotItsOffersAreRefusedBeforeAnyCall() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> provider.create(
                new MachineRequest("op", "d", "m", "t", MachineTarget.node("aws:i-1"), resources(), Map.of()), context()))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("launches from capacity offers");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> provider.create(
                new MachineRequest("op", "d", "m", "t", MachineTarget.offer("openstack:az1:m1"), resources(), Map.of()), context()))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("not an offer of AWS provider aws");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> provider.create(
                new MachineRequest("op", "d", "m", "t", MachineTarget.offer("aws:ap-south-1a:p4d.24xlarge"), resources(), Map.of()), context()))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("none of the regions");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> provider.create(
                new MachineRequest("op", "d", "m", "t", MachineTarget.offer("aws:eu-central-1a:m5.large"), resources(), Map.of()), context()))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("not one of the GPU types");
        assertThat(liveInstances()).isEmpty();
    }

    static final String INSTALLATION = "4c2f0e1a-strata-test";

    static MachineRequest request(String operation, String member) {
        return new MachineRequest(operation, "dep-1", member, "bank-risk", MachineTarget.offer(P4D_EU), resources(), Map.of(), INSTALLATION);
    }

    static MachineResources resources() {
        return new MachineResources(96_000, 1L << 40, 8, List.of(), null);
    }

    static DiscoveryContext context() {
        return DiscoveryContext.withTimeout("test", Duration.ofSeconds(60));
    }

    private List<Instance> liveInstances() {
        List<Instance> out = new ArrayList<>();
        direct.describeInstances().reservations().forEach(r -> r.instances().stream()
                .filter(i -> i.state().name() != InstanceStateName.TERMINATED && i.state().name() != InstanceStateName.SHUTTING_DOWN)
                .forEach(out::add));
        return out;
    }

    private static Map<String, String> tags(Instance instance) {
        Map<String, String> tags = new java.util.HashMap<>();
        instance.tags().forEach(t -> tags.put(t.key(), t.value()));
        return tags;
    }
}
