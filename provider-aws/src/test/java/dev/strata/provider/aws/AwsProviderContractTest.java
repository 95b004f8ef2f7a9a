package dev.strata.provider.aws;

import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.platform.testkit.ComputeProviderContract;
import dev.strata.platform.testkit.FabricProviderContract;
import dev.strata.platform.testkit.ProvisioningProviderContract;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;

/**
 * The compute, fabric and provisioning contracts of the test kit, run on the AWS provider against
 * moto (the EC2 emulator in server mode, reset before each test). The broken provider points at a
 * port where nothing listens.
 */
class AwsProviderContractTest {

    private Moto moto;

    @BeforeEach
    void emulator() {
        moto = Moto.shared();
        moto.reset();
    }

    AwsProvider provider() {
        return new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto)), Clock.systemUTC());
    }

    Optional<AwsProvider> unreachable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        return Optional.of(new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "endpoint", "http://127.0.0.1:" + port,
                "requestTimeout", "5s")), Clock.systemUTC()));
    }

    @Nested
    class Compute extends ComputeProviderContract<AwsProvider> {
        @Override
        protected AwsProvider createProvider() {
            return provider();
        }

        @Override
        protected Optional<AwsProvider> createBrokenProvider() throws IOException {
            return unreachable();
        }

        @Override
        protected void release(AwsProvider provider) {
            provider.deactivate();
        }

        @Override
        protected String providerId() {
            return "aws";
        }

        @Override
        protected java.util.Collection<String> secrets() {
            return java.util.List.of(TestConfigs.SECRET_ACCESS_KEY);
        }

        @Override
        protected Duration callTimeout() {
            return Duration.ofSeconds(60);
        }
    }

    @Nested
    class Fabric extends FabricProviderContract<AwsProvider> {
        @Override
        protected AwsProvider createProvider() {
            return provider();
        }

        @Override
        protected Optional<AwsProvider> createBrokenProvider() throws IOException {
            return unreachable();
        }

        @Override
        protected void release(AwsProvider provider) {
            provider.deactivate();
        }

        @Override
        protected String providerId() {
            return "aws";
        }

        @Override
        protected java.util.Collection<String> secrets() {
            return java.util.List.of(TestConfigs.SECRET_ACCESS_KEY);
        }

        @Override
        protected Duration callTimeout() {
            return Duration.ofSeconds(60);
        }
    }

    @Nested
    class Provisioning extends ProvisioningProviderContract<AwsProvider> {
        @Override
        protected AwsProvider createProvider() {
            return provider();
        }

        @Override
        protected Optional<AwsProvider> createBrokenProvider() throws IOException {
            return unreachable();
        }

        @Override
        protected void release(AwsProvider provider) {
            provider.deactivate();
        }

        @Override
        protected String providerId() {
            return "aws";
        }

        @Override
        protected java.util.Collection<String> secrets() {
            return java.util.List.of(TestConfigs.SECRET_ACCESS_KEY);
        }

        @Override
        protected MachineRequest request(String operationId) {
            return new MachineRequest(operationId, "contract", "member-0", "testkit", MachineTarget.offer("aws:eu-central-1a:p4d.24xlarge"),
                    AwsProviderMotoTest.resources(), Map.of());
        }

        @Override
        protected Duration callTimeout() {
            return Duration.ofSeconds(60);
        }
    }
}
