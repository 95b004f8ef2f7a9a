package dev.strata.provider.baremetal.sysfs;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.model.CpuSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Safe reads below a root directory that holds a {@code /sys} and {@code /proc} tree.
 *
 * <p>Paths are given as absolute names of the described system ({@code "/sys/bus/pci/devices"}).
 * Symbolic links are resolved against the root: an absolute link target such as
 * {@code /sys/devices/pci0000:00} means {@code <root>/sys/devices/pci0000:00}, a relative one is
 * relative to the link's directory, and {@code ..} never leaves the root. A file that is missing or
 * unreadable yields an empty result; nothing here throws.
 *
 * <p>Every text read is cleaned the same way: NUL characters are dropped (kernels since 5.15 end
 * some list and mask files with {@code "\n\0"}) and values are stripped. A file that is there but
 * whose content cannot be parsed is never taken silently as empty: it is recorded in
 * {@link #problems()}, which the discovery reports. One instance serves one discovery; not
 * thread-safe.
 */
final class SysfsFiles {
    private static final int MAX_LINK_HOPS = 40;

    private final Path root;
    private final List<String> problems = new ArrayList<>();
    private final Map<Path, Optional<Path>> resolvedPaths = new HashMap<>();

    SysfsFiles(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    /** What could not be parsed so far, one sentence each, naming the file, its content and what was expected. */
    List<String> problems() {
        return List.copyOf(problems);
    }

    /**
     * Records that a file's content is not what it should be. The content and the name come from the
     * described system, and the sentence goes to the log: a control or bidirectional character in
     * them is shown escaped (<code>&#92;u001b</code>), so that a garbled file cannot drive a terminal or
     * forge a line of its own.
     */
    void problem(Path file, String content, String expected) {
        String shown = content.length() > 60 ? content.substring(0, 57) + "..." : content;
        problems.add(InvalidConfigurationException.printable(name(file) + ": '" + shown.replace("\n", "\\n") + "' is not " + expected));
    }

    /** Records a problem that is not about one file's syntax. */
    void report(String sentence) {
        problems.add(sentence);
    }

    /** The absolute name in the described system ({@code /sys/...}) of a path below the root. */
    String name(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        return absolute.startsWith(root) ? "/" + root.relativize(absolute) : absolute.toString();
    }

    /** The path below the root for an absolute name of the described system, links not resolved. */
    Path path(String name) {
        String relative = name.startsWith("/") ? name.substring(1) : name;
        return relative.isEmpty() ? root : root.resolve(relative);
    }

    /**
     * The canonical form of a path below the root, every symbolic link resolved against the root;
     * empty when a link cannot be read or links loop. The result need not exist.
     *
     * <p>Resolved prefixes are remembered for the life of this instance (one discovery), so the
     * many files of one device directory cost one lookup of the directory, not one per component.
     */
    Optional<Path> resolve(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        if (!absolute.startsWith(root)) {
            return Optional.empty();
        }
        return resolved(absolute, new int[1]);
    }

    /**
     * The physical form of {@code path} (below the root, components not yet resolved), memoised;
     * {@code followed} counts the links followed for it so far.
     */
    private Optional<Path> resolved(Path path, int[] followed) {
        if (path.equals(root)) {
            return Optional.of(root);
        }
        Optional<Path> known = resolvedPaths.get(path);
        if (known != null) {
            return known;
        }
        Optional<Path> parent = resolved(path.getParent(), followed);
        Optional<Path> result;
        if (parent.isEmpty()) {
            result = Optional.empty();
        } else {
            Path next = parent.get().resolve(path.getFileName().toString());
            result = Files.isSymbolicLink(next) ? followLink(next, parent.get(), followed) : Optional.of(next);
        }
        resolvedPaths.put(path, result);
        return result;
    }

    /**
     * Where a link below the root points, resolved component by component ({@code ..} never leaves
     * the root). Like the kernel, it gives up after {@link #MAX_LINK_HOPS} links in all, not in
     * depth: links whose targets name two links each ({@code a1 -> a0/a0}, {@code a2 -> a1/a1}, ...)
     * double the work at each level, and a limit on the depth alone let 40 of them cost 2^40 reads.
     */
    private Optional<Path> followLink(Path link, Path directory, int[] followed) {
        if (++followed[0] > MAX_LINK_HOPS) {
            return Optional.empty();
        }
        Path target;
        try {
            target = Files.readSymbolicLink(link);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
        Path current = target.isAbsolute() ? root : directory;
        for (Path part : target) {
            String name = part.toString();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (!current.equals(root)) {
                    current = current.getParent();
                }
                continue;
            }
            Path next = current.resolve(name);
            if (Files.isSymbolicLink(next)) {
                Optional<Path> inner = followLink(next, current, followed);
                if (inner.isEmpty()) {
                    return Optional.empty();
                }
                current = inner.get();
            } else {
                current = next;
            }
        }
        return Optional.of(current);
    }

    Optional<Path> resolve(String name) {
        return resolve(path(name));
    }

    boolean isDirectory(Path path) {
        return resolve(path).map(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).orElse(false);
    }

    boolean exists(Path path) {
        return resolve(path).map(p -> Files.exists(p, LinkOption.NOFOLLOW_LINKS)).orElse(false);
    }

    /** The entries of a directory (their names below the given path), sorted by name; empty when unreadable. */
    List<Path> list(Path dir) {
        Optional<Path> real = resolve(dir);
        if (real.isEmpty() || !Files.isDirectory(real.get(), LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(real.get())) {
            for (Path entry : stream) {
                entries.add(dir.resolve(entry.getFileName().toString()));
            }
        } catch (IOException | SecurityException e) {
            return List.of();
        }
        entries.sort(null);
        return entries;
    }

    /** The whole text of a file without NUL characters, or empty when it is missing or unreadable. */
    Optional<String> text(Path file) {
        Optional<Path> real = resolve(file);
        if (real.isEmpty() || !Files.isRegularFile(real.get(), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            String text = new String(Files.readAllBytes(real.get()), StandardCharsets.UTF_8);
            return Optional.of(text.indexOf('\0') >= 0 ? text.replace("\0", "") : text);
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** The trimmed text of a one-value file; empty when missing, unreadable or blank. */
    Optional<String> value(Path file) {
        return text(file).map(String::strip).filter(s -> !s.isEmpty());
    }

    List<String> lines(Path file) {
        return text(file).map(t -> t.lines().toList()).orElse(List.of());
    }

    /** A decimal or {@code 0x} hexadecimal integer file; one that holds something else is a recorded problem. */
    OptionalLong number(Path file) {
        Optional<String> text = value(file);
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        OptionalLong value = parseNumber(text.get());
        if (value.isEmpty()) {
            problem(file, text.get(), "a number");
        }
        return value;
    }

    int intValue(Path file, int fallback) {
        OptionalLong value = number(file);
        if (value.isEmpty()) {
            return fallback;
        }
        if (value.getAsLong() < Integer.MIN_VALUE || value.getAsLong() > Integer.MAX_VALUE) {
            problem(file, Long.toString(value.getAsLong()), "a 32-bit number");
            return fallback;
        }
        return (int) value.getAsLong();
    }

    /**
     * A CPU set from the first file that is present: {@code *list} names hold a cpulist, others a
     * cpumask. A present file that does not parse is a recorded problem, and the next candidate is
     * tried; empty only when no candidate is present or none parses.
     */
    Optional<CpuSet> cpus(Path... candidates) {
        for (Path file : candidates) {
            Optional<CpuSet> cpus = cpus(file, file.getFileName().toString().endsWith("list"));
            if (cpus.isPresent()) {
                return cpus;
            }
        }
        return Optional.empty();
    }

    /** A CPU set from one file in the cpulist (or else cpumask) format; a present file that does not parse is a recorded problem. */
    Optional<CpuSet> cpus(Path file, boolean list) {
        Optional<String> text = text(file).map(String::strip);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(list ? CpuSet.parseList(text.get()) : CpuSet.parseMask(text.get()));
        } catch (IllegalArgumentException e) {
            problem(file, text.get(), list ? "a cpulist such as 0-3,8" : "a cpumask such as 0000ffff,00000000");
            return Optional.empty();
        }
    }

    /** The file name a symbolic link points to (e.g. a driver's name), without resolving it. */
    Optional<String> linkName(Path link) {
        Optional<Path> parent = resolve(link.getParent());
        if (parent.isEmpty()) {
            return Optional.empty();
        }
        Path real = parent.get().resolve(link.getFileName().toString());
        if (!Files.isSymbolicLink(real)) {
            return Optional.empty();
        }
        try {
            Path target = Files.readSymbolicLink(real).getFileName();
            return target == null ? Optional.empty() : Optional.of(target.toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }

    static OptionalLong parseNumber(String text) {
        String s = text.strip();
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) {
                return OptionalLong.of(Long.parseLong(s.substring(2), 16));
            }
            return OptionalLong.of(Long.parseLong(s));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
