package dev.strata.platform.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.commitment.CommitmentStatus;
import dev.strata.platform.api.commitment.Finding;
import dev.strata.platform.api.contract.Contract;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.PlacementDecision;
import dev.strata.platform.core.commitment.CommitmentCheck;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;

/**
 * The verifier's check ({@link CommitmentCheck}) and placement read the contract's clauses each in
 * their own code; on the oracle's random inventories and contracts ({@link PlacementOracleTest}'s
 * generators: sovereignty, owned nodes, draining nodes, failed and degraded GPUs, MIG, fractions,
 * dedicated nodes) every allocation placement makes is HONORED by the check on the same inventory
 * and ledger. Then one bound fact is changed: the site of a bound node moved to a country the
 * contract does not allow, or one bound GPU failed; the allocation is then BREACHED, with a
 * finding naming that clause. Where an RDMA gang was placed, one of its nodes leaving the fabric it
 * was bound on breaches its {@code fabric.rdma} clause.
 */
class CommitmentCrossCheckTest {

    @Property(tries = 400)
    void everyPlacementIsHonoredOnItsInventoryAndBreachedOnceABoundFactBreaksAClause(@ForAll long seed) {
        Random r = new Random(seed);
        InventorySnapshot snapshot = PlacementOracleTest.inventory(r).snapshot();
        PlacementService service = new PlacementService(PlacementOracleTest.fixed(snapshot), new InMemoryLedger(), "strata", Clock.systemUTC());
        Map<String, Contract> placed = new LinkedHashMap<>();
        for (int i = 1 + r.nextInt(5); i > 0; i--) {
            Contract c = PlacementOracleTest.contract(r, "c" + i, snapshot);
            PlacementDecision d = service.place(c, false);
            if (d.placed()) {
                placed.put(d.allocationId(), c);
            }
        }
        List<Allocation> ledger = service.allocations();
        Statistics.label("allocations").collect(ledger.size());
        for (Allocation a : ledger) {
            CommitmentCheck.Verdict v = CommitmentCheck.check(a, placed.get(a.id()), snapshot, ledger);
            assertThat(v.findings()).as("%s of %s on\n%s", a, placed.get(a.id()), PlacementOracleTest.describe(snapshot)).isEmpty();
            assertThat(v.status()).isEqualTo(CommitmentStatus.HONORED);
        }
        if (ledger.isEmpty()) {
            Statistics.label("breach").collect("none placed");
            return;
        }
        // an allocation whose contract has a country clause, when there is one, half the time: the rarer breach
        List<Allocation> withCountries = ledger.stream().filter(x -> !placed.get(x.id()).sovereignty().countries().isEmpty()).toList();
        Allocation a = !withCountries.isEmpty() && r.nextBoolean() ? withCountries.get(r.nextInt(withCountries.size()))
                : ledger.get(r.nextInt(ledger.size()));
        Contract c = placed.get(a.id());
        MemberBinding b = a.bindings().get(r.nextInt(a.bindings().size()));
        boolean countries = !c.sovereignty().countries().isEmpty();
        if (countries && (b.acceleratorIds().isEmpty() || r.nextBoolean())) {
            Statistics.label("breach").collect("site country");
            String siteId = snapshot.node(b.nodeId()).orElseThrow().siteId();
            List<Site> sites = new ArrayList<>();
            for (Site s : snapshot.sites()) {
                sites.add(s.id().equals(siteId) ? s.toBuilder().country("JP").build() : s);
            }
            InventorySnapshot moved = new InventorySnapshot(snapshot.generation() + 1, Instant.now(), sites, snapshot.nodes(), snapshot.fabrics(),
                    snapshot.storagePools(), snapshot.powerDomains(), snapshot.offers(), snapshot.unattached());
            CommitmentCheck.Verdict v = CommitmentCheck.check(a, c, moved, ledger);
            assertThat(v.status()).isEqualTo(CommitmentStatus.BREACHED);
            assertThat(v.findings()).contains(new Finding(b.member(), "sovereignty.countries", CommitmentStatus.BREACHED, "node " + b.nodeId()
                    + " is at site " + siteId + ", country JP, not in " + new java.util.TreeSet<>(c.sovereignty().countries())));
        } else if (!b.acceleratorIds().isEmpty()) {
            Statistics.label("breach").collect("GPU failed");
            String gpu = b.acceleratorIds().get(r.nextInt(b.acceleratorIds().size()));
            List<Node> nodes = new ArrayList<>();
            for (Node n : snapshot.nodes()) {
                if (n.id().equals(b.nodeId())) {
                    List<Accelerator> gpus = new ArrayList<>();
                    for (Accelerator x : n.accelerators()) {
                        gpus.add(x.id().equals(gpu) ? x.toBuilder().health(new Health(Health.Status.FAILED, List.of("XID 79"))).build() : x);
                    }
                    n = n.withAccelerators(gpus);
                }
                nodes.add(n);
            }
            InventorySnapshot failed = new InventorySnapshot(snapshot.generation() + 1, Instant.now(), snapshot.sites(), nodes, snapshot.fabrics(),
                    snapshot.storagePools(), snapshot.powerDomains(), snapshot.offers(), snapshot.unattached());
            CommitmentCheck.Verdict v = CommitmentCheck.check(a, c, failed, ledger);
            assertThat(v.status()).isEqualTo(CommitmentStatus.BREACHED);
            assertThat(v.findings()).contains(new Finding(b.member(), "members." + b.member() + ".gpus", CommitmentStatus.BREACHED,
                    "GPU " + gpu + " on node " + b.nodeId() + " has FAILED (XID 79)"));
        } else {
            Statistics.label("breach").collect("nothing to break (no country clause, no GPU)");
        }
        // an RDMA gang, when there is one: one of its nodes leaves the fabric it was bound on
        Optional<Allocation> gang = ledger.stream().filter(x -> placed.get(x.id()).fabric().oneRdmaFabric()).findFirst();
        Statistics.label("fabric").collect(gang.isPresent() ? "node left its fabric" : "no RDMA gang placed");
        if (gang.isPresent()) {
            MemberBinding onFabric = gang.get().bindings().get(r.nextInt(gang.get().bindings().size()));
            assertThat(onFabric.fabricId()).as("an RDMA gang's binding names its fabric").isNotNull();
            List<Fabric> fabrics = new ArrayList<>();
            for (Fabric f : snapshot.fabrics()) {
                if (f.id().equals(onFabric.fabricId())) {
                    Set<String> members = new java.util.HashSet<>(f.members());
                    members.remove(onFabric.nodeId());
                    f = f.toBuilder().members(members).build();
                }
                fabrics.add(f);
            }
            InventorySnapshot left = new InventorySnapshot(snapshot.generation() + 1, Instant.now(), snapshot.sites(), snapshot.nodes(), fabrics,
                    snapshot.storagePools(), snapshot.powerDomains(), snapshot.offers(), snapshot.unattached());
            CommitmentCheck.Verdict v = CommitmentCheck.check(gang.get(), placed.get(gang.get().id()), left, ledger);
            assertThat(v.status()).isEqualTo(CommitmentStatus.BREACHED);
            assertThat(v.findings()).contains(new Finding(onFabric.member(), "fabric.rdma", CommitmentStatus.BREACHED, "node "
                    + onFabric.nodeId() + " is no longer a member of RDMA fabric " + onFabric.fabricId() + ", which the other members were "
                    + "placed on"));
        }
        Statistics.label("fabric").coverage(k -> k.check("node left its fabric").percentage(p -> p > 1));
        Statistics.label("breach").coverage(k -> {
            k.check("site country").percentage(p -> p > 1);
            k.check("GPU failed").percentage(p -> p > 20);
        });
    }
}
