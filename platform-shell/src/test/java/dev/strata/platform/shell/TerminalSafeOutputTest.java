package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CpuSet;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PciLink;
import dev.strata.platform.api.model.PowerLimits;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Ids, names and messages come from providers and contracts; a control character among them (an
 * escape sequence that clears the screen or retitles the window, a carriage return that overwrites
 * the line) must be shown, not sent to the operator's terminal, in every form of the output.
 */
class TerminalSafeOutputTest {

    static final String ESC_ID = "bm:\u001b[2J\u001b]0;owned\u0007node\r";
    static final String SHOWN = "bm:\\x1b[2J\\x1b]0;owned\\x07node\\x0d";

    static Node evilNode() {
        return Fixtures.node().toBuilder().id(ESC_ID).attributes(Map.of("kernel", "6.1\u001b[31m")).build();
    }

    @Test
    void nodesTableShowsControlCharactersInsteadOfSendingThem() throws Exception {
        NodesCommand command = new NodesCommand();
        command.inventory = Fixtures.inventory(evilNode());
        String bordered = CommandOutput.of(command::execute);
        assertThat(bordered).doesNotContain("\u001b", "\u0007", "\r").contains(SHOWN);

        command.noFormat = true;
        String plain = CommandOutput.of(command::execute);
        assertThat(plain).doesNotContain("\u001b", "\u0007", "\r");
        assertThat(plain.lines().toList()).hasSize(1);
        assertThat(plain.split("\t")[0]).isEqualTo("bm:\\x1b[2J\\x1b]0;owned\\x07node\\r");
    }

    /**
     * A right-to-left override (U+202E) shows what follows it backwards (an id ending in the override
     * and "live-gpu" reads "upg-evil" on screen); a zero-width space makes two different ids look alike; a
     * line separator breaks a line on some terminals. Before, all three were printed as they were.
     */
    @Test
    void formatCharactersAndLineSeparatorsAreShownEscaped() throws Exception {
        String id = "bm:node-\u202elive-gpu\u200b\u2028x\u00ad";
        NodesCommand command = new NodesCommand();
        command.inventory = Fixtures.inventory(Fixtures.node().toBuilder().id(id).build());
        String shown = "bm:node-\\u202elive-gpu\\u200b\\u2028x\\xad";
        String bordered = CommandOutput.of(command::execute);
        assertThat(bordered).doesNotContain("\u202e", "\u200b", "\u2028", "\u00ad").contains(shown);

        command.noFormat = true;
        String plain = CommandOutput.of(command::execute);
        assertThat(plain).doesNotContain("\u202e", "\u200b", "\u2028", "\u00ad");
        assertThat(plain.split("\t")[0]).isEqualTo(shown);

        NodeCommand detail = new NodeCommand();
        detail.inventory = command.inventory;
        detail.id = id;
        assertThat(CommandOutput.of(detail::execute)).doesNotContain("\u202e").contains("Node          " + shown + " (AVAILABLE)");
        // letters of other scripts are text, not format characters: left as they are
        assertThat(Format.visible("nœud-東京-عقدة")).isEqualTo("nœud-東京-عقدة");
    }

    /**
     * Invisible tag characters (U+E0000 to U+E007F) lie beyond U+FFFF, as surrogate pairs, and a
     * lone half of a pair shows as a replacement box or nothing: taken character by character, both
     * were printed as they were. A legitimate character beyond U+FFFF (an emoji) is left alone.
     */
    @Test
    void formatCharactersBeyondTheBasicPlaneAndLoneSurrogatesAreShownEscaped() throws Exception {
        String id = "bm:gpu\uDB40\uDC41\uDB40\uDC7F-\uD800x-\uD83D\uDE80";
        String shown = "bm:gpu\\udb40\\udc41\\udb40\\udc7f-\\ud800x-\uD83D\uDE80";
        assertThat(Format.visible(id)).isEqualTo(shown);
        assertThat(Table.escape(id)).isEqualTo(shown);

        NodesCommand command = new NodesCommand();
        command.inventory = Fixtures.inventory(Fixtures.node().toBuilder().id(id).build());
        assertThat(CommandOutput.of(command::execute)).doesNotContain("\uDB40", "\uD800x").contains(shown);
        command.noFormat = true;
        assertThat(CommandOutput.of(command::execute).split("\t")[0]).isEqualTo(shown);
    }

    /**
     * strata:gpus -n of a node without GPUs says so naming the node, whose id comes from its
     * provider (and is offered by Tab): the empty table's text was printed as it was, escape
     * sequence included, where every row of a table is shown escaped.
     */
    @Test
    void anEmptyTablesTextNamingANodeShowsItsControlCharacters() throws Exception {
        GpusCommand command = new GpusCommand();
        command.inventory = Fixtures.inventory(evilNode().toBuilder().accelerators(List.of()).build());
        command.node = ESC_ID;
        assertThat(CommandOutput.of(command::execute)).isEqualTo("No GPUs on node " + SHOWN + "." + System.lineSeparator());
    }

    @Test
    void nodeDetailShowsControlCharacters() throws Exception {
        NodeCommand command = new NodeCommand();
        command.inventory = Fixtures.inventory(evilNode());
        command.id = ESC_ID;
        String out = CommandOutput.of(command::execute);
        assertThat(out).doesNotContain("\u001b", "\u0007", "\r").contains("Node          " + SHOWN + " (AVAILABLE)",
                "kernel        6.1\\x1b[31m");
    }

    @Test
    void unknownNodeMessageShowsTheKnownIdsControlCharacters() {
        NodeCommand command = new NodeCommand();
        command.inventory = Fixtures.inventory(evilNode());
        command.id = "nope\u001b[0m";
        assertThatThrownBy(command::execute).hasMessage("no node 'nope\\x1b[0m'; known nodes: " + SHOWN);
    }

    @Test
    void providerWarningsBelowTheTableShowControlCharacters() throws Exception {
        ProvidersCommand command = new ProvidersCommand();
        command.registry = Fixtures.registry(Fixtures.status("bmc", ProviderState.ACTIVE, "bad\u001b[5m", "sensor \u009b31m hot"));
        String out = CommandOutput.of(command::execute);
        assertThat(out).doesNotContain("\u001b", "\u009b").contains("bad\\x1b[5m", "  bmc: sensor \\x9b31m hot");
    }

    static Accelerator gpu(String id) {
        return new Accelerator(id, "NVIDIA", "NVIDIA H200", 143771L << 20, "9.0", "0000:00:06.0", null, 0, CpuSet.parseList("0-15"),
                new PciLink(32, 16, 32, 16), null, 0, List.of(), List.of(), false, new PowerLimits(700, 700, 200, 700), Health.OK, Map.of());
    }

    /** With exactly 10 GPUs the message listed them all and then "...", as if there were more; with more it did not say how many. */
    @Test
    void unknownGpuMessageSaysHowManyThereAreOnlyWhenItCutsTheList() {
        GpuCommand command = new GpuCommand();
        command.id = "GPU-nope";
        command.inventory = Fixtures.inventory(List.of(), IntStream.range(0, 10).mapToObj(i -> gpu("GPU-" + i)).toList());
        assertThatThrownBy(command::execute).hasMessage("no GPU 'GPU-nope'; known GPUs: GPU-0, GPU-1, GPU-2, GPU-3, GPU-4, GPU-5, GPU-6, "
                + "GPU-7, GPU-8, GPU-9");

        command.inventory = Fixtures.inventory(List.of(), IntStream.range(0, 10_000).mapToObj(i -> gpu("GPU-" + i)).toList());
        assertThatThrownBy(command::execute).hasMessage("no GPU 'GPU-nope'; known GPUs: GPU-0, GPU-1, GPU-2, GPU-3, GPU-4, GPU-5, GPU-6, "
                + "GPU-7, GPU-8, GPU-9, ... (10000 in all)");
    }

    /**
     * The detail of one provenance record and the cluster's header lines printed the record's
     * actor and subjects, and the instances' ids and addresses, as they were: a record written to the
     * database behind Strata's back, or a configured address, could send escapes to the terminal.
     */
    @Test
    void anAuditRecordsDetailAndTheClusterHeaderShowControlCharacters() throws Exception {
        java.time.Instant t = java.time.Instant.parse("2026-11-27T10:00:00Z");
        dev.strata.platform.api.audit.AuditEntry evil = new dev.strata.platform.api.audit.AuditEntry(7, t, "placement", "karaf\u001b[2J",
                Map.of("node", ESC_ID), "{}", "a".repeat(64), "b".repeat(64));
        AuditCommand audit = new AuditCommand();
        audit.audit = new dev.strata.platform.api.audit.AuditLog() {
            @Override
            public List<dev.strata.platform.api.audit.AuditEntry> entries(dev.strata.platform.api.audit.AuditQuery query) {
                return List.of(evil);
            }

            @Override
            public java.util.Optional<dev.strata.platform.api.audit.AuditEntry> entry(long seq) {
                return java.util.Optional.of(evil);
            }

            @Override
            public dev.strata.platform.api.audit.AuditReport verify() {
                throw new UnsupportedOperationException();
            }

            @Override
            public dev.strata.platform.api.audit.AuditReport verify(String trustedKeysPem) {
                throw new UnsupportedOperationException();
            }

            @Override
            public dev.strata.platform.api.audit.AuditExport export(java.nio.file.Path file, java.nio.file.Path publicKeyFile) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String publicKeys() {
                return "";
            }
        };
        audit.seq = 7L;
        String detail = CommandOutput.of(audit::execute);
        assertThat(detail).doesNotContain("\u001b", "\u0007", "\r").contains("Actor     karaf\\x1b[2J").contains(SHOWN);

        ClusterCommand cluster = new ClusterCommand();
        cluster.cluster = () -> new dev.strata.platform.api.cluster.ClusterStatus("postgresql jdbc:postgresql://db/strata", true, ESC_ID,
                ESC_ID, "a.example:8101\u001b]0;x\u0007", t, 3, List.of(new dev.strata.platform.api.cluster.ClusterInstance(ESC_ID,
                        "a.example:8101", "leader", t, t, true)));
        String header = CommandOutput.of(cluster::execute);
        assertThat(header).doesNotContain("\u001b", "\u0007", "\r").contains("This      " + SHOWN).contains("a.example:8101\\x1b]0;x\\x07");
    }

    /**
     * An id or file name typed by the user, quoted in a not-found error, is shown as every id is: a
     * pasted id holding an escape sequence or a line break was printed as it was, by the command's
     * own message (strata:deployment, strata:place -f, strata:audit --from) or by the service's,
     * which the command passed on (strata:release, strata:undeploy).
     */
    @Test
    void anIdOrFileNameTypedByTheUserIsShownEscapedInANotFoundError() {
        String typed = "d-\u001b[2J\u001b]0;owned\u0007x\nRESULT: ok";
        String shown = "d-\\x1b[2J\\x1b]0;owned\\x07x RESULT: ok";
        DeploymentCommand deployment = new DeploymentCommand();
        deployment.deployments = new DeploymentCommandsTest.RecordingDeployments();
        deployment.id = typed;
        assertThatThrownBy(deployment::execute).isInstanceOf(dev.strata.platform.api.exception.NotFoundException.class)
                .hasMessage("no deployment '" + shown + "'; strata:deployments --all lists them");

        UndeployCommand undeploy = new UndeployCommand();
        undeploy.deployments = new DeploymentCommandsTest.RecordingDeployments();
        undeploy.id = typed;
        assertThatThrownBy(undeploy::execute).isInstanceOf(dev.strata.platform.api.exception.NotFoundException.class)
                .hasMessage("no deployment '" + shown + "'");

        ReleaseCommand release = new ReleaseCommand();
        release.placement = new RecordingPlacement();
        release.id = typed;
        assertThatThrownBy(release::execute).isInstanceOf(dev.strata.platform.api.exception.NotFoundException.class)
                .hasMessage("no allocation '" + shown + "'");

        assertThat(PlaceCommand.notFound("/srv/" + typed + ".yaml")).isEqualTo("no contract file /srv/" + shown + ".yaml");
        assertThat(PlaceCommand.notFound(typed + ".yaml")).doesNotContain("\u001b", "\u0007", "\n").contains("no contract file " + shown
                + ".yaml: looked for ").contains("(cat '" + shown + ".yaml' | strata:place -f -)");
        assertThatThrownBy(() -> AuditTimes.parse("--from", typed, java.time.Instant.EPOCH))
                .hasMessageStartingWith("--from '" + shown + "': expected an instant");
    }
    /**
     * Values typed by the user that a service or the API's parser quotes in the error it throws, which
     * Karaf prints as it is: a {@code --timeout} of strata:undeploy and strata:deploy (the duration
     * parser quotes it), and the file of strata:audit-export that the provenance log cannot write (its
     * message and the file system's it quotes name the path). Before, an escape sequence or a line
     * break in them reached the terminal.
     */
    @Test
    void aValueTypedByTheUserThatAServicesErrorQuotesIsShownEscaped(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String typed = "5\u001b[2J\u001b]0;owned\u0007x\nRESULT: ok";
        String shown = "5\\x1b[2J\\x1b]0;owned\\x07x RESULT: ok";
        UndeployCommand undeploy = new UndeployCommand();
        undeploy.deployments = new DeploymentCommandsTest.RecordingDeployments();
        undeploy.id = "d-1";
        undeploy.await = true;
        undeploy.timeout = typed;
        // the duration parser quotes the value escaped itself (as the API's refusals show outside text), so the shell finds
        // nothing left to escape: either way no escape sequence or line break reaches the terminal
        String parsed = "5\\u001b[2J\\u001b]0;owned\\u0007x\\u000aRESULT: ok";
        assertThatThrownBy(undeploy::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--timeout: '" + parsed + "' ").message().doesNotContain("\u001b", "\u0007", "\n");
        assertThatThrownBy(() -> DeployCommand.waitFor(true, typed)).hasMessageStartingWith("--timeout: '" + parsed + "' ")
                .message().doesNotContain("\u001b", "\u0007", "\n");

        java.nio.file.Path file = dir.resolve("a-file");
        java.nio.file.Files.writeString(file, "");
        String path = file + "/" + typed + ".jsonl";
        AuditExportCommand export = exportThatCannotWriteItsFile();
        export.file = path;
        assertThatThrownBy(export::execute).isInstanceOf(dev.strata.platform.api.exception.StrataException.class)
                .hasMessageStartingWith("cannot export the provenance log to " + file + "/" + shown + ".jsonl: ")
                .message().doesNotContain("\u001b", "\u0007", "\n");
    }

    /**
     * With Karaf's {@code printStackTraces} on, the error of strata:audit-export that the provenance log
     * cannot write the file to is printed with its cause, the file system's error, which quotes the path
     * as the user typed it: the message was shown escaped, but an escape sequence in the cause reached
     * the terminal. The cause is printed escaped too, still naming its class.
     */
    @Test
    void theFileErrorOfAnExportPrintedWithItsStackTraceShowsThePathEscaped(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String typed = "x\u001b]0;owned\u0007\nRESULT: ok";
        String shown = "x\\x1b]0;owned\\x07 RESULT: ok";
        java.nio.file.Path file = dir.resolve("a-file");
        java.nio.file.Files.writeString(file, "");
        AuditExportCommand export = exportThatCannotWriteItsFile();
        export.file = file + "/" + typed + "/log.jsonl";
        Throwable thrown = CommandOutput.ofFailing(export::execute).thrown();
        java.io.StringWriter trace = new java.io.StringWriter();
        thrown.printStackTrace(new java.io.PrintWriter(trace));
        assertThat(trace.toString()).as("the stack trace Karaf prints").doesNotContain("\u001b", "\u0007", "RESULT: ok\n")
                .contains("Caused by: java.nio.file.FileSystemException: " + file + "/" + shown);
    }

    /**
     * The error of strata:audit-export whose cause is shown escaped keeps the class and fields of the provenance log's error:
     * it was remade as a plain StrataException of the escaped message and cause, so a StateStoreException (the store failing
     * under the export) or an InvalidConfigurationException with its PID and property was printed as another error.
     */
    @Test
    void theFileErrorOfAnExportShownEscapedKeepsItsClassAndFields(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String typed = "x\u001b]0;owned\u0007\nRESULT: ok";
        String shown = "x\\x1b]0;owned\\x07 RESULT: ok";
        java.nio.file.Path file = dir.resolve("a-file");
        java.nio.file.Files.writeString(file, "");

        AuditExportCommand export = exportThatCannotWriteItsFile((message, cause) ->
                new dev.strata.platform.api.exception.StateStoreException(message, cause));
        export.file = file + "/" + typed + "/log.jsonl";
        Throwable thrown = CommandOutput.ofFailing(export::execute).thrown();
        assertThat(thrown.getClass()).isEqualTo(dev.strata.platform.api.exception.StateStoreException.class);
        assertThat(thrown).hasMessageStartingWith("cannot export the provenance log to " + file + "/" + shown + "/log.jsonl: ");
        assertThat(thrown.getCause().toString()).startsWith("java.nio.file.FileSystemException: " + file + "/" + shown);

        export = exportThatCannotWriteItsFile((message, cause) -> {
            var refused = new dev.strata.platform.api.exception.InvalidConfigurationException("dev.strata.provenance", "exportFolder",
                    message, "a folder that can be written");
            refused.initCause(cause);
            return refused;
        });
        export.file = file + "/" + typed + "/log.jsonl";
        thrown = CommandOutput.ofFailing(export::execute).thrown();
        assertThat(thrown).isInstanceOfSatisfying(dev.strata.platform.api.exception.InvalidConfigurationException.class, e -> {
            assertThat(e.pid()).isEqualTo("dev.strata.provenance");
            assertThat(e.property()).isEqualTo("exportFolder");
        });
        java.io.StringWriter trace = new java.io.StringWriter();
        thrown.printStackTrace(new java.io.PrintWriter(trace));
        assertThat(trace.toString()).as("the stack trace Karaf prints").doesNotContain("\u001b", "\u0007", "RESULT: ok\n")
                .contains("Caused by: java.nio.file.FileSystemException: " + file + "/" + shown);
    }

    /**
     * A cause chain that comes back to itself ({@code initCause} lets A's cause be B and B's cause A) was followed
     * without end when the error was made fit for the terminal, until a StackOverflowError: it stops at the throwable
     * already shown, printed as the JDK prints it, {@code [CIRCULAR REFERENCE: ...]}, its message still shown escaped.
     */
    @Test
    void aCauseChainThatComesBackToItselfIsShownOnceEndingInACircularReference() {
        IllegalStateException a = new IllegalStateException("a\u001b[2J");
        IllegalArgumentException b = new IllegalArgumentException("b");
        a.initCause(b);
        b.initCause(a);
        Throwable shown = Format.shown(a);
        assertThat(shown).hasToString("java.lang.IllegalStateException: a\\x1b[2J");
        assertThat(shown.getCause()).hasToString("java.lang.IllegalArgumentException: b");
        assertThat(shown.getCause().getCause()).hasToString("[CIRCULAR REFERENCE: java.lang.IllegalStateException: a\\x1b[2J]")
                .hasNoCause();
        java.io.StringWriter trace = new java.io.StringWriter();
        shown.printStackTrace(new java.io.PrintWriter(trace));
        assertThat(trace.toString()).doesNotContain("\u001b")
                .contains("Caused by: [CIRCULAR REFERENCE: java.lang.IllegalStateException: a\\x1b[2J]");
    }

    /**
     * A suppressed exception that is one of the throwables holding it (here the one it was added to's own cause) was
     * followed back up the chain without end: it is shown as a circular reference, with neither cause nor suppressed.
     */
    @Test
    void aSuppressedExceptionThatIsAnAncestorIsShownAsACircularReference() {
        IllegalStateException top = new IllegalStateException("top");
        IllegalArgumentException cause = new IllegalArgumentException("cause");
        top.initCause(cause);
        cause.addSuppressed(top);
        Throwable shown = Format.shown(top);
        assertThat(shown.getCause()).hasToString("java.lang.IllegalArgumentException: cause");
        assertThat(shown.getCause().getSuppressed()).hasSize(1);
        Throwable circular = shown.getCause().getSuppressed()[0];
        assertThat(circular).hasToString("[CIRCULAR REFERENCE: java.lang.IllegalStateException: top]").hasNoCause();
        assertThat(circular.getSuppressed()).isEmpty();
    }

    /**
     * The contract reader's errors quote the file's values and name, both the user's: {@code strata:place -f} and
     * {@code strata:deploy -f} passed them on as they were, so a value holding an escape sequence or a line break reached
     * the terminal. The reader here is a stand-in (the real one lives in platform-core, which this bundle does not depend
     * on) that throws what a reader may throw: every part of each violation and the file's name are shown escaped, each
     * violation still on a line of its own, and the exception keeps its type and violations; a service's own exception
     * (a tenant's login refused the file) keeps its type too.
     */
    @Test
    void aContractReadersErrorQuotingTheUsersFileIsShownEscaped(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("c\u001b[2J.yaml"), "name: x\n");
        String value = "a\u001b]0;owned\u0007b\nRESULT: ok";
        dev.strata.platform.api.contract.ContractReader reader = refusing(path -> new dev.strata.platform.api.contract.InvalidContractException(
                path.toString(), List.of(new dev.strata.platform.api.contract.Violation("members[0].name", value, "the member's name"),
                        new dev.strata.platform.api.contract.Violation("tenant\u202e", null, "holds \u001b[31m", "a tenant id"))));
        PlaceCommand place = new PlaceCommand();
        place.reader = reader;
        place.file = file.toString();
        String shownFile = file.toString().replace("\u001b", "\\x1b");
        assertThatThrownBy(place::execute).isInstanceOf(dev.strata.platform.api.contract.InvalidContractException.class)
                .hasMessage("contract " + shownFile + " has 2 errors:\n  members[0].name: 'a\\x1b]0;owned\\x07b RESULT: ok'; expected the "
                        + "member's name\n  tenant\\u202e: holds \\x1b[31m; expected a tenant id")
                .satisfies(e -> assertThat(((dev.strata.platform.api.contract.InvalidContractException) e).violations()).hasSize(2));

        DeployCommand deploy = new DeployCommand();
        deploy.reader = reader;
        deploy.file = file.toString();
        assertThatThrownBy(deploy::execute).isInstanceOf(dev.strata.platform.api.contract.InvalidContractException.class)
                .message().doesNotContain("\u001b", "\u0007", "\u202e").contains("'a\\x1b]0;owned\\x07b RESULT: ok'");

        place.reader = refusing(path -> new dev.strata.platform.api.exception.AuthorizationException(
                "a tenant's login reads no file on the server: " + path));
        assertThatThrownBy(place::execute).isExactlyInstanceOf(dev.strata.platform.api.exception.AuthorizationException.class)
                .hasMessage("a tenant's login reads no file on the server: " + shownFile);
    }

    /**
     * The contract's source is taken from the exception, not parsed out of its message: a source holding the text the
     * message puts after it ({@code " has 2 errors:\n"}) was cut there, and the rest of it lost.
     */
    @Test
    void aContractSourceHoldingTheMessagesOwnWordsIsShownWhole(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("c.yaml"), "name: x\n");
        String source = "a has 2 errors:\n  b.yaml";
        PlaceCommand place = new PlaceCommand();
        place.reader = refusing(path -> new dev.strata.platform.api.contract.InvalidContractException(source,
                List.of(new dev.strata.platform.api.contract.Violation("name", "x", "the contract's name"),
                        new dev.strata.platform.api.contract.Violation("tenant", null, "a tenant id"))));
        place.file = file.toString();
        assertThatThrownBy(place::execute).isInstanceOf(dev.strata.platform.api.contract.InvalidContractException.class)
                .hasMessage("contract a has 2 errors:   b.yaml has 2 errors:\n  name: 'x'; expected the contract's name\n"
                        + "  tenant: missing; expected a tenant id")
                .satisfies(e -> assertThat(((dev.strata.platform.api.contract.InvalidContractException) e).source())
                        .as("the line break shown as a blank, as in the message").isEqualTo("a has 2 errors:   b.yaml"));
    }

    /** A contract reader that refuses every file with the exception {@code error} makes for it. */
    static dev.strata.platform.api.contract.ContractReader refusing(java.util.function.Function<java.nio.file.Path, RuntimeException> error) {
        return new dev.strata.platform.api.contract.ContractReader() {
            @Override
            public dev.strata.platform.api.contract.Contract read(String text, String source) {
                throw error.apply(java.nio.file.Path.of(source));
            }

            @Override
            public dev.strata.platform.api.contract.Contract read(java.nio.file.Path file) {
                throw error.apply(file);
            }

            @Override
            public dev.strata.platform.api.contract.Contract read(java.io.InputStream in, String source) {
                throw error.apply(java.nio.file.Path.of(source));
            }
        };
    }

    /**
     * strata:audit-export against a provenance log that fails as {@code ProvenanceService.export} does where the file cannot
     * be written: its folder, below a file, cannot be made, and the error names the path as typed with the file system's error.
     */
    private static AuditExportCommand exportThatCannotWriteItsFile() {
        return exportThatCannotWriteItsFile(dev.strata.platform.api.exception.StrataException::new);
    }

    /** As {@link #exportThatCannotWriteItsFile()}, the error made by {@code failure} from its message and the file system's error. */
    private static AuditExportCommand exportThatCannotWriteItsFile(
            java.util.function.BiFunction<String, java.io.IOException, dev.strata.platform.api.exception.StrataException> failure) {
        AuditExportCommand export = new AuditExportCommand();
        export.audit = new AuditAndClusterCommandsTest.RecordingAuditLog() {
            @Override
            public dev.strata.platform.api.audit.AuditExport export(java.nio.file.Path target, java.nio.file.Path keys) {
                try {
                    java.nio.file.Files.createDirectories(target.getParent());
                    throw new AssertionError("a folder was made below a file");
                } catch (java.io.IOException e) {
                    throw failure.apply("cannot export the provenance log to " + target + ": " + e.getMessage(), e);
                }
            }
        };
        return export;
    }
}
