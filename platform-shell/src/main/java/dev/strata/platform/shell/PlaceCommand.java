package dev.strata.platform.shell;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.ContractReader;
import dev.strata.platform.api.contract.InvalidContractException;
import dev.strata.platform.api.contract.Violation;
import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.model.ConsoleWords;
import dev.strata.platform.api.placement.ClauseEvidence;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.api.placement.Rejection;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code strata:place -f contract.yaml [--dry-run]}: places a contract and explains the decision. */
@Service
@Command(scope = "strata", name = "place", description = "Places a contract (YAML) on the inventory and explains why; "
        + "--dry-run decides without reserving.")
public class PlaceCommand implements Action {

    @Reference(optional = true)
    Placement placement;

    @Reference(optional = true)
    ContractReader reader;

    @Option(name = "-f", aliases = "--file", description = "The contract file (YAML or JSON); - reads it from standard input", required = true)
    @org.apache.karaf.shell.api.action.Completion(ContractFileCompleter.class)
    String file;

    @Option(name = "--dry-run", description = "Decide and explain; reserve nothing")
    boolean dryRun;

    @Option(name = "--no-format", description = "Plain output without table borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() throws IOException {
        Contract contract = readContract(file, reader);
        PlacementDecision d;
        try {
            d = Services.require(placement, "placement service").place(contract, dryRun);
        } catch (AuthorizationException refused) {
            // a tenant's user's refusal names the login as JAAS gave it, which may hold an escape sequence
            throw refused.withMessage(Format.visible(refused.getMessage()));
        }
        print(d, System.out, noFormat);
        if (!d.placed() && !dryRun) {
            // nothing was reserved: fail after the reasons, as strata:deploy does (Karaf's client exits 1), so that a script
            // does not go on as if it held the capacity; a dry run has answered the question it asked
            // made visible as the summary above is: Karaf prints an error's message to the terminal as it is
            throw new IllegalStateException(Format.visible("contract " + d.contract() + " of tenant " + d.tenant() + " was not placed: "
                    + d.summary()));
        }
        return null;
    }

    /**
     * Reads the contract a {@code -f} option names ({@code -} for standard input). The reader's errors quote the file's
     * values and its name, which the user's file and typing hold: they are shown escaped ({@link Format#visible}), each
     * violation on a line of its own as the reader lists them.
     */
    static Contract readContract(String file, ContractReader reader) throws IOException {
        try {
            return read(file, reader);
        } catch (InvalidContractException e) {
            InvalidContractException shown = new InvalidContractException(Format.visible(source(e)), e.violations().stream()
                    .map(v -> new Violation(visible(v.path()), visible(v.value()), visible(v.problem()), visible(v.expected())))
                    .toList());
            shown.setStackTrace(e.getStackTrace());
            throw shown;
        } catch (StrataException e) {
            throw e.withMessage(Format.visible(e.getMessage()));
        }
    }

    private static String visible(String text) {
        return text == null ? null : Format.visible(text);
    }

    /** The source an {@link InvalidContractException} was made with, or {@code (contract)} where it was made with none. */
    private static String source(InvalidContractException e) {
        return e.source() == null ? "(contract)" : e.source();
    }

    private static Contract read(String file, ContractReader reader) throws IOException {
        Contract contract;
        ContractReader contracts = Services.require(reader, "contract reader");
        if ("-".equals(file)) {
            contract = contracts.read(System.in, "(standard input)");
        } else {
            if (file.indexOf('\0') >= 0) {
                // Path.of would throw InvalidPathException, naming neither the option nor what to do
                throw new IllegalArgumentException("-f " + Format.visible(file.replace("\0", "\\0")) + ": the contract file path holds a NUL character"
                        + " (\\0), which no file name can hold; give the path of a contract file, or - to read it from standard input");
            }
            // the reader is asked first, for the path as given: it refuses a tenant's login any file before looking at it, and
            // its message names the path it was given; were the path resolved first (looked up in the server's home), the
            // refusal would name the home's file where one exists there, telling that login which server files exist
            Path given = Path.of(file);
            try {
                contract = contracts.read(given);
            } catch (AuthorizationException e) {
                throw e;
            } catch (RuntimeException e) {
                if (Files.exists(given)) {
                    throw e;
                }
                Path path = resolve(file);
                if (!Files.exists(path)) {
                    throw new IllegalArgumentException(notFound(file));
                }
                contract = contracts.read(path);
            }
        }
        return contract;
    }

    /**
     * A relative path is looked up where the Strata server runs, then in its home directory (the
     * shell runs inside the server, which cannot see the folder the user typed the command in;
     * {@code bin/strata shell} makes relative paths absolute before they get here).
     */
    static Path resolve(String name) {
        Path path = Path.of(name);
        if (!path.isAbsolute() && !Files.exists(path)) {
            Path inHome = home().map(h -> h.resolve(name)).orElse(path);
            if (Files.exists(inHome)) {
                return inHome;
            }
        }
        return path;
    }

    static String notFound(String name) {
        Path path = Path.of(name);
        // the name as typed, shown as every id is: it may hold an escape sequence or a line break
        if (path.isAbsolute()) {
            return "no contract file " + Format.visible(path);
        }
        String looked = path.toAbsolutePath() + home().map(h -> " and " + h.resolve(name).toAbsolutePath()).orElse("");
        // the commands are shown with the name written as where each is typed reads it back whole (a name with a space, a
        // quote, a $ or a ; was shown bare, and the command read something else): cat in Strata's shell (./ before a name
        // that cat would read as an option), bin/strata in sh, which passes each argument on to the command as it is given
        String cat = ConsoleWords.quoted(name.startsWith("-") ? "./" + name : name);
        return Format.visible("no contract file " + name + ": looked for " + looked + " (a relative path is read on the Strata server, in "
                + "its working directory and then its home); give an absolute path, pipe the contract in within Strata's shell (cat "
                + cat + " | strata:place -f -), or run bin/strata shell strata:place -f " + Format.shWord(name) + " from the folder "
                + "that holds it");
    }

    private static java.util.Optional<Path> home() {
        return java.util.Optional.ofNullable(System.getProperty("karaf.base")).map(Path::of)
                .filter(h -> !h.toAbsolutePath().equals(Path.of("").toAbsolutePath()));
    }

    /** The bound GPUs, without their node's prefix when they carry it: {@code gpu0,gpu1}. */
    static String gpus(MemberBinding b) {
        if (b.acceleratorIds().isEmpty()) {
            return "-";
        }
        String prefix = b.nodeId() + "/";
        return b.acceleratorIds().stream().map(id -> id.startsWith(prefix) ? id.substring(prefix.length()) : id)
                .collect(java.util.stream.Collectors.joining(","));
    }

    /** The rejections grouped by member, in the order the decision lists them; the gang's own lines (member {@code *}) last. */
    static void printRejections(java.util.List<Rejection> rejections, PrintStream out) {
        java.util.Map<String, java.util.List<Rejection>> byMember = new java.util.LinkedHashMap<>();
        for (Rejection r : rejections) {
            if (!r.member().equals("*")) {
                byMember.computeIfAbsent(r.member(), k -> new java.util.ArrayList<>()).add(r);
            }
        }
        rejections.stream().filter(r -> r.member().equals("*")).forEach(r -> byMember.computeIfAbsent("*", k -> new java.util.ArrayList<>()).add(r));
        byMember.forEach((member, rows) -> {
            out.println("  " + (member.equals("*") ? "the gang as a whole" : Format.visible(member)));
            for (Rejection r : rows) {
                out.println("    " + Format.visible(r));
            }
        });
    }

    static void print(PlacementDecision d, PrintStream out, boolean noFormat) {
        String what = d.placed() ? (d.dryRun() ? "would be placed (dry run, nothing reserved)" : "placed as " + d.allocationId())
                : "not placed";
        out.println(Format.visible(String.format("Contract %s of tenant %s: %s", d.contract(), d.tenant(), what)));
        out.println(Format.visible(d.summary()));
        if (!d.bindings().isEmpty()) {
            out.println();
            Table table = new Table("MEMBER", "NODE", "SITE", "GPUS", "SHARE", "PARTITION", "NVLINK DOMAIN", "NUMA", "FABRIC", "CPU", "MEMORY", "POWER");
            for (MemberBinding b : d.bindings()) {
                table.row(b.member(), b.nodeId(), b.siteId(), gpus(b),
                        b.acceleratorIds().isEmpty() ? "-" : Format.share(b.gpuFraction()),
                        b.partition() == null ? "-" : b.partition() + "@" + b.partitionSlot(), Format.orDash(b.nvlinkDomain()),
                        b.numaNode() < 0 ? "-" : b.numaNode(), Format.orDash(b.fabricId()),
                        String.format(Locale.ROOT, "%.1f", b.cpuMilli() / 1000.0), Format.bytes(b.memoryBytes()),
                        Format.watts(b.powerWatts()));
            }
            table.print(out, noFormat);
        }
        if (!d.evidence().isEmpty()) {
            out.println();
            out.println("Evidence");
            for (ClauseEvidence e : d.evidence()) {
                out.println("  " + Format.visible(e));
            }
        }
        if (!d.rejections().isEmpty()) {
            out.println();
            out.println((d.placed() ? "Nodes considered: " : "Why not: ") + d.nodesConsidered() + (d.nodesConsidered() == 1 ? " node" : " nodes")
                    + ", each counted once under every member (members alike share their lines)");
            printRejections(d.rejections(), out);
        }
        out.println();
        out.printf(Locale.ROOT, "Decided in %.1f ms on inventory generation %d, ledger generation %d.%n", d.took().toNanos() / 1e6,
                d.inventoryGeneration(), d.ledgerGeneration());
    }
}
