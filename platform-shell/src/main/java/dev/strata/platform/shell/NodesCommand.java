package dev.strata.platform.shell;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PciClass;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code strata:nodes}: the nodes of the inventory, one line each. */
@Service
@Command(scope = "strata", name = "nodes", description = "Lists the nodes of the inventory.")
public class NodesCommand implements Action {

    @Reference(optional = true)
    Inventory inventory;

    @Option(name = "--no-format", description = "Plain output without table borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() {
        Table table = new Table("ID", "PROVIDER", "SITE", "STATE", "PACKAGES", "CORES", "THREADS", "NUMA", "MEMORY", "GPUS", "NICS", "PCI")
                .emptyText("No nodes in the inventory (see strata:providers for the providers' state).");
        for (Node n : Services.require(inventory, "inventory").snapshot().nodes()) {
            long gpuFunctions = n.pciDevices().stream().filter(d -> d.category() == PciClass.DISPLAY || d.category() == PciClass.ACCELERATOR).count();
            table.row(n.id(), n.providerId(), n.siteId(), n.state(), n.cpu().packages().size(), n.cpu().cores(),
                    n.cpu().threads(), n.numaNodes().size(), Format.bytes(n.memoryBytes()),
                    n.accelerators().isEmpty() ? gpuFunctions + " (pci)" : String.valueOf(n.accelerators().size()),
                    n.nics().size(), n.pciDevices().size());
        }
        table.print(System.out, noFormat);
        return null;
    }
}
