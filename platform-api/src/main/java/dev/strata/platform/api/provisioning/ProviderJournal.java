package dev.strata.platform.api.provisioning;

import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Durable records a provider keeps about its own provisioning operations, kept by the core in
 * Strata's state store: on PostgreSQL every instance of a highly available Strata reads the same
 * records, so an operation the leader began before it died is resumed, not repeated, by the next
 * leader. It is for a provider whose vendor has nowhere to hold Strata's labels (a BMC has no tags):
 * such a provider writes here what it is about to do <em>before</em> it does it, and reads it back
 * when the core repeats a call with the same operation id.
 *
 * <p>A record is the provider's own text (JSON, say), at most {@link #MAX_RECORD} characters, keyed
 * by provider id and operation id, replaced as a whole. It must hold no credential of the provider's
 * own (a password, a session token): the store is shared by every instance and backed up with the
 * rest. What the request carried may be kept as given (a signed image URL from the contract's
 * parameters, say), since the contract as submitted is in the same store. The core registers this
 * service once its state store is up.
 *
 * @since 1.2
 */
@ProviderType
public interface ProviderJournal {

    /** The longest record kept, in characters. */
    int MAX_RECORD = 65_536;

    /** The record of an operation, as last stored by any instance. */
    Optional<String> get(String providerId, String operationId);

    /** Every record of a provider, by operation id (sorted). */
    Map<String, String> all(String providerId);

    /**
     * Stores the record of an operation, replacing the one before, and returns once it is durable
     * (committed; on the embedded store, on disk). When it throws, the provider must not act on the
     * outside world as if it were stored.
     *
     * @throws IllegalArgumentException when an id is blank or longer than 256 characters, or the
     *     record is empty or longer than {@link #MAX_RECORD}
     * @throws dev.strata.platform.api.exception.NotLeaderException on an instance that may not write
     *     (a follower)
     * @throws dev.strata.platform.api.exception.StateStoreException when the store failed or did
     *     not make the record durable in time (then the write may still land later: a provider
     *     recovering its operations must expect a record of an operation it never acted on)
     */
    void put(String providerId, String operationId, String record);

    /** Where the records are kept, for messages: the store's kind and location, never a credential. */
    String location();
}
