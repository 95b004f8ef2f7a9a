package dev.strata.platform.shell;

import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentEvent;
import dev.strata.platform.api.deployment.DeploymentMember;
import dev.strata.platform.api.deployment.Deployments;
import dev.strata.platform.api.exception.NotFoundException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code strata:deployment <id>}: one deployment's members, machines, provider handles and history. */
@Service
@Command(scope = "strata", name = "deployment", description = "Shows a deployment: its members, their machines and provider handles, "
        + "and its history from the provenance log.")
public class DeploymentCommand implements Action {

    @Reference(optional = true)
    Deployments deployments;

    @Argument(index = 0, name = "id", description = "The deployment id (see strata:deployments)", required = true)
    @Completion(DeploymentIdCompleter.class)
    String id;

    @Option(name = "--no-format", description = "Plain output without table borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() {
        Deployments service = Services.require(deployments, "deployment service");
        Deployment d = service.get(id).orElseThrow(() -> new NotFoundException("no deployment '" + Format.visible(id) + "'; strata:deployments --all lists them"));
        List<DeploymentEvent> history = service.history(id);
        PrintStream out = System.out;
        out.println(Format.visible(String.format("Deployment %s of contract %s, tenant %s: %s%s", d.id(), d.contract(), d.tenant(),
                DeployCommand.state(d.state()), d.message() == null ? "" : " (" + d.message() + ")")));
        // the allocation id is the store's, as the line above: shown escaped
        out.printf(Locale.ROOT, "Allocation %s; %s; a lost machine is %s%n", Format.visible(Format.orDash(d.allocationId())), DeployCommand.running(d),
                d.onMachineLoss().name().equals("REPLACE") ? "replaced" : "not replaced "
                        + "(the deployment is marked degraded)");
        out.println();
        Table members = new Table("MEMBER", "STATE", "TARGET", "PROVIDER", "MACHINE", "NODE", "OPERATION", "MESSAGE");
        for (DeploymentMember m : d.members()) {
            members.row(m.name(), m.state().name().toLowerCase(Locale.ROOT), DeployCommand.target(m), m.providerId(),
                    m.machine() == null ? "-" : m.machine().machineId(), Format.orDash(m.nodeId()), Format.orDash(m.operationId()),
                    Format.orDash(m.message()));
        }
        members.print(out, noFormat);
        out.println();
        out.println("History");
        Table events = new Table("SEQ", "TIME", "KIND", "ACTOR", "WHAT").emptyText("No records");
        for (DeploymentEvent e : history) {
            events.row(e.seq(), Format.time(e.time()), e.kind(), e.actor(), e.summary());
        }
        events.print(out, noFormat);
        return null;
    }
}
