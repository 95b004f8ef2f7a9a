package dev.strata.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provisioning.MachineLabels;
import dev.strata.provider.aws.ec2.Ec2Instance;
import dev.strata.provider.aws.ec2.Shape;
import dev.strata.provider.aws.ec2.Zone;
import dev.strata.provider.aws.sovereignty.SovereigntyTable;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A region described from its catalogue and instances where the two do not match as they usually do. */
class DiscoveryEdgesTest {

    private static final String REGION = "eu-central-1";

    private static Shape p4d() {
        return new Shape("p4d.24xlarge", 96, 48, 2, 1_179_648, List.of(new Shape.Gpu("NVIDIA", "A100", 8, 40_960)), "Intel",
                List.of("x86_64"), 3.0, false, "nitro", false, 0, List.of(), "400 Gigabit", Set.of(), 0);
    }

    /**
     * The catalogue lists the zones DescribeAvailabilityZones called available when it was read; a
     * zone that is impaired or constrained then (for the hour the catalogue is reused) still runs
     * this installation's instances. Their nodes are at a site with the region's facts. Before, the
     * site was missing: the nodes lost their country, jurisdictions and operator, and the core
     * refused them to every contract with a sovereignty clause. A local zone, which may be in another
     * country than its region, gets no site made up from the region's facts.
     */
    @Test
    void aNodeInAZoneTheCatalogueDoesNotListIsAtASiteWithTheRegionsFacts() {
        AwsSettings settings = TestConfigs.settings(Map.of("regions", REGION, "defaultQuota", 4));
        AwsDiscovery discovery = OfferMappingTest.discovery(settings);
        Catalogue catalogue = discovery.catalogue(REGION, List.of(new Zone("eu-central-1a", "euc1-az2", REGION)), List.of(p4d()),
                List.of(Map.entry("p4d.24xlarge", "eu-central-1a")), Instant.EPOCH);
        Ec2Instance impaired = OfferMappingTest.instance("i-0impaired", REGION, "eu-central-1b", "p4d.24xlarge", "running",
                Map.of(MachineLabels.OPERATION, "op-1"));
        // a local zone of the region is in another country (Warsaw): its site is not made up with Frankfurt's facts
        Ec2Instance local = OfferMappingTest.instance("i-0local", REGION, "eu-central-1-waw-1a", "p4d.24xlarge", "running",
                Map.of(MachineLabels.OPERATION, "op-2"));

        AwsDiscovery.View view = discovery.region(catalogue, List.of(impaired, local), SovereigntyTable.builtIn().facts(REGION).orElseThrow());

        assertThat(view.nodes()).extracting(Node::siteId).containsExactlyInAnyOrder("aws:eu-central-1b", "aws:eu-central-1-waw-1a");
        assertThat(view.sites()).extracting(Site::id).containsExactly("aws:eu-central-1a", "aws:eu-central-1b");
        Site site = view.sites().get(1);
        assertThat(site.country()).isEqualTo("DE");
        assertThat(site.jurisdictions()).containsExactlyInAnyOrder("EU", "DE");
        assertThat(site.region()).isEqualTo(REGION);
        assertThat(site.zone()).isEqualTo("eu-central-1b");
    }
}
