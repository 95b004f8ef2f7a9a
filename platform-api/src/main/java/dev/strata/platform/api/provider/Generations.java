package dev.strata.platform.api.provider;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The generations a provider stamps its snapshots with: the wall clock in microseconds, and
 * always above every generation handed out before, also after the bundle or Karaf restarted with
 * the clock set back (an NTP step, a virtual machine restored), as the SPIs ask
 * ({@link ComputeSnapshot#generation()}). Each provider instance keeps its own, one per
 * configuration: {@link #inDataFolder}.
 *
 * <p>The generations handed out are bounded by a mark kept in a file. A generation above the
 * stored mark is handed out only once a new mark, {@link #RESERVE} above it, is durably in the
 * file (written to a temporary file of its own, forced to disk, renamed over the old one, and the folder
 * forced), and a restarted provider starts above the stored mark. Reserving ahead writes the file
 * about once a minute instead of at every discovery, each write forcing the disk twice; the price
 * is that after a restart generations may run up to a minute ahead of the clock, which no one
 * minds: the core only compares them.
 *
 * <p>No file starts at the clock. A file that cannot be read, or holds no whole number, is told to
 * the caller's warning sink, naming it, and the provider starts above what was most likely handed
 * out before it: the file's modification time plus {@link #RESERVE} (the mark it would hold had the
 * clock not gone back before it was written), or the clock where that is later; the next generation
 * replaces it. Where the mark cannot be written, generations are handed out from memory (they still
 * increase until the provider stops) and {@link #warnings()} says why, for the provider's
 * snapshots to carry, until a write succeeds.
 *
 * <p>Thread-safe. This class logs nothing itself: what goes wrong with the file goes to the sink
 * given to {@link #stored} (the provider's log) and to {@link #warnings()}.
 *
 * @since 1.3
 */
public final class Generations {

    /** How far ahead of the generation handed out the stored mark is set: one minute, in microseconds. */
    public static final long RESERVE = 60_000_000L;
    /** The name of the file that keeps the mark, in the provider instance's folder ({@link #file}). */
    public static final String FILE_NAME = "generation";
    /**
     * The highest mark read as one (in the year 146,000 or so): a larger number, which only a hand edit can leave, would
     * overflow when a generation or the next mark is counted from it. No mark above it is written either: a new mark is
     * held to it, so that every mark written is read back at the next start, and generations above it, which only a mark
     * edited up to it by hand can bring, are handed out from memory ({@link #next}).
     */
    private static final long MAX_MARK = Long.MAX_VALUE / 2;
    /** The longest text a mark can take: a long's digits, a sign and a line end, with room to spare. */
    private static final int MAX_CHARS = 32;
    /** The end of the name of every temporary file a mark is written to, which begins with the mark's name and a dot. */
    private static final String TEMP_SUFFIX = ".tmp";
    /**
     * How long ago a temporary file must have been last written to be taken for one a crash or a stop left: no write of a
     * mark takes that long, so a younger one may be the write of another instance still running.
     */
    private static final java.time.Duration LEFTOVER_AGE = java.time.Duration.ofMinutes(10);

    private final Path file;
    private final Clock clock;
    private final Consumer<String> warn;
    /** The last generation handed out (or, before the first, the floor the next one must pass). */
    private long last;
    /** The highest generation that may be handed out without writing a new mark. */
    private long mark;
    /** Why the last write of the mark failed; null when it succeeded or none was needed yet. */
    private String unwritten;

    private Generations(Path file, Clock clock, Consumer<String> warn, long last, long mark) {
        this.file = file;
        this.clock = clock;
        this.warn = warn;
        this.last = last;
        this.mark = mark;
    }

    /**
     * Generations kept in memory only, which go back when the clock goes back across a restart:
     * for tests, and for a provider that has no folder to keep them in.
     */
    public static Generations inMemory(Clock clock) {
        return new Generations(null, Objects.requireNonNull(clock, "clock"), message -> { }, 0, Long.MAX_VALUE);
    }

    /**
     * Generations above the mark stored in {@code file}, which is created (with its folders) at the
     * first generation. The file is read here, once.
     *
     * @param warn told, once each, that the file cannot be read or holds no mark (where generations
     *     then start) and that the mark cannot be written; typically the provider's log at WARN
     */
    public static Generations stored(Path file, Clock clock, Consumer<String> warn) {
        Path absolute = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(warn, "warn");
        long floor = floor(absolute, warn);
        removeLeftovers(absolute);
        return new Generations(absolute, clock, warn, floor, 0);
    }

    /**
     * Generations of one provider instance, kept in {@link #file file(dataFolder, provider, providerId)}.
     *
     * @see #stored
     */
    public static Generations inDataFolder(Path dataFolder, String provider, String providerId, Clock clock, Consumer<String> warn) {
        return stored(file(dataFolder, provider, providerId), clock, warn);
    }

    /**
     * Karaf's data folder: the {@code karaf.data} system property, or {@code data} in the working
     * folder where it is not set.
     */
    public static Path dataFolder() {
        return Path.of(System.getProperty("karaf.data", "data"));
    }

    /**
     * Where one provider instance keeps its mark: {@code <dataFolder>/strata/<provider>/<providerId>/generation},
     * so that several configurations of one provider (accounts, clouds, BMCs) each keep their own.
     * A name holding anything but letters, digits, '.', '_' and '-' (or starting with '.') has those
     * characters written as {@code %XX} of their UTF-8 bytes, so that no name leads out of the folder.
     *
     * @param provider the provider's kind, such as {@code aws}
     * @param providerId the instance's provider id ({@link ProviderProperties#ID})
     * @throws IllegalArgumentException where {@code provider} or {@code providerId} is empty
     */
    public static Path file(Path dataFolder, String provider, String providerId) {
        Objects.requireNonNull(dataFolder, "dataFolder");
        return dataFolder.resolve("strata").resolve(segment("provider", provider)).resolve(segment("providerId", providerId))
                .resolve(FILE_NAME);
    }

    private static String segment(String what, String name) {
        Objects.requireNonNull(name, what);
        if (name.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty; expected a name such as aws or aws-prod");
        }
        StringBuilder out = new StringBuilder();
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean plain = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_' || b == '-'
                    || (b == '.' && i > 0);
            if (plain) {
                out.append((char) b);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** The generation handed out last before this provider started, or a safe guess of it; 0 where there is no file. */
    private static long floor(Path file, Consumer<String> warn) {
        String text;
        try (InputStream in = Files.newInputStream(file)) {
            text = new String(in.readNBytes(MAX_CHARS + 1), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            long guess = guess(file);
            warn.accept("the last snapshot generation cannot be read from " + file + ": " + e.getMessage() + "; expected a readable"
                    + " file holding a whole number of microseconds. Generations start above " + guess + " (its modification time"
                    + " plus a minute, in microseconds) or at the clock, whichever is later");
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
        warn.accept("the last snapshot generation in " + file + " is not a whole number of microseconds (it holds "
                + (text.length() > MAX_CHARS ? "more than " + MAX_CHARS : text.length()) + " characters); expected a number from 0 to "
                + MAX_MARK + ", such as 1767225600000000. Generations start above " + guess + " (its modification time plus a"
                + " minute, in microseconds) or at the clock, whichever is later, and the file is replaced");
        return guess;
    }

    /** The start of the name of every temporary file a mark is written to: the mark's name and a dot. */
    private static String tempPrefix(Path file) {
        return file.getFileName() + ".";
    }

    /**
     * Removes the temporary files of writes that a crash or a stop cut short, which nothing else removes: each write names its
     * own. Only those last written {@link #LEFTOVER_AGE} ago or earlier go: a younger one may be the write of another instance
     * still running (a provider instance whose call goes on after a new one started), which would fail, told as a mark that
     * cannot be written, had its file gone. The age is taken on the system's clock, which stamps the files, not on the
     * provider's; one stamped ahead of it (the clock set back since) stays until it is that old.
     */
    private static void removeLeftovers(Path file) {
        Path folder = file.getParent();
        String prefix = tempPrefix(file);
        Instant before = Instant.now().minus(LEFTOVER_AGE);
        try (DirectoryStream<Path> names = Files.newDirectoryStream(folder,
                name -> name.getFileName().toString().startsWith(prefix) && name.getFileName().toString().endsWith(TEMP_SUFFIX))) {
            for (Path name : names) {
                try {
                    if (Files.getLastModifiedTime(name).toInstant().isAfter(before)) {
                        continue;
                    }
                    Files.deleteIfExists(name);
                } catch (IOException | RuntimeException e) {
                    // a folder of that name, or one that cannot be removed: never read, and no write uses its name
                }
            }
        } catch (IOException | RuntimeException e) {
            // no folder yet, or one that cannot be listed: the write then fails or leaves nothing behind
        }
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
    public synchronized long next() {
        long next = Math.max(last + 1, micros(clock.instant()));
        if (next > MAX_MARK && file != null) {
            // a mark above MAX_MARK would read as corrupt at the next start, and generations would then go back to the clock;
            // the mark kept at MAX_MARK is read back, and generations above it increase from memory until the provider stops
            exhausted();
        } else if (next > mark) {
            reserve(Math.min(next + RESERVE, MAX_MARK));
        }
        last = next;
        return next;
    }

    /**
     * What a snapshot should say about the generations: that they are not kept, while the mark
     * cannot be written; otherwise none.
     */
    public synchronized List<String> warnings() {
        return unwritten == null ? List.of() : List.of(unwritten);
    }

    /** Reports, as a mark that cannot be written is, that generations went above the highest mark the file can keep. */
    private void exhausted() {
        String why = "the last generation cannot be written to " + file + ": generations went above " + MAX_MARK + ", the highest"
                + " mark kept, which only a mark edited by hand can bring; generations are kept in memory only and may go back"
                + " after a restart; expected a mark well below " + MAX_MARK + ", such as 1767225600000000";
        if (!why.equals(unwritten)) {
            warn.accept(why);
        }
        unwritten = why;
    }

    /**
     * Writes {@code newMark} durably, replacing the file whole; on failure the mark stays and the next generation tries again.
     * The caller's interrupt is kept, and does not stop the write.
     */
    private void reserve(long newMark) {
        // the core interrupts a provider call past its deadline, and a provider may still take a generation then: a file channel
        // used by an interrupted thread fails (and is closed), so the interrupt is set aside while the mark is written, and the
        // file is written through a stream that an interrupt arriving meanwhile does not close
        boolean interrupted = Thread.interrupted();
        try {
            write(newMark);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void write(long newMark) {
        Path temp = null;
        try {
            Files.createDirectories(file.getParent());
            // a name of its own, created new: two instances writing one mark at once (a provider instance whose call goes on after
            // a new one started) must not write into the same temporary file, which the first rename could leave empty
            temp = Files.createTempFile(file.getParent(), tempPrefix(file), TEMP_SUFFIX);
            try (FileOutputStream out = new FileOutputStream(temp.toFile())) {
                out.write((newMark + "\n").getBytes(StandardCharsets.US_ASCII));
                out.getFD().sync();
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            forceFolder();
        } catch (IOException | RuntimeException e) {
            try {
                if (temp != null) {
                    Files.deleteIfExists(temp);
                }
            } catch (IOException | RuntimeException ignored) {
                // a temporary file left behind is never read, and is removed when the mark is opened once it is old enough
            }
            // the temporary file's own name is left out, for a failure that lasts to be told once, not at every write
            String reason = temp == null || e.getMessage() == null ? e.getMessage()
                    : e.getMessage().replace(temp.toString(), file.resolveSibling(tempPrefix(file) + "*" + TEMP_SUFFIX).toString());
            String why = "the last generation cannot be written to " + file + " (" + reason + "); generations are kept in"
                    + " memory only and may go back after a restart with the clock set back; expected a writable file there";
            if (!why.equals(unwritten)) {
                warn.accept(why);
            }
            unwritten = why;
            return;
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
