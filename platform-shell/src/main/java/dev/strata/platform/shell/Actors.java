package dev.strata.platform.shell;

import org.apache.karaf.shell.support.ShellUtil;

/** Who runs a command, for the provenance log: the shell user Karaf authenticated. */
final class Actors {

    private Actors() {
    }

    /** The shell user's name, or {@code shell} when the command runs without one (a test, a script inside the server). */
    static String current() {
        String user = ShellUtil.getCurrentUserName();
        return user == null || user.isBlank() ? "shell" : user;
    }
}
