package dev.strata.platform.core.store;

/**
 * The state store's settings in force, as a service of the core's own ({@link StoreConfiguration}
 * registers it, {@link StoreComponent} opens the store with it): a new service stands for each
 * valid change that alters them, so that the store is made again only then, never on a change its
 * configuration refuses.
 */
public final class StoreSettingsInForce {

    private final StoreSettings settings;

    StoreSettingsInForce(StoreSettings settings) {
        this.settings = settings;
    }

    public StoreSettings settings() {
        return settings;
    }
}
