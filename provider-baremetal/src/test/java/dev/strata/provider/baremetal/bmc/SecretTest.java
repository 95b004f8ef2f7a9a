package dev.strata.provider.baremetal.bmc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretTest {

    /**
     * Two passwords are the same only where every character is: one that differs from another in
     * an unpaired surrogate alone (a .cfg file may write one as a backslash-u escape) is another
     * password, and a change between them makes the BMC's client anew. Before, the comparison
     * encoded both as UTF-8, which writes every unpaired surrogate as '?', and found them equal.
     */
    @Test
    void passwordsDifferingInAnUnpairedSurrogateAreNotTheSame() {
        Secret a = Secret.of("pw\ud800");
        Secret b = Secret.of("pw\ud801");
        Secret question = Secret.of("pw?");

        assertThat(a).isNotEqualTo(b).isNotEqualTo(question);
        assertThat(b).isNotEqualTo(question);
        assertThat(a).isEqualTo(Secret.of("pw\ud800")).hasSameHashCodeAs(Secret.of("pw\ud800"));
        assertThat(Secret.of("p\u00e9w")).isEqualTo(Secret.of("p\u00e9w")).isNotEqualTo(Secret.of("pew"));
    }

    /**
     * A secret's hash code tells nothing of it: every password has the same. Before, it was the
     * hash of its characters, 32 bits of fingerprint that a dictionary can be checked against
     * wherever a hash is shown (an identity in a debug line, a heap dump's summary).
     */
    @Test
    void theHashCodeIsTheSameForEveryPassword() {
        java.util.Set<Integer> hashes = new java.util.HashSet<>();
        for (String password : java.util.List.of("", "a", "hunter2", "correct horse battery staple", "pw\ud800")) {
            hashes.add(Secret.of(password).hashCode());
        }
        assertThat(hashes).hasSize(1);
    }
}
