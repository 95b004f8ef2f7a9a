package dev.strata.platform.api.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class ConfigurationRejectionsTest {

    /**
     * What a recorder throws does not leave {@code tell}: it is logged as a warning naming the PID,
     * and the caller goes on with the rest of its change. Before, it left the caller's
     * {@code @Modified} method, which stopped there (the BMC provider tells of a journal change not
     * applied and then applies the other settings: none of them were applied).
     */
    @Test
    void aRecorderThatThrowsDoesNotStopTheCallerAndIsLoggedNamingThePid() {
        ConfigurationRejections failing = (pid, reason) -> {
            throw new IllegalStateException("the provenance service has stopped");
        };
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger log = Logger.getLogger(ConfigurationRejections.class.getName());
        log.addHandler(handler);
        try {
            assertThatCode(() -> ConfigurationRejections.tell(failing, "dev.strata.provider.example", "site = '' is invalid"))
                    .doesNotThrowAnyException();
            assertThatCode(() -> ConfigurationRejections.tell(failing, "dev.strata.provider.bmc", "journal not applied", true))
                    .doesNotThrowAnyException();
        } finally {
            log.removeHandler(handler);
        }
        assertThat(logged).extracting(LogRecord::getMessage).containsExactly(
                "The refused configuration change of dev.strata.provider.example is not recorded in the provenance log: its recorder failed",
                "The refused configuration change of dev.strata.provider.bmc is not recorded in the provenance log: its recorder failed");
        assertThat(logged).extracting(r -> r.getThrown().getMessage()).containsOnly("the provenance service has stopped");
    }

    /** A recorder that works is told each form as before: the 1.4 form without the flag, the 1.5 form with it. */
    @Test
    void aRecorderIsToldTheFormTheCallerUsed() {
        List<String> told = new CopyOnWriteArrayList<>();
        ConfigurationRejections recorder = new ConfigurationRejections() {
            @Override
            public void rejected(String pid, String reason) {
                told.add(pid + " | " + reason);
            }

            @Override
            public void rejected(String pid, String reason, boolean previousSettingsInForce) {
                told.add(pid + " | " + reason + " | " + previousSettingsInForce);
            }
        };
        ConfigurationRejections.tell(recorder, "a", "one");
        ConfigurationRejections.tell(recorder, "b", "two", false);
        ConfigurationRejections.tell(null, "c", "none");
        assertThat(told).containsExactly("a | one", "b | two | false");
    }
}
