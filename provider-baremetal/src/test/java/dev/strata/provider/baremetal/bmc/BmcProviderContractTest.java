package dev.strata.provider.baremetal.bmc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.platform.testkit.ComputeProviderContract;
import dev.strata.platform.testkit.ProvisioningProviderContract;
import dev.strata.platform.testkit.SpiContract;
import dev.strata.provider.baremetal.peers.Peers;
import dev.strata.provider.baremetal.peers.SushyEmulator;
import dev.strata.provider.baremetal.peers.SushyEmulator.FakeSystem;
import dev.strata.provider.baremetal.peers.TestBmcs;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The compute and provisioning contracts of the test kit, run on the BMC provider against
 * sushy-emulator (the real Redfish peer with its fake driver: power changes land 1-11 s after the
 * request). Two fake systems; the provisioning contract provisions the one that starts powered
 * off. The broken provider's BMC is a port where nothing listens: its node is reported
 * UNAVAILABLE with the reason, which is the provider's documented answer instead of an exception.
 * The emulator is started and stopped here, around both contracts, so the kit's extension masks the
 * password in a failure of {@link #start()} and {@link #stop()} too.
 */
@ExtendWith(SpiContract.NestedContractSecrets.class)
class BmcProviderContractTest {

    static final String USER = "strata";
    static final String PASSWORD = "contract-Pa55";
    static final FakeSystem TARGET = new FakeSystem("5e1f0c2a-7d3b-4c9e-8a6f-000000000001", "contract-0", "Off", "52:54:00:00:09:01");
    static final FakeSystem OTHER = new FakeSystem("5e1f0c2a-7d3b-4c9e-8a6f-000000000002", "contract-1", "On", "52:54:00:00:09:02");

    static SushyEmulator emulator;
    static Path journal;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Peers.workDir("contract");
        journal = Files.createDirectories(dir.resolve("journal"));
        emulator = SushyEmulator.start(dir, List.of(TARGET, OTHER), USER, PASSWORD, null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (emulator != null) {
            emulator.close();
        }
    }

    static BmcProvider provider() {
        BmcProvider provider = new BmcProvider(journal, 4, Duration.ofSeconds(20), Duration.ofSeconds(60), Clock.systemUTC());
        Map<String, Object> config = TestBmcs.redfish("sushy", emulator.address(), USER, PASSWORD);
        config.put("powerDomain", "contract-rack"); // as the README configures a BMC: its rack is declared in the inventory
        provider.bind(TestBmcs.bmc(config));
        return provider;
    }

    static Optional<BmcProvider> unreachable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        BmcProvider provider = new BmcProvider(journal, 4, Duration.ofSeconds(5), Duration.ofSeconds(10), Clock.systemUTC());
        provider.bind(TestBmcs.bmc(TestBmcs.redfish("gone", "http://127.0.0.1:" + port, USER, PASSWORD)));
        return Optional.of(provider);
    }

    @Nested
    class Compute extends ComputeProviderContract<BmcProvider> {
        @Override
        protected BmcProvider createProvider() {
            return provider();
        }

        @Override
        protected Optional<BmcProvider> createBrokenProvider() throws Exception {
            return unreachable();
        }

        @Override
        protected void brokenProviderAnswered(Object result) {
            ComputeSnapshot snapshot = (ComputeSnapshot) result;
            assertThat(snapshot.nodes()).as("the unreachable BMC's node").hasSize(1);
            assertThat(snapshot.nodes().get(0).state()).isEqualTo(ResourceState.UNAVAILABLE);
            assertThat(snapshot.nodes().get(0).attributes().get(NodeTemplate.ERROR)).contains("BMC gone").doesNotContain(PASSWORD);
        }

        @Override
        protected void release(BmcProvider provider) {
            provider.close();
        }

        @Override
        protected String providerId() {
            return BmcProvider.ID;
        }

        @Override
        protected java.util.Collection<String> secrets() {
            return List.of(PASSWORD);
        }

        @Override
        protected Duration callTimeout() {
            return Duration.ofSeconds(60);
        }
    }

    @Nested
    class Provisioning extends ProvisioningProviderContract<BmcProvider> {
        @Override
        protected BmcProvider createProvider() {
            return provider();
        }

        @Override
        protected Optional<BmcProvider> createBrokenProvider() throws Exception {
            return unreachable();
        }

        @Override
        protected void release(BmcProvider provider) {
            provider.close();
        }

        @Override
        protected String providerId() {
            return BmcProvider.ID;
        }

        @Override
        protected java.util.Collection<String> secrets() {
            return List.of(PASSWORD);
        }

        @Override
        protected MachineRequest request(String operationId) {
            return new MachineRequest(operationId, "contract", "member-0", "testkit", MachineTarget.node("bmc:" + TARGET.uuid()),
                    new MachineResources(1000, 1L << 30, 0, List.of(), null), Map.of());
        }

        @Override
        protected Duration callTimeout() {
            return Duration.ofSeconds(60);
        }

        @Override
        protected Duration settleTimeout() {
            return Duration.ofSeconds(60);
        }
    }
}
