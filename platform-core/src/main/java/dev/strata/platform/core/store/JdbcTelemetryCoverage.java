package dev.strata.platform.core.store;

import dev.strata.platform.api.telemetry.GpuSample;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link TelemetryCoverageStore} on the JDBC store: one write is one unit of the store's group commit (its transaction,
 * its fence: only the leader writes, and where every instance writes, one write transaction at a time across them), made
 * of at most three JDBC batches (new GPUs, newer samples, GPUs forgotten) whatever the number of GPUs, never a round
 * trip per GPU. Portable between PostgreSQL and H2: a conditional insert and a conditional update rather than either
 * database's own upsert, so that a stored sample is only ever replaced by a newer one.
 */
final class JdbcTelemetryCoverage implements TelemetryCoverageStore {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcTelemetryCoverage.class);

    private static final String INSERT = "INSERT INTO telemetry_coverage (accelerator_id, sampled_s, sampled_nano, power_watts, "
            + "ecc_uncorrected, updated_ms) SELECT CAST(? AS VARCHAR(512)), CAST(? AS BIGINT), CAST(? AS INT), CAST(? AS DOUBLE PRECISION), "
            + "CAST(? AS BIGINT), CAST(? AS BIGINT) WHERE NOT EXISTS (SELECT 1 FROM telemetry_coverage WHERE accelerator_id = ?)";
    private static final String UPDATE = "UPDATE telemetry_coverage SET sampled_s = ?, sampled_nano = ?, power_watts = ?, "
            + "ecc_uncorrected = ?, updated_ms = ? WHERE accelerator_id = ? AND (sampled_s < ? OR (sampled_s = ? AND sampled_nano < ?))";
    private static final String DELETE = "DELETE FROM telemetry_coverage WHERE accelerator_id = ? AND (sampled_s < ? OR (sampled_s = ? "
            + "AND sampled_nano <= ?))";

    private final JdbcStateStore store;

    JdbcTelemetryCoverage(JdbcStateStore store) {
        this.store = store;
    }

    @Override
    public Map<String, GpuSample> all() {
        return store.read(c -> {
            Map<String, GpuSample> out = new HashMap<>();
            try (PreparedStatement p = c.prepareStatement("SELECT accelerator_id, sampled_s, sampled_nano, power_watts, ecc_uncorrected "
                    + "FROM telemetry_coverage"); ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), GpuSample.builder().acceleratorId(rs.getString(1))
                            .at(Instant.ofEpochSecond(rs.getLong(2), rs.getInt(3))).powerWatts(rs.getDouble(4)).eccUncorrected(rs.getLong(5))
                            .build());
                }
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<Void> write(Collection<GpuSample> latest, Map<String, Instant> forgotten) {
        List<GpuSample> kept = new ArrayList<>(latest.size());
        for (GpuSample s : latest) {
            if (s.acceleratorId().length() <= MAX_ID) {
                kept.add(s);
            } else {
                // a write holding it would fail as a whole, every pass
                LOG.debug("The latest sample of GPU {}... is not kept in the state store: its id is longer than {} characters",
                        s.acceleratorId().substring(0, 64), MAX_ID);
            }
        }
        Map<String, Instant> gone = new HashMap<>(forgotten);
        gone.keySet().removeIf(id -> id.length() > MAX_ID);
        if (kept.isEmpty() && gone.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return store.write(tx -> {
            Connection c = tx.connection;
            long now = tx.nowMillis();
            if (!kept.isEmpty()) {
                try (PreparedStatement p = c.prepareStatement(INSERT)) {
                    for (GpuSample s : kept) {
                        p.setString(1, s.acceleratorId());
                        p.setLong(2, s.at().getEpochSecond());
                        p.setInt(3, s.at().getNano());
                        p.setDouble(4, power(s));
                        p.setLong(5, s.eccUncorrected());
                        p.setLong(6, now);
                        p.setString(7, s.acceleratorId());
                        p.addBatch();
                    }
                    p.executeBatch();
                }
                try (PreparedStatement p = c.prepareStatement(UPDATE)) {
                    for (GpuSample s : kept) {
                        p.setLong(1, s.at().getEpochSecond());
                        p.setInt(2, s.at().getNano());
                        p.setDouble(3, power(s));
                        p.setLong(4, s.eccUncorrected());
                        p.setLong(5, now);
                        p.setString(6, s.acceleratorId());
                        p.setLong(7, s.at().getEpochSecond());
                        p.setLong(8, s.at().getEpochSecond());
                        p.setInt(9, s.at().getNano());
                        p.addBatch();
                    }
                    p.executeBatch();
                }
            }
            if (!gone.isEmpty()) {
                try (PreparedStatement p = c.prepareStatement(DELETE)) {
                    for (Map.Entry<String, Instant> e : gone.entrySet()) {
                        p.setString(1, e.getKey());
                        p.setLong(2, e.getValue().getEpochSecond());
                        p.setLong(3, e.getValue().getEpochSecond());
                        p.setInt(4, e.getValue().getNano());
                        p.addBatch();
                    }
                    p.executeBatch();
                }
            }
            return null;
        });
    }

    /** A sample's power draw as stored: -1 where it reports none, a value that is not finite included (not every database keeps one). */
    private static double power(GpuSample s) {
        return Double.isFinite(s.powerWatts()) && s.powerWatts() >= 0 ? s.powerWatts() : -1;
    }
}
