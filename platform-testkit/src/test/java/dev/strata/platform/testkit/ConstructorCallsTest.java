package dev.strata.platform.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ConstructorCalls} finds a canonical constructor call in real compiled code, and a builder call is none. */
class ConstructorCallsTest {

    @TempDir
    Path dir;

    private Set<String> compileAndScan(String name, String body) throws Exception {
        Path source = dir.resolve(name + ".java");
        Files.writeString(source, "class " + name + " {\n  Object make() {\n    " + body + "\n  }\n}\n");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-d", dir.toString(), "-cp", System.getProperty("java.class.path"), source.toString());
        assertThat(rc).as("javac of " + name).isZero();
        Set<String> found = new TreeSet<>();
        try (InputStream in = Files.newInputStream(dir.resolve(name + ".class"))) {
            ConstructorCalls.scan(in, found);
        }
        return found;
    }

    @Test
    void aCanonicalConstructorCallIsFound() throws Exception {
        assertThat(compileAndScan("Positional", "return new dev.strata.platform.api.model.Site(\"fra-1\", \"p\", null, null, \"DE\", "
                + "java.util.Set.of(), null, java.util.Set.of(), 0, 0);"))
                .containsExactly("Positional calls new dev.strata.platform.api.model.Site(Ljava/lang/String;Ljava/lang/String;"
                        + "Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/util/Set;Ldev/strata/platform/api/model/Operator;"
                        + "Ljava/util/Set;JD)V");
    }

    @Test
    void buildersAndNarrowRecordsAreNotCalls() throws Exception {
        assertThat(compileAndScan("Built", "return java.util.List.of(dev.strata.platform.api.model.Site.builder().id(\"fra-1\")"
                + ".providerId(\"p\").country(\"DE\").build(), new dev.strata.platform.api.model.PowerDraw(1, 2));")).isEmpty();
    }

    @Test
    void theKitsOwnExampleProvidersUseBuilders() throws Exception {
        assertThat(ConstructorCalls.of(ContractFailsBrokenProvidersTest.Provider.class)).isEqualTo(List.of());
    }
}
