package dev.strata.platform.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NumaNode;
import dev.strata.platform.api.model.PowerDomain;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provider.ComputeProvider;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provisioning.CountedMachine;
import dev.strata.platform.api.provisioning.LargestMachine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The contract of {@link ComputeProvider}: the obligations of {@link ProviderContract}, and a
 * compute snapshot is complete when its node, site, power domain and capacity offer ids are
 * unique, every node and offer belongs to the provider, every site and power domain a node or
 * domain names and every site an offer names is in the snapshot, and following the parents from
 * any power domain ends (no domain is its own parent, none is in a cycle of parents), and the
 * counted and largest machines a node reports ({@link CountedMachine}, {@link LargestMachine}) are
 * in the form placement reads.
 *
 * <pre>
 * class MyComputeProviderTest extends ComputeProviderContract&lt;MyComputeProvider&gt; {
 *     protected MyComputeProvider createProvider() { return new MyComputeProvider(config(...)); }
 *     protected String providerId() { return "my-cloud"; }
 * }
 * </pre>
 *
 * @param <P> the provider type
 */
public abstract class ComputeProviderContract<P extends ComputeProvider> extends ProviderContract<P, ComputeSnapshot> {

    @Override
    protected final ComputeSnapshot discover(P provider, DiscoveryContext context) {
        return provider.discoverCompute(context);
    }

    @Override
    protected final long generation(ComputeSnapshot snapshot) {
        return snapshot.generation();
    }

    @Override
    protected final Set<String> ids(ComputeSnapshot snapshot) {
        Set<String> ids = new LinkedHashSet<>();
        snapshot.nodes().forEach(n -> ids.add(n.id()));
        return ids;
    }

    @Override
    protected void assertComplete(ComputeSnapshot snapshot) {
        assertNotNull(snapshot.takenAt(), "takenAt");
        Set<String> sites = new HashSet<>();
        for (Site site : snapshot.sites()) {
            assertTrue(sites.add(site.id()), "site " + site.id() + " is in the snapshot twice");
            assertEquals(providerId(), site.providerId(), "site " + site.id() + " names another provider");
        }
        Set<String> domains = new HashSet<>();
        snapshot.powerDomains().forEach(d -> assertTrue(domains.add(d.id()), "power domain " + d.id() + " is in the snapshot twice"));
        for (PowerDomain domain : snapshot.powerDomains()) {
            assertTrue(domain.siteId() == null || sites.contains(domain.siteId()),
                    "power domain " + domain.id() + " is at site " + domain.siteId() + ", which the snapshot does not hold");
            assertTrue(domain.parentId() == null || domains.contains(domain.parentId()),
                    "power domain " + domain.id() + " has parent " + domain.parentId() + ", which the snapshot does not hold");
        }
        assertParentsEnd(snapshot.powerDomains());
        Set<String> nodes = new HashSet<>();
        Set<String> accelerators = new HashSet<>();
        for (Node node : snapshot.nodes()) {
            assertTrue(nodes.add(node.id()), "node " + node.id() + " is in the snapshot twice");
            assertEquals(providerId(), node.providerId(), "node " + node.id() + " names another provider");
            assertTrue(sites.contains(node.siteId()), "node " + node.id() + " is at site " + node.siteId()
                    + ", which the snapshot does not hold (sites: " + sites + ")");
            // a node's power domain may be one another provider reports (a BMC's rack, declared in the inventory): the core
            // checks that when it merges, and places nothing on a node whose domain no provider reports
            Set<Integer> numa = new HashSet<>();
            for (NumaNode n : node.numaNodes()) {
                assertTrue(numa.add(n.id()), "node " + node.id() + " has NUMA node " + n.id() + " twice");
            }
            // what a node says of its machines is in the form placement reads (CountedMachine, LargestMachine): one it cannot
            // read is ignored there, with a warning, and the room is then counted twice or a member placed that cannot be made
            try {
                CountedMachine.on(node);
                LargestMachine.of(node);
            } catch (IllegalArgumentException e) {
                fail("node " + node.id() + " reports its machines in a form placement cannot read: " + e.getMessage());
            }
            for (Accelerator a : node.accelerators()) {
                assertTrue(accelerators.add(a.id()), "accelerator " + a.id() + " is in the snapshot twice");
                assertTrue(a.nodeId() == null || a.nodeId().equals(node.id()),
                        "accelerator " + a.id() + " of node " + node.id() + " says it is on " + a.nodeId());
            }
        }
        Set<String> offers = new HashSet<>();
        for (CapacityOffer offer : snapshot.offers()) {
            assertTrue(offers.add(offer.id()), "capacity offer " + offer.id() + " is in the snapshot twice");
            assertEquals(providerId(), offer.providerId(), "capacity offer " + offer.id() + " names another provider");
            assertTrue(sites.contains(offer.siteId()), "capacity offer " + offer.id() + " is at site " + offer.siteId()
                    + ", which the snapshot does not hold (sites: " + sites + ")");
        }
        snapshot.warnings().forEach(w -> assertTrue(w != null && !w.isBlank(), "a blank warning"));
    }

    /**
     * Following the parents from each power domain ends at one without a parent: placement charges
     * a node's draw to every domain up the chain, which a domain that is its own parent, or a cycle
     * of parents, would never end.
     */
    private static void assertParentsEnd(List<PowerDomain> powerDomains) {
        Map<String, String> parents = new HashMap<>();
        powerDomains.forEach(d -> parents.put(d.id(), d.parentId()));
        Set<String> ending = new HashSet<>();
        for (PowerDomain domain : powerDomains) {
            List<String> chain = new ArrayList<>();
            Set<String> onChain = new HashSet<>();
            String at = domain.id();
            // up the parents until one without a parent, one already known to end, or one on this chain again
            while (at != null && !ending.contains(at) && onChain.add(at)) {
                chain.add(at);
                at = parents.get(at);
            }
            if (at != null && onChain.contains(at)) {
                List<String> cycle = new ArrayList<>(chain.subList(chain.indexOf(at), chain.size()));
                cycle.add(at);
                fail((cycle.size() == 2 ? "power domain " + at + " is its own parent (" : "power domains are a cycle of parents (")
                        + String.join(" -> ", cycle) + (cycle.contains(domain.id()) ? "" : ", reached from " + domain.id())
                        + "): following the parents from a power domain must end at one without a parent");
            }
            ending.addAll(chain);
        }
    }
}
