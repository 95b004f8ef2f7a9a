package dev.strata.platform.core.store;

import dev.strata.platform.api.placement.Allocation;
import dev.strata.platform.api.placement.MemberBinding;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.util.converter.Converters;

/** Builds stores for tests the way the component does: typed configuration, the drivers' own DataSourceFactory. */
final class Stores {

    private Stores() {
    }

    static StoreConfig config(Map<String, Object> properties) {
        return Converters.standardConverter().convert(new HashMap<>(properties)).to(StoreConfig.class);
    }

    static JdbcStateStore embedded(Path data) {
        return embedded(data, Map.of());
    }

    static JdbcStateStore embedded(Path data, Map<String, Object> more) {
        Map<String, Object> p = new HashMap<>(more);
        p.putIfAbsent("instanceId", "test-h2");
        StoreSettings s = StoreSettings.from(config(p), data, data);
        return JdbcStateStore.open(s, DataSources.direct(s, new org.h2.util.OsgiDataSourceFactory(new org.h2.Driver())), Clock.systemUTC());
    }

    /** The driver's own data source for the embedded store under {@code data}: connections beside the store's own. */
    static javax.sql.DataSource embeddedDataSource(Path data) {
        Map<String, Object> p = new HashMap<>();
        p.put("instanceId", "test-h2");
        StoreSettings s = StoreSettings.from(config(p), data, data);
        return DataSources.direct(s, new org.h2.util.OsgiDataSourceFactory(new org.h2.Driver()));
    }

    static StoreSettings postgresSettings(PostgresCluster pg, String url, Path etc, String instance, boolean ha, String interval) throws Exception {
        return postgresSettings(pg, url, etc, instance, ha, interval, Map.of());
    }

    /** As {@link #postgresSettings(PostgresCluster, String, Path, String, boolean, String)}, with {@code more} properties set. */
    static StoreSettings postgresSettings(PostgresCluster pg, String url, Path etc, String instance, boolean ha, String interval,
            Map<String, Object> more) throws Exception {
        java.nio.file.Files.writeString(etc.resolve("db-password"), PostgresCluster.PASSWORD + "\n");
        Map<String, Object> p = new HashMap<>();
        p.put("url", url);
        p.put("user", "strata");
        p.put("passwordFile", "db-password");
        p.put("instanceId", instance);
        p.put("advertisedAddress", instance + ".example:8101");
        p.put("highAvailability", ha);
        p.put("electionInterval", interval);
        p.put("poolSize", 4);
        p.putAll(more);
        return StoreSettings.from(config(p), etc, etc);
    }

    static JdbcStateStore postgres(StoreSettings s) {
        return JdbcStateStore.open(s, DataSources.direct(s, new org.postgresql.osgi.PGDataSourceFactory()), Clock.systemUTC());
    }

    static Allocation allocation(String id, String node, List<String> gpus) {
        return new Allocation(id, "contract-" + id, "tenant-a", 50, false, Instant.ofEpochMilli(1_790_000_000_000L),
                List.of(new MemberBinding("trainer-0", node, "fra-1", gpus, 1.0, node + "/nvlink", 0, "fra-1-ib", 96_000, 1L << 40, 10_200.0,
                        "fra-1-rack-a01"), new MemberBinding("trainer-1", node + "-b", "fra-1", List.of(), 0.25, null, -1, null, 500, 1L << 30,
                                0.5, null)));
    }

    /**
     * A data source whose connections are not H2's own (a proxy answering null to everything), for
     * the paths where H2's classes do not offer what the store reaches for; it records whether the
     * connection it handed out was closed.
     */
    static final class ForeignSource {
        private boolean closed;

        javax.sql.DataSource dataSource() {
            java.sql.Connection foreign = (java.sql.Connection) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {java.sql.Connection.class}, (p, m, a) -> {
                        closed |= m.getName().equals("close");
                        return null;
                    });
            return (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {javax.sql.DataSource.class}, (p, m, a) -> m.getName().equals("getConnection") ? foreign : null);
        }

        boolean closed() {
            return closed;
        }
    }
}
