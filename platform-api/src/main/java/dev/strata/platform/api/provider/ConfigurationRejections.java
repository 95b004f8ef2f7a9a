package dev.strata.platform.api.provider;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Where a component that refuses a change of its configuration says so, and whether the settings
 * before it stay in force: the core records it in the provenance log. Config Admin tells the core
 * of every change of a configuration under {@code dev.strata.} before the component has read it, so the log's
 * record of the change (kind {@code configuration}) says {@code updated} whether or not it took
 * effect; the record this adds after it (action {@code rejected}, with the reason and whoever made
 * the change) says that it did not, so that the log tells an auditor which settings were in force.
 *
 * <p>For a vendor: a provider whose component has a {@code @Modified} method that refuses a change
 * (an {@link dev.strata.platform.api.exception.InvalidConfigurationException}) calls
 * {@link #rejected} where it logs the refusal, with the PID of the configuration refused (for a
 * factory configuration, the PID of the instance, as Config Admin names it in {@code service.pid}:
 * the one the core records the change under), the exception's message and, since 1.5, whether it
 * serves on its previous settings (a refusal that leaves it serving nothing says so, and the record
 * says so too; the form without it, the one of 1.4, says that they stay in force). Bind the
 * service through an optional, dynamic, greedy reference held in a volatile field and call it
 * through {@link #tell}: the core registers it once its state store is up, and a
 * provider installed without the core, or running before it, records nothing and loses nothing but
 * the record. The core cleans the reason as it cleans provider text (a credential in a URL is
 * masked), but a reason should carry no credential in the first place: name a secret's property,
 * never show its value.
 *
 * <p>The record is written on the core's own thread: a call returns at once and never throws for
 * a store that is slow or down (what was not recorded is logged by the core). On a highly
 * available Strata only the leader writes it.
 *
 * @since 1.4
 */
@ProviderType
public interface ConfigurationRejections {

    /**
     * Records that the latest change of a configuration was refused and that the settings before
     * it stay in force: {@link #rejected(String, String, boolean)} with {@code true}.
     *
     * @param pid the configuration's PID (for a factory configuration the instance's, as
     *     {@code service.pid} names it)
     * @param reason why, as the component logs it (an {@code InvalidConfigurationException}'s
     *     message: the property, the value and what was expected)
     */
    void rejected(String pid, String reason);

    /**
     * Records that the latest change of a configuration was refused, and whether the settings
     * before it stay in force: a provider refusing a change that also renamed it (Declarative
     * Services registers it under the new {@code strata.provider.id} whatever it does) serves
     * nothing under the new name until the configuration is corrected, and says {@code false}. The
     * record says which, so that an auditor need not read it from the reason. A component that
     * applies a change in part (a setting it takes only at its next start) tells of the part not
     * applied here too, with {@code true}, its reason naming that part and saying that the rest
     * applies. This default, for an
     * implementation written against 1.4, records the refusal as {@link #rejected(String, String)}
     * does; the core's records the flag.
     *
     * @param pid the configuration's PID (for a factory configuration the instance's, as
     *     {@code service.pid} names it)
     * @param reason why, as the component logs it
     * @param previousSettingsInForce whether the component goes on with the settings it had before
     *     the change; {@code false} where the refusal leaves it serving nothing
     * @since 1.5
     */
    default void rejected(String pid, String reason, boolean previousSettingsInForce) {
        rejected(pid, reason);
    }

    /**
     * Tells {@code to}, where there is one (the core registers it once its state store is up; a
     * provider may run without the core), that the latest change of {@code pid} was refused and the
     * settings before it stay in force. Never throws: what an implementation throws (against the
     * contract above, or while its bundle stops) is logged as a warning naming the PID, and the caller
     * goes on with the rest of its configuration change.
     */
    static void tell(ConfigurationRejections to, String pid, String reason) {
        if (to != null) {
            told(pid, () -> to.rejected(pid, reason));
        }
    }

    /**
     * Tells {@code to}, where there is one, that the latest change of {@code pid} was refused, and
     * whether the settings before it stay in force ({@link #rejected(String, String, boolean)}).
     * Never throws, as {@link #tell(ConfigurationRejections, String, String)}.
     *
     * @since 1.5
     */
    static void tell(ConfigurationRejections to, String pid, String reason, boolean previousSettingsInForce) {
        if (to != null) {
            told(pid, () -> to.rejected(pid, reason, previousSettingsInForce));
        }
    }

    /**
     * Makes the call that tells of a refusal, logging what it throws: a caller tells between steps of
     * its change (the BMC provider tells of a journal change not applied, then applies the other
     * settings), and a throw here left the rest of the change unapplied.
     */
    private static void told(String pid, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            System.getLogger(ConfigurationRejections.class.getName()).log(System.Logger.Level.WARNING,
                    "The refused configuration change of " + pid + " is not recorded in the provenance log: its recorder failed", e);
        }
    }
}
