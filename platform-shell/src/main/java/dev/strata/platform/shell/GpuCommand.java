package dev.strata.platform.shell;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.DeviceLink;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.PartitionProfile;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.Telemetry;
import java.io.PrintStream;
import java.util.ArrayList;
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

/** {@code strata:gpu <uuid>}: one accelerator in detail with its latest telemetry samples. */
@Service
@Command(scope = "strata", name = "gpu", description = "Shows one GPU in detail: PCIe, power limits, MIG profiles, NVLinks, health and the latest samples.")
public class GpuCommand implements Action {

    @Reference(optional = true)
    Inventory inventory;

    @Reference(optional = true)
    Telemetry telemetry;

    @Argument(index = 0, name = "id", description = "The GPU's id (UUID; see strata:gpus)", required = true)
    @Completion(GpuIdCompleter.class)
    String id;

    @Option(name = "-s", aliases = "--samples", description = "How many recent samples to show")
    int samples = 10;

    @Option(name = "--no-format", description = "Plain output without table borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() {
        if (samples < 0) {
            throw new IllegalArgumentException("--samples " + samples + " is negative; expected how many samples to show, 0 or more");
        }
        dev.strata.platform.api.model.InventorySnapshot snapshot = Services.require(inventory, "inventory").snapshot();
        List<Node> nodes = snapshot.nodes();
        // every GPU with the id: two providers (or two nodes of one) may report one id, and showing only the last of them
        // hid the others as if the inventory held one
        List<Node> on = new ArrayList<>();
        List<Accelerator> found = new ArrayList<>();
        for (Node n : nodes) {
            for (Accelerator x : n.accelerators()) {
                if (x.id().equals(id)) {
                    found.add(x);
                    on.add(n);
                }
            }
        }
        if (found.isEmpty()) {
            // a GPU the inventory attached to no node (strata:gpus lists it under "(no node)")
            snapshot.unattached().stream().filter(x -> x.id().equals(id)).findFirst().ifPresent(x -> {
                found.add(x);
                on.add(null);
            });
        }
        if (found.isEmpty()) {
            List<String> ids = java.util.stream.Stream.concat(nodes.stream().flatMap(n -> n.accelerators().stream()), snapshot.unattached().stream())
                    .map(Accelerator::id).toList();
            throw new IllegalArgumentException("no GPU '" + Format.visible(id) + "'"
                    + (ids.isEmpty() ? "; the inventory has no GPUs" : "; known GPUs: " + NodeCommand.known(ids, "none")));
        }
        PrintStream out = System.out;
        if (found.size() > 1) {
            out.println(Format.visible(found.size() + " GPUs have the id " + id + ", on nodes " + on.stream().map(Node::id)
                    .collect(Collectors.joining(", ")) + "; each is shown, and the samples are those reported for the id."));
        }
        for (int i = 0; i < found.size(); i++) {
            if (i > 0) {
                out.println();
            }
            detail(out, found.get(i), on.get(i));
        }
        Accelerator a = found.get(0);
        if (samples == 0) {
            return null;
        }
        List<GpuSample> recent = telemetry == null ? List.of() : telemetry.recent(a.id(), samples);
        out.println();
        if (recent.isEmpty()) {
            out.println("No telemetry samples (yet).");
            return null;
        }
        out.println("Latest samples");
        Table t = table("TIME", "UTIL", "MEM UTIL", "MEM USED", "POWER", "TEMP", "SM CLOCK", "THROTTLE", "ECC CORR", "ECC UNCORR");
        for (GpuSample s : recent) {
            t.row(Format.time(s.at()), GpusCommand.pct(s.gpuUtilisationPercent()), GpusCommand.pct(s.memoryUtilisationPercent()),
                    Format.measuredBytes(s.memoryUsedBytes()),
                    s.powerWatts() < 0 ? "-" : String.format(Locale.ROOT, "%.0f W", s.powerWatts()),
                    s.temperatureCelsius() < 0 ? "-" : String.format(Locale.ROOT, "%.0f C", s.temperatureCelsius()),
                    s.smClockMHz() < 0 ? "-" : s.smClockMHz() + " MHz", s.throttleReasons().isEmpty() ? "-" : String.join(",", s.throttleReasons()),
                    s.eccCorrected() < 0 ? "-" : s.eccCorrected(), s.eccUncorrected() < 0 ? "-" : s.eccUncorrected());
        }
        t.print(out, noFormat);
        return null;
    }

    /** One GPU's detail lines and tables, {@code on} the node it is attached to (null: none). */
    private void detail(PrintStream out, Accelerator a, Node on) {
        // labels and attribute keys in one column, as wide as the longest key, so that every value starts in the same place
        int line = Format.labelled(a.attributes().keySet());
        Format.line(out, line, "GPU", a.id());
        Format.line(out, line, "Model", a.model() + " (" + Format.orDash(a.vendor()) + "), compute capability " + Format.orDash(a.computeCapability()));
        Format.line(out, line, "Node", (on == null ? GpusCommand.UNATTACHED : on.id()) + ", PCI " + Format.orDash(a.pciAddress()) + ", NUMA "
                + (a.numaNode() < 0 ? "-" : a.numaNode()) + ", CPUs " + Format.orDash(a.cpuAffinity()));
        Format.line(out, line, "Memory", Format.bytes(a.memoryBytes()));
        if (a.pcie() != null) {
            Format.line(out, line, "PCIe", String.format(Locale.ROOT, "gen%d x%d (max gen%d x%d)", a.pcie().currentGeneration(),
                    a.pcie().currentWidth(),
                    a.pcie().maxGeneration(), a.pcie().maxWidth()));
        }
        Format.line(out, line, "Power limit", Format.powerLimits(a.power().enforcedWatts(), a.power().defaultWatts(), a.power().minWatts(),
                a.power().maxWatts()));
        Format.line(out, line, "NVLink", a.interconnectDomain() == null ? "none" : "domain " + a.interconnectDomain()
                + String.format(Locale.ROOT, ", %.0f GB/s per direction", a.linkBandwidthGBps()));
        Format.line(out, line, "MIG", GpusCommand.mig(a));
        Format.line(out, line, "Health", a.health().status() + (a.health().reasons().isEmpty() ? "" : ": " + String.join("; ", a.health().reasons())));
        for (Map.Entry<String, String> e : a.attributes().entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            Format.line(out, line, e.getKey(), e.getValue());
        }
        if (!a.partitionProfiles().isEmpty()) {
            out.println();
            out.println("MIG profiles");
            Table t = table("PROFILE", "ID", "INSTANCES", "MEMORY", "SMS", "SLICES", "PLACEMENTS");
            for (PartitionProfile p : a.partitionProfiles()) {
                t.row(p.name(), p.profileId() < 0 ? "-" : p.profileId(), p.maxInstances(), Format.bytes(p.memoryBytes()),
                        p.multiprocessors() <= 0 ? "-" : p.multiprocessors(),
                        p.computeSlices() + "/" + p.totalSlices(), p.placements().isEmpty() ? "-"
                                : p.placements().stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}")) + ":" + p.placementSize());
            }
            t.print(out, noFormat);
        }
        if (!a.links().isEmpty()) {
            out.println();
            out.println("NVLinks");
            Table t = table("LINK", "PEER", "KIND", "BANDWIDTH", "ACTIVE");
            for (DeviceLink l : a.links()) {
                t.row(l.index(), Format.orDash(l.peerPciAddress()), Format.orDash(l.peerKind()),
                        String.format(Locale.ROOT, "%.0f GB/s", l.bandwidthGBps()), l.active() ? "yes" : "no");
            }
            t.print(out, noFormat);
        }
        List<dev.strata.platform.api.model.DevicePath> paths = on == null ? List.of() : on.devicePaths().stream()
                .filter(p -> p.from().equals(id)).toList();
        if (!paths.isEmpty()) {
            out.println();
            out.println("Paths to other devices");
            Table t = table("TO", "PCIE", "NVLINKS");
            for (dev.strata.platform.api.model.DevicePath p : paths) {
                t.row(p.to(), p.level() == null ? "-" : p.level(), p.nvlinks() == 0 ? "-" : p.nvlinks());
            }
            t.print(out, noFormat);
        }
    }

    private static Table table(String... columns) {
        return new Table(columns);
    }
}
