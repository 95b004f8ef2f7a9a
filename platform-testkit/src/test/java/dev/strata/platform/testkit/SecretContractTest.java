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

    /** A vendor's set-up that fails naming the token: its login before each test. */
    static class BeforeEachNamesTheToken extends Good {
        @org.junit.jupiter.api.BeforeEach
        void logIn() {
            throw new IllegalStateException("login refused for token " + SECRET);
        }
    }

    /** A vendor's set-up that fails naming the token: the emulator it starts once, in a static method (an instance per test). */
    static class BeforeAllNamesTheToken extends Good {
        @org.junit.jupiter.api.BeforeAll
        static void startEmulator() {
            throw new IllegalStateException("the emulator refused token " + SECRET);
        }
    }

    /** A vendor's tear-down that fails naming the token, with one instance for all tests. */
    @org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
    static class AfterAllNamesTheToken extends Good {
        @org.junit.jupiter.api.AfterAll
        void stopEmulator() {
            throw new IllegalStateException("the emulator would not stop for token " + SECRET);
        }
    }

    /** A vendor's contract as a {@code @Nested} class (no constructor without parameters) whose static set-up fails naming the token. */
    static class NestedBeforeAllNamesTheToken {
        @org.junit.jupiter.api.Nested
        class Compute extends Good {
            @org.junit.jupiter.api.BeforeAll
            static void startEmulator() {
                throw new IllegalStateException("the emulator refused token " + SECRET);
            }
        }
    }

    /**
     * A vendor's test that is no contract, starting the emulator once for the contracts nested in
     * it (as the BMC provider's does), whose set-up fails naming the token; it registers the kit's
     * extension for that.
     */
    @org.junit.jupiter.api.extension.ExtendWith(SpiContract.NestedContractSecrets.class)
    static class OuterBeforeAllNamesTheToken {
        @org.junit.jupiter.api.BeforeAll
        static void startEmulator() {
            throw new IllegalStateException("the emulator refused token " + SECRET);
        }

        @org.junit.jupiter.api.Nested
        class Compute extends Good {
        }
    }

    /** As {@link OuterBeforeAllNamesTheToken}, its tear-down failing naming the token after the nested contract passed. */
    @org.junit.jupiter.api.extension.ExtendWith(SpiContract.NestedContractSecrets.class)
    static class OuterAfterAllNamesTheToken {
        @org.junit.jupiter.api.AfterAll
        static void stopEmulator() {
            throw new IllegalStateException("the emulator would not stop for token " + SECRET);
        }

        @org.junit.jupiter.api.Nested
        class Compute extends Good {
        }
    }

    /**
     * A vendor's own test that fails naming the token, its cause naming it, and the report of its
     * clean-up, added as suppressed, naming it too.
     */
    static class OwnTestNamesTheToken extends Good {
        @Test
        void createsAndCleansUp() {
            AssertionError failure = new AssertionError("create failed for token " + SECRET,
                    new IllegalStateException("401 Unauthorized for token " + SECRET));
            failure.addSuppressed(new AssertionError("what these operations made may be left on the provider's account: "
                    + "testkit-op-1 (delete failed: 401 Unauthorized for token " + SECRET + ")"));
            throw failure;
        }

        @Test
        void needsTheLab() {
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "no lab reachable with token " + SECRET);
        }
    }

    /** A vendor's own test that fails without naming anything secret, whose secrets() throws (its vault is unreachable). */
    static class SecretsThrow extends Good {
        @Override
        protected Collection<String> secrets() {
            throw new IllegalStateException("the vault is unreachable");
        }

        @Test
        void countsItsGpus() {
            throw new AssertionError("expected 8 GPUs, found 7");
        }
    }

    /** What a build log shows of a failure: its stack trace with its causes and suppressed failures. */
    private static String shown(Throwable failure) {
        java.io.StringWriter out = new java.io.StringWriter();
        failure.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }

    /** Each failed test or class of a contract, with what a build log shows of its failure. */
    private static Map<String, String> logged(Class<?> contract) {
        Events all = EngineTestKit.engine("junit-jupiter").selectors(selectClass(contract)).execute().allEvents();
        return all.failed().stream().collect(Collectors.toMap(e -> e.getTestDescriptor().getDisplayName().replace("()", ""),
                e -> e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).map(SecretContractTest::shown)
                        .orElse(""), (a, b) -> a, TreeMap::new));
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

    /**
     * A vendor's {@code @BeforeEach} that fails naming the token fails every test without showing
     * it. Before, only the tests and the after-each methods were masked, and each report showed it.
     */
    @Test
    void aSecretInAVendorsBeforeEachIsNotShown() {
        Map<String, String> logged = logged(BeforeEachNamesTheToken.class);
        assertThat(logged).containsKeys("noSecretIsShown", "snapshotsAreComplete");
        assertThat(logged.values()).allSatisfy(r -> assertThat(r).contains("java.lang.IllegalStateException: login refused for token "
                + "(secret 1 of secrets())").doesNotContain(SECRET));
    }

    /**
     * A vendor's static {@code @BeforeAll} and a {@code @AfterAll} (one instance for all tests)
     * that fail naming the token fail the class without showing it. Before, neither was masked.
     */
    @Test
    void aSecretInAVendorsBeforeAllOrAfterAllIsNotShown() {
        assertThat(logged(BeforeAllNamesTheToken.class)).containsOnlyKeys("SecretContractTest$BeforeAllNamesTheToken")
                .allSatisfy((k, r) -> assertThat(r).contains("java.lang.IllegalStateException: the emulator refused token "
                        + "(secret 1 of secrets())").doesNotContain(SECRET));
        assertThat(logged(AfterAllNamesTheToken.class)).containsOnlyKeys("SecretContractTest$AfterAllNamesTheToken")
                .allSatisfy((k, r) -> assertThat(r).contains("java.lang.IllegalStateException: the emulator would not stop for token "
                        + "(secret 1 of secrets())").doesNotContain(SECRET));
    }

    /**
     * A static {@code @BeforeAll} of a {@code @Nested} contract (an inner class, whose constructor
     * takes its enclosing class's instance) that fails naming the token fails the class without
     * showing it. Before, the kit made no instance of it and reported the failure as it was, the
     * token in it, saying it "could not make an instance".
     */
    @Test
    void aSecretInANestedContractsStaticBeforeAllIsNotShown() {
        assertThat(logged(NestedBeforeAllNamesTheToken.class)).containsOnlyKeys("Compute")
                .allSatisfy((k, r) -> assertThat(r).contains("java.lang.IllegalStateException: the emulator refused token "
                        + "(secret 1 of secrets())").doesNotContain(SECRET).doesNotContain("could not make an instance"));
    }

    /**
     * The {@code @BeforeAll} and {@code @AfterAll} of a class that is no contract, around its
     * {@code @Nested} contracts, that fail naming the token fail that class without showing it,
     * masked with the nested contracts' secrets() by the extension it registers. Before, the kit
     * had no such extension: the outer class's methods ran with no extension of the kit, and the
     * token reached the report.
     */
    @Test
    void aSecretInTheBeforeAllOrAfterAllOfAClassAroundNestedContractsIsNotShown() {
        assertThat(logged(OuterBeforeAllNamesTheToken.class)).containsOnlyKeys("SecretContractTest$OuterBeforeAllNamesTheToken")
                .allSatisfy((k, r) -> assertThat(r).contains("java.lang.IllegalStateException: the emulator refused token "
                        + "(secret 1 of secrets())").doesNotContain(SECRET));
        assertThat(logged(OuterAfterAllNamesTheToken.class)).containsOnlyKeys("SecretContractTest$OuterAfterAllNamesTheToken")
                .allSatisfy((k, r) -> assertThat(r).contains("java.lang.IllegalStateException: the emulator would not stop for token "
                        + "(secret 1 of secrets())").doesNotContain(SECRET));
    }

    /**
     * A masked failure keeps its cause and its suppressed failures (a clean-up's report), each
     * masked, with their stack traces. Before, the masked failure had neither, and said its cause
     * was left out.
     */
    @Test
    void aMaskedFailureKeepsItsCauseAndSuppressedFailuresEachMasked() {
        String report = logged(OwnTestNamesTheToken.class).get("createsAndCleansUp");
        assertThat(report).startsWith("java.lang.AssertionError: create failed for token (secret 1 of secrets())")
                .contains("Caused by: java.lang.IllegalStateException: 401 Unauthorized for token (secret 1 of secrets())")
                .contains("Suppressed: java.lang.AssertionError: what these operations made may be left on the provider's account: "
                        + "testkit-op-1 (delete failed: 401 Unauthorized for token (secret 1 of secrets()))")
                .contains("at " + OwnTestNamesTheToken.class.getName() + ".createsAndCleansUp(").doesNotContain(SECRET);
        assertThat(reports(RefusedWhileWorking.class).get("snapshotsAreComplete")).contains("dev.strata.platform.api.exception."
                + "AuthorizationException: example cloud refused the token (secret 1 of secrets())\n");
    }

    /**
     * A vendor's assumption whose message names the token still skips its test, the message
     * masked. Before, masking made it a failure.
     */
    @Test
    void anAssumptionNamingTheTokenStaysASkip() {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(OwnTestNamesTheToken.class)).execute().testEvents();
        assertThat(tests.failed().stream().map(e -> e.getTestDescriptor().getDisplayName())).containsOnly("createsAndCleansUp()");
        assertThat(tests.aborted().stream().filter(e -> e.getTestDescriptor().getDisplayName().equals("needsTheLab()"))
                .map(e -> e.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable).map(SecretContractTest::shown)
                        .orElse(""))).singleElement().satisfies(r -> assertThat(r).contains("no lab reachable with token (secret 1 of "
                                + "secrets())").doesNotContain(SECRET));
    }

    /**
     * A {@code secrets()} that throws does not replace the test's own failure: it is added to it as
     * suppressed, saying so. Before, the report showed the exception of secrets() alone.
     */
    @Test
    void aSecretsThatThrowsLeavesTheTestsOwnFailure() {
        assertThat(logged(SecretsThrow.class).get("countsItsGpus")).startsWith("java.lang.AssertionError: expected 8 GPUs, found 7")
                .contains("Suppressed: dev.strata.platform.testkit.SpiContract$NotMasked: secrets() threw java.lang.IllegalStateException while the kit masked "
                        + "this failure, which is therefore shown as it is")
                .contains("Caused by: java.lang.IllegalStateException: the vault is unreachable");
    }

    @Test
    void aSecretInTheLogFails() {
        assertThat(failures(InLog.class)).containsOnlyKeys("noSecretIsShown").hasEntrySatisfying("noSecretIsShown",
                m -> assertThat(m).contains("what it logged shows secret 1").doesNotContain(SECRET));
    }
}
