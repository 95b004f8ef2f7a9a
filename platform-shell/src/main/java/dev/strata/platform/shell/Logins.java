package dev.strata.platform.shell;

import java.security.AccessController;
import java.security.Principal;
import javax.security.auth.Subject;

/**
 * Whether the shell user is a tenant's user: a login whose JAAS subject holds a role
 * {@code tenant:ID} (Karaf's {@code RolePrincipal}) and not the role {@code admin}, the rule
 * Strata's services act on. The services refuse and filter for such a login themselves; the shell
 * needs to know only for what it does without them, such as completing a file name on the server.
 */
final class Logins {

    private Logins() {
    }

    /** Whether the current login is confined to its tenants. */
    static boolean isTenantsUser() {
        Subject subject = current();
        if (subject == null) {
            return false;
        }
        boolean tenant = false;
        for (Principal p : subject.getPrincipals()) {
            if (!p.getClass().getSimpleName().equals("RolePrincipal") || p.getName() == null) {
                continue;
            }
            if (p.getName().equals("admin")) {
                return false;
            }
            tenant |= p.getName().startsWith("tenant:") && p.getName().length() > "tenant:".length();
        }
        return tenant;
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
