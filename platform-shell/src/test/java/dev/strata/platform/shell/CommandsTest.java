package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.provider.Capability;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import dev.strata.platform.api.model.Node;
import org.apache.karaf.shell.api.console.CommandLine;
import dev.strata.platform.api.inventory.ProviderStatus;
import org.junit.jupiter.api.Test;

class CommandsTest {

    @Test
    void providersPrintsOneRowPerProvider() throws Exception {
        ProvidersCommand command = new ProvidersCommand();
        command.registry = Fixtures.registry(Fixtures.status("baremetal", ProviderState.ACTIVE, null),
                Fixtures.status("bmc", ProviderState.FAILED, "connection refused"));
        command.noFormat = true;

        List<String> lines = CommandOutput.of(command::execute).lines().toList();
        // --no-format: no header, tab-separated cells
        assertThat(lines).hasSize(2);
        assertThat(cells(lines.get(0))).containsExactly("baremetal", "baremetal", "0.1.0", "COMPUTE", "ACTIVE", "4s ago",
                "12 ms", "1", "2", "-", "-", "-");
        assertThat(cells(lines.get(1))).contains("FAILED", "connection refused");
    }

    @Test
    void providersShowWhatEachIsConnectedTo() throws Exception {
        ProvidersCommand command = new ProvidersCommand();
        ProviderStatus plain = Fixtures.status("aws-prod", ProviderState.ACTIVE, null);
        ProviderStatus described = new ProviderStatus(plain.id(), "aws", plain.version(), plain.bundle(), plain.capabilities(), plain.state(),
                plain.since(), plain.lastDiscovery(), plain.lastDiscoveryTime(), plain.generation(), plain.resources(), null, 0, List.of(),
                "account 123456789012, regions eu-central-1");
        command.registry = Fixtures.registry(described);
        command.noFormat = true;
        List<String> lines = CommandOutput.of(command::execute).lines().toList();
        assertThat(cells(lines.get(0))).element(10).isEqualTo("account 123456789012, regions eu-central-1");
    }

    @Test
    void nodesPrintsTheTopologySummary() throws Exception {
        NodesCommand command = new NodesCommand();
        command.inventory = Fixtures.inventory(Fixtures.node());
        command.noFormat = true;

        List<String> lines = CommandOutput.of(command::execute).lines().toList();
        assertThat(lines).hasSize(1);
        assertThat(cells(lines.get(0))).containsExactly("baremetal:gpu1", "baremetal", "local", "AVAILABLE", "1", "2", "4", "1",
                "64.0 GiB", "1 (pci)", "1", "2");
    }

    @Test
    void nodeShowsNumaPciAndNics() throws Exception {
        NodeCommand command = new NodeCommand();
        command.inventory = Fixtures.inventory(Fixtures.node());
        command.id = "baremetal:gpu1";
        command.noFormat = true;

        List<String> lines = CommandOutput.of(command::execute).lines().toList();
        assertThat(lines).contains("CPU           1 package, 2 cores, 4 threads online: Xeon Gold 6338");
        List<List<String>> rows = lines.stream().map(CommandsTest::cells).toList();
        assertThat(rows).contains(List.of("0", "0-3", "64.0 GiB", "10"));
        assertThat(rows).contains(List.of("0000:3b:00.0", "030200 display", "10de:2335", "-", "0", "gen4 x16 (max gen5 x16)", "nvidia"));
        assertThat(rows).contains(List.of("ib0", "infiniband", "200000 Mb/s", "0000:5e:00.0", "0", "-"));
    }

    /** Counts of one are written in the singular: it said "1 packages", and "1 cores, 1 threads" for a one-CPU machine. */
    @Test
    void nodeWritesCountsOfOneInTheSingular() throws Exception {
        Node small = Fixtures.node().toBuilder().cpu(new dev.strata.platform.api.model.CpuTopology(List.of(new dev.strata.platform.api.model.CpuPackage(
                0, "GenuineIntel", "Xeon", List.of(new dev.strata.platform.api.model.CpuCore(0, dev.strata.platform.api.model.CpuSet.of(0))))),
                dev.strata.platform.api.model.CpuSet.of(0), dev.strata.platform.api.model.CpuSet.EMPTY)).build();
        NodeCommand command = new NodeCommand();
        command.inventory = Fixtures.inventory(small);
        command.id = "baremetal:gpu1";
        assertThat(CommandOutput.of(command::execute).lines().toList()).contains("CPU           1 package, 1 core, 1 thread online: Xeon");
    }

    /**
     * A node that reports no CPU packages, NUMA nodes or PCI devices (a declared one) says so under
     * each heading, as an empty table does everywhere else; before, each heading was followed by a
     * bordered table of column names alone. With --no-format an empty table prints nothing.
     */
    @Test
    void nodeWithoutPackagesNumaOrPciSaysNoneReported() throws Exception {
        Node declared = Fixtures.node().toBuilder().id("declared:rack1-n07").providerId("declared")
                .cpu(dev.strata.platform.api.model.CpuTopology.NONE).numaNodes(List.of()).pciDevices(List.of()).nics(List.of()).build();
        NodeCommand command = new NodeCommand();
        command.inventory = Fixtures.inventory(declared);
        command.id = "declared:rack1-n07";

        List<String> lines = CommandOutput.of(command::execute).lines().toList();
        for (String heading : List.of("Packages", "NUMA nodes", "PCI devices")) {
            int at = lines.indexOf(heading);
            assertThat(at).as(heading).isNotNegative();
            assertThat(lines.get(at + 1)).as("under " + heading).isEqualTo("None reported.");
        }
        assertThat(lines).noneMatch(l -> l.startsWith("PACKAGE") || l.startsWith("NODE") || l.startsWith("ADDRESS"));

        command.noFormat = true;
        assertThat(CommandOutput.of(command::execute).lines().toList()).doesNotContain("None reported.");
    }

    /**
     * The label column was sized from the raw keys in UTF-16 units and padded by printf, which
     * counts UTF-16 units too, while the keys are printed escaped: a key holding a bidirectional
     * override (one character, printed as the six of {@code \u202e}) overran the column, and a key
     * of emoji (two units each) widened it to twice what it shows, so values started in three
     * different columns. The column is sized and padded in characters of what is printed.
     */
    @Test
    void nodeAttributesWithEscapedOrWideKeysStayAligned() throws Exception {
        String escaped = "rack.position\u202e";
        String wide = "\ud83d\ude80".repeat(14);
        Node node = Fixtures.node().toBuilder().attributes(Map.of("kernel", "6.1.0", escaped, "B7", wide, "rocket")).build();
        NodeCommand command = new NodeCommand();
        command.inventory = Fixtures.inventory(node);
        command.id = "baremetal:gpu1";

        List<String> head = CommandOutput.of(command::execute).lines().takeWhile(l -> !l.isEmpty()).toList();
        Map<String, String> values = Map.of("Node", "baremetal:gpu1 (AVAILABLE)", "kernel", "6.1.0", "rack.position\\u202e", "B7",
                wide, "rocket");
        // the widest key as printed: rack.position and the six characters of its override escaped
        int column = "rack.position\\u202e".length() + 1;
        int checked = 0;
        for (String line : head) {
            int at = line.offsetByCodePoints(0, column);
            assertThat(line.codePointBefore(at)).as(line).isEqualTo(' ');
            assertThat(line.codePointAt(at)).as(line).isNotEqualTo(' ');
            String label = line.substring(0, at).strip();
            if (values.containsKey(label)) {
                assertThat(line.substring(at)).as(line).isEqualTo(values.get(label));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(values.size());
    }

    /**
     * The node's attributes line up with the lines above them, also when a key is longer than
     * the 13 characters of the label column (a BMC node's bmc.powerState, power.consumedWatts,
     * system.manufacturer): every value starts in the same column.
     */
    @Test
    void nodeAttributesWithLongKeysStayAligned() throws Exception {
        Node bmcNode = Fixtures.node().toBuilder().attributes(Map.of("kernel", "6.1.0", "bmc.powerState", "On",
                "power.consumedWatts", "894", "system.manufacturer", "HPE")).build();
        NodeCommand command = new NodeCommand();
        command.inventory = Fixtures.inventory(bmcNode);
        command.id = "baremetal:gpu1";

        List<String> head = CommandOutput.of(command::execute).lines().takeWhile(l -> !l.isEmpty()).toList();
        assertThat(head).hasSize(9);
        Map<String, String> values = Map.of("Node", "baremetal:gpu1 (AVAILABLE)", "CPU", "1 package, 2 cores, 4 threads online: Xeon Gold 6338",
                "kernel", "6.1.0", "bmc.powerState", "On", "power.consumedWatts", "894", "system.manufacturer", "HPE");
        int column = "system.manufacturer".length() + 1;
        for (String line : head) {
            assertThat(line.length()).as(line).isGreaterThan(column);
            assertThat(line.charAt(column - 1)).as(line).isEqualTo(' ');
            assertThat(line.charAt(column)).as(line).isNotEqualTo(' ');
            String label = line.substring(0, column).strip();
            if (values.containsKey(label)) {
                assertThat(line.substring(column)).as(line).isEqualTo(values.get(label));
            }
        }
    }

    @Test
    void unknownNodeIsOneClearLine() {
        NodeCommand command = new NodeCommand();
        command.inventory = Fixtures.inventory(Fixtures.node());
        command.id = "nope";
        assertThatThrownBy(command::execute)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no node 'nope'; known nodes: baremetal:gpu1");
    }

    @Test
    void missingServiceIsOneClearLine() {
        NodesCommand command = new NodesCommand();
        assertThatThrownBy(command::execute).hasMessageStartingWith("the Strata inventory is not running");
    }

    @Test
    void refreshReportsTheProvidersState() throws Exception {
        RefreshCommand command = new RefreshCommand();
        command.registry = Fixtures.registry(Fixtures.status("baremetal", ProviderState.ACTIVE, null));
        command.provider = "baremetal";
        assertThat(CommandOutput.of(command::execute)).isEqualTo("baremetal 0.1.0: ACTIVE, 1 resource in 12 ms" + System.lineSeparator());

        command.provider = "aws";
        assertThatThrownBy(command::execute).hasMessage("no provider 'aws'");
    }

    /**
     * A refresh whose discovery failed fails the command after its summary (Karaf's client exits
     * 1), naming the provider and why, so that a script does not go on with a stale inventory; a
     * provider that sees nothing here (UNAVAILABLE) is no failure.
     */
    @Test
    void refreshFailsWhenAProvidersDiscoveryFailed() throws Exception {
        RefreshCommand one = new RefreshCommand();
        one.registry = Fixtures.registry(Fixtures.status("bmc", ProviderState.FAILED, "connection refused"));
        one.provider = "bmc";
        CommandOutput.Failure failure = CommandOutput.ofFailing(one::execute);
        assertThat(failure.output()).startsWith("bmc 0.1.0: discovery FAILED (connection refused); kept from its last successful discovery, at ");
        assertThat(failure.thrown()).hasMessage("discovery failed for provider bmc (connection refused); what each discovered before"
                + " is kept, stale (see strata:providers)");

        RefreshCommand all = new RefreshCommand();
        all.registry = Fixtures.registry(Fixtures.status("baremetal", ProviderState.ACTIVE, null),
                Fixtures.status("nvidia", ProviderState.UNAVAILABLE, "no NVIDIA driver"),
                Fixtures.status("bmc", ProviderState.FAILED, "connection refused"),
                Fixtures.status("aws", ProviderState.FAILED, null));
        all.inventory = Fixtures.inventory(Fixtures.node());
        failure = CommandOutput.ofFailing(all::execute);
        assertThat(failure.output()).startsWith("Refreshed 4 providers: 1 node, 0 sites; 2 reported a problem");
        assertThat(failure.thrown()).hasMessage("discovery failed for providers bmc (connection refused), aws;"
                + " what each discovered before is kept, stale (see strata:providers)");

        all.registry = Fixtures.registry(Fixtures.status("baremetal", ProviderState.ACTIVE, null),
                Fixtures.status("nvidia", ProviderState.UNAVAILABLE, "no NVIDIA driver"));
        assertThat(CommandOutput.of(all::execute)).isEqualTo("Refreshed 2 providers: 1 node, 0 sites; 1 reported a problem"
                + " (see strata:providers)" + System.lineSeparator());
    }

    /**
     * strata:refresh read the providers' list three times (to count the problems, the providers,
     * and to find the failures), so a provider that came between the reads was counted in one and
     * not in another: "Refreshed 2 providers ... 1 reported a problem" over a list that held one,
     * and a failure named that the summary had not counted. It reads the list once.
     */
    @Test
    void refreshOfAllReadsTheProvidersOnce() throws Exception {
        List<ProviderStatus> grows = new ArrayList<>(List.of(Fixtures.status("bmc", ProviderState.FAILED, "connection refused")));
        ProviderRegistry fixed = Fixtures.registry();
        RefreshCommand all = new RefreshCommand();
        all.registry = new ProviderRegistry() {
            @Override
            public List<ProviderStatus> providers() {
                // a provider registers between each read and the next
                List<ProviderStatus> now = List.copyOf(grows);
                grows.add(Fixtures.status("late" + grows.size(), ProviderState.FAILED, "timed out"));
                return now;
            }

            @Override
            public Optional<ProviderStatus> provider(String id) {
                return fixed.provider(id);
            }

            @Override
            public ProviderStatus refresh(String id, Duration maxWait) {
                return fixed.refresh(id, maxWait);
            }
        };
        all.inventory = Fixtures.inventory(Fixtures.node());
        CommandOutput.Failure failure = CommandOutput.ofFailing(all::execute);
        assertThat(failure.output()).isEqualTo("Refreshed 1 provider: 1 node, 0 sites; 1 reported a problem (see strata:providers)"
                + System.lineSeparator());
        assertThat(failure.thrown()).hasMessage("discovery failed for provider bmc (connection refused); what each discovered before"
                + " is kept, stale (see strata:providers)");
    }

    /**
     * A refresh whose discovery failed printed {@code FAILED, 1 resource in 12 ms}: the count and
     * the time were those of the provider's last successful discovery, read as if this refresh had
     * found them. The line now says the discovery failed, and that what follows was kept from the
     * last successful discovery, at what time; or that none has succeeded yet.
     */
    @Test
    void aFailedRefreshSaysItsFiguresAreFromTheLastSuccessfulDiscovery() throws Exception {
        Instant at = Instant.parse("2026-12-01T10:00:00.412Z");
        RefreshCommand c = new RefreshCommand();
        c.provider = "bmc";
        c.registry = Fixtures.registry(new ProviderStatus("bmc", "baremetal", "0.1.0", "dev.strata.provider.bmc",
                Set.of(Capability.COMPUTE), ProviderState.FAILED, at.plusSeconds(60), at, Duration.ofMillis(12), 42, 3,
                "connection refused", 0, List.of(), null));
        CommandOutput.Failure failure = CommandOutput.ofFailing(c::execute);
        assertThat(failure.output()).isEqualTo("bmc 0.1.0: discovery FAILED (connection refused); kept from its last successful "
                + "discovery, at 2026-12-01T10:00:00.412Z (took 12 ms): 3 resources" + System.lineSeparator());
        assertThat(failure.thrown()).hasMessageStartingWith("discovery failed for provider bmc (connection refused)");

        c.registry = Fixtures.registry(new ProviderStatus("bmc", "baremetal", "0.1.0", "dev.strata.provider.bmc",
                Set.of(Capability.COMPUTE), ProviderState.FAILED, at, null, null, 0, 0, "connection refused", 0, List.of(), null));
        failure = CommandOutput.ofFailing(c::execute);
        assertThat(failure.output()).isEqualTo("bmc 0.1.0: discovery FAILED (connection refused); no discovery of it has succeeded yet"
                + System.lineSeparator());
    }

    /**
     * The registry throws a discovery's failure (ProviderRegistry.refresh: ProviderFailureException),
     * with the provider's own message, after folding it into the provider's status; strata:refresh
     * passed it on alone ({@code Error executing command: connection refused}), naming neither the
     * provider nor that what it discovered before is kept, and without the summary the README
     * promises. It now prints the summary of the status that failure left and fails naming the
     * provider, as for a status that comes back FAILED; an exception the status does not record (a
     * provider being replaced that did not return in time) is passed on as it was.
     */
    @Test
    void aDiscoveryFailureTheRegistryThrowsIsSummarisedAndNamesTheProvider() throws Exception {
        Instant at = Instant.parse("2026-12-01T10:00:00.412Z");
        ProviderStatus failed = new ProviderStatus("bmc", "baremetal", "0.1.0", "dev.strata.provider.bmc", Set.of(Capability.COMPUTE),
                ProviderState.FAILED, at.plusSeconds(60), at, Duration.ofMillis(12), 42, 3, "BMC 10.0.0.7 does not answer", 0, List.of(),
                null);
        RuntimeException[] thrown = {new dev.strata.platform.api.exception.ProviderFailureException("BMC 10.0.0.7 does not answer")};
        RefreshCommand c = new RefreshCommand();
        c.provider = "bmc";
        c.registry = new dev.strata.platform.api.inventory.ProviderRegistry() {
            @Override
            public List<ProviderStatus> providers() {
                return List.of(failed);
            }

            @Override
            public java.util.Optional<ProviderStatus> provider(String id) {
                return providers().stream().filter(p -> p.id().equals(id)).findFirst();
            }

            @Override
            public ProviderStatus refresh(String id, Duration maxWait) {
                throw thrown[0];
            }
        };
        CommandOutput.Failure failure = CommandOutput.ofFailing(c::execute);
        assertThat(failure.output()).isEqualTo("bmc 0.1.0: discovery FAILED (BMC 10.0.0.7 does not answer); kept from its last successful "
                + "discovery, at 2026-12-01T10:00:00.412Z (took 12 ms): 3 resources" + System.lineSeparator());
        assertThat(failure.thrown()).isInstanceOf(IllegalStateException.class).hasMessage("discovery failed for provider bmc (BMC 10.0.0.7 "
                + "does not answer); what each discovered before is kept, stale (see strata:providers)");

        thrown[0] = new dev.strata.platform.api.exception.ProviderUnavailableException("provider 'bmc' departed 31 s ago and has not "
                + "returned (waited 30s)");
        failure = CommandOutput.ofFailing(c::execute);
        assertThat(failure.output()).isEmpty();
        assertThat(failure.thrown()).isInstanceOf(dev.strata.platform.api.exception.ProviderUnavailableException.class)
                .hasMessage("provider 'bmc' departed 31 s ago and has not returned (waited 30s)");
    }

    @Test
    void noFormatIsOneRecordPerLineWithUnpaddedTabSeparatedFields() throws Exception {
        ProvidersCommand command = new ProvidersCommand();
        command.registry = Fixtures.registry(Fixtures.status("baremetal", ProviderState.ACTIVE, null),
                Fixtures.status("bmc", ProviderState.FAILED, "connection refused\n\tat host 10.0.0.7\\x"));
        command.noFormat = true;

        String out = CommandOutput.of(command::execute);

        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines).allSatisfy(l -> assertThat(l).doesNotContain(" \t", "\t "));
        assertThat(cells(lines.get(1))).hasSize(12).element(9).isEqualTo("connection refused\\n\\tat host 10.0.0.7\\\\x");
    }

    @Test
    void emptyTablesSayWhatIsEmptyAndPrintNothingForScripts() throws Exception {
        NodesCommand nodes = new NodesCommand();
        nodes.inventory = Fixtures.inventory();
        assertThat(CommandOutput.of(nodes::execute)).startsWith("No nodes in the inventory");
        nodes.noFormat = true;
        assertThat(CommandOutput.of(nodes::execute)).isEmpty();

        ProvidersCommand providers = new ProvidersCommand();
        providers.registry = Fixtures.registry();
        assertThat(CommandOutput.of(providers::execute)).startsWith("No providers registered");
    }

    @Test
    void gpusOfAnUnknownNodeSayTheNodeIsUnknownLikeOtherCommands() {
        GpusCommand command = new GpusCommand();
        command.inventory = Fixtures.inventory(Fixtures.node());
        command.node = "nope";
        assertThatThrownBy(command::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no node 'nope'; known nodes: baremetal:gpu1");
    }

    @Test
    void completersOfferKnownIds() {
        NodeIdCompleter nodes = new NodeIdCompleter();
        nodes.inventory = Fixtures.inventory(Fixtures.node());
        List<String> candidates = new ArrayList<>();
        nodes.complete(null, line("bare"), candidates);
        assertThat(candidates).map(String::strip).containsExactly("baremetal:gpu1");

        ProviderIdCompleter providers = new ProviderIdCompleter();
        providers.registry = Fixtures.registry(Fixtures.status("baremetal", ProviderState.ACTIVE, null),
                Fixtures.status("aws", ProviderState.ACTIVE, null));
        candidates.clear();
        providers.complete(null, line("a"), candidates);
        assertThat(candidates).map(String::strip).containsExactly("aws");
    }

    /**
     * An id given to an option completes with Tab as one given as an argument does: strata:gpus -n (a node), strata:audit
     * -a and -d (an allocation, a deployment) and strata:quota --tenant named no completer, and Karaf offers nothing for a
     * text option that names none, though the README says ids complete with Tab. Each names the completer of its ids
     * (strata:audit -t did already), and the one Karaf finds there offers them: strata:gpus -n the inventory's nodes.
     */
    @Test
    void anIdGivenToAnOptionCompletesAsAnArgumentDoes() throws Exception {
        record Expected(Class<?> command, String field, Class<?> completer) {
        }
        for (Expected e : List.of(new Expected(GpusCommand.class, "node", NodeIdCompleter.class),
                new Expected(AuditCommand.class, "tenant", TenantIdCompleter.class),
                new Expected(AuditCommand.class, "allocation", AllocationIdCompleter.class),
                new Expected(AuditCommand.class, "deployment", DeploymentIdCompleter.class),
                new Expected(QuotaCommand.class, "tenantOption", TenantIdCompleter.class))) {
            org.apache.karaf.shell.api.action.Completion completion = e.command().getDeclaredField(e.field())
                    .getAnnotation(org.apache.karaf.shell.api.action.Completion.class);
            assertThat(completion).as("the completer of %s.%s", e.command().getSimpleName(), e.field()).isNotNull();
            assertThat(completion.value()).as("the completer of %s.%s", e.command().getSimpleName(), e.field()).isEqualTo(e.completer());
        }
        NodeIdCompleter nodes = (NodeIdCompleter) GpusCommand.class.getDeclaredField("node")
                .getAnnotation(org.apache.karaf.shell.api.action.Completion.class).value().getDeclaredConstructor().newInstance();
        nodes.inventory = Fixtures.inventory(Fixtures.node(), Fixtures.node().toBuilder().id("aws:i-0abc").build());
        List<org.apache.karaf.shell.api.console.Candidate> candidates = new ArrayList<>();
        nodes.completeCandidates(null, line(""), candidates);
        assertThat(candidates).extracting(org.apache.karaf.shell.api.console.Candidate::value)
                .containsExactlyInAnyOrder("baremetal:gpu1", "aws:i-0abc");
    }

    /**
     * A completed id is inserted as the console's language (Felix Gogo, Karaf's own parser here)
     * reads it back as that id, in one word: an id holding a character Gogo reads as its own was
     * offered as it is, and the console inserts it so, escaping only blanks, so that
     * {@code n1;shutdown} became two commands and {@code gpu*} a glob. The
     * {@code Evaluate} is a stand-in that answers only the working folder, which glob expansion asks for.
     */
    @Test
    void aCompletedIdHoldingGogosOwnCharactersIsReadBackAsThatIdInOneWord() throws Exception {
        org.apache.felix.gogo.runtime.Evaluate evaluate = (org.apache.felix.gogo.runtime.Evaluate) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {org.apache.felix.gogo.runtime.Evaluate.class},
                (proxy, method, args) -> method.getName().equals("currentDir") ? java.nio.file.Path.of(".").toAbsolutePath() : null);
        for (String id : List.of("n1;shutdown", "n1|x", "n1&x", "n1$x", "gpu*", "n1?", "n1{x}", "n1(x)", "n1[0]", "n1\"x",
                "n1'x", "n1<x>", "#n1", "=n1", "n1%x", "n1\\x", "baremetal:gpu1")) {
            NodeIdCompleter nodes = new NodeIdCompleter();
            nodes.inventory = Fixtures.inventory(Fixtures.node().toBuilder().id(id).build());
            List<String> candidates = new ArrayList<>();
            nodes.complete(null, line(""), candidates);
            assertThat(candidates).as(id).hasSize(1);
            org.apache.felix.gogo.runtime.Parser parser = new org.apache.felix.gogo.runtime.Parser("strata:node " + candidates.get(0).strip());
            parser.program();
            assertThat(parser.statements()).as(id).hasSize(1);
            List<org.apache.felix.gogo.runtime.Token> words = parser.statements().get(0).tokens();
            assertThat(words).as(id).hasSize(2);
            assertThat(String.valueOf(org.apache.felix.gogo.runtime.Expander.expand(words.get(1), evaluate))).as(id).isEqualTo(id);
        }
    }

    /**
     * The contract file's completer (Karaf's file completer) offered a file's name as it is, and the console inserts it
     * so, escaping only blanks: {@code strata:place -f /srv/a;b.yaml} became two commands, {@code c(1).yaml} a closure.
     * Each name is read back by Gogo's own parser as one word, the folder typed and that file's name.
     */
    @Test
    void aCompletedContractFileNameHoldingGogosOwnCharactersIsReadBackAsThatFileInOneWord(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        org.apache.felix.gogo.runtime.Evaluate evaluate = (org.apache.felix.gogo.runtime.Evaluate) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {org.apache.felix.gogo.runtime.Evaluate.class},
                (proxy, method, args) -> method.getName().equals("currentDir") ? dir : null);
        List<String> names = List.of("a;b.yaml", "c(1).yaml", "d|e&f.yaml", "$x.yaml", "g*.yaml", "h?.yaml", "i{j}.yaml", "k[0].yaml",
                "l\"m'.yaml", "n<o>.yaml", "#p.yaml", "q=r%s.yaml", "t\\u.yaml", "plain.yaml");
        for (String name : names) {
            java.nio.file.Files.writeString(dir.resolve(name), "name: x\n");
        }
        List<org.apache.karaf.shell.api.console.Candidate> candidates = new ArrayList<>();
        new ContractFileCompleter().completeCandidates(TenantLoginShellTest.session(dir),
                TenantLoginShellTest.line("strata:place", "-f", dir + "/"), candidates);
        assertThat(candidates).hasSize(names.size());
        List<String> read = new ArrayList<>();
        for (org.apache.karaf.shell.api.console.Candidate candidate : candidates) {
            org.apache.felix.gogo.runtime.Parser parser = new org.apache.felix.gogo.runtime.Parser("strata:place -f " + candidate.value());
            parser.program();
            assertThat(parser.statements()).as(candidate.value()).hasSize(1);
            List<org.apache.felix.gogo.runtime.Token> words = parser.statements().get(0).tokens();
            assertThat(words).as(candidate.value()).hasSize(3);
            read.add(String.valueOf(org.apache.felix.gogo.runtime.Expander.expand(words.get(2), evaluate)));
        }
        assertThat(read).containsExactlyInAnyOrderElementsOf(names.stream().map(n -> dir + "/" + n).toList());
    }

    /**
     * The names the console lists while completing a contract file are shown escaped: a file named with an escape
     * sequence or a line break (anyone who can write a file on the server can name one so) is listed as
     * {@code \u001b[2J...}, never sent to the operator's terminal as it is. Before, the list showed the name raw.
     */
    @Test
    void aCompletedContractFileNameHoldingAnEscapeSequenceIsListedEscaped(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String hostile = "x\u001b[2J\u001b]0;owned\u0007\nnext.yaml";
        java.nio.file.Files.writeString(dir.resolve(hostile), "name: x\n");
        List<org.apache.karaf.shell.api.console.Candidate> candidates = new ArrayList<>();
        new ContractFileCompleter().completeCandidates(TenantLoginShellTest.session(dir),
                TenantLoginShellTest.line("strata:place", "-f", dir + "/"), candidates);
        assertThat(candidates).singleElement().satisfies(c -> {
            assertThat(c.displ()).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\n").contains("x");
            assertThat(c.displ()).isEqualTo(Format.visible(c.displ()));
        });
    }

    /**
     * The ids the console lists while completing are shown escaped: a node, GPU, provider, allocation, deployment or
     * tenant id holding an escape sequence or a line break (from a provider, a contract or the shared store) was listed
     * as it is, since Karaf lists a candidate's text so, and reached the operator's terminal, as a contract file's name
     * once did. The value the console inserts is still the id itself, which the command is given.
     */
    @Test
    void aCompletedIdHoldingAnEscapeSequenceIsListedEscaped() {
        // ESC c resets the terminal; U+202E reads what follows backwards
        String hostile = "n1\u001bc\u0007\u202e1\nx";
        NodeIdCompleter nodes = new NodeIdCompleter();
        nodes.inventory = Fixtures.inventory(Fixtures.node().toBuilder().id(hostile).build());
        GpuIdCompleter gpus = new GpuIdCompleter();
        gpus.inventory = Fixtures.inventory(List.of(), List.of(dev.strata.platform.api.model.Accelerator.builder().id(hostile)
                .model("NVIDIA H200").memoryBytes(141L << 30).build()));
        ProviderIdCompleter providers = new ProviderIdCompleter();
        providers.registry = Fixtures.registry(Fixtures.status(hostile, ProviderState.ACTIVE, null));
        dev.strata.platform.api.placement.Placement placement = (dev.strata.platform.api.placement.Placement) java.lang.reflect.Proxy
                .newProxyInstance(getClass().getClassLoader(), new Class<?>[] {dev.strata.platform.api.placement.Placement.class},
                        (proxy, method, args) -> switch (method.getName()) {
                            case "allocations" -> List.of(StatusCommandTest.allocationOn(hostile, "baremetal:gpu1"));
                            case "tenants" -> List.of(new dev.strata.platform.api.placement.TenantUse(hostile, 1, 0, 0, 0, -1, -1, -1));
                            default -> throw new UnsupportedOperationException(method.getName());
                        });
        AllocationIdCompleter allocations = new AllocationIdCompleter();
        allocations.placement = placement;
        TenantIdCompleter tenants = new TenantIdCompleter();
        tenants.placement = placement;
        DeploymentCommandsTest.RecordingDeployments service = new DeploymentCommandsTest.RecordingDeployments();
        dev.strata.platform.api.deployment.Deployment ready = service.deployment;
        service.deployment = new dev.strata.platform.api.deployment.Deployment(hostile, "llm", "bank", "a-000004", ready.state(), null,
                ready.onMachineLoss(), ready.createdAt(), ready.updatedAt(), 3, ready.members());
        service.awaited = service.deployment;
        DeploymentIdCompleter deployments = new DeploymentIdCompleter();
        deployments.deployments = service;
        for (org.apache.karaf.shell.api.console.Completer completer : List.of(nodes, gpus, providers, allocations, tenants, deployments)) {
            List<org.apache.karaf.shell.api.console.Candidate> candidates = new ArrayList<>();
            completer.completeCandidates(null, line(""), candidates);
            String what = completer.getClass().getSimpleName();
            assertThat(candidates).as(what).singleElement().satisfies(c -> {
                assertThat(c.displ()).as(what).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u202e")
                        .doesNotContain("\n").isEqualTo("n1\\x1bc\\x07\\u202e1 x");
                assertThat(c.value()).as(what + ": the id inserted as it is").isEqualTo(hostile);
            });
        }
    }

    /**
     * The contract file's completer answers Karaf's older {@code complete} too, with the names {@code completeCandidates}
     * offers: a file's followed by a blank, a folder's not, replacing the argument under the cursor. Before, it threw
     * {@link UnsupportedOperationException}, as Karaf's file completer does there. Read back through Karaf's own conversion
     * (the interface's {@code completeCandidates}), it gives the same candidates.
     */
    @Test
    void theContractFileCompleterAnswersTheOlderCompleteWithTheSameNames(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Files.writeString(dir.resolve("plain.yaml"), "name: x\n");
        java.nio.file.Files.writeString(dir.resolve("a;b.yaml"), "name: x\n");
        java.nio.file.Files.createDirectory(dir.resolve("sub"));
        ContractFileCompleter completer = new ContractFileCompleter();
        CommandLine line = TenantLoginShellTest.line("strata:place", "-f", dir + "/");
        List<String> strings = new ArrayList<>();
        int start = completer.complete(TenantLoginShellTest.session(dir), line, strings);
        assertThat(start).as("the start of the argument under the cursor").isEqualTo("strata:place -f ".length());
        assertThat(strings).containsExactlyInAnyOrder(dir + "/plain.yaml ", dir + "/a\\;b.yaml ", dir + "/sub/");

        List<org.apache.karaf.shell.api.console.Candidate> direct = new ArrayList<>();
        completer.completeCandidates(TenantLoginShellTest.session(dir), line, direct);
        org.apache.karaf.shell.api.console.Completer viaComplete = completer::complete;
        List<org.apache.karaf.shell.api.console.Candidate> converted = new ArrayList<>();
        viaComplete.completeCandidates(TenantLoginShellTest.session(dir), line, converted);
        assertThat(converted).extracting(org.apache.karaf.shell.api.console.Candidate::value, org.apache.karaf.shell.api.console.Candidate::complete)
                .containsExactlyInAnyOrderElementsOf(direct.stream().map(c -> org.assertj.core.groups.Tuple.tuple(c.value(), c.complete())).toList());
    }

    /** The fields of a --no-format line: split on single tabs, nothing stripped (padding would show). */
    static List<String> cells(String line) {
        return List.of(line.split("\t", -1));
    }

    static CommandLine line(String word) {
        return new CommandLine() {
            @Override
            public int getCursorArgumentIndex() {
                return 1;
            }

            @Override
            public String getCursorArgument() {
                return word;
            }

            @Override
            public int getArgumentPosition() {
                return word.length();
            }

            @Override
            public String[] getArguments() {
                return new String[] {"strata:node", word};
            }

            @Override
            public int getBufferPosition() {
                return 12 + word.length();
            }

            @Override
            public String getBuffer() {
                return "strata:node " + word;
            }
        };
    }
}
