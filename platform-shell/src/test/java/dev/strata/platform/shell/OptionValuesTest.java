package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.inventory.ProviderStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.karaf.shell.impl.action.command.DefaultActionPreparator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OptionValuesTest {

    /**
     * --from at or after --to matches no record: it said "No provenance records match", as if the log
     * held none; it is an error that shows both times. An earlier --from still asks the log.
     */
    @Test
    void auditRefusesAFromThatIsNotBeforeTo() throws Exception {
        AuditAndClusterCommandsTest.RecordingAuditLog log = new AuditAndClusterCommandsTest.RecordingAuditLog();
        AuditCommand c = new AuditCommand();
        c.audit = log;
        c.from = "2026-11-28";
        c.to = "2026-11-27T10:00:00Z";
        assertThatThrownBy(c::execute).isInstanceOf(IllegalArgumentException.class).hasMessage("--from 2026-11-28 (2026-11-28T00:00:00Z) "
                + "is not before --to 2026-11-27T10:00:00Z (2026-11-27T10:00:00Z); expected --from earlier than --to (a time ago counts "
                + "back from now: --from 2h --to 1h)");
        c.from = "1h";
        c.to = "2h";
        assertThatThrownBy(c::execute).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--from 1h (");
        assertThat(log.queries).isEmpty();

        c.from = "2h";
        c.to = "1h";
        c.noFormat = true;
        assertThat(CommandOutput.of(c::execute)).startsWith("42\t");
        assertThat(log.queries).hasSize(1);
    }

    /** A --timeout that is not a duration named neither the option nor where it came from: "'10 minutes' is not a number ...". */
    @Test
    void aTimeoutThatIsNotADurationIsNamedAsTheOption(@TempDir Path dir) throws Exception {
        DeploymentCommandsTest.RecordingDeployments service = new DeploymentCommandsTest.RecordingDeployments();
        UndeployCommand undeploy = new UndeployCommand();
        undeploy.deployments = service;
        undeploy.id = "d-000001";
        undeploy.await = true;
        undeploy.timeout = "ten minutes";
        assertThatThrownBy(undeploy::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--timeout: 'ten minutes' is not a number with a unit; expected ");
        assertThat(service.calls).as("nothing undeployed").isEmpty();

        DeployCommand deploy = new DeployCommand();
        deploy.deployments = service;
        deploy.reader = DeploymentCommandsTest.READER;
        deploy.file = Files.writeString(dir.resolve("llm.yaml"), "name: llm\n").toString();
        deploy.await = true;
        deploy.timeout = "-5m";
        assertThatThrownBy(deploy::execute).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--timeout: '-5m' ");
        assertThat(service.calls).as("nothing deployed").isEmpty();
    }

    /**
     * An export onto a directory wrote the whole log and then failed with "cannot export ... to DIR:
     * DIR.partial -> DIR"; a key file that is the export file replaced the log with the keys.
     */
    @Test
    void auditExportRefusesADirectoryAndAKeyFileThatIsTheExport(@TempDir Path dir) throws Exception {
        AuditExportCommand c = new AuditExportCommand();
        c.audit = new AuditAndClusterCommandsTest.RecordingAuditLog();
        c.file = dir.toString();
        assertThatThrownBy(c::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(dir + " is a directory; expected the path of a file to write (an existing file is replaced)");
        c.file = dir.resolve("log.jsonl").toString();
        c.publicKey = dir.toString();
        assertThatThrownBy(c::execute).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--public-key " + dir + " is a directory");
        c.publicKey = dir.resolve("sub/../log.jsonl").toString();
        assertThatThrownBy(c::execute).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is the export file itself");
        // the file each is written to aside first: refused before the log is asked, its paths shown escaped as typed
        c.file = dir.resolve("log\u001b[2J.jsonl").toString();
        c.publicKey = dir.resolve("log\u001b[2J.jsonl.partial").toString();
        assertThatThrownBy(c::execute).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--public-key " + dir + "/log\\x1b[2J.jsonl.partial and the export file")
                .hasMessageContaining("written aside first").hasMessageNotContaining("\u001b");
        c.file = dir.resolve("keys.pem.partial").toString();
        c.publicKey = dir.resolve("keys.pem").toString();
        assertThatThrownBy(c::execute).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("written aside first");
    }

    /**
     * A NUL character in the export file, --public-key or --key made the path throw Java's InvalidPathException ("Nul
     * character not allowed: ..."), which named neither the option nor what was expected and printed the path with its NUL
     * as it is; each is refused naming what was given and what a path there is for, before the log is asked.
     */
    @Test
    void aNulCharacterInAnAuditPathIsRefusedNamingTheOption(@TempDir Path dir) throws Exception {
        List<String> asked = new ArrayList<>();
        AuditAndClusterCommandsTest.RecordingAuditLog log = new AuditAndClusterCommandsTest.RecordingAuditLog() {
            @Override
            public dev.strata.platform.api.audit.AuditExport export(Path file, Path publicKeyFile) {
                asked.add("export " + file);
                return super.export(file, publicKeyFile);
            }
        };
        AuditExportCommand export = new AuditExportCommand();
        export.audit = log;
        export.file = dir + "/log\0.jsonl";
        assertThatThrownBy(export::execute).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("export file " + dir + "/log\\0.jsonl: the path holds a NUL character (\\0), which no file name can hold; "
                        + "expected the path of a file to write the log to");
        export.file = dir + "/log.jsonl";
        export.publicKey = "keys\0\u001b[2J.pem";
        assertThatThrownBy(export::execute).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("--public-key keys\\0\\x1b[2J.pem: the path holds a NUL character (\\0), which no file name can hold; "
                        + "expected the path of a file to write the public keys to");
        assertThat(asked).as("nothing exported").isEmpty();

        Path good = Files.writeString(dir.resolve("keys.pem"), "-----BEGIN PUBLIC KEY-----\nA\n-----END PUBLIC KEY-----\n");
        AuditVerifyCommand verify = new AuditVerifyCommand();
        verify.audit = log;
        verify.keyFiles = List.of(good.toString(), dir + "/other\0.pem");
        assertThatThrownBy(verify::execute).isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("--key " + dir + "/other\\0.pem: the path holds a NUL character (\\0), which no file name can hold; expected "
                        + "a file of Ed25519 public keys in PEM, as strata:audit-export --public-key writes them");
        assertThat(log.trustedKeysPem).as("nothing verified").isNull();
    }

    /**
     * strata:refresh --wait took whole seconds only: Karaf refused {@code --wait 3s} itself ("unable
     * to convert option -w with value '3s' to type int"), while --timeout of strata:deploy takes a
     * duration. It takes a duration, read from the command line as Karaf reads it; a bare number is
     * still seconds, so that scripts written for it keep working, and a bad value is refused naming
     * the option and what it expects, before any provider is refreshed.
     */
    @Test
    void refreshWaitTakesADurationOrABareNumberOfSeconds() throws Exception {
        List<Duration> waits = new ArrayList<>();
        ProviderRegistry providers = Fixtures.registry(Fixtures.status("bmc", ProviderState.ACTIVE, null));
        ProviderRegistry recording = new ProviderRegistry() {
            @Override
            public List<ProviderStatus> providers() {
                return providers.providers();
            }

            @Override
            public Optional<ProviderStatus> provider(String id) {
                return providers.provider(id);
            }

            @Override
            public ProviderStatus refresh(String id, Duration maxWait) {
                waits.add(maxWait);
                return providers.refresh(id, maxWait);
            }
        };
        for (List<Object> line : List.<List<Object>>of(List.of("--wait", "3s", "bmc"), List.of("-w", "500ms", "bmc"),
                List.of("--wait", "2m", "bmc"), List.of("--wait", "45", "bmc"), List.of("--wait", "0", "bmc"), List.of("bmc"))) {
            RefreshCommand refresh = new RefreshCommand();
            refresh.registry = recording;
            assertThat(new DefaultActionPreparator().prepare(refresh, null, line)).as("%s", line).isTrue();
            assertThat(CommandOutput.of(refresh::execute)).as("%s", line).startsWith("bmc 0.1.0: ACTIVE");
        }
        assertThat(waits).containsExactly(Duration.ofSeconds(3), Duration.ofMillis(500), Duration.ofMinutes(2), Duration.ofSeconds(45),
                Duration.ZERO, Duration.ofSeconds(30));

        waits.clear();
        for (String bad : List.of("3x", "-5", "soon")) {
            RefreshCommand refresh = new RefreshCommand();
            refresh.registry = recording;
            assertThat(new DefaultActionPreparator().prepare(refresh, null, List.<Object>of("--wait", bad, "bmc"))).isTrue();
            assertThatThrownBy(refresh::execute).as(bad).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("--wait: '" + bad + "' ").hasMessageContaining("expected a duration such as 30s")
                    .hasMessageEndingWith("a bare number is seconds (--wait 30 is --wait 30s)");
        }
        assertThat(waits).as("nothing refreshed").isEmpty();
    }
}
