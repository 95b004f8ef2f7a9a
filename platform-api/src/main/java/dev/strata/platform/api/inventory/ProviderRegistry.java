package dev.strata.platform.api.inventory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The providers the platform knows, present or recently departed. Offered by the core.
 * Thread-safe.
 */
@ProviderType
public interface ProviderRegistry {

    /** Every known provider, ordered by id. Never blocks. */
    List<ProviderStatus> providers();

    /** The provider with this id, if it is known. Never blocks. */
    Optional<ProviderStatus> provider(String id);

    /**
     * Runs a discovery of one provider now and folds the result into the inventory.
     *
     * <p>When the provider is {@link ProviderState#DEPARTED} (being replaced), waits up to
     * {@code maxWait} for it to return before discovering; a discovery that fails because the
     * provider left while it ran is retried on the new registration within the same bound.
     *
     * @param id the provider id
     * @param maxWait how long to wait for a departed provider to return
     * @return the provider's status after the discovery
     * @throws dev.strata.platform.api.exception.NotFoundException when no provider has that id
     * @throws dev.strata.platform.api.exception.ProviderUnavailableException when it did not return in time
     * @throws dev.strata.platform.api.exception.ProviderTimeoutException when the discovery ran past its deadline
     * @throws dev.strata.platform.api.exception.ProviderFailureException when the discovery failed
     * @throws IllegalArgumentException when {@code maxWait} is null or negative
     */
    ProviderStatus refresh(String id, Duration maxWait);
}
