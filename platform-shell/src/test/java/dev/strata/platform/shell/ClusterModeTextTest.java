package dev.strata.platform.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.platform.api.cluster.ClusterMode;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What strata:cluster's Mode line says of each {@link ClusterMode}, and of one that a later minor
 * version of the API adds, which this shell, built against today's, does not know.
 */
class ClusterModeTextTest {

    /** Every mode of today's API has a text of its own, none its bare name: a mode added to the API and not here fails this. */
    @Test
    void everyModeHasItsOwnText() {
        for (ClusterMode mode : ClusterMode.values()) {
            assertThat(ClusterCommand.mode(mode)).as(mode.name()).isNotBlank().isNotEqualTo(mode.name());
        }
        assertThat(Arrays.stream(ClusterMode.values()).map(ClusterCommand::mode).distinct()).hasSize(ClusterMode.values().length);
    }

    /**
     * A mode a later API adds is shown by its name. The shell's classes and the API's cluster
     * package are loaded again beside an enum ClusterMode compiled with one constant more, as the
     * shell would meet a later API in Karaf. Before, the switch over the modes had no default, and
     * the command failed with an IncompatibleClassChangeError on such a mode.
     */
    @Test
    void aModeALaterApiAddsIsShownByItsName(@TempDir Path dir) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assumeTrue(javac != null, "no Java compiler in this runtime to make a later API's ClusterMode with");
        Path source = dir.resolve("src/dev/strata/platform/api/cluster/ClusterMode.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "package dev.strata.platform.api.cluster;\n"
                + "public enum ClusterMode { EMBEDDED, ELECTED_LEADER, SHARED_WRITERS, FEDERATED }\n");
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);
        assertThat(javac.run(null, null, null, "-d", classes.toString(), source.toString())).isZero();

        ClassLoader later = new LaterApi(getClass().getClassLoader(), classes);
        Class<?> modeType = later.loadClass("dev.strata.platform.api.cluster.ClusterMode");
        assertThat(modeType).isNotSameAs(ClusterMode.class);
        Object federated = modeType.getField("FEDERATED").get(null);
        Class<?> statusType = later.loadClass("dev.strata.platform.api.cluster.ClusterStatus");
        Constructor<?> status = Arrays.stream(statusType.getConstructors()).filter(c -> c.getParameterCount() == 10).findFirst().orElseThrow();
        Instant t = Instant.parse("2026-11-27T10:00:00Z");
        Object value = status.newInstance("federation of 3 sites", false, "strata-a", "strata-a", "a.example:8101", t, 1L, List.of(), null,
                federated);
        Class<?> clusterType = later.loadClass("dev.strata.platform.api.cluster.Cluster");
        Object cluster = Proxy.newProxyInstance(later, new Class<?>[] {clusterType}, (proxy, method, args) -> {
            if (method.getName().equals("status")) {
                return value;
            }
            throw new UnsupportedOperationException(method.getName());
        });
        Class<?> commandType = later.loadClass(ClusterCommand.class.getName());
        assertThat(commandType).isNotSameAs(ClusterCommand.class);
        Object command = commandType.getConstructor().newInstance();
        Field field = commandType.getDeclaredField("cluster");
        field.setAccessible(true);
        field.set(command, cluster);
        Method execute = commandType.getMethod("execute");

        assertThat(CommandOutput.of(() -> execute.invoke(command))).contains("Mode      FEDERATED" + System.lineSeparator())
                .contains("Store     federation of 3 sites");
    }

    /**
     * Loads the shell's classes and the API's cluster package itself, the API's ClusterMode from
     * {@code later}; everything else from its parent.
     */
    private static final class LaterApi extends ClassLoader {
        private final Path later;

        LaterApi(ClassLoader parent, Path later) {
            super(parent);
            this.later = later;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("dev.strata.platform.shell.") && !name.startsWith("dev.strata.platform.api.cluster.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    String file = name.replace('.', '/') + ".class";
                    byte[] bytes;
                    try {
                        Path mine = later.resolve(file);
                        if (Files.exists(mine)) {
                            bytes = Files.readAllBytes(mine);
                        } else {
                            try (InputStream in = getParent().getResourceAsStream(file)) {
                                if (in == null) {
                                    throw new ClassNotFoundException(name);
                                }
                                bytes = in.readAllBytes();
                            }
                        }
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                    c = defineClass(name, bytes, 0, bytes.length);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }
}
