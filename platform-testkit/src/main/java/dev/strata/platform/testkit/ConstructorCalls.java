package dev.strata.platform.testkit;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Finds, in a provider's compiled classes, the constructors it calls of the model records that
 * have builders: those records gain fields in minor releases, which changes their canonical
 * constructors, so a provider that calls one breaks on the next release while one that uses the
 * builder does not. Reads the constant pool of each class file (the {@code Methodref} entries
 * naming {@code <init>} of those records); no bytecode library is needed.
 */
final class ConstructorCalls {

    /** The records providers make that have builders, as internal class names. */
    static final Set<String> WITH_BUILDERS = Set.of(
            "dev/strata/platform/api/model/Node",
            "dev/strata/platform/api/model/Accelerator",
            "dev/strata/platform/api/model/Site",
            "dev/strata/platform/api/model/PciDevice",
            "dev/strata/platform/api/model/Fabric",
            "dev/strata/platform/api/model/PartitionProfile",
            "dev/strata/platform/api/model/StoragePool",
            "dev/strata/platform/api/model/CapacityOffer",
            "dev/strata/platform/api/telemetry/GpuSample",
            "dev/strata/platform/api/provider/ComputeSnapshot",
            "dev/strata/platform/api/provider/GpuSnapshot",
            "dev/strata/platform/api/provider/FabricSnapshot",
            "dev/strata/platform/api/provider/StorageSnapshot");

    private ConstructorCalls() {
    }

    /**
     * The calls of such constructors in the classes that {@code type} was loaded from (its
     * directory or jar), as {@code "com/example/Foo calls new dev.strata...Node(...)"}.
     */
    static List<String> of(Class<?> type) throws IOException {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return List.of();
        }
        Path location;
        try {
            location = Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return List.of();
        }
        Set<String> found = new TreeSet<>();
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.walk(location)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    try (InputStream in = Files.newInputStream(file)) {
                        scan(in, found);
                    }
                }
            }
        } else if (Files.isRegularFile(location)) {
            try (JarFile jar = new JarFile(location.toFile())) {
                for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                    JarEntry entry = entries.nextElement();
                    if (entry.getName().endsWith(".class")) {
                        try (InputStream in = jar.getInputStream(entry)) {
                            scan(in, found);
                        }
                    }
                }
            }
        }
        return new ArrayList<>(found);
    }

    /** Reads one class file's constant pool and adds the constructor references it holds. */
    static void scan(InputStream input, Set<String> found) throws IOException {
        DataInputStream in = new DataInputStream(input);
        if (in.readInt() != 0xCAFEBABE) {
            return;
        }
        in.readUnsignedShort(); // minor
        in.readUnsignedShort(); // major
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        int[][] refs = new int[count][];
        int[][] nameAndType = new int[count][];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 3, 4 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++; // takes two slots
                }
                case 7 -> classNameIndex[i] = in.readUnsignedShort();
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 9, 11, 17, 18 -> {
                    in.readUnsignedShort();
                    in.readUnsignedShort();
                }
                case 10 -> refs[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 12 -> nameAndType[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        in.readUnsignedShort(); // access flags
        int thisClass = in.readUnsignedShort();
        String self = utf8[classNameIndex[thisClass]];
        for (int[] ref : refs) {
            if (ref == null) {
                continue;
            }
            String owner = utf8[classNameIndex[ref[0]]];
            int[] nt = nameAndType[ref[1]];
            if (WITH_BUILDERS.contains(owner) && "<init>".equals(utf8[nt[0]]) && !owner.equals(self)) {
                found.add(self + " calls new " + owner.replace('/', '.') + utf8[nt[1]]);
            }
        }
    }
}
