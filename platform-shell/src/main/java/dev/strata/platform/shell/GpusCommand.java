package dev.strata.platform.shell;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.telemetry.GpuSample;
import dev.strata.platform.api.telemetry.Telemetry;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import dev.strata.platform.api.model.InventorySnapshot;

/** {@code strata:gpus}: every accelerator, node by node, with its latest telemetry. */
@Service
@Command(scope = "strata", name = "gpus", description = "Lists the GPUs of every node with model, memory, MIG, NVLink domain and live utilisation and power.")
public class GpusCommand implements Action {

    @Reference(optional = true)
    Inventory inventory;

    @Reference(optional = true)
    Telemetry telemetry;

    @Option(name = "-n", aliases = "--node", description = "Only the GPUs of this node")
    @Completion(NodeIdCompleter.class)
    String node;

    @Option(name = "--no-format", description = "Plain output without table borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() {
        // every source's latest, so a GPU two sources sample has two: the newest is shown (the later source's where both were
        // taken at the same instant), as Telemetry.latest answers; the later source's whatever its age showed a source that
        // stopped sampling, its utilisation and power of long ago, beside the one that took over
        Map<String, GpuSample> samples = telemetry == null ? Map.of()
                : telemetry.latestGpuSamples().stream().collect(Collectors.toMap(GpuSample::acceleratorId, Function.identity(),
                        (a, b) -> b.at().isBefore(a.at()) ? a : b));
        Table table = new Table("NODE", "GPU", "MODEL", "MEMORY", "MIG", "NVLINK DOMAIN", "NUMA", "UTIL", "MEM USED", "POWER", "TEMP", "HEALTH");
        InventorySnapshot snapshot = Services.require(inventory, "inventory").snapshot();
        if (node != null && snapshot.node(node).isEmpty()) {
            throw new IllegalArgumentException(NodeCommand.unknownNode(node, snapshot));
        }
        for (Node n : snapshot.nodes()) {
            if (node != null && !node.equals(n.id())) {
                continue;
            }
            for (Accelerator a : n.accelerators()) {
                row(table, n.id(), a, samples.get(a.id()));
            }
        }
        if (node == null) {
            // GPUs the inventory could attach to no node: shown, not dropped (strata:providers says why)
            for (Accelerator a : snapshot.unattached()) {
                row(table, UNATTACHED, a, samples.get(a.id()));
            }
        }
        table.emptyText(node == null ? "No GPUs in the inventory (see strata:providers for the GPU providers' state)."
                : "No GPUs on node " + node + ".");
        table.print(System.out, noFormat);
        return null;
    }

    /** What the NODE column says for a GPU the inventory attached to no node. */
    static final String UNATTACHED = "(no node)";

    private static void row(Table table, String nodeId, Accelerator a, GpuSample sample) {
        Optional<GpuSample> s = Optional.ofNullable(sample);
        table.row(nodeId, a.id(), a.model(), Format.bytes(a.memoryBytes()), mig(a),
                Format.orDash(a.interconnectDomain()), a.numaNode() < 0 ? "-" : a.numaNode(),
                s.map(x -> pct(x.gpuUtilisationPercent())).orElse("-"),
                s.map(x -> Format.measuredBytes(x.memoryUsedBytes())).orElse("-"),
                s.map(x -> x.powerWatts() < 0 ? "-" : String.format(Locale.ROOT, "%.0f W", x.powerWatts())).orElse("-")
                        + (a.power().enforcedWatts() > 0 ? String.format(Locale.ROOT, " / %.0f W", a.power().enforcedWatts()) : ""),
                s.map(x -> x.temperatureCelsius() < 0 ? "-" : String.format(Locale.ROOT, "%.0f C", x.temperatureCelsius())).orElse("-"),
                a.health().status());
    }

    static String mig(Accelerator a) {
        if (a.partitionProfiles().isEmpty()) {
            return "no";
        }
        return (a.partitioningEnabled() ? "on" : "off") + " (" + a.partitionProfiles().size() + " profiles)";
    }

    static String pct(double value) {
        return value < 0 ? "-" : String.format(Locale.ROOT, "%.0f %%", value);
    }
}
