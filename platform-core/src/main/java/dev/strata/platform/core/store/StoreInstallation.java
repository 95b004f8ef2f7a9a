package dev.strata.platform.core.store;

import dev.strata.platform.api.provisioning.Installation;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@link Installation} on Strata's state store: this installation's id is the id of the store's
 * provenance log, the label the deployment engine puts on every machine it has made. Registered
 * once the store is up.
 */
@Component(service = Installation.class, immediate = true)
public final class StoreInstallation implements Installation {

    private final StateStore store;

    @Activate
    public StoreInstallation(@Reference StateStore store) {
        this.store = store;
    }

    @Override
    public String id() {
        return store.info().logId();
    }

    @Override
    public String toString() {
        return "StoreInstallation[" + id() + "]";
    }
}
