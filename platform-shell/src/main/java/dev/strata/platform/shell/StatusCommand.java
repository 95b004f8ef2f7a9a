package dev.strata.platform.shell;

import dev.strata.platform.api.commitment.CommitmentStatus;
import dev.strata.platform.api.commitment.Commitments;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderStatus;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.Placement;
import java.io.PrintStream;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code strata:status}: a summary that stays a screen long whatever the inventory's size:
 * providers, nodes by site and state, GPUs by model, allocations, commitments, and where to look next.
 */
@Service
@Command(scope = "strata", name = "status", description = "Summarises Strata: providers, nodes by site and state, GPUs by model, allocations, commitments.")
public class StatusCommand implements Action {

    @Reference(optional = true)
    ProviderRegistry registry;

    @Reference(optional = true)
    Inventory inventory;

    @Reference(optional = true)
    Placement placement;

    @Reference(optional = true)
    Commitments commitments;

    @Option(name = "--no-format", description = "Plain output without table borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() {
        List<ProviderStatus> providers = Services.require(registry, "provider registry").providers();
        // the ledger before the inventory, as strata:allocations reads them: read after, it held allocations on nodes that
        // joined after the inventory was read, counted as holding nodes that left. A ledger that cannot be read fails the
        // command where it did, after the rest of the summary
        List<Allocation> allocations = null;
        RuntimeException unreadable = null;
        try {
            allocations = placement == null ? null : placement.allocations();
        } catch (RuntimeException e) {
            unreadable = e;
        }
        InventorySnapshot snapshot = Services.require(inventory, "inventory").snapshot();
        PrintStream out = System.out;

        long gpus = snapshot.nodes().stream().mapToLong(n -> n.accelerators().size()).sum();
        int unattached = snapshot.unattached().size();
        // GPUs attached to no node are counted apart: strata:gpus lists them, placement cannot use them
        out.printf(Locale.ROOT, "%s, %s at %s, %s%s (inventory generation %d)%n", Format.count(providers.size(), "provider", "providers"),
                Format.count(snapshot.nodes().size(), "node", "nodes"), Format.count(snapshot.sites().size(), "site", "sites"),
                Format.count(gpus, "GPU", "GPUs"), unattached == 0 ? "" : " and " + Format.count(unattached, "GPU", "GPUs")
                        + " attached to no node", snapshot.generation());

        out.println();
        out.println("Providers");
        Table p = new Table("ID", "STATE", "RESOURCES", "MESSAGE").emptyText("  none registered");
        providers.forEach(s -> p.row(s.id(), s.state(), s.resources(), Format.orDash(s.message())));
        p.print(out, noFormat);

        out.println();
        out.println("Nodes by site and state");
        Map<String, Map<ResourceState, Integer>> bySite = new TreeMap<>();
        for (Node n : snapshot.nodes()) {
            bySite.computeIfAbsent(n.siteId(), k -> new EnumMap<>(ResourceState.class)).merge(n.state(), 1, Integer::sum);
        }
        Table sites = new Table("SITE", "NODES", "AVAILABLE", "STALE", "DRAINING", "UNAVAILABLE").emptyText("  no nodes");
        bySite.forEach((site, states) -> sites.row(site, states.values().stream().mapToInt(Integer::intValue).sum(),
                states.getOrDefault(ResourceState.AVAILABLE, 0), states.getOrDefault(ResourceState.STALE, 0),
                states.getOrDefault(ResourceState.DRAINING, 0), states.getOrDefault(ResourceState.UNAVAILABLE, 0)));
        sites.print(out, noFormat);

        out.println();
        out.println("GPUs by model");
        Map<String, long[]> byModel = new TreeMap<>();
        for (Node n : snapshot.nodes()) {
            Set<String> seen = new java.util.HashSet<>();
            for (Accelerator a : n.accelerators()) {
                long[] c = byModel.computeIfAbsent(a.model(), k -> new long[2]);
                c[0]++;
                if (seen.add(a.model())) {
                    c[1]++;
                }
            }
        }
        Table models = new Table("MODEL", "GPUS", "NODES").emptyText("  no GPUs");
        byModel.forEach((model, c) -> models.row(model, c[0], c[1]));
        models.print(out, noFormat);
        if (unattached > 0) {
            out.printf("  and %s attached to no node (strata:gpus lists them; a provider's warning says why)%n",
                    Format.count(unattached, "GPU", "GPUs"));
        }

        if (unreadable != null) {
            throw unreadable;
        }
        if (allocations != null) {
            Set<String> present = snapshot.nodes().stream().map(Node::id).collect(Collectors.toSet());
            List<String> orphaned = allocations.stream()
                    .filter(a -> a.bindings().stream().anyMatch(b -> !present.contains(b.nodeId())))
                    .map(Allocation::id).toList();
            out.println();
            // the ids are the ledger's, a shared store: shown escaped, as every id is
            out.printf(Locale.ROOT, "Allocations: %d%s%n", allocations.size(), orphaned.isEmpty() ? ""
                    : "; " + (orphaned.size() == 1 ? "1 holds" : orphaned.size() + " hold") + " nodes that left the inventory: "
                            + orphaned.stream().map(Format::visible).collect(Collectors.joining(", ")) + " (see strata:allocations)");
        }
        if (commitments != null) {
            Map<CommitmentStatus, Long> byStatus = new EnumMap<>(CommitmentStatus.class);
            commitments.commitments().forEach(c -> byStatus.merge(c.status(), 1L, Long::sum));
            out.printf(Locale.ROOT, "Commitments: %d honored, %d at risk, %d breached%n",
                    byStatus.getOrDefault(CommitmentStatus.HONORED, 0L), byStatus.getOrDefault(CommitmentStatus.AT_RISK, 0L),
                    byStatus.getOrDefault(CommitmentStatus.BREACHED, 0L));
        }
        out.println();
        out.println("More: strata:providers, strata:nodes, strata:node <id>, strata:gpus, strata:allocations, strata:commitments; help strata");
        return null;
    }
}
