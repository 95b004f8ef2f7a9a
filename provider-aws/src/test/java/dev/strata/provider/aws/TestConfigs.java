package dev.strata.provider.aws;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.osgi.util.converter.Converters;

/** Builds the provider's configuration from a map, as Config Admin would hand it over. */
final class TestConfigs {

    private TestConfigs() {
    }

    static AwsConfig config(Map<String, ?> properties) {
        return Converters.standardConverter().convert(properties).to(AwsConfig.class);
    }

    static AwsSettings settings(Map<String, ?> properties) {
        return AwsSettings.from(config(properties), Path.of("target"));
    }

    /** A provider on moto with static test credentials, the given extra properties on top. */
    /** The secret access key the test configurations give (moto does not check it): never shown, as any secret. */
    static final String SECRET_ACCESS_KEY = "moto-does-not-check-this-secret";

    static Map<String, Object> moto(Moto moto, Object... keyValues) {
        Map<String, Object> p = new HashMap<>();
        p.put("strata.provider.id", "aws");
        p.put("regions", new String[] {"eu-central-1", "us-east-1"});
        p.put("endpoint", moto.endpoint().toString());
        p.put("accessKeyId", "AKIATESTKEYID0000000");
        p.put(".secretAccessKey", SECRET_ACCESS_KEY);
        p.put("quotas", new String[] {"*=16"});
        p.put("images", new String[] {"eu-central-1=ami-03cf127a", "us-east-1=ami-03cf127a"});
        p.put("requestTimeout", "20s");
        for (int i = 0; i < keyValues.length; i += 2) {
            p.put((String) keyValues[i], keyValues[i + 1]);
        }
        return p;
    }
}
