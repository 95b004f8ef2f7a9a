package dev.strata.platform.shell;

import dev.strata.platform.api.audit.AuditLog;
import dev.strata.platform.api.audit.AuditReport;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code strata:audit-verify}: recomputes the chain and the checkpoints' signatures. */
@Service
@Command(scope = "strata", name = "audit-verify", description = "Recomputes the provenance log's hash chain and the signatures of its "
        + "checkpoints, and names the first record that fails.")
public class AuditVerifyCommand implements Action {

    @Reference(optional = true)
    AuditLog audit;

    /**
     * Prints the report; when the log does not verify, fails (throws), naming the first record that
     * fails. The times, key ids and failure come from the stored log, which may have been edited:
     * they are shown {@link Format#visible}, so they cannot act on the operator's terminal.
     */
    @Override
    public Object execute() {
        AuditReport r = Services.require(audit, "provenance log").verify();
        System.out.println(Format.visible("Records      " + r.records() + (r.records() == 0 ? "" : " (" + r.firstSeq() + ".." + r.lastSeq()
                + "), " + r.firstTime() + " .. " + r.lastTime())));
        System.out.println(Format.visible("Checkpoints  " + r.checkpoints() + " verified, signed through record " + r.signedThrough()
                + (r.keyIds().isEmpty() ? "" : " by key " + String.join(", ", r.keyIds()))));
        System.out.println("Took         " + r.took().toMillis() + " ms");
        if (r.holds()) {
            long tail = r.lastSeq() - r.signedThrough();
            System.out.println("The chain holds" + (tail > 0 ? "; the last " + tail + " records are chained, not yet signed" : "") + ".");
            return null;
        }
        String failure = Format.visible(r.failure());
        System.out.println("FAILED at record " + r.failedSeq() + ": " + failure);
        // thrown, so that the command fails: Karaf's client then exits 1, as the offline verifier does
        throw new IllegalStateException("the provenance log does not verify"
                + (r.failedSeq() > 0 ? ": record " + r.failedSeq() + " is the first that fails" : "") + " (" + failure + ")");
    }
}
