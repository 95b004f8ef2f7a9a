package dev.strata.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import dev.strata.itests.StrataInstallation.Listening;
import dev.strata.itests.StrataInstallation.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The distribution as an operator meets it, as separate processes: {@code bin/strata} starts it
 * with an instance folder outside the distribution ({@code STRATA_BASE}); the console listens on
 * loopback only and takes the key created at the first start, never {@code karaf/karaf}; one
 * shell command runs from the system shell with its exit status; the start prints a summary
 * whose length does not grow with the inventory; and a rebuilt distribution keeps the
 * instance's key, inventory and changed settings while taking new defaults.
 */
public class DistributionProcessIT {

    private static final Duration START = Duration.ofMinutes(5);
    private static final Duration COMMAND = Duration.ofMinutes(2);
    private static Path work;

    @BeforeClass
    public static void folder() throws IOException {
        work = Path.of(KarafOptions.reactorRoot(), "itests/target/process").toAbsolutePath().normalize();
        StrataInstallation.deleteTree(work);
        Files.createDirectories(work);
    }

    @Test
    public void operatorJourneyFromFirstStartToRebuild() throws Exception {
        Path base = work.resolve("instance");
        Path reports = Path.of(KarafOptions.reactorRoot(), "itests/target/reports");
        Files.createDirectories(reports);
        StringBuilder report = new StringBuilder("bin/strata start, from the command to the printed summary\n");

        String key;
        int smallStartLines;
        try (StrataInstallation strata = StrataInstallation.unpack(work.resolve("first"), base)) {
            strata.prepareInstance();
            Result start = strata.strata(START, "start");
            assertEquals(start.output(), 0, start.exitCode());
            report.append(String.format(Locale.ROOT, "first start, 1 node: %d ms, %d lines%n", start.took().toMillis(), start.lines().size()));
            smallStartLines = summaryLines(start);
            assertTrue(start.output(), start.output().contains("strata> strata:status"));
            assertTrue(start.output(), start.output().contains("Nodes by site and state"));

            // The first start installs the boot features in one pass: no bundle already started is
            // stopped or refreshed. A refresh reached the features service while the framework's
            // start-level thread was still starting it, and Karaf's boot then deadlocked now and then.
            List<String> log = Files.readAllLines(base.resolve("data/log/karaf.log"));
            assertTrue("the features service's boot is in the log", log.stream().anyMatch(l -> l.contains("Changes to perform:")));
            List<String> restarts = log.stream()
                    .filter(l -> l.contains("Stopping bundles:") || l.contains("Refreshing bundles:"))
                    .toList();
            assertTrue("the first start stopped or refreshed bundles: " + restarts, restarts.isEmpty());

            // a per-installation key, readable by its owner only; no password shipped
            Path keyFile = base.resolve("etc/strata-console.key");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
            key = Files.readString(keyFile);
            assertFalse(Files.readString(base.resolve("etc/users.properties")).lines()
                    .anyMatch(l -> l.matches("\\s*karaf\\s*=.*")));

            // the console, and every socket the server opens, listens on loopback only
            List<Listening> sockets = StrataInstallation.listeningSockets(strata.pid());
            assertTrue("the console listens: " + sockets, sockets.stream().anyMatch(s -> s.port() == strata.sshPort));
            for (Listening s : sockets) {
                assertTrue("listens beyond loopback: " + s, s.address().isLoopbackAddress());
            }

            // the well-known login is refused; the installation's key is accepted
            Result karaf = strata.client("bundle:list\n", COMMAND, "-u", "karaf", "-p", "karaf", "-a", Integer.toString(strata.sshPort),
                    "-h", "127.0.0.1", "-r", "1", "-b");
            assertNotEquals(karaf.output(), 0, karaf.exitCode());
            assertFalse(karaf.output(), karaf.output().contains("dev.strata.platform"));
            Result withKey = strata.client("bundle:list\n", COMMAND, "-u", "strata", "-k", keyFile.toString(), "-b");
            assertEquals(withKey.output(), 0, withKey.exitCode());
            assertTrue(withKey.output(), withKey.output().contains("Strata Platform API"));

            // the interactive shell, on a terminal (script(1) gives it one): Strata's banner and prompt
            Result tty = StrataInstallation.run(List.of("script", "-q", "-e", "-c", strata.home.resolve("bin/strata") + " shell", "/dev/null"),
                    java.util.Map.of("STRATA_BASE", base.toString()), null, COMMAND, null, "strata:nodes\nlogout\n", Duration.ofSeconds(8));
            String screen = tty.output().replaceAll("\u001B\\[[0-9;?]*[A-Za-z=>]", "");
            assertTrue(screen, screen.contains("Strata " + KarafOptions.version() + " on Apache Karaf"));
            assertTrue(screen, screen.contains("strata> "));
            assertFalse(screen, screen.contains("@root()"));

            // one command from the system shell, with its exit status
            Result providers = strata.strata(COMMAND, "shell", "strata:providers", "--no-format");
            assertEquals(providers.output(), 0, providers.exitCode());
            assertTrue(providers.output(), providers.lines().stream().anyMatch(l -> l.startsWith("baremetal\tbaremetal\t")));
            Result unknown = strata.strata(COMMAND, "shell", "strata:node", "no-such-node");
            assertEquals(unknown.output(), 1, unknown.exitCode());
            assertTrue(unknown.output(), unknown.output().contains("no node 'no-such-node'"));

            // a contract by a path relative to where the user is, and on standard input
            Path here = work.resolve("here");
            Files.createDirectories(here);
            String contract = "name: probe\ntenant: ops\nmembers:\n  - name: web\n    cpu: 1\n    memory: 64MiB\n";
            Files.writeString(here.resolve("probe.yaml"), contract);
            Result relative = StrataInstallation.run(List.of(strata.home.resolve("bin/strata").toString(), "shell", "strata:place",
                    "-f", "probe.yaml", "--dry-run"), java.util.Map.of("STRATA_BASE", base.toString()), null, COMMAND, here);
            assertEquals(relative.output(), 0, relative.exitCode());
            assertTrue(relative.output(), relative.output().contains("Contract probe of tenant ops: would be placed"));
            Result stdin = strata.strataWithInput(contract, COMMAND, "shell", "strata:place", "--dry-run", "-f", "-");
            assertEquals(stdin.output(), 0, stdin.exitCode());
            assertTrue(stdin.output(), stdin.output().contains("Contract probe of tenant ops: would be placed"));

            // the operator changes a setting in the instance
            Path placementCfg = base.resolve("etc/dev.strata.platform.core.placement.cfg");
            Files.writeString(placementCfg, Files.readString(placementCfg).replace("policy = strata", "policy = bestfit"));
        }

        // a rebuilt distribution, whose defaults changed, started on the same instance with a large inventory
        try (StrataInstallation rebuilt = StrataInstallation.unpack(work.resolve("rebuilt"), base)) {
            Path inventoryCfg = rebuilt.home.resolve("etc/dev.strata.platform.core.inventory.cfg");
            Files.writeString(inventoryCfg, Files.readString(inventoryCfg).replace("refreshInterval = 60s", "refreshInterval = 90s"));
            Files.writeString(base.resolve("etc/strata-inventory.yaml"), largeInventory(2000));

            Result start = rebuilt.strata(START, "start");
            assertEquals(start.output(), 0, start.exitCode());
            report.append(String.format(Locale.ROOT, "restart on the instance, 2,001 nodes: %d ms, %d lines%n", start.took().toMillis(),
                    start.lines().size()));
            assertTrue(start.output(), start.output().contains("2001 nodes at 4 sites"));
            // the summary does not grow with the inventory: one line per site, not per node
            assertEquals(start.output(), smallStartLines + 3, summaryLines(start));
            assertFalse("only the operator's change is kept: " + start.output(),
                    start.output().lines().anyMatch(l -> l.startsWith("Keeping your") && !l.contains("core.placement.cfg")
                            && !l.contains("org.apache.karaf.shell.cfg")));
            assertTrue(start.output(), start.output().contains("Keeping your " + base.resolve("etc/dev.strata.platform.core.placement.cfg")));

            assertEquals("the instance keeps its key", key, Files.readString(base.resolve("etc/strata-console.key")));
            assertTrue(Files.readString(base.resolve("etc/dev.strata.platform.core.placement.cfg")).contains("policy = bestfit"));
            assertTrue("a new default the operator never changed is taken",
                    Files.readString(base.resolve("etc/dev.strata.platform.core.inventory.cfg")).contains("refreshInterval = 90s"));
        }
        Files.writeString(reports.resolve("startup-process.txt"), report.toString());
    }

    /**
     * An operator who turns the AWS SDK's logging to DEBUG ({@code log:set DEBUG
     * software.amazon.awssdk}) gets its debug lines, but not the request signers': they print every
     * canonical request, and with it the session token of temporary credentials. The distribution's
     * logging configuration keeps them at INFO.
     */
    @Test
    public void theAwsSdkSignersStayAtInfoWhenTheSdkLogsAtDebug() throws Exception {
        Path base = work.resolve("logging-instance");
        try (StrataInstallation strata = StrataInstallation.unpack(work.resolve("logging"), base)) {
            strata.prepareInstance();
            Result start = strata.strata(START, "start");
            assertEquals(start.output(), 0, start.exitCode());
            Result set = strata.strata(COMMAND, "shell", "log:set", "DEBUG", "software.amazon.awssdk");
            assertEquals(set.output(), 0, set.exitCode());
            Result sdk = strata.strata(COMMAND, "shell", "log:get", "software.amazon.awssdk.request");
            assertTrue(sdk.output(), sdk.output().contains("DEBUG"));
            for (String signer : List.of("software.amazon.awssdk.http.auth.aws.internal.signer.DefaultV4RequestSigner",
                    "software.amazon.awssdk.auth.signer.Aws4Signer")) {
                Result get = strata.strata(COMMAND, "shell", "log:get", signer);
                assertEquals(get.output(), 0, get.exitCode());
                assertTrue(get.output(), get.output().contains("INFO"));
                assertFalse(get.output(), get.output().contains("DEBUG"));
            }
        }
    }

    /**
     * Place contracts, stop Strata, start it: {@code strata:allocations} shows exactly the same
     * allocations, and the capacity they hold is still held (a contract that did not fit before the
     * restart does not fit after it, and fits once one allocation is released). The provenance log
     * names the console user who placed them and its chain holds.
     */
    @Test
    public void placementsSurviveARestart() throws Exception {
        Path base = work.resolve("restart-instance");
        try (StrataInstallation strata = StrataInstallation.unpack(work.resolve("restart"), base)) {
            strata.prepareInstance();
            // one declared 1.5 TiB node besides this machine: three contracts of 512 GiB fill it
            Files.writeString(base.resolve("etc/strata-inventory.yaml"), "sites:\n  - {id: fra-1, country: DE, jurisdictions: [EU, DE]}\n"
                    + "nodes:\n  - {count: 1, model: cpu-2s-genoa, idPrefix: fra-1-cpu-, site: fra-1}\n");
            Result start = strata.strata(START, "start");
            assertEquals(start.output(), 0, start.exitCode());
            String big = "name: big\ntenant: bank\nmembers:\n  - name: db\n    cpu: 8\n    memory: 512GiB\n";
            int placed = 0;
            for (int i = 0; i < 8; i++) {
                Result r = strata.strataWithInput(big, COMMAND, "shell", "strata:place", "-f", "-");
                if (!r.output().contains("Contract big of tenant bank: placed as")) {
                    assertTrue(r.output(), r.output().contains("Contract big of tenant bank: not placed"));
                    assertEquals("a contract that does not fit fails the command: " + r.output(), 1, r.exitCode());
                    break;
                }
                assertEquals(r.output(), 0, r.exitCode());
                placed++;
            }
            assertTrue("at least two contracts placed before the node is full", placed >= 2);
            Result before = strata.strata(COMMAND, "shell", "strata:allocations", "--no-format");
            assertEquals(before.output(), 0, before.exitCode());
            assertEquals(before.output(), placed, before.lines().stream().filter(l -> l.startsWith("a-")).count());

            long pid = strata.pid();
            Result stop = strata.strata(COMMAND, "stop");
            assertEquals(stop.output(), 0, stop.exitCode());
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
            start = strata.strata(START, "start");
            assertEquals(start.output(), 0, start.exitCode());

            Result after = strata.strata(COMMAND, "shell", "strata:allocations", "--no-format");
            assertEquals(after.output(), 0, after.exitCode());
            assertEquals("the same allocations after the restart", allocationLines(before), allocationLines(after));
            Result full = strata.strataWithInput(big, COMMAND, "shell", "strata:place", "--dry-run", "-f", "-");
            assertTrue("the capacity is still held: " + full.output(), full.output().contains("Contract big of tenant bank: not placed"));
            String first = allocationLines(after).get(0).split("\t")[0];
            Result release = strata.strata(COMMAND, "shell", "strata:release", first);
            assertEquals(release.output(), 0, release.exitCode());
            Result fits = strata.strataWithInput(big, COMMAND, "shell", "strata:place", "--dry-run", "-f", "-");
            assertTrue("released capacity is free again: " + fits.output(), fits.output().contains("would be placed"));

            Result audit = strata.strata(COMMAND, "shell", "strata:audit", "-a", first, "--oldest-first", "--no-format");
            assertEquals(audit.output(), 0, audit.exitCode());
            assertTrue(audit.output(), audit.output().contains("placement") && audit.output().contains("release"));
            assertTrue("the console user is the actor: " + audit.output(), audit.lines().stream()
                    .map(l -> l.split("\t")).anyMatch(c -> c.length > 3 && c[2].equals("placement") && c[3].equals("strata")));
            Result verify = strata.strata(COMMAND, "shell", "strata:audit-verify");
            assertEquals(verify.output(), 0, verify.exitCode());
        }
    }

    private static List<String> allocationLines(Result r) {
        return r.lines().stream().filter(l -> l.startsWith("a-")).toList();
    }

    /** The lines of the start's output from the summary on. */
    static int summaryLines(Result start) {
        List<String> lines = start.lines();
        return lines.size() - lines.indexOf("strata> strata:status");
    }

    /** A declared inventory of {@code nodes} CPU nodes over three sites. */
    static String largeInventory(int nodes) {
        StringBuilder y = new StringBuilder("sites:\n");
        for (String s : new String[] {"fra-1", "par-1", "ams-1"}) {
            y.append("  - {id: ").append(s).append(", country: DE, jurisdictions: [EU, DE]}\n");
        }
        y.append("nodes:\n");
        int perSite = nodes / 3;
        String[] sites = {"fra-1", "par-1", "ams-1"};
        for (int i = 0; i < 3; i++) {
            int count = i < 2 ? perSite : nodes - 2 * perSite;
            y.append("  - {count: ").append(count).append(", model: cpu-2s-genoa, idPrefix: ").append(sites[i]).append("-cpu-, site: ")
                    .append(sites[i]).append("}\n");
        }
        return y.toString();
    }
}
