package dev.strata.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The paths moto does not exercise, each tested through {@link Ec2Proxy} in front of moto:
 * paging (moto ignores MaxResults), EFA interfaces and placement groups (moto accepts and drops
 * them), the client token (moto does not honour it) and faults (an emulator that answers 500,
 * 401, hangs, loses an answer, or is gone).
 */
class MotoGapsTest {

    private Moto moto;
    private Ec2Proxy proxy;
    private AwsProvider provider;
    private Ec2Client direct;

    @BeforeEach
    void start() {
        moto = Moto.shared();
        moto.reset();
        proxy = new Ec2Proxy(moto.endpoint());
        provider = provider(Map.of());
        direct = Ec2Client.builder().region(Region.EU_CENTRAL_1).endpointOverride(moto.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAOTHER", "other")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterEach
    void stop() {
        provider.deactivate();
        proxy.close();
        direct.close();
    }

    private AwsProvider provider(Map<String, Object> extra) {
        Map<String, Object> config = TestConfigs.moto(moto, "endpoint", proxy.endpoint().toString(), "regions", "eu-central-1");
        config.putAll(extra);
        return new AwsProvider(TestConfigs.settings(config), Clock.systemUTC());
    }

    @Test
    void pagedAnswersGiveTheSameInventoryAsWholeOnes() {
        ComputeSnapshot whole = provider.discoverCompute(context(60));
        assertThat(proxy.calls()).noneMatch(c -> c.params().containsKey("NextToken"));
        provider.deactivate();
        provider = provider(Map.of());
        proxy.pageSize(7);
        ComputeSnapshot paged = provider.discoverCompute(context(120));
        assertThat(paged.offers()).extracting(CapacityOffer::id).containsExactlyElementsOf(whole.offers().stream().map(CapacityOffer::id).toList());
        assertThat(paged.offers()).isNotEmpty();
        assertThat(proxy.calls("DescribeInstanceTypeOfferings")).anyMatch(c -> "page-1".equals(c.params().get("NextToken")));
        assertThat(proxy.calls("DescribeInstanceTypes")).anyMatch(c -> c.params().containsKey("NextToken"));

        for (int i = 0; i < 5; i++) {
            provider.create(AwsProviderMotoTest.request("page-" + i, "m-" + i), context(60));
        }
        proxy.pageSize(2);
        assertThat(provider.machines(context(60))).hasSize(5);
        assertThat(provider.discoverCompute(context(60)).nodes()).hasSize(5);
        assertThat(proxy.calls("DescribeInstances")).anyMatch(c -> "page-2".equals(c.params().get("NextToken")));
    }

    @Test
    void efaTypesAreLaunchedWithOneEfaInterfacePerNetworkCard() {
        // moto accepts EFA interface specifications but does not model them: check what the provider sent
        provider.create(AwsProviderMotoTest.request("efa-all", "m-0"), context(60));
        Map<String, String> run = proxy.calls("RunInstances").get(0).params();
        String subnet = direct.describeSubnets(b -> b.filters(f -> f.name("availability-zone").values("eu-central-1a"),
                f -> f.name("default-for-az").values("true"))).subnets().get(0).subnetId();
        for (int card = 0; card < 4; card++) { // p4d.24xlarge: 4 network cards, up to 4 EFA interfaces
            String prefix = "NetworkInterface." + (card + 1) + ".";
            assertThat(run).containsEntry(prefix + "InterfaceType", "efa")
                    .containsEntry(prefix + "NetworkCardIndex", String.valueOf(card))
                    .containsEntry(prefix + "DeviceIndex", card == 0 ? "0" : "1")
                    .containsEntry(prefix + "SubnetId", subnet);
        }
        assertThat(run).doesNotContainKey("NetworkInterface.5.InterfaceType").doesNotContainKey("SubnetId");

        provider.create(new MachineRequest("efa-one", "dep-1", "m-1", "bank-risk", MachineTarget.offer("aws:eu-central-1a:p4d.24xlarge"),
                AwsProviderMotoTest.resources(), Map.of("efa", "one")), context(60));
        Map<String, String> one = proxy.calls("RunInstances").get(1).params();
        assertThat(one).containsEntry("NetworkInterface.1.InterfaceType", "efa").doesNotContainKey("NetworkInterface.2.InterfaceType");

        provider.create(new MachineRequest("efa-off", "dep-1", "m-2", "bank-risk", MachineTarget.offer("aws:eu-central-1a:p4d.24xlarge"),
                AwsProviderMotoTest.resources(), Map.of("efa", "off", "placementGroup", "train-cluster")), context(60));
        Map<String, String> off = proxy.calls("RunInstances").get(2).params();
        assertThat(off).doesNotContainKey("NetworkInterface.1.InterfaceType");
        // moto ignores placement groups on RunInstances (and answers 500 to creating one): the provider passes a named group through
        assertThat(off).containsEntry("Placement.GroupName", "train-cluster").containsEntry("Placement.AvailabilityZone", "eu-central-1a");

        provider.create(new MachineRequest("no-efa", "dep-1", "m-3", "bank-risk", MachineTarget.offer("aws:eu-central-1a:g5.xlarge"),
                AwsProviderMotoTest.resources(), Map.of()), context(60));
        assertThat(proxy.calls("RunInstances").get(3).params()).doesNotContainKey("NetworkInterface.1.InterfaceType");
    }

    @Test
    void aLostRunInstancesAnswerIsRepeatedWithoutASecondInstance() {
        // moto acts on RunInstances, then the answer is lost: the caller cannot know the instance exists
        proxy.inject(call -> call.action().equals("RunInstances") ? Ec2Proxy.Answer.lost() : null);
        assertThatThrownBy(() -> provider.create(AwsProviderMotoTest.request("op-lost-answer", "m-0"), context(20)))
                .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("RunInstances");
        int attempts = proxy.calls("RunInstances").size();
        assertThat(attempts).isGreaterThanOrEqualTo(1);
        // moto does not honour the client token: the SDK's own retries of the lost call each made an instance
        List<String> tokens = proxy.calls("RunInstances").stream().map(c -> c.params().get("ClientToken")).distinct().toList();
        assertThat(tokens).containsExactly(Ids.clientToken("aws", "op-lost-answer"));
        proxy.inject(call -> null);
        int before = live();
        assertThat(before).isEqualTo(attempts);
        MachineStatus repeated = provider.create(AwsProviderMotoTest.request("op-lost-answer", "m-0"), context(60));
        // the repeat found the operation's instance by its tag and launched nothing; duplicates made by retries are terminated
        assertThat(proxy.calls("RunInstances")).hasSize(attempts);
        assertThat(live()).isEqualTo(1);
        assertThat(repeated.labels()).containsEntry("strata:operation", "op-lost-answer");
    }

    @Test
    void aRunInstancesAnswerWithoutTheInstanceIsRetryableAndTheRepeatLaunchesOnce() {
        // EC2 accepted the launch (HTTP 200) but its answer names no instance: the instance may exist
        String noInstance = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><RunInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                + "<requestId>injected</requestId><reservationId>r-0123456789abcdef0</reservationId><ownerId>123456789012</ownerId>"
                + "<groupSet/><instancesSet>%s</instancesSet></RunInstancesResponse>";
        for (String instances : List.of("", "<item><instanceState><code>0</code><name>pending</name></instanceState></item>")) {
            proxy.inject(call -> call.action().equals("RunInstances") ? new Ec2Proxy.Answer(200, noInstance.formatted(instances), Duration.ZERO) : null);
            assertThatThrownBy(() -> provider.create(AwsProviderMotoTest.request("op-no-instance", "m-0"), context(30)))
                    .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("RunInstances").hasMessageContaining("answered without");
        }
        proxy.inject(call -> null);
        MachineStatus made = provider.create(AwsProviderMotoTest.request("op-no-instance", "m-0"), context(60));
        assertThat(made.labels()).containsEntry("strata:operation", "op-no-instance");
        assertThat(live()).isEqualTo(1);
    }

    @Test
    void aDuplicateThatCannotBeTerminatedLeavesTheCreateRetryable() {
        // two instances carry one operation (EC2 refuses to terminate the later one): the operation's instance exists
        List<String> made = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            made.add(direct.runInstances(b -> b.imageId("ami-03cf127a").instanceType("p4d.24xlarge").minCount(1).maxCount(1)
                    .placement(p -> p.availabilityZone("eu-central-1a"))
                    .tagSpecifications(t -> t.resourceType("instance").tags(
                            software.amazon.awssdk.services.ec2.model.Tag.builder().key("strata:operation").value("op-dup").build(),
                            software.amazon.awssdk.services.ec2.model.Tag.builder().key("strata:deployment").value("dep-1").build(),
                            software.amazon.awssdk.services.ec2.model.Tag.builder().key("strata:member").value("m-0").build())))
                    .instances().get(0).instanceId());
        }
        proxy.inject(call -> call.action().equals("TerminateInstances") ? Ec2Proxy.Answer.error(400, "OperationNotPermitted",
                "The instance may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.") : null);
        assertThatThrownBy(() -> provider.create(AwsProviderMotoTest.request("op-dup", "m-0"), context(30)))
                .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("OperationNotPermitted")
                .hasMessageContaining("terminating its duplicate");
        assertThat(live()).isEqualTo(2);
        // the repeat terminates the duplicate and returns the instance it keeps; it launches nothing
        proxy.inject(call -> null);
        MachineStatus kept = provider.create(AwsProviderMotoTest.request("op-dup", "m-0"), context(60));
        assertThat(made).contains(kept.handle().machineId());
        assertThat(live()).isEqualTo(1);
        assertThat(proxy.calls("RunInstances")).isEmpty();
    }

    /**
     * Two instances carry one operation, and TerminateInstances does not know the later one yet while DescribeInstances lists
     * it (EC2's APIs are eventually consistent with each other): nothing was terminated, so the create is repeated, and the
     * repeat terminates the duplicate. Before, the create answered with the instance it keeps and the duplicate ran on,
     * unseen: no later create of the operation looks again, and leak reaping leaves a machine of the member's current
     * operation alone.
     */
    @Test
    void aDuplicateTerminateInstancesDoesNotKnowYetLeavesTheCreateRetryable() {
        List<String> made = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            made.add(direct.runInstances(b -> b.imageId("ami-03cf127a").instanceType("p4d.24xlarge").minCount(1).maxCount(1)
                    .placement(p -> p.availabilityZone("eu-central-1a"))
                    .tagSpecifications(t -> t.resourceType("instance").tags(
                            software.amazon.awssdk.services.ec2.model.Tag.builder().key("strata:operation").value("op-dup-unknown").build(),
                            software.amazon.awssdk.services.ec2.model.Tag.builder().key("strata:deployment").value("dep-1").build(),
                            software.amazon.awssdk.services.ec2.model.Tag.builder().key("strata:member").value("m-0").build())))
                    .instances().get(0).instanceId());
        }
        proxy.inject(call -> call.action().equals("TerminateInstances") ? Ec2Proxy.Answer.error(400, "InvalidInstanceID.NotFound",
                "The instance ID '" + call.params().get("InstanceId.1") + "' does not exist") : null);
        assertThatThrownBy(() -> provider.create(AwsProviderMotoTest.request("op-dup-unknown", "m-0"), context(30)))
                .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("TerminateInstances does not know its duplicate")
                .hasMessageContaining("the create is to be repeated");
        assertThat(proxy.calls("TerminateInstances")).isNotEmpty();
        assertThat(live()).isEqualTo(2);
        proxy.inject(call -> null);
        MachineStatus kept = provider.create(AwsProviderMotoTest.request("op-dup-unknown", "m-0"), context(60));
        assertThat(made).contains(kept.handle().machineId());
        assertThat(live()).isEqualTo(1);
        assertThat(proxy.calls("RunInstances")).isEmpty();
    }

    /**
     * Two instances carry one operation and the earlier one was stopped outside Strata (moto stops an instance at once; EC2
     * shows it stopping, then stopped): the running one is kept and the stopped one terminated. Before, the earliest was kept
     * whatever its state, so the member was bound to the stopped instance and the running one was terminated.
     */
    @Test
    void aDuplicateThatRunsIsKeptBeforeAnEarlierOneStoppedOutsideStrata() {
        List<String> made = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            made.add(launchTagged("op-dup-stopped"));
        }
        // earliest as the provider orders them: by launch time, then id (moto's launch times are whole seconds)
        made.sort(java.util.Comparator.comparing((String id) -> direct.describeInstances(b -> b.instanceIds(id)).reservations().get(0)
                .instances().get(0).launchTime()).thenComparing(id -> id));
        direct.stopInstances(b -> b.instanceIds(made.get(0)));
        assertThat(state(made.get(0))).isIn("stopping", "stopped");
        MachineStatus kept = provider.create(AwsProviderMotoTest.request("op-dup-stopped", "m-0"), context(60));
        assertThat(kept.handle().machineId()).isEqualTo(made.get(1));
        assertThat(kept.state()).isEqualTo(dev.strata.platform.api.provisioning.MachineState.RUNNING);
        assertThat(state(made.get(1))).isEqualTo("running");
        assertThat(state(made.get(0))).isIn("shutting-down", "terminated");
        assertThat(provider.find("op-dup-stopped", context(60))).hasValueSatisfying(f -> assertThat(f.handle().machineId()).isEqualTo(made.get(1)));
        assertThat(proxy.calls("RunInstances")).isEmpty();
    }

    private String launchTagged(String operation) {
        return direct.runInstances(b -> b.imageId("ami-03cf127a").instanceType("p4d.24xlarge").minCount(1).maxCount(1)
                .placement(p -> p.availabilityZone("eu-central-1a"))
                .tagSpecifications(t -> t.resourceType("instance").tags(
                        software.amazon.awssdk.services.ec2.model.Tag.builder().key("strata:operation").value(operation).build(),
                        software.amazon.awssdk.services.ec2.model.Tag.builder().key("strata:deployment").value("dep-1").build(),
                        software.amazon.awssdk.services.ec2.model.Tag.builder().key("strata:member").value("m-0").build())))
                .instances().get(0).instanceId();
    }

    private String state(String instanceId) {
        return direct.describeInstances(b -> b.instanceIds(instanceId)).reservations().get(0).instances().get(0).state().nameAsString();
    }

    /**
     * EC2 answers IdempotentParameterMismatch to a RunInstances whose client token launched an
     * instance before with other parameters (the image configured for the region changed, a newer
     * core tags more): that instance is the operation's, and EC2 may not list it yet. The create is
     * repeated, and the repeat finds it by its operation tag; a failed create would leave it to leak
     * reaping and give the member a second instance.
     */
    @Test
    void aClientTokenThatLaunchedWithOtherParametersLeavesTheCreateRetryable() {
        proxy.inject(call -> call.action().equals("RunInstances") ? Ec2Proxy.Answer.error(400, "IdempotentParameterMismatch",
                "The request uses the same client token as a previous, but non-identical request.") : null);
        assertThatThrownBy(() -> provider.create(AwsProviderMotoTest.request("op-mismatch", "m-0"), context(30)))
                .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("IdempotentParameterMismatch")
                .hasMessageContaining("RunInstances");
        assertThat(live()).isZero();
        // the instance the token launched before, listed at last: the repeat returns it and launches nothing
        String earlier = direct.runInstances(b -> b.imageId("ami-03cf127a").instanceType("p4d.24xlarge").minCount(1).maxCount(1)
                .placement(p -> p.availabilityZone("eu-central-1a"))
                .tagSpecifications(t -> t.resourceType("instance").tags(
                        software.amazon.awssdk.services.ec2.model.Tag.builder().key("strata:operation").value("op-mismatch").build(),
                        software.amazon.awssdk.services.ec2.model.Tag.builder().key("strata:deployment").value("dep-1").build(),
                        software.amazon.awssdk.services.ec2.model.Tag.builder().key("strata:member").value("m-0").build())))
                .instances().get(0).instanceId();
        proxy.inject(call -> null);
        int launches = proxy.calls("RunInstances").size();
        MachineStatus found = provider.create(AwsProviderMotoTest.request("op-mismatch", "m-0"), context(60));
        assertThat(found.handle().machineId()).isEqualTo(earlier);
        assertThat(proxy.calls("RunInstances")).hasSize(launches);
        assertThat(live()).isEqualTo(1);
    }

    @Test
    void motoDoesNotHonourTheClientTokenWhichIsWhyTheProviderLooksUpByTag() {
        for (int i = 0; i < 2; i++) {
            direct.runInstances(b -> b.imageId("ami-03cf127a").instanceType("g5.xlarge").minCount(1).maxCount(1).clientToken("same-token"));
        }
        assertThat(live()).isEqualTo(2); // real EC2 would return the first instance the second time
    }

    @Test
    void anEmulatorAnswering500IsUnavailableAndLaunchesNothing() {
        proxy.inject(call -> Ec2Proxy.Answer.error(500, "InternalError", "injected"));
        long started = System.nanoTime();
        assertThatThrownBy(() -> provider.discoverCompute(context(30))).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("InternalError").hasMessageContaining("HTTP 500");
        assertThatThrownBy(() -> provider.create(AwsProviderMotoTest.request("op-500", "m-0"), context(30)))
                .isInstanceOf(ProviderUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
        assertThat(live()).isZero();
        // when it recovers, the same operation makes exactly one instance
        proxy.inject(call -> null);
        provider.create(AwsProviderMotoTest.request("op-500", "m-0"), context(60));
        provider.create(AwsProviderMotoTest.request("op-500", "m-0"), context(60));
        assertThat(live()).isEqualTo(1);
    }

    @Test
    void refusalsAndAuthorizationFailuresAreTranslatedAtOnePlace() {
        proxy.inject(call -> call.action().equals("RunInstances")
                ? Ec2Proxy.Answer.error(500, "InsufficientInstanceCapacity", "We currently do not have sufficient p4d.24xlarge capacity") : null);
        assertThatThrownBy(() -> provider.create(AwsProviderMotoTest.request("op-cap", "m-0"), context(30)))
                .isInstanceOf(ProviderFailureException.class).hasMessageContaining("InsufficientInstanceCapacity");
        // EC2 enforces the account's real limits: its refusal is a failure with EC2's code, nothing launched
        proxy.inject(call -> call.action().equals("RunInstances")
                ? Ec2Proxy.Answer.error(400, "VcpuLimitExceeded", "You have requested more vCPU capacity than your current vCPU limit of 96 allows") : null);
        assertThatThrownBy(() -> provider.create(AwsProviderMotoTest.request("op-limit", "m-0"), context(30)))
                .isInstanceOf(ProviderFailureException.class).hasMessageContaining("VcpuLimitExceeded").hasMessageContaining("vCPU limit of 96");
        assertThat(live()).isZero();
        proxy.inject(call -> Ec2Proxy.Answer.error(401, "AuthFailure", "AWS was not able to validate the provided access credentials"));
        // (the JDK's URLConnection hides the body of a 401, so the status alone classifies it)
        assertThatThrownBy(() -> provider.discoverCompute(context(30))).isInstanceOf(AuthorizationException.class)
                .hasMessageContaining("HTTP 401");
        proxy.inject(call -> Ec2Proxy.Answer.error(403, "UnauthorizedOperation", "You are not authorized to perform this operation."));
        assertThatThrownBy(() -> provider.machines(context(30))).isInstanceOf(AuthorizationException.class)
                .hasMessageContaining("HTTP 403");
        proxy.inject(call -> Ec2Proxy.Answer.error(400, "RequestLimitExceeded", "Request limit exceeded."));
        assertThatThrownBy(() -> provider.machines(context(30))).isInstanceOf(ProviderUnavailableException.class);
    }

    /**
     * A create whose offer's type is not in the catalogue yet asks EC2 for that type alone. Only EC2's answer that there is no
     * such type (InvalidInstanceType) refuses the offer as having none; any other failed answer is reported as what it was.
     * Before, every failure was taken for "no instance type": a proxy's error page or a refused parameter refused the member's
     * offer as one the region does not have, naming nothing of what went wrong.
     */
    @Test
    void aFailedInstanceTypeLookupIsReportedAsWhatItWasNotAsNoSuchType() {
        for (Ec2Proxy.Answer answer : List.of(Ec2Proxy.Answer.error(400, "InvalidParameterValue", "The parameter is not valid"),
                new Ec2Proxy.Answer(404, "<html><body><h1>Not Found</h1></body></html>", Duration.ZERO))) {
            proxy.inject(call -> call.action().equals("DescribeInstanceTypes") ? answer : null);
            assertThatThrownBy(() -> provider.create(AwsProviderMotoTest.request("op-type-lookup", "m-0"), context(30)))
                    .isInstanceOf(ProviderFailureException.class).isNotInstanceOf(dev.strata.platform.api.exception.NotFoundException.class)
                    .hasMessageContaining("EC2 DescribeInstanceTypes in eu-central-1 failed: ")
                    .hasMessageContaining(answer.status() == 400 ? "InvalidParameterValue" : "HTTP 404 with no EC2 error")
                    .hasMessageNotContaining("has no instance type");
        }
        assertThat(proxy.calls("RunInstances")).isEmpty();
        proxy.inject(call -> null);
        // EC2 saying that there is no such type still refuses the offer as one the region does not have
        assertThatThrownBy(() -> provider.create(new MachineRequest("op-no-type", "dep-1", "m-0", "bank-risk",
                MachineTarget.offer("aws:eu-central-1a:p9.nonexistent"), AwsProviderMotoTest.resources(), Map.of()), context(30)))
                .isInstanceOf(dev.strata.platform.api.exception.NotFoundException.class)
                .hasMessage("offer aws:eu-central-1a:p9.nonexistent: region eu-central-1 has no instance type p9.nonexistent");
        assertThat(proxy.calls("RunInstances")).isEmpty();
        assertThat(live()).isZero();
    }

    @Test
    void aHangingEmulatorIsBoundedByTheDeadline() {
        proxy.inject(call -> Ec2Proxy.Answer.hang(Duration.ofSeconds(30)));
        long started = System.nanoTime();
        assertThatThrownBy(() -> provider.find("op-x", context(3))).isInstanceOf(ProviderTimeoutException.class)
                .hasMessageContaining("DescribeInstances");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void anEmulatorThatIsGoneIsUnavailableAtOnce() {
        try (Moto own = Moto.start()) {
            AwsProvider onOwn = new AwsProvider(TestConfigs.settings(TestConfigs.moto(own, "regions", "eu-central-1")), Clock.systemUTC());
            try {
                MachineStatus made = onOwn.create(AwsProviderMotoTest.request("op-gone-1", "m-0"), context(60));
                own.close(); // the emulator stops in the middle of the test
                long started = System.nanoTime();
                assertThatThrownBy(() -> onOwn.create(AwsProviderMotoTest.request("op-gone-2", "m-1"), context(20)))
                        .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("could not be reached");
                assertThatThrownBy(() -> onOwn.describe(made.handle(), context(20))).isInstanceOf(ProviderUnavailableException.class);
                assertThatThrownBy(() -> onOwn.discoverCompute(context(20))).isInstanceOf(ProviderUnavailableException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
            } finally {
                onOwn.deactivate();
            }
        }
        // a port nobody listens on
        AwsProvider closed = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "endpoint", "http://127.0.0.1:" + Moto.freePort())),
                Clock.systemUTC());
        try {
            assertThatThrownBy(() -> closed.machines(context(10))).isInstanceOf(ProviderUnavailableException.class)
                    .hasMessageContaining("could not be reached");
        } finally {
            closed.deactivate();
        }
    }

    /**
     * The Name tag the provider makes of the deployment and member is cut to EC2's 256 characters for a tag value (moto does not
     * check it): before, a member whose own name fits a tag made a Name over the limit, and EC2 refused every launch of it
     * ({@code InvalidParameterValue}), a failure no repeat ends.
     */
    @Test
    void theNameTagOfALongMemberNameFitsEc2sTagValueLimit() {
        String member = "m-" + "x".repeat(250);
        MachineStatus made = provider.create(AwsProviderMotoTest.request("op-long-member", member), context(60));

        Map<String, String> sent = proxy.calls("RunInstances").get(0).params();
        Map<String, String> tags = new java.util.HashMap<>();
        for (int i = 1; sent.containsKey("TagSpecification.1.Tag." + i + ".Key"); i++) {
            tags.put(sent.get("TagSpecification.1.Tag." + i + ".Key"), sent.get("TagSpecification.1.Tag." + i + ".Value"));
        }
        assertThat(tags).containsEntry("strata:member", member).containsKey("Name");
        assertThat(tags.values()).allSatisfy(v -> assertThat(v.codePointCount(0, v.length())).isLessThanOrEqualTo(256));
        assertThat(tags.get("Name")).hasSize(256).isEqualTo(("dep-1/" + member).substring(0, 256));
        assertThat(made.labels()).containsEntry("strata:member", member);
    }

    private int live() {
        return (int) direct.describeInstances().reservations().stream().flatMap(r -> r.instances().stream())
                .filter(i -> i.state().nameAsString().equals("running") || i.state().nameAsString().equals("pending")).count();
    }

    private static DiscoveryContext context(int seconds) {
        return DiscoveryContext.withTimeout("test", Duration.ofSeconds(seconds));
    }
}
