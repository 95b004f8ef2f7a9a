package dev.strata.platform.api.placement;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Resources reserved for a placed contract in the allocation ledger.
 *
 * @param id the allocation id
 * @param contract the contract's name
 * @param tenant its tenant
 * @param priority its priority
 * @param dedicated whether its nodes are dedicated to the tenant
 * @param createdAt when it was committed
 * @param bindings what each member holds
 */
public record Allocation(String id, String contract, String tenant, int priority, boolean dedicated, Instant createdAt,
        List<MemberBinding> bindings) {
    public Allocation {
        Objects.requireNonNull(id, "id");
        bindings = List.copyOf(bindings);
    }
}
