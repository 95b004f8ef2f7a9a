package dev.strata.platform.core.store;

import dev.strata.platform.api.exception.StateStoreException;
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
            throw new StateStoreException("the JDBC driver refused the settings for " + s.location() + ": " + JdbcStateStore.describe(e), e);
        } finally {
            p.clear();
        }
    }
}
