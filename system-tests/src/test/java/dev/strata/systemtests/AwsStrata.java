package dev.strata.systemtests;

import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.core.contract.ContractDocumentReader;
import dev.strata.platform.core.deployment.DeploymentEngine;
import dev.strata.platform.core.deployment.DeploymentSettings;
import dev.strata.platform.core.deployment.ProvisioningProviders;
import dev.strata.platform.core.placement.PlacementEngines;
import dev.strata.platform.core.store.DataSources;
import dev.strata.platform.core.store.JdbcStateStore;
import dev.strata.platform.core.store.StoreConfig;
import dev.strata.platform.core.store.StoreSettings;
import dev.strata.provider.aws.AwsConfig;
import dev.strata.provider.aws.AwsProvider;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.osgi.util.converter.Converters;

/**
 * Strata's deployment path, outside OSGi, with the real parts: the embedded state store in a
 * folder (H2, as the distribution uses it), the AWS provider (the bundle's classes, configured as
 * Config Admin would) against an EC2 endpoint, the real placement engine over the store's durable
 * ledger, and the deployment
 * engine with its reconciler. The inventory is the provider's compute and fabric discovery taken
 * as the snapshot (the OSGi inventory service merges several providers; here there is one).
 */
final class AwsStrata implements AutoCloseable {

    static final DeploymentSettings SETTINGS = new DeploymentSettings(Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(20),
            Duration.ofMillis(200), Duration.ofSeconds(2), 8, true);

    final JdbcStateStore store;
    final AwsProvider aws;
    final ProviderInventory inventory;
    final Placement placement;
    final ProvisioningProviders providers = new ProvisioningProviders();
    final DeploymentEngine engine;
    final ContractDocumentReader reader = new ContractDocumentReader();

    AwsStrata(Path data, URI endpoint, int quota, DeploymentSettings settings) {
        this(data, endpoint, quota, settings, UnaryOperator.identity());
    }

    /** With {@code around} put around the placement service the deployment engine uses (a crash test's halt). */
    AwsStrata(Path data, URI endpoint, int quota, DeploymentSettings settings, UnaryOperator<Placement> around) {
        this.store = openStore(data);
        this.aws = new AwsProvider(awsConfig(endpoint, quota));
        this.inventory = new ProviderInventory(aws, aws);
        // the durable ledger in the store, as Strata runs it: what a process placed is there after a kill
        this.placement = around.apply(PlacementEngines.durable(inventory, store, "strata", Clock.systemUTC(), 0));
        providers.add("aws", 1, aws);
        this.engine = new DeploymentEngine(store, placement, inventory, providers, null, settings, Clock.systemUTC());
    }

    static Map<String, Object> awsProperties(URI endpoint, int quota) {
        Map<String, Object> p = new HashMap<>();
        p.put("strata.provider.id", "aws");
        p.put("regions", new String[] {"eu-central-1", "us-east-1"});
        p.put("endpoint", endpoint.toString());
        p.put("accessKeyId", "AKIATESTKEYID0000000");
        p.put(".secretAccessKey", "moto-does-not-check-this-secret");
        p.put("instanceTypes", new String[] {"p4d.24xlarge"});
        p.put("quotas", new String[] {"*=" + quota});
        p.put("images", new String[] {"eu-central-1=ami-03cf127a", "us-east-1=ami-03cf127a"});
        p.put("requestTimeout", "10s");
        return p;
    }

    static AwsConfig awsConfig(URI endpoint, int quota) {
        return Converters.standardConverter().convert(awsProperties(endpoint, quota)).to(AwsConfig.class);
    }

    static JdbcStateStore openStore(Path data) {
        Map<String, Object> p = new HashMap<>();
        p.put("instanceId", "system-test");
        StoreConfig config = Converters.standardConverter().convert(p).to(StoreConfig.class);
        StoreSettings s = StoreSettings.from(config, data, data);
        return JdbcStateStore.open(s, DataSources.direct(s, new org.h2.util.OsgiDataSourceFactory(new org.h2.Driver())), Clock.systemUTC());
    }

    /** A contract of {@code n} members, each a whole p4d.24xlarge (8 GPUs), with extra top-level clauses. */
    static String contract(String name, int n, String extra) {
        return "name: " + name + "\ntenant: bank-risk\n" + extra + "\nmembers:\n  - {name: trainer, replicas: " + n
                + ", gpus: {count: 8}}\n";
    }

    @Override
    public void close() {
        engine.close();
        store.close();
    }
}
