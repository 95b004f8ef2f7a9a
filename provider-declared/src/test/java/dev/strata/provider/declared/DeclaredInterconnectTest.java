package dev.strata.provider.declared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.model.Accelerator;
import org.junit.jupiter.api.Test;

/**
 * A model's {@code gpus.interconnect}: NodeModel.Gpus documents it as NVSwitch, NVLink, or left out "when
 * GPUs talk over PCIe only", and the reader's own message for nvlinkGBps says to give "neither for
 * GPUs joined by PCIe only". Any other text was taken as an NVLink interconnect all the same.
 */
class DeclaredInterconnectTest {

    private final InventoryDocumentReader reader = InventoryDocumentReader.withBuiltInCatalogue();

    private static String inventory(String interconnect) {
        return """
                sites: [{id: s1, country: DE}]
                models:
                  l40s-pcie:
                    cpu: {sockets: 2, coresPerSocket: 32, threadsPerCore: 2}
                    memory: 512GiB
                    gpus: {count: 4, model: NVIDIA L40S, memory: 48GiB, powerLimit: 350W%s}
                nodes:
                  - {id: n1, model: l40s-pcie, site: s1}
                """.formatted(interconnect);
    }

    /**
     * An operator who writes how four L40S cards are joined, {@code interconnect: PCIe}, got GPUs in an
     * NVLink domain ({@code n1/nvlink}), which placement then offered to a contract that asks for NVLink.
     * The file is refused, naming the field and what it takes.
     */
    @Test
    void anInterconnectThatIsNotNvLinkIsRefused() {
        for (String value : new String[] {"PCIe", "none", "NVLink 4", "''"}) {
            assertThatThrownBy(() -> reader.read(inventory(", interconnect: " + value), "inv.yaml", "declared")).as(value)
                    .isInstanceOf(ProviderFailureException.class)
                    .hasMessage("declared inventory inv.yaml has 1 error:\n  line 6, models.l40s-pcie.gpus.interconnect: '" + value.replace("''", "")
                            + "'; expected NVSwitch or NVLink; leave it out for GPUs joined by PCIe only");
        }
    }

    /** NVSwitch and NVLink are taken in any case and kept in their own spelling; left out, the GPUs have no NVLink domain. */
    @Test
    void nvSwitchAndNvLinkAreTakenInAnyCaseAndLeftOutMeansNoDomain() {
        for (String[] given : new String[][] {{"NVSwitch", "NVSwitch"}, {"nvswitch", "NVSwitch"}, {"NVLink", "NVLink"}, {"NVLINK", "NVLink"}}) {
            String text = inventory(", interconnect: " + given[0]);
            assertThat(reader.withModels(text, "inv.yaml").model("l40s-pcie").gpus().interconnect()).as(given[0]).isEqualTo(given[1]);
            assertThat(reader.read(text, "inv.yaml", "declared").nodes().get(0).accelerators()).as(given[0]).hasSize(4)
                    .extracting(Accelerator::interconnectDomain).containsOnly("n1/nvlink");
        }
        assertThat(reader.read(inventory(""), "inv.yaml", "declared").nodes().get(0).accelerators()).hasSize(4)
                .extracting(Accelerator::interconnectDomain).containsOnlyNulls();
    }
}
