package dev.strata.platform.core.provenance;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.audit.AuditKeys;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * even for a moment). The public half is kept beside it ({@code .pub}, PEM). {@link #toString()}
 * shows the key id only.
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

    static SigningKey loadOrCreate(Path file, String pid) {
        Path pub = file.resolveSibling(file.getFileName() + ".pub");
        try {
            if (Files.exists(file)) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
                if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ)) {
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
            Files.createDirectories(file.getParent());
            KeyPair pair = AuditKeys.generate();
            try (OutputStream out = Files.newOutputStream(Files.createFile(file,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))), StandardOpenOption.WRITE)) {
                out.write(AuditKeys.privatePem(pair.getPrivate()).getBytes(StandardCharsets.US_ASCII));
            }
            Files.writeString(pub, AuditKeys.publicPem(pair.getPublic()), StandardCharsets.US_ASCII);
            SigningKey k = new SigningKey(pair.getPrivate(), pair.getPublic());
            LOG.info("Created the provenance signing key {} (key id {}); its public half is {}", file, k.keyId, pub);
            return k;
        } catch (FileAlreadyExistsException e) {
            return loadOrCreate(file, pid);
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidConfigurationException(pid, "keyFile", file, "a readable Ed25519 private key (PKCS#8 PEM) or no file, to create "
                    + "one (" + e.getMessage() + ")");
        }
    }


    String publicPem() {
        return AuditKeys.publicPem(publicKey);
    }

    @Override
    public String toString() {
        return "Ed25519 key " + keyId;
    }
}
