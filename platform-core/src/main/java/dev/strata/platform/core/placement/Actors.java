package dev.strata.platform.core.placement;

import java.security.AccessController;
import java.security.Principal;
import javax.security.auth.Subject;

/**
 * Who is asking: the user of the shell session the call comes from, or {@code system}. Karaf runs
 * every shell command inside {@code Subject.doAs} with the session's JAAS subject, whose user
 * principal ({@code org.apache.karaf.jaas.boot.principal.UserPrincipal}) names the user; calls
 * from anywhere else have no subject.
 */
public final class Actors {

    public static final String SYSTEM = "system";

    private Actors() {
    }

    @SuppressWarnings("removal")
    public static String current() {
        Subject subject;
        try {
            subject = Subject.getSubject(AccessController.getContext());
        } catch (RuntimeException | LinkageError e) {
            return SYSTEM;
        }
        return of(subject);
    }

    /** The subject's user principal's name, or {@code system}. */
    static String of(Subject subject) {
        if (subject == null) {
            return SYSTEM;
        }
        String any = null;
        for (Principal p : subject.getPrincipals()) {
            if (p.getClass().getSimpleName().equals("UserPrincipal")) {
                return p.getName();
            }
            if (any == null && !p.getClass().getSimpleName().equals("RolePrincipal") && !p.getClass().getSimpleName().equals("GroupPrincipal")) {
                any = p.getName();
            }
        }
        return any == null || any.isBlank() ? SYSTEM : any;
    }
}
