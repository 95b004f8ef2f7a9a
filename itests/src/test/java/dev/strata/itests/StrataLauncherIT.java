package dev.strata.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.strata.itests.StrataInstallation.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * {@code bin/strata} itself, run as an operator runs it (separate processes, an instance folder
 * of its own per test): what it passes to Strata's shell, how it starts, waits and stops, and
 * what it does to the instance folder.
 */
public class StrataLauncherIT {

    private static final Duration START = Duration.ofMinutes(5);
    private static final Duration COMMAND = Duration.ofMinutes(2);
    private static Path work;

    @BeforeClass
    public static void folder() throws IOException {
        work = Path.of(KarafOptions.reactorRoot(), "itests/target/launcher").toAbsolutePath().normalize();
        StrataInstallation.deleteTree(work);
        Files.createDirectories(work);
    }

    /**
     * An argument of {@code bin/strata shell COMMAND ARG...} reaches the command as it was typed:
     * a quote, a {@code $}, a backslash are characters, not the Karaf shell's syntax.
     */
    @Test
    public void shellArgumentsReachTheCommandAsTyped() throws Exception {
        Path base = work.resolve("quoting-instance");
        try (StrataInstallation strata = StrataInstallation.unpack(work.resolve("quoting"), base)) {
            strata.prepareInstance();
            Result start = strata.strata(START, "start");
            assertEquals(start.output(), 0, start.exitCode());

            for (String id : List.of("rack's node", "gpu$node", "$(shell:echo x)", "a\\b", "ends\\", "q\"uote", "it's $HOME \\ \"all\"")) {
                Result r = strata.strata(COMMAND, "shell", "strata:node", id);
                assertEquals(r.output(), 1, r.exitCode());
                assertTrue(id + " reaches strata:node as typed: " + r.output(), r.output().contains("no node '" + id + "'"));
            }

            // Many at once, each as given: after an argument holding a ' (written 'x'\''y'), Karaf's own parser, which splits the
            // line before Gogo reads it, split the next key=value into three words (e=f reached the command as e, =, f)
            List<String> awkward = List.of("a\\b", "x'y", "e=f", "it's", "gpus=4", "", "a b", "  two  spaces ", "$HOME", "$(shell:echo x)",
                    "${x}", "{x}", ";", "|", "a;b|c", "\\", "'", "''", "\"q\"", "ends\\", "\\users", "\\n", "\u00e9t\u00e9 \u2211 \u65e5\u672c",
                    "null", "true", "007", "1.50", "=", "=x", "[a]", "(b)", "<c>", "`x`", "#c", "~*?!&^%@", "tab\there", "line\nbreak",
                    "x'\\'y=z", "o'brien $x");
            Result echoed = strata.strata(COMMAND, Stream.concat(Stream.of("shell", "shell:printf", "<%s>".repeat(awkward.size()) + "%n"),
                    awkward.stream()).toArray(String[]::new));
            assertEquals(echoed.output(), 0, echoed.exitCode());
            assertEquals("<" + String.join("><", awkward) + ">\n", echoed.output());
            // a line break after a ' or \ cannot be written on Karaf's command line: refused, naming the argument
            Result lineBreak = strata.strata(COMMAND, "shell", "shell:printf", "%s", "it's\nmore");
            assertEquals(lineBreak.output(), 2, lineBreak.exitCode());
            assertTrue(lineBreak.output(), lineBreak.output().contains("argument 2 of shell:printf holds a line break after a ' or a \\"));

            // standard input can be read once: a second -f - read nothing, and the first one's copy was left in the temporary folder
            Result twice = strata.strata(COMMAND, "shell", "strata:place", "--dry-run", "-f", "-", "-f", "-");
            assertEquals(twice.output(), 2, twice.exitCode());
            assertTrue(twice.output(), twice.output().contains("bin/strata shell: -f - is given 2 times, and standard input can be read once"));

            // the command and its arguments in one quoted word reached the Karaf shell as a string: nothing ran, and it answered 0
            Result oneWord = strata.strata(COMMAND, "shell", "strata:node gpu$node");
            assertEquals(oneWord.output(), 2, oneWord.exitCode());
            assertTrue(oneWord.output(), oneWord.output().contains("'strata:node gpu$node' is not a command name; give the command and "
                    + "each argument as separate words"));

            // a contract in a folder whose name has a quote and a $, given relative to where the user is
            Path here = work.resolve("quoting-here");
            Path folder = here.resolve("O'Brien $team");
            Files.createDirectories(folder);
            Files.writeString(folder.resolve("probe.yaml"), "name: probe\ntenant: ops\nmembers:\n  - name: web\n    cpu: 1\n    memory: 64MiB\n");
            Result place = StrataInstallation.run(List.of(strata.home.resolve("bin/strata").toString(), "shell", "strata:place",
                    "--dry-run", "-f", "O'Brien $team/probe.yaml"), Map.of("STRATA_BASE", base.toString()), null, COMMAND, here);
            assertEquals(place.output(), 0, place.exitCode());
            assertTrue(place.output(), place.output().contains("Contract probe of tenant ops: would be placed"));
            // the option and its file in one word: Karaf reads it as after -f, and the relative file is the user's too
            Result joined = StrataInstallation.run(List.of(strata.home.resolve("bin/strata").toString(), "shell", "strata:place",
                    "--dry-run", "--file=O'Brien $team/probe.yaml"), Map.of("STRATA_BASE", base.toString()), null, COMMAND, here);
            assertEquals(joined.output(), 0, joined.exitCode());
            assertTrue(joined.output(), joined.output().contains("Contract probe of tenant ops: would be placed"));
            Result piped = StrataInstallation.run(List.of(strata.home.resolve("bin/strata").toString(), "shell", "strata:place",
                    "--dry-run", "--file=-"), Map.of("STRATA_BASE", base.toString()), "name: probe\ntenant: ops\nmembers:\n  - name: web\n"
                    + "    cpu: 1\n    memory: 64MiB\n", COMMAND, here);
            assertEquals(piped.output(), 0, piped.exitCode());
            assertTrue(piped.output(), piped.output().contains("Contract probe of tenant ops: would be placed"));
            Result twiceJoined = strata.strata(COMMAND, "shell", "strata:place", "--dry-run", "-f", "-", "--file=-");
            assertEquals(twiceJoined.output(), 2, twiceJoined.exitCode());
        }
    }

    /**
     * {@code bin/strata shell help strata} prints the help, as {@code strata:status} tells the
     * operator to ask for it. Karaf's {@code help} pages through {@code shell:less}, which prints
     * nothing without a terminal: from the system shell help printed nothing and exited 0.
     */
    @Test
    public void helpFromTheSystemShellPrintsTheHelp() throws Exception {
        Path base = work.resolve("help-instance");
        try (StrataInstallation strata = StrataInstallation.unpack(work.resolve("help"), base)) {
            strata.prepareInstance();
            Result start = strata.strata(START, "start");
            assertEquals(start.output(), 0, start.exitCode());
            assertTrue(start.output(), start.output().contains("; help strata"));

            Result scope = strata.strata(COMMAND, "shell", "help", "strata");
            assertEquals(scope.output(), 0, scope.exitCode());
            assertTrue(scope.output(), scope.output().contains("strata:place"));
            assertTrue(scope.output(), scope.output().contains("strata:allocations"));
            Result all = strata.strata(COMMAND, "shell", "help");
            assertTrue(all.output(), all.output().contains("strata:nodes"));
            Result tooMany = strata.strata(COMMAND, "shell", "help", "strata", "place");
            assertEquals(tooMany.output(), 1, tooMany.exitCode());
            assertTrue(tooMany.output(), tooMany.output().contains("too many arguments specified"));
        }
    }

    /**
     * A start timeout that is not a whole number of seconds is refused before anything starts,
     * naming the value and what is expected; it was taken for a timeout that never comes, and a
     * Strata that could not start was waited for forever.
     */
    @Test
    public void aStartTimeoutThatIsNotSecondsIsRefused() throws Exception {
        Path base = work.resolve("timeout-instance");
        try (StrataInstallation strata = StrataInstallation.unpack(work.resolve("timeout"), base)) {
            strata.prepareInstance();
            Path noJava = Files.createDirectories(work.resolve("timeout-no-java"));
            for (String timeout : List.of("2m", "-5", "0", "ten")) {
                Result start = StrataInstallation.run(List.of(strata.home.resolve("bin/strata").toString(), "start"),
                        Map.of("STRATA_BASE", base.toString(), "STRATA_START_TIMEOUT", timeout, "JAVA_HOME", noJava.toString()),
                        null, Duration.ofSeconds(60));
                assertEquals(start.output(), 2, start.exitCode());
                assertTrue(start.output(), start.output().contains("STRATA_START_TIMEOUT='" + timeout + "' is not a number of seconds"));
                assertTrue(start.output(), start.output().contains("expected a whole number of seconds, at least 1"));
                assertFalse(start.output(), start.output().contains("Starting Strata"));
            }
        }
    }

    /**
     * When the server ends before it answers (here: JAVA_HOME names no Java), bin/strata start
     * says so at once with what the server printed, and fails; it waited the whole start timeout
     * and then pointed at a log the server never wrote. The same on an instance that has started
     * before (its console key is there, so the wait asks the shell whether Strata is ready).
     */
    @Test
    public void aServerThatEndsWhileStartingIsReportedAtOnceWithWhatItPrinted() throws Exception {
        Path base = work.resolve("no-java-instance");
        try (StrataInstallation strata = StrataInstallation.unpack(work.resolve("no-java"), base)) {
            strata.prepareInstance();
            Path noJava = Files.createDirectories(work.resolve("no-java-home"));
            for (boolean startedBefore : new boolean[] {false, true}) {
                if (startedBefore) {
                    Result start = strata.strata(START, "start");
                    assertEquals(start.output(), 0, start.exitCode());
                    long pid = strata.pid();
                    strata.strata(COMMAND, "stop");
                    ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
                }
                Result start = StrataInstallation.run(List.of(strata.home.resolve("bin/strata").toString(), "start"),
                        Map.of("STRATA_BASE", base.toString(), "STRATA_START_TIMEOUT", "600", "JAVA_HOME", noJava.toString()),
                        null, Duration.ofSeconds(90));
                assertEquals(start.output(), 1, start.exitCode());
                assertTrue(start.output(), start.output().contains("Strata stopped while starting"));
                assertTrue("what the server printed: " + start.output(), start.output().contains(noJava.resolve("bin/java") + ": not found"));
                assertTrue(start.output(), start.output().contains("Its output is in " + base.resolve("data/log/karaf.out") + ", its log in"));
                assertTrue(start.output(), start.took().compareTo(Duration.ofSeconds(60)) < 0);
            }
        }
    }

    /**
     * Without {@code STRATA_BASE} the distribution folder is the instance, whatever the environment
     * says: a {@code KARAF_BASE}, {@code KARAF_ETC} or {@code KARAF_DATA} exported for another Karaf
     * reached bin/karaf, which started the server on that Karaf's folders while bin/strata waited for
     * the distribution's console key, and then said Strata was not running and could not stop it.
     */
    @Test
    public void aKarafFolderExportedForAnotherKarafDoesNotMoveTheInstance() throws Exception {
        Path other = Files.createDirectories(work.resolve("another-karaf"));
        Map<String, String> env = Map.of("KARAF_BASE", other.toString(), "KARAF_ETC", other.resolve("etc").toString(),
                "KARAF_DATA", other.resolve("data").toString());
        try (StrataInstallation strata = StrataInstallation.unpackInPlace(work.resolve("karaf-environment"))) {
            strata.prepareInstance();
            String launcher = strata.home.resolve("bin/strata").toString();
            Result start = StrataInstallation.run(List.of(launcher, "start"), env, null, START);
            assertEquals(start.output(), 0, start.exitCode());
            assertTrue(start.output(), Files.exists(strata.home.resolve("etc/strata-console.key")));
            assertFalse("nothing written for the other Karaf", Files.exists(other.resolve("data")));
            Result status = StrataInstallation.run(List.of(launcher, "status"), env, null, COMMAND);
            assertEquals(status.output(), 0, status.exitCode());
            assertTrue(status.output(), status.output().startsWith("Strata is running (process "));
            Result stop = StrataInstallation.run(List.of(launcher, "stop"), env, null, COMMAND);
            assertEquals(stop.output(), 0, stop.exitCode());
            assertTrue(stop.output(), stop.output().contains("Strata stopped."));
            assertTrue("no server left on the distribution", strata.karafProcesses().isEmpty());
        }
    }

    /**
     * bin/strata start of another build while Strata runs on the instance leaves the running
     * Strata's instance alone and says which build runs, and bin/strata console refuses to start
     * a second server on it: before, both deleted the running server's bundle cache and rewrote
     * its settings under it. Once that Strata is stopped, the new build starts with its own
     * bundles and defaults.
     */
    @Test
    public void aStartOfAnotherBuildWhileStrataRunsLeavesTheRunningInstanceAlone() throws Exception {
        Path base = work.resolve("rebuild-instance");
        try (StrataInstallation first = StrataInstallation.unpack(work.resolve("rebuild-first"), base)) {
            first.prepareInstance();
            Result start = first.strata(START, "start");
            assertEquals(start.output(), 0, start.exitCode());
            long pid = first.pid();
            List<String> cache = StrataInstallation.names(base.resolve("data/cache"));
            Path inventoryCfg = base.resolve("etc/dev.strata.platform.core.inventory.cfg");
            assertTrue(Files.readString(inventoryCfg).contains("refreshInterval = 60s"));

            try (StrataInstallation rebuilt = StrataInstallation.unpack(work.resolve("rebuild-second"), base)) {
                // another build: a file of its lib/ differs, and a default changed
                Files.writeString(rebuilt.home.resolve("lib/README"), "\nrebuilt\n", java.nio.file.StandardOpenOption.APPEND);
                Path newDefaults = rebuilt.home.resolve("etc/dev.strata.platform.core.inventory.cfg");
                Files.writeString(newDefaults, Files.readString(newDefaults).replace("refreshInterval = 60s", "refreshInterval = 90s"));

                Result again = rebuilt.strata(START, "start");
                assertEquals(again.output(), 0, again.exitCode());
                assertTrue(again.output(), again.output().contains("Strata is already running, from another build of the distribution"));
                assertFalse(again.output(), again.output().contains("cleared the bundle cache"));
                assertEquals("the running server's bundle cache is left alone", cache, StrataInstallation.names(base.resolve("data/cache")));
                assertTrue("its settings too", Files.readString(inventoryCfg).contains("refreshInterval = 60s"));
                assertEquals(List.of(pid), rebuilt.karafProcesses());
                Result console = rebuilt.strata(Duration.ofSeconds(30), "console");
                assertEquals(console.output(), 1, console.exitCode());
                assertTrue(console.output(), console.output().contains("Strata is already running on the instance " + base));
                assertEquals(cache, StrataInstallation.names(base.resolve("data/cache")));
                assertEquals(List.of(pid), rebuilt.karafProcesses());

                Result stop = rebuilt.strata(COMMAND, "stop");
                assertEquals(stop.output(), 0, stop.exitCode());
                ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
                Result fresh = rebuilt.strata(START, "start");
                assertEquals(fresh.output(), 0, fresh.exitCode());
                assertTrue(fresh.output(), fresh.output().contains("Another build of the distribution: cleared the bundle cache"));
                assertTrue(Files.readString(inventoryCfg).contains("refreshInterval = 90s"));
            }
        }
    }

    /**
     * Two bin/strata start at once on one instance start one server; the second waits for the
     * first and finds Strata running. Before, both found it stopped and started a server each
     * (the second waiting for Karaf's lock, to take over when the first was stopped), or one
     * failed on the other's half-written record of the distribution's settings.
     */
    @Test
    public void twoStartsAtOnceStartOneServer() throws Exception {
        Path base = work.resolve("twice-instance");
        try (StrataInstallation strata = StrataInstallation.unpack(work.resolve("twice"), base)) {
            strata.prepareInstance();
            ExecutorService two = Executors.newFixedThreadPool(2);
            try {
                Future<Result> a = two.submit(() -> strata.strata(START, "start"));
                Future<Result> b = two.submit(() -> strata.strata(START, "start"));
                Result first = a.get();
                Result second = b.get();
                assertEquals(first.output(), 0, first.exitCode());
                assertEquals(second.output(), 0, second.exitCode());
                assertEquals("one server started:\n" + first.output() + "\n" + second.output(), 1,
                        Stream.of(first, second).filter(r -> r.output().contains("Starting Strata")).count());
                assertEquals(1, strata.karafProcesses().size());
                List<String> manifest = Files.readAllLines(base.resolve("etc/.strata-distribution.sha256"));
                assertEquals("each file once in the record of the distribution's settings", manifest.stream().distinct().count(),
                        manifest.size());
            } finally {
                two.shutdownNow();
            }
        }
    }

    /**
     * A server whose bin/strata start was cut short (killed, as by Ctrl-C) before the server's
     * shutdown port opened is still starting: a second start says so and waits for it. Before,
     * start looked only at the shutdown port (Karaf's bin/status), found none yet, and launched a
     * second server, which Karaf refused ("a Root instance already running"): the start failed
     * with "Strata stopped while starting" while Strata was starting fine.
     */
    @Test
    public void aStartAfterOneCutShortWaitsForItsServerInsteadOfLaunchingAnother() throws Exception {
        Path base = work.resolve("cut-instance");
        try (StrataInstallation strata = StrataInstallation.unpack(work.resolve("cut"), base)) {
            strata.prepareInstance();
            Result once = strata.strata(START, "start"); // the instance as bin/strata makes it
            assertEquals(once.output(), 0, once.exitCode());
            assertEquals(0, strata.strata(COMMAND, "stop").exitCode());
            // a server whose start was cut short before its shutdown port opened, and which holds no start's lock
            strata.serverAlone();
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (strata.karafProcesses().isEmpty()) {
                assertTrue("the server's JVM did not appear", System.nanoTime() < deadline);
                Thread.sleep(20);
            }

            Result second = strata.strata(START, "start");
            assertEquals(second.output(), 0, second.exitCode());
            assertTrue(second.output(), second.output().contains("Strata is already starting (process "));
            assertFalse(second.output(), second.output().contains("Starting Strata"));
            assertEquals(1, strata.karafProcesses().size());
            Result stop = strata.strata(COMMAND, "stop");
            assertEquals(stop.output(), 0, stop.exitCode());
            assertEquals(List.of(), strata.karafProcesses());
        }
    }

    /**
     * bin/strata stop returns once Strata has stopped, and stops a Strata that is still starting;
     * bin/strata status tells running, starting and not running apart; with nothing running, stop
     * succeeds saying so and a shell command fails saying so. Before, it returned while the server was still shutting down, and during a start (no
     * shutdown port yet, or no server yet) it said the container was not running and left it to
     * finish starting.
     */
    @Test
    public void stopReturnsOnceStrataHasStoppedAndStopsAStartingStrata() throws Exception {
        Path base = work.resolve("stop-instance");
        try (StrataInstallation strata = StrataInstallation.unpack(work.resolve("stop"), base)) {
            strata.prepareInstance();
            Result start = strata.strata(START, "start");
            assertEquals(start.output(), 0, start.exitCode());
            long pid = strata.pid();
            Result running = strata.strata(COMMAND, "status");
            assertEquals(running.output(), 0, running.exitCode());
            assertTrue(running.output(), running.output().contains("Strata is running (process " + pid + ")"));
            Result stop = strata.strata(COMMAND, "stop");
            assertEquals(stop.output(), 0, stop.exitCode());
            assertFalse("the server has ended when stop returns", ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            assertTrue(stop.output(), stop.output().contains("Strata stopped."));
            assertEquals(List.of(), strata.karafProcesses());

            ExecutorService background = Executors.newSingleThreadExecutor();
            try {
                Future<Result> starting = background.submit(() -> strata.strata(START, "start"));
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (strata.karafProcesses().isEmpty()) {
                    assertTrue("the server's JVM did not appear", System.nanoTime() < deadline);
                    Thread.sleep(50);
                }
                // a server that does not answer yet is starting, not "not running" (as Karaf's bin/status said)
                Result whileStarting = strata.strata(COMMAND, "status");
                assertEquals(whileStarting.output(), 0, whileStarting.exitCode());
                assertTrue(whileStarting.output(), whileStarting.output().contains("Strata is starting (process "));
                Result stopStarting = strata.strata(COMMAND, "stop");
                assertEquals(stopStarting.output(), 0, stopStarting.exitCode());
                assertEquals(stopStarting.output(), List.of(), strata.karafProcesses());
                Result interrupted = starting.get();
                assertEquals(interrupted.output(), 1, interrupted.exitCode());
                assertTrue(interrupted.output(), interrupted.output().contains("Strata stopped while starting"));

                // a stop while the start has not launched its server yet waits for it, and stops it
                starting = background.submit(() -> strata.strata(START, "start"));
                Thread.sleep(1000);
                Result stopEarly = strata.strata(COMMAND, "stop");
                assertEquals(stopEarly.output(), 0, stopEarly.exitCode());
                assertEquals(stopEarly.output(), List.of(), strata.karafProcesses());
                interrupted = starting.get();
                assertEquals(interrupted.output(), 1, interrupted.exitCode());
            } finally {
                background.shutdownNow();
            }
            Result status = strata.strata(COMMAND, "status");
            assertEquals(status.output(), 1, status.exitCode());
            assertTrue(status.output(), status.output().contains("Strata is not running on the instance " + base));
            // stopped already: stop says so and succeeds; a shell command says Strata is not running instead of retrying
            Result stopAgain = strata.strata(COMMAND, "stop");
            assertEquals(stopAgain.output(), 0, stopAgain.exitCode());
            assertTrue(stopAgain.output(), stopAgain.output().contains("Strata is not running on the instance " + base + "."));
            Result shell = strata.strata(COMMAND, "shell", "strata:status");
            assertEquals(shell.output(), 1, shell.exitCode());
            assertTrue(shell.output(), shell.output().contains("Strata is not running on the instance " + base + "; start it with "));
            assertFalse(shell.output(), shell.output().contains("retrying"));
        }
    }

    /**
     * bin/strata linked into a folder on the PATH (ln -s .../bin/strata ~/bin/strata) and run from
     * another folder starts, answers and stops the distribution it links to, as Karaf's own
     * scripts do. Before, it took the link's folder for the distribution: a start ran a
     * bin/karaf that is not there ("Strata stopped while starting"), and stop and audit-verify
     * failed the same way.
     */
    @Test
    public void aLinkToBinStrataRunsTheDistributionItLinksTo() throws Exception {
        Path base = work.resolve("link-instance");
        try (StrataInstallation strata = StrataInstallation.unpack(work.resolve("link"), base)) {
            strata.prepareInstance();
            Path tools = Files.createDirectories(work.resolve("link-tools/my bin"));
            Path link = Files.createSymbolicLink(tools.resolve("strata"), strata.home.resolve("bin/strata"));
            Path elsewhere = Files.createDirectories(work.resolve("link-elsewhere"));
            Map<String, String> env = Map.of("STRATA_BASE", base.toString());

            Result start = StrataInstallation.run(List.of(link.toString(), "start"), env, null, START, elsewhere);
            assertEquals(start.output(), 0, start.exitCode());
            assertTrue(start.output(), start.output().contains("Starting Strata from " + strata.home));
            Result providers = StrataInstallation.run(List.of(link.toString(), "shell", "strata:providers", "--no-format"), env, null,
                    COMMAND, elsewhere);
            assertEquals(providers.output(), 0, providers.exitCode());
            assertTrue(providers.output(), providers.output().contains("baremetal\t"));
            Result stop = StrataInstallation.run(List.of(link.toString(), "stop"), env, null, COMMAND, elsewhere);
            assertEquals(stop.output(), 0, stop.exitCode());
            assertEquals(stop.output(), List.of(), strata.karafProcesses());
            assertEquals("nothing is written beside the link", List.of("my bin"), StrataInstallation.names(work.resolve("link-tools")));
        }
    }

    /**
     * The commands bin/strata prints for the operator to type (shell, stop, start) work as printed
     * when the distribution's folder has a space in its name: the path is quoted. They were printed
     * bare, and typed as shown they ran {@code /.../spaced} with the rest as arguments.
     */
    @Test
    public void theCommandsPrintedForADistributionInAFolderWithASpaceWorkAsPrinted() throws Exception {
        Path base = work.resolve("spaced-instance");
        try (StrataInstallation strata = StrataInstallation.unpack(work.resolve("spaced folder"), base)) {
            strata.prepareInstance();
            String quoted = "'" + strata.home.resolve("bin/strata") + "'";
            Result start = strata.strata(START, "start");
            assertEquals(start.output(), 0, start.exitCode());
            String stop = start.output().lines().filter(l -> l.startsWith("Shell: ")).findFirst().orElseThrow()
                    .replaceFirst(".*   Stop: ", "");
            assertEquals(start.output(), quoted + " stop", stop);
            assertTrue(start.output(), start.output().contains("One command: " + quoted + " shell strata:nodes"));

            Result typed = StrataInstallation.run(List.of("bash", "-c", stop), Map.of("STRATA_BASE", base.toString()), null, COMMAND);
            assertEquals(typed.output(), 0, typed.exitCode());
            assertTrue(typed.output(), typed.output().contains("Strata stopped."));
            assertEquals(typed.output(), List.of(), strata.karafProcesses());

            Result shell = strata.strata(COMMAND, "shell");
            assertEquals(shell.output(), 1, shell.exitCode());
            assertTrue(shell.output(), shell.output().contains("start it with " + quoted + " start"));
        }
    }

    /**
     * {@code bin/strata shell ... -f -} keeps the contract it reads from standard input in a
     * temporary file, owner-only, until the command has run. A TERM (or a Ctrl-C, or a hang-up)
     * while the contract was read or the command ran ended the script without removing it: the
     * contract stayed in the temporary folder for good. The script removes it however it ends.
     */
    @Test
    public void aContractReadFromStandardInputIsRemovedWhenTheShellIsStopped() throws Exception {
        Path base = work.resolve("stdin-instance");
        try (StrataInstallation strata = StrataInstallation.unpack(work.resolve("stdin"), base)) {
            strata.prepareInstance();
            Result start = strata.strata(START, "start");
            assertEquals(start.output(), 0, start.exitCode());
            Path temporary = Files.createDirectories(work.resolve("stdin-tmp"));
            ProcessBuilder pb = new ProcessBuilder(strata.home.resolve("bin/strata").toString(), "shell", "strata:place", "--dry-run",
                    "-f", "-").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("STRATA_BASE", base.toString());
            pb.environment().put("TMPDIR", temporary.toString());
            Process shell = pb.start();
            try {
                shell.getOutputStream().write("name: secret-project\ntenant: ops\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                shell.getOutputStream().flush();
                long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (listed(temporary).isEmpty() && System.nanoTime() < until) {
                    Thread.sleep(50);
                }
                assertEquals("the contract is being read into one temporary file", 1, listed(temporary).size());
                shell.destroy(); // SIGTERM to bin/strata, as kill does
                Thread.sleep(500);
                shell.getOutputStream().close(); // what it was reading ends
                assertTrue("bin/strata ended", shell.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
                until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!listed(temporary).isEmpty() && System.nanoTime() < until) {
                    Thread.sleep(50);
                }
                assertEquals("left in the temporary folder", List.of(), listed(temporary));
            } finally {
                shell.destroyForcibly();
            }
        }
    }

    private static List<String> listed(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * A Java that Strata cannot run on is refused before anything starts, naming it and what is
     * needed. Below 17, Strata's bundles never resolved and the start waited out its whole timeout;
     * from 24 on, Karaf's start failed with "Enabling a Security Manager is not supported", which
     * named no version. Debian 12 packages no Java below 17, so those version lines come from a
     * stand-in {@code java} script that only prints one (in a folder with a space, to see the
     * path quoted); a real Java 24 or later is used where the machine has one.
     */
    @Test
    public void aJavaStrataCannotRunOnIsRefusedNamingIt() throws Exception {
        Path base = work.resolve("java-instance");
        try (StrataInstallation strata = StrataInstallation.unpack(work.resolve("java"), base)) {
            strata.prepareInstance();
            Path standIn = Files.createDirectories(work.resolve("java-stand-in/old java/bin")).getParent();
            for (String version : List.of("11.0.25", "1.8.0_412")) {
                // it answers -version only; anything else (Karaf's bin/status asks it to run a class) fails, as on a machine without Strata running
                Files.writeString(standIn.resolve("bin/java"), "#!/bin/sh\n[ \"$1\" = -version ] || exit 1\necho 'openjdk version \""
                        + version + "\" 2024-10-15' >&2\n");
                Files.setPosixFilePermissions(standIn.resolve("bin/java"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
                refused(strata, base, standIn, version, "'" + standIn.resolve("bin/java") + "'");
            }
            try (Stream<Path> jvms = Files.exists(Path.of("/usr/lib/jvm")) ? Files.list(Path.of("/usr/lib/jvm")) : Stream.empty()) {
                for (Path jvm : jvms.sorted().toList()) {
                    Path release = jvm.resolve("release");
                    String version = Files.isRegularFile(release) ? Files.readAllLines(release).stream()
                            .filter(l -> l.startsWith("JAVA_VERSION=")).map(l -> l.replaceAll("JAVA_VERSION=|\"", "")).findFirst().orElse("") : "";
                    if (version.matches("(2[4-9]|[3-9][0-9])(\\..*)?") && Files.isExecutable(jvm.resolve("bin/java"))) {
                        refused(strata, base, jvm, version, jvm.resolve("bin/java").toString());
                    }
                }
            }
        }
    }

    private static void refused(StrataInstallation strata, Path base, Path javaHome, String version, String shown) throws Exception {
        for (String command : List.of("start", "console")) {
            Result r = StrataInstallation.run(List.of(strata.home.resolve("bin/strata").toString(), command),
                    Map.of("STRATA_BASE", base.toString(), "JAVA_HOME", javaHome.toString()), null, Duration.ofSeconds(60));
            assertEquals(r.output(), 1, r.exitCode());
            assertTrue(r.output(), r.output().contains("Strata needs Java 17 to 23 (it is built for Java 17 and runs in Karaf 4.4); "
                    + shown + " is Java " + version + "."));
            assertTrue(r.output(), r.output().contains("Set JAVA_HOME to a Java 17"));
            assertFalse(r.output(), r.output().contains("Starting Strata"));
            assertEquals(r.output(), List.of(), strata.karafProcesses());
            // refused before anything is created: an empty data/ was left behind
            assertFalse(command + ": " + r.output(), Files.exists(base.resolve("data")));
            Path fresh = base.resolveSibling(base.getFileName() + "-never-made");
            Result first = StrataInstallation.run(List.of(strata.home.resolve("bin/strata").toString(), command),
                    Map.of("STRATA_BASE", fresh.toString(), "JAVA_HOME", javaHome.toString()), null, Duration.ofSeconds(60));
            assertEquals(first.output(), 1, first.exitCode());
            assertFalse(command + ": " + first.output(), Files.exists(fresh));
        }
    }

    /**
     * A settings file the previous distribution shipped and the new one no longer has follows the
     * new distribution too: gone from the instance when the operator never changed it, kept and
     * named when they did. Before, it stayed in force, unnamed, whatever it held.
     */
    @Test
    public void aSettingsFileTheNewDistributionNoLongerHasGoesUnlessItWasChanged() throws Exception {
        Path base = work.resolve("retired-instance");
        Path noJava = Files.createDirectories(work.resolve("retired-no-java"));
        // the server cannot start (no Java): what is looked at is what bin/strata did to the instance before it
        Map<String, String> env = Map.of("STRATA_BASE", base.toString(), "JAVA_HOME", noJava.toString());
        Path unchanged = base.resolve("etc/dev.strata.retired.cfg");
        Path changed = base.resolve("etc/dev.strata.retired-changed.cfg");
        try (StrataInstallation old = StrataInstallation.unpack(work.resolve("retired-old"), base)) {
            Files.writeString(old.home.resolve("etc/dev.strata.retired.cfg"), "# an old default\nsetting = 1\n");
            Files.writeString(old.home.resolve("etc/dev.strata.retired-changed.cfg"), "setting = 1\n");
            Result first = StrataInstallation.run(List.of(old.home.resolve("bin/strata").toString(), "start"), env, null, COMMAND);
            assertTrue(first.output(), first.output().contains("Created the Strata instance folder " + base));
            assertTrue(Files.exists(unchanged));
            Files.writeString(changed, "setting = 2\n");
            // only comments differ: not a change of its settings
            Files.writeString(unchanged, "# an old default, looked at\nsetting = 1\n");
        }
        try (StrataInstallation rebuilt = StrataInstallation.unpack(work.resolve("retired-new"), base)) {
            Result start = StrataInstallation.run(List.of(rebuilt.home.resolve("bin/strata").toString(), "start"), env, null, COMMAND);
            assertFalse("a file the operator never changed goes: " + start.output(), Files.exists(unchanged));
            assertTrue(start.output(), start.output().contains("Removed " + unchanged + ": the distribution no longer has it, and you had not changed it."));
            assertEquals("setting = 2\n", Files.readString(changed));
            assertTrue(start.output(), start.output().contains("Keeping your " + changed + " (the distribution no longer has it)."));

            Result again = StrataInstallation.run(List.of(rebuilt.home.resolve("bin/strata").toString(), "start"), env, null, COMMAND);
            assertFalse("named once, at the upgrade: " + again.output(), again.output().contains("dev.strata.retired"));
            assertEquals("setting = 2\n", Files.readString(changed));
        }
    }
}
