package dev.strata.platform.core.placement;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.model.Quantities;
import dev.strata.platform.api.placement.InvalidQuotaException;
import dev.strata.platform.api.placement.MemberBinding;
import dev.strata.platform.api.placement.TenantUse;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How much each tenant's allocations may hold at once, in all: GPUs (a share or a partition
 * counts as its share of a GPU), CPUs and memory. Kept in the state store, as attributes of the
 * tenant's record ({@link #of(Collection)}; set through {@link PlacementService#setQuota}), so that
 * every instance holds placements to the same quotas. A tenant without a quota, or a resource
 * without a limit, is not limited. What a tenant holds is what the bindings of its allocations in
 * the ledger hold, wherever they are. {@link #parse} reads the form the retired configuration file
 * {@code etc/dev.strata.platform.core.quotas.cfg} wrote them in ({@code TENANT/RESOURCE=VALUE}
 * separated by commas), to tell an operator who still has one what to run instead. Immutable.
 */
public final class TenantQuotas {

    /** No quotas: every tenant unlimited. */
    public static final TenantQuotas NONE = new TenantQuotas(Map.of(), Map.of());

    /** The attributes of a tenant's record in the state store that hold its limits, as whole numbers. */
    static final String GPU_ATTRIBUTE = "quota.gpuMilli";
    static final String CPU_ATTRIBUTE = "quota.cpuMilli";
    static final String MEMORY_ATTRIBUTE = "quota.memoryBytes";
    private static final String ATTRIBUTE_PREFIX = "quota.";

    /** What {@link #limits} expects of each limit ({@link InvalidQuotaException} adds how to remove the quota). */
    static final String LIMITS_EXPECTED = "limits RESOURCE=VALUE, RESOURCE gpus (a number of GPUs, e.g. 64 or 2.5), cpu (e.g. 512 or "
            + "500m) or memory (e.g. 4TiB), each once";

    static final String PROPERTY = "tenantQuotas";

    private static final java.util.regex.Pattern GPU_AMOUNT = java.util.regex.Pattern.compile("[0-9]{1,40}(?:\\.[0-9]{1,40})?");

    static final String EXPECTED = "entries TENANT/RESOURCE=VALUE separated by commas, RESOURCE gpus (a number of GPUs, "
            + "e.g. 64 or 2.5), cpu (e.g. 512 or 500m) or memory (e.g. 4TiB), each tenant and resource once "
            + "(e.g. bank-risk/gpus=64, bank-risk/memory=4TiB)";

    /**
     * What a tenant may hold, or holds; -1 for a resource without a limit.
     *
     * @param gpuMilli GPUs in thousandths
     * @param cpuMilli CPUs in thousandths
     * @param memoryBytes memory in bytes
     */
    public record Limits(long gpuMilli, long cpuMilli, long memoryBytes) {

        static final Limits NONE = new Limits(-1, -1, -1);
        static final Limits ZERO = new Limits(0, 0, 0);

        Limits plus(Limits o) {
            return new Limits(Math.addExact(gpuMilli, o.gpuMilli), Math.addExact(cpuMilli, o.cpuMilli),
                    Math.addExact(memoryBytes, o.memoryBytes));
        }

        Limits minus(Limits o) {
            return new Limits(gpuMilli - o.gpuMilli, cpuMilli - o.cpuMilli, memoryBytes - o.memoryBytes);
        }

        /** The limit of a resource ({@code gpus}, {@code cpu}, or else {@code memory}); -1 without one. */
        long of(String resource) {
            return switch (resource) {
                case "gpus" -> gpuMilli;
                case "cpu" -> cpuMilli;
                default -> memoryBytes;
            };
        }

        /** These limits with a resource's ({@code gpus}, {@code cpu}, or else {@code memory}) set to {@code value}. */
        Limits with(String resource, long value) {
            return switch (resource) {
                case "gpus" -> new Limits(value, cpuMilli, memoryBytes);
                case "cpu" -> new Limits(gpuMilli, value, memoryBytes);
                default -> new Limits(gpuMilli, cpuMilli, value);
            };
        }
    }

    private final Map<String, Limits> byTenant;
    /** Tenants whose stored quota cannot be read, with why: every placement of theirs is refused, saying so. */
    private final Map<String, String> unreadable;

    private TenantQuotas(Map<String, Limits> byTenant, Map<String, String> unreadable) {
        this.byTenant = Collections.unmodifiableMap(new TreeMap<>(byTenant));
        this.unreadable = Collections.unmodifiableMap(new TreeMap<>(unreadable));
    }

    /**
     * The quotas the state store's tenant records hold. A record whose quota attributes cannot be
     * read (edited by hand, or written by a later version with limits this one does not know) holds
     * its tenant to nothing: its placements are refused, saying why, rather than let through
     * unlimited.
     */
    static TenantQuotas of(Collection<dev.strata.platform.core.store.Tenant> tenants) {
        Map<String, Limits> out = new TreeMap<>();
        Map<String, String> unreadable = new TreeMap<>();
        for (dev.strata.platform.core.store.Tenant t : tenants) {
            long gpu = -1;
            long cpu = -1;
            long memory = -1;
            boolean limited = false;
            String why = null;
            for (Map.Entry<String, String> a : t.attributes().entrySet()) {
                if (!a.getKey().startsWith(ATTRIBUTE_PREFIX)) {
                    continue;
                }
                limited = true;
                long v;
                try {
                    v = Long.parseLong(a.getValue() == null ? "" : a.getValue());
                } catch (NumberFormatException e) {
                    v = -1;
                }
                if (v < 0) {
                    why = "its attribute " + a.getKey() + " = '" + a.getValue() + "' is not a whole number of 0 or more";
                    continue;
                }
                switch (a.getKey()) {
                    case GPU_ATTRIBUTE -> gpu = v;
                    case CPU_ATTRIBUTE -> cpu = v;
                    case MEMORY_ATTRIBUTE -> memory = v;
                    default -> why = "its attribute " + a.getKey() + " is no limit this version of Strata reads (it reads " + GPU_ATTRIBUTE
                            + ", " + CPU_ATTRIBUTE + " and " + MEMORY_ATTRIBUTE + ")";
                }
            }
            if (why != null) {
                unreadable.put(t.id(), why);
                out.put(t.id(), Limits.ZERO);
            } else if (limited) {
                out.put(t.id(), new Limits(gpu, cpu, memory));
            }
        }
        return new TenantQuotas(out, unreadable);
    }

    /** The attributes of a tenant's record that hold these limits (none for a limit that is not set). */
    static Map<String, String> attributes(Limits limits) {
        Map<String, String> out = new TreeMap<>();
        if (limits.gpuMilli() >= 0) {
            out.put(GPU_ATTRIBUTE, Long.toString(limits.gpuMilli()));
        }
        if (limits.cpuMilli() >= 0) {
            out.put(CPU_ATTRIBUTE, Long.toString(limits.cpuMilli()));
        }
        if (limits.memoryBytes() >= 0) {
            out.put(MEMORY_ATTRIBUTE, Long.toString(limits.memoryBytes()));
        }
        return out;
    }

    /** What a tenant id that can have a quota is. */
    static final String TENANT_ID_EXPECTED = "1 to 256 characters, no control characters";

    /** Whether {@code tenant} can have a quota: {@link #TENANT_ID_EXPECTED}, and not blank. */
    static boolean isTenantId(String tenant) {
        return tenant != null && !tenant.isBlank() && tenant.length() <= 256 && tenant.chars().noneMatch(Character::isISOControl);
    }

    /** Whether an attribute of a tenant's record is part of its quota. */
    static boolean isQuotaAttribute(String name) {
        return name.startsWith(ATTRIBUTE_PREFIX);
    }

    /**
     * Reads the limits an operator gives a tenant ({@code gpus -> 64}, {@code memory -> 4TiB}); no
     * limits for none.
     *
     * @throws InvalidQuotaException naming the tenant, the limit that is wrong and what was expected
     * @throws IllegalArgumentException for a tenant id that cannot have a quota
     */
    static Limits limits(String tenant, Map<String, String> given) {
        if (!isTenantId(tenant)) {
            throw new IllegalArgumentException("tenant id '" + (tenant == null ? "" : InvalidConfigurationException.printable(tenant))
                    + "' cannot have a quota; expected the tenant's id as contracts name it: " + TENANT_ID_EXPECTED);
        }
        Limits out = Limits.NONE;
        for (Map.Entry<String, String> e : given.entrySet()) {
            String resource = e.getKey() == null ? "" : e.getKey().strip();
            String amount = e.getValue() == null ? "" : e.getValue().strip();
            long v;
            try {
                v = value(resource, amount);
            } catch (IllegalArgumentException ex) {
                throw new InvalidQuotaException(tenant, resource + "=" + amount + " is invalid: " + ex.getMessage(), LIMITS_EXPECTED);
            }
            if (out.of(resource) >= 0) {
                // the same resource under two keys (gpus and " gpus"): neither is taken silently over the other
                throw new InvalidQuotaException(tenant, resource + " is given twice", LIMITS_EXPECTED);
            }
            out = out.with(resource, v);
        }
        return out;
    }

    /** Limits as a provenance record states them: each one set, exactly, with its unit ({@code gpus: 2.5 GPUs}). */
    static Map<String, Object> stated(Limits limits) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (limits.gpuMilli() >= 0) {
            out.put("gpus", gpus(limits.gpuMilli()));
        }
        if (limits.cpuMilli() >= 0) {
            out.put("cpu", cpus(limits.cpuMilli()));
        }
        if (limits.memoryBytes() >= 0) {
            out.put("memory", memory(limits.memoryBytes()));
        }
        return out;
    }

    /** The tenants with a quota, and their limits. */
    public Map<String, Limits> all() {
        return byTenant;
    }

    /** The tenants whose quota in the state store cannot be read, each with why, by tenant. */
    Map<String, String> unreadable() {
        return unreadable;
    }

    /** Why a tenant's quota in the state store cannot be read; empty when it can, or it has none. */
    Optional<String> unreadable(String tenant) {
        return Optional.ofNullable(unreadable.get(tenant));
    }

    /** A tenant's quota, empty when it has none. */
    public Optional<Limits> of(String tenant) {
        return Optional.ofNullable(byTenant.get(tenant));
    }

    /**
     * Reads the configured value; blank for none.
     *
     * @throws InvalidConfigurationException naming the entry that is wrong and what was expected
     */
    public static TenantQuotas parse(String pid, String value) {
        if (value == null || value.isBlank()) {
            return NONE;
        }
        Map<String, Limits> out = new LinkedHashMap<>();
        for (String raw : entries(pid, value)) {
            String entry = raw.strip();
            int eq = entry.lastIndexOf('=');
            int slash = eq < 0 ? -1 : entry.lastIndexOf('/', eq);
            if (slash <= 0 || eq == entry.length() - 1) {
                throw new InvalidConfigurationException(pid, PROPERTY, entry, EXPECTED);
            }
            String tenant = entry.substring(0, slash).strip();
            String resource = entry.substring(slash + 1, eq).strip();
            String amount = entry.substring(eq + 1).strip();
            if (tenant.startsWith("\"")) {
                tenant = quoted(pid, entry, tenant);
            }
            if (tenant.isEmpty()) {
                throw new InvalidConfigurationException(pid, PROPERTY, entry, EXPECTED);
            }
            if (!isTenantId(tenant)) {
                // strata:quota, which takes these quotas over, refuses such an id: said here, not in the command it would fail
                throw new InvalidConfigurationException(pid, PROPERTY, entry, EXPECTED + "; a tenant id is " + TENANT_ID_EXPECTED);
            }
            Limits l = out.getOrDefault(tenant, Limits.NONE);
            long v = amount(pid, entry, resource, amount);
            if (l.of(resource) >= 0) {
                throw new InvalidConfigurationException(pid, PROPERTY, entry, EXPECTED + "; " + tenant + "/" + resource + " is given twice");
            }
            out.put(tenant, l.with(resource, v));
        }
        return new TenantQuotas(out, Map.of());
    }

    /**
     * The entries of the value, split at the commas outside double quotes: a tenant id holding a
     * comma (or a {@code /}, or leading or trailing spaces) is written in double quotes, a quote
     * inside doubled ({@code "acme, inc"/gpus=4}).
     */
    private static List<String> entries(String pid, String value) {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder entry = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                out.add(entry.toString());
                entry.setLength(0);
                continue;
            }
            entry.append(c);
        }
        if (quoted) {
            throw new InvalidConfigurationException(pid, PROPERTY, entry.toString().strip(), EXPECTED
                    + "; a tenant id in double quotes ends with a double quote");
        }
        out.add(entry.toString());
        return out;
    }

    /** A tenant id written in double quotes ({@code "acme, inc"}), a quote inside doubled; its spaces kept. */
    private static String quoted(String pid, String entry, String written) {
        StringBuilder tenant = new StringBuilder();
        int i = 1;
        for (; i < written.length(); i++) {
            char c = written.charAt(i);
            if (c == '"') {
                if (i + 1 < written.length() && written.charAt(i + 1) == '"') {
                    tenant.append('"');
                    i++;
                    continue;
                }
                break;
            }
            tenant.append(c);
        }
        if (i != written.length() - 1) {
            throw new InvalidConfigurationException(pid, PROPERTY, entry, EXPECTED
                    + "; a tenant id in double quotes is the whole of what stands before /RESOURCE, a quote inside it doubled");
        }
        return tenant.toString();
    }

    private static long amount(String pid, String entry, String resource, String amount) {
        try {
            return value(resource, amount);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(pid, PROPERTY, entry, EXPECTED + "; " + e.getMessage());
        }
    }

    /**
     * One limit's value: thousandths of GPUs, thousandths of CPUs or bytes.
     *
     * @throws IllegalArgumentException saying that the resource is none, or the amount not one of it
     */
    private static long value(String resource, String amount) {
        if (!resource.equals("gpus") && !resource.equals("cpu") && !resource.equals("memory")) {
            throw new IllegalArgumentException("'" + resource + "' is no resource");
        }
        try {
            switch (resource) {
                case "gpus" -> {
                    // digits with an optional fraction, as cpu and memory are written: BigDecimal alone takes +5, -0, 1e3 and .5
                    if (!GPU_AMOUNT.matcher(amount).matches()) {
                        throw new IllegalArgumentException("not a plain decimal number of GPUs");
                    }
                    BigDecimal gpus = new BigDecimal(amount);
                    BigDecimal milli = gpus.movePointRight(3);
                    if (gpus.signum() < 0 || milli.stripTrailingZeros().scale() > 0 || gpus.compareTo(BigDecimal.valueOf(1_000_000_000L)) > 0) {
                        throw new IllegalArgumentException("not a number of GPUs from 0 in steps of 0.001");
                    }
                    return milli.longValueExact();
                }
                case "cpu" -> {
                    return Quantities.cpuMilli(amount);
                }
                default -> {
                    return Quantities.bytes(amount);
                }
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + amount + "' is not an amount of " + resource);
        }
    }

    /** What each tenant holds ({@code held}: without quotas, by tenant), with the quotas, and the tenants with a quota that hold nothing. */
    List<TenantUse> with(List<TenantUse> held) {
        Map<String, TenantUse> out = new TreeMap<>();
        for (TenantUse u : held) {
            Limits q = byTenant.getOrDefault(u.tenant(), Limits.NONE);
            out.put(u.tenant(), new TenantUse(u.tenant(), u.allocations(), u.gpuMilli(), u.cpuMilli(), u.memoryBytes(), q.gpuMilli(),
                    q.cpuMilli(), q.memoryBytes()));
        }
        byTenant.forEach((t, q) -> out.putIfAbsent(t, new TenantUse(t, 0, 0, 0, 0, q.gpuMilli(), q.cpuMilli(), q.memoryBytes())));
        return List.copyOf(out.values());
    }

    /** What one binding holds towards its tenant's quota: its GPUs (each at its share, {@link TenantUse#gpuMilli}), CPU and memory. */
    static Limits held(MemberBinding b) {
        return new Limits(TenantUse.gpuMilli(b), b.cpuMilli(), b.memoryBytes());
    }

    /** What bindings hold together. */
    static Limits held(Collection<MemberBinding> bindings) {
        Limits sum = Limits.ZERO;
        for (MemberBinding b : bindings) {
            sum = sum.plus(held(b));
        }
        return sum;
    }

    /**
     * Why a tenant that holds {@code held} may not take {@code wanted} more, or empty when its quota
     * allows it (or it has none).
     */
    Optional<String> refusal(String tenant, Limits held, Limits wanted) {
        String why = unreadable.get(tenant);
        if (why != null) {
            return Optional.of("tenant " + tenant + "'s quota in the state store cannot be read: " + why + "; set it again with "
                    + "strata:quota");
        }
        return describe(tenant, held, wanted, true).map(over -> "tenant " + tenant + " would exceed its quota: " + over);
    }

    /**
     * What a placement that its tenant's quota allows takes of it, for the decision's evidence
     * ({@code tenant bank: 3 GPUs more on the 5 GPUs it holds, of 10 GPUs}), every limited resource
     * named; empty when the tenant has no quota.
     */
    Optional<String> evidence(String tenant, Limits held, Limits wanted) {
        return describe(tenant, held, wanted, false).map(within -> "tenant " + tenant + ": " + within);
    }

    /**
     * Each limited resource as {@code wanted more on the held it holds, of quota}: only those the
     * placement would take past their limit ({@code overOnly}), or all; empty when there are none.
     */
    private Optional<String> describe(String tenant, Limits held, Limits wanted, boolean overOnly) {
        Limits q = byTenant.get(tenant);
        if (q == null) {
            return Optional.empty();
        }
        StringBuilder out = new StringBuilder();
        describe(out, q.gpuMilli(), held.gpuMilli(), wanted.gpuMilli(), TenantQuotas::gpus, "", overOnly);
        describe(out, q.cpuMilli(), held.cpuMilli(), wanted.cpuMilli(), TenantQuotas::cpus, "", overOnly);
        describe(out, q.memoryBytes(), held.memoryBytes(), wanted.memoryBytes(), TenantQuotas::memory, " of memory", overOnly);
        return out.isEmpty() ? Optional.empty() : Optional.of(out.toString());
    }

    private static void describe(StringBuilder out, long quota, long held, long wanted, java.util.function.LongFunction<String> format,
            String unit, boolean overOnly) {
        // quota - held cannot overflow: both are 0 or more
        if (quota < 0 || overOnly && (wanted <= 0 || wanted <= quota - held)) {
            return;
        }
        if (!out.isEmpty()) {
            out.append("; ");
        }
        out.append(format.apply(wanted)).append(unit).append(" more on the ").append(format.apply(held)).append(unit)
                .append(" it holds, of ").append(format.apply(quota)).append(unit);
    }

    /** GPUs as the quota holds them, in thousandths written exactly: 1 GPU, 8 GPUs, 0.142 GPUs (two decimals could add up to the limit). */
    static String gpus(long milli) {
        return exact(milli) + (milli == 1000 ? " GPU" : " GPUs");
    }

    /** CPUs in thousandths written exactly: 1 CPU, 1.5 CPUs, 0.25 CPUs. */
    static String cpus(long milli) {
        return exact(milli) + (milli == 1000 ? " CPU" : " CPUs");
    }

    /** Memory in its largest binary unit where it is a whole number of it (4 TiB), else in bytes, exactly. */
    static String memory(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        String out = bytes + " B";
        for (int u = 0; u < units.length && bytes != 0 && bytes % (1L << (10 * (u + 1))) == 0; u++) {
            out = (bytes >> (10 * (u + 1))) + " " + units[u];
        }
        return out;
    }

    private static String exact(long milli) {
        return BigDecimal.valueOf(milli, 3).stripTrailingZeros().toPlainString();
    }
}
