package dev.strata.platform.shell;

import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderStatus;
import java.time.Instant;
import java.util.List;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code strata:providers}: every provider with its state and last discovery. */
@Service
@Command(scope = "strata", name = "providers", description = "Lists the providers: id, vendor, version, capabilities, state, last discovery, what each is connected to, and what the inventory could not reconcile (warnings).")
public class ProvidersCommand implements Action {

    @Reference(optional = true)
    ProviderRegistry registry;

    @Option(name = "--no-format", description = "Plain output without table borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() {
        List<ProviderStatus> providers = Services.require(registry, "provider registry").providers();
        Instant now = Instant.now();
        Table table = new Table("ID", "VENDOR", "VERSION", "CAPABILITIES", "STATE", "LAST DISCOVERY", "TOOK", "RESOURCES", "SWAPS",
                "MESSAGE", "DETAILS", "WARNINGS").emptyText("No providers registered (is a strata-provider-* feature installed? see feature:list).");
        for (ProviderStatus p : providers) {
            // bordered: the count here, the warnings below the table; --no-format: all of them in the record
            String warnings = p.warnings().isEmpty() ? "-" : noFormat ? String.join(" | ", p.warnings()) : String.valueOf(p.warnings().size());
            table.row(p.id(), Format.orDash(p.vendor()), Format.orDash(p.version()), Format.join(p.capabilities()),
                    p.state(), Format.ago(p.lastDiscovery(), now), Format.millis(p.lastDiscoveryTime()), p.resources(), p.swaps(),
                    Format.orDash(p.message()), Format.orDash(p.description()), warnings);
        }
        table.print(System.out, noFormat);
        if (!noFormat && providers.stream().anyMatch(p -> !p.warnings().isEmpty())) {
            System.out.println();
            System.out.println("Warnings");
            for (ProviderStatus p : providers) {
                p.warnings().forEach(w -> System.out.println("  " + Format.visible(p.id() + ": " + w)));
            }
        }
        return null;
    }
}
