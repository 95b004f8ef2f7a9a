package dev.strata.platform.shell;

import dev.strata.platform.api.commitment.Commitment;
import dev.strata.platform.api.commitment.Commitments;
import dev.strata.platform.api.commitment.Finding;
import dev.strata.platform.api.exception.NotFoundException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code strata:commitments [allocation-id]}: the verifier's last verdict on every allocation, or one
 * allocation verified now with every finding.
 */
@Service
@Command(scope = "strata", name = "commitments", description = "Shows whether what placement committed to still holds: the last "
        + "verdict per allocation (HONORED, AT_RISK, BREACHED), or one allocation verified now with every finding.")
public class CommitmentsCommand implements Action {

    @Reference(optional = true)
    Commitments commitments;

    @Argument(index = 0, name = "allocation-id", description = "An allocation to verify now, listing every finding (see strata:allocations)")
    @Completion(AllocationIdCompleter.class)
    String id;

    @Option(name = "--verify", description = "Verify every allocation now instead of showing the last verdicts")
    boolean verifyAll;

    @Option(name = "--no-format", description = "Plain output without table borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() {
        Commitments service = Services.require(commitments, "verifier of commitments");
        PrintStream out = System.out;
        if (id != null) {
            Commitment c;
            try {
                c = service.verify(id);
            } catch (NotFoundException missing) {
                // the message quotes the id as typed
                throw missing.withMessage(Format.visible(missing.getMessage()));
            }
            out.println(Format.visible(String.format(Locale.ROOT, "Allocation %s of contract %s, tenant %s: %s since %s (inventory generation %d)",
                    c.allocationId(), c.contract(), c.tenant(), c.status(), Format.time(c.since()), c.inventoryGeneration())));
            Table findings = new Table("MEMBER", "CLAUSE", "STATUS", "EVIDENCE").emptyText("Every clause holds.");
            for (Finding f : c.findings()) {
                findings.row(f.member(), f.clause(), f.status(), f.evidence());
            }
            findings.print(out, noFormat);
            return null;
        }
        List<Commitment> verdicts = verifyAll ? service.verifyAll() : service.commitments();
        Table table = new Table("ALLOCATION", "CONTRACT", "TENANT", "STATUS", "SINCE", "FINDINGS")
                .emptyText(verifyAll ? "No allocations in the ledger." : "No verdicts yet: the verifier checks every allocation each interval "
                        + "on the leader; --verify checks them now.");
        for (Commitment c : verdicts) {
            table.row(c.allocationId(), c.contract(), c.tenant(), c.status(), Format.time(c.since()), findings(c.findings()));
        }
        table.print(out, noFormat);
        return null;
    }

    /** How many findings, and the first: {@code 2: sovereignty.countries node ... (and 1 more)}; {@code -} for none. */
    static String findings(List<Finding> findings) {
        if (findings.isEmpty()) {
            return "-";
        }
        Finding first = findings.get(0);
        return findings.size() + ": " + first.clause() + " " + first.evidence() + (findings.size() > 1 ? " (and " + (findings.size() - 1)
                + " more)" : "");
    }
}
