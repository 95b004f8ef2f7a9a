package dev.strata.provider.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.AuthorizationException;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;

/**
 * The configured {@code accountId} against the credentials' account, on moto (whose account is
 * 123456789012): credentials of another account are refused before anything is discovered, naming
 * both; a region that has no default security group to read the account from (its default VPC's
 * group deleted, as moto allows) is not taken as checked, so the check is made once a VPC exists.
 */
class AccountCheckTest {

    private static final String MOTO_ACCOUNT = "123456789012";

    private Moto moto;
    private Ec2Client direct;
    private AwsProvider provider;

    @BeforeEach
    void start() {
        moto = Moto.shared();
        moto.reset();
        direct = Ec2Client.builder().region(Region.EU_CENTRAL_1).endpointOverride(moto.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAOTHER", "other")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterEach
    void stop() {
        if (provider != null) {
            provider.deactivate();
        }
        direct.close();
    }

    private AwsProvider provider(String accountId) {
        provider = new AwsProvider(TestConfigs.settings(TestConfigs.moto(moto, "regions", new String[] {"eu-central-1"},
                "images", new String[] {"eu-central-1=ami-03cf127a"}, "accountId", accountId)), Clock.systemUTC());
        return provider;
    }

    private static DiscoveryContext context() {
        return DiscoveryContext.withTimeout("account-check", Duration.ofSeconds(60));
    }

    @Test
    void credentialsOfAnotherAccountAreRefusedNamingBoth() {
        assertThatThrownBy(() -> provider("111122223333").discoverCompute(context()))
                .isInstanceOf(AuthorizationException.class)
                .hasMessageContaining("the credentials belong to account " + MOTO_ACCOUNT)
                .hasMessageContaining("but accountId is 111122223333");
    }

    @Test
    void theCredentialsOwnAccountPasses() {
        assertThat(provider(MOTO_ACCOUNT).discoverCompute(context()).nodes()).isEmpty();
    }

    /**
     * Before, a region whose account could not be read was marked checked, and credentials of
     * another account went unnoticed there for good, even once a VPC (and its default group) existed.
     */
    @Test
    void aRegionWithoutADefaultSecurityGroupIsCheckedOnceItHasOne() {
        for (SecurityGroup group : direct.describeSecurityGroups(b -> b.filters(f -> f.name("group-name").values("default"))).securityGroups()) {
            direct.deleteSecurityGroup(b -> b.groupId(group.groupId()));
        }
        AwsProvider wrongAccount = provider("111122223333");
        // nothing to read the account from: discovery goes on (a warning says the account is unchecked)
        assertThat(wrongAccount.discoverCompute(context()).nodes()).isEmpty();

        direct.createVpc(b -> b.cidrBlock("10.42.0.0/16")); // a VPC comes with its default security group
        assertThatThrownBy(() -> wrongAccount.discoverCompute(context()))
                .isInstanceOf(AuthorizationException.class)
                .hasMessageContaining("the credentials belong to account " + MOTO_ACCOUNT);
    }
}
