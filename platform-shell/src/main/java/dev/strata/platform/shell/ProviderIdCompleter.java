package dev.strata.platform.shell;

import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderStatus;
import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes provider ids. */
@Service
public class ProviderIdCompleter implements Completer {

    @Reference(optional = true)
    ProviderRegistry registry;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter ids = new StringsCompleter();
        if (registry != null) {
            registry.providers().stream().map(ProviderStatus::id).forEach(ids.getStrings()::add);
        }
        return ids.complete(session, commandLine, candidates);
    }
}
