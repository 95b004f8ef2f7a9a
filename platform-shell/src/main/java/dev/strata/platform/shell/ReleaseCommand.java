package dev.strata.platform.shell;

import dev.strata.platform.api.exception.ConflictException;
import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.Placement;
import java.util.Locale;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code strata:release <id>}: frees an allocation. Placement itself refuses one that a deployment
 * holds, in the release's own transaction, naming the deployment; {@code --force} asks for its
 * forced release.
 */
@Service
@Command(scope = "strata", name = "release", description = "Frees an allocation of the ledger; one a deployment holds only with --force "
        + "(strata:undeploy deletes its machines, then frees it).")
public class ReleaseCommand implements Action {

    @Reference(optional = true)
    Placement placement;

    @Argument(index = 0, name = "id", description = "The allocation id (see strata:allocations)", required = true)
    @Completion(AllocationIdCompleter.class)
    String id;

    @Option(name = "--force", description = "Free it even when a deployment holds it (its machines keep running on capacity the "
            + "ledger then gives to others)")
    boolean force;

    @Override
    public Object execute() {
        Placement service = Services.require(placement, "placement service");
        Allocation a;
        try {
            a = force ? service.forceRelease(id) : service.release(id);
        } catch (ConflictException held) {
            // the message names the deployment and its contract, which come from a contract document
            throw new ConflictException(Format.visible(held.getMessage()));
        } catch (NotFoundException missing) {
            // the message quotes the id as typed
            throw missing.withMessage(Format.visible(missing.getMessage()));
        }
        System.out.println(Format.visible(String.format(Locale.ROOT, "Released %s: %s of tenant %s, %d %s%s", a.id(), a.contract(), a.tenant(),
                a.bindings().size(), a.bindings().size() == 1 ? "member" : "members", force ? " (forced)" : "")));
        return null;
    }
}
