package dev.strata.platform.core.placement;

/** Allocation ids: {@code a-} and the number, at least six digits ({@code a-000042}), as every ledger writes them. */
public final class AllocationIds {

    private static final String ZEROS = "000000";

    private AllocationIds() {
    }

    /**
     * The id of allocation number {@code n}: what {@code String.format("a-%06d", n)} writes, without
     * the formatter's cost on every placement.
     *
     * @throws IllegalArgumentException for a negative number
     */
    public static String of(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("allocation number " + n + "; expected 0 or more");
        }
        String digits = Long.toString(n);
        return digits.length() >= 6 ? "a-" + digits : "a-" + ZEROS.substring(digits.length()) + digits;
    }
}
