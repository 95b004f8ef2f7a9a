package dev.strata.itests;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;

/** Runs Karaf shell commands inside the container and returns what they printed. */
final class Shell {

    private final SessionFactory sessions;

    Shell(SessionFactory sessions) {
        this.sessions = sessions;
    }

    String run(String command) throws Exception {
        return run(command, "");
    }

    /** Runs a command with {@code input} as its standard input ({@code strata:place -f -}). */
    String run(String command, String input) throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        Session session = sessions.create(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out, out);
        try {
            session.execute(command);
        } finally {
            out.flush();
            session.close();
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
