package dev.strata.platform.api.provisioning;

import dev.strata.platform.api.provider.DiscoveryContext;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The provisioning SPI: makes a machine for a member that placement bound to one of the
 * provider's nodes (bare metal through its BMC, a hypervisor) or capacity offers (a cloud
 * instance type in a zone), reports it, and takes it away.
 *
 * <p>Obligations, in addition to those of {@link dev.strata.platform.api.provider.ComputeProvider}
 * (bounded by the context's deadline, interruption honoured, only portable exceptions, thread-safe):
 * <ul>
 * <li><b>Idempotent by operation id.</b> The core chooses {@link MachineRequest#operationId()}
 *     and stores it durably <em>before</em> calling {@link #create}. A repeated call with the same
 *     operation id, from this or a later bundle version, after a crash or a timeout, has the effect
 *     of one call: before acting, the provider looks for a machine it already made for that
 *     operation (by the tags, metadata or state it wrote on the vendor's side) and returns it.</li>
 * <li><b>Asynchronous.</b> {@link #create} and {@link #delete} start the change and return the
 *     state reached by the deadline ({@link MachineState#PENDING} or {@link MachineState#DELETING}
 *     are normal answers); the core polls {@link #describe} until the machine settles.</li>
 * <li><b>Stateless with respect to the platform.</b> Whatever the provider needs to find the
 *     machine again is in the {@link MachineHandle} it returns; the core persists it.</li>
 * <li><b>Labelled.</b> Every machine carries the deployment, member, tenant and operation id,
 *     and the installation id where the request has one ({@link MachineRequest#labels()}: tags,
 *     metadata, or the provider's own record on the BMC) so that {@link #machines} can list what
 *     Strata made, with those labels, and nothing is leaked. The core reaps only its own
 *     installation's machines; a provider that reads labels back by a fixed list of keys must
 *     include {@link MachineLabels#INSTALLATION}.</li>
 * <li><b>Retryable once the machine exists.</b> When the vendor has accepted a create (the
 *     machine exists or may exist), a later failure inside the same {@link #create} call (a
 *     failing read, a tagging call, the provider's own journal) is thrown as
 *     {@link dev.strata.platform.api.exception.ProviderUnavailableException} or
 *     {@link dev.strata.platform.api.exception.ProviderTimeoutException}, never as a refusal:
 *     the core marks an operation that was refused as failed, and the machine would be reaped as
 *     a leak, while a retryable error makes it repeat the call with the same operation id.</li>
 * </ul>
 * Register implementations as OSGi services with the properties of
 * {@link dev.strata.platform.api.provider.ProviderProperties}; the provider id is the one its
 * compute provider reports on the nodes and offers it provisions.
 */
@ConsumerType
public interface ProvisioningProvider {

    /**
     * Creates the machine for a bound member, or returns the one already made for the same
     * operation id.
     *
     * @param request what to make, keyed by its operation id
     * @param context deadline (the operation id of the context is for logging only)
     * @return the machine's state when the call returns; never null
     * @throws dev.strata.platform.api.exception.NotFoundException when the target node or offer
     *     is not the provider's
     * @throws dev.strata.platform.api.exception.ProviderFailureException when the vendor refuses
     *     (quota, no capacity, invalid parameters); the message says why
     * @throws dev.strata.platform.api.exception.ProviderTimeoutException when the deadline passes
     *     before the vendor answered; the core repeats the call with the same operation id
     * @throws dev.strata.platform.api.exception.ProviderUnavailableException when the vendor
     *     cannot be reached
     */
    MachineStatus create(MachineRequest request, DiscoveryContext context);

    /**
     * Reports a machine's current state.
     *
     * @return its state; {@link MachineState#GONE} when it no longer exists
     */
    MachineStatus describe(MachineHandle handle, DiscoveryContext context);

    /**
     * Finds the machine made for an operation id, for a core that crashed after calling
     * {@link #create} and before storing the handle.
     *
     * @return the machine, or empty when the provider made none for that operation (or it is gone)
     */
    Optional<MachineStatus> find(String operationId, DiscoveryContext context);

    /**
     * Every machine this provider made for Strata and that still exists (deleting ones included),
     * with the labels it was created with.
     */
    List<MachineStatus> machines(DiscoveryContext context);

    /**
     * Deletes a machine (powers it off and clears what provisioning set, for bare metal).
     * Idempotent: deleting a machine that is gone returns {@link MachineState#GONE}.
     *
     * @return the state when the call returns: {@link MachineState#DELETING} or {@link MachineState#GONE}
     */
    MachineStatus delete(MachineHandle handle, DiscoveryContext context);
}
