package dev.strata.platform.shell;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CpuPackage;
import dev.strata.platform.api.model.Disk;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Nic;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NumaNode;
import dev.strata.platform.api.model.PciDevice;
import dev.strata.platform.api.model.PciLink;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code strata:node <id>}: one node in detail: CPUs, NUMA, PCI devices, accelerators, NICs, disks. */
@Service
@Command(scope = "strata", name = "node", description = "Shows one node in detail: CPUs, NUMA nodes, PCI devices, accelerators, NICs, disks.")
public class NodeCommand implements Action {

    @Reference(optional = true)
    Inventory inventory;

    @Argument(index = 0, name = "id", description = "The node id (see strata:nodes)", required = true)
    @Completion(NodeIdCompleter.class)
    String id;

    @Option(name = "--no-format", description = "Plain output without table borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() {
        InventorySnapshot snapshot = Services.require(inventory, "inventory").snapshot();
        Node n = snapshot.node(id).orElseThrow(() -> new IllegalArgumentException("no node '" + id + "'; known nodes: "
                + (snapshot.nodes().isEmpty() ? "none" : snapshot.nodes().stream().map(Node::id).collect(Collectors.joining(", ")))));
        PrintStream out = System.out;
        out.printf("Node          %s (%s)%n", n.id(), n.state());
        out.printf("Provider      %s, site %s, %s%n", n.providerId(), n.siteId(), n.kind());
        out.printf("Host          %s%n", Format.orDash(n.hostname()));
        out.printf("CPU           %d packages, %d cores, %d threads online%s%s%n", n.cpu().packages().size(), n.cpu().cores(),
                n.cpu().threads(), n.cpu().offline().isEmpty() ? "" : ", offline " + n.cpu().offline(),
                n.cpu().model() == null ? "" : ": " + n.cpu().model());
        out.printf("Memory        %s%n", Format.bytes(n.memoryBytes()));
        for (Map.Entry<String, String> a : n.attributes().entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            out.printf("%-13s %s%n", a.getKey(), a.getValue());
        }

        out.println();
        out.println("Packages");
        ShellTable packages = table("PACKAGE", "CORES", "THREADS", "CPUS", "MODEL")
                .emptyTableText("No CPU packages reported (a declared node without CPU details, or no topology in /sys).");
        for (CpuPackage p : n.cpu().packages()) {
            packages.addRow().addContent(p.id(), p.cores().size(), p.threads().size(), p.threads(), Format.orDash(p.model()));
        }
        packages.print(out, !noFormat);

        out.println();
        out.println("NUMA nodes");
        ShellTable numa = table("NODE", "CPUS", "MEMORY", "DISTANCES").emptyTableText("No NUMA nodes reported.");
        for (NumaNode nn : n.numaNodes()) {
            numa.addRow().addContent(nn.id(), Format.orDash(nn.cpus()), Format.bytes(nn.memoryBytes()),
                    nn.distances().isEmpty() ? "-" : nn.distances().stream().map(String::valueOf).collect(Collectors.joining(" ")));
        }
        numa.print(out, !noFormat);

        out.println();
        out.println("PCI devices");
        ShellTable pci = table("ADDRESS", "CLASS", "IDS", "NAME", "NUMA", "LINK", "DRIVER")
                .emptyTableText("No PCI devices reported (declared nodes list none).");
        for (PciDevice d : n.pciDevices()) {
            pci.addRow().addContent(d.address(), String.format("%06x %s", d.classCode(), d.category().name().toLowerCase(Locale.ROOT)),
                    d.ids(), Format.orDash(name(d)), d.numaNode() < 0 ? "-" : d.numaNode(), link(d.link()), Format.orDash(d.driver()));
        }
        pci.print(out, !noFormat);

        if (!n.accelerators().isEmpty()) {
            out.println();
            out.println("Accelerators");
            ShellTable gpus = table("ID", "MODEL", "MEMORY", "PCI", "NUMA", "DOMAIN", "HEALTH");
            for (Accelerator a : n.accelerators()) {
                gpus.addRow().addContent(a.id(), a.model(), Format.bytes(a.memoryBytes()), Format.orDash(a.pciAddress()),
                        a.numaNode() < 0 ? "-" : a.numaNode(), Format.orDash(a.interconnectDomain()), a.health().status());
            }
            gpus.print(out, !noFormat);
        }
        if (!n.nics().isEmpty()) {
            out.println();
            out.println("NICs");
            ShellTable nics = table("NAME", "TYPE", "SPEED", "PCI", "NUMA", "MAC");
            for (Nic nic : n.nics()) {
                nics.addRow().addContent(nic.name(), Format.orDash(nic.linkType()), nic.speedMbps() == 0 ? "-" : nic.speedMbps() + " Mb/s",
                        Format.orDash(nic.pciAddress()), nic.numaNode() < 0 ? "-" : nic.numaNode(), Format.orDash(nic.macAddress()));
            }
            nics.print(out, !noFormat);
        }
        if (!n.disks().isEmpty()) {
            out.println();
            out.println("Disks");
            ShellTable disks = table("NAME", "SIZE", "ROTATIONAL", "PCI");
            for (Disk d : n.disks()) {
                disks.addRow().addContent(d.name(), Format.bytes(d.sizeBytes()), d.rotational() ? "yes" : "no", Format.orDash(d.pciAddress()));
            }
            disks.print(out, !noFormat);
        }
        return null;
    }

    private static String name(PciDevice d) {
        if (d.vendorName() == null && d.deviceName() == null) {
            return null;
        }
        return Format.orDash(d.vendorName()) + " " + Format.orDash(d.deviceName());
    }

    private static String link(PciLink link) {
        if (link == null || link.currentSpeedGts() == 0) {
            return "-";
        }
        String current = String.format(Locale.ROOT, "gen%d x%d", link.currentGeneration(), link.currentWidth());
        boolean degraded = link.currentSpeedGts() < link.maxSpeedGts() || link.currentWidth() < link.maxWidth();
        return degraded ? current + String.format(Locale.ROOT, " (max gen%d x%d)", link.maxGeneration(), link.maxWidth()) : current;
    }

    private static ShellTable table(String... columns) {
        ShellTable table = new ShellTable();
        for (String c : columns) {
            table.column(c);
        }
        return table;
    }
}
