package dev.strata.provider.aws;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.aws.ec2.Ec2Gateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.profiles.ProfileFile;

/**
 * No credentials anywhere the standard AWS chain looks (here the SDK's own chain over an empty
 * profile file, as on a machine without environment variables, profile or instance role): every
 * call fails before anything is sent, with an authorization error that says where credentials
 * come from. Before, it was "could not be reached", as for a network outage, and was retried as one.
 */
class MissingCredentialsTest {

    @Test
    void noCredentialsInTheChainIsAnAuthorizationErrorSayingWhereTheyComeFrom(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("credentials"), "");
        AwsCredentialsProviderChain chain = AwsCredentialsProviderChain.of(ProfileCredentialsProvider.builder()
                .profileFile(ProfileFile.builder().content(empty).type(ProfileFile.Type.CREDENTIALS).build()).build());
        try (Ec2Gateway gateway = new Ec2Gateway(chain, Moto.shared().endpoint(), Duration.ofSeconds(5), s -> s)) {
            assertThatThrownBy(() -> gateway.instances("eu-central-1", Map.of(), DiscoveryContext.withTimeout("t", Duration.ofSeconds(10))))
                    .isInstanceOf(AuthorizationException.class)
                    .hasMessageStartingWith("EC2 DescribeInstances in eu-central-1 has no credentials: the standard AWS chain found none")
                    .hasMessageContaining("accessKeyId and secretAccessKeyFile");
        }
    }
}
