package dev.strata.itests;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.List;
import javax.inject.Inject;
import javax.security.auth.Subject;
import org.apache.karaf.features.BootFinished;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The README's "Tenant logins" set-up, in the distribution: Karaf's compulsory role (every command
 * no ACL names needs {@code admin}) and the {@code strata} scope's ACL (its commands for the roles
 * {@code admin} and {@code tenant}, {@code refresh} and {@code cluster} for {@code admin}). A
 * tenant's login (roles {@code ssh}, {@code tenant}, {@code tenant:bank-risk}) runs Strata's
 * commands for its tenant, is refused another tenant's, and reaches none of Karaf's commands that
 * read files or change the container; an administrator's login is unchanged. The commands run as a
 * console login's do, inside its JAAS subject, through Karaf's secured session factory (the path
 * an SSH login takes once authenticated).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TenantLoginIT {

    private static final String ACL = "etc/org.apache.karaf.command.acl.strata.cfg";

    @Inject
    BootFinished bootFinished;

    @Inject
    SessionFactory sessions;

    @Inject
    ProviderRegistry registry;

    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>(KarafOptions.strataDistribution());
        options.add(editConfigurationFilePut("etc/system.properties", "karaf.secured.command.compulsory.roles", "admin"));
        options.add(editConfigurationFilePut(ACL, "*", "admin, tenant"));
        options.add(editConfigurationFilePut(ACL, "refresh", "admin"));
        options.add(editConfigurationFilePut(ACL, "cluster", "admin"));
        return options.toArray(new Option[0]);
    }

    @Before
    public void providerIsActive() throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!registry.provider("baremetal").map(p -> p.state() == ProviderState.ACTIVE).orElse(false)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the bare-metal provider is not active: " + registry.providers());
            }
            Thread.sleep(50);
        }
    }

    /** What the command printed, or the error it failed with. */
    private String as(String user, String command, String... roles) throws Exception {
        return withInput(user, command, "", roles);
    }

    /** What the command, given {@code input} on standard input, printed, or the error it failed with. */
    private String withInput(String user, String command, String input, String... roles) throws Exception {
        Subject subject = new Subject();
        subject.getPrincipals().add(new UserPrincipal(user));
        for (String role : roles) {
            subject.getPrincipals().add(new RolePrincipal(role));
        }
        Shell shell = new Shell(sessions);
        return Subject.doAs(subject, (PrivilegedExceptionAction<String>) () -> {
            try {
                return shell.run(command, input);
            } catch (Exception e) {
                return "FAILED: " + e;
            }
        });
    }

    private String ann(String command) throws Exception {
        return ann(command, "");
    }

    private String ann(String command, String input) throws Exception {
        return withInput("ann", command, input, "ssh", "tenant", "tenant:bank-risk");
    }

    private String ops(String command) throws Exception {
        return as("ops", command, "ssh", "admin", "manager", "viewer", "systembundles");
    }

    @Test
    public void aTenantsLoginRunsStratasCommandsForItsTenantOnlyAndNoneOfKarafs() throws Exception {
        Path base = Path.of(System.getProperty("karaf.base"));
        Path theirs = base.resolve("tenant-login-theirs.yaml");
        Path mine = base.resolve("tenant-login-mine.yaml");
        Files.writeString(theirs, "{name: web, tenant: bank-payments, members: [{name: m, cpu: 1}]}\n", StandardCharsets.UTF_8);
        Files.writeString(mine, "{name: web, tenant: bank-risk, members: [{name: m, cpu: 1}]}\n", StandardCharsets.UTF_8);

        String allocations = ann("strata:allocations");
        assertFalse(allocations, allocations.startsWith("FAILED"));
        String nodes = ann("strata:nodes --no-format");
        assertTrue(nodes, nodes.contains("baremetal"));
        // contracts come on standard input: a file would be read on the server, whose files are not the tenant's
        String refused = ann("strata:place -f - --dry-run", Files.readString(theirs));
        assertTrue(refused, refused.contains("user ann may act for tenant bank-risk only (its roles tenant:ID), not for tenant bank-payments: "
                + "refused to dry-run contract web"));
        String own = ann("strata:place -f - --dry-run", Files.readString(mine));
        assertTrue(own, own.startsWith("Contract web of tenant bank-risk"));
        for (Path file : new Path[] {mine, base.resolve("etc/users.properties"), base.resolve("no-such.yaml")}) {
            String out = ann("strata:place -f " + file + " --dry-run");
            assertTrue(out, out.contains("a contract file is read on the Strata server, whose files are not a tenant's to read; give the "
                    + "contract on standard input (strata:place -f -): refused to read " + file));
        }
        String verify = ann("strata:audit-verify");
        assertTrue(verify, verify.contains("the provenance log is one chain of every tenant's records: refused to verify it"));
        // a quota is the operators' to set, even the tenant's own
        String quota = ann("strata:quota bank-risk gpus=1000");
        assertTrue(quota, quota.contains("a tenant's quota is set by the platform's operators: refused to set the quota of tenant bank-risk"));
        String tenants = ops("strata:tenants --no-format");
        assertFalse(tenants, tenants.contains("1000"));

        // Karaf's commands: those that read files, change the container or install configuration are not the tenant's
        for (String command : new String[] {"shell:cat etc/users.properties", "cat etc/strata-console.key", "config:list",
                "config:install file:" + theirs + " x.cfg", "log:display", "bundle:list", "feature:list", "strata:refresh",
                "strata:cluster"}) {
            String out = ann(command);
            assertTrue(command + ": " + out, out.startsWith("FAILED: ") && (out.contains("CommandNotFoundException")
                    || out.contains("Insufficient credentials")));
        }
        assertFalse("no file was installed", Files.exists(base.resolve("etc/x.cfg")));

        // an administrator's login is as before
        String users = ops("shell:cat etc/users.properties");
        assertTrue(users, users.contains("admingroup"));
        String opsPlace = ops("strata:place -f " + theirs + " --dry-run");
        assertTrue(opsPlace, opsPlace.startsWith("Contract web of tenant bank-payments"));
        String refresh = ops("strata:refresh baremetal");
        assertFalse(refresh, refresh.startsWith("FAILED"));
    }
}
