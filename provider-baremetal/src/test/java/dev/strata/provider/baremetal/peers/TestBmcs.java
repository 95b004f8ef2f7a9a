package dev.strata.provider.baremetal.peers;

import dev.strata.provider.baremetal.bmc.BmcConfig;
import dev.strata.provider.baremetal.bmc.BmcSettings;
import dev.strata.provider.baremetal.bmc.ConfiguredBmc;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.osgi.util.converter.Converters;

/** BMC configurations for tests, built from a property map with the OSGi Converter as Configuration Admin would. */
public final class TestBmcs {

    private TestBmcs() {
    }

    public static BmcConfig config(Map<String, Object> properties) {
        return Converters.standardConverter().convert(properties).to(BmcConfig.class);
    }

    public static Map<String, Object> redfish(String name, String address, String user, String password) {
        Map<String, Object> p = new HashMap<>();
        p.put("name", name);
        p.put("address", address);
        p.put("protocol", "redfish");
        p.put("user", user);
        p.put(".password", password);
        p.put("requestTimeout", "10s");
        p.put("attempts", 3);
        return p;
    }

    public static Map<String, Object> ipmi(String name, String address, String user, String password) {
        Map<String, Object> p = new HashMap<>();
        p.put("name", name);
        p.put("address", address);
        p.put("protocol", "ipmi");
        p.put("user", user);
        p.put(".password", password);
        p.put("requestTimeout", "10s");
        return p;
    }

    public static BmcSettings settings(Map<String, Object> properties) {
        return BmcSettings.from(config(properties), "dev.strata.provider.bmc~" + properties.get("name"), Path.of("/nonexistent-etc"));
    }

    public static ConfiguredBmc bmc(Map<String, Object> properties) {
        return ConfiguredBmc.of(settings(properties));
    }
}
