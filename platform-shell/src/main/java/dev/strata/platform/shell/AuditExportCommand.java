package dev.strata.platform.shell;

import dev.strata.platform.api.audit.AuditExport;
import dev.strata.platform.api.audit.AuditLog;
import java.nio.file.Path;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code strata:audit-export FILE}: writes the log for an auditor. */
@Service
@Command(scope = "strata", name = "audit-export", description = "Writes the whole provenance log with its checkpoints and a checkpoint "
        + "signed now to FILE (JSON lines), for the offline verifier.")
public class AuditExportCommand implements Action {

    @Reference(optional = true)
    AuditLog audit;

    @Argument(index = 0, name = "file", description = "Where to write the log (relative to the Karaf home)", required = true)
    String file;

    @Option(name = "-k", aliases = "--public-key", description = "Also write the public keys that sign checkpoints (PEM) to this file")
    String publicKey;

    @Override
    public Object execute() {
        AuditExport e = Services.require(audit, "provenance log").export(Path.of(file), publicKey == null ? null : Path.of(publicKey));
        System.out.printf("Exported %d records and %d checkpoints of log %s to %s%n", e.records(), e.checkpoints(), e.logId(), e.file());
        if (e.publicKeyFile() != null) {
            System.out.printf("Public keys %s: %s%n", String.join(", ", e.keyIds()), e.publicKeyFile());
        }
        System.out.printf("Verify offline: bin/strata audit-verify %s --key %s%n", e.file(),
                e.publicKeyFile() == null ? "KEYS.pem" : e.publicKeyFile());
        return null;
    }
}
