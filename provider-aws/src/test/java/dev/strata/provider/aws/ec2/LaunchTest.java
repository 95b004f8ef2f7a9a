package dev.strata.provider.aws.ec2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A launch is the same request however often it is built: it is sent again with the same client token after a restart. */
class LaunchTest {

    @Test
    void tagsGoOutInKeyOrderWhateverOrderTheyCameIn() {
        Map<String, String> given = new LinkedHashMap<>();
        for (String key : List.of("strata:tenant", "strata:operation", "strata:member", "strata:installation", "strata:deployment",
                "Name", "cost-centre", "owner")) {
            given.put(key, key + "-value");
        }
        Ec2Gateway.Launch launch = new Ec2Gateway.Launch("eu-central-1", "eu-central-1a", "p5.48xlarge", "ami-1", null, List.of(), null,
                "token-1", given, 0, null);
        assertThat(launch.tags().keySet()).containsExactly("Name", "cost-centre", "owner", "strata:deployment", "strata:installation",
                "strata:member", "strata:operation", "strata:tenant");
        assertThat(launch.tags()).isEqualTo(given);
    }
}
