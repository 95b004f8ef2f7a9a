package dev.strata.platform.core.deployment;

import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineTarget;
import dev.strata.platform.testkit.ProvisioningProviderContract;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The scripted provider the engine's tests use keeps every promise of the provisioning SPI, as the kit checks them. */
class ScriptedProviderContractTest extends ProvisioningProviderContract<ScriptedProvider> {

    private final ScriptedProvider.Vendor vendor = new ScriptedProvider.Vendor();

    @Override
    protected ScriptedProvider createProvider() {
        return new ScriptedProvider("lab", vendor);
    }

    @Override
    protected Optional<ScriptedProvider> createBrokenProvider() {
        ScriptedProvider broken = new ScriptedProvider("lab", vendor);
        broken.unavailable = true;
        return Optional.of(broken);
    }

    /**
     * Not a test here: the kit's check scans every class beside the provider's, which for a test
     * double inside platform-core's tests are the core's own tests (they build records positionally
     * to test them). The check holds for the provider bundles, whose contract tests run it.
     */
    @Override
    public void theProviderMakesModelRecordsWithTheirBuilders() {
    }

    @Override
    protected String providerId() {
        return "lab";
    }

    @Override
    protected MachineRequest request(String operationId) {
        return new MachineRequest(operationId, "d-kit", "worker-0", "tenant-a", MachineTarget.node("lab:n1"),
                new MachineResources(4000, 8L << 30, 0, List.of(), null), Map.of());
    }
}
