package dev.strata.platform.testkit;

import dev.strata.platform.api.inventory.ProviderRegistry;
import dev.strata.platform.api.inventory.ProviderStatus;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The core's {@link ProviderRegistry} as a provider uses it: to ask for its own rediscovery. It
 * lists no providers, and hands each {@link #refresh} request's provider id to the test, which
 * records it or runs the discovery the core would:
 *
 * <pre>
 * BlockingQueue&lt;String&gt; rediscovered = new LinkedBlockingQueue&lt;&gt;();
 * ProviderRegistry registry = new RefreshingRegistry(rediscovered::add);
 * </pre>
 *
 * {@code refresh} returns {@code null}: a provider asks for a rediscovery and does not wait on its
 * outcome.
 */
public final class RefreshingRegistry implements ProviderRegistry {

    private final Consumer<String> onRefresh;

    /** A registry that hands the id of each provider it is asked to rediscover to {@code onRefresh}. */
    public RefreshingRegistry(Consumer<String> onRefresh) {
        this.onRefresh = Objects.requireNonNull(onRefresh, "onRefresh");
    }

    @Override
    public List<ProviderStatus> providers() {
        return List.of();
    }

    @Override
    public Optional<ProviderStatus> provider(String id) {
        return Optional.empty();
    }

    @Override
    public ProviderStatus refresh(String id, Duration maxWait) {
        onRefresh.accept(id);
        return null;
    }
}
