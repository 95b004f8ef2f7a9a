package dev.strata.platform.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may scrape: anyone, or whoever sends the bearer token held in a file
 * ({@code Authorization: Bearer <token>}, as Prometheus sends its {@code authorization.credentials_file}).
 *
 * <p>The file is read again at every scrape, so a token is rotated by rewriting its file, without a
 * configuration change. It must hold one line of at least {@link #MIN_TOKEN_LENGTH} visible ASCII
 * characters (spaces around it and line ends after it are ignored; a blank line before it is a
 * line too, since only a secret file's first line is masked in what providers write). Fails closed: while the
 * file is missing, unreadable, not a regular file (a FIFO or a device is never read: it could hold
 * the scrape) or holds no such token, every scrape is refused as
 * {@link Outcome#UNAVAILABLE} and the problem is logged (once until it changes) naming the file,
 * never its content; but a file that reads empty right after it gave a token is being rewritten in
 * place, and the token read last stands for {@link #EMPTY_GRACE} (never an empty token). The file is read on a thread of its own, one read at a time, and a scrape
 * waits at most {@link #READ_TIMEOUT} for it: a read that hangs (a file system that stopped
 * answering, or a FIFO put in the file's place between its check and its read) refuses the scrapes
 * meanwhile as {@link Outcome#UNAVAILABLE}, and no scrape waits behind another. The token is compared through SHA-256 digests in constant time, so neither its
 * length nor a common prefix shows in how long a refusal takes; it is never logged.
 */
final class ScrapeAuth {

    /** The fewest characters a token may have. */
    static final int MIN_TOKEN_LENGTH = 16;
    /** A token file larger than this is not read (it is not one line of token). */
    static final long MAX_TOKEN_FILE = 4096;
    /** How long a scrape waits for the token file to be read. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
    /**
     * How long the token read last stands while its file reads empty: a file rewritten in place
     * (truncated, then written, as {@code echo > file} and most editors do) is empty for a moment,
     * and a scrape in that moment was refused (503). A file that stays empty longer is refused.
     */
    static final Duration EMPTY_GRACE = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(ScrapeAuth.class);
    private static final Set<PosixFilePermission> OTHERS_READ = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);

    /** What a scrape's credentials are worth. */
    enum Outcome {
        /** No token is asked for, or the right one was sent. */
        ALLOWED,
        /** A token is asked for and none, or another, was sent: 401. */
        UNAUTHORISED,
        /** A token is asked for, but the configured file gives none: every scrape is refused (503) until it does. */
        UNAVAILABLE
    }

    private final Path file;
    private final String misconfigured;
    /** Reads the token from the file ({@link #token}; another in tests). */
    private final Function<Path, String> reader;
    private final Duration readTimeout;
    private final Duration emptyGrace;
    /** The digest of the token last read from the file; null before the first. Guarded by this. */
    private byte[] lastDigest;
    /** When ({@link System#nanoTime}) the file was first read empty since it last gave a token; null while it gives one. Guarded by this. */
    private Long emptySince;
    /** The read of the file running or last run, shared by the scrapes that come meanwhile. Guarded by this. */
    private CompletableFuture<String> reading;
    /** The last problem logged (null: none, or the file was read since). */
    private String lastProblem;
    /**
     * The token file as its permissions were last looked at (its identity, modification time and
     * permissions): looked at again whenever that changes, so that a file rotated or chmod-ed into
     * being readable by others since is warned of, not only the one there at the first scrape.
     */
    private String permissionsLookedAt;
    /** How many times the file was warned of as readable by others (for tests). */
    private int readableByOthersWarnings;

    private ScrapeAuth(Path file, String misconfigured) {
        this(file, misconfigured, ScrapeAuth::token, READ_TIMEOUT, EMPTY_GRACE);
    }

    private ScrapeAuth(Path file, String misconfigured, Function<Path, String> reader, Duration readTimeout, Duration emptyGrace) {
        this.file = file;
        this.misconfigured = misconfigured;
        this.reader = reader;
        this.readTimeout = readTimeout;
        this.emptyGrace = emptyGrace;
    }

    /** The token in {@code file}, read by {@code reader} and waited for at most {@code readTimeout}: for tests. */
    static ScrapeAuth reading(Path file, Function<Path, String> reader, Duration readTimeout) {
        return new ScrapeAuth(file, null, reader, readTimeout, EMPTY_GRACE);
    }

    /** The token in {@code file}, the last one standing for {@code emptyGrace} while the file reads empty: for tests. */
    static ScrapeAuth reading(Path file, Duration emptyGrace) {
        return new ScrapeAuth(file, null, ScrapeAuth::token, READ_TIMEOUT, emptyGrace);
    }

    /** No token asked for. */
    static ScrapeAuth open() {
        return new ScrapeAuth(null, null);
    }

    /**
     * As configured: {@code tokenFile} blank asks for no token; otherwise the token in that file (a
     * relative path resolved against {@code etc}). A value that names no valid path refuses every
     * scrape, never lets one through.
     */
    static ScrapeAuth configured(String tokenFile, Path etc) {
        if (tokenFile == null || tokenFile.isBlank()) {
            return open();
        }
        try {
            return new ScrapeAuth(etc.resolve(tokenFile.strip()).toAbsolutePath().normalize(), null);
        } catch (InvalidPathException e) {
            // the reason only, never the value: a value that is no path names no file, and may be the token itself
            String why = "tokenFile of configuration dev.strata.platform.metrics is not a valid path (" + e.getReason() + "; "
                    + UNSHOWN + "); expected the path of a file holding the scrape token";
            LOG.error("Every scrape of /metrics is refused: {}", why);
            return new ScrapeAuth(null, why);
        }
    }

    /**
     * Said instead of the path of a token file that does not exist: {@code tokenFile = <the token>},
     * the token written where its file's path belongs, names no file, and its path would show the
     * token in the log. A path that names a file is shown.
     */
    static final String UNSHOWN = "its path is not shown: a value that names no file may be the token itself, written where its "
            + "file's path belongs";

    /** The file, or what stands for it while it does not exist (see {@link #UNSHOWN}). */
    private static String describe(Path file) {
        return Files.exists(file) ? file.toString() : "the file that tokenFile names, which does not exist (" + UNSHOWN + ")";
    }

    /** Whether a token is asked for. */
    boolean asksForToken() {
        return file != null || misconfigured != null;
    }

    /** The file the token is read from; null when none is configured. */
    Path file() {
        return file;
    }

    /** What a scrape sending {@code authorization} (the header's value; null when absent) is worth. */
    Outcome check(String authorization) {
        if (!asksForToken()) {
            return Outcome.ALLOWED;
        }
        if (misconfigured != null) {
            return Outcome.UNAVAILABLE;
        }
        byte[] expected = expectedDigest();
        if (expected == null) {
            return Outcome.UNAVAILABLE;
        }
        String sent = bearer(authorization);
        if (sent == null) {
            return Outcome.UNAUTHORISED;
        }
        return MessageDigest.isEqual(expected, sha256(sent)) ? Outcome.ALLOWED : Outcome.UNAUTHORISED;
    }

    /** The credentials of a {@code Bearer} authorization (the scheme in any case), null for none or another scheme. */
    static String bearer(String authorization) {
        if (authorization == null) {
            return null;
        }
        String a = authorization.strip();
        int space = a.indexOf(' ');
        if (space < 0 || !a.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
            return null;
        }
        String credentials = a.substring(space + 1).strip();
        return credentials.isEmpty() ? null : credentials;
    }

    /**
     * The digest of the token the file holds now; null (the problem logged) when it holds none, or
     * its read has not returned within the timeout. The file is read outside this object's lock, on
     * a thread of its own: a read that hangs holds neither this scrape past the timeout nor any other.
     */
    private byte[] expectedDigest() {
        CompletableFuture<String> read;
        synchronized (this) {
            if (reading == null || reading.isDone()) {
                // every look at the file on the reader's thread: one that hangs holds no scrape past the timeout
                reading = CompletableFuture.supplyAsync(() -> {
                    String token = reader.apply(file);
                    lookAtPermissions();
                    return token;
                }, ScrapeAuth::readerThread);
            }
            read = reading;
        }
        String token;
        try {
            token = read.get(readTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // not described: whether it exists is a look at the file, which may hang too
            problem("the token file that tokenFile names was not read within " + readTimeout.toMillis() + " ms (a file system that "
                    + "does not answer, or something other than a regular file put in its place); expected a regular file that reads at once");
            return null;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EmptyTokenFile) {
                byte[] standing = standing();
                if (standing != null) {
                    return standing;
                }
            }
            problem(e.getCause() instanceof UnusableTokenFile u ? u.getMessage()
                    : "the token file that tokenFile names cannot be read (" + e.getCause().getClass().getSimpleName() + ")");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        byte[] digest = sha256(token);
        synchronized (this) {
            lastDigest = digest;
            emptySince = null;
            if (lastProblem != null) {
                lastProblem = null;
                LOG.info("The token file {} of the metrics endpoint holds a token again; scrapes sending it are answered", file);
            }
        }
        return digest;
    }

    /**
     * The digest of the token read last, while the file has read empty for less than
     * {@link #emptyGrace} (a rewrite in place between its truncation and its write); null when no
     * token was read before, or the file has stayed empty longer, and is refused.
     */
    private synchronized byte[] standing() {
        long now = System.nanoTime();
        if (emptySince == null) {
            emptySince = now;
        }
        return lastDigest != null && now - emptySince < emptyGrace.toNanos() ? lastDigest : null;
    }

    /** Logs what is wrong with the token file, once until it changes. */
    private synchronized void problem(String message) {
        if (!message.equals(lastProblem)) {
            lastProblem = message;
            LOG.error("Every scrape of /metrics is refused until the token file is mended: {}", message);
        }
    }

    /** Runs a read of the token file on a daemon thread of its own: one that hangs stops nothing else. */
    private static void readerThread(Runnable read) {
        Thread t = new Thread(read, "strata-metrics-token-file");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Warns once for each state of the token file (a new file, a new modification, new permissions)
     * in which users other than Strata's may read it: a rotation that writes the token anew with
     * the usual umask (0644), or a chmod, makes it readable by others long after the first scrape.
     */
    private void lookAtPermissions() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            String state = a.fileKey() + "@" + a.lastModifiedTime() + "/" + java.nio.file.attribute.PosixFilePermissions.toString(permissions);
            synchronized (this) {
                if (state.equals(permissionsLookedAt)) {
                    return;
                }
                permissionsLookedAt = state;
                if (permissions.stream().anyMatch(OTHERS_READ::contains)) {
                    readableByOthersWarnings++;
                    LOG.warn("The token file {} of the metrics endpoint can be read by other users of this machine (chmod 600 it)", file);
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system, or it went: the next read tells
        }
    }

    /** How many times the token file was warned of as readable by others. */
    synchronized int readableByOthersWarnings() {
        return readableByOthersWarnings;
    }

    /**
     * The token {@code file} holds.
     *
     * @throws UnusableTokenFile naming the file and what is wrong with it (never its content)
     */
    static String token(Path file) {
        byte[] bytes;
        try {
            // a link is followed (a mounted secret is one); what it ends at must be a regular file: a FIFO would hold the
            // read (and every scrape behind it) until something writes to it, a device such as /dev/zero never ends
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (attributes.isDirectory()) {
                throw new UnusableTokenFile("token file " + file + " is a directory; expected a file holding the token");
            }
            if (!attributes.isRegularFile()) {
                throw new UnusableTokenFile("token file " + file + " is not a regular file (a FIFO, a device or a socket); expected a "
                        + "file holding the token");
            }
            if (attributes.size() > MAX_TOKEN_FILE) {
                throw tooLarge(file);
            }
            try (InputStream in = Files.newInputStream(file)) {
                // at most one byte more than a token file may hold: one replaced by a larger file since is not read whole
                bytes = in.readNBytes((int) MAX_TOKEN_FILE + 1);
            }
            if (bytes.length > MAX_TOKEN_FILE) {
                throw tooLarge(file);
            }
        } catch (NoSuchFileException e) {
            throw new UnusableTokenFile("the token file that tokenFile names does not exist (" + UNSHOWN + "; a relative path is taken "
                    + "from Karaf's etc/); expected the path of a file holding the token");
        } catch (IOException e) {
            throw new UnusableTokenFile((Files.exists(file) ? "token file " + file : "the token file that tokenFile names (" + UNSHOWN + ")")
                    + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        String content = new String(bytes, StandardCharsets.UTF_8);
        String token = content.strip();
        if (token.isEmpty()) {
            throw new EmptyTokenFile("token file " + file + " is empty; expected one line holding the token");
        }
        // the token is the first line: the configuration recorder masks a secret file's first line wherever a provider
        // writes it, so a token after a blank line would be let through and not masked
        String rest = content.stripTrailing();
        if (rest.indexOf('\n') >= 0 || rest.indexOf('\r') >= 0) {
            throw new UnusableTokenFile("token file " + file + " holds more than one line; expected one line holding the token");
        }
        // an editor's byte order mark is invisible in it, and no space: named, where "other than visible ASCII" pointed at nothing
        // the file shows (a scraper reading the same file sends the mark as part of the token)
        if (token.charAt(0) == BYTE_ORDER_MARK) {
            throw new UnusableTokenFile("token file " + file + " begins with a byte order mark (U+FEFF, which some editors write at the "
                    + "start of a UTF-8 file and do not show); expected the token alone: save the file without it");
        }
        if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new UnusableTokenFile("token file " + file + " holds characters other than visible ASCII (spaces, control "
                    + "characters or non-ASCII letters); expected a token such as openssl rand -hex 32 writes");
        }
        if (token.length() < MIN_TOKEN_LENGTH) {
            throw new UnusableTokenFile("token file " + file + " holds a token of " + token.length() + " characters; expected at least "
                    + MIN_TOKEN_LENGTH + " (openssl rand -hex 32 writes 64)");
        }
        return token;
    }

    /** The byte order mark some editors write at the start of a UTF-8 file. */
    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private static UnusableTokenFile tooLarge(Path file) {
        return new UnusableTokenFile("token file " + file + " is larger than " + MAX_TOKEN_FILE + " bytes; expected one line holding the token");
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    @Override
    public String toString() {
        return misconfigured != null ? "every scrape refused: " + misconfigured
                : file == null ? "no token asked for" : "bearer token from " + describe(file);
    }

    /** A token file that gives no token. */
    static class UnusableTokenFile extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnusableTokenFile(String message) {
            super(message);
        }
    }

    /** A token file that is empty, or holds only spaces and line ends: perhaps being rewritten in place. */
    static final class EmptyTokenFile extends UnusableTokenFile {
        private static final long serialVersionUID = 1L;

        EmptyTokenFile(String message) {
            super(message);
        }
    }
}
