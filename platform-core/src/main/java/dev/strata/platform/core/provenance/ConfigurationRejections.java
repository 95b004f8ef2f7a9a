package dev.strata.platform.core.provenance;

/**
 * Where a component that refuses a change of its configuration, and keeps the settings before it,
 * says so. Config Admin tells the configuration recorder of every change before the component has
 * read it, so the log's record of the change says {@code updated} whether or not it took effect;
 * the record this adds after it says that it did not, and why, so that the log tells an auditor
 * which settings were in force.
 */
public interface ConfigurationRejections {

    /**
     * Records that the latest change of a configuration was refused and the settings before it stay
     * in force.
     *
     * @param pid the configuration's PID
     * @param reason why, as the component logs it (an {@code InvalidConfigurationException}'s
     *        message: the property, the value and what was expected)
     */
    void rejected(String pid, String reason);

    /** Tells {@code to}, where there is one (the recorder runs with a state store only), that the latest change of {@code pid} was refused. */
    static void tell(ConfigurationRejections to, String pid, String reason) {
        if (to != null) {
            to.rejected(pid, reason);
        }
    }
}
