package dev.strata.platform.shell;

import dev.strata.platform.api.inventory.Inventory;
import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes GPU ids from the inventory. */
@Service
public class GpuIdCompleter implements Completer {

    @Reference(optional = true)
    Inventory inventory;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter ids = new StringsCompleter();
        if (inventory != null) {
            inventory.snapshot().nodes().forEach(n -> n.accelerators().forEach(a -> ids.getStrings().add(a.id())));
        }
        return ids.complete(session, commandLine, candidates);
    }
}
