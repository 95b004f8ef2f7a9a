package dev.strata.platform.core.placement;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of tenant quotas ({@code etc/dev.strata.platform.core.quotas.cfg}). */
@ObjectClassDefinition(name = "Strata tenant quotas", description = "What each tenant's allocations may hold in all.")
public @interface TenantQuotaConfig {

    @AttributeDefinition(description = "TENANT/RESOURCE=VALUE entries separated by commas, RESOURCE gpus (a share or partition "
            + "counts as its share), cpu or memory, e.g. bank-risk/gpus=64, bank-risk/memory=4TiB. A tenant or resource without an "
            + "entry is not limited; empty for no quotas.")
    String tenantQuotas() default "";
}
