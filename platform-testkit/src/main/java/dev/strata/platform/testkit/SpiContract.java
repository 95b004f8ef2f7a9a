package dev.strata.platform.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.provider.DescribedProvider;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every provider SPI promises about its calls, as tests; the base of every contract of the
 * kit. The discovery SPIs add theirs in {@link ProviderContract}, provisioning in
 * {@link ProvisioningProviderContract}.
 *
 * <p>The obligations checked here, from the SPI Javadoc:
 * <ul>
 * <li>the deadline is honoured: called with no time left, the provider throws
 *     {@link ProviderTimeoutException} promptly;</li>
 * <li>thread interruption is honoured: called on an interrupted thread, or interrupted while it
 *     runs, it throws {@link ProviderTimeoutException} promptly;</li>
 * <li>only {@link StrataException}s leave it, for every call of the kit and for a provider whose
 *     source is broken ({@link #createBrokenProvider()});</li>
 * <li>no secret it was given ({@link #secrets()}) shows in its description, its {@code toString()},
 *     what it answers, its exceptions' messages or its log;</li>
 * <li>it makes the model records that have builders ({@code Node}, {@code Accelerator}, the
 *     snapshots, ...) with their builders, never their canonical constructors, so that a field
 *     added in a minor release of the API does not break it.</li>
 * </ul>
 *
 * <p>A contract for a new SPI extends this class, implements {@link #probe} (a call of the SPI
 * that only reads) and adds the SPI's own obligations as {@code @Test} methods. Tests run one
 * provider instance at a time unless they say otherwise; every instance the kit creates is
 * {@linkplain #release released} after the test.
 *
 * @param <P> the provider type
 */
public abstract class SpiContract<P> {

    private final List<P> created = Collections.synchronizedList(new ArrayList<>());

    /**
     * Every failure of a test and of the lifecycle methods around it (the kit's and the vendor
     * subclass's {@code @BeforeAll}, {@code @BeforeEach}, {@code @AfterEach} and {@code @AfterAll}),
     * masked as {@link #withoutSecrets} masks the broken provider's: a working provider's
     * {@code StrataException} that names its token reaches the report through {@link #succeeding}
     * and the contracts' own messages too, a vendor's set-up (an emulator started, a login) may name
     * it, and the report goes to the vendor's build log. Registered on the class, so that it sees
     * the class-level methods too; a class around {@code @Nested} contracts registers
     * {@link NestedContractSecrets} for its own.
     */
    @org.junit.jupiter.api.extension.RegisterExtension
    static final org.junit.jupiter.api.extension.Extension SECRETS_LEFT_OUT_OF_FAILURES = new SecretsLeftOut();

    /**
     * Masks each failure through the test instance's {@link #withoutSecrets}. A static
     * {@code @BeforeAll} or {@code @AfterAll} fails with no test instance (the default lifecycle,
     * an instance per test): its failure is masked with the {@link #secrets()} of an instance made
     * for that ({@link #instanceFor}); where none can be made, the failure is reported as it is,
     * saying so.
     */
    private static final class SecretsLeftOut implements org.junit.jupiter.api.extension.TestExecutionExceptionHandler,
            org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler {
        @Override
        public void handleTestExecutionException(org.junit.jupiter.api.extension.ExtensionContext context, Throwable failure)
                throws Throwable {
            throw masked(context, failure);
        }

        @Override
        public void handleBeforeAllMethodExecutionException(org.junit.jupiter.api.extension.ExtensionContext context, Throwable failure)
                throws Throwable {
            throw masked(context, failure);
        }

        @Override
        public void handleBeforeEachMethodExecutionException(org.junit.jupiter.api.extension.ExtensionContext context, Throwable failure)
                throws Throwable {
            throw masked(context, failure);
        }

        @Override
        public void handleAfterEachMethodExecutionException(org.junit.jupiter.api.extension.ExtensionContext context, Throwable failure)
                throws Throwable {
            throw masked(context, failure);
        }

        @Override
        public void handleAfterAllMethodExecutionException(org.junit.jupiter.api.extension.ExtensionContext context, Throwable failure)
                throws Throwable {
            throw masked(context, failure);
        }

        private static Throwable masked(org.junit.jupiter.api.extension.ExtensionContext context, Throwable failure) {
            Object test = context.getTestInstance().orElse(null);
            if (test != null) {
                return test instanceof SpiContract<?> contract ? contract.withoutSecrets(failure) : failure;
            }
            Class<?> type = context.getTestClass().orElse(null);
            return type != null && SpiContract.class.isAssignableFrom(type) ? maskedByOneMade(type, context, failure) : failure;
        }
    }

    /**
     * Masks the failures of the {@code @BeforeAll} and {@code @AfterAll} methods of a test class
     * that is no contract but holds contracts as {@code @Nested} classes, as a vendor's test that
     * starts an emulator once for all of them does: each with the {@link #secrets()} of every such
     * contract, made as for its own static methods ({@link #instanceFor}). The kit's extension is
     * registered on the contract classes, and JUnit runs an enclosing class's methods with that
     * class's extensions only, so such a class registers this one itself:
     * {@code @ExtendWith(SpiContract.NestedContractSecrets.class)}. Where a contract cannot be made,
     * the failure is masked with the others' secrets and says so.
     */
    public static final class NestedContractSecrets implements org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler {
        @Override
        public void handleBeforeAllMethodExecutionException(org.junit.jupiter.api.extension.ExtensionContext context, Throwable failure)
                throws Throwable {
            throw masked(context, failure);
        }

        @Override
        public void handleAfterAllMethodExecutionException(org.junit.jupiter.api.extension.ExtensionContext context, Throwable failure)
                throws Throwable {
            throw masked(context, failure);
        }

        /** A contract's own methods are masked by the kit's extension on it; only a class that is no contract is masked here. */
        private static Throwable masked(org.junit.jupiter.api.extension.ExtensionContext context, Throwable failure) {
            Class<?> type = context.getTestClass().orElse(null);
            if (type == null || SpiContract.class.isAssignableFrom(type)) {
                return failure;
            }
            for (Class<?> nested : type.getDeclaredClasses()) {
                if (!nested.isAnnotationPresent(org.junit.jupiter.api.Nested.class) || !SpiContract.class.isAssignableFrom(nested)
                        || java.lang.reflect.Modifier.isAbstract(nested.getModifiers())) {
                    continue;
                }
                failure = maskedByOneMade(nested, context, failure);
            }
            return failure;
        }
    }

    /**
     * An instance of a contract class, or of a class enclosing one, to ask its {@link #secrets()}
     * where JUnit has none (a static method failed): the test instance of that class where a
     * context around has one (one instance for all tests), else one made through its constructor
     * without parameters, or, for an inner class (a {@code @Nested} contract), through its
     * constructor given an instance of its enclosing class, found or made so in turn.
     */
    private static Object instanceFor(Class<?> type, org.junit.jupiter.api.extension.ExtensionContext context)
            throws ReflectiveOperationException {
        for (Optional<org.junit.jupiter.api.extension.ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            Optional<Object> instance = c.get().getTestInstance();
            if (instance.isPresent() && instance.get().getClass() == type) {
                return instance.get();
            }
        }
        if (type.isMemberClass() && !java.lang.reflect.Modifier.isStatic(type.getModifiers())) {
            Object enclosing = instanceFor(type.getEnclosingClass(), context);
            java.lang.reflect.Constructor<?> constructor = type.getDeclaredConstructor(type.getEnclosingClass());
            constructor.setAccessible(true);
            return constructor.newInstance(enclosing);
        }
        java.lang.reflect.Constructor<?> constructor = type.getDeclaredConstructor();
        constructor.setAccessible(true);
        return constructor.newInstance();
    }

    /**
     * A class-level method's failure masked with the {@link #secrets()} of an instance of the
     * contract class {@code type} ({@link #instanceFor}), or, where none can be made, as it is and
     * saying why ({@link #cannotMake}).
     */
    private static Throwable maskedByOneMade(Class<?> type, org.junit.jupiter.api.extension.ExtensionContext context, Throwable failure) {
        SpiContract<?> contract;
        try {
            contract = (SpiContract<?>) instanceFor(type, context);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return notMasked(failure, cannotMake(type, e), e instanceof java.lang.reflect.InvocationTargetException i ? i.getCause() : e);
        }
        return contract.withoutSecrets(failure);
    }

    /** Why a class-level method's failure is not masked: no instance of {@code type} could be made to ask its secrets(). */
    private static String cannotMake(Class<?> type, Throwable e) {
        return "the kit could not make an instance of " + type.getName() + " to ask its secrets() (" + e + "): a class-level method's "
                + "failure is masked with the secrets() of an instance made through its constructor without parameters, or, for an "
                + "inner class, through its constructor given an instance of its enclosing class made so";
    }

    /** Said, as a suppressed failure, of a failure the kit could not mask; never more than once. */
    private static final class NotMasked extends AssertionError {
        NotMasked(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * A cause or suppressed failure of a masked failure: it shows as the original does in a report
     * (its class, then its message), each secret replaced, with the original's stack trace.
     */
    private static final class Masked extends AssertionError {
        private final String shown;

        Masked(String shown, String message) {
            super(message);
            this.shown = shown;
        }

        @Override
        public String toString() {
            return shown;
        }
    }

    /** Calls that had not returned by their bound, each with what it was: they may still act on the provider after the test moved on. */
    private final java.util.Map<Thread, String> overran = new java.util.concurrent.ConcurrentHashMap<>();
    private static final AtomicInteger OPERATIONS = new AtomicInteger();

    // ---- what a provider's test supplies -----------------------------------------------------

    /**
     * A new, ready provider instance, as its component would be activated. Called once or more per
     * test; two instances must behave as two versions of the bundle would (same ids, same state).
     */
    protected abstract P createProvider() throws Exception;

    /** The provider id its resources carry ({@link dev.strata.platform.api.provider.ProviderProperties#ID}). */
    protected abstract String providerId();

    /**
     * A provider whose source is broken (an unreachable endpoint, a missing directory, refused
     * credentials), to check that its failure leaves as a {@link StrataException}. Empty (the
     * default) skips that check; a provider that cannot fail that way says so by returning empty.
     */
    protected Optional<P> createBrokenProvider() throws Exception {
        return Optional.empty();
    }

    /**
     * The secrets the provider under test is configured with (a password, a token, an access key's
     * secret), as given to it, for {@link #noSecretIsShown()}. Empty (the default) skips that check.
     */
    protected java.util.Collection<String> secrets() {
        return List.of();
    }

    /** Deactivates an instance the kit created; the default closes it when it is {@link AutoCloseable}. */
    protected void release(P provider) throws Exception {
        if (provider instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /** The deadline given to calls expected to succeed. */
    protected Duration callTimeout() {
        return Duration.ofSeconds(30);
    }

    /** How soon a provider must give up once its deadline has passed or it was interrupted. */
    protected Duration promptly() {
        return Duration.ofSeconds(2);
    }

    // ---- what each SPI's contract implements ---------------------------------------------------

    /** A call of the SPI that only reads (a discovery, a listing), for the checks of this class. */
    protected abstract Object probe(P provider, DiscoveryContext context);

    // ---- helpers for contracts and subclasses ------------------------------------------------

    /** A new provider, released after the test. */
    protected final P newProvider() throws Exception {
        P provider = createProvider();
        assertNotNull(provider, "createProvider() returned null");
        created.add(provider);
        return provider;
    }

    /** Releases an instance now (the kit then does not release it again). */
    protected final void releaseNow(P provider) throws Exception {
        created.remove(provider);
        release(provider);
    }

    /** A context with {@link #callTimeout()} and a fresh operation id. */
    protected final DiscoveryContext context() {
        return DiscoveryContext.withTimeout("testkit-" + OPERATIONS.incrementAndGet(), callTimeout());
    }

    /** Runs a provider call, failing the test when anything but a {@link StrataException} leaves it. */
    protected static <T> T portably(Supplier<T> call) {
        try {
            return call.get();
        } catch (StrataException e) {
            throw e;
        } catch (AssertionError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw new AssertionError("only StrataExceptions may leave a provider, but " + e.getClass().getName()
                    + " did: " + e.getMessage(), e);
        }
    }

    /**
     * Runs a provider call on a thread of its own and waits for it until {@link #promptly()} after
     * the context's deadline: a provider that hangs (a blocking read without a timeout, a loop that
     * checks neither the deadline nor interruption) fails the test, naming the call, instead of
     * hanging the build. What the call returns or throws is returned or thrown here.
     *
     * @param what the call, for the message
     * @param context the context the call was given
     * @param call the provider call
     */
    protected final <T> T withinDeadline(String what, DiscoveryContext context, Supplier<T> call) {
        return bounded(what, context, false, call);
    }

    /**
     * As {@link #withinDeadline}, on a thread interrupted before the call begins: a provider call
     * made so must end promptly with {@link ProviderTimeoutException}.
     */
    protected final <T> T onAnInterruptedThread(String what, DiscoveryContext context, Supplier<T> call) {
        return bounded(what, context, true, call);
    }

    private <T> T bounded(String what, DiscoveryContext context, boolean interrupted, Supplier<T> call) {
        Duration bound = (context.remaining().isNegative() ? Duration.ZERO : context.remaining()).plus(promptly());
        java.util.concurrent.CompletableFuture<T> result = new java.util.concurrent.CompletableFuture<>();
        Thread caller = new Thread(() -> {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            try {
                result.complete(call.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, "testkit-call-" + context.operationId());
        caller.setDaemon(true);
        caller.start();
        try {
            return result.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            caller.interrupt();
            overran.put(caller, what);
            throw new AssertionError("the provider hangs: " + what + " had not returned " + promptly().toMillis()
                    + " ms after its deadline (" + bound.toMillis() + " ms after it began); a call must return by its deadline, "
                    + "and the core reports a provider that does not FAILED and calls that service no more until it returns");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new AssertionError(what + " threw " + cause, cause);
        } catch (InterruptedException e) {
            caller.interrupt();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        }
    }

    /**
     * Waits up to {@code wait} in all for the calls of this test that had not returned by their
     * bound ({@link #withinDeadline}) to end, and forgets them: a create still running may yet make
     * a machine, which a clean-up that looked before it ended would not find.
     *
     * @return what each call still running after the wait was ({@code create of testkit-op-...})
     */
    protected final List<String> awaitOverrunCalls(Duration wait) throws InterruptedException {
        long end = System.nanoTime() + wait.toNanos();
        List<String> running = new ArrayList<>();
        for (java.util.Map.Entry<Thread, String> call : overran.entrySet()) {
            long left = end - System.nanoTime();
            if (left > 0) {
                call.getKey().join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            if (call.getKey().isAlive()) {
                running.add(call.getValue());
            }
        }
        overran.clear();
        return running;
    }

    /** Runs a provider call that must succeed: a {@link StrataException} fails the test with its message. */
    protected static <T> T succeeding(String what, Supplier<T> call) {
        try {
            T result = portably(call);
            assertNotNull(result, what + " returned null");
            return result;
        } catch (StrataException e) {
            throw new AssertionError(what + " failed: " + e, e);
        }
    }

    @AfterEach
    public final void releaseProviders() throws Exception {
        List<P> all;
        synchronized (created) {
            all = new ArrayList<>(created);
            created.clear();
        }
        for (P provider : all) {
            release(provider);
        }
        Thread.interrupted(); // never leave the test thread interrupted
    }

    // ---- the obligations ---------------------------------------------------------------------

    @Test
    public void aCallWithNoTimeLeftFailsPromptlyWithProviderTimeout() throws Exception {
        P provider = newProvider();
        Clock clock = Clock.systemUTC();
        DiscoveryContext expired = new DiscoveryContext("testkit-expired", clock.instant().minusMillis(1), clock);
        assertFailsPromptlyWithTimeout(() -> portably(() -> withinDeadline("a call with a deadline that had passed", expired,
                () -> probe(provider, expired))), "called with a deadline that had passed");
        DiscoveryContext now = new DiscoveryContext("testkit-now", clock.instant(), clock);
        assertFailsPromptlyWithTimeout(() -> portably(() -> withinDeadline("a call with no time left", now, () -> probe(provider, now))),
                "called with no time left");
    }

    @Test
    public void anInterruptedCallerFailsPromptlyWithProviderTimeout() throws Exception {
        P provider = newProvider();
        DiscoveryContext context = context();
        assertFailsPromptlyWithTimeout(() -> portably(() -> bounded("a call on an interrupted thread", context, true,
                () -> probe(provider, context))), "called on an interrupted thread");
    }

    /**
     * A thread calls the provider again and again; once it is interrupted, it must end within
     * {@link #promptly()}, and it must end with {@link ProviderTimeoutException} (a call may still
     * finish normally if it was past its last check, but the next call must not start).
     */
    @Test
    public void aCallInterruptedWhileItRunsEndsPromptly() throws Exception {
        P provider = newProvider();
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                while (true) {
                    portably(() -> probe(provider, context()));
                }
            } catch (Throwable t) {
                ended.set(t);
            }
        }, "testkit-interrupted-caller");
        caller.setDaemon(true);
        caller.start();
        Thread.sleep(50);
        long interruptedAt = System.nanoTime();
        caller.interrupt();
        caller.join(promptly().toMillis());
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - interruptedAt);
        if (caller.isAlive()) {
            fail("the provider ignored the interruption: still running " + took + " ms after it");
        }
        assertInstanceOf(ProviderTimeoutException.class, ended.get(),
                "an interrupted provider must end with ProviderTimeoutException, not " + ended.get());
    }

    @Test
    public void onlyStrataExceptionsLeaveABrokenProvider() throws Exception {
        Optional<P> broken = createBrokenProvider();
        org.junit.jupiter.api.Assumptions.assumeTrue(broken.isPresent(),
                "createBrokenProvider() supplies no broken provider: nothing to check");
        created.add(broken.get());
        try {
            DiscoveryContext context = context();
            Object result = portably(() -> withinDeadline("a call of the broken provider", context, () -> probe(broken.get(), context)));
            assertNotNull(result, "a call of the broken provider returned null; a provider whose source is broken throws a "
                    + "StrataException saying what is wrong (or, where its SPI says so, answers with what it can tell)");
            brokenProviderAnswered(result);
        } catch (StrataException e) {
            brokenProviderThrew(e);
        } catch (AssertionError e) {
            throw (AssertionError) withoutSecrets(e);
        }
    }

    /**
     * A failure as it is, or, where its message or that of a cause or a suppressed failure holds a
     * secret of {@link #secrets()} (a vendor's exception that names the token it was refused), the
     * same failure with each secret replaced by which one it is: its causes and suppressed failures
     * (a test's clean-up that failed too) kept, each masked so, as a report shows them (class and
     * message), with their stack traces. An assumption that failed stays one (the test is skipped,
     * not failed). The kit's report goes to the vendor's build log. Where {@code secrets()} throws,
     * the failure is returned as it is, with a suppressed failure saying so: the test's own failure
     * is what the report shows.
     */
    private Throwable withoutSecrets(Throwable failure) {
        List<String> secrets;
        try {
            secrets = secrets().stream().filter(v -> v != null && !v.isBlank()).toList();
        } catch (RuntimeException | LinkageError | AssertionError e) {
            return notMasked(failure, "secrets() threw " + e.getClass().getName() + " while the kit masked this failure, which is "
                    + "therefore shown as it is; secrets() answers the secrets the provider is configured with and never throws", e);
        }
        if (!shows(failure, secrets, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()))) {
            return failure;
        }
        // an assertion's message as it is; another failure (a StrataException a test rethrows) with its class, as a report shows it
        Throwable masked;
        if (failure instanceof org.opentest4j.TestAbortedException) {
            masked = new org.opentest4j.TestAbortedException(masked(String.valueOf(failure.getMessage()), secrets));
        } else {
            masked = new AssertionError(masked(failure instanceof AssertionError ? String.valueOf(failure.getMessage())
                    : String.valueOf(failure), secrets));
        }
        java.util.Map<Throwable, Throwable> copies = new java.util.IdentityHashMap<>();
        copies.put(failure, masked);
        return withCausesMasked(failure, masked, secrets, copies);
    }

    /** Whether a failure, a cause or a suppressed failure (and theirs) shows a secret. */
    private static boolean shows(Throwable failure, List<String> secrets, java.util.Set<Throwable> seen) {
        if (failure == null || !seen.add(failure)) {
            return false;
        }
        String shown = String.valueOf(failure);
        if (secrets.stream().anyMatch(shown::contains)) {
            return true;
        }
        for (Throwable s : failure.getSuppressed()) {
            if (shows(s, secrets, seen)) {
                return true;
            }
        }
        return shows(failure.getCause(), secrets, seen);
    }

    private static String masked(String text, List<String> secrets) {
        for (int i = 0; i < secrets.size(); i++) {
            text = text.replace(secrets.get(i), "(secret " + (i + 1) + " of secrets())");
        }
        return text;
    }

    /** The copy of a failure, given its stack trace and its original's cause and suppressed failures, each masked. */
    private static Throwable withCausesMasked(Throwable original, Throwable copy, List<String> secrets,
            java.util.Map<Throwable, Throwable> copies) {
        copy.setStackTrace(original.getStackTrace());
        Throwable cause = original.getCause();
        if (cause != null) {
            copy.initCause(maskedCopy(cause, secrets, copies));
        }
        for (Throwable s : original.getSuppressed()) {
            Throwable masked = maskedCopy(s, secrets, copies);
            if (masked != copy) {
                copy.addSuppressed(masked);
            }
        }
        return copy;
    }

    private static Throwable maskedCopy(Throwable original, List<String> secrets, java.util.Map<Throwable, Throwable> copies) {
        Throwable copy = copies.get(original);
        if (copy == null) {
            copy = new Masked(masked(String.valueOf(original), secrets), original.getMessage() == null ? null
                    : masked(original.getMessage(), secrets));
            copies.put(original, copy);
            withCausesMasked(original, copy, secrets, copies);
        }
        return copy;
    }

    /** The failure as it is, with a suppressed failure saying why it could not be masked (once). */
    private static Throwable notMasked(Throwable failure, String why, Throwable cause) {
        for (Throwable s : failure.getSuppressed()) {
            if (s instanceof NotMasked) {
                return failure;
            }
        }
        failure.addSuppressed(new NotMasked(why, cause));
        return failure;
    }

    /** A broken provider may report its broken source as data instead of throwing; the contract checks that data here. */
    protected void brokenProviderAnswered(Object result) {
    }

    /** A broken provider threw a portable exception; an SPI that promises an answer instead (the GPU SPI) fails here. */
    void brokenProviderThrew(StrataException e) {
        assertNotNull(e.getMessage(), "a StrataException without a message");
        assertFalse(e.getMessage().isBlank(), "a StrataException without a message");
    }

    @Test
    public void theProviderMakesModelRecordsWithTheirBuilders() throws Exception {
        P provider = newProvider();
        List<String> calls = ConstructorCalls.of(provider.getClass());
        assertTrue(calls.isEmpty(), "the provider calls constructors of records that have builders; use the builders "
                + "(a field added in a minor release changes these constructors): " + calls);
    }

    /**
     * No secret of {@link #secrets()} is shown: not in the provider's description
     * ({@link DescribedProvider}), its {@code toString()}, what a call answers (a snapshot's
     * warnings, a machine's steps), the messages of what it throws (the broken provider's too), or
     * what it logs meanwhile. The core shows all of these in {@code strata:providers} and
     * {@code karaf.log}, and masks only the secrets of Strata's own configuration.
     */
    @Test
    public void noSecretIsShown() throws Exception {
        List<String> secrets = secrets().stream().filter(v -> v != null && !v.isBlank()).toList();
        org.junit.jupiter.api.Assumptions.assumeTrue(!secrets.isEmpty(), "secrets() names no secret: nothing to check");
        java.util.Map<String, String> shown = new java.util.LinkedHashMap<>();
        try (StderrCapture err = new StderrCapture()) {
            P provider = newProvider();
            if (provider instanceof DescribedProvider described) {
                shown.put("its description()", described.description());
            }
            shown.put("its toString()", String.valueOf(provider));
            shown.put("what a call answered or threw", answerOrThrown(provider));
            Optional<P> broken = createBrokenProvider();
            if (broken.isPresent()) {
                created.add(broken.get());
                shown.put("the broken provider's toString()", String.valueOf(broken.get()));
                shown.put("what a call of the broken provider answered or threw", answerOrThrown(broken.get()));
            }
            shown.put("what it logged", err.text());
        }
        for (java.util.Map.Entry<String, String> where : shown.entrySet()) {
            for (int i = 0; i < secrets.size(); i++) {
                if (where.getValue() != null && where.getValue().contains(secrets.get(i))) {
                    fail(where.getKey() + " shows secret " + (i + 1) + " of secrets() (" + secrets.get(i).length() + " characters); a "
                            + "description, a message, a warning, a step or a toString never holds a credential: strata:providers and "
                            + "karaf.log show them");
                }
            }
        }
    }

    /**
     * What a read-only call answered, or the messages of what it threw, causes included: a
     * StrataException, or the failure that another exception leaving the provider (reported as such
     * by {@link #onlyStrataExceptionsLeaveABrokenProvider}) or a hang makes, so that a secret in it
     * is reported here by where it shows, not shown.
     */
    private String answerOrThrown(P provider) {
        DiscoveryContext context = context();
        try {
            return String.valueOf(portably(() -> withinDeadline("a call", context, () -> probe(provider, context))));
        } catch (StrataException | AssertionError e) {
            StringBuilder messages = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                messages.append(t).append('\n');
            }
            return messages.toString();
        }
    }

    /**
     * Fails the test unless {@code call} throws {@link ProviderTimeoutException}, with a message,
     * within {@link #promptly()}.
     *
     * @param how how the provider was called, for the message ({@code called on an interrupted thread})
     */
    protected final void assertFailsPromptlyWithTimeout(Runnable call, String how) {
        Instant start = Instant.now();
        try {
            call.run();
            fail("the provider " + how + " returned instead of throwing ProviderTimeoutException");
        } catch (ProviderTimeoutException expected) {
            Duration took = Duration.between(start, Instant.now());
            assertTrue(took.compareTo(promptly()) <= 0, "the provider " + how + " took " + took.toMillis()
                    + " ms to give up; expected at most " + promptly().toMillis() + " ms");
            assertNotNull(expected.getMessage(), "ProviderTimeoutException without a message");
        } catch (StrataException other) {
            fail("the provider " + how + " threw " + other.getClass().getSimpleName() + " (" + other.getMessage()
                    + "); expected ProviderTimeoutException");
        }
    }
}
