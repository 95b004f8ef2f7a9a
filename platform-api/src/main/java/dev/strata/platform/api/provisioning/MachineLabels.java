package dev.strata.platform.api.provisioning;

/**
 * The label keys every machine Strata makes carries on the vendor's side (as tags, metadata or
 * the provider's own record), and that a launched machine's node carries in
 * {@link dev.strata.platform.api.model.Node#attributes()}.
 */
public final class MachineLabels {

    private MachineLabels() {
    }

    /** The deployment id. */
    public static final String DEPLOYMENT = "strata:deployment";
    /** The member name. */
    public static final String MEMBER = "strata:member";
    /** The tenant. */
    public static final String TENANT = "strata:tenant";
    /** The operation id that made the machine. */
    public static final String OPERATION = "strata:operation";
    /**
     * The Strata installation that made the machine: the id of its state store's provenance log,
     * which every instance of one installation shares. Several installations may share one cloud
     * account or project; each reaps as leaked only machines that carry its own id (or none: made
     * before 1.3, or by a provider that keeps its own record). Since 1.3.
     */
    public static final String INSTALLATION = "strata:installation";
    /**
     * The ledger allocation the machine's member is bound in: with {@link #MEMBER}, which binding
     * of the ledger the machine is for. A provider whose nodes' free room already leaves out what
     * its machines use reports that use per binding ({@link CountedMachine}), so the core does not
     * count it twice. Since 1.4.
     */
    public static final String ALLOCATION = "strata:allocation";
}
