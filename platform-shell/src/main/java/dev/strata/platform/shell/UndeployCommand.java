package dev.strata.platform.shell;

import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.Deployments;
import dev.strata.platform.api.deployment.MemberState;
import dev.strata.platform.api.exception.NotFoundException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code strata:undeploy <id> [--wait]}: deletes a deployment's machines, then releases its allocation. */
@Service
@Command(scope = "strata", name = "undeploy", description = "Deletes every machine of a deployment, then releases its allocation; "
        + "--wait waits until it is deleted.")
public class UndeployCommand implements Action {

    @Reference(optional = true)
    Deployments deployments;

    @Argument(index = 0, name = "id", description = "The deployment id (see strata:deployments)", required = true)
    @Completion(UndeployableIdCompleter.class)
    String id;

    @Option(name = "-w", aliases = "--wait", description = "Wait until every machine is deleted and the allocation released; "
            + "the command fails when that has not happened when --timeout ends")
    boolean await;

    @Option(name = "--timeout", description = "How long --wait waits, e.g. 10m (default 10m); only with --wait")
    String timeout;

    @Override
    public Object execute() {
        Deployments service = Services.require(deployments, "deployment service");
        Duration wait = DeployCommand.waitFor(await, timeout);
        // as typed, quoted in what the command prints and throws: a line break or carriage return around it is a blank to the parser
        String waited = Format.visible(timeout == null ? DeployCommand.DEFAULT_TIMEOUT : timeout);
        Deployment d;
        try {
            d = service.undeploy(id, Actors.current());
        } catch (NotFoundException missing) {
            // the message quotes the id as typed
            throw missing.withMessage(Format.visible(missing.getMessage()));
        }
        // undeploying a deployment deleted before changes nothing (Deployments.undeploy): it said its machines were being
        // deleted, as if some were still there
        System.out.println(Format.visible(d.state() == DeploymentState.DELETED
                ? String.format(Locale.ROOT, "Deployment %s of %s: already deleted; its machines were deleted and its allocation released",
                        d.id(), d.contract())
                : String.format(Locale.ROOT, "Deployment %s of %s: %s; %s", d.id(), d.contract(), DeployCommand.state(d.state()),
                        deleting(d))));
        if (await && d.state() != DeploymentState.DELETED) {
            d = service.await(id, EnumSet.of(DeploymentState.DELETED), wait);
            if (d.state() == DeploymentState.DELETED) {
                System.out.println(Format.visible(String.format("Deployment %s deleted%s", d.id(), d.message() == null ? "" : ": " + d.message())));
            } else {
                String until = DeployCommand.waitEnded(waited);
                System.out.println(Format.visible(String.format("Deployment %s still %s %s (%s); it goes on in the background", d.id(),
                        DeployCommand.state(d.state()), until, d.message() == null ? "waiting for its providers" : d.message())));
                // thrown, so that the command fails (Karaf's client exits 1)
                throw new IllegalStateException(Format.visible("deployment " + d.id() + " is still " + DeployCommand.state(d.state())
                        + " " + until + "; it goes on in the background"));
            }
        }
        return null;
    }

    /**
     * What the undeploy deletes: the machines on record that are not deleted yet, and those whose
     * create is under way (the reconciler finds and deletes what it made). It counted every member,
     * so a member that never got a machine (not asked for yet, refused by its provider) was told as
     * a machine being deleted, and one machine read "1 machines".
     */
    static String deleting(Deployment d) {
        long machines = d.members().stream().filter(m -> m.state() != MemberState.DELETED
                && (m.machine() != null || m.state() == MemberState.CREATING)).count();
        if (machines == 0) {
            return "it has no machine to delete";
        }
        return machines == 1 ? "its 1 machine is being deleted" : String.format(Locale.ROOT, "its %d machines are being deleted", machines);
    }
}
