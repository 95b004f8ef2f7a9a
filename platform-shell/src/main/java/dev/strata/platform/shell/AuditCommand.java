package dev.strata.platform.shell;

import dev.strata.platform.api.audit.AuditEntry;
import dev.strata.platform.api.audit.AuditLog;
import dev.strata.platform.api.audit.AuditQuery;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code strata:audit [seq]}: lists provenance records, or shows one. */
@Service
@Command(scope = "strata", name = "audit", description = "Lists the provenance log's records (newest first), filtered by contract, "
        + "tenant, allocation, deployment, kind or time; with a record number, shows that record.")
public class AuditCommand implements Action {

    @Reference(optional = true)
    AuditLog audit;

    @Argument(index = 0, name = "seq", description = "Show this record in full", required = false)
    Long seq;

    @Option(name = "-c", aliases = "--contract", description = "Records about this contract")
    String contract;

    @Option(name = "-t", aliases = "--tenant", description = "Records about this tenant")
    @Completion(TenantIdCompleter.class)
    String tenant;

    @Option(name = "-a", aliases = "--allocation", description = "Records about this allocation")
    @Completion(AllocationIdCompleter.class)
    String allocation;

    @Option(name = "-d", aliases = "--deployment", description = "Records about this deployment")
    @Completion(DeploymentIdCompleter.class)
    String deployment;

    @Option(name = "-k", aliases = "--kind", description = "Records of this kind (placement, release, configuration, ...)")
    String kind;

    @Option(name = "--from", description = "At or after: 2026-11-27T10:00:00Z, 2026-11-27 or a time ago (2h)")
    String from;

    @Option(name = "--to", description = "Before: an instant, a UTC date or a time ago")
    String to;

    /** What stands for the hashes a tenant's user is not shown. */
    static final String WITHHELD = "(withheld: the chain is verified by an administrator, strata:audit-verify)";

    /** The most records one listing shows; the whole log is written with {@code strata:audit-export}. */
    static final int MAX_LIMIT = 10_000;

    @Option(name = "-n", aliases = "--limit", description = "At most this many records (default 50, at most 10000)")
    int limit = 50;

    @Option(name = "--oldest-first", description = "Oldest first")
    boolean oldestFirst;

    @Option(name = "--no-format", description = "Plain output without table borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() {
        AuditLog log = Services.require(audit, "provenance log");
        if (seq != null) {
            if (seq < 1) {
                throw new IllegalArgumentException("record " + seq + ": expected a record's number, 1 or more (strata:audit lists them, "
                        + "column SEQ)");
            }
            // a record is asked for by its number alone: -t bank 42 showed record 42 whoever's it was, as if the filter held
            List<String> filters = filters();
            if (!filters.isEmpty()) {
                throw new IllegalArgumentException(Format.visible("record " + seq + " with " + String.join(", ", filters) + ": a record "
                        + "number shows that one record and takes no filter; expected either the number alone (strata:audit " + seq
                        + ") or the filters without it, to list the records that match"));
            }
            AuditEntry e = log.entry(seq).orElseThrow(() -> new IllegalArgumentException("no provenance record " + seq + "; expected the "
                    + "number of a record in the log (strata:audit lists them, column SEQ)"));
            // what a record holds comes from providers and contracts, and from whoever wrote to the database
            System.out.println("Record    " + e.seq());
            System.out.println(Format.visible("Time      " + Format.time(e.time())));
            System.out.println(Format.visible("Kind      " + e.kind()));
            System.out.println(Format.visible("Actor     " + e.actor()));
            System.out.println(Format.visible("Subjects  " + subjects(e)));
            System.out.println(Format.visible("Payload   " + e.payload()));
            // a tenant's user is shown no hash: one would confirm what its records withhold (AuditEntry)
            System.out.println(Format.visible("Prev      " + (e.prev() == null ? WITHHELD : e.prev())));
            System.out.println(Format.visible("Hash      " + (e.hash() == null ? WITHHELD : e.hash())));
            return null;
        }
        // the limit bounds a list; a record asked for by its number is one record, whatever -n says
        if (limit < 1) {
            throw new IllegalArgumentException("--limit " + limit + ": expected how many records to show, 1 or more");
        }
        if (limit > MAX_LIMIT) {
            // every record asked for is read into the shell's memory (Karaf's) to print a table: a slip of the keyboard on a
            // log of millions would take the platform's heap with it
            throw new IllegalArgumentException("--limit " + limit + ": expected at most " + MAX_LIMIT + " records at once (the table "
                    + "is held in memory); narrow it with --from and --to, -k, -t, -c, -a or -d, or write the whole log to a file with "
                    + "strata:audit-export <file>");
        }
        Instant now = Instant.now();
        Instant after = AuditTimes.parse("--from", from, now);
        Instant before = AuditTimes.parse("--to", to, now);
        if (after != null && before != null && !after.isBefore(before)) {
            // no record can match: said, not answered with "No provenance records match" as if the log held none
            throw new IllegalArgumentException("--from " + Format.visible(from) + " (" + Format.time(after) + ") is not before --to "
                    + Format.visible(to) + " (" + Format.time(before) + "); expected --from earlier than --to (a time ago counts back from now: --from 2h --to 1h)");
        }
        // one record more than is shown: its presence says that the list is cut, without counting (or reading) the rest
        List<AuditEntry> found = log.entries(new AuditQuery(contract, tenant, allocation, deployment, kind, after, before, limit + 1,
                !oldestFirst));
        boolean more = found.size() > limit;
        List<AuditEntry> entries = more ? found.subList(0, limit) : found;
        Table table = new Table("SEQ", "TIME", "KIND", "ACTOR", "SUBJECTS", "PAYLOAD").emptyText("No provenance records match");
        for (AuditEntry e : entries) {
            table.row(e.seq(), Format.time(e.time()), e.kind(), e.actor(), subjects(e), shortened(e.payload()));
        }
        table.print(System.out, noFormat);
        if (more && !noFormat) {
            // a script's output stays one record per line; it asks for what it needs with -n
            System.out.println(cut(limit, oldestFirst));
        }
        return null;
    }

    /** The filters given, as typed ({@code --tenant bank}): each narrows a list, and none applies to one record. */
    private List<String> filters() {
        List<String> given = new ArrayList<>();
        String[][] options = {{"--contract", contract}, {"--tenant", tenant}, {"--allocation", allocation}, {"--deployment", deployment},
                {"--kind", kind}, {"--from", from}, {"--to", to}};
        for (String[] o : options) {
            if (o[1] != null) {
                given.add(o[0] + " " + o[1]);
            }
        }
        return given;
    }

    /**
     * Said below a list that shows fewer records than match: the table stopped at {@code -n}
     * silently, and 50 records read as the whole log.
     */
    static String cut(int limit, boolean oldestFirst) {
        String next = limit < MAX_LIMIT ? "; -n " + Math.min(MAX_LIMIT, limit * 4L) + " shows more"
                : "; narrow it with --from and --to, or strata:audit-export <file> writes the whole log";
        return "Only the " + (limit == 1 ? "" : limit + " ") + (oldestFirst ? "oldest " : "newest ") + (limit == 1 ? "record is" : "records are")
                + " shown; more match" + next + ".";
    }

    /**
     * A payload as the list shows it: at most 80 characters, the longer cut to 77 and {@code ...}.
     * Counted in characters (code points), so that a cut never splits one written as two UTF-16
     * units (an emoji, a CJK extension ideograph), which showed as an escaped half ({@code \ud83d}).
     */
    static String shortened(String payload) {
        if (payload.codePointCount(0, payload.length()) <= 80) {
            return payload;
        }
        return payload.substring(0, payload.offsetByCodePoints(0, 77)) + "...";
    }

    static String subjects(AuditEntry e) {
        return e.subjects().isEmpty() ? "-" : e.subjects().entrySet().stream().map(x -> x.getKey() + "=" + x.getValue())
                .collect(Collectors.joining(" "));
    }
}
