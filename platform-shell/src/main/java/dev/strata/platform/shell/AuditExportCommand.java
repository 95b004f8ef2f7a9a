package dev.strata.platform.shell;

import dev.strata.platform.api.audit.AuditExport;
import dev.strata.platform.api.audit.AuditLog;
import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.exception.StrataException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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

    @Argument(index = 0, name = "file", description = "Where to write the log (a relative path is taken from the Strata instance "
            + "folder, karaf.base)", required = true)
    String file;

    @Option(name = "-k", aliases = "--public-key", description = "Also write the public keys that sign checkpoints (PEM) to this file")
    String publicKey;

    @Override
    public Object execute() {
        AuditLog log = Services.require(audit, "provenance log");
        if (Logins.isTenantsUser()) {
            // the log refuses a tenant's user, but only once the paths were checked: "... is a directory" told a tenant's user
            // which paths of the server are folders. Refused first, as strata:audit-verify refuses before it reads a key file
            throw new AuthorizationException("a tenant's user may not export the provenance log: it is one chain of every tenant's "
                    + "records (an administrator exports it)");
        }
        // checked before the whole log is written: the move onto a directory failed after it, naming only the two paths
        // a relative path was taken from the server's working directory, wherever bin/strata start was run: it is taken from the
        // instance folder, as the option says, and the absolute path written is printed
        Path base = Path.of(System.getProperty("karaf.base", "")).toAbsolutePath();
        Path target = resolve(base, "export file", file, "the path of a file to write the log to");
        Path keys = publicKey == null ? null : resolve(base, "--public-key", publicKey, "the path of a file to write the public keys to");
        for (Path p : keys == null ? java.util.List.of(target) : java.util.List.of(target, keys)) {
            if (Files.isDirectory(p)) {
                throw new IllegalArgumentException((p == target ? "" : "--public-key ") + Format.visible(p) + " is a directory; expected the path of a file to "
                        + "write (an existing file is replaced)");
            }
        }
        if (keys != null && keys.toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("--public-key " + Format.visible(keys) + " is the export file itself; the keys would replace the log: "
                    + "expected another file");
        }
        if (keys != null && (keys.equals(target.resolveSibling(target.getFileName() + ".partial"))
                || target.equals(keys.resolveSibling(keys.getFileName() + ".partial")))) {
            // each is written aside first under its name and .partial: refused here as the log refuses it, its paths shown as typed
            // where the log's refusal (an IllegalArgumentException, not escaped below) would have shown them raw
            throw new IllegalArgumentException("--public-key " + Format.visible(keys) + " and the export file " + Format.visible(target)
                    + " are one the other's file written aside first (its name and .partial); expected another file, nothing was written");
        }
        AuditExport e;
        try {
            e = log.export(target, keys);
        } catch (StrataException failed) {
            // a file that cannot be written is named as typed, in the provenance log's message and in the file system's it quotes,
            // which is its cause: with Karaf's printStackTraces on, the cause is printed too, so it is shown escaped as well; the
            // exception keeps its class and fields (a StateStoreException stays one)
            throw failed.withMessage(Format.visible(failed.getMessage()), Format.shown(failed.getCause()));
        }
        // the log id and key ids come from the store, which may have been edited: shown as the log's records are
        System.out.println(Format.visible(String.format(Locale.ROOT, "Exported %d records and %d checkpoints of log %s to %s", e.records(),
                e.checkpoints(),
                e.logId(), e.file())));
        if (e.publicKeyFile() != null) {
            System.out.println(Format.visible("Public keys " + String.join(", ", e.keyIds()) + ": " + e.publicKeyFile()));
        }
        System.out.println(Format.visible("Verify offline: bin/strata audit-verify " + e.file() + " --key "
                + (e.publicKeyFile() == null ? "KEYS.pem" : e.publicKeyFile())));
        return null;
    }

    /**
     * A path given to an audit command, taken from the instance folder {@code base}. A NUL character, which no file name
     * can hold, is refused naming {@code what} was given and what was expected: {@link Path#resolve} threw an
     * {@link java.nio.file.InvalidPathException} ("Nul character not allowed: ...") that named neither and quoted the
     * path with its NUL as it is.
     */
    static Path resolve(Path base, String what, String value, String expected) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " " + Format.visible(value.replace("\0", "\\0")) + ": the path holds a NUL character "
                    + "(\\0), which no file name can hold; expected " + expected);
        }
        return base.resolve(value).normalize();
    }
}
