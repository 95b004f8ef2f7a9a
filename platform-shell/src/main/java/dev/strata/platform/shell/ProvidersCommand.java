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
import org.apache.karaf.shell.support.table.ShellTable;

/** {@code strata:providers}: every provider with its state and last discovery. */
@Service
@Command(scope = "strata", name = "providers", description = "Lists the providers: id, vendor, version, capabilities, state, last discovery, what each is connected to.")
public class ProvidersCommand implements Action {

    @Reference(optional = true)
    ProviderRegistry registry;

    @Option(name = "--no-format", description = "Plain output without table borders, for scripts")
    boolean noFormat;

    @Override
    public Object execute() {
        List<ProviderStatus> providers = Services.require(registry, "provider registry").providers();
        Instant now = Instant.now();
        ShellTable table = new ShellTable();
        table.column("ID");
        table.column("VENDOR");
        table.column("VERSION");
        table.column("CAPABILITIES");
        table.column("STATE");
        table.column("LAST DISCOVERY");
        table.column("TOOK");
        table.column("RESOURCES");
        table.column("SWAPS");
        table.column("MESSAGE");
        table.column("DETAILS");
        for (ProviderStatus p : providers) {
            table.addRow().addContent(p.id(), Format.orDash(p.vendor()), Format.orDash(p.version()), Format.join(p.capabilities()),
                    p.state(), Format.ago(p.lastDiscovery(), now), Format.millis(p.lastDiscoveryTime()), p.resources(), p.swaps(),
                    Format.orDash(p.message()), Format.orDash(p.description()));
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
