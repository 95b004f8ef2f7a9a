package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.ContractReader;
import dev.strata.platform.api.exception.AuthorizationException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.security.auth.Subject;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.console.Candidate;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the shell itself, not a service, shows a tenant's user (a login with role {@code tenant:ID}
 * and not {@code admin}) of the Strata server's files: nothing. The services refuse to read a file
 * for it; the shell must not tell by other means which files exist.
 */
class TenantLoginShellTest {

    /** Karaf's role principal is matched by its simple name, as Strata's services match it. */
    static final class RolePrincipal implements Principal {
        private final String name;

        RolePrincipal(String name) {
            this.name = name;
        }

        @Override
        public String getName() {
            return name;
        }
    }

    @SuppressWarnings("removal")
    static <T> T as(String role, PrivilegedExceptionAction<T> work) throws Exception {
        Subject subject = new Subject(true, Set.of(new RolePrincipal(role)), Set.of(), Set.of());
        try {
            return Subject.doAs(subject, work);
        } catch (java.security.PrivilegedActionException e) {
            throw e.getException();
        }
    }

    /** A command line whose cursor is at the end of its last word. */
    static CommandLine line(String... words) {
        String buffer = String.join(" ", words);
        return new CommandLine() {
            @Override
            public int getCursorArgumentIndex() {
                return words.length - 1;
            }

            @Override
            public String getCursorArgument() {
                return words[words.length - 1];
            }

            @Override
            public int getArgumentPosition() {
                return words[words.length - 1].length();
            }

            @Override
            public String[] getArguments() {
                return words;
            }

            @Override
            public int getBufferPosition() {
                return buffer.length();
            }

            @Override
            public String getBuffer() {
                return buffer;
            }
        };
    }

    static Session session(Path dir) {
        return (Session) Proxy.newProxyInstance(Session.class.getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> method.getName().equals("currentDir") && args == null ? dir : null);
    }

    /** What the completer of a command's -f option offers after {@code dir/}. */
    static List<String> fileCandidates(Class<?> command, Path dir) throws Exception {
        Class<?> type = command.getDeclaredField("file").getAnnotation(Completion.class).value();
        Completer completer = (Completer) type.getDeclaredConstructor().newInstance();
        List<Candidate> candidates = new ArrayList<>();
        completer.completeCandidates(session(dir), line("strata:place", "-f", dir + "/"), candidates);
        return candidates.stream().map(Candidate::value).toList();
    }

    /**
     * Tab after {@code -f} listed the server's folders to a tenant's user (Karaf's file completer), though
     * Strata refuses to read any server file for that login without saying whether it exists: it is
     * offered only {@code -}, standard input. An administrator still completes file names.
     */
    @Test
    void theContractFileCompletesNoServerFileForATenantsUser(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("users.properties"), "ann = secret,tenant:bank-risk\n");
        for (Class<?> command : List.of(PlaceCommand.class, DeployCommand.class)) {
            List<String> tenants = as("tenant:bank-risk", () -> fileCandidates(command, dir));
            assertThat(tenants).as(command.getSimpleName() + " -f for a tenant's user").containsExactly("-");
            List<String> admins = as("admin", () -> fileCandidates(command, dir));
            assertThat(admins).as(command.getSimpleName() + " -f for an administrator").anyMatch(c -> c.endsWith("users.properties"));
        }
    }

    /** Refuses every file as Strata's reader refuses it to a tenant's user, naming the path it was given. */
    static final class RefusingReader implements ContractReader {
        final List<Path> asked = new ArrayList<>();

        @Override
        public Contract read(String text, String source) {
            throw new AssertionError("not read from text");
        }

        @Override
        public Contract read(Path file) {
            asked.add(file);
            throw new AuthorizationException("user ann may act for tenant bank-risk only (its roles tenant:ID); a contract file is read "
                    + "on the Strata server, whose files are not a tenant's to read: refused to read " + file);
        }

        @Override
        public Contract read(InputStream in, String source) {
            throw new AssertionError("not read from standard input");
        }
    }

    /**
     * A relative -f path was looked up in the server's home (karaf.base) before the reader refused it,
     * and the refusal named the file found there by its absolute path, and a missing one as typed: a
     * tenant's user learnt which files the server holds (etc/users.properties, say). The refusal
     * names the path as given either way.
     */
    /**
     * {@code strata:audit-verify --key FILE} read the files before the log refused a tenant's user:
     * "is not a file" or "cannot be read" told that user what exists on the server. The refusal now
     * comes first, and no file is read.
     */
    @Test
    void aTenantsUserVerifyingWithKeysIsRefusedBeforeAnyFileIsRead(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("present.pem"), "-----BEGIN PUBLIC KEY-----\nA\n-----END PUBLIC KEY-----\n");
        AuditAndClusterCommandsTest.RecordingAuditLog refusing = new AuditAndClusterCommandsTest.RecordingAuditLog() {
            @Override
            public dev.strata.platform.api.audit.AuditReport verify() {
                throw new AuthorizationException("user ann may act for tenant bank-risk only; refused to verify it");
            }

            @Override
            public dev.strata.platform.api.audit.AuditReport verify(String trustedKeysPem) {
                throw new AuthorizationException("user ann may act for tenant bank-risk only; refused to verify it");
            }
        };
        String before = System.getProperty("karaf.base");
        System.setProperty("karaf.base", home.toString());
        try {
            for (String file : List.of("present.pem", "missing.pem", "/etc/shadow")) {
                AuditVerifyCommand c = new AuditVerifyCommand();
                c.audit = refusing;
                c.keyFiles = List.of(file);
                assertThatThrownBy(() -> as("tenant:bank-risk", c::execute)).as(file).isInstanceOf(AuthorizationException.class)
                        .hasMessage("user ann may act for tenant bank-risk only; refused to verify it");
            }
            assertThat(refusing.trustedKeysPem).as("no file was read and passed on").isNull();
        } finally {
            if (before == null) {
                System.clearProperty("karaf.base");
            } else {
                System.setProperty("karaf.base", before);
            }
        }
    }

    /**
     * strata:audit-export checked whether the export file (and --public-key) was a directory before
     * the log refused a tenant's user, so such a user learnt which paths of the server are folders
     * ("/etc is a directory") where any other path was refused. The export is refused first, the
     * same whatever the path, and nothing is looked at or written.
     */
    @Test
    void aTenantsUserIsRefusedTheExportBeforeAnyPathIsLookedAt(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("logs"));
        List<Path> asked = new ArrayList<>();
        AuditAndClusterCommandsTest.RecordingAuditLog log = new AuditAndClusterCommandsTest.RecordingAuditLog() {
            @Override
            public dev.strata.platform.api.audit.AuditExport export(Path file, Path publicKeyFile) {
                asked.add(file);
                throw new AuthorizationException("user ann may act for tenant bank-risk only; the provenance log is one chain of every "
                        + "tenant's records: refused to export it");
            }
        };
        String before = System.getProperty("karaf.base");
        System.setProperty("karaf.base", home.toString());
        try {
            List<String> refusals = new ArrayList<>();
            for (String[] paths : List.of(new String[] {"logs", null}, new String[] {"export.jsonl", "logs"}, new String[] {"export.jsonl", null})) {
                AuditExportCommand c = new AuditExportCommand();
                c.audit = log;
                c.file = paths[0];
                c.publicKey = paths[1];
                Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> as("tenant:bank-risk", c::execute));
                assertThat(thrown).as(String.join(" ", c.file, String.valueOf(c.publicKey))).isInstanceOf(AuthorizationException.class);
                refusals.add(thrown.getMessage());
            }
            assertThat(refusals).as("the same refusal whatever the paths").containsOnly(refusals.get(0));
            assertThat(asked).as("nothing exported").isEmpty();
            assertThat(home.resolve("export.jsonl")).doesNotExist();
        } finally {
            if (before == null) {
                System.clearProperty("karaf.base");
            } else {
                System.setProperty("karaf.base", before);
            }
        }
    }

    @Test
    void aTenantsUsersRefusalDoesNotTellWhetherTheFileIsOnTheServer(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/users.properties"), "ann = secret,tenant:bank-risk\n");
        String before = System.getProperty("karaf.base");
        System.setProperty("karaf.base", home.toString());
        try {
            for (String name : List.of("etc/users.properties", "etc/no-such.properties")) {
                RefusingReader reader = new RefusingReader();
                PlaceCommand command = new PlaceCommand();
                command.reader = reader;
                command.file = name;
                assertThatThrownBy(command::execute).isInstanceOf(AuthorizationException.class)
                        .hasMessageEndingWith("refused to read " + name);
                assertThat(reader.asked).as("the paths the reader was asked for").containsExactly(Path.of(name));
            }
        } finally {
            if (before == null) {
                System.clearProperty("karaf.base");
            } else {
                System.setProperty("karaf.base", before);
            }
        }
    }

    /**
     * A tenant's user's refusal names the login as JAAS gave it, and a login name may hold an escape
     * sequence or a line break: strata:place, strata:deploy and strata:audit-verify passed the refusal on
     * as it was, and Karaf prints an error's message to the terminal as it is. The login is shown
     * escaped, as the shell shows other untrusted text, and the refusal keeps its type.
     */
    @Test
    void aTenantsUsersRefusalShowsTheLoginEscaped(@TempDir Path dir) throws Exception {
        String refusal = "user ann\u001b]0;owned\u0007\nRESULT: ok may act for tenant bank-risk only (its roles tenant:ID)";
        String shown = "user ann\\x1b]0;owned\\x07 RESULT: ok may act for tenant bank-risk only (its roles tenant:ID)";
        Path file = Files.writeString(dir.resolve("llm.yaml"), "name: llm\n");

        RecordingPlacement placement = new RecordingPlacement();
        placement.decide = (contract, dryRun) -> {
            throw new AuthorizationException(refusal + ", not for tenant bank: refused to place contract llm");
        };
        PlaceCommand place = new PlaceCommand();
        place.reader = DeploymentCommandsTest.READER;
        place.file = file.toString();
        place.placement = placement;
        assertThatThrownBy(() -> as("tenant:bank-risk", place::execute)).as("strata:place").isInstanceOf(AuthorizationException.class)
                .hasMessage(shown + ", not for tenant bank: refused to place contract llm");

        DeploymentCommandsTest.RecordingDeployments deployments = new DeploymentCommandsTest.RecordingDeployments() {
            @Override
            public dev.strata.platform.api.deployment.DeploymentResult deploy(Contract contract, String actor) {
                throw new AuthorizationException(refusal + ", not for tenant bank: refused to deploy contract llm");
            }

            @Override
            public dev.strata.platform.api.deployment.DeploymentResult plan(Contract contract) {
                throw new AuthorizationException(refusal + ", not for tenant bank: refused to plan contract llm");
            }
        };
        for (boolean dryRun : List.of(false, true)) {
            DeployCommand deploy = new DeployCommand();
            deploy.deployments = deployments;
            deploy.reader = DeploymentCommandsTest.READER;
            deploy.file = file.toString();
            deploy.dryRun = dryRun;
            assertThatThrownBy(() -> as("tenant:bank-risk", deploy::execute)).as("strata:deploy, dry run " + dryRun)
                    .isInstanceOf(AuthorizationException.class)
                    .hasMessage(shown + ", not for tenant bank: refused to " + (dryRun ? "plan" : "deploy") + " contract llm");
        }

        AuditVerifyCommand verify = new AuditVerifyCommand();
        verify.audit = new AuditAndClusterCommandsTest.RecordingAuditLog() {
            @Override
            public dev.strata.platform.api.audit.AuditReport verify() {
                throw new AuthorizationException(refusal + "; the provenance log is one chain of every tenant's records: refused to verify it");
            }
        };
        assertThatThrownBy(() -> as("tenant:bank-risk", verify::execute)).as("strata:audit-verify").isInstanceOf(AuthorizationException.class)
                .hasMessage(shown + "; the provenance log is one chain of every tenant's records: refused to verify it");
    }
}
