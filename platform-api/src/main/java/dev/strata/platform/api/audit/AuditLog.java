package dev.strata.platform.api.audit;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Strata's tamper-evident provenance log: every decision and action, hash-chained, with signed
 * checkpoints. Offered by the core; thread-safe.
 */
@ProviderType
public interface AuditLog {

    /** Records matching a query. */
    List<AuditEntry> entries(AuditQuery query);

    /** One record by its number. */
    Optional<AuditEntry> entry(long seq);

    /**
     * Recomputes the whole chain and every checkpoint's signature; names the first record that
     * fails. A checkpoint may be signed by this instance's key (from its key file) or by any key the
     * store registers: someone able to write the database could register a key of their own and
     * sign a rewritten log with it. {@link #verify(String)} trusts only the keys given.
     */
    AuditReport verify();

    /**
     * As {@link #verify()}, trusting only the Ed25519 public keys in {@code trustedKeysPem} (an
     * auditor's copy, kept from an earlier {@code strata:audit-export --public-key}): a checkpoint
     * signed by any other key fails, whatever keys the store registers.
     *
     * @throws IllegalArgumentException when the text holds no public key, or anything but PEM
     *     public key blocks and whitespace
     */
    AuditReport verify(String trustedKeysPem);

    /**
     * Writes the whole log, its checkpoints and a last checkpoint signed now to {@code file}
     * (JSON lines), and the public keys to {@code publicKeyFile} when not null. Files are written
     * aside and moved into place, so a failed export leaves no partial file.
     */
    AuditExport export(Path file, Path publicKeyFile);

    /** The public keys that sign checkpoints, PEM. */
    String publicKeys();
}
