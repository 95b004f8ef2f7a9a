package dev.strata.platform.shell;

import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.TenantUse;
import java.util.Map;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code strata:tenants}: what each tenant's allocations hold in all, against its quota. */
@Service
@Command(scope = "strata", name = "tenants", description = "Lists what each tenant's allocations hold in all (GPUs, CPUs, memory) and its "
        + "quota (set with strata:quota, kept in the state store).")
public class TenantsCommand implements Action {

    @Reference(optional = true)
    Placement placement;

    @Option(name = "--no-format", description = "Plain output without table borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() {
        Table table = new Table("TENANT", "ALLOCATIONS", "GPUS", "GPU QUOTA", "CPUS", "CPU QUOTA", "MEMORY", "MEMORY QUOTA")
                .emptyText("No tenant holds an allocation or has a quota.");
        Placement p = Services.require(placement, "placement service");
        // a quota that cannot be read holds its tenant to nothing: shown as such, not as a quota of 0 someone set
        Map<String, String> unreadable = p.unreadableQuotas();
        for (TenantUse u : p.tenants()) {
            boolean unread = unreadable.containsKey(u.tenant());
            table.row(u.tenant(), u.allocations(), thousandths(u.gpuMilli()),
                    unread ? UNREADABLE : limit(u.gpuQuotaMilli(), thousandths(u.gpuQuotaMilli())), thousandths(u.cpuMilli()),
                    unread ? UNREADABLE : limit(u.cpuQuotaMilli(), thousandths(u.cpuQuotaMilli())),
                    unread ? Format.measuredBytes(u.memoryBytes()) : Format.measuredBytesBeside(u.memoryBytes(), u.memoryQuotaBytes()),
                    unread ? UNREADABLE : limit(u.memoryQuotaBytes(), Format.measuredBytesBeside(u.memoryQuotaBytes(), u.memoryBytes())));
        }
        table.print(System.out, noFormat);
        unreadable.forEach((tenant, why) -> System.out.println(Format.visible("Tenant " + tenant + "'s quota in the state store cannot be "
                + "read: " + why + "; its placements are refused until it is set again with strata:quota")));
        return null;
    }

    /** What a quota column shows for a tenant whose quota in the state store cannot be read. */
    static final String UNREADABLE = "unreadable";

    /** A whole number as it is, else up to three decimals: 2, 2.5, 0.143. */
    static String thousandths(long milli) {
        if (milli % 1000 == 0) {
            return String.valueOf(milli / 1000);
        }
        return new java.math.BigDecimal(milli).movePointLeft(3).stripTrailingZeros().toPlainString();
    }

    private static String limit(long quota, String text) {
        return quota < 0 ? "-" : text;
    }
}
