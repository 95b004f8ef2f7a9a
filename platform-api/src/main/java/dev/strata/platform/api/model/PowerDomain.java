package dev.strata.platform.api.model;

/**
 * A rack, PDU or hall with a power budget; nodes belong to one.
 *
 * @param id unique id
 * @param kind e.g. {@code rack}, {@code pdu}, {@code hall}
 * @param siteId the site
 * @param parentId the enclosing domain, or null
 * @param budgetWatts the budget in watts
 */
public record PowerDomain(String id, String kind, String siteId, String parentId, long budgetWatts) {
    public PowerDomain {
        Checks.requireText(id, "powerDomain.id");
        Checks.requireNonNegative(budgetWatts, "powerDomain.budgetWatts");
    }
}
