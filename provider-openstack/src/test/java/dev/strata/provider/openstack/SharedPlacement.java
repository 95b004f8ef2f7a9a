package dev.strata.provider.openstack;

import java.nio.file.Path;

/**
 * One real Placement for every test class of the Placement tier in this JVM (it takes seconds to
 * start); stopped when the JVM exits. Tests create providers with names of their own and remove
 * them, so they do not see each other's.
 */
final class SharedPlacement {

    private static PlacementServer server;

    private SharedPlacement() {
    }

    static synchronized PlacementServer get() throws Exception {
        if (server == null) {
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "strata-placement-" + ProcessHandle.current().pid());
            server = PlacementServer.start(dir);
            PlacementServer started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.close();
                deleteTree(dir);
            }, "placement-stop"));
        }
        return server;
    }

    static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
