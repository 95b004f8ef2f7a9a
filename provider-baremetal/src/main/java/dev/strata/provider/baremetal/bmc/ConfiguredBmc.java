package dev.strata.provider.baremetal.bmc;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.provider.baremetal.ipmi.IpmiBmc;
import dev.strata.provider.baremetal.ipmi.IpmiTool;
import dev.strata.provider.baremetal.redfish.RedfishBmc;
import dev.strata.provider.baremetal.redfish.RedfishClient;
import java.nio.file.Path;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One configured BMC ({@code etc/dev.strata.provider.bmc-<name>.cfg}). A configuration with
 * errors still registers, holding the error, so that the provider reports it on that BMC's node
 * (UNAVAILABLE, with the message) instead of the BMC silently missing; the error is also logged.
 */
@Component(service = ConfiguredBmc.class, configurationPid = ConfiguredBmc.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = BmcConfig.class, factory = true)
public final class ConfiguredBmc {

    public static final String PID = "dev.strata.provider.bmc";
    private static final Logger LOG = LoggerFactory.getLogger(ConfiguredBmc.class);

    private final String pid;
    private final BmcSettings settings;
    private final InvalidConfigurationException problem;
    private final String fallbackName;
    private final String fallbackSite;
    private volatile Bmc bmc;

    @Activate
    public ConfiguredBmc(BmcConfig config, Map<String, Object> properties) {
        this(config, String.valueOf(properties.getOrDefault("service.pid", PID)), Path.of(System.getProperty("karaf.etc", "etc")));
    }

    ConfiguredBmc(BmcConfig config, String pid, Path etc) {
        this.pid = pid;
        BmcSettings s = null;
        InvalidConfigurationException p = null;
        try {
            s = BmcSettings.from(config, pid, etc);
            LOG.info("BMC {} at {} ({}), site {}", s.name(), s.address(), s.protocol(), s.siteId());
        } catch (InvalidConfigurationException e) {
            p = e;
            LOG.error("BMC configuration rejected: {}", e.getMessage());
        }
        this.settings = s;
        this.problem = p;
        String name = config.name() == null || config.name().isBlank() ? lastPart(pid) : config.name().trim();
        this.fallbackName = name.replaceAll("[^A-Za-z0-9._-]", "_");
        this.fallbackSite = config.site() == null || config.site().isBlank() ? "local" : config.site().trim();
    }

    /** A BMC made from settings directly (tests, benchmarks). */
    public static ConfiguredBmc of(BmcSettings settings) {
        return new ConfiguredBmc(settings);
    }

    private ConfiguredBmc(BmcSettings settings) {
        this.pid = settings.pid();
        this.settings = settings;
        this.problem = null;
        this.fallbackName = settings.name();
        this.fallbackSite = settings.siteId();
    }

    /** The configuration PID. */
    public String pid() {
        return pid;
    }

    /** The BMC's name (from the configuration, even when it has errors). */
    public String name() {
        return settings != null ? settings.name() : fallbackName;
    }

    /** The validated settings, or null when the configuration has errors. */
    public BmcSettings settings() {
        return settings;
    }

    /** What is wrong with the configuration, or null. */
    public InvalidConfigurationException problem() {
        return problem;
    }

    /** The template of this BMC's nodes. */
    public NodeTemplate template(String providerId) {
        if (settings == null) {
            return new NodeTemplate(providerId, fallbackName, "(invalid configuration " + pid + ")", "unknown", fallbackSite, null);
        }
        return new NodeTemplate(providerId, settings.name(), settings.address(), settings.protocol(), settings.siteId(), settings.powerDomainId());
    }

    /**
     * The BMC, connected on first use.
     *
     * @throws InvalidConfigurationException when the configuration has errors
     */
    public Bmc bmc() {
        if (problem != null) {
            throw problem;
        }
        Bmc b = bmc;
        if (b == null) {
            synchronized (this) {
                b = bmc;
                if (b == null) {
                    b = settings.redfish() != null
                            ? new RedfishBmc(RedfishClient.open(settings.redfish(), pid))
                            : new IpmiBmc(new IpmiTool(settings.ipmitool(), settings.ipmi()));
                    bmc = b;
                }
            }
        }
        return b;
    }

    @Deactivate
    public void close() {
        Bmc b = bmc;
        bmc = null;
        if (b != null) {
            b.close();
        }
    }

    private static String lastPart(String pid) {
        int tilde = Math.max(pid.lastIndexOf('~'), pid.lastIndexOf('.'));
        return tilde < 0 ? pid : pid.substring(tilde + 1);
    }

    @Override
    public String toString() {
        return "ConfiguredBmc[" + name() + " " + pid + "]";
    }
}
