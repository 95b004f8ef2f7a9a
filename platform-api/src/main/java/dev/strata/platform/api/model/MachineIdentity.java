package dev.strata.platform.api.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The stable identity of a Linux machine, so that providers that see the same machine from
 * different angles (its CPUs and PCI devices; its GPUs) name it the same way without relying on
 * host names, which change and repeat.
 *
 * <p>The identity is, in this order: the firmware's DMI product UUID
 * ({@code /sys/class/dmi/id/product_uuid}, readable by root), as {@code dmi:<uuid>}; else the
 * operating system's machine id ({@code /etc/machine-id}, else {@code /var/lib/dbus/machine-id}), as
 * {@code machine-id:<id>}. Placeholder UUIDs that firmware vendors ship on many boards (all zeros,
 * all {@code f}, {@code 03000200-0400-0500-0006-000700080009}) are not identities and are skipped.
 * Every provider that reads a machine reads it through {@link #read(Path)}, so that two providers in
 * one process agree.
 *
 * <p>A compute provider puts the identity into its node's attributes under {@link #ATTRIBUTE}; a
 * GPU provider into {@link dev.strata.platform.api.provider.GpuSnapshot#machineId()}.
 */
public final class MachineIdentity {

    /** The node attribute holding the machine identity. */
    public static final String ATTRIBUTE = "machine.id";

    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern MACHINE_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Set<String> PLACEHOLDERS = Set.of("03000200-0400-0500-0006-000700080009");

    private MachineIdentity() {
    }

    /**
     * The identity of the machine whose {@code /sys} and {@code /etc} trees are below {@code root}
     * ({@code /} for this machine).
     *
     * @return the identity, or empty when the machine offers none that can be read
     */
    public static Optional<String> read(Path root) {
        Optional<String> dmi = firstLine(root.resolve("sys/class/dmi/id/product_uuid"))
                .map(s -> s.toLowerCase(Locale.ROOT))
                .filter(s -> UUID.matcher(s).matches() && !isPlaceholder(s));
        if (dmi.isPresent()) {
            return Optional.of("dmi:" + dmi.get());
        }
        for (String file : new String[] {"etc/machine-id", "var/lib/dbus/machine-id"}) {
            Optional<String> id = firstLine(root.resolve(file)).map(s -> s.toLowerCase(Locale.ROOT))
                    .filter(s -> MACHINE_ID.matcher(s).matches() && !s.chars().allMatch(c -> c == '0'));
            if (id.isPresent()) {
                return Optional.of("machine-id:" + id.get());
            }
        }
        return Optional.empty();
    }

    static boolean isPlaceholder(String uuid) {
        String digits = uuid.replace("-", "");
        return PLACEHOLDERS.contains(uuid) || digits.chars().allMatch(c -> c == digits.charAt(0));
    }

    private static Optional<String> firstLine(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            int end = text.indexOf('\n');
            String line = (end >= 0 ? text.substring(0, end) : text).replace("\0", "").strip();
            return line.isEmpty() ? Optional.empty() : Optional.of(line);
        } catch (IOException | SecurityException e) {
            return Optional.empty(); // unreadable (product_uuid is root-only): try the next source
        }
    }
}
