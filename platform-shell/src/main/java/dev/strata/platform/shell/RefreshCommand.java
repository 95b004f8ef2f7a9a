package dev.strata.platform.shell;

import dev.strata.platform.api.inventory.Inventory;
import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderStatus;
import dev.strata.platform.api.model.InventorySnapshot;
import java.time.Duration;
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

    @Option(name = "-w", aliases = "--wait", description = "Seconds to wait for a provider that is being replaced")
    int waitSeconds = 30;

    @Override
    public Object execute() {
        if (waitSeconds < 0) {
            throw new IllegalArgumentException("--wait " + waitSeconds + " is negative; expected seconds, 0 or more");
        }
        Duration wait = Duration.ofSeconds(waitSeconds);
        if (provider == null) {
            InventorySnapshot snapshot = Services.require(inventory, "inventory").refresh(wait);
            long failed = Services.require(registry, "provider registry").providers().stream()
                    .filter(p -> p.message() != null).count();
            System.out.printf("Refreshed %s: %s, %s%s%n", Format.count(registry.providers().size(), "provider", "providers"),
                    Format.count(snapshot.nodes().size(), "node", "nodes"), Format.count(snapshot.sites().size(), "site", "sites"),
                    failed == 0 ? "" : "; " + failed + " reported a problem (see strata:providers)");
        } else {
            ProviderStatus status = Services.require(registry, "provider registry").refresh(provider, wait);
            System.out.println(Format.visible(String.format("%s %s: %s, %s in %s%s", status.id(), status.version(), status.state(),
                    Format.count(status.resources(), "resource", "resources"),
                    Format.millis(status.lastDiscoveryTime()), status.message() == null ? "" : " (" + status.message() + ")")));
        }
        return null;
    }
}
