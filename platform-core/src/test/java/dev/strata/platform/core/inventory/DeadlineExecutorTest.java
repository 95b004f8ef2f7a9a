package dev.strata.platform.core.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.core.placement.TenantAccess;
import dev.strata.platform.core.placement.TenantUsers;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeadlineExecutorTest {

    /**
     * The pool starts a thread when a call comes; one started by a call from a tenant's login would
     * otherwise carry that login's subject into every later call on it, every tenant's.
     */
    @Test
    void aThreadStartedByATenantsCallRunsLaterCallsAsThePlatform() {
        try (DeadlineExecutor calls = new DeadlineExecutor(1)) {
            Optional<Set<String>> first = TenantUsers.as("ann", () -> calls.call("first", Duration.ofSeconds(10),
                    TenantAccess::restriction).join(), "tenant:bank");
            Optional<Set<String>> later = laterCall(calls);
            assertThat(first).isEmpty();
            assertThat(later).isEmpty();
        }
    }

    /**
     * The next call, on the pool's one thread: the first call's answer comes before its thread is back waiting for work
     * (a pool whose every thread is busy refuses a call), so a call refused for that is made again until the thread is.
     */
    private static Optional<Set<String>> laterCall(DeadlineExecutor calls) {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return calls.call("later", Duration.ofSeconds(10), TenantAccess::restriction).join();
            } catch (java.util.concurrent.CompletionException e) {
                if (!(e.getCause() instanceof ProviderUnavailableException) || System.nanoTime() > until) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
    }
}
