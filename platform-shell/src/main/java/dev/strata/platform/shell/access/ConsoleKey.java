package dev.strata.platform.shell.access;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives each installation its own console credential: at the first start an RSA key pair is
 * created; its public half goes into Karaf's {@code etc/keys.properties} for the user
 * {@value #USER} (admin group), its private half into {@code etc/strata-console.key}, readable by
 * the owner only. {@code bin/strata} logs in with that key; no password is shipped or needed.
 * Later starts find the key and change nothing; deleting both the key file and the user's line
 * in {@code keys.properties} makes the next start create a new pair.
 */
@Component(immediate = true)
public final class ConsoleKey {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleKey.class);

    /** The console user the key is for. */
    public static final String USER = "strata";
    /** The private key's file name in Karaf's {@code etc}. */
    public static final String KEY_FILE = "strata-console.key";
    static final String KEYS_FILE = "keys.properties";
    static final String ROLES = "_g_:admingroup";
    private static final int KEY_BITS = 3072;

    @Activate
    public ConsoleKey(BundleContext context) {
        String etc = context.getProperty("karaf.etc");
        if (etc == null) {
            LOG.info("Not in Karaf (no karaf.etc): no console key to create");
            return;
        }
        ensure(Path.of(etc));
    }

    /**
     * How the files are made durable: their data forced to disk before they are moved into place,
     * their folder after the move (POSIX makes a rename durable only with its folder), so that a
     * power loss cannot leave an empty or cut file under the final name.
     */
    interface Durability {
        /** Forces a file's data and metadata to disk. */
        void force(Path file) throws IOException;

        /** Forces a folder, so that a rename in it lasts; file systems that cannot force a folder are let be. */
        void forceFolder(Path folder);
    }

    /** The disk's own: {@link FileChannel#force} on the file, and on the folder opened for reading. */
    static final Durability DISK = new Durability() {
        @Override
        public void force(Path file) throws IOException {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
        }

        @Override
        public void forceFolder(Path folder) {
            try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
                channel.force(true);
            } catch (IOException e) {
                // some file systems (and Windows) refuse to open or force a folder; the rename stands as they keep it
                LOG.debug("Forcing folder {} to disk: {}", folder, e.getMessage());
            }
        }
    };

    /**
     * Creates the key pair in {@code etc} unless its key file is there.
     *
     * @return whether a new pair was created
     */
    static boolean ensure(Path etc) {
        return ensure(etc, DISK);
    }

    static boolean ensure(Path etc, Durability durability) {
        Path keyFile = etc.resolve(KEY_FILE);
        if (Files.exists(keyFile)) {
            return false;
        }
        try {
            KeyPair pair = generate();
            // keys.properties first: once the key file exists, the key is accepted.
            writeAuthorizedKey(etc.resolve(KEYS_FILE), sshPublicKey((RSAPublicKey) pair.getPublic()), durability);
            writePrivateKey(keyFile, pair, durability);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the console key in " + etc + ": " + e.getMessage(), e);
        }
        LOG.info("Created this installation's console key for user '{}': {} (public half in {}); bin/strata logs in with it",
                USER, keyFile, etc.resolve(KEYS_FILE));
        return true;
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(KEY_BITS);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM offers no RSA key generator", e);
        }
    }

    /** The key in SSH wire format, base64: what Karaf's public-key login module compares. */
    static String sshPublicKey(RSAPublicKey key) {
        byte[] type = "ssh-rsa".getBytes(StandardCharsets.US_ASCII);
        byte[] e = key.getPublicExponent().toByteArray();
        byte[] n = key.getModulus().toByteArray();
        ByteBuffer buffer = ByteBuffer.allocate(12 + type.length + e.length + n.length);
        buffer.putInt(type.length).put(type).putInt(e.length).put(e).putInt(n.length).put(n);
        return Base64.getEncoder().encodeToString(buffer.array());
    }

    private static void writeAuthorizedKey(Path keysFile, String publicKey, Durability durability) throws IOException {
        List<String> lines = Files.exists(keysFile) ? withoutUserEntry(Files.readAllLines(keysFile, StandardCharsets.ISO_8859_1))
                : new ArrayList<>();
        lines.add(USER + "=" + publicKey + "," + ROLES);
        Path tmp = keysFile.resolveSibling(KEYS_FILE + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp);
        // the file's permissions kept (an operator's rw-r----- stays so): the rewrite made it anew with the defaults
        Set<PosixFilePermission> permissions = permissions(keysFile);
        if (permissions != null) {
            Files.setPosixFilePermissions(tmp, permissions);
        }
        Files.write(tmp, lines, StandardCharsets.ISO_8859_1);
        durability.force(tmp);
        move(tmp, keysFile);
        durability.forceFolder(keysFile.getParent());
    }

    /** The file's POSIX permissions, or null where it does not exist or the file system has none. */
    private static Set<PosixFilePermission> permissions(Path file) throws IOException {
        try {
            return Files.exists(file) ? Files.getPosixFilePermissions(file) : null;
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * The lines of {@code keys.properties} without the entry of {@value #USER}, read as Java
     * properties are: the line that starts it, and the lines it continues onto (a line that ends
     * with an odd number of backslashes goes on in the next); a comment line is not continued.
     */
    static List<String> withoutUserEntry(List<String> lines) {
        List<String> kept = new ArrayList<>();
        boolean continued = false;
        boolean dropping = false;
        for (String line : lines) {
            if (!continued) {
                dropping = isUserLine(line);
            }
            if (!dropping) {
                kept.add(line);
            }
            continued = (continued || !isComment(line)) && endsWithOddBackslashes(line);
        }
        return kept;
    }

    /**
     * Whether a line starts the entry of {@value #USER}: its key ends at {@code =}, {@code :}, a
     * blank (space, tab or form feed, as Java properties take it) or the line's end. A tab between
     * the key and {@code =} was not taken for its end, so that entry stayed beside the new one.
     */
    private static boolean isUserLine(String line) {
        String l = line.stripLeading();
        return l.equals(USER) || l.startsWith(USER) && "=: \t\f".indexOf(l.charAt(USER.length())) >= 0;
    }

    private static boolean isComment(String line) {
        String l = line.stripLeading();
        return l.startsWith("#") || l.startsWith("!");
    }

    private static boolean endsWithOddBackslashes(String line) {
        int n = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            n++;
        }
        return n % 2 == 1;
    }

    private static void writePrivateKey(Path keyFile, KeyPair pair, Durability durability) throws IOException {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Path tmp = keyFile.resolveSibling(KEY_FILE + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("temporary key file " + tmp + " appeared while writing it", e);
        }
        Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
        durability.force(tmp);
        move(tmp, keyFile);
        durability.forceFolder(keyFile.getParent());
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
