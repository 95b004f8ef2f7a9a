package dev.strata.platform.shell;

import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.Deployments;
import dev.strata.platform.api.deployment.MemberState;
import java.time.Instant;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code strata:deployments [--all]}: the deployments and where each is. */
@Service
@Command(scope = "strata", name = "deployments", description = "Lists deployments: state, machines running, allocation; --all includes deleted ones.")
public class DeploymentsCommand implements Action {

    @Reference(optional = true)
    Deployments deployments;

    @Option(name = "-a", aliases = "--all", description = "Include deleted deployments")
    boolean all;

    @Option(name = "--no-format", description = "One deployment per line, fields separated by a tab")
    boolean noFormat;

    @Override
    public Object execute() {
        Instant now = Instant.now();
        Table table = new Table("ID", "CONTRACT", "TENANT", "STATE", "RUNNING", "ALLOCATION", "CHANGED", "MESSAGE")
                .emptyText(all ? "No deployments" : "No deployments (deleted ones: --all)");
        for (Deployment d : Services.require(deployments, "deployment service").list()) {
            if (!all && d.state() == DeploymentState.DELETED) {
                continue;
            }
            table.row(d.id(), d.contract(), d.tenant(), DeployCommand.state(d.state()), d.count(MemberState.RUNNING) + "/" + d.members().size(),
                    d.allocationId(), d.updatedAt() == null ? "-" : Format.ago(d.updatedAt(), now), Format.orDash(d.message()));
        }
        table.print(System.out, noFormat);
        return null;
    }
}
