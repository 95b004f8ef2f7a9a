package dev.strata.provider.aws.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;

/**
 * An exception other than the SDK's thrown from inside an SDK call (an {@link IllegalStateException} or
 * {@link NullPointerException} of the SDK, a parser's error) leaves the gateway as a portable exception naming the call,
 * scrubbed of credentials, as the SDK's own exceptions do; an interruption among its causes stays a timeout. Before, it
 * passed through raw, credentials and all. moto cannot make the SDK throw such an exception, so the gateway is given the
 * smallest stand-in for the SDK's client: one whose calls throw.
 */
class Ec2GatewaySdkFailureTest {

    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    private static Ec2Gateway gateway(Supplier<RuntimeException> thrown) {
        Ec2Client throwing = new Ec2Client() {
            @Override
            public DescribeInstancesResponse describeInstances(DescribeInstancesRequest request) {
                throw thrown.get();
            }

            @Override
            public RunInstancesResponse runInstances(RunInstancesRequest request) {
                throw thrown.get();
            }

            @Override
            public String serviceName() {
                return "ec2";
            }

            @Override
            public void close() {
            }
        };
        return new Ec2Gateway(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAEXAMPLE", SECRET)),
                URI.create("http://127.0.0.1:9"), Duration.ofSeconds(5), s -> s.replace(SECRET, "[secret]")) {
            @Override
            Ec2Client client(String region) {
                return throwing;
            }
        };
    }

    @Test
    void aNonSdkExceptionIsAProviderFailureNamingTheCallWithoutCredentials() {
        try (Ec2Gateway gateway = gateway(() -> new IllegalStateException("cannot sign with secret " + SECRET))) {
            assertThatThrownBy(() -> gateway.instances("eu-central-1", Map.of("tag-key", List.of("strata:operation")), context()))
                    .isInstanceOf(ProviderFailureException.class)
                    .hasMessageStartingWith("EC2 DescribeInstances in eu-central-1 failed inside the AWS SDK: java.lang.IllegalStateException")
                    .hasMessageContaining("[secret]")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET))
                    .hasNoCause();
        }
    }

    @Test
    void aRunInstancesThatFailedInsideTheSdkIsToBeRepeated() {
        try (Ec2Gateway gateway = gateway(() -> new NullPointerException("answer had no " + SECRET))) {
            Ec2Gateway.Launch launch = new Ec2Gateway.Launch("eu-central-1", "eu-central-1a", "p4d.24xlarge", "ami-0abc", null, List.of(), null,
                    "token", Map.of("strata:operation", "op-1"), 0, null);
            assertThatThrownBy(() -> gateway.run(launch, context()))
                    .isInstanceOf(ProviderUnavailableException.class)
                    .hasMessageContaining("EC2 RunInstances in eu-central-1 failed inside the AWS SDK (java.lang.NullPointerException")
                    .hasMessageContaining("the launch may have happened")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
        }
    }

    @Test
    void anInterruptionInsideANonSdkExceptionStaysATimeout() {
        try (Ec2Gateway gateway = gateway(() -> new IllegalStateException("worker stopped", new InterruptedException()))) {
            assertThatThrownBy(() -> gateway.instances("eu-central-1", Map.of(), context()))
                    .isInstanceOf(ProviderTimeoutException.class)
                    .hasMessage("EC2 DescribeInstances in eu-central-1 was interrupted");
        }
    }

    private static DiscoveryContext context() {
        return DiscoveryContext.withTimeout("test", Duration.ofSeconds(5));
    }
}
