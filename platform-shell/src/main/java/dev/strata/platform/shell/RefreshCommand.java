package dev.strata.platform.shell;

import dev.strata.platform.api.exception.NotFoundException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderState;
import dev.strata.platform.api.inventory.ProviderStatus;
import dev.strata.platform.api.model.InventorySnapshot;
import dev.strata.platform.api.model.Quantities;
import java.time.Duration;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code strata:refresh [provider]}: rediscovers one provider or all of them now. */
@Service
@Command(scope = "strata", name = "refresh", description = "Rediscovers one provider, or every provider, now.")
public class RefreshCommand implements Action {

    @Reference(optional = true)
    ProviderRegistry registry;

    @Reference(optional = true)
    Inventory inventory;

    @Argument(index = 0, name = "provider", description = "The provider id (see strata:providers); all when omitted")
    @Completion(ProviderIdCompleter.class)
    String provider;

    @Option(name = "-w", aliases = "--wait", description = "How long to wait for a provider that is being replaced, e.g. 30s or 2m "
            + "(a bare number is seconds; default 30s)")
    String wait;

    /** How long {@code --wait} waits when it is not given. */
    static final String DEFAULT_WAIT = "30s";

    @Override
    public Object execute() {
        Duration maxWait = waitFor(wait == null ? DEFAULT_WAIT : wait);
        if (provider == null) {
            InventorySnapshot snapshot = Services.require(inventory, "inventory").refresh(maxWait);
            // read once: a provider that came or went between reads made the count, the problems and the failure disagree
            List<ProviderStatus> providers = Services.require(registry, "provider registry").providers();
            long failed = providers.stream().filter(p -> p.message() != null).count();
            System.out.printf("Refreshed %s: %s, %s%s%n", Format.count(providers.size(), "provider", "providers"),
                    Format.count(snapshot.nodes().size(), "node", "nodes"), Format.count(snapshot.sites().size(), "site", "sites"),
                    failed == 0 ? "" : "; " + failed + " reported a problem (see strata:providers)");
            failIfAnyFailed(providers);
        } else {
            ProviderStatus status;
            try {
                status = Services.require(registry, "provider registry").refresh(provider, maxWait);
            } catch (NotFoundException missing) {
                // the message quotes the id as typed
                throw missing.withMessage(Format.visible(missing.getMessage()));
            } catch (StrataException failed) {
                // a discovery that failed is thrown with the provider's own message, which need not name the provider: the
                // failure is in its status by then (the registry folds it in before the refresh returns), so the summary and
                // the error that names it are the same as for a status that came back FAILED. Anything else (a provider being
                // replaced that did not return in time), or a status whose failure is not this one, is passed on as it is
                ProviderStatus after = registry.provider(provider).orElse(null);
                if (after == null || after.state() != ProviderState.FAILED || after.message() == null || failed.getMessage() == null
                        || !after.message().contains(failed.getMessage())) {
                    throw failed.withMessage(Format.visible(failed.getMessage()));
                }
                status = after;
            }
            System.out.println(Format.visible(summary(status)));
            failIfAnyFailed(List.of(status));
        }
        return null;
    }

    /**
     * The {@code --wait}: a duration as {@code --timeout} of strata:deploy takes ({@code 3s},
     * {@code 500ms}, {@code 2m}), a bare number being seconds as the option once took only. Karaf
     * refused {@code --wait 3s} itself ("unable to convert option -w with value '3s' to type int"),
     * naming neither what was expected nor that the other options take durations.
     */
    static Duration waitFor(String value) {
        try {
            return Quantities.duration(value);
        } catch (IllegalArgumentException e) {
            // the message quotes the value as typed
            throw new IllegalArgumentException(Format.visible("--wait: " + e.getMessage() + "; a bare number is seconds (--wait 30 is "
                    + "--wait 30s)"), e);
        }
    }

    /**
     * The line that says what the refresh of one provider did. A provider's resource count, the
     * time of its last discovery and how long that took are those of its last successful
     * discovery: after a failed one they are not this refresh's, and the line says so, with when
     * that discovery was (or that none has succeeded yet), rather than reading as if this refresh
     * had found them.
     */
    static String summary(ProviderStatus status) {
        String why = status.message() == null ? "" : " (" + status.message() + ")";
        if (status.state() != ProviderState.FAILED) {
            return String.format("%s %s: %s, %s in %s%s", status.id(), status.version(), status.state(),
                    Format.count(status.resources(), "resource", "resources"), Format.millis(status.lastDiscoveryTime()), why);
        }
        String kept = status.lastDiscovery() == null ? "no discovery of it has succeeded yet"
                : "kept from its last successful discovery, at " + Format.time(status.lastDiscovery()) + " (took "
                        + Format.millis(status.lastDiscoveryTime()) + "): " + Format.count(status.resources(), "resource", "resources");
        return String.format("%s %s: discovery FAILED%s; %s", status.id(), status.version(), why, kept);
    }

    /**
     * Fails, after the summary, when a provider's discovery threw or overran its deadline (FAILED),
     * so that Karaf's client exits 1 and a script does not go on with a stale inventory. A provider
     * that answered that it sees nothing here (UNAVAILABLE, say no GPU driver) did not fail.
     */
    private static void failIfAnyFailed(List<ProviderStatus> providers) {
        List<String> failed = providers.stream().filter(p -> p.state() == ProviderState.FAILED)
                .map(p -> p.id() + (p.message() == null ? "" : " (" + p.message() + ")")).toList();
        if (!failed.isEmpty()) {
            throw new IllegalStateException(Format.visible("discovery failed for " + (failed.size() == 1 ? "provider " : "providers ")
                    + String.join(", ", failed) + "; what each discovered before is kept, stale (see strata:providers)"));
        }
    }
}
