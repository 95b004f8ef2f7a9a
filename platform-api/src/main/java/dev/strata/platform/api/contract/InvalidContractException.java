package dev.strata.platform.api.contract;

import dev.strata.platform.api.exception.StrataException;
import java.util.List;
import java.util.stream.Collectors;

/** A contract document is malformed; {@link #violations()} lists every problem at once. */
public class InvalidContractException extends StrataException {
    private static final long serialVersionUID = 1L;

    private final transient List<Violation> violations;

    /** The most violations the message lists; {@link #violations()} holds every one. */
    private static final int MESSAGE_LIMIT = 100;

    public InvalidContractException(String source, List<Violation> violations) {
        super(message(source, violations));
        this.violations = List.copyOf(violations);
    }

    /**
     * The message: every violation on a line of its own, the first {@value #MESSAGE_LIMIT} of them
     * and a line counting the rest. It reaches the shell and the log, so a document with thousands
     * of unknown keys does not make a message of megabytes.
     */
    private static String message(String source, List<Violation> violations) {
        int n = violations.size();
        String listed = violations.stream().limit(MESSAGE_LIMIT).map(Violation::toString).collect(Collectors.joining("\n  "));
        return "contract " + source + " has " + n + (n == 1 ? " error" : " errors") + ":\n  " + listed
                + (n > MESSAGE_LIMIT ? "\n  ... and " + (n - MESSAGE_LIMIT) + " more errors (the first " + MESSAGE_LIMIT + " are shown)" : "");
    }

    public List<Violation> violations() {
        return violations;
    }
}
