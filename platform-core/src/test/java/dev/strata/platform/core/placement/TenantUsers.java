package dev.strata.platform.core.placement;

import java.security.Principal;
import java.security.PrivilegedAction;
import java.util.function.Supplier;
import javax.security.auth.Subject;

/** Runs test code as a shell login would: a JAAS subject with a user and roles, named as Karaf's principals are. */
public final class TenantUsers {

    private TenantUsers() {
    }

    /** Karaf's user principal is found by its class's simple name. */
    record UserPrincipal(String getName) implements Principal {
    }

    /** Karaf's role principal, likewise. */
    record RolePrincipal(String getName) implements Principal {
    }

    /** Runs {@code work} as {@code user} holding {@code roles} ({@code tenant:bank}, {@code admin}, {@code ssh}). */
    @SuppressWarnings("removal")
    public static <T> T as(String user, Supplier<T> work, String... roles) {
        Subject subject = new Subject();
        subject.getPrincipals().add(new UserPrincipal(user));
        for (String role : roles) {
            subject.getPrincipals().add(new RolePrincipal(role));
        }
        return Subject.doAs(subject, (PrivilegedAction<T>) work::get);
    }

    /** Runs {@code work} as {@code user} holding {@code roles}. */
    public static void run(String user, Runnable work, String... roles) {
        as(user, () -> {
            work.run();
            return null;
        }, roles);
    }
}
