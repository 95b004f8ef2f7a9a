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
import java.util.List;
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

    /**
     * Said under a heading whose table is empty (a declared node's packages, NUMA nodes and PCI
     * devices): a bordered table of headers alone said nothing of what is missing.
     */
    static final String NONE_REPORTED = "None reported.";

    @Override
    public Object execute() {
        InventorySnapshot snapshot = Services.require(inventory, "inventory").snapshot();
        Node n = snapshot.node(id).orElseThrow(() -> new IllegalArgumentException(unknownNode(id, snapshot)));
        PrintStream out = System.out;
        // labels and attribute keys in one column, as wide as the longest key, so that every value starts in the same place
        int line = Format.labelled(n.attributes().keySet());
        Format.line(out, line, "Node", n.id() + " (" + n.state() + ")");
        Format.line(out, line, "Provider", n.providerId() + ", site " + n.siteId() + ", " + n.kind());
        Format.line(out, line, "Host", Format.orDash(n.hostname()));
        Format.line(out, line, "CPU", String.format("%s, %s, %s online%s%s", Format.count(n.cpu().packages().size(), "package", "packages"),
                Format.count(n.cpu().cores(), "core", "cores"), Format.count(n.cpu().threads(), "thread", "threads"), n.cpu().offline().isEmpty() ? "" : ", offline " + n.cpu().offline(),
                n.cpu().model() == null ? "" : ": " + n.cpu().model()));
        Format.line(out, line, "Memory", Format.bytes(n.memoryBytes()));
        for (Map.Entry<String, String> a : n.attributes().entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            Format.line(out, line, a.getKey(), a.getValue());
        }

        out.println();
        out.println("Packages");
        Table packages = table("PACKAGE", "CORES", "THREADS", "CPUS", "MODEL").emptyText(NONE_REPORTED);
        for (CpuPackage p : n.cpu().packages()) {
            packages.row(p.id(), p.cores().size(), p.threads().size(), p.threads(), Format.orDash(p.model()));
        }
        packages.print(out, noFormat);

        out.println();
        out.println("NUMA nodes");
        Table numa = table("NODE", "CPUS", "MEMORY", "DISTANCES").emptyText(NONE_REPORTED);
        for (NumaNode nn : n.numaNodes()) {
            numa.row(nn.id(), Format.orDash(nn.cpus()), Format.bytes(nn.memoryBytes()),
                    nn.distances().isEmpty() ? "-" : nn.distances().stream().map(String::valueOf).collect(Collectors.joining(" ")));
        }
        numa.print(out, noFormat);

        out.println();
        out.println("PCI devices");
        Table pci = table("ADDRESS", "CLASS", "IDS", "NAME", "NUMA", "LINK", "DRIVER").emptyText(NONE_REPORTED);
        for (PciDevice d : n.pciDevices()) {
            pci.row(d.address(), String.format("%06x %s", d.classCode(), d.category().name().toLowerCase(Locale.ROOT)),
                    d.ids(), Format.orDash(name(d)), d.numaNode() < 0 ? "-" : d.numaNode(), link(d.link()), Format.orDash(d.driver()));
        }
        pci.print(out, noFormat);

        if (!n.accelerators().isEmpty()) {
            out.println();
            out.println("Accelerators");
            Table gpus = table("ID", "MODEL", "MEMORY", "PCI", "NUMA", "DOMAIN", "HEALTH");
            for (Accelerator a : n.accelerators()) {
                gpus.row(a.id(), a.model(), Format.bytes(a.memoryBytes()), Format.orDash(a.pciAddress()),
                        a.numaNode() < 0 ? "-" : a.numaNode(), Format.orDash(a.interconnectDomain()), a.health().status());
            }
            gpus.print(out, noFormat);
        }
        if (!n.nics().isEmpty()) {
            out.println();
            out.println("NICs");
            Table nics = table("NAME", "TYPE", "SPEED", "PCI", "NUMA", "MAC");
            for (Nic nic : n.nics()) {
                nics.row(nic.name(), Format.orDash(nic.linkType()), nic.speedMbps() == 0 ? "-" : nic.speedMbps() + " Mb/s",
                        Format.orDash(nic.pciAddress()), nic.numaNode() < 0 ? "-" : nic.numaNode(), Format.orDash(nic.macAddress()));
            }
            nics.print(out, noFormat);
        }
        if (!n.disks().isEmpty()) {
            out.println();
            out.println("Disks");
            Table disks = table("NAME", "SIZE", "ROTATIONAL", "PCI");
            for (Disk d : n.disks()) {
                disks.row(d.name(), Format.bytes(d.sizeBytes()), d.rotational() ? "yes" : "no", Format.orDash(d.pciAddress()));
            }
            disks.print(out, noFormat);
        }
        return null;
    }

    /** The message for a node id the inventory does not hold; the same for every command. */
    static String unknownNode(String id, InventorySnapshot snapshot) {
        return "no node '" + Format.visible(id) + "'; known nodes: " + known(snapshot.nodes().stream().map(Node::id).toList(), "none");
    }

    /**
     * Some of the known ids, for a message about an unknown one: at most 10, and how many there are
     * when there are more; made {@link Format#visible}, as they come from providers.
     */
    static String known(List<String> ids, String none) {
        return ids.isEmpty() ? none : ids.stream().limit(10).map(Format::visible).collect(Collectors.joining(", "))
                + (ids.size() > 10 ? ", ... (" + ids.size() + " in all)" : "");
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

    private static Table table(String... columns) {
        return new Table(columns);
    }
}
