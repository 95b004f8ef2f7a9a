package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.provisioning.MachineHandle;
import dev.strata.platform.api.provisioning.MachineRequest;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.api.provisioning.MachineTarget;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults of a real cloud: Nova answering 500 (its API database lost a table), and a server stuck
 * in BUILD (Nova's conductor stopped): clear errors within bounded waits, nothing leaked.
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
