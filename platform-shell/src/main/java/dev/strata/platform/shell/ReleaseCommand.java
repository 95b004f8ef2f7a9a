package dev.strata.platform.shell;

import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.Placement;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code strata:release <id>}: frees an allocation. */
@Service
@Command(scope = "strata", name = "release", description = "Frees an allocation of the ledger.")
public class ReleaseCommand implements Action {

    @Reference(optional = true)
    Placement placement;

    @Argument(index = 0, name = "id", description = "The allocation id (see strata:allocations)", required = true)
    @Completion(AllocationIdCompleter.class)
    String id;

    @Override
    public Object execute() {
        Allocation a = Services.require(placement, "placement service").release(id);
        System.out.printf("Released %s: %s of tenant %s, %d members%n", a.id(), a.contract(), a.tenant(), a.bindings().size());
        return null;
    }
}
