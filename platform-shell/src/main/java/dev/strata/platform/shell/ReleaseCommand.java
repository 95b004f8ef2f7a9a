package dev.strata.platform.shell;

import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.Deployments;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.Placement;
import java.util.Optional;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code strata:release <id>}: frees an allocation. */
@Service
@Command(scope = "strata", name = "release", description = "Frees an allocation of the ledger; one a deployment holds only with --force "
        + "(strata:undeploy deletes its machines, then frees it).")
public class ReleaseCommand implements Action {

    @Reference(optional = true)
    Placement placement;

    @Reference(optional = true)
    Deployments deployments;

    @Argument(index = 0, name = "id", description = "The allocation id (see strata:allocations)", required = true)
    @Completion(AllocationIdCompleter.class)
    String id;

    @Option(name = "--force", description = "Free it even when a deployment holds it (its machines keep running on capacity the "
            + "ledger then gives to others)")
    boolean force;

    @Override
    public Object execute() {
        Placement service = Services.require(placement, "placement service");
        if (!force) {
            // a deployment's machines run on what its allocation holds: freed under them, the capacity is placed again
            Optional<Deployment> holder = deployments == null ? Optional.empty() : deployments.list().stream()
                    .filter(d -> d.state() != DeploymentState.DELETED && id.equals(d.allocationId())).findFirst();
            if (holder.isPresent()) {
                Deployment d = holder.get();
                throw new IllegalStateException(Format.visible("allocation " + id + " is held by deployment " + d.id() + " of contract "
                        + d.contract() + " (" + DeployCommand.state(d.state()) + "); releasing it would leave its machines running on "
                        + "capacity placement gives to others. 'strata:undeploy " + d.id() + "' deletes the machines and then releases it; "
                        + "--force releases it anyway"));
            }
        }
        Allocation a = service.release(id);
        System.out.println(Format.visible(String.format("Released %s: %s of tenant %s, %d members", a.id(), a.contract(), a.tenant(),
                a.bindings().size())));
        return null;
    }
}
