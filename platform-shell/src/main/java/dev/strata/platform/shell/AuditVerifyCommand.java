package dev.strata.platform.shell;

import dev.strata.platform.api.audit.AuditLog;
import dev.strata.platform.api.audit.AuditReport;
import dev.strata.platform.api.exception.AuthorizationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code strata:audit-verify}: recomputes the chain and the checkpoints' signatures. */
@Service
@Command(scope = "strata", name = "audit-verify", description = "Recomputes the provenance log's hash chain and the signatures of its "
        + "checkpoints, and names the first record that fails.")
public class AuditVerifyCommand implements Action {

    /** The largest key file read, 1 MiB, as the offline verifier reads: an Ed25519 public key in PEM is 113 bytes. */
    static final int MAX_KEY_FILE_BYTES = 1 << 20;

    @Reference(optional = true)
    AuditLog audit;

    @Option(name = "-k", aliases = "--key", multiValued = true, description = "Trust only the Ed25519 public keys in this PEM file (an "
            + "auditor's copy from an earlier strata:audit-export --public-key; a relative path is taken from the instance folder); "
            + "repeat for several. Without it, this instance's key and every key the store registers are trusted")
    List<String> keyFiles;

    /**
     * Prints the report; when the log does not verify, fails (throws), naming the first record that
     * fails. The times, key ids and failure come from the stored log, which may have been edited:
     * they are shown {@link Format#visible}, so they cannot act on the operator's terminal.
     */
    @Override
    public Object execute() {
        AuditLog log = Services.require(audit, "provenance log");
        AuditReport r;
        if (keyFiles == null || keyFiles.isEmpty()) {
            r = refusedVisibly(log::verify);
        } else {
            if (Logins.isTenantsUser()) {
                // the log refuses a tenant's user; asked before any file is read, so that a tenant's user learns the refusal,
                // not whether a file of the server exists or can be read
                refusedVisibly(log::verify);
                throw new AuthorizationException("a tenant's user may not verify the provenance log");
            }
            StringBuilder pem = new StringBuilder();
            List<String> read = new ArrayList<>();
            Path base = Path.of(System.getProperty("karaf.base", "")).toAbsolutePath();
            for (String f : keyFiles) {
                Path file = AuditExportCommand.resolve(base, "--key", f, "a file of Ed25519 public keys in PEM, as strata:audit-export "
                        + "--public-key writes them");
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException("--key " + Format.visible(file) + " is not a file; expected a file of Ed25519 public keys in PEM, "
                            + "as strata:audit-export --public-key writes them");
                }
                try (java.io.InputStream in = Files.newInputStream(file)) {
                    // read to the bound, counting what is read: a file growing while it is read is refused too
                    byte[] bytes = in.readNBytes(MAX_KEY_FILE_BYTES + 1);
                    if (bytes.length > MAX_KEY_FILE_BYTES) {
                        throw new IllegalArgumentException("--key " + Format.visible(file) + " is larger than " + (MAX_KEY_FILE_BYTES >> 20)
                                + " MiB, the most read of a key file; expected Ed25519 public keys in PEM, 113 bytes each");
                    }
                    pem.append(new String(bytes, StandardCharsets.UTF_8)).append('\n');
                } catch (IOException | java.io.UncheckedIOException e) {
                    throw new IllegalArgumentException("--key " + Format.visible(file) + " cannot be read (" + e.getClass().getSimpleName() + "); expected a "
                            + "readable file of Ed25519 public keys in PEM");
                }
                read.add(file.toString());
            }
            try {
                r = refusedVisibly(() -> log.verify(pem.toString()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(Format.visible("--key " + String.join(", ", read) + ": " + e.getMessage()), e);
            }
            System.out.println(Format.visible("Trusted      only the keys in " + String.join(", ", read)));
        }
        System.out.println(Format.visible("Records      " + r.records() + (r.records() == 0 ? "" : " (" + r.firstSeq() + ".." + r.lastSeq()
                + "), " + r.firstTime() + " .. " + r.lastTime())));
        System.out.println(Format.visible("Checkpoints  " + r.checkpoints() + " verified, signed through record " + r.signedThrough()
                + (r.keyIds().isEmpty() ? "" : " by key " + String.join(", ", r.keyIds()))));
        System.out.println("Took         " + r.took().toMillis() + " ms");
        if (r.holds()) {
            long tail = r.lastSeq() - r.signedThrough();
            System.out.println("The chain holds" + (tail == 1 ? "; the last record is chained, not yet signed"
                    : tail > 1 ? "; the last " + tail + " records are chained, not yet signed" : "") + ".");
            return null;
        }
        String failure = Format.visible(r.failure());
        System.out.println("FAILED at record " + r.failedSeq() + ": " + failure);
        // thrown, so that the command fails: Karaf's client then exits 1, as the offline verifier does
        throw new IllegalStateException("the provenance log does not verify"
                + (r.failedSeq() > 0 ? ": record " + r.failedSeq() + " is the first that fails" : "") + " (" + failure + ")");
    }

    /**
     * The log's answer; its refusal of a tenant's user names the login as JAAS gave it, which may hold an escape
     * sequence: Karaf prints an error's message to the terminal as it is, so the refusal is shown {@link Format#visible}.
     */
    private static AuditReport refusedVisibly(java.util.function.Supplier<AuditReport> verify) {
        try {
            return verify.get();
        } catch (AuthorizationException refused) {
            throw refused.withMessage(Format.visible(refused.getMessage()));
        }
    }
}
