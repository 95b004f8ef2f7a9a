package dev.strata.platform.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.Site;
import dev.strata.platform.api.provider.ComputeProvider;
import dev.strata.platform.api.provider.ComputeSnapshot;
import dev.strata.platform.api.provider.DescribedProvider;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The kit fails a provider that shows a secret it was given ({@code secrets()}): in its
 * description, in what it answers, in the message of what it throws, or in its log. Before, no
 * contract checked the SPI's "never a credential".
 */
class SecretContractTest {

    static final String SECRET = "s3cr3t-token-0123456789";

    /** Where a provider shows its secret. */
    enum Leak { NONE, DESCRIPTION, WARNING, BROKEN_MESSAGE, LOG, VENDOR_EXCEPTION, REFUSED_WHILE_WORKING }

    static final class Provider implements ComputeProvider, DescribedProvider {
        private static final AtomicLong CLOCK = new AtomicLong(System.currentTimeMillis() * 1000);
        private final Leak leak;
        private final boolean broken;

        Provider(Leak leak, boolean broken) {
            this.leak = leak;
            this.broken = broken;
            if (leak == Leak.LOG) {
                System.err.println("[main] INFO example - connecting with token " + SECRET);
            }
        }

        @Override
        public String description() {
            return "endpoint https://example.test" + (leak == Leak.DESCRIPTION ? "?token=" + SECRET : "");
        }

        @Override
        public ComputeSnapshot discoverCompute(DiscoveryContext context) {
            context.checkDeadline("discovery");
            if (broken && leak == Leak.VENDOR_EXCEPTION) {
                // a vendor's exception, naming the token it was refused, leaks out of the provider
                throw new IllegalStateException("401 Unauthorized for token " + SECRET);
            }
            if (leak == Leak.REFUSED_WHILE_WORKING) {
                // a working provider whose token the vendor refuses, as an account's token is revoked, naming it
                throw new AuthorizationException("example cloud refused the token " + SECRET);
            }
            if (broken) {
                throw new AuthorizationException("example cloud refused the token" + (leak == Leak.BROKEN_MESSAGE ? " " + SECRET : ""));
            }
            return ComputeSnapshot.builder(CLOCK.incrementAndGet(), Instant.now()).sites(List.of(Site.local("site-1", "example")))
                    .nodes(List.of(Node.builder().id("node-1").providerId("example").siteId("site-1").kind(NodeKind.VIRTUAL_MACHINE).build()))
                    .warnings(leak == Leak.WARNING ? List.of("retried with token " + SECRET) : List.of()).build();
        }
    }

    abstract static class Contract extends ComputeProviderContract<Provider> {
        abstract Leak leak();

        @Override
        protected Provider createProvider() {
            return new Provider(leak(), false);
        }

        @Override
        protected Optional<Provider> createBrokenProvider() {
            return Optional.of(new Provider(leak(), true));
        }

        @Override
        protected String providerId() {
            return "example";
        }

        @Override
        protected Collection<String> secrets() {
            return List.of(SECRET);
        }
    }

    static class Good extends Contract {
        Leak leak() {
            return Leak.NONE;
        }
    }

    static class InDescription extends Contract {
        Leak leak() {
            return Leak.DESCRIPTION;
        }
    }

    static class InWarning extends Contract {
        Leak leak() {
            return Leak.WARNING;
        }
    }

    static class InBrokenMessage extends Contract {
        Leak leak() {
            return Leak.BROKEN_MESSAGE;
        }
    }

    static class InLog extends Contract {
        Leak leak() {
            return Leak.LOG;
        }
    }

    static class InVendorException extends Contract {
        Leak leak() {
            return Leak.VENDOR_EXCEPTION;
        }
    }

    static class RefusedWhileWorking extends Contract {
        Leak leak() {
            return Leak.REFUSED_WHILE_WORKING;
        }
    }

    /** Each failed test with all the kit reports of it: the failure and its causes, as a build log shows them. */
    private static Map<String, String> reports(Class<?> contract) {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(contract)).execute().testEvents();
        return tests.failed().stream().collect(Collectors.toMap(e -> e.getTestDescriptor().getDisplayName().replace("()", ""),
                e -> e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).map(t -> {
                    StringBuilder all = new StringBuilder();
                    for (Throwable c = t; c != null; c = c.getCause()) {
                        all.append(c).append('\n');
                    }
                    return all.toString();
                }).orElse(""), (a, b) -> a, TreeMap::new));
    }

    private static Map<String, String> failures(Class<?> contract) {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(contract)).execute().testEvents();
        return tests.failed().stream().collect(Collectors.toMap(e -> e.getTestDescriptor().getDisplayName().replace("()", ""),
                e -> e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).map(String::valueOf).orElse(""),
                (a, b) -> a, TreeMap::new));
    }

    @Test
    void aProviderThatShowsNoSecretPassesEveryTest() {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(Good.class)).execute().testEvents();
        assertThat(tests.failed().count()).isZero();
        assertThat(tests.succeeded().stream().map(e -> e.getTestDescriptor().getDisplayName())).contains("noSecretIsShown()");
    }

    @Test
    void aSecretInTheDescriptionFails() {
        assertThat(failures(InDescription.class)).containsOnlyKeys("noSecretIsShown").hasEntrySatisfying("noSecretIsShown",
                m -> assertThat(m).contains("its description() shows secret 1 of secrets() (23 characters)").doesNotContain(SECRET));
    }

    @Test
    void aSecretInAWarningFails() {
        assertThat(failures(InWarning.class)).containsOnlyKeys("noSecretIsShown").hasEntrySatisfying("noSecretIsShown",
                m -> assertThat(m).contains("what a call answered or threw shows secret 1").doesNotContain(SECRET));
    }

    @Test
    void aSecretInTheMessageOfABrokenSourceFails() {
        assertThat(failures(InBrokenMessage.class)).containsOnlyKeys("noSecretIsShown").hasEntrySatisfying("noSecretIsShown",
                m -> assertThat(m).contains("what a call of the broken provider answered or threw shows secret 1").doesNotContain(SECRET));
    }

    /**
     * A broken provider that lets a vendor's exception naming its token out fails both the check of
     * portable exceptions and the secret check, and neither report (causes included) shows the
     * token. Before, both reports showed it, in the vendor's build log.
     */
    @Test
    void aSecretInAVendorExceptionFailsWithoutBeingShown() {
        Map<String, String> reports = reports(InVendorException.class);
        assertThat(reports).containsOnlyKeys("noSecretIsShown", "onlyStrataExceptionsLeaveABrokenProvider");
        assertThat(reports.get("noSecretIsShown")).contains("what a call of the broken provider answered or threw shows secret 1")
                .doesNotContain(SECRET);
        assertThat(reports.get("onlyStrataExceptionsLeaveABrokenProvider")).contains("only StrataExceptions may leave a provider, but "
                + "java.lang.IllegalStateException did: 401 Unauthorized for token (secret 1 of secrets())").doesNotContain(SECRET);
    }

    /**
     * A working provider whose calls fail with a StrataException naming its token fails the kit's
     * tests, and no report (causes included) shows the token. Before, every test that called it
     * through {@code succeeding} reported "discovery ... failed: ...", the token in it, in the
     * vendor's build log: only the broken provider's failures were masked.
     */
    @Test
    void aSecretInAWorkingProvidersExceptionIsNotShown() {
        Map<String, String> reports = reports(RefusedWhileWorking.class);
        assertThat(reports).containsKeys("snapshotsAreComplete", "idsAreStableAcrossCallsAndInstances", "noSecretIsShown");
        assertThat(reports.get("snapshotsAreComplete")).contains("failed: dev.strata.platform.api.exception.AuthorizationException: "
                + "example cloud refused the token (secret 1 of secrets())");
        assertThat(reports.values()).allSatisfy(r -> assertThat(r).doesNotContain(SECRET));
    }

    @Test
    void aSecretInTheLogFails() {
        assertThat(failures(InLog.class)).containsOnlyKeys("noSecretIsShown").hasEntrySatisfying("noSecretIsShown",
                m -> assertThat(m).contains("what it logged shows secret 1").doesNotContain(SECRET));
    }
}
