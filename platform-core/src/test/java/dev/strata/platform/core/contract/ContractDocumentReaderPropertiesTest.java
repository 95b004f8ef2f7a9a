package dev.strata.platform.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.contract.InvalidContractException;
import dev.strata.platform.api.contract.Violation;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever a contract document holds, the reader either reads it or refuses it with an
 * {@link InvalidContractException} whose every violation names a path and what was expected, and
 * whose message holds no character that could forge a line of a log or hide what it shows (a
 * control, format, line or paragraph separator, or lone surrogate character; line breaks between
 * violations aside). The documents are a valid contract edited at random places with the pieces of
 * YAML that are hard to read: anchors, aliases, merge keys, tags, directives, document markers,
 * flow brackets, quotes, escapes, YAML 1.1 numbers and booleans, units, and control and format characters.
 */
class ContractDocumentReaderPropertiesTest {

    private static final String VALID = """
            name: w
            tenant: t
            priority: 5
            isolation: shared
            sovereignty:
              countries: [DE]
              jurisdictions: [EU]
              dataClass: c
            fabric:
              rdma: true
              bandwidth: 400Gbps
            members:
              - name: m
                replicas: 2
                cpu: 4
                memory: 64GiB
                gpus:
                  count: 1
                  models: [H100]
                  memory: 80GiB
                topology: {numaAligned: true}
                power: 700W
                provisioning: {a: b}
            deployment:
              onMachineLoss: replace
              parameters: {k: v}
            """;

    private static final String[] PIECES = {"&a ", "*a", "<<: ", "!!binary ", "!x ", "!!float ", "!!int ", "!!str ", "!", "---\n", "...\n",
        "? ", ": ", "- ", "[", "]", "{", "}", ",", "\"", "'", "#", "|", ">", "\t", "\r", "\n", "\r\n", "\u0085", "\u2028", "\u202e",
        "\u200b", "\ufeff", "\u061c", "\u00ad", "\u2060", "\u0000", "\u001b", "\ud800", "\udc00", "%YAML 1.1\n", "%TAG ! !\n", "0x", "0o",
        "0b", "0", "1_", "1e400", ".inf", ".nan", "-", "+", "~", "null", "yes", "NO", "1:30.5", "GiB", "Gi", "kW", "mW", "Gbps", "m", "\\",
        "\\u0000", "\\x1b", "\\ufeff", "\\N", "\\L", "\\P", "@", "`", "%", "*", "&", "9999999999999999999999", " ", "    ", "cpu", "memory",
        "gpus", "count", "name: x\n", "members:\n"};

    @Property(tries = 2000)
    void everyDocumentIsReadOrRefusedWithAPrintableMessage(@ForAll("edits") List<int[]> edits) {
        StringBuilder document = new StringBuilder(VALID);
        for (int[] edit : edits) {
            int at = Math.floorMod(edit[0], document.length() + 1);
            String piece = PIECES[Math.floorMod(edit[2], PIECES.length)];
            switch (Math.floorMod(edit[1], 3)) {
                case 0 -> document.insert(at, piece);
                case 1 -> document.delete(at, Math.min(document.length(), at + 1));
                default -> document.replace(at, Math.min(document.length(), at + piece.length()), piece);
            }
        }
        try {
            new ContractDocumentReader().read(document.toString(), "edited.yaml");
        } catch (InvalidContractException e) {
            assertThat(e.violations()).isNotEmpty().allSatisfy(v -> assertThat(v).extracting(Violation::path, Violation::expected)
                    .doesNotContainNull());
            String message = e.getMessage();
            for (int i = 0; i < message.length(); i++) {
                int type = Character.getType(message.charAt(i));
                boolean unsafe = message.charAt(i) != '\n' && (type == Character.CONTROL || type == Character.FORMAT
                        || type == Character.SURROGATE || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR);
                assertThat(unsafe).as("character U+%04X at %d of the message %s", (int) message.charAt(i), i, message).isFalse();
            }
        }
    }

    /** One to six edits: where, what (insert, delete a character, overwrite) and which piece. */
    @Provide
    Arbitrary<List<int[]>> edits() {
        return Arbitraries.integers().array(int[].class).ofSize(3).list().ofMinSize(1).ofMaxSize(6);
    }
}
