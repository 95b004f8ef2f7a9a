package dev.strata.provider.openstack.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretTest {

    /**
     * Credentials are the same only where every UTF-16 unit is, unpaired surrogates included, and
     * the comparison's time does not depend on where they differ (it compares through
     * {@code MessageDigest.isEqual}; the time itself is not measured here).
     */
    @Test
    void credentialsAreTheSameOnlyWhereEveryCharacterIs() {
        assertThat(Secret.of("s3cr3t")).isEqualTo(Secret.of("s3cr3t"));
        assertThat(Secret.of("s3cr3t")).isNotEqualTo(Secret.of("s3cr3T")).isNotEqualTo(Secret.of("s3cr3")).isNotEqualTo(Secret.of("s3cr3tt"));
        assertThat(Secret.of("pw\ud800")).isNotEqualTo(Secret.of("pw\ud801")).isNotEqualTo(Secret.of("pw?")).isEqualTo(Secret.of("pw\ud800"));
        assertThat(Secret.of("\u0100")).isNotEqualTo(Secret.of("\u0001\u0000"));
    }

    /**
     * A credential's hash code tells nothing of it: every credential has the same. Before, it was
     * the hash of its text, 32 bits of fingerprint a dictionary can be checked against wherever a
     * hash is shown.
     */
    @Test
    void theHashCodeIsTheSameForEveryCredential() {
        Set<Integer> hashes = new HashSet<>();
        for (String credential : List.of("a", "hunter2", "correct horse battery staple", "gAAAAABtoken")) {
            hashes.add(Secret.of(credential).hashCode());
        }
        assertThat(hashes).hasSize(1);
    }
}
