package dev.strata.platform.core.placement;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.core.provenance.ConfigurationRejections;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tenant quotas in force (configuration PID {@value #PID}), read by placement at every
 * decision: a change applies to the next decision, without restarting placement or what depends on
 * it. The component starts only on a configuration it can read (the features ship one, empty: no
 * limits), and placement only with it, so no placement is made before the quotas are known, whatever
 * order Config Admin delivers configurations in; without one (deleted), placement stops. A change
 * that cannot be read is rejected and the quotas before it stay in force. Config Admin's changes are
 * written to the provenance log by the configuration recorder. Thread-safe.
 */
@Component(service = TenantQuotaService.class, immediate = true, configurationPid = TenantQuotaService.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = TenantQuotaConfig.class)
public class TenantQuotaService {

    public static final String PID = "dev.strata.platform.core.quotas";

    private static final Logger LOG = LoggerFactory.getLogger(TenantQuotaService.class);

    private volatile TenantQuotas current;

    /** Where a refused change of the configuration is recorded, after Config Admin's record of it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    volatile ConfigurationRejections rejections;

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
            ConfigurationRejections.tell(rejections, PID, e.getMessage());
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
