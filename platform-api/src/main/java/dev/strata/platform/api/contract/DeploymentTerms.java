package dev.strata.platform.api.contract;

import java.util.Map;
import java.util.Objects;

/**
 * How a contract is deployed once placed: the {@code deployment} clause of a contract document.
 *
 * @param onMachineLoss what to do when a machine disappears behind Strata's back
 * @param parameters provisioning parameters for every member ({@code image}, {@code bootDevice},
 *     {@code virtualMedia}, ...), passed to the provider of each member's node or offer; a
 *     member's own {@link Member#provisioning()} wins over these; never a credential
 */
public record DeploymentTerms(OnMachineLoss onMachineLoss, Map<String, String> parameters) {

    /** No parameters; a lost machine degrades the deployment (Strata makes no machine it was not asked for). */
    public static final DeploymentTerms DEFAULT = new DeploymentTerms(OnMachineLoss.DEGRADE, Map.of());

    public DeploymentTerms {
        Objects.requireNonNull(onMachineLoss, "deployment.onMachineLoss");
        parameters = Map.copyOf(Objects.requireNonNull(parameters, "deployment.parameters"));
    }
}
