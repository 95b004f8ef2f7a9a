package dev.strata.platform.api.exception;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a configuration error shows of a URL or address: never a user's password or a secret parameter's value. */
class InvalidConfigurationExceptionTest {

    @Test
    void aUserAndPasswordBeforeTheHostAreMasked() {
        assertThat(InvalidConfigurationException.withoutCredentials("https://admin:s3cret@keystone.example:5000/v3"))
                .isEqualTo("https://****@keystone.example:5000/v3");
        // IPMI's address form, no scheme; a password holding '@' is masked up to the last one
        assertThat(InvalidConfigurationException.withoutCredentials("root:calvin@10.0.0.5")).isEqualTo("****@10.0.0.5");
        assertThat(InvalidConfigurationException.withoutCredentials("redfish://u:p@ss@bmc-7:443")).isEqualTo("redfish://****@bmc-7:443");
        assertThat(InvalidConfigurationException.withoutCredentials("not a url: x@y")).isEqualTo("****@y");
    }

    @Test
    void theValueOfEveryParameterWhoseNameSaysSecretIsMasked() {
        assertThat(InvalidConfigurationException.withoutCredentials(
                "https://ec2.example/?X-Amz-Signature=abc123&region=eu-central-1&Token=t0k&apiKey=k3y;password=pw#frag"))
                .isEqualTo("https://ec2.example/?X-Amz-Signature=****&region=eu-central-1&Token=****&apiKey=****;password=****#frag");
        assertThat(InvalidConfigurationException.withoutCredentials("https://h/?sslmode=require&db=secret-store"))
                .as("the word in a value is no secret").isEqualTo("https://h/?sslmode=require&db=secret-store");
    }

    @Test
    void textWithoutCredentialsIsShownAsItIs() {
        assertThat(InvalidConfigurationException.withoutCredentials("https://keystone.example:5000/v3")).isEqualTo("https://keystone.example:5000/v3");
        assertThat(InvalidConfigurationException.withoutCredentials("")).isEmpty();
        assertThat(InvalidConfigurationException.withoutCredentials(null)).isNull();
    }

    @Test
    void theMessageNamesThePidThePropertyTheValueAndWhatWasExpected() {
        InvalidConfigurationException e = new InvalidConfigurationException("dev.strata.x", "endpoint",
                InvalidConfigurationException.withoutCredentials("http://a:b@h"), "a URL without user:password@");
        assertThat(e).hasMessage("dev.strata.x: endpoint = 'http://****@h' is invalid; expected a URL without user:password@");
        assertThat(e.pid()).isEqualTo("dev.strata.x");
        assertThat(e.property()).isEqualTo("endpoint");
    }
}
