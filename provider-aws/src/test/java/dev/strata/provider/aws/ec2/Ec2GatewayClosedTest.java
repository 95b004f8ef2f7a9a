package dev.strata.provider.aws.ec2;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import org.junit.jupiter.api.Test;

/** A call that reaches the gateway after the provider was deactivated leaves as a portable exception. */
class Ec2GatewayClosedTest {

    @Test
    void aCallAfterCloseIsProviderUnavailableNamingTheCall() {
        Ec2Gateway gateway = new Ec2Gateway(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAEXAMPLE", "not-used")),
                URI.create("http://127.0.0.1:9"), Duration.ofSeconds(5), s -> s);
        gateway.close();
        assertThatThrownBy(() -> gateway.zones("eu-central-1", DiscoveryContext.withTimeout("test", Duration.ofSeconds(5))))
                .isInstanceOf(ProviderUnavailableException.class)
                .hasMessage("EC2 DescribeAvailabilityZones in eu-central-1: the AWS provider was stopped");
    }
}
