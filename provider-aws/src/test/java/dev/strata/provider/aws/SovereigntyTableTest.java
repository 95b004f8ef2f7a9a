package dev.strata.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.provider.aws.sovereignty.RegionFacts;
import dev.strata.provider.aws.sovereignty.SovereigntyTable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The sovereignty table: the facts the issue names, sources for every region, overrides. */
class SovereigntyTableTest {

    @Test
    void frankfurtIsInGermanyUnderEuAndGermanLawAndItsOperatorAnswersToUsLawToo() {
        RegionFacts f = SovereigntyTable.builtIn().facts("eu-central-1").orElseThrow();
        assertThat(f.country()).isEqualTo("DE");
        assertThat(f.jurisdictions()).containsExactlyInAnyOrder("EU", "DE");
        assertThat(f.operatorName()).isEqualTo("Amazon Web Services, Inc.");
        assertThat(f.operatorJurisdictions()).containsExactlyInAnyOrder("US", "EU", "DE");
        assertThat(f.sources()).anySatisfy(s -> assertThat(s).contains("CLOUD Act").contains("https://"));
    }

    @Test
    void everyRegionOfTheRealCatalogueIsInTheTableWithSources() {
        SovereigntyTable table = SovereigntyTable.builtIn();
        assertThat(table.regions()).containsAll(FixtureCatalogue.regions());
        for (String region : table.regions()) {
            RegionFacts f = table.facts(region).orElseThrow();
            assertThat(f.sources()).as(region).isNotEmpty().allSatisfy(s -> assertThat(s).contains("<https://"));
            assertThat(f.operatorJurisdictions()).as(region).containsAll(f.jurisdictions());
        }
        // EU member states carry EU; the UK and Switzerland do not
        assertThat(table.facts("eu-west-2").orElseThrow().jurisdictions()).containsExactly("GB");
        assertThat(table.facts("eu-central-2").orElseThrow().jurisdictions()).containsExactly("CH");
        assertThat(table.facts("eu-west-3").orElseThrow().jurisdictions()).contains("EU", "FR");
        // the China regions are run by local operators, not subject to US law
        assertThat(table.facts("cn-north-1").orElseThrow().operatorJurisdictions()).containsExactly("CN");
    }

    /**
     * The AWS European Sovereign Cloud's region is in Germany under EU and German law, run by German
     * companies; since they are owned by Amazon.com, Inc. and the CLOUD Act's reach over them is not
     * settled, its operator is listed as subject to US law as well (a contract excluding US law is
     * not placed there unless the installation overrides the entry), each fact with its source.
     */
    @Test
    void theEuropeanSovereignCloudIsInGermanyAndItsOperatorsUsOwnerIsNotForgotten() {
        RegionFacts f = SovereigntyTable.builtIn().facts("eusc-de-east-1").orElseThrow();
        assertThat(f.country()).isEqualTo("DE");
        assertThat(f.jurisdictions()).containsExactlyInAnyOrder("EU", "DE");
        assertThat(f.operatorName()).contains("Amazon.com, Inc.").doesNotContain("Amazon Web Services, Inc.");
        assertThat(f.operatorJurisdictions()).containsExactlyInAnyOrder("DE", "EU", "US");
        assertThat(f.sources()).anySatisfy(s -> assertThat(s).contains("European Sovereign Cloud").contains("<https://docs.aws.amazon.com/"))
                .anySatisfy(s -> assertThat(s).contains("CLOUD Act"));
    }

    @Test
    void anInstallationOverridesARegionWhole() throws Exception {
        Path file = Files.createTempFile(Path.of("target"), "sovereignty", ".yaml");
        Files.writeString(file, """
                sources:
                  contract: {title: "Our framework contract with the operator, annex 3", url: "https://intranet.example/contract"}
                operators:
                  trustee: {name: "Example Treuhand GmbH", jurisdictions: [DE], subjectToLocalLaw: true, sources: [contract]}
                regions:
                  eu-central-1: {location: "Frankfurt under trustee", country: DE, jurisdictions: [EU, DE], operator: trustee, sources: [contract]}
                """);
        SovereigntyTable table = SovereigntyTable.load(file);
        RegionFacts f = table.facts("eu-central-1").orElseThrow();
        assertThat(f.operatorName()).isEqualTo("Example Treuhand GmbH");
        assertThat(f.operatorJurisdictions()).containsExactlyInAnyOrder("EU", "DE");
        assertThat(table.facts("us-east-1").orElseThrow().operatorName()).isEqualTo("Amazon Web Services, Inc.");
    }

    @Test
    void aMalformedOverrideIsRefusedWithItsPath() throws Exception {
        Path file = Files.createTempFile(Path.of("target"), "sovereignty", ".yaml");
        Files.writeString(file, "regions:\n  eu-central-1: {country: Germany, jurisdictions: [EU], operator: aws, sources: [aws-regions]}\n");
        assertThatThrownBy(() -> SovereigntyTable.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("regions.eu-central-1.country: 'Germany' is not an ISO 3166-1 alpha-2 country code; expected an upper-case code such as DE");
        // the right shape, but no country: a site there would meet no contract's countries
        Files.writeString(file, "regions:\n  eu-central-1: {country: XX, jurisdictions: [EU], operator: aws, sources: [aws-regions]}\n");
        assertThatThrownBy(() -> SovereigntyTable.load(file)).hasMessageContaining("regions.eu-central-1.country: 'XX' is not an ISO 3166-1 alpha-2 country code");
        Files.writeString(file, "regions:\n  eu-central-1: {country: DE, jurisdictions: [EU], operator: nobody, sources: [aws-regions]}\n");
        assertThatThrownBy(() -> SovereigntyTable.load(file)).hasMessageContaining("regions.eu-central-1.operator: 'nobody'");
        Files.writeString(file, "regions:\n  eu-central-1: {country: DE, jurisdictions: [EU], operator: aws, sources: [hearsay]}\n");
        assertThatThrownBy(() -> SovereigntyTable.load(file)).hasMessageContaining("sources: 'hearsay'");
        // a jurisdiction no contract names a country's law by (its alpha-3 code, a two-letter code no country has): refused
        Files.writeString(file, "regions:\n  eu-central-1: {country: DE, jurisdictions: [EU, DEU], operator: aws, sources: [aws-regions]}\n");
        assertThatThrownBy(() -> SovereigntyTable.load(file)).hasMessageContaining("regions.eu-central-1.jurisdictions: 'DEU'; expected a "
                + "jurisdiction code such as EU, DE or US: a country's ISO 3166-1 alpha-2 code, DE (DEU is its alpha-3 code)");
        Files.writeString(file, "regions:\n  eu-west-2: {country: GB, jurisdictions: [UK], operator: aws, sources: [aws-regions]}\n");
        assertThatThrownBy(() -> SovereigntyTable.load(file)).hasMessageContaining("regions.eu-west-2.jurisdictions: 'UK'; expected a "
                + "jurisdiction code such as EU, DE or US: a country's ISO 3166-1 alpha-2 code, GB for the United Kingdom");
    }

    /**
     * An override whose shape the table does not read (a misspelt section, the regions written as a YAML list) is refused
     * naming the file and the section. Before, it was read as no override at all: Frankfurt kept the built-in operator, subject
     * to US law, while the installation believed its trustee's facts applied.
     */
    @Test
    void anOverrideWhoseSectionsTheTableDoesNotReadIsRefusedNotIgnored() throws Exception {
        Path file = Files.createTempFile(Path.of("target"), "sovereignty", ".yaml");
        String trustee = """
                sources:
                  contract: {title: "Our framework contract with the operator, annex 3", url: "https://intranet.example/contract"}
                operators:
                  trustee: {name: "Example Treuhand GmbH", jurisdictions: [DE], subjectToLocalLaw: true, sources: [contract]}
                """;
        Files.writeString(file, trustee + """
                region:
                  eu-central-1: {location: "Frankfurt under trustee", country: DE, jurisdictions: [EU, DE], operator: trustee, sources: [contract]}
                """);
        assertThatThrownBy(() -> SovereigntyTable.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": 'region' is not a section of the table; expected sources, operators and regions");
        Files.writeString(file, trustee + """
                regions:
                  - eu-central-1: {location: "Frankfurt under trustee", country: DE, jurisdictions: [EU, DE], operator: trustee, sources: [contract]}
                """);
        assertThatThrownBy(() -> SovereigntyTable.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": regions is a list; expected a mapping of region names to their facts");
        Files.writeString(file, "regions: eu-central-1\n");
        assertThatThrownBy(() -> SovereigntyTable.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": regions is a single value; expected a mapping of region names to their facts");
        // the same file written as the table reads it applies
        Files.writeString(file, trustee + """
                regions:
                  eu-central-1: {location: "Frankfurt under trustee", country: DE, jurisdictions: [EU, DE], operator: trustee, sources: [contract]}
                """);
        assertThat(SovereigntyTable.load(file).facts("eu-central-1").orElseThrow().operatorJurisdictions()).containsExactlyInAnyOrder("EU", "DE");
    }

    /**
     * A region of the sovereignty file that no one knows (not in the built-in table, not the AWS SDK's, not in regions) is
     * most likely misspelt: its facts apply nowhere and the region meant keeps the built-in ones. The provider says so when
     * it starts, naming the file, the region and the known regions nearest it; before, it took the file without a word. A
     * region the SDK or regions knows (one AWS opened after the built-in table was written) is taken without a warning.
     */
    @Test
    void aMisspeltRegionOfTheFileIsNamedInAWarning() throws Exception {
        Path file = Files.createTempFile(Path.of("target"), "sovereignty", ".yaml");
        Files.writeString(file, """
                sources:
                  contract: {title: "Our framework contract with the operator, annex 3", url: "https://intranet.example/contract"}
                operators:
                  trustee: {name: "Example Treuhand GmbH", jurisdictions: [DE], subjectToLocalLaw: true, sources: [contract]}
                regions:
                  eu-centrl-1: {location: "Frankfurt under trustee", country: DE, jurisdictions: [EU, DE], operator: trustee, sources: [contract]}
                  eu-central-1: {location: "Frankfurt under trustee", country: DE, jurisdictions: [EU, DE], operator: trustee, sources: [contract]}
                  xx-newregion-7: {location: "A region AWS opened since", country: DE, jurisdictions: [EU, DE], operator: trustee, sources: [contract]}
                """);
        AwsProvider provider = new AwsProvider(TestConfigs.settings(java.util.Map.of("strata.provider.id", "aws-misspelt",
                "regions", new String[] {"eu-central-1", "xx-newregion-7"}, "sovereigntyFile", file.toAbsolutePath().toString())),
                java.time.Clock.systemUTC());
        provider.deactivate();

        String log = Files.readString(Path.of("target", "test-log.txt"));
        assertThat(log).contains("AWS provider aws-misspelt: sovereigntyFile " + file.toAbsolutePath() + " gives facts for region "
                + "eu-centrl-1, which is neither in the built-in table, nor one this release's AWS SDK knows, nor in regions "
                + "(eu-central-1, xx-newregion-7); known regions nearest its name: eu-central-1");
        assertThat(log.lines().filter(l -> l.contains("aws-misspelt: sovereigntyFile"))).singleElement().asString()
                .doesNotContain("region xx-newregion-7").doesNotContain("region eu-central-1,");
    }
}
