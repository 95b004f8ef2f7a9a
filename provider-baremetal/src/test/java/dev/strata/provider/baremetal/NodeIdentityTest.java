package dev.strata.provider.baremetal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** The one identity both views of a machine share: every spelling of one UUID is one key, and nothing else is. */
class NodeIdentityTest {

    @Provide
    Arbitrary<byte[]> uuidBytes() {
        return Arbitraries.bytes().array(byte[].class).ofSize(16);
    }

    /** Oracle: java.util.UUID's own formatting of the same 128 bits. */
    @Property(tries = 2000)
    void everySpellingOfOneUuidNormalizesToJavasCanonicalForm(@ForAll("uuidBytes") byte[] bytes, @ForAll boolean upper,
            @ForAll boolean bare, @ForAll boolean padded) {
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (bytes[i] & 0xff);
            lsb = (lsb << 8) | (bytes[8 + i] & 0xff);
        }
        String canonical = new UUID(msb, lsb).toString();
        String spelled = bare ? canonical.replace("-", "") : canonical;
        spelled = upper ? spelled.toUpperCase(Locale.ROOT) : spelled;
        spelled = padded ? "  " + spelled + "\n" : spelled;
        String hex = HexFormat.of().formatHex(bytes);
        boolean placeholder = hex.chars().allMatch(c -> c == hex.charAt(0)) || canonical.equals("03000200-0400-0500-0006-000700080009");
        assertThat(NodeIdentity.normalizeUuid(spelled)).isEqualTo(placeholder ? null : canonical);
    }

    @Property(tries = 2000)
    void textThatIsNotAUuidHasNoIdentity(@ForAll @StringLength(max = 40) String text) {
        String n = NodeIdentity.normalizeUuid(text);
        if (n != null) {
            // only if it really was a UUID, spelled one of the accepted ways
            assertThat(UUID.fromString(n).toString()).isEqualTo(n);
            assertThat(text.strip().replace("-", "").toLowerCase(Locale.ROOT)).isEqualTo(n.replace("-", ""));
        }
    }

    @Test
    void firmwarePlaceholdersAreNoIdentity() {
        assertThat(NodeIdentity.normalizeUuid("00000000-0000-0000-0000-000000000000")).isNull();
        assertThat(NodeIdentity.normalizeUuid("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")).isNull();
        assertThat(NodeIdentity.normalizeUuid("Not Settable")).isNull();
        assertThat(NodeIdentity.normalizeUuid(null)).isNull();
        assertThat(NodeIdentity.normalizeUuid("38334C44-4735-534A-3035-4E5030383936")).isEqualTo("38334c44-4735-534a-3035-4e5030383936");
    }

    /**
     * The placeholders {@code MachineIdentity} skips are no identity here either: one digit throughout, and the UUID many
     * boards of one BIOS vendor carry. Before, only all zeros and all {@code f} were skipped, so every such board of a
     * fleet got one node id through its BMC ({@code bmc:03000200-...}) and one system UUID in band.
     */
    @Test
    void theSamePlaceholdersAsTheMachineIdentitysAreNoIdentity() {
        assertThat(NodeIdentity.normalizeUuid("03000200-0400-0500-0006-000700080009")).isNull();
        assertThat(NodeIdentity.normalizeUuid("11111111-1111-1111-1111-111111111111")).isNull();
        assertThat(NodeIdentity.normalizeUuid("03000200040005000006000700080009")).isNull();
    }
}
