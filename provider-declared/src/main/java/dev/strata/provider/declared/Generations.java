package dev.strata.provider.declared;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generations the declared provider stamps its snapshots with: the wall clock in
 * microseconds, and always above every generation handed out before, also after the bundle or
 * Karaf restarted with the clock set back (an NTP step, a virtual machine restored).
 *
 * <p>The generations handed out are bounded by a mark kept in a file. A generation above the
 * stored mark is handed out only once a new mark, {@link #RESERVE} above it, is durably in the
 * file (written to a temporary file, forced to disk, renamed over the old one, and the folder
 * forced), and a restarted provider starts above the stored mark. Reserving ahead writes the file
 * about once a minute instead of at every discovery (two per round, compute and fabric, and one
 * more for each change of the inventory file), each write forcing the disk twice; the price is that
 * after a restart generations may run up to a minute ahead of the clock, which no one minds: the
 * core only compares them.
 *
 * <p>No file starts at the clock. A file that cannot be read, or holds no whole number, is warned
 * of, naming it, and the provider starts above what was most likely handed out before it: the
 * file's modification time plus {@link #RESERVE} (the mark it would hold had the clock not gone back
 * before it was written), or the clock where that is later; the next generation replaces it. Where
 * the mark cannot be written, generations are handed out from memory (they still increase until the
 * provider stops) and {@link #warnings()} says why, until a write succeeds.
 *
 * <p>Thread-safe.
 */
final class Generations {

    /** How far ahead of the generation handed out the stored mark is set: one minute, in microseconds. */
    static final long RESERVE = 60_000_000L;
    /**
     * The highest mark read as one (in the year 146,000 or so): a larger number, which only a hand edit can leave, would
     * overflow when a generation or the next mark is counted from it.
     */
    private static final long MAX_MARK = Long.MAX_VALUE / 2;
    /** The longest text a mark can take: a long's digits, a sign and a line end, with room to spare. */
    private static final int MAX_CHARS = 32;
    private static final Logger LOG = LoggerFactory.getLogger(Generations.class);

    private final Path file;
    private final Clock clock;
    /** The last generation handed out (or, before the first, the floor the next one must pass). */
    private long last;
    /** The highest generation that may be handed out without writing a new mark. */
    private long mark;
    /** Why the last write of the mark failed; null when it succeeded or none was needed yet. */
    private String unwritten;

    private Generations(Path file, Clock clock, long last, long mark) {
        this.file = file;
        this.clock = clock;
        this.last = last;
        this.mark = mark;
    }

    /** Generations kept in memory only, which go back when the clock goes back across a restart (tests). */
    static Generations inMemory(Clock clock) {
        return new Generations(null, clock, 0, Long.MAX_VALUE);
    }

    /** Generations above the mark stored in {@code file}, which is created (with its folders) at the first generation. */
    static Generations stored(Path file, Clock clock) {
        Path absolute = file.toAbsolutePath().normalize();
        return new Generations(absolute, clock, floor(absolute), 0);
    }

    /** The generation handed out last before this provider started, or a safe guess of it; 0 where there is no file. */
    private static long floor(Path file) {
        String text;
        try (InputStream in = Files.newInputStream(file)) {
            text = new String(in.readNBytes(MAX_CHARS + 1), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            long guess = guess(file);
            LOG.warn("The last generation of the declared inventory cannot be read from {}: {}; expected a readable file holding a"
                    + " whole number of microseconds. Generations start above {} (its modification time plus a minute, in"
                    + " microseconds) or at the clock, whichever is later", file, e.getMessage(), guess);
            return guess;
        }
        try {
            long stored = text.length() > MAX_CHARS ? -1 : Long.parseLong(text.strip());
            if (stored >= 0 && stored <= MAX_MARK) {
                return stored;
            }
        } catch (NumberFormatException e) {
            // told below, with what was expected
        }
        long guess = guess(file);
        LOG.warn("The last generation of the declared inventory in {} is not a whole number of microseconds (it holds {} characters);"
                + " expected a number from 0 to {}, such as 1767225600000000. Generations start above {} (its modification time plus"
                + " a minute, in microseconds) or at the clock, whichever is later, and the file is replaced", file,
                text.length() > MAX_CHARS ? "more than " + MAX_CHARS : text.length(), MAX_MARK, guess);
        return guess;
    }

    /** The file's modification time plus {@link #RESERVE}, in microseconds; 0 where it has none (the clock then rules). */
    private static long guess(Path file) {
        try {
            return micros(Files.getLastModifiedTime(file).toInstant()) + RESERVE;
        } catch (IOException | ArithmeticException e) {
            return 0;
        }
    }

    private static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    /** The next generation: the clock in microseconds, or one above the last where that is not higher. */
    synchronized long next() {
        long next = Math.max(last + 1, micros(clock.instant()));
        if (next > mark) {
            reserve(next + RESERVE);
        }
        last = next;
        return next;
    }

    /** What a snapshot should say about the generations: that they are not kept, while the mark cannot be written. */
    synchronized List<String> warnings() {
        return unwritten == null ? List.of() : List.of(unwritten);
    }

    /** Writes {@code newMark} durably, replacing the file whole; on failure the mark stays and the next generation tries again. */
    private void reserve(long newMark) {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap((newMark + "\n").getBytes(StandardCharsets.US_ASCII));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            forceFolder();
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException | RuntimeException ignored) {
                // a temporary file left behind is never read, and is replaced by the next write
            }
            String why = "the last generation cannot be written to " + file + " (" + e.getMessage() + "); generations are kept in"
                    + " memory only and may go back after a restart with the clock set back; expected a writable file there";
            if (!why.equals(unwritten)) {
                LOG.warn("Declared inventory: {}", why);
            }
            unwritten = why;
            return;
        }
        if (unwritten != null) {
            LOG.info("Declared inventory: the last generation is written to {} again", file);
        }
        unwritten = null;
        mark = newMark;
    }

    private void forceFolder() {
        try (FileChannel folder = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            folder.force(true);
        } catch (IOException e) {
            // some file systems cannot open a folder for sync; the rename is still atomic there
        }
    }
}
