package dev.strata.platform.core.store;

/** A commit was decided on a ledger generation that is no longer current; nothing was written. */
public class StaleLedgerException extends StoreRefusedException {
    private static final long serialVersionUID = 1L;

    private final long expected;
    private final long actual;

    public StaleLedgerException(long expected, long actual) {
        super("ledger moved from generation " + expected + " to " + actual + " while deciding");
        this.expected = expected;
        this.actual = actual;
    }

    /** The generation the decision was based on. */
    public long expected() {
        return expected;
    }

    /** The generation the database held. */
    public long actual() {
        return actual;
    }
}
