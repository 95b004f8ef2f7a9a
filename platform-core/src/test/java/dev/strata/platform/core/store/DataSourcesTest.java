package dev.strata.platform.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.StateStoreException;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.osgi.service.jdbc.DataSourceFactory;

class DataSourcesTest {

    /**
     * Before, the message of a driver that refused its settings was passed on as it was, and
     * pgjdbc's quotes the URL it was given: a URL with a password in it (one held by settings made
     * by hand, or one that slipped past the checks of {@link StoreSettings#from}) reached the
     * exception, the log and the shell whole. Now the URL in it is replaced by what the store
     * shows of it, the rest cleaned as provider text is, and the cause chained is cleaned too.
     */
    @Test
    void aDriverThatQuotesTheUrlShowsNoPassword() {
        String url = "jdbc:postgresql://strata:S3cr#tPw9@db.example:5432/strata";
        StoreSettings s = new StoreSettings(StoreSettings.Kind.POSTGRESQL, url, StoreSettings.shown(url), "strata", Secret.none(), 4,
                Duration.ofSeconds(5), true, false, "r1", "localhost", Duration.ofSeconds(1), null, 0, Duration.ofSeconds(60),
                Duration.ofSeconds(5), 10_000, Duration.ofSeconds(10));
        DataSourceFactory refusing = (DataSourceFactory) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DataSourceFactory.class}, (proxy, method, args) -> {
                    Properties p = (Properties) args[0];
                    throw new SQLException("Invalid URL " + p.getProperty(DataSourceFactory.JDBC_URL) + " (in "
                            + p.getProperty(DataSourceFactory.JDBC_URL).replace("jdbc:", "") + ")", "08001");
                });
        assertThatThrownBy(() -> DataSources.direct(s, refusing)).isInstanceOf(StateStoreException.class)
                .hasMessageContaining("the JDBC driver refused the settings for jdbc:postgresql://****@db.example:5432/strata: Invalid URL "
                        + "jdbc:postgresql://****@db.example:5432/strata")
                .satisfies(e -> {
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        assertThat(String.valueOf(t.getMessage()) + t).doesNotContain("S3cr").doesNotContain("tPw9");
                    }
                });
    }

    /**
     * A URL's user part is learnt as a secret only with a password in it: a user's name is no
     * secret, and learnt as one (every text naming the word masked), a user part {@code
     * strata-owner@} would have garbled every message that names the owner. The password of one
     * with a password is masked wherever it appears, and the user part with it. (Both are random:
     * what is learnt stays learnt for the JVM.)
     */
    @Test
    void aUrlsUserPartIsLearntAsASecretOnlyWithAPassword() {
        String user = "strata-owner-" + java.util.UUID.randomUUID();
        String password = "Pw-" + java.util.UUID.randomUUID();
        DataSources.knowCredentials(settings("jdbc:postgresql://" + user + "@db.example:5432/strata"));
        DataSources.knowCredentials(settings("jdbc:postgresql://" + user + ":@db.example:5432/strata"));
        assertThat(dev.strata.platform.core.provenance.ProviderText.clean("table owned by " + user)).isEqualTo("table owned by " + user);

        DataSources.knowCredentials(settings("jdbc:postgresql://" + user + ":" + password + "@db.example:5432/strata"));
        assertThat(dev.strata.platform.core.provenance.ProviderText.clean("no host " + user + ":" + password + "@db.example, "
                + "and " + password + " alone")).doesNotContain(password).contains("****");
    }

    private static StoreSettings settings(String url) {
        return new StoreSettings(StoreSettings.Kind.POSTGRESQL, url, StoreSettings.shown(url), "strata", Secret.none(), 4,
                Duration.ofSeconds(5), true, false, "r1", "localhost", Duration.ofSeconds(1), null, 0, Duration.ofSeconds(60),
                Duration.ofSeconds(5), 10_000, Duration.ofSeconds(10));
    }
}
