package dev.strata.platform.core.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.audit.AuditKeys;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeyTest {

    @TempDir
    Path dir;

    /** Stands for the process dying at a step of the key's creation. */
    private static final class Crash extends RuntimeException {
        Crash(String step) {
            super("crash before " + step);
        }
    }

    /**
     * A crash at any step of creating the key pair (the files written, forced, moved into place)
     * leaves no half a pair: the next start either creates a new pair or loads the whole one, and
     * no temporary file stays. The private key was written to its final name first and the public
     * half after, so a crash between the two left a private key without its {@code .pub}, and
     * every later start refused the configuration until an operator removed the files.
     */
    @Test
    void aCrashAtAnyStepOfCreationLeavesNoHalfAPair() throws Exception {
        List<String> crashedAt = new ArrayList<>();
        for (int n = 1;; n++) {
            Path folder = Files.createDirectories(dir.resolve("run" + n));
            Path file = folder.resolve("provenance-ed25519.key");
            int crashAt = n;
            AtomicInteger reached = new AtomicInteger();
            AtomicReference<String> step = new AtomicReference<>();
            try {
                SigningKey.loadOrCreate(file, ProvenanceService.PID, ProvenanceService.DISK, s -> {
                    if (reached.incrementAndGet() == crashAt) {
                        step.set(s);
                        throw new Crash(s);
                    }
                });
            } catch (Crash e) {
                crashedAt.add(step.get());
                SigningKey k = SigningKey.loadOrCreate(file, ProvenanceService.PID);
                assertMatchingPair(file, k);
                try (Stream<Path> files = Files.list(folder)) {
                    assertThat(files.map(p -> p.getFileName().toString()))
                            .as("the files after a crash before '%s' and a restart", step.get())
                            .containsExactlyInAnyOrder("provenance-ed25519.key", "provenance-ed25519.key.pub");
                }
                continue;
            }
            break;
        }
        assertThat(crashedAt).contains("write public key", "force private key", "move public key", "move private key", "force folder");
    }

    /** A crash after the public half was moved into place leaves a {@code .pub} that the new pair replaces. */
    @Test
    void aLeftoverPublicHalfIsReplacedByTheNewPair() throws Exception {
        Path file = dir.resolve("provenance-ed25519.key");
        KeyPair stale = AuditKeys.generate();
        Files.writeString(dir.resolve("provenance-ed25519.key.pub"), AuditKeys.publicPem(stale.getPublic()), StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve("provenance-ed25519.key.tmp"), "cut", StandardCharsets.US_ASCII);

        SigningKey k = SigningKey.loadOrCreate(file, ProvenanceService.PID);

        assertThat(k.keyId).isNotEqualTo(AuditKeys.keyId(stale.getPublic()));
        assertMatchingPair(file, k);
        assertThat(Files.exists(dir.resolve("provenance-ed25519.key.tmp"))).isFalse();
    }

    /**
     * Two activations creating the key at once end with one pair that both use. The first is held
     * in the middle of its creation until the second has come to wait for it; before, the second
     * found the private key without its public half and refused it.
     */
    @Test
    void twoCreatorsAtOnceEndWithOnePairBothUse() throws Exception {
        Path file = dir.resolve("provenance-ed25519.key");
        AtomicReference<SigningKey> second = new AtomicReference<>();
        AtomicReference<Throwable> secondFailed = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                second.set(SigningKey.loadOrCreate(file, ProvenanceService.PID));
            } catch (Throwable t) {
                secondFailed.set(t);
            }
        });
        SigningKey first = SigningKey.loadOrCreate(file, ProvenanceService.PID, ProvenanceService.DISK, step -> {
            if (step.equals("write public key") && other.getState() == Thread.State.NEW) {
                other.start();
                // until the other creator waits for this one, or has finished without it
                while (other.getState() != Thread.State.BLOCKED && other.getState() != Thread.State.WAITING
                        && other.getState() != Thread.State.TERMINATED) {
                    Thread.onSpinWait();
                }
            }
        });
        other.join(30_000);

        assertThat(secondFailed.get()).as("the second creator's failure").isNull();
        assertThat(second.get().keyId).isEqualTo(first.keyId);
        assertMatchingPair(file, first);
    }

    /**
     * An existing key loads on a file system without POSIX permissions (no warning about them can
     * be given there); reading them threw a bare UnsupportedOperationException.
     */
    @Test
    void anExistingKeyLoadsOnAFileSystemWithoutPosixPermissions() throws Exception {
        KeyPair pair = AuditKeys.generate();
        URI zip = URI.create("jar:" + dir.resolve("keys.zip").toUri());
        try (FileSystem fs = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
            Path file = fs.getPath("/provenance-ed25519.key");
            Files.writeString(file, AuditKeys.privatePem(pair.getPrivate()), StandardCharsets.US_ASCII);
            Files.writeString(fs.getPath("/provenance-ed25519.key.pub"), AuditKeys.publicPem(pair.getPublic()), StandardCharsets.US_ASCII);
            assertThat(fs.supportedFileAttributeViews()).doesNotContain("posix");

            SigningKey k = SigningKey.loadOrCreate(file, ProvenanceService.PID);

            assertThat(k.keyId).isEqualTo(AuditKeys.keyId(pair.getPublic()));
        }
    }

    /** A key is created on a file system without POSIX permissions too; asking for them at creation threw a bare UnsupportedOperationException. */
    @Test
    void aKeyIsCreatedOnAFileSystemWithoutPosixPermissions() throws Exception {
        URI zip = URI.create("jar:" + dir.resolve("keys.zip").toUri());
        try (FileSystem fs = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
            Path file = fs.getPath("/strata/provenance-ed25519.key");

            SigningKey k = SigningKey.loadOrCreate(file, ProvenanceService.PID);

            assertMatchingPair(file, k);
            assertThat(SigningKey.loadOrCreate(file, ProvenanceService.PID).keyId).isEqualTo(k.keyId);
        }
    }

    private static void assertMatchingPair(Path file, SigningKey k) throws IOException {
        Path pub = file.resolveSibling(file.getFileName() + ".pub");
        byte[] data = {4, 5, 6};
        String signature = AuditKeys.sign(AuditKeys.readPrivateKey(Files.readString(file, StandardCharsets.US_ASCII)), data);
        assertThat(AuditKeys.verify(AuditKeys.readPublicKeys(Files.readString(pub, StandardCharsets.US_ASCII)).get(0), data, signature))
                .as("the private key on disk matches its public half").isTrue();
        assertThat(AuditKeys.keyId(AuditKeys.readPublicKeys(Files.readString(pub, StandardCharsets.US_ASCII)).get(0))).isEqualTo(k.keyId);
    }
}
