package dev.strata.platform.api.contract;

import dev.strata.platform.api.exception.StrataException;
import java.util.List;
import java.util.stream.Collectors;

/** A contract document is malformed; {@link #violations()} lists every problem at once. */
public class InvalidContractException extends StrataException {
    private static final long serialVersionUID = 1L;

    private final transient List<Violation> violations;
    private final String source;

    /** The most violations the message lists; {@link #violations()} holds every one. */
    private static final int MESSAGE_LIMIT = 100;

    public InvalidContractException(String source, List<Violation> violations) {
        super(message(source, violations));
        this.source = source;
        this.violations = List.copyOf(violations);
    }

    /** The copy {@link #withMessage} makes. */
    private InvalidContractException(String message, String source, List<Violation> violations) {
        super(message);
        this.source = source;
        this.violations = violations;
    }

    /**
     * {@inheritDoc} The copy is an {@code InvalidContractException} with this one's source and
     * violations.
     *
     * @since 1.2 (package version); before, the copy was a plain {@link StrataException}
     */
    @Override
    public InvalidContractException withMessage(String message) {
        return withMessage(message, getCause());
    }

    /**
     * {@inheritDoc} The copy is an {@code InvalidContractException} with this one's source and
     * violations.
     *
     * @since 1.3 (package version)
     */
    @Override
    public InvalidContractException withMessage(String message, Throwable cause) {
        return copied(new InvalidContractException(message, source, violations), cause);
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

    /**
     * The contract's source as it was given when this exception was made, as its message names it
     * after {@code contract}: the file's name, or a name such as {@code (standard input)}; kept by
     * {@link #withMessage} copies. Read it here rather than from the message, whose source may hold
     * any text, {@code " has 2 errors:"} and line breaks included.
     *
     * @return the source as given, which may be null where none was
     * @since 1.2 (package version)
     */
    public String source() {
        return source;
    }
}
