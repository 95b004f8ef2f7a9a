package dev.strata.platform.shell.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleKeyTest {

    @TempDir
    Path etc;

    @Test
    void firstStartCreatesAPrivateKeyOnlyTheOwnerReadsAndAuthorizesItsPublicHalf() throws Exception {
        Files.writeString(etc.resolve("keys.properties"), "# comment kept\n_g_\\:admingroup = group,admin,ssh\n");

        assertThat(ConsoleKey.ensure(etc)).isTrue();

        Path key = etc.resolve(ConsoleKey.KEY_FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        RSAPrivateCrtKey privateKey = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA").generatePrivate(
                new PKCS8EncodedKeySpec(pemBody(Files.readString(key))));
        var publicKey = (java.security.interfaces.RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(
                new RSAPublicKeySpec(privateKey.getModulus(), privateKey.getPublicExponent()));

        List<String> lines = Files.readAllLines(etc.resolve("keys.properties"));
        assertThat(lines).contains("# comment kept", "_g_\\:admingroup = group,admin,ssh");
        assertThat(lines).filteredOn(l -> l.startsWith("strata=")).containsExactly(
                "strata=" + ConsoleKey.sshPublicKey(publicKey) + ",_g_:admingroup");
        assertThat(privateKey.getModulus().bitLength()).isGreaterThanOrEqualTo(3072);
    }

    @Test
    void laterStartsKeepTheKey() throws Exception {
        assertThat(ConsoleKey.ensure(etc)).isTrue();
        String key = Files.readString(etc.resolve(ConsoleKey.KEY_FILE));
        String keys = Files.readString(etc.resolve("keys.properties"));

        assertThat(ConsoleKey.ensure(etc)).isFalse();

        assertThat(Files.readString(etc.resolve(ConsoleKey.KEY_FILE))).isEqualTo(key);
        assertThat(Files.readString(etc.resolve("keys.properties"))).isEqualTo(keys);
    }

    @Test
    void aNewPairReplacesTheOldEntryInsteadOfAddingASecond() throws Exception {
        ConsoleKey.ensure(etc);
        Files.delete(etc.resolve(ConsoleKey.KEY_FILE));

        assertThat(ConsoleKey.ensure(etc)).isTrue();

        assertThat(Files.readAllLines(etc.resolve("keys.properties"))).filteredOn(l -> l.startsWith("strata=")).hasSize(1);
    }

    /**
     * The user's entry is found however Java properties let it be written: a tab between the key
     * and {@code =} (it was not, and the old entry stayed beside the new one), and the lines it is
     * continued onto go with it (they were left, a stray entry of their own); a comment is not
     * continued.
     */
    @Test
    void anEntryWithATabBeforeItsEqualsSignIsReplacedWithTheLinesItContinuesOnto() throws Exception {
        Path keys = etc.resolve("keys.properties");
        Files.writeString(keys, "# comment kept\\\nstrata\t=AAAAold,_g_:admingroup\n_g_\\:admingroup = group,admin,ssh\n"
                + "  strata : AAAAolder\\\n    BBBBcontinued,_g_:admingroup\n");

        assertThat(ConsoleKey.ensure(etc)).isTrue();

        List<String> lines = Files.readAllLines(keys, StandardCharsets.ISO_8859_1);
        assertThat(lines).hasSize(3).startsWith("# comment kept\\", "_g_\\:admingroup = group,admin,ssh");
        assertThat(lines.get(2)).startsWith("strata=AAAA").endsWith(",_g_:admingroup");
        java.util.Properties read = new java.util.Properties();
        try (var in = Files.newBufferedReader(keys, StandardCharsets.ISO_8859_1)) {
            read.load(in);
        }
        assertThat(read.stringPropertyNames()).containsExactlyInAnyOrder("strata", "_g_:admingroup");
    }

    /** {@code keys.properties} keeps its permissions: it was made anew with the defaults, so an operator's rw-r----- became rw-r--r--. */
    @Test
    void keysPropertiesKeepsItsPermissions() throws Exception {
        Path keys = etc.resolve("keys.properties");
        Files.writeString(keys, "_g_\\:admingroup = group,admin,ssh\n");
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rw-r-----"));

        assertThat(ConsoleKey.ensure(etc)).isTrue();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys))).isEqualTo("rw-r-----");
    }

    @Test
    void eachInstallationGetsItsOwnKey(@TempDir Path other) throws Exception {
        ConsoleKey.ensure(etc);
        ConsoleKey.ensure(other);

        assertThat(Files.readString(other.resolve(ConsoleKey.KEY_FILE))).isNotEqualTo(Files.readString(etc.resolve(ConsoleKey.KEY_FILE)));
    }

    /**
     * Each file is forced to disk under its temporary name before it is moved into place, and the
     * folder after the move: both were moved unforced, so a power loss could leave an empty or cut
     * {@code keys.properties} or key file under the final name.
     */
    @Test
    void eachFileIsForcedBeforeItsMoveAndTheFolderAfter() throws Exception {
        List<String> order = new ArrayList<>();
        ConsoleKey.Durability recording = new ConsoleKey.Durability() {
            @Override
            public void force(Path file) throws IOException {
                order.add("force " + file.getFileName() + " (" + Files.readAllBytes(file).length + " bytes)");
            }

            @Override
            public void forceFolder(Path folder) {
                order.add("folder " + (folder.equals(etc) ? "etc" : folder) + " with " + names(folder));
            }
        };

        assertThat(ConsoleKey.ensure(etc, recording)).isTrue();

        assertThat(order).hasSize(4);
        assertThat(order.get(0)).startsWith("force keys.properties.tmp (").doesNotContain("(0 bytes)");
        assertThat(order.get(1)).isEqualTo("folder etc with [keys.properties]");
        assertThat(order.get(2)).startsWith("force strata-console.key.tmp (").doesNotContain("(0 bytes)");
        assertThat(order.get(3)).isEqualTo("folder etc with [keys.properties, strata-console.key]");
    }

    private static List<String> names(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] pemBody(String pem) {
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        String body = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body.getBytes(StandardCharsets.US_ASCII));
    }
}
