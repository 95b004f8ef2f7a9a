package dev.strata.platform.testkit;

import static dev.strata.platform.testkit.ShownIds.assertShown;
import static dev.strata.platform.testkit.ShownIds.shown;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.CapacityOffer;
import dev.strata.platform.api.model.DevicePath;
import dev.strata.platform.api.model.Disk;
import dev.strata.platform.api.model.Nic;
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
 * in the form placement reads. Every capacity offer's machine has the offer's id, provider and site,
 * as the API promises and the inventory requires (it leaves out an offer whose machine names
 * another provider or site). Every id the inventory takes, and every id a resource names (a site,
 * a power domain, a parent, an offer's machine and fabrics, an accelerator's interconnect domain,
 * a NIC's or a disk's name, a device path's ends), shows as itself: the inventory leaves out (or
 * drops) one that holds a control or format character, a line or paragraph separator or half of
 * a surrogate pair, with a warning, so a provider reporting such ids would pass here and lose its
 * resources at runtime. An accelerator of a node, or of an offer's machine, names that node or none.
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

    /**
     * The nodes' and the capacity offers' ids, each named by what it is: placement binds a member to
     * one or the other, and the core hands that id back to the provisioning provider
     * ({@code MachineTarget}), so an offer's id must be as stable as a node's.
     */
    @Override
    protected final Set<String> ids(ComputeSnapshot snapshot) {
        Set<String> ids = new LinkedHashSet<>();
        snapshot.nodes().forEach(n -> ids.add("node " + n.id()));
        snapshot.offers().forEach(o -> ids.add("capacity offer " + o.id()));
        return ids;
    }

    @Override
    protected void assertComplete(ComputeSnapshot snapshot) {
        assertNotNull(snapshot.takenAt(), "takenAt");
        Set<String> sites = new HashSet<>();
        for (Site site : snapshot.sites()) {
            assertShown("a site", "id", site.id(), "the inventory leaves the site out");
            assertTrue(sites.add(site.id()), "site " + site.id() + " is in the snapshot twice");
            assertEquals(providerId(), site.providerId(), "site " + site.id() + " names another provider");
        }
        Set<String> domains = new HashSet<>();
        snapshot.powerDomains().forEach(d -> assertTrue(domains.add(d.id()), "power domain " + d.id() + " is in the snapshot twice"));
        for (PowerDomain domain : snapshot.powerDomains()) {
            String named = "power domain " + shown(domain.id());
            assertShown("a power domain", "id", domain.id(), "the inventory leaves the power domain out");
            assertShown(named, "site id", domain.siteId(), "the inventory leaves the power domain out");
            assertShown(named, "parent id", domain.parentId(), "the inventory leaves the power domain out");
            assertTrue(domain.siteId() == null || sites.contains(domain.siteId()),
                    "power domain " + domain.id() + " is at site " + domain.siteId() + ", which the snapshot does not hold");
            assertTrue(domain.parentId() == null || domains.contains(domain.parentId()),
                    "power domain " + domain.id() + " has parent " + domain.parentId() + ", which the snapshot does not hold");
        }
        assertParentsEnd(snapshot.powerDomains());
        Set<String> nodes = new HashSet<>();
        Set<String> accelerators = new HashSet<>();
        for (Node node : snapshot.nodes()) {
            assertShown("a node", "id", node.id(), "the inventory leaves the node out");
            assertShown("node " + shown(node.id()), "site id", node.siteId(), "the inventory leaves the node out");
            assertShown("node " + shown(node.id()), "power domain id", node.powerDomainId(), "the inventory leaves the node out");
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
            }
            assertDevicesShown(node, "node " + shown(node.id()));
        }
        Set<String> offers = new HashSet<>();
        for (CapacityOffer offer : snapshot.offers()) {
            assertTrue(offers.add(offer.id()), "capacity offer " + offer.id() + " is in the snapshot twice");
            assertEquals(providerId(), offer.providerId(), "capacity offer " + offer.id() + " names another provider");
            assertTrue(sites.contains(offer.siteId()), "capacity offer " + offer.id() + " is at site " + offer.siteId()
                    + ", which the snapshot does not hold (sites: " + sites + ")");
            String named = "capacity offer " + shown(offer.id());
            assertShown("a capacity offer", "id", offer.id(), "the inventory leaves the offer out");
            assertShown(named, "site id", offer.siteId(), "the inventory leaves the offer out");
            Node machine = offer.machine();
            assertShown(named, "machine id", machine.id(), "the inventory leaves the offer out");
            assertShown(named, "machine's site id", machine.siteId(), "the inventory leaves the offer out");
            assertShown(named, "machine's power domain id", machine.powerDomainId(), "the inventory leaves the offer out");
            offer.fabricIds().forEach(f -> assertShown(named, "fabric id", f, "the inventory drops it from the offer's fabrics"));
            // the machine is one machine of the offer (its id the offer id, by the API): placement makes the offer's launch
            // slots from it, rebasing its accelerators' ids from its id to each slot's, and the inventory leaves out an offer
            // whose machine names another provider or another site than the offer
            assertEquals(offer.id(), machine.id(), "capacity offer " + offer.id() + "'s machine has id " + machine.id()
                    + "; expected the offer's id " + offer.id() + " (the machine of a capacity offer has the offer's id)");
            assertEquals(offer.providerId(), machine.providerId(), "capacity offer " + offer.id() + "'s machine names provider "
                    + machine.providerId() + "; expected the offer's provider " + offer.providerId()
                    + " (the inventory leaves out an offer whose machine names another provider)");
            assertEquals(offer.siteId(), machine.siteId(), "capacity offer " + offer.id() + " is at site " + offer.siteId()
                    + " but its machine at site " + machine.siteId() + "; expected the machine's site id to be the offer's"
                    + " (the inventory leaves out an offer whose machine is at another site)");
            assertDevicesShown(machine, "the machine of " + named);
            // each launch slot holds the machine's accelerators under the slot's ids (OfferSlots rebases the machine's id to the
            // slot's), so ids of one machine must differ, as a node's do; across offers they may repeat, the slots' prefixes differing
            Set<String> gpus = new HashSet<>();
            for (Accelerator a : machine.accelerators()) {
                assertTrue(gpus.add(a.id()), "accelerator " + a.id() + " is in the machine of capacity offer " + offer.id() + " twice; "
                        + "expected each accelerator of the machine once (each launch slot would hold two GPUs of one id, which the "
                        + "ledger books as one)");
            }
        }
        snapshot.warnings().forEach(w -> assertTrue(w != null && !w.isBlank(), "a blank warning"));
    }

    /**
     * Fails unless a node's (or an offer's machine's) accelerators, NICs, disks and device paths
     * have ids that show as themselves, and each accelerator names that node or none: the
     * inventory leaves out an accelerator, a NIC or a disk whose id does not, drops such an
     * interconnect domain or a device path to such an end, and takes an accelerator that names
     * another node as on the one that lists it, with a warning to the provider each time.
     */
    private static void assertDevicesShown(Node node, String named) {
        for (Accelerator a : node.accelerators()) {
            assertShown("an accelerator of " + named, "id", a.id(), "the inventory leaves the accelerator out");
            assertShown("accelerator " + shown(a.id()) + " of " + named, "interconnect domain id", a.interconnectDomain(),
                    "the inventory drops it and takes the accelerator as in no interconnect domain");
            assertTrue(a.nodeId() == null || a.nodeId().equals(node.id()), "accelerator " + a.id() + " of " + named + " says it is on "
                    + a.nodeId() + "; expected " + node.id() + " or none (an accelerator is on the node whose accelerators list it)");
        }
        for (Nic nic : node.nics()) {
            assertShown("a NIC of " + named, "name", nic.name(), "the inventory leaves the NIC out of the node");
        }
        for (Disk disk : node.disks()) {
            assertShown("a disk of " + named, "name", disk.name(), "the inventory leaves the disk out of the node");
        }
        for (DevicePath p : node.devicePaths()) {
            String path = "the device path from " + shown(p.from()) + " to " + shown(p.to()) + " of " + named;
            assertShown(path, "start", p.from(), "the inventory drops the path");
            assertShown(path, "end", p.to(), "the inventory drops the path");
        }
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
