package dev.strata.platform.api.exception;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link StrataException#withMessage} gives every exception of this package back as itself with
 * only its message changed, or its message and its cause. The classes are found on the class path, so a class added to the
 * package without its own {@code withMessage}, or one whose {@code withMessage} drops a field, a
 * cause or a suppressed exception, fails here.
 */
class WithMessageTest {

    /** Every concrete exception class of this package, read from the folder its classes are in. */
    static List<Class<?>> exceptions() throws IOException, URISyntaxException {
        Path folder = Path.of(StrataException.class.getResource("StrataException.class").toURI()).getParent();
        List<Class<?>> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".class") || name.contains("$") || name.equals("package-info.class")) {
                    continue;
                }
                try {
                    Class<?> c = Class.forName(StrataException.class.getPackageName() + "." + name.substring(0, name.length() - 6));
                    if (StrataException.class.isAssignableFrom(c) && !Modifier.isAbstract(c.getModifiers())) {
                        found.add(c);
                    }
                } catch (ClassNotFoundException e) {
                    throw new IOException(file + " names no class", e);
                }
            }
        }
        return found;
    }

    @Test
    void everyExceptionOfThePackageIsFound() throws Exception {
        assertThat(exceptions()).contains(StrataException.class, InvalidConfigurationException.class, NotLeaderException.class,
                ProviderUnavailableException.class).hasSizeGreaterThanOrEqualTo(10);
    }

    @ParameterizedTest
    @MethodSource("exceptions")
    void withMessageKeepsTheClassTheCauseAndEveryField(Class<?> type) throws Exception {
        StrataException original = made(type);
        RuntimeException suppressed = new IllegalStateException("suppressed");
        original.addSuppressed(suppressed);

        StrataException copy = original.withMessage("the new message");

        assertThat(copy).as(type.getSimpleName()).isNotSameAs(original).hasMessage("the new message");
        assertThat(copy.getClass()).as("%s.withMessage's class", type.getSimpleName()).isEqualTo(type);
        assertThat(copy.getCause()).as("%s.withMessage's cause", type.getSimpleName()).isSameAs(original.getCause()).isNotNull();
        assertThat(copy.getSuppressed()).as("%s.withMessage's suppressed", type.getSimpleName()).containsExactly(suppressed);
        assertThat(copy.getStackTrace()).as("%s.withMessage's stack trace", type.getSimpleName()).isEqualTo(original.getStackTrace());
        assertSameFields(type, original, copy);
        assertThat(original).as("the original is left as it is").hasMessageStartingWith("made-");
    }

    /**
     * {@code withMessage(message, cause)} gives the same copy with the cause given in place of the
     * original's: the shell shows an exception whose cause quotes a typed path through a stand-in
     * cause, and before 1.11 made a plain {@link StrataException} for it, losing the class and fields.
     */
    @ParameterizedTest
    @MethodSource("exceptions")
    void withMessageAndCauseKeepsTheClassAndEveryFieldAndTakesTheCause(Class<?> type) throws Exception {
        StrataException original = made(type);
        Throwable originalCause = original.getCause();
        RuntimeException suppressed = new IllegalStateException("suppressed");
        original.addSuppressed(suppressed);
        IllegalArgumentException cause = new IllegalArgumentException("the new cause");

        StrataException copy = original.withMessage("the new message", cause);

        assertThat(copy).as(type.getSimpleName()).isNotSameAs(original).hasMessage("the new message");
        assertThat(copy.getClass()).as("%s.withMessage(message, cause)'s class", type.getSimpleName()).isEqualTo(type);
        assertThat(copy.getCause()).as("%s.withMessage(message, cause)'s cause", type.getSimpleName()).isSameAs(cause);
        assertThat(copy.getSuppressed()).as("%s.withMessage(message, cause)'s suppressed", type.getSimpleName()).containsExactly(suppressed);
        assertThat(copy.getStackTrace()).as("%s.withMessage(message, cause)'s stack trace", type.getSimpleName())
                .isEqualTo(original.getStackTrace());
        assertSameFields(type, original, copy);
        assertThat(original).as("the original is left as it is").hasMessageStartingWith("made-");
        assertThat(original.getCause()).as("the original's cause is left as it is").isSameAs(originalCause);

        StrataException causeless = original.withMessage("no cause", null);
        assertThat(causeless.getClass()).as("%s.withMessage(message, null)'s class", type.getSimpleName()).isEqualTo(type);
        assertThat(causeless.getCause()).as("%s.withMessage(message, null)'s cause", type.getSimpleName()).isNull();
        assertThat(causeless.getSuppressed()).as("%s.withMessage(message, null)'s suppressed", type.getSimpleName())
                .containsExactly(suppressed);
        assertSameFields(type, original, causeless);
        causeless.initCause(cause);
        assertThat(causeless.getCause()).as("a cause can still be given later: none was set").isSameAs(cause);
    }

    /** Every field of {@code type} and its superclasses up to {@link RuntimeException} is set in {@code copy} as in {@code original}. */
    private static void assertSameFields(Class<?> type, StrataException original, StrataException copy) throws IllegalAccessException {
        for (Class<?> c = type; c != RuntimeException.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                field.setAccessible(true);
                assertThat(field.get(copy)).as("%s's copy's %s", type.getSimpleName(), field.getName()).isNotNull()
                        .isEqualTo(field.get(original));
            }
        }
    }

    /** A message left out of a refusal: the original's message is not the copy's cause, nor in it. */
    @Test
    void theOriginalMessageGoesNowhere() {
        ProviderFailureException original = new ProviderFailureException("GET https://img/x.iso?sig=t0k-Secret failed");
        ProviderFailureException copy = original.withMessage("GET https://img/x.iso (query omitted) failed");
        assertThat(copy.getCause()).isNull();
        assertThat(copy.toString()).doesNotContain("t0k-Secret");
        assertThat(copy.withMessage("again").getCause()).as("a cause can still be given later: none was set").isNull();
        copy.initCause(new IOException("later"));
        assertThat(copy).hasCauseInstanceOf(IOException.class);
    }

    /** One of {@code type} made through its widest public constructor, every argument distinct and not null, a cause given. */
    private static StrataException made(Class<?> type) throws Exception {
        Constructor<?> widest = Arrays.stream(type.getConstructors()).max(Comparator.comparingInt(Constructor::getParameterCount))
                .orElseThrow(() -> new AssertionError(type + " has no public constructor"));
        Object[] arguments = new Object[widest.getParameterCount()];
        boolean causeGiven = false;
        for (int i = 0; i < arguments.length; i++) {
            Class<?> parameter = widest.getParameterTypes()[i];
            if (parameter == Throwable.class) {
                arguments[i] = new IOException("the cause");
                causeGiven = true;
            } else if (parameter == String.class || parameter == Object.class) {
                arguments[i] = "made-" + type.getSimpleName() + "-" + i;
            } else {
                throw new AssertionError(type + "'s constructor takes a " + parameter + ": give this test a value of it");
            }
        }
        StrataException made = (StrataException) widest.newInstance(arguments);
        if (!causeGiven) {
            made.initCause(new IOException("the cause"));
        }
        return made;
    }
}
