package dev.strata.platform.shell;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.TenantUse;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code strata:allocations}: what the ledger holds. */
@Service
@Command(scope = "strata", name = "allocations", description = "Lists the allocations in the ledger.")
public class AllocationsCommand implements Action {

    @Reference(optional = true)
    Placement placement;

    @Reference(optional = true)
    Inventory inventory;

    @Option(name = "--no-format", description = "Plain output without table borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() {
        Table table = new Table("ID", "CONTRACT", "TENANT", "PRIORITY", "ISOLATION", "MEMBERS", "NODES", "GPUS", "POWER", "CREATED",
                "NODES GONE").emptyText("No allocations in the ledger.");
        // the ledger before the inventory: read after, it held allocations on nodes that joined after the inventory was read,
        // shown as gone; read before, a node it names is in the inventory read after unless it left
        List<Allocation> allocations = Services.require(placement, "placement service").allocations();
        Set<String> present = inventory == null ? null
                : inventory.snapshot().nodes().stream().map(Node::id).collect(Collectors.toSet());
        for (Allocation a : allocations) {
            // counted as placement reserves them and strata:tenants counts them: each bound GPU's share rounded up to a thousandth
            long gpuMilli = a.bindings().stream().mapToLong(TenantUse::gpuMilli).sum();
            double watts = a.bindings().stream().mapToDouble(MemberBinding::powerWatts).sum();
            table.row(a.id(), a.contract(), a.tenant(), a.priority(), a.dedicated() ? "dedicated-node" : "shared",
                    a.bindings().size(), a.bindings().stream().map(MemberBinding::nodeId).collect(Collectors.toCollection(TreeSet::new)).size(),
                    TenantsCommand.thousandths(gpuMilli),
                    Format.watts(watts), Format.time(a.createdAt()), gone(a, present));
        }
        table.print(System.out, noFormat);
        return null;
    }

    /** The allocation's nodes that are no longer in the inventory (their capacity stays held), "-" when none, "?" without inventory. */
    static String gone(Allocation a, Set<String> present) {
        if (present == null) {
            return "?";
        }
        return Format.join(a.bindings().stream().map(MemberBinding::nodeId).filter(n -> !present.contains(n))
                .collect(Collectors.toCollection(TreeSet::new)));
    }
}
