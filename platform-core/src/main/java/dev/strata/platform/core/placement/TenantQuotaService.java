package dev.strata.platform.core.placement;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tenant quotas in force (configuration PID {@value #PID}), read by placement at every
 * decision: a change applies to the next decision, without restarting placement or what depends on
 * it. A configuration that cannot be read stops the component from starting, and with it placement
 * (no placement is made unchecked); a change that cannot be read is rejected and the quotas before it
 * stay in force. Config Admin's changes are written to the provenance log by the configuration
 * recorder. Thread-safe.
 */
@Component(service = TenantQuotaService.class, immediate = true, configurationPid = TenantQuotaService.PID)
@Designate(ocd = TenantQuotaConfig.class)
public class TenantQuotaService {

    public static final String PID = "dev.strata.platform.core.quotas";

    private static final Logger LOG = LoggerFactory.getLogger(TenantQuotaService.class);

    private volatile TenantQuotas current;

    @Activate
    public TenantQuotaService(TenantQuotaConfig config) {
        current = TenantQuotas.parse(PID, config.tenantQuotas());
        log();
    }

    @Modified
    void modified(TenantQuotaConfig config) {
        try {
            current = TenantQuotas.parse(PID, config.tenantQuotas());
            log();
        } catch (InvalidConfigurationException e) {
            LOG.error("Configuration change rejected, the tenant quotas before it stay in force: {}", e.getMessage());
        }
    }

    private void log() {
        LOG.info("Tenant quotas: {}", current.all().isEmpty() ? "none" : current.all().size() + " tenants limited");
    }

    /** The quotas in force. */
    public TenantQuotas current() {
        return current;
    }
}
