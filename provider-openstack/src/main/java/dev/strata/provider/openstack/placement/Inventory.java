package dev.strata.provider.openstack.placement;

import java.util.Objects;

/**
 * One resource class's inventory on one resource provider, as Placement holds it.
 *
 * @param resourceClass {@code VCPU}, {@code MEMORY_MB}, {@code PGPU}, {@code CUSTOM_...}
 * @param total the amount the provider has
 * @param reserved the part of it not for consumers
 * @param minUnit the least one allocation may take
 * @param maxUnit the most one allocation may take
 * @param stepSize allocations are multiples of it
 * @param allocationRatio overcommit factor
 */
public record Inventory(String resourceClass, long total, long reserved, long minUnit, long maxUnit, long stepSize,
        double allocationRatio) {

    public Inventory {
        Objects.requireNonNull(resourceClass, "resourceClass");
        if (total < 0 || reserved < 0 || minUnit < 1 || maxUnit < 1 || stepSize < 1 || !(allocationRatio > 0)) {
            throw new IllegalArgumentException("inventory " + resourceClass + " is malformed: total " + total + ", reserved " + reserved
                    + ", min_unit " + minUnit + ", max_unit " + maxUnit + ", step_size " + stepSize + ", allocation_ratio " + allocationRatio);
        }
    }

    /** An inventory with Placement's defaults (reserved 0, units 1..total, step 1, ratio 1.0). */
    public static Inventory of(String resourceClass, long total) {
        return new Inventory(resourceClass, total, 0, 1, Math.max(1, total), 1, 1.0);
    }

    /** What consumers may use in all: {@code int((total - reserved) * allocation_ratio)}, as Placement computes it. */
    public long capacity() {
        return Math.max(0, (long) Math.floor((total - reserved) * allocationRatio));
    }

    /** What is left when {@code used} is allocated. */
    public long free(long used) {
        return Math.max(0, capacity() - used);
    }

    /**
     * Whether one allocation of {@code amount} fits when {@code used} is allocated: Placement's
     * own test ({@code used + amount <= (total - reserved) * ratio}, {@code min_unit <= amount <= max_unit},
     * {@code amount % step_size == 0}). A sum past a long (a usage Placement gave as absurd as
     * {@value Long#MAX_VALUE}) fits nowhere; before, it wrapped round to a negative number, which fit.
     */
    public boolean admits(long used, long amount) {
        return amount >= minUnit && amount <= maxUnit && amount % stepSize == 0 && used <= Long.MAX_VALUE - amount
                && used + amount <= (total - reserved) * allocationRatio;
    }

    /** The largest single allocation that fits now, 0 when none. */
    public long largestAllocation(long used) {
        long most = Math.min(maxUnit, free(used));
        most -= most % stepSize;
        return most >= minUnit ? most : 0;
    }
}
