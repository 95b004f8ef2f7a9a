package dev.strata.platform.shell;

import dev.strata.platform.api.deployment.Deployment;
import dev.strata.platform.api.deployment.DeploymentState;
import dev.strata.platform.api.deployment.Deployments;
import java.util.List;
import java.util.stream.Stream;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Candidate;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;

/**
 * Completes the ids of the deployments {@code strata:undeploy} has something to delete in: those not deleted. The
 * service keeps every deployment, deleted ones included, so offering them all (as {@link DeploymentIdCompleter} does
 * for {@code strata:deployment}, which shows a deleted one's history) listed every deployment ever deleted, among
 * which the few that still run were hard to find, and undeploying one of those changes nothing.
 */
@Service
public class UndeployableIdCompleter implements Completer {

    @Reference(optional = true)
    Deployments deployments;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        Stream<String> ids = deployments == null ? Stream.empty() : deployments.list().stream()
                .filter(d -> d.state() != DeploymentState.DELETED).map(Deployment::id);
        return Completions.complete(ids, session, commandLine, candidates);
    }

    /** The ids as the console lists them: each shown escaped ({@link Completions#listed}). */
    @Override
    public void completeCandidates(Session session, CommandLine commandLine, List<Candidate> candidates) {
        Completions.listed(this, session, commandLine, candidates);
    }
}
