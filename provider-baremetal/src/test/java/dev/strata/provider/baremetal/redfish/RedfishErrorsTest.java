package dev.strata.provider.baremetal.redfish;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.provider.baremetal.bmc.Secret;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What the BMC's own words become in an error: its password masked, and never more than a bounded part of them. */
class RedfishErrorsTest {

    private static final String PASSWORD = "s3cret-Pa55";
    private static final RedfishEndpoint BMC = new RedfishEndpoint("rack1-n07", URI.create("https://10.20.1.7"), "admin",
            Secret.of(PASSWORD), RedfishEndpoint.Auth.AUTO, null, null, Duration.ofSeconds(5), 3);

    /**
     * A failed task's messages are masked and cut as an error answer's are. Before, they were quoted
     * whole: a BMC repeating the password in a task message put it in the exception and the log.
     */
    @Test
    void aFailedTasksMessagesAreMaskedAndCut() throws Exception {
        var task = new ObjectMapper().readTree("{\"Messages\": [{\"Message\": \"login as admin/" + PASSWORD + " refused\"},"
                + " {\"Message\": \"" + "x".repeat(5000) + "\"}]}");
        String message = RedfishErrors.taskFailed(BMC, "/redfish/v1/TaskService/Tasks/7", "Exception", task).getMessage();
        assertThat(message).doesNotContain(PASSWORD).contains("login as admin/**** refused").endsWith("...")
                .hasSizeLessThan(RedfishErrors.MAX_SAID + 200);
    }

    /** An error answer's message of any length is cut; before, a JSON error's was quoted whole (only an HTML page was cut). */
    @Test
    void anErrorAnswersMessageIsCut() {
        byte[] body = ("{\"error\": {\"message\": \"" + PASSWORD + " " + "y".repeat(100_000) + "\"}}").getBytes(StandardCharsets.UTF_8);
        String said = RedfishErrors.redfishMessage(body, BMC);
        assertThat(said).startsWith("**** yyy").endsWith("...").hasSize(RedfishErrors.MAX_SAID + 3);
    }

    /**
     * A BMC that hangs up during the TLS handshake is a connection failure that says so, not a
     * certificate problem; a certificate refused during the handshake still names the settings to check.
     */
    @Test
    void aHandshakeTheBmcHangsUpIsNoCertificateProblem() {
        for (Throwable dropped : java.util.List.of(new javax.net.ssl.SSLHandshakeException("Remote host terminated the handshake"),
                new javax.net.ssl.SSLHandshakeException("Remote host closed the channel"),
                new javax.net.ssl.SSLHandshakeException("handshake failed").initCause(new java.io.EOFException("SSL peer shut down incorrectly")),
                new javax.net.ssl.SSLHandshakeException("handshake failed").initCause(new java.net.SocketException("Connection reset")))) {
            assertThat(RedfishErrors.handshakeDropped(dropped)).as(dropped.toString()).isTrue();
            assertThat(RedfishErrors.forException(BMC, "GET", "/redfish/v1/", dropped, 3).getMessage()).as(dropped.toString())
                    .contains("the BMC closed the connection during the TLS handshake").contains("(3 attempts)")
                    .doesNotContain("certificateFingerprint").doesNotContain("caFile");
        }
        Throwable refused = new javax.net.ssl.SSLHandshakeException("Remote host terminated the handshake")
                .initCause(new java.security.cert.CertificateException("PKIX path building failed"));
        assertThat(RedfishErrors.handshakeDropped(refused)).isFalse();
        assertThat(RedfishErrors.forException(BMC, "GET", "/redfish/v1/", refused, 1).getMessage())
                .contains("TLS handshake failed").contains("check certificateFingerprint or caFile");
        assertThat(RedfishErrors.handshakeDropped(new javax.net.ssl.SSLHandshakeException("Received fatal alert: protocol_version"))).isFalse();
    }
}
