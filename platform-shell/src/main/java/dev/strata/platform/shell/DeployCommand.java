package dev.strata.platform.shell;

import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.contract.ContractReader;
import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentMember;
import dev.strata.platform.api.deployment.DeploymentResult;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.Deployments;
import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.model.Quantities;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code strata:deploy -f contract.yaml [--dry-run] [--wait]}: places a contract and has its machines made. */
@Service
@Command(scope = "strata", name = "deploy", description = "Places a contract (YAML) and has every member's machine made by the provider "
        + "of the node or capacity offer it was bound to; --dry-run shows the plan, --wait waits until it is ready.")
public class DeployCommand implements Action {

    @Reference(optional = true)
    Deployments deployments;

    @Reference(optional = true)
    ContractReader reader;

    @Option(name = "-f", aliases = "--file", description = "The contract file (YAML or JSON); - reads it from standard input", required = true)
    @Completion(ContractFileCompleter.class)
    String file;

    @Option(name = "--dry-run", description = "Decide where it would go and which provider would make each machine; change nothing")
    boolean dryRun;

    @Option(name = "-w", aliases = "--wait", description = "Wait until the deployment is ready, degraded or failed; "
            + "the command fails when it failed, or is still provisioning when --timeout ends")
    boolean await;

    @Option(name = "--timeout", description = "How long --wait waits, e.g. 10m (default 10m); only with --wait")
    String timeout;

    @Option(name = "--no-format", description = "Plain output without table borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() throws IOException {
        Contract contract = PlaceCommand.readContract(file, reader);
        Deployments service = Services.require(deployments, "deployment service");
        Duration wait = waitFor(await, timeout);
        // as typed, quoted in what the command prints and throws: a line break or carriage return around it is a blank to the parser
        String waited = Format.visible(timeout == null ? DEFAULT_TIMEOUT : timeout);
        DeploymentResult result;
        try {
            result = dryRun ? service.plan(contract) : service.deploy(contract, Actors.current());
        } catch (AuthorizationException refused) {
            // a tenant's user's refusal names the login as JAAS gave it, which may hold an escape sequence
            throw refused.withMessage(Format.visible(refused.getMessage()));
        }
        PrintStream out = System.out;
        PlaceCommand.print(result.decision(), out, noFormat);
        if (!result.decision().placed()) {
            if (dryRun) {
                return null; // the question is answered: it would not fit
            }
            // nothing was deployed: fail, as a deploy refused for a provider being replaced does (Karaf's client exits 1)
            throw new IllegalStateException(Format.visible("contract " + result.decision().contract() + " of tenant "
                    + result.decision().tenant() + " was not deployed: " + result.decision().summary()));
        }
        out.println();
        Deployment d = result.deployment();
        out.println(d == null ? "Plan (dry run: nothing stored, nothing provisioned)"
                : Format.visible("Deployment " + d.id() + " of " + d.contract() + ": " + state(d.state()) + ", allocation " + d.allocationId()
                        + "; 'strata:deployment " + d.id() + "' shows its progress"));
        Table table = new Table("MEMBER", "TARGET", "PROVIDER", "SITE", "PARAMETERS", "NOTE");
        for (DeploymentMember m : result.members()) {
            table.row(m.name(), target(m), m.providerId(), m.siteId(), parameters(m), Format.orDash(m.message()));
        }
        table.print(out, noFormat);
        if (d != null && await) {
            Deployment settled = service.await(d.id(), EnumSet.of(DeploymentState.READY, DeploymentState.DEGRADED, DeploymentState.FAILED),
                    wait);
            out.println();
            out.println(Format.visible("Deployment " + settled.id() + ": " + state(settled.state()) + " (" + running(settled) + ")"
                    + (settled.message() == null ? "" : ": " + settled.message())));
            // thrown, so that the command fails: Karaf's client then exits 1, and a script does not go on without machines
            if (settled.state() == DeploymentState.FAILED) {
                throw new IllegalStateException(Format.visible("deployment " + settled.id() + " of " + settled.contract() + " failed"
                        + (settled.message() == null ? "" : ": " + settled.message())));
            }
            if (!EnumSet.of(DeploymentState.READY, DeploymentState.DEGRADED).contains(settled.state())) {
                String until = waitEnded(waited);
                out.println("Still " + state(settled.state()) + " " + until + "; it goes on in the background");
                // the contract's name is the contract file's, made visible as in the line above
                throw new IllegalStateException(Format.visible("deployment " + settled.id() + " of " + settled.contract() + " is still "
                        + state(settled.state()) + " " + until + "; it goes on in the background ('strata:deployment "
                        + settled.id() + "' shows its progress)"));
            }
        }
        return null;
    }

    /** How long {@code --wait} waits when no {@code --timeout} is given. */
    static final String DEFAULT_TIMEOUT = "10m";

    /**
     * How long to wait: nothing without {@code --wait}; with it, the {@code --timeout} given or
     * {@link #DEFAULT_TIMEOUT}. A {@code --timeout} without {@code --wait} is refused, before
     * anything is changed: the operator meant to wait, and the command would return at once.
     */
    static Duration waitFor(boolean await, String timeout) {
        if (!await) {
            if (timeout != null) {
                throw new IllegalArgumentException("--timeout " + Format.visible(timeout) + " is how long --wait waits, and --wait is not "
                        + "given; add --wait to wait for the outcome, or leave --timeout out");
            }
            return Duration.ZERO;
        }
        return timeout(timeout == null ? DEFAULT_TIMEOUT : timeout);
    }

    /** The {@code --timeout} of {@code --wait}; a message that names the option when it is not a duration. */
    static Duration timeout(String value) {
        try {
            return Quantities.duration(value);
        } catch (IllegalArgumentException e) {
            // the message quotes the value as typed
            throw new IllegalArgumentException("--timeout: " + Format.visible(e.getMessage()), e);
        }
    }

    /**
     * How a {@code --wait} that did not see the state it waited for ended: {@code after 10m}, or, where the
     * command was interrupted (Ctrl-C interrupts its thread, and the deployment service's wait then returns the
     * deployment as it is, the thread's interrupt status kept), {@code when the wait was interrupted}: a wait cut
     * short after seconds was said to have run the whole {@code --timeout}.
     */
    static String waitEnded(String waited) {
        return Thread.currentThread().isInterrupted() ? "when the wait was interrupted" : "after " + waited;
    }

    /** How many of a deployment's machines run: {@code 2 of 2 machines running}, {@code 0 of 1 machine running}. */
    static String running(Deployment d) {
        return d.count(dev.strata.platform.api.deployment.MemberState.RUNNING) + " of " + Format.count(d.members().size(), "machine",
                "machines") + " running";
    }

    static String state(DeploymentState s) {
        return s.name().toLowerCase(Locale.ROOT);
    }

    static String target(DeploymentMember m) {
        return m.target().kind().name().toLowerCase(Locale.ROOT) + " " + m.target().id();
    }

    static String parameters(DeploymentMember m) {
        if (m.parameters().isEmpty()) {
            return "-";
        }
        StringBuilder b = new StringBuilder();
        new java.util.TreeMap<>(m.parameters()).forEach((k, v) -> b.append(b.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return b.toString();
    }
}
