package dev.strata.platform.core.store;

import dev.strata.platform.api.exception.StateStoreException;
import dev.strata.platform.core.provenance.ProviderText;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.osgi.service.jdbc.DataSourceFactory;

/** The driver's own (unpooled) data source for the settings, through its OSGi {@link DataSourceFactory}. */
public final class DataSources {

    private DataSources() {
    }

    /**
     * A data source from the driver's factory: URL, user and password given to the driver and to
     * nothing else.
     *
     * @throws StateStoreException when the driver refuses the settings
     */
    public static DataSource direct(StoreSettings s, DataSourceFactory driver) {
        knowCredentials(s);
        Properties p = new Properties();
        p.setProperty(DataSourceFactory.JDBC_URL, s.url());
        p.setProperty(DataSourceFactory.JDBC_USER, s.user());
        if (!s.password().isEmpty()) {
            p.setProperty(DataSourceFactory.JDBC_PASSWORD, s.password().reveal());
        }
        if (s.kind() == StoreSettings.Kind.POSTGRESQL) {
            p.setProperty("tcpKeepAlive", "true");
            p.setProperty("connectTimeout", Long.toString(Math.max(1, s.connectTimeout().toSeconds())));
            // a silent server or network fails the statement (and its write) instead of blocking the writer for good
            p.setProperty("socketTimeout", Long.toString(s.socketTimeout().toSeconds()));
            p.setProperty("ApplicationName", "strata " + s.instanceId());
        }
        try {
            return driver.createDataSource(p);
        } catch (SQLException | RuntimeException e) {
            // a driver's message may quote the URL it was given (pgjdbc's does): neither it nor the cause chained here (which
            // a log line prints) holds more of the URL than the store shows of it
            throw new StateStoreException("the JDBC driver refused the settings for " + s.location() + ": "
                    + masked(JdbcStateStore.describe(e), s), JdbcStateStore.trace(e));
        } finally {
            p.clear();
        }
    }

    /**
     * Makes the store's credentials secrets that {@link ProviderText#clean} masks wherever they
     * appear: the password, and a user part in the URL (only settings made by hand hold one;
     * {@link StoreSettings#from} refuses it) whole and its password alone. The store's errors
     * describe a driver's exception and chain it cleaned, and a driver or a server may quote
     * them where no form shows them for what they are (a user part without a password is not
     * learnt: a user's name is no secret, and masked it would garble every text naming the word):
     * pgjdbc, asked to connect with
     * {@code //strata:pw@db/strata}, fails with an {@code UnknownHostException} for
     * {@code strata:pw@db}.
     */
    static void knowCredentials(StoreSettings s) {
        if (!s.password().isEmpty()) {
            ProviderText.knowSecret(s.password().reveal());
        }
        int at = StoreSettings.userInfoEnd(s.url());
        if (at >= 0) {
            String userInfo = s.url().substring(StoreSettings.userInfoStart(s.url()), at);
            int colon = userInfo.indexOf(':');
            // a user part without a password is no secret: learnt as one, a user named strata would mask the word everywhere
            if (colon >= 0 && colon < userInfo.length() - 1) {
                ProviderText.knowSecret(userInfo);
                ProviderText.knowSecret(userInfo.substring(colon + 1));
            }
        }
    }

    /** A driver's text with the URL it was given, where quoted, as the store shows it, then cleaned as provider text is. */
    static String masked(String text, StoreSettings s) {
        String t = text;
        if (s.kind() == StoreSettings.Kind.POSTGRESQL && !s.url().isEmpty()) {
            t = t.replace(s.url(), s.location());
        }
        return ProviderText.clean(t);
    }
}
