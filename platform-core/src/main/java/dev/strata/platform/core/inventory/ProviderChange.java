package dev.strata.platform.core.inventory;

import dev.strata.platform.api.inventory.ProviderState;
import java.time.Instant;
import java.util.Objects;

/**
 * A change in a provider's life as the inventory saw it, for the provenance log.
 *
 * @param provider the provider id
 * @param event what happened: {@code registered}, {@code active}, {@code unavailable},
 *     {@code failed}, {@code departed}, {@code returned} (a swap: another service of the same id
 *     took over), {@code dropped} (its resources left the inventory after the grace period)
 * @param from the state before, or null for the first registration
 * @param to the state after
 * @param message the provider's explanation (a failure, why it is unavailable), or null
 * @param vendor the provider's vendor as registered, or null
 * @param version the version of the provider now registered, or null
 * @param previousVersion for {@code returned}: the version it replaces; otherwise null
 * @param bundle the bundle that registered it, or null once it departed
 * @param resources how many resources (nodes, GPUs, fabrics, pools) it contributes now
 * @param at when the inventory saw the change
 */
public record ProviderChange(String provider, String event, ProviderState from, ProviderState to, String message, String vendor,
        String version, String previousVersion, String bundle, int resources, Instant at) {

    public ProviderChange {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(at, "at");
    }

    /** One line for a reader of the log. */
    public String summary() {
        return switch (event) {
            case "registered" -> "provider " + provider + " (" + vendor + " " + version + ") registered";
            case "returned" -> "provider " + provider + " swapped: version " + version + " replaces " + previousVersion;
            case "departed" -> "provider " + provider + " departed; its " + resources + " resources stay, stale, until it returns or the grace "
                    + "period ends";
            case "dropped" -> "provider " + provider + ": its resources left the inventory (" + message + ")";
            case "active" -> "provider " + provider + " " + version + " is active with " + resources + " resources"
                    + (from == null ? "" : " (was " + from + ")");
            default -> "provider " + provider + " is " + to + (message == null ? "" : ": " + message);
        };
    }
}
