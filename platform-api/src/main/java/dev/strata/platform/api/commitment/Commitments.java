package dev.strata.platform.api.commitment;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The verifier: what placement committed to each allocation, checked against the current
 * inventory and ledger, on a schedule and on demand. A change of an allocation's status is
 * recorded in the provenance log (kind {@code commitment}). Offered by the core; thread-safe.
 * Only the leader of a cluster verifies on its schedule and records.
 */
@ProviderType
public interface Commitments {

    /** The last verdict on every allocation verified so far, by allocation id. */
    List<Commitment> commitments();

    /**
     * Verifies one allocation now.
     *
     * @throws dev.strata.platform.api.exception.NotFoundException when the ledger holds no such allocation
     */
    Commitment verify(String allocationId);

    /** Verifies every allocation in the ledger now, by allocation id. */
    List<Commitment> verifyAll();
}
