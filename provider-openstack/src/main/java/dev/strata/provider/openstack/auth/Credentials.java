package dev.strata.provider.openstack.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.provider.openstack.http.Secret;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How Strata proves who it is to Keystone v3. The secret is read through a supplier each time a
 * token is requested (from a file, so a rotated secret is picked up and the secret never sits in
 * configuration); {@link #toString()} names the identity, never the secret.
 */
public sealed interface Credentials {

    /** The Keystone v3 {@code auth} body for {@code POST /v3/auth/tokens}. */
    ObjectNode authBody(ObjectMapper json, Secret secret);

    /** Reads the secret now. */
    Secret secret();

    /** Who authenticates, for messages: never the secret. */
    String identity();

    /**
     * A user with a password, scoped to a project.
     *
     * @param user the user name
     * @param userDomain the user's domain name ({@code Default})
     * @param project the project name, or null when {@code projectId} is set
     * @param projectId the project id, or null when {@code project} is set
     * @param projectDomain the project's domain name (with {@code project})
     * @param password reads the password
     */
    record Password(String user, String userDomain, String project, String projectId, String projectDomain, Supplier<Secret> password)
            implements Credentials {

        public Password {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(userDomain, "userDomain");
            if ((project == null) == (projectId == null)) {
                throw new IllegalArgumentException("exactly one of project and projectId must be given");
            }
            Objects.requireNonNull(projectDomain, "projectDomain");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public ObjectNode authBody(ObjectMapper json, Secret secret) {
            ObjectNode auth = json.createObjectNode();
            ObjectNode identity = auth.putObject("auth").putObject("identity");
            identity.putArray("methods").add("password");
            ObjectNode u = identity.putObject("password").putObject("user");
            u.put("name", user);
            u.putObject("domain").put("name", userDomain);
            u.put("password", secret.reveal());
            ObjectNode p = ((ObjectNode) auth.get("auth")).putObject("scope").putObject("project");
            if (projectId != null) {
                p.put("id", projectId);
            } else {
                p.put("name", project);
                p.putObject("domain").put("name", projectDomain);
            }
            return auth;
        }

        @Override
        public Secret secret() {
            return password.get();
        }

        @Override
        public String identity() {
            String scope = projectId != null ? "project id " + projectId : "project '" + project + "' (domain " + projectDomain + ")";
            return "user '" + user + "' (domain " + userDomain + ") for " + scope;
        }

        @Override
        public String toString() {
            return "Password[" + identity() + ", password=" + Secret.MASK + "]";
        }
    }

    /**
     * A Keystone application credential (bound to the project it was made in).
     *
     * @param id the application credential id
     * @param secretSource reads its secret
     */
    record ApplicationCredential(String id, Supplier<Secret> secretSource) implements Credentials {

        public ApplicationCredential {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(secretSource, "secret");
        }

        @Override
        public ObjectNode authBody(ObjectMapper json, Secret secret) {
            ObjectNode auth = json.createObjectNode();
            ObjectNode identity = auth.putObject("auth").putObject("identity");
            identity.putArray("methods").add("application_credential");
            ObjectNode ac = identity.putObject("application_credential");
            ac.put("id", id);
            ac.put("secret", secret.reveal());
            return auth;
        }

        @Override
        public Secret secret() {
            return secretSource.get();
        }

        @Override
        public String identity() {
            return "application credential " + id;
        }

        @Override
        public String toString() {
            return "ApplicationCredential[" + id + ", secret=" + Secret.MASK + "]";
        }
    }
}
