package dev.strata.platform.api.contract;

import dev.strata.platform.api.exception.StrataException;
import java.util.List;
import java.util.stream.Collectors;

/** A contract document is malformed; {@link #violations()} lists every problem at once. */
public class InvalidContractException extends StrataException {
    private static final long serialVersionUID = 1L;

    private final transient List<Violation> violations;

    public InvalidContractException(String source, List<Violation> violations) {
        super("contract " + source + " has " + violations.size() + (violations.size() == 1 ? " error" : " errors") + ":\n  "
                + violations.stream().map(Violation::toString).collect(Collectors.joining("\n  ")));
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }
}
