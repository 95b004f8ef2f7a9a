package dev.strata.platform.api.inventory;

import dev.strata.platform.api.provider.Capability;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A provider as the core sees it.
 *
 * @param id the provider id
 * @param vendor the vendor
 * @param version the provider's version (its bundle's, unless it sets one)
 * @param bundle the symbolic name of the bundle that registered it, or null when departed
 * @param capabilities the SPIs it registered
 * @param state its state
 * @param since when it entered that state
 * @param lastDiscovery when its last successful discovery finished, or null
 * @param lastDiscoveryTime how long that discovery took, or null
 * @param generation the generation of its last successful snapshot, 0 before the first
 * @param resources how many nodes, accelerators, fabrics and pools its last snapshot held
 * @param message why it is FAILED or UNAVAILABLE, or null
 * @param swaps how many times a new registration replaced a departed one
 * @param warnings what did not fail the provider but needs a look, one sentence each: problems
 *     its last snapshots reported, and what the inventory could not reconcile about its
 *     resources (facts that conflict with another provider's, accelerators attached to no node)
 * @param description what the provider says it is connected to
 *     ({@link dev.strata.platform.api.provider.DescribedProvider}), or null
 */
public record ProviderStatus(
        String id,
        String vendor,
        String version,
        String bundle,
        Set<Capability> capabilities,
        ProviderState state,
        Instant since,
        Instant lastDiscovery,
        Duration lastDiscoveryTime,
        long generation,
        int resources,
        String message,
        int swaps,
        List<String> warnings,
        String description) {

    public ProviderStatus {
        Objects.requireNonNull(id, "id");
        capabilities = Set.copyOf(capabilities);
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
        warnings = List.copyOf(warnings);
    }

    /**
     * A status without warnings.
     *
     * @deprecated kept for code built against the first API
     */
    @Deprecated
    public ProviderStatus(String id, String vendor, String version, String bundle, Set<Capability> capabilities, ProviderState state,
            Instant since, Instant lastDiscovery, Duration lastDiscoveryTime, long generation, int resources, String message, int swaps) {
        this(id, vendor, version, bundle, capabilities, state, since, lastDiscovery, lastDiscoveryTime, generation, resources, message,
                swaps, List.of(), null);
    }
}
