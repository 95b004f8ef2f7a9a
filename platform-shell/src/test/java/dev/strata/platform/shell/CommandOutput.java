package dev.strata.platform.shell;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Captures what a command prints to System.out, as Karaf routes it per session. */
final class CommandOutput {

    private CommandOutput() {
    }

    static String of(Callable<?> command) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            command.call();
        } finally {
            System.setOut(original);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    /**
     * What a command prints with the JVM's default locale {@code languageTag} ({@code de-DE}, whose
     * decimal separator is a comma; {@code ar-EG}, whose digits are not ASCII), the locale restored after.
     */
    static String inLocale(String languageTag, Callable<?> command) throws Exception {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag(languageTag));
        try {
            return of(command);
        } finally {
            Locale.setDefault(before);
        }
    }

    /** What a failing command printed before it threw, and what it threw. */
    record Failure(String output, Exception thrown) {
    }

    /** Runs a command that must fail (throw, so that Karaf's client exits 1); fails the test when it returns. */
    static Failure ofFailing(Callable<?> command) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            command.call();
        } catch (Exception thrown) {
            return new Failure(buffer.toString(StandardCharsets.UTF_8), thrown);
        } finally {
            System.setOut(original);
        }
        throw new AssertionError("the command returned normally (exit status 0); printed:\n" + buffer.toString(StandardCharsets.UTF_8));
    }
}
