package dev.strata.platform.core.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * What the provenance masking learns from a secret file is exactly what the providers read from it
 * ({@link InvalidConfigurationException#readSecretFile}, the one reader every provider uses): the
 * same secret where they accept the file, nothing where they refuse it (a provider that refuses a
 * file never uses a secret of it). The files are built from the pieces that make the awkward cases:
 * a byte order mark, blank lines before and after, CR, LF and CRLF, blanks around the secret, a
 * second line, a line naming the secret ({@code password=}, {@code export OS_PASSWORD=}, an AWS
 * credentials file's {@code [default]}), bytes that are not UTF-8, and empty files.
 */
class SecretFileAgreementPropertiesTest {

    /**
     * A file's bytes, as shown in a failure, and what a reader of it must give: the secret, or
     * nothing where the file must be refused, worked out from the pieces it was built from by the
     * documented rules (see {@link #expected}), not by reading the bytes.
     */
    record Content(byte[] bytes, String shown, Optional<String> expected) {
        @Override
        public String toString() {
            return shown;
        }
    }

    @Property(tries = 600)
    void theSecretLearntFromAFileIsWhatTheProvidersReadOrNothing(@ForAll("contents") Content content) throws Exception {
        Path dir = Files.createTempDirectory("strata-secret-agreement");
        Path file = dir.resolve("secret.pw");
        try {
            Files.write(file, content.bytes());
            Optional<String> providers;
            try {
                providers = Optional.of(InvalidConfigurationException.readSecretFile("dev.strata.test", "passwordFile", file, "a password"));
            } catch (InvalidConfigurationException refused) {
                providers = Optional.empty();
            }
            assertThat(providers).as("read by the providers from %s", content).isEqualTo(content.expected());
            assertThat(SecretFiles.secretIn(file)).as("learnt from %s", content).isEqualTo(providers);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    @Provide
    Arbitrary<Content> contents() {
        Arbitrary<String> secret = Arbitraries.strings().withChars("abcXYZ019+/=_-.:# \t\"'é€")
                .ofMinLength(0).ofMaxLength(24);
        Arbitrary<String> eol = Arbitraries.of("\n", "\r\n", "\r", "");
        Arbitrary<String> prefix = Arbitraries.of("", "", "", "password=", "export OS_PASSWORD=",
                "aws_secret_access_key = ", "\"SecretAccessKey\": ", "[default]\n", "  ");
        Arbitrary<String> blanks = Arbitraries.of("", "", "\n", "\n\n", " \n", "\r\n\t\r\n");
        Arbitrary<String> second = Arbitraries.of("", "", "", "second-line", "  ", "#comment");
        Arbitrary<Boolean> bom = Arbitraries.of(false, false, true);
        Arbitrary<Boolean> notUtf8 = Arbitraries.of(false, false, false, true);
        return Combinators.combine(List.of(secret.map(s -> (Object) s), eol.map(s -> (Object) s), prefix.map(s -> (Object) s),
                blanks.map(s -> (Object) s), second.map(s -> (Object) s), blanks.map(s -> (Object) s),
                bom.map(b -> (Object) b), notUtf8.map(b -> (Object) b))).as(parts -> {
                    String text = parts.get(3) + "" + parts.get(2) + parts.get(0) + parts.get(1) + parts.get(4) + parts.get(1) + parts.get(5);
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    if ((Boolean) parts.get(6)) {
                        out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
                    }
                    out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
                    if ((Boolean) parts.get(7)) {
                        out.writeBytes(new byte[] {(byte) 0xC3, 0x28});
                    }
                    return new Content(out.toByteArray(), (((Boolean) parts.get(6)) ? "BOM+" : "") + escaped(text)
                            + (((Boolean) parts.get(7)) ? "+0xC3 0x28" : ""),
                            (Boolean) parts.get(7) ? Optional.empty() : expected(text, (String) parts.get(2), (String) parts.get(0)));
                });
    }

    /**
     * What a reader must give for a file of {@code text} (UTF-8, its byte order mark left out) whose
     * secret line is {@code prefix + secret}: refused when no line or more than one is not blank;
     * refused when the line names a secret before a value (a quoted JSON name and ':' always; a bare
     * name and '=' when a value follows that does not start with a second '='; the secret's own
     * characters spell no secret's name); else the line without blanks at either end.
     */
    static Optional<String> expected(String text, String prefix, String secret) {
        List<String> lines = java.util.Arrays.stream(text.split("\r\n|\r|\n", -1)).filter(l -> !l.strip().isEmpty()).toList();
        if (lines.size() != 1) {
            return Optional.empty();
        }
        String line = lines.get(0).strip();
        String name = prefix.strip();
        // what follows the name and its '=' or ':' on the line (the secret, and the second line where no line break came between)
        String rest = line.startsWith(name) ? line.substring(name.length()) : null;
        boolean named = rest != null && switch (prefix) {
            case "\"SecretAccessKey\": " -> true;
            case "password=", "export OS_PASSWORD=", "aws_secret_access_key = " -> !rest.strip().isEmpty() && rest.charAt(0) != '=';
            default -> false;
        };
        return named ? Optional.empty() : Optional.of(line);
    }

    private static String escaped(String text) {
        return "\"" + text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t") + "\"";
    }
}
