package dev.strata.platform.shell.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.List;
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

    @Test
    void eachInstallationGetsItsOwnKey(@TempDir Path other) throws Exception {
        ConsoleKey.ensure(etc);
        ConsoleKey.ensure(other);

        assertThat(Files.readString(other.resolve(ConsoleKey.KEY_FILE))).isNotEqualTo(Files.readString(etc.resolve(ConsoleKey.KEY_FILE)));
    }

    private static byte[] pemBody(String pem) {
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        String body = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body.getBytes(StandardCharsets.US_ASCII));
    }
}
