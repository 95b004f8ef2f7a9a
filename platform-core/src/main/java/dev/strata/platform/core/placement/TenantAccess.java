package dev.strata.platform.core.placement;

import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.exception.InvalidConfigurationException;
import java.security.AccessController;
import java.security.Principal;
import java.security.PrivilegedAction;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.security.auth.Subject;

/**
 * Which tenants the caller may act for and see. A login whose JAAS subject holds one or more roles
 * {@code tenant:ID} (Karaf's {@code RolePrincipal}, from {@code etc/keys.properties} or
 * {@code etc/users.properties}) and not the role {@code admin} is a tenant's user: it may place,
 * deploy, undeploy and release for those tenants only, and sees only their allocations,
 * deployments, commitments and provenance records; what is not its tenants' reads as absent. Every
 * other caller (a login without tenant roles, as every login before tenant roles existed; an
 * admin; a bundle calling a service, with no subject) acts for every tenant. The inventory (sites,
 * nodes, GPUs, providers) is the platform's, not a tenant's, and is seen by all.
 */
public final class TenantAccess {

    /** The role that makes a login a tenant's user: {@code tenant:bank-risk}. */
    public static final String ROLE_PREFIX = "tenant:";
    /** Karaf's administrators' role; a login holding it is never restricted. */
    public static final String ADMIN_ROLE = "admin";

    private TenantAccess() {
    }

    /** The tenants the caller is restricted to; empty when it may act for every tenant. */
    public static Optional<Set<String>> restriction() {
        return restriction(current());
    }

    static Optional<Set<String>> restriction(Subject subject) {
        if (subject == null) {
            return Optional.empty();
        }
        Set<String> tenants = new TreeSet<>();
        for (Principal p : subject.getPrincipals()) {
            if (!p.getClass().getSimpleName().equals("RolePrincipal") || p.getName() == null) {
                continue;
            }
            if (p.getName().equals(ADMIN_ROLE)) {
                return Optional.empty();
            }
            if (p.getName().startsWith(ROLE_PREFIX) && p.getName().length() > ROLE_PREFIX.length()) {
                tenants.add(p.getName().substring(ROLE_PREFIX.length()));
            }
        }
        return tenants.isEmpty() ? Optional.empty() : Optional.of(Set.copyOf(tenants));
    }

    /** Whether the caller may act for and see {@code tenant}. */
    public static boolean sees(String tenant) {
        return restriction().map(t -> allows(t, tenant)).orElse(true);
    }

    /**
     * Refuses, unless the caller may act for {@code tenant}.
     *
     * @param what what was asked, for the message ({@code place contract llm-training})
     * @throws AuthorizationException naming the user, the tenants it may act for, and the tenant asked
     */
    public static void require(String tenant, String what) {
        Optional<Set<String>> only = restriction();
        if (only.isPresent() && !allows(only.get(), tenant)) {
            // the contract reader refuses a control character in a tenant or a name, but a contract built in code is not read
            throw refused(only.get(), ", not for tenant " + InvalidConfigurationException.printable(tenant), what);
        }
    }

    /**
     * Refuses, unless the caller may act for every one of {@code tenants} (those of something the
     * call names), without naming them: another tenant's is not told to a tenant's user.
     *
     * @param what what was asked, saying why ({@code place contract llm for deployment d-000042, which is not one of its tenants'})
     * @throws AuthorizationException naming the user and the tenants it may act for
     */
    public static void requireAll(java.util.Collection<String> tenants, String what) {
        Optional<Set<String>> only = restriction();
        if (only.isPresent() && !tenants.stream().allMatch(t -> allows(only.get(), t))) {
            // what names a contract, whose name a contract built in code may give with a line break: shown as require shows it
            throw refused(only.get(), "", what);
        }
    }

    /**
     * Refuses a tenant's user: for what spans every tenant.
     *
     * @param why why it spans every tenant ({@code the provenance log is one chain of every tenant's records})
     * @param what what was asked ({@code export it})
     */
    public static void requireEveryTenant(String why, String what) {
        Optional<Set<String>> only = restriction();
        if (only.isPresent()) {
            throw refused(only.get(), "; " + why, what);
        }
    }

    /**
     * The refusal of {@code what} to the caller, who may act for {@code tenants} only; {@code detail}
     * (already shown printable) says why. Every refusal is made here, so that each shows what was
     * asked as {@link #restricted} shows the login: {@code what} may name a contract, whose name a
     * contract built in code (not read) may give with a line break.
     */
    private static AuthorizationException refused(Set<String> tenants, String detail, String what) {
        return new AuthorizationException(restricted(tenants) + detail + ": refused to " + InvalidConfigurationException.printable(what));
    }

    /**
     * Who is refused and what it may act for, for a refusal's message. The login's name and its
     * roles' tenants are shown as the API shows a configured value
     * ({@link InvalidConfigurationException#printable}): they come from the login's realm, and the
     * message reaches the log and the provenance log as well as the shell, which escapes what it
     * prints but a log line does not; a line break in a name would forge a line there. The tenants
     * are sorted: the restriction is a set without an order of its own.
     */
    private static String restricted(Set<String> tenants) {
        return "user " + InvalidConfigurationException.printable(Actors.current()) + " may act for tenant" + (tenants.size() == 1 ? " " : "s ")
                + InvalidConfigurationException.printable(String.join(", ", new TreeSet<>(tenants))) + " only (its roles tenant:ID)";
    }

    /** The items of tenants the caller sees, in their order. */
    public static <T> List<T> visible(List<T> items, Function<T, String> tenantOf) {
        Optional<Set<String>> only = restriction();
        return only.isEmpty() ? items : items.stream().filter(i -> allows(only.get(), tenantOf.apply(i))).toList();
    }

    /** The item if the caller sees its tenant. */
    public static <T> Optional<T> visible(Optional<T> item, Function<T, String> tenantOf) {
        Optional<Set<String>> only = restriction();
        return only.isEmpty() ? item : item.filter(i -> allows(only.get(), tenantOf.apply(i)));
    }

    /** Whether a tenant's user restricted to {@code tenants} sees {@code tenant}; what names no tenant (a provider's record) is none of its tenants'. */
    private static boolean allows(Set<String> tenants, String tenant) {
        // the set is immutable, and such a set's contains(null) throws
        return tenant != null && tenants.contains(tenant);
    }

    /**
     * Runs {@code work} as the platform, with no subject: for work a tenant's user starts that must
     * see every tenant's state (a verifier pass over the whole ledger), whose results are then
     * filtered for the user.
     */
    @SuppressWarnings("removal")
    public static <T> T asPlatform(Supplier<T> work) {
        return Subject.doAsPrivileged(null, (PrivilegedAction<T>) work::get, null);
    }

    /**
     * A daemon thread for the platform's own work: a thread takes the security context of the
     * thread that creates it, subject included, so a pool's thread started while a tenant's user
     * called (a pool that starts threads on demand) would do every later task, every tenant's, as
     * that user. Made here, it carries no subject.
     */
    public static Thread platformThread(Runnable work, String name) {
        return asPlatform(() -> {
            Thread t = new Thread(work, name);
            t.setDaemon(true);
            return t;
        });
    }

    @SuppressWarnings("removal")
    private static Subject current() {
        try {
            return Subject.getSubject(AccessController.getContext());
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
