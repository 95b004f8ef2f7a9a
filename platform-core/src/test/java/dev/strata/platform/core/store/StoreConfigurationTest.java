package dev.strata.platform.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.provider.ConfigurationRejections;
import dev.strata.platform.testkit.ComponentDescriptors;
import dev.strata.platform.testkit.RecordingRejections;
import dev.strata.platform.testkit.StderrCapture;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state store's configuration component, called as Declarative Services calls it (its modified
 * method as its descriptor names it, the recorder of refusals bound as its reference is declared):
 * the settings in force are registered once, a refused change leaves them registered and is
 * recorded as rejected, a valid one that alters them registers them again, one that alters nothing
 * does nothing. The store itself (a static reference to these settings) is made again only when
 * they are registered again.
 */
class StoreConfigurationTest {

    @TempDir
    Path dir;

    /** What was registered, in order, and what was unregistered since. */
    private final List<StoreSettingsInForce> registered = new ArrayList<>();
    private final List<StoreSettingsInForce> unregistered = new ArrayList<>();
    /** What the store's component told the core's ConfigurationRejections, with whether the settings before stay in force. */
    private final RecordingRejections rejections = new RecordingRejections();

    private StoreConfiguration.Registrar registrar() {
        return settings -> {
            registered.add(settings);
            return () -> unregistered.add(settings);
        };
    }

    private StoreConfiguration start(Map<String, Object> properties) {
        StoreConfiguration c = new StoreConfiguration(Stores.config(properties), properties, registrar(), dir, dir);
        ComponentDescriptors.bindOptional(c, ConfigurationRejections.class, rejections);
        return c;
    }

    private static void change(StoreConfiguration c, Map<String, Object> properties) throws Exception {
        Method modified = ComponentDescriptors.modifiedMethod(StoreConfiguration.class, StoreConfig.class, Map.class);
        modified.invoke(c, Stores.config(properties), properties);
    }

    private static Map<String, Object> config(Object... pairs) {
        Map<String, Object> p = new HashMap<>();
        p.put("instanceId", "test-h2");
        for (int i = 0; i < pairs.length; i += 2) {
            p.put((String) pairs[i], pairs[i + 1]);
        }
        return p;
    }

    @Test
    void aRefusedChangeKeepsTheSettingsRegisteredAndIsRecordedAsRejected() throws Exception {
        StoreConfiguration c = start(config("writeQueueWait", "5s"));
        assertThat(registered).hasSize(1);
        try (StderrCapture log = new StderrCapture()) {
            change(c, config("writeQueueWait", "5s", "durability", "sometimes"));
            change(c, config("writeQueueWait", "5s", "highAvailability", "yes"));
            assertThat(log.text()).contains("Configuration change rejected, previous settings stay in force: "
                    + "dev.strata.platform.core.store: durability = 'sometimes' is invalid");
        }
        assertThat(registered).as("nothing registered again").hasSize(1);
        assertThat(unregistered).as("the settings in force stay registered").isEmpty();
        assertThat(rejections.told()).hasSize(2);
        assertThat(rejections.previousSettingsInForce()).containsExactly(true, true);
        assertThat(rejections.told().get(0)).startsWith("dev.strata.platform.core.store | dev.strata.platform.core.store: durability = 'sometimes'");
        assertThat(rejections.told().get(1)).isEqualTo("dev.strata.platform.core.store | "
                + "dev.strata.platform.core.store: highAvailability = 'yes' is invalid; expected true or false");
        assertThat(registered.get(0).settings().writeQueueWait()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aValidChangeRegistersTheNewSettingsInPlaceOfThoseBefore() throws Exception {
        StoreConfiguration c = start(config("writeQueueWait", "5s"));
        StoreSettingsInForce first = registered.get(0);
        change(c, config("writeQueueWait", "20s"));
        assertThat(unregistered).containsExactly(first);
        assertThat(registered).hasSize(2);
        assertThat(registered.get(1).settings().writeQueueWait()).isEqualTo(Duration.ofSeconds(20));
        assertThat(rejections.told()).isEmpty();

        c.deactivate();
        assertThat(unregistered).containsExactly(first, registered.get(1));
    }

    @Test
    void aChangeThatAltersNoSettingDoesNothing() throws Exception {
        Path password = dir.resolve("store.password");
        Files.writeString(password, "one");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        StoreConfiguration c = start(config("writeQueueWait", "5s", "passwordFile", password.toString()));
        // written otherwise (Config Admin tells of every save of the file), the same settings
        change(c, config("writeQueueWait", "5000ms", "passwordFile", password.toString(), "felix.fileinstall.filename", "file:/etc/x.cfg"));
        assertThat(registered).hasSize(1);
        assertThat(unregistered).isEmpty();
        Files.writeString(password, "two");
        change(c, config("writeQueueWait", "5s", "passwordFile", password.toString()));
        assertThat(registered).as("another password is a change").hasSize(2);
        assertThat(registered.get(1).settings().password().reveal()).isEqualTo("two");
    }

    /**
     * A configuration refused at start leaves no settings, so no store, with the store's error as
     * before; a refused change then still says the store did not start, and the first valid change
     * starts it.
     */
    @Test
    void aConfigurationRefusedAtStartLeavesNoStoreUntilAValidChange() throws Exception {
        StoreConfiguration c;
        try (StderrCapture log = new StderrCapture()) {
            c = start(config("durability", "sometimes"));
            assertThat(log.text()).contains("The state store did not start: dev.strata.platform.core.store: durability = 'sometimes' is invalid");
        }
        assertThat(registered).isEmpty();
        try (StderrCapture log = new StderrCapture()) {
            change(c, config("highAvailability", "maybe"));
            assertThat(log.text()).contains("The state store did not start: "
                    + "dev.strata.platform.core.store: highAvailability = 'maybe' is invalid; expected true or false");
        }
        assertThat(registered).isEmpty();
        assertThat(rejections.previousSettingsInForce()).as("a refusal while no settings are in force (refused at start) is not told as keeping any")
                .containsExactly(false);
        change(c, config());
        assertThat(registered).hasSize(1);
        assertThat(unregistered).isEmpty();
    }
}
