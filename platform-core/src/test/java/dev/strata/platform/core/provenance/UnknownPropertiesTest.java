package dev.strata.platform.core.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/**
 * Which properties of a configuration no component reads, and which declared property each most
 * likely misspells. The lookup of what a component declares goes through the framework's MetaType
 * service, and is tested in the distribution ({@code StrataDistributionIT}).
 */
class UnknownPropertiesTest {

    private static final Set<String> METRICS = Set.of("tokenFile");
    private static final Set<String> AWS = Set.of(".secretAccessKey", "accessKeyId", "regions", "requestTimeout", "strata.provider.id",
            "quotas", "defaultQuota");

    @Test
    void propertiesNoComponentDeclaresAreUnknownAndTheFrameworksBookkeepingIsNot() {
        assertThat(UnknownProperties.of(List.of("tokenFil", "tokenFile", "felix.fileinstall.filename", "service.pid", "service.factoryPid",
                "component.name", "org.apache.karaf.features.configKey", ":org.apache.felix.configadmin.revision:", "colour"), METRICS))
                .containsExactly("colour", "tokenFil");
        assertThat(UnknownProperties.of(List.of("tokenFile"), METRICS)).isEmpty();
        assertThat(UnknownProperties.of(List.of(".secretAccessKey", "secretAccessKey", "strata.provider.id", "strata_provider_id"), AWS))
                .as("the names as the metatype declares them, not as the annotation's methods are spelt")
                .containsExactly("secretAccessKey", "strata_provider_id");
    }

    @Test
    void eachUnknownPropertyIsNamedWithTheDeclaredOneItMostLikelyMisspells() {
        assertThat(UnknownProperties.describe(List.of("tokenFil"), METRICS)).isEqualTo("tokenFil (did you mean tokenFile?)");
        assertThat(UnknownProperties.describe(List.of("tokenfile", "colour"), METRICS)).isEqualTo("tokenfile (did you mean tokenFile?), colour");
        assertThat(UnknownProperties.describe(List.of("region", "requestTimout", "defaultQuotas", "secretAccessKey"), AWS))
                .isEqualTo("region (did you mean regions?), requestTimout (did you mean requestTimeout?), defaultQuotas (did you mean "
                        + "defaultQuota?), secretAccessKey (did you mean .secretAccessKey?)");
        assertThat(UnknownProperties.suggestion("qutoas", AWS)).as("two neighbours swapped is one edit").contains("quotas");
        assertThat(UnknownProperties.suggestion("file", METRICS)).as("nothing near").isEmpty();
        assertThat(UnknownProperties.suggestion("x", Set.of("y"))).as("a short name allows one edit").contains("y");
        assertThat(UnknownProperties.suggestion("ab", Set.of("cd"))).isEmpty();
    }

    /** The edit distance against its definition's bounds: zero only for equal strings, symmetric, at most the longer length. */
    @Property(tries = 500)
    void theDistanceIsAMetricBoundedByTheLongerString(@ForAll @AlphaChars @StringLength(max = 12) String a,
            @ForAll @AlphaChars @StringLength(max = 12) String b) {
        int d = UnknownProperties.distance(a, b);
        assertThat(d).isEqualTo(UnknownProperties.distance(b, a));
        assertThat(d == 0).isEqualTo(a.equals(b));
        assertThat(d).isLessThanOrEqualTo(Math.max(a.length(), b.length())).isGreaterThanOrEqualTo(Math.abs(a.length() - b.length()));
        assertThat(UnknownProperties.distance(a, a + "x")).isEqualTo(1);
    }
}
