package dev.strata.provider.openstack.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.provider.openstack.http.ApiRequest;
import dev.strata.provider.openstack.http.ApiResponse;
import dev.strata.provider.openstack.http.Secret;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * No {@code toString()} of what carries a token, a password or an application credential secret
 * shows it: a request (its token header, a Keystone authentication body), an answer (Keystone's
 * {@code X-Subject-Token}), credentials and a token.
 */
class SecretsInTextTest {

    static final String TOKEN = "gAAAAABtoken-7f3a9c";
    static final String PASSWORD = "correct horse battery staple";
    static final String AC_SECRET = "ac-secret-91b2";
    final ObjectMapper json = new ObjectMapper();

    /**
     * Before, {@code ApiRequest} printed the record's generated {@code toString()}: every header
     * with its value, {@code X-Auth-Token} included, and the whole body, a Keystone password or
     * application credential secret included. Now it names the call, the header names and the
     * body's size.
     */
    @Test
    void aRequestDoesNotShowItsTokenOrItsBody() {
        ApiRequest call = ApiRequest.get("Nova", URI.create("http://nova.example:8774/v2.1/servers/1?all_tenants=1"))
                .withHeader("X-Auth-Token", TOKEN).withHeader("OpenStack-API-Version", "compute 2.93");
        assertThat(call.toString()).doesNotContain(TOKEN).contains("Nova", "GET /v2.1/servers/1?all_tenants=1", "X-Auth-Token");

        Credentials.Password password = new Credentials.Password("strata", "Default", "strata", null, "Default", () -> Secret.of(PASSWORD));
        ApiRequest auth = ApiRequest.of("Keystone", "POST", URI.create("http://keystone.example:5000/v3/auth/tokens"),
                password.authBody(json, password.secret()));
        assertThat(auth.body().toString()).as("the body carries the password").contains(PASSWORD);
        assertThat(auth.toString()).doesNotContain(PASSWORD).doesNotContain("correct").contains("POST /v3/auth/tokens");

        Credentials.ApplicationCredential ac = new Credentials.ApplicationCredential("ac-1", () -> Secret.of(AC_SECRET));
        ApiRequest acAuth = ApiRequest.of("Keystone", "POST", URI.create("http://keystone.example:5000/v3/auth/tokens"),
                ac.authBody(json, ac.secret()));
        assertThat(acAuth.toString()).doesNotContain(AC_SECRET);
    }

    /** Before, an answer printed its headers with their values: Keystone's {@code X-Subject-Token} is the token. */
    @Test
    void anAnswerDoesNotShowKeystonesToken() {
        HttpHeaders headers = HttpHeaders.of(Map.of("X-Subject-Token", List.of(TOKEN), "Content-Type", List.of("application/json")),
                (k, v) -> true);
        ApiResponse answer = new ApiResponse(201, headers, json.createObjectNode().put("note", "no secret here"));
        assertThat(answer.toString()).doesNotContain(TOKEN).contains("201", "X-Subject-Token");
    }

    @Test
    void credentialsAndTokensDoNotShowTheirSecrets() {
        Credentials.Password password = new Credentials.Password("strata", "Default", null, "p-1", "Default", () -> Secret.of(PASSWORD));
        Credentials.ApplicationCredential ac = new Credentials.ApplicationCredential("ac-1", () -> Secret.of(AC_SECRET));
        assertThat(password.toString()).doesNotContain(PASSWORD).contains("strata");
        assertThat(ac.toString()).doesNotContain(AC_SECRET).contains("ac-1");
        assertThat(Secret.of(TOKEN).toString()).isEqualTo(Secret.MASK);
        KeystoneSession.Token token = new KeystoneSession.Token(Secret.of(TOKEN), Instant.EPOCH, Instant.EPOCH.plusSeconds(3600),
                ServiceCatalog.parse(json.createArrayNode()), "p-1", "u-1");
        assertThat(token.toString()).doesNotContain(TOKEN);
    }
}
