package dev.strata.platform.shell;

import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.placement.InvalidQuotaException;
import dev.strata.platform.api.placement.Placement;
import dev.strata.platform.api.placement.TenantUse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code strata:quota <tenant> gpus=64 memory=4TiB}: sets a tenant's quota in the state store, for
 * every instance; {@code --remove} removes it. The limits given replace the tenant's quota. A
 * tenant whose id starts with {@code -} is given after {@code --tenant}.
 */
@Service
@Command(scope = "strata", name = "quota", description = "Sets a tenant's quota in the state store, the same for every instance: what "
        + "its allocations may hold at once, in all (gpus=64 cpu=512 memory=4TiB). The limits given replace its quota; --remove removes "
        + "it. strata:tenants lists quotas; every change is in the provenance log (kind quota).")
public class QuotaCommand implements Action {

    static final String LIMITS = "RESOURCE=VALUE: gpus=64 (2.5 allowed), cpu=512 (or 500m), memory=4TiB";

    @Reference(optional = true)
    Placement placement;

    @Argument(index = 0, name = "tenant", description = "The tenant, as contracts name it (case included); one whose id starts with - "
            + "after --tenant")
    @Completion(TenantIdCompleter.class)
    String tenant;

    @Argument(index = 1, name = "limits", description = LIMITS + "; a resource not given is not limited", multiValued = true)
    List<String> limits;

    @Option(name = "--remove", description = "Remove the tenant's quota: none of its resources limited")
    boolean remove;

    /**
     * The tenant, for an id that starts with {@code -}: Karaf reads every word starting with
     * {@code -} before the first argument as an option, quoted or not, and refuses one it does not
     * know, so such a tenant cannot be the first argument.
     */
    @Option(name = "--tenant", description = "The tenant, for an id that starts with - (which the shell would read as an option): "
            + "strata:quota --tenant -ops gpus=8")
    @Completion(TenantIdCompleter.class)
    String tenantOption;

    @Override
    public Object execute() {
        List<String> words = new ArrayList<>();
        String id = tenant;
        if (tenantOption != null) {
            // the first argument Karaf hands over is then the first limit
            if (tenant != null) {
                words.add(tenant);
            }
            id = tenantOption;
        } else if (id == null) {
            throw new IllegalArgumentException("no tenant given; expected strata:quota TENANT " + LIMITS
                    + " (--tenant TENANT for an id that starts with -)");
        }
        words.addAll(limits == null ? List.of() : limits);
        // Karaf's parser hands an option written after the tenant to the limits: strata:quota bank --remove is meant as the option
        if (words.removeIf("--remove"::equals)) {
            remove = true;
        }
        if (words.isEmpty() && !remove) {
            throw new IllegalArgumentException("no limits given for tenant " + Format.visible(id) + "; expected " + LIMITS
                    + ", or --remove to remove its quota");
        }
        if (!words.isEmpty() && remove) {
            throw new IllegalArgumentException("--remove takes no limits; give either the limits (" + LIMITS + ") or --remove");
        }
        Map<String, String> given = new LinkedHashMap<>();
        for (String word : words) {
            int eq = word.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + Format.visible(word) + "' is not a limit; expected " + LIMITS);
            }
            String resource = word.substring(0, eq).strip();
            if (given.put(resource, word.substring(eq + 1)) != null) {
                throw new IllegalArgumentException(Format.visible(resource) + " is given twice; expected each resource once");
            }
        }
        TenantUse u;
        try {
            u = Services.require(placement, "placement service").setQuota(id, given);
        } catch (InvalidQuotaException e) {
            throw new IllegalArgumentException(forTheShell(e), e);
        } catch (StrataException e) {
            // a refusal quotes the tenant as typed (a tenant's user may not set a quota: "refused to set the quota of tenant ...")
            throw e.withMessage(Format.visible(e.getMessage()));
        }
        System.out.println(Format.visible(describe(u)));
        return null;
    }

    /**
     * Placement's refusal of a wrong limit, worded for the shell from its parts: placement's message
     * ends as its API has it (no limits remove the quota), while the shell refuses no limits and
     * removes a quota with {@code --remove}.
     */
    static String forTheShell(InvalidQuotaException e) {
        return Format.visible("quota of tenant " + e.tenant() + ": " + e.problem() + "; expected " + e.expected()
                + "; --remove to remove the quota");
    }

    /** Thousandths of a unit as a count: 1 GPU, 0 GPUs, 2.5 GPUs, 0.5 CPUs. */
    private static String count(long milli, String unit) {
        return TenantsCommand.thousandths(milli) + " " + unit + (milli == 1000 ? "" : "s");
    }

    /** What the tenant may hold now, and what it holds. */
    static String describe(TenantUse u) {
        List<String> quota = new ArrayList<>();
        if (u.gpuQuotaMilli() >= 0) {
            quota.add(count(u.gpuQuotaMilli(), "GPU"));
        }
        if (u.cpuQuotaMilli() >= 0) {
            quota.add(count(u.cpuQuotaMilli(), "CPU"));
        }
        if (u.memoryQuotaBytes() >= 0) {
            quota.add(Format.measuredBytesBeside(u.memoryQuotaBytes(), u.memoryBytes()) + " of memory");
        }
        String holds = "it holds " + count(u.gpuMilli(), "GPU") + ", " + count(u.cpuMilli(), "CPU") + ", "
                + Format.measuredBytesBeside(u.memoryBytes(), u.memoryQuotaBytes()) + " of memory in " + u.allocations() + (u.allocations() == 1 ? " allocation" : " allocations");
        return quota.isEmpty() ? "Quota of tenant " + u.tenant() + " removed: nothing limited (" + holds + ")"
                : "Quota of tenant " + u.tenant() + ": at most " + String.join(", ", quota) + " (" + holds + ")";
    }
}
