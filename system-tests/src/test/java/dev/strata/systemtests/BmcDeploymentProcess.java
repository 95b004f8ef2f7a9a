package dev.strata.systemtests;

import dev.strata.platform.core.store.DataSources;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.StoreConfig;
import dev.strata.platform.core.store.StoreSettings;
import dev.strata.provider.baremetal.peers.TestBmcs;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.util.converter.Converters;

/**
 * Strata's deployment path onto BMC-managed machines as a process of its own, for the crash
 * test: opens the store and the BMC operation journal in their folders, deploys the contract
 * unless a deployment is stored already (a restart), and lets the reconciler run, printing each
 * change of state ({@code STATE d-000001 READY 1}). The test kills it with {@code kill -9}.
 * Arguments: data folder, journal folder, BMC address, BMC user, contract file; the BMC password
 * comes in the environment ({@value #PASSWORD_VARIABLE}), never on the command line. With the
 * system property {@value #STORE_URL} it is one instance ({@value #STORE_INSTANCE}) of a highly
 * available Strata on PostgreSQL (database password in {@value #DB_PASSWORD_VARIABLE}), its BMC
 * operations journalled in the store; {@value #FOLLOW} makes it a standby that deploys nothing, and
 * {@value #DEPLOY_AFTER} names a file the leader waits for before it deploys.
 */
public final class BmcDeploymentProcess {

    static final String PASSWORD_VARIABLE = "STRATA_TEST_BMC_PASSWORD";
    /** With these system properties the process is one instance of a highly available Strata on PostgreSQL. */
    static final String STORE_URL = "strata.test.store.url";
    static final String STORE_INSTANCE = "strata.test.store.instance";
    static final String DB_PASSWORD_VARIABLE = "STRATA_TEST_DB_PASSWORD";
    /** A standby: waits for the leader's deployment instead of deploying. */
    static final String FOLLOW = "strata.test.follow";
    /** The leader: deploys once this file exists. */
    static final String DEPLOY_AFTER = "strata.test.deployAfter";

    /** A PostgreSQL store with leader election (300 ms), as instance {@code instance}; the password in {@code etc/db-password}. */
    static JdbcStateStore haStore(String url, String instance, Path etc) {
        Map<String, Object> p = new HashMap<>();
        p.put("url", url);
        p.put("user", "strata");
        p.put("passwordFile", "db-password");
        p.put("instanceId", instance);
        p.put("advertisedAddress", instance + ".example:8101");
        p.put("highAvailability", true);
        p.put("electionInterval", "300ms");
        p.put("poolSize", 4);
        StoreSettings s = StoreSettings.from(Converters.standardConverter().convert(p).to(StoreConfig.class), etc, etc);
        return JdbcStateStore.open(s, DataSources.direct(s, new org.postgresql.osgi.PGDataSourceFactory()), Clock.systemUTC());
    }

    private BmcDeploymentProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        Path journal = Path.of(args[1]);
        String address = args[2];
        String user = args[3];
        Path contract = Path.of(args[4]);
        String password = System.getenv(PASSWORD_VARIABLE);
        String storeUrl = System.getProperty(STORE_URL);
        BmcStrata strata;
        if (storeUrl == null) {
            strata = new BmcStrata(data, journal, List.of(TestBmcs.redfish("sushy", address, user, password)), BmcStrata.SETTINGS);
        } else {
            // one instance of a highly available Strata on PostgreSQL, the BMC operations journalled in it
            java.nio.file.Files.createDirectories(data);
            java.nio.file.Files.writeString(data.resolve("db-password"), System.getenv(DB_PASSWORD_VARIABLE) + "\n");
            JdbcStateStore store = haStore(storeUrl, System.getProperty(STORE_INSTANCE), data);
            strata = BmcStrata.journallingInStore(store, journal, List.of(TestBmcs.redfish("sushy", address, user, password)), BmcStrata.SETTINGS);
            if (Boolean.getBoolean(FOLLOW)) {
                // a standby instance: it deploys nothing of its own, and resumes what the leader deployed once it leads
                System.out.println("FOLLOWING " + store.leadership().isLeader());
                System.out.flush();
                while (strata.engine.list().isEmpty()) {
                    Thread.sleep(20);
                }
            } else if (System.getProperty(DEPLOY_AFTER) != null) {
                // the first instance: says once it leads, then deploys when the test says so
                long end = System.nanoTime() + 20_000_000_000L;
                while (!store.leadership().isLeader() && System.nanoTime() < end) {
                    Thread.sleep(20);
                }
                System.out.println("LEADER " + store.leadership().isLeader());
                System.out.flush();
                Path go = Path.of(System.getProperty(DEPLOY_AFTER));
                while (!java.nio.file.Files.exists(go)) {
                    Thread.sleep(20);
                }
            }
        }
        DeploymentProcess.run(strata.engine, strata.reader, contract, true);
    }
}
