package dev.strata.platform.core.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * A provider service's properties as Strata takes them. Any non-blank string was a provider id: a
 * newline in it forged lines of the log, which names the provider in every line about it, and a
 * tab, a space or a direction override went into node ids, ledger entries and provenance records;
 * a vendor or version property was shown as given, control characters and all.
 */
class ProviderIdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"baremetal", "aws-prod", "openstack.fra1", "nvidia_h100", "A1", "x"})
    void aPlainWordIsAProviderId(String id) {
        assertThat(ProviderIds.id(id)).isEqualTo(id);
    }

    @Test
    void sixtyFourCharactersAreAnIdAndSixtyFiveAreNot() {
        assertThat(ProviderIds.id("p".repeat(64))).hasSize(64);
        assertThatThrownBy(() -> ProviderIds.id("p".repeat(65))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(1 to 64, starting with a letter or digit)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "aws prod", "aws\tprod", "aws\nERROR forged", "-aws", ".aws", "aws/prod", "aws\u202eprod", "åws"})
    void anythingElseIsRefusedShownPrintable(String id) {
        assertThatThrownBy(() -> ProviderIds.id(id)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("its strata.provider.id property is '")
                .hasMessageEndingWith("; expected a provider id of letters, digits, '.', '_' or '-' (1 to 64, starting with a letter or digit)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\t", "\n", "\u202e"));
    }

    @Test
    void aMissingOrNonStringIdSaysWhatItIs() {
        assertThatThrownBy(() -> ProviderIds.id(null)).hasMessageStartingWith("its strata.provider.id property is missing;");
        assertThatThrownBy(() -> ProviderIds.id(42L)).hasMessageStartingWith("its strata.provider.id property is a Long (42);");
        assertThatThrownBy(() -> ProviderIds.id(new String[] {"aws"})).hasMessageStartingWith("its strata.provider.id property is a String[] (");
    }

    @Test
    void vendorAndVersionAreShownPrintableAndBounded() {
        assertThat(ProviderIds.label("NVIDIA\tCorp\nERROR x", "nv")).isEqualTo("NVIDIA\\u0009Corp\\u000aERROR x");
        assertThat(ProviderIds.label("1.0\u202e0.1", "b")).isEqualTo("1.0\\u202e0.1");
        assertThat(ProviderIds.label("v".repeat(100), "b")).isEqualTo("v".repeat(64) + "...");
        assertThat(ProviderIds.label("\ud83d\ude80".repeat(70), "b")).isEqualTo("\ud83d\ude80".repeat(64) + "...");
        assertThat(ProviderIds.label(null, "bundle 1.2.0")).isEqualTo("bundle 1.2.0");
        assertThat(ProviderIds.label("  ", "bundle 1.2.0")).isEqualTo("bundle 1.2.0");
        assertThat(ProviderIds.label(3, "b")).isEqualTo("3");
        assertThat(ProviderIds.label("\ud800x", "b")).as("a lone surrogate").isEqualTo("\\ud800x");
    }

    /**
     * A vendor, version or description shows what it holds as the API shows a configured value: a
     * NUL, an ESC, a line separator, a lone surrogate and an unassigned code point each as a
     * backslash, u and four hex digits. Before, each was '?', and what the text held was lost; the
     * cut still counts the text's own characters, not the escapes.
     */
    @Test
    void controlFormatSeparatorSurrogateAndUnassignedCharactersAreShownEscapedNotAsQuestionMarks() {
        assertThat(ProviderIds.label("a\u0000b\u001b[2Jc\u2028d\ud800e\u0378f", "x"))
                .isEqualTo("a\\u0000b\\u001b[2Jc\\u2028d\\ud800e\\u0378f");
        assertThat(ProviderIds.description("\u0000".repeat(300))).isEqualTo("\\u0000".repeat(200) + "...");
        assertThatThrownBy(() -> ProviderIds.id("aws\u001b[2J")).hasMessageStartingWith("its strata.provider.id property is 'aws\\u001b[2J'");
    }

    @Test
    void aDescriptionIsShownPrintableAndBounded() {
        assertThat(ProviderIds.description("Redfish at https://bmc-1\r\nand 3 more")).isEqualTo("Redfish at https://bmc-1\\u000d\\u000aand 3 more");
        assertThat(ProviderIds.description("d".repeat(300))).isEqualTo("d".repeat(200) + "...");
        assertThat(ProviderIds.description(" ")).isNull();
        assertThat(ProviderIds.description(null)).isNull();
    }
}
