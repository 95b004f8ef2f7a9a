package dev.strata.platform.api.placement;

import java.util.Objects;

/**
 * A limit given to {@link Placement#setQuota} is wrong: an unknown resource, an amount that is none
 * of it, a resource given twice. An {@link IllegalArgumentException}, as {@code setQuota} has
 * always thrown for a wrong limit; it carries what its message says as data, so that a caller
 * that words the refusal its own way (the shell, which removes a quota with an option rather than
 * with no limits) composes it from {@link #tenant()}, {@link #problem()} and {@link #expected()}
 * rather than from the message's text. Nothing was changed when it is thrown.
 *
 * @since 1.7 (package version)
 */
public class InvalidQuotaException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** How the message ends, for callers of {@link Placement#setQuota}: no limits at all remove a tenant's quota. */
    public static final String REMOVAL = "none to remove the quota";

    private final String tenant;
    private final String problem;
    private final String expected;

    /**
     * The message is {@code quota of tenant TENANT: PROBLEM; expected EXPECTED; none to remove the
     * quota}.
     *
     * @param tenant the tenant whose quota was to be set
     * @param problem what is wrong, naming the limit as given ({@code gpu=8 is invalid: 'gpu' is no resource})
     * @param expected what each limit is expected to be, without how to remove the quota
     */
    public InvalidQuotaException(String tenant, String problem, String expected) {
        super("quota of tenant " + tenant + ": " + problem + "; expected " + expected + "; " + REMOVAL);
        this.tenant = Objects.requireNonNull(tenant, "tenant");
        this.problem = Objects.requireNonNull(problem, "problem");
        this.expected = Objects.requireNonNull(expected, "expected");
    }

    /** The tenant whose quota was to be set, as given. */
    public String tenant() {
        return tenant;
    }

    /** What is wrong, naming the limit as given: {@code gpu=8 is invalid: 'gpu' is no resource}, {@code gpus is given twice}. */
    public String problem() {
        return problem;
    }

    /**
     * What each limit is expected to be ({@code limits RESOURCE=VALUE, RESOURCE gpus (...), cpu (...)
     * or memory (...), each once}), without how to remove the quota, which depends on how the caller
     * is asked.
     */
    public String expected() {
        return expected;
    }
}
