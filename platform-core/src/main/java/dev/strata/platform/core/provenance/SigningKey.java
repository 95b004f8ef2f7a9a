package dev.strata.platform.core.provenance;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.audit.AuditKeys;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's Ed25519 checkpoint key: read from its file, or created at first start with
 * owner-only permissions (0600, set when the file is created, so it is never readable by others
 * even for a moment). The public half is kept beside it ({@code .pub}, PEM). Creation survives a
 * crash at any point ({@link #create}). {@link #toString()} shows the key id only.
 */
final class SigningKey {

    private static final Logger LOG = LoggerFactory.getLogger(SigningKey.class);

    final PrivateKey privateKey;
    final PublicKey publicKey;
    final String keyId;

    private SigningKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.keyId = AuditKeys.keyId(publicKey);
    }

    /** Held while a key pair is created, so that two activations in this JVM end with one pair that both use. */
    private static final Object CREATING = new Object();

    /**
     * Called before each step of creating a key pair with the step's name; a test throws from it
     * to stand for a crash at that point.
     */
    interface Steps {
        void before(String step) throws IOException;
    }

    static SigningKey loadOrCreate(Path file, String pid) {
        return loadOrCreate(file, pid, ProvenanceService.DISK, step -> { });
    }

    static SigningKey loadOrCreate(Path file, String pid, ProvenanceService.Durability durability, Steps steps) {
        Path pub = file.resolveSibling(file.getFileName() + ".pub");
        try {
            if (Files.exists(file)) {
                return load(file, pub, pid);
            }
            synchronized (CREATING) {
                if (Files.exists(file)) {
                    // another activation created it while this one waited
                    return load(file, pub, pid);
                }
                return create(file, pub, durability, steps);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidConfigurationException(pid, "keyFile", file, "a readable Ed25519 private key (PKCS#8 PEM) or no file, to create "
                    + "one (" + e.getMessage() + ")");
        }
    }

    private static SigningKey load(Path file, Path pub, String pid) throws IOException {
        Set<PosixFilePermission> perms = permissions(file);
        if (perms != null && (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ))) {
            LOG.warn("The provenance signing key {} is readable by others ({}); restrict it with chmod 600", file,
                    PosixFilePermissions.toString(perms));
        }
        PrivateKey key = AuditKeys.readPrivateKey(Files.readString(file, StandardCharsets.US_ASCII));
        if (!Files.exists(pub)) {
            throw new InvalidConfigurationException(pid, "keyFile", file, "the private key with its public half beside it (" + pub
                    + " is missing; restore it, or remove both files to create a new key)");
        }
        List<PublicKey> pubs;
        try {
            pubs = AuditKeys.readPublicKeys(Files.readString(pub, StandardCharsets.US_ASCII));
        } catch (IOException | IllegalArgumentException e) {
            // the public half is at fault, not the private key the message named before
            throw new InvalidConfigurationException(pid, "keyFile", file, "the private key with its public half beside it (" + pub
                    + " cannot be read: " + e.getMessage() + "; restore it, or remove both files to create a new key)");
        }
        SigningKey k = new SigningKey(key, pubs.get(0));
        String probe = AuditKeys.sign(key, new byte[] {1, 2, 3});
        if (!AuditKeys.verify(k.publicKey, new byte[] {1, 2, 3}, probe)) {
            throw new InvalidConfigurationException(pid, "keyFile", file, "a private key matching the public key in " + pub);
        }
        return k;
    }

    /** The file's POSIX permissions, or null where its file system has none (no warning can be given there). */
    static Set<PosixFilePermission> permissions(Path file) throws IOException {
        if (!Files.getFileStore(file).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return null;
        }
        try {
            return Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * Writes both halves aside and forces them to disk, then moves the public half into place and
     * the private one after it: a crash at any point leaves either no private key (the next start
     * creates a new pair, replacing what was left) or a whole pair.
     */
    private static SigningKey create(Path file, Path pub, ProvenanceService.Durability durability, Steps steps) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Path pubTmp = pub.resolveSibling(pub.getFileName() + ".tmp");
        // left by a crash during an earlier creation; nobody uses them, as no private key was moved into place
        Files.deleteIfExists(tmp);
        Files.deleteIfExists(pubTmp);
        KeyPair pair = AuditKeys.generate();
        steps.before("write private key");
        Path created;
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            created = Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            created = Files.createFile(tmp);
        }
        try (OutputStream out = Files.newOutputStream(created, StandardOpenOption.WRITE)) {
            out.write(AuditKeys.privatePem(pair.getPrivate()).getBytes(StandardCharsets.US_ASCII));
        }
        steps.before("write public key");
        Files.writeString(pubTmp, AuditKeys.publicPem(pair.getPublic()), StandardCharsets.US_ASCII);
        steps.before("force private key");
        durability.force(tmp);
        steps.before("force public key");
        durability.force(pubTmp);
        steps.before("move public key");
        Files.move(pubTmp, pub, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        steps.before("move private key");
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        steps.before("force folder");
        durability.forceFolder(file.getParent());
        SigningKey k = new SigningKey(pair.getPrivate(), pair.getPublic());
        LOG.info("Created the provenance signing key {} (key id {}); its public half is {}", file, k.keyId, pub);
        return k;
    }

    String publicPem() {
        return AuditKeys.publicPem(publicKey);
    }

    @Override
    public String toString() {
        return "Ed25519 key " + keyId;
    }
}
