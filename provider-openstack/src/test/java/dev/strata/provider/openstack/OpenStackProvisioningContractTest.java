package dev.strata.provider.openstack;

import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.platform.testkit.ProvisioningProviderContract;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provisioning contract of the test kit, run on the OpenStack provider against the all-in-one
 * cloud: real Nova servers on its compute host, one flavor made for them, each deleted after.
 */
class OpenStackProvisioningContractTest extends ProvisioningProviderContract<OpenStackCloudProvider> {

    AllInOne aio;
    @TempDir
    Path dir;

    @BeforeEach
    void cloud() {
        aio = AllInOne.get();
    }

    @Override
    protected OpenStackCloudProvider createProvider() {
        return new OpenStackCloudProvider(TestClouds.config(aio.config("aio")));
    }

    @Override
    protected Optional<OpenStackCloudProvider> createBrokenProvider() {
        return Optional.of(new OpenStackCloudProvider(TestClouds.config(
                TestClouds.passwordConfig(dir, "http://127.0.0.1:" + Peers.freePort() + "/v3", "not-the-password"))));
    }

    @Override
    protected void release(OpenStackCloudProvider provider) {
        provider.deactivate();
    }

    @Override
    protected String providerId() {
        return "aio";
    }

    /** The all-in-one's admin password, and the broken provider's: neither shown in any description, answer, message or log. */
    @Override
    protected java.util.Collection<String> secrets() {
        return List.of(aio.password(), "not-the-password");
    }

    @Override
    protected MachineRequest request(String operationId) {
        return new MachineRequest(operationId, "contract", "member-0", "testkit", MachineTarget.node("aio:" + aio.computeHost()),
                new MachineResources(1000, 512L << 20, 0, List.of(), null), Map.of());
    }

    @Override
    protected Duration callTimeout() {
        return Duration.ofSeconds(120);
    }

    @Override
    protected Duration settleTimeout() {
        return Duration.ofSeconds(180);
    }
}
