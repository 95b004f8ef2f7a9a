package dev.strata.platform.core.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret rotated by rewriting its file, with no configuration change, is masked in what providers
 * write from the next look at the file on: rewritten in place (same length, within the file
 * system's timestamp granularity), replaced by a rename, through a symbolic link switched to
 * another file, and a file that appears only after the configuration named it.
 */
class SecretFilesTest {

    private final List<String> learnt = new ArrayList<>();

    @AfterEach
    void forget() {
        learnt.forEach(ProviderText::forgetSecret);
    }

    private String secret(String label) {
        String s = label + "-" + UUID.randomUUID();
        learnt.add(s);
        return s;
    }

    private static boolean masked(String secret) {
        return ProviderText.clean("login refused for " + secret + " at bmc-7").equals("login refused for **** at bmc-7");
    }

    @Test
    void aSecretFileRewrittenWithoutAConfigurationChangeIsLearntAtTheNextLook(@TempDir Path etc) throws Exception {
        String first = secret("first");
        String second = secret("secnd");
        assertThat(first).hasSameSizeAs(second);
        Path file = etc.resolve("bmc.pw");
        Files.writeString(file, first + "\n");
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("passwordFile", "bmc.pw");
        p.put("instanceTypesFile", "types.yaml");
        try (SecretFiles files = new SecretFiles()) {
            Set<Path> named = ConfigurationRecorder.learnSecrets(p, etc);
            assertThat(named).containsExactly(file);
            files.track("dev.strata.baremetal.bmc~rack-a", named);
            assertThat(masked(first)).isTrue();

            // rewritten in place, same length, at once: a modification time may not have moved
            Files.writeString(file, second + "\n");
            assertThat(masked(second)).as("not looked at yet").isFalse();
            files.check();
            assertThat(masked(second)).isTrue();
            assertThat(masked(first)).as("a rotated secret stays masked").isTrue();

            // replaced by a rename, as secret stores do
            String third = secret("third");
            Path next = etc.resolve(".bmc.pw.new");
            Files.writeString(next, third + "\n");
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            files.check();
            assertThat(masked(third)).isTrue();
        }
    }

    @Test
    void aLinkSwitchedToAnotherFileAndAFileThatAppearsLaterAreRead(@TempDir Path etc) throws Exception {
        String v1 = secret("linked-one");
        String v2 = secret("linked-two");
        String late = secret("appears-later");
        Files.createDirectories(etc.resolve("..2026_12_01"));
        Files.createDirectories(etc.resolve("..2026_12_02"));
        Files.writeString(etc.resolve("..2026_12_01/password"), v1);
        Files.writeString(etc.resolve("..2026_12_02/password"), v2);
        Files.createSymbolicLink(etc.resolve("..data"), etc.resolve("..2026_12_01"));
        Path linked = etc.resolve("..data/password");
        Path absent = etc.resolve("secrets/later.pw");
        try (SecretFiles files = new SecretFiles()) {
            files.track("dev.strata.openstack~east", Set.of(linked, absent));
            assertThat(masked(v1)).isTrue();
            assertThat(masked(late)).isFalse();

            // the way Kubernetes updates a mounted secret: the ..data link is switched to a new folder
            Path tmp = etc.resolve("..data_tmp");
            Files.createSymbolicLink(tmp, etc.resolve("..2026_12_02"));
            Files.move(tmp, etc.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.createDirectories(absent.getParent());
            Files.writeString(absent, late + "\n\n");
            files.check();
            assertThat(masked(v2)).isTrue();
            assertThat(masked(late)).isTrue();
        }
    }

    @Test
    void aFileNoConfigurationNamesAnyMoreIsNotReadAgain(@TempDir Path etc) throws Exception {
        Path shared = etc.resolve("shared.pw");
        Path own = etc.resolve("own.pw");
        Files.writeString(shared, secret("shared-before"));
        Files.writeString(own, secret("own-before"));
        try (SecretFiles files = new SecretFiles()) {
            files.track("dev.strata.a", Set.of(shared, own));
            files.track("dev.strata.b", Set.of(shared));
            assertThat(files.watched()).containsExactlyInAnyOrder(shared, own);

            files.track("dev.strata.a", Set.of()); // a deleted: b still names the shared file
            assertThat(files.watched()).containsExactly(shared);
            String sharedAfter = secret("shared-after");
            String ownAfter = secret("own-after");
            Files.writeString(shared, sharedAfter);
            Files.writeString(own, ownAfter);
            files.check();
            assertThat(masked(sharedAfter)).isTrue();
            assertThat(masked(ownAfter)).as("no configuration names it").isFalse();

            files.track("dev.strata.b", Set.of());
            assertThat(files.watched()).isEmpty();
        }
    }

    @Test
    void filesAreLookedAtOnTheirOwnOnceStarted(@TempDir Path etc) throws Exception {
        Path file = etc.resolve("aws.secret");
        Files.writeString(file, secret("aws-before"));
        String after = secret("aws-rotated");
        try (SecretFiles files = new SecretFiles()) {
            files.track("dev.strata.aws~prod", Set.of(file));
            files.start(20);
            Files.writeString(file, after);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!masked(after) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(masked(after)).as("learnt by the poller within 10 s").isTrue();
        }
    }

    /**
     * The secret learnt from a file is the one the providers read from it: a byte order mark (a
     * Windows editor's) and blank lines or blanks around it are no part of it. Before, the first line
     * was learnt as it was, mark included, and the password a provider logged in with (without the
     * mark) was shown bare where the provider wrote it; a file starting with a blank line taught nothing.
     */
    @Test
    void theSecretLearntIsTheOneTheProvidersReadWithoutByteOrderMarkOrBlankLines(@TempDir Path etc) throws Exception {
        String marked = secret("marked");
        String later = secret("later");
        Files.writeString(etc.resolve("bom.pw"), "\uFEFF" + marked + "\r\n");
        Files.writeString(etc.resolve("blank.pw"), "\n  " + later + "  \n");
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("passwordFile", "bom.pw");
        p.put("applicationCredentialSecretFile", "blank.pw");
        ConfigurationRecorder.learnSecrets(p, etc);
        assertThat(masked(marked)).isTrue();
        assertThat(masked(later)).isTrue();
    }

    /**
     * A file the providers refuse teaches nothing: an AWS credentials file named where the secret key's
     * file belongs is refused by the provider, and its first line ({@code [default]}) is no secret. Before,
     * the first line of any file was learnt, and {@code [default]} was masked wherever a provider wrote it.
     */
    @Test
    void aFileTheProvidersRefuseTeachesNothing(@TempDir Path etc) throws Exception {
        String profile = "[strata-" + UUID.randomUUID().toString().substring(0, 8) + "]";
        learnt.add(profile);
        Files.writeString(etc.resolve("credentials"), profile + "\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = "
                + secret("wrong-place") + "\n");
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("secretAccessKeyFile", "credentials");
        ConfigurationRecorder.learnSecrets(p, etc);
        assertThat(ProviderText.clean("no profile " + profile + " in the file")).isEqualTo("no profile " + profile + " in the file");
    }

    @Test
    void unreadableAndOversizedFilesAreSkippedWithoutFailing(@TempDir Path etc) throws Exception {
        Path big = etc.resolve("big.pw");
        String head = secret("oversized-head");
        Files.writeString(big, head + "\n" + "x".repeat((int) InvalidConfigurationException.MAX_SECRET_FILE_BYTES));
        Path dir = etc.resolve("a-directory");
        Files.createDirectories(dir);
        Path binary = etc.resolve("binary.pw");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, (byte) 0xc3});
        try (SecretFiles files = new SecretFiles()) {
            files.track("dev.strata.x", Set.of(big, dir, binary));
            files.check();
            assertThat(masked(head)).isFalse();
            assertThat(files.watched()).hasSize(3);
        }
    }
}
