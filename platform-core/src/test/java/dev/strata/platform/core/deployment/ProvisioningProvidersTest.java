package dev.strata.platform.core.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The running provisioning providers, by id, as their services come and go. */
class ProvisioningProvidersTest {

    /**
     * Two registrations of one provider id (a new version that registers before the old one
     * leaves, or the other way round): the newer serves, and whichever leaves, the one that is
     * still registered serves. Before, the older one was forgotten when the newer registered, and
     * once the newer left the id had no provider although one was still registered.
     */
    @Test
    void theRegistrationThatStaysServesWhicheverOfTwoLeaves() {
        ScriptedProvider older = new ScriptedProvider("lab");
        ScriptedProvider newer = new ScriptedProvider("lab");
        ProvisioningProviders providers = new ProvisioningProviders();
        providers.add("lab", 7, older);
        providers.add("lab", 9, newer);
        assertThat(providers.get("lab")).containsSame(newer);
        assertThat(providers.all()).containsOnlyKeys("lab").containsEntry("lab", newer);

        providers.remove("lab", 9);
        assertThat(providers.get("lab")).containsSame(older);

        providers.add("lab", 11, newer);
        providers.remove("lab", 7);
        assertThat(providers.get("lab")).containsSame(newer);
        providers.remove("lab", 11);
        assertThat(providers.get("lab")).isEmpty();
        assertThat(providers.all()).isEmpty();
    }

    /**
     * An id is departed once its last registration left, and until one returns: it is being
     * replaced. One never registered is not, and is not waited for; one departed is waited for
     * until it returns, or for at most the bound.
     */
    @Test
    void aProviderThatLeftIsWaitedForUntilItReturnsOrTheBoundPasses() throws Exception {
        ProvisioningProviders providers = new ProvisioningProviders();
        ScriptedProvider old = new ScriptedProvider("lab");
        ScriptedProvider next = new ScriptedProvider("lab");
        assertThat(providers.departed("lab")).isFalse();
        long t0 = System.nanoTime();
        assertThat(providers.await("lab", Duration.ofSeconds(30))).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));

        providers.add("lab", 1, old);
        providers.add("lab", 2, next);
        providers.remove("lab", 1);
        assertThat(providers.departed("lab")).as("another registration of it still serves").isFalse();
        providers.remove("lab", 2);
        assertThat(providers.departed("lab")).isTrue();
        providers.remove("other", 3);
        assertThat(providers.departed("other")).as("an id that never registered").isFalse();

        long t1 = System.nanoTime();
        assertThat(providers.await("lab", Duration.ofMillis(200))).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - t1)).isGreaterThanOrEqualTo(Duration.ofMillis(200));

        // the provider returns once this thread waits for it: after a fixed 100 ms, a slow start of the wait (a loaded machine)
        // found it back already, and nothing was waited for
        Thread waiter = Thread.currentThread();
        CompletableFuture<Boolean> returning = CompletableFuture.supplyAsync(() -> {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (waiter.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < until) {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            boolean waiting = waiter.getState() == Thread.State.TIMED_WAITING;
            providers.add("lab", 4, next);
            return waiting;
        });
        assertThat(providers.await("lab", Duration.ofSeconds(20))).containsSame(next);
        assertThat(returning.get(20, TimeUnit.SECONDS)).as("the provider returned while it was waited for").isTrue();
        assertThat(providers.departed("lab")).isFalse();
    }

    /**
     * An id that ran stays one that ran, whether it is departed now or back (a caller that found
     * it missing tells it from an id that never ran by this); an id never registered did not run.
     */
    @Test
    void anIdThatRanStaysOneThatRanWhereverItIsSince() {
        ProvisioningProviders providers = new ProvisioningProviders();
        assertThat(providers.ran("lab")).isFalse();
        providers.add("lab", 1, new ScriptedProvider("lab"));
        assertThat(providers.ran("lab")).isTrue();
        providers.remove("lab", 1);
        assertThat(providers.ran("lab")).as("departed").isTrue();
        providers.add("lab", 2, new ScriptedProvider("lab"));
        assertThat(providers.ran("lab")).as("back").isTrue();
        providers.remove("other", 3);
        assertThat(providers.ran("other")).isFalse();
    }
}
