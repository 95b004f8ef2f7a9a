package dev.strata.provider.baremetal.redfish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.baremetal.bmc.RequestNotApplied;
import dev.strata.provider.baremetal.peers.StandInRedfish;
import dev.strata.provider.baremetal.peers.TestBmcs;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RedfishClient#close} and what comes after it. The BMC is a {@link StandInRedfish}: the
 * emulator can neither hold a login until the test lets it answer nor count the logins and session
 * deletes it was sent.
 */
class RedfishClientCloseTest {

    static final String PASSWORD = "Stand-in-Pw1";
    static final String SYSTEM = StandInRedfish.SYSTEM;

    StandInRedfish bmc;
    ExecutorService callers;

    @BeforeEach
    void start() {
        bmc = StandInRedfish.start("close", 4);
        callers = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void stop() {
        bmc.close();
        callers.shutdownNow();
    }

    /** A client of the stand-in with a request timeout of 20 s, as the BMC's configuration makes it. */
    private RedfishClient client(String auth) {
        Map<String, Object> config = TestBmcs.redfish("rack1", bmc.address(), "operator", PASSWORD);
        config.put("auth", auth);
        config.put("requestTimeout", "20s");
        return RedfishClient.open(TestBmcs.settings(config).redfish(), "dev.strata.provider.bmc~rack1");
    }

    private static DiscoveryContext context() {
        return DiscoveryContext.withTimeout("test", Duration.ofSeconds(60));
    }

    /**
     * A close while a login on the same client waits for the BMC (which holds it here; its request
     * timeout is 20 s) returns within its short bound, {@link RedfishClient#LOGIN_WAIT_AT_CLOSE}.
     * It waited for the login's answer, behind the session lock, up to the request timeout or
     * longer. The login, answered after the close, fails saying the client was closed, and deletes
     * the session the BMC made for it, which nothing else would.
     */
    @Test
    void aCloseDoesNotWaitForALoginInProgressWhichFailsAndDeletesItsSession() throws Exception {
        RedfishClient client = client("session");
        StandInRedfish.Gate login = bmc.holdLogins();
        CompletableFuture<JsonNode> read = CompletableFuture.supplyAsync(() -> client.get(SYSTEM, context()), callers);
        assertThat(login.arrived(Duration.ofSeconds(30))).as("the read logs in").isTrue();

        CompletableFuture<Void> close = CompletableFuture.runAsync(client::close, callers);
        Throwable closing = catchThrowable(() -> close.get(5, TimeUnit.SECONDS));
        login.release();

        assertThat(closing).as("the close returns while the login waits for the BMC").isNull();
        Throwable failed = catchThrowable(() -> read.get(30, TimeUnit.SECONDS));
        assertThat(failed).isInstanceOf(ExecutionException.class).cause().isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("BMC rack1").hasMessageContaining("the login was answered after the close")
                .hasMessageContaining("Redfish client was closed").hasMessageNotContaining(PASSWORD);
        assertThat(bmc.awaitDelete(Duration.ofSeconds(30))).as("the session the login made is deleted").isTrue();
        assertThat(bmc.logins()).containsExactly("operator");
        assertThat(bmc.deletes()).isEqualTo(1);
    }

    /**
     * A request begun on a client after its close (a caller that still held it when the provider
     * stopped or the BMC's settings changed) is refused, saying the client was closed, without a
     * request reaching the BMC: it logged in again, and the session it made was one nothing
     * deletes. A reset refused so is known not sent. A client on basic authentication sends nothing
     * after its close either.
     */
    @Test
    void aRequestAfterTheCloseIsRefusedWithoutALogin() {
        RedfishClient client = client("session");
        assertThat(client.get(SYSTEM, context()).path("PowerState").asText()).isEqualTo("On");
        client.close();
        assertThat(bmc.deletes()).as("the close deletes the session").isEqualTo(1);
        int atClose = bmc.requests();

        assertThatThrownBy(() -> client.get(SYSTEM, context())).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("BMC rack1").hasMessageContaining("was not sent")
                .hasMessageContaining("Redfish client was closed, because the BMC provider stopped or the BMC's settings changed");
        assertThatThrownBy(() -> client.action(StandInRedfish.RESET, RedfishClient.JSON.createObjectNode().put("ResetType", "On"),
                context())).isInstanceOfSatisfying(RequestNotApplied.class, n -> assertThat(n.failure())
                        .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("Redfish client was closed"));
        assertThat(bmc.logins()).as("no login after the close").containsExactly("operator");
        assertThat(bmc.requests()).as("nothing sent after the close").isEqualTo(atClose);

        RedfishClient basic = client("basic");
        assertThat(basic.get(SYSTEM, context()).path("PowerState").asText()).isEqualTo("On");
        basic.close();
        int atBasicClose = bmc.requests();
        assertThatThrownBy(() -> basic.get(SYSTEM, context())).isInstanceOf(ProviderUnavailableException.class)
                .hasMessageContaining("GET " + SYSTEM + " was not sent").hasMessageContaining("Redfish client was closed");
        assertThat(bmc.requests()).as("nothing sent after the basic client's close").isEqualTo(atBasicClose);
    }
}
