package dev.strata.platform.testkit;

import dev.strata.platform.api.provider.ConfigurationRejections;
import java.util.ArrayList;
import java.util.List;

/**
 * The core's {@link ConfigurationRejections} as a provider's modified test binds it: it records
 * each refusal the provider tells of, in order, so that the test asserts that a refused change is
 * recorded once, under the PID the change's own record names, with the reason logged, and whether
 * the settings before it stay in force:
 *
 * <pre>
 * RecordingRejections rejections = new RecordingRejections();
 * ComponentDescriptors.bindOptional(provider, ConfigurationRejections.class, rejections);
 * ComponentDescriptors.modified(provider, refusedConfig, refusedProperties);
 * assertThat(rejections.told()).containsExactly(PID + " | " + expectedReason);
 * assertThat(rejections.previousSettingsInForce()).containsExactly(true);
 * </pre>
 *
 * The form without the flag ({@link #rejected(String, String)}, that of 1.4) is recorded as the
 * API defines it: the settings before the change stay in force. Thread-safe: a provider may tell
 * of a refusal on Config Admin's thread while the test reads.
 */
public final class RecordingRejections implements ConfigurationRejections {

    private final List<String> told = new ArrayList<>();
    private final List<Boolean> inForce = new ArrayList<>();

    @Override
    public void rejected(String pid, String reason) {
        rejected(pid, reason, true);
    }

    @Override
    public synchronized void rejected(String pid, String reason, boolean previousSettingsInForce) {
        told.add(pid + " | " + reason);
        inForce.add(previousSettingsInForce);
    }

    /**
     * Each refusal told of so far, in order, as {@code "<pid> | <reason>"}: one string, so that a
     * test compares the PID and the reason at once with what the provider logged.
     */
    public synchronized List<String> told() {
        return List.copyOf(told);
    }

    /**
     * For each refusal in {@link #told()}, at the same index, whether the provider said that the
     * settings before it stay in force ({@code true} for the form without the flag).
     */
    public synchronized List<Boolean> previousSettingsInForce() {
        return List.copyOf(inForce);
    }
}
