package dev.strata.platform.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SecretTest {

    /**
     * {@link Secret#sameAs} against {@link Arrays#equals} on random pairs, with the awkward cases
     * drawn often: empty secrets, one a prefix of the other, a difference only in the last
     * character, lengths that divide one another.
     */
    @Test
    void sameAsAgreesWithComparingTheCharactersOnRandomPairs() {
        Random random = new Random(20261206);
        int same = 0;
        for (int i = 0; i < 20_000; i++) {
            char[] a = chars(random, random.nextInt(6));
            char[] b = switch (random.nextInt(5)) {
                case 0 -> a.clone();
                case 1 -> Arrays.copyOf(a, random.nextInt(a.length + 1));
                case 2 -> {
                    char[] c = a.clone();
                    if (c.length > 0) {
                        c[c.length - 1] ^= (char) (1 + random.nextInt(3));
                    }
                    yield c;
                }
                case 3 -> {
                    char[] c = new char[a.length * 2];
                    System.arraycopy(a, 0, c, 0, a.length);
                    System.arraycopy(a, 0, c, a.length, a.length);
                    yield c;
                }
                default -> chars(random, random.nextInt(6));
            };
            boolean expected = Arrays.equals(a, b);
            same += expected ? 1 : 0;
            assertThat(Secret.of(a).sameAs(Secret.of(b))).as("%s vs %s", Arrays.toString(a), Arrays.toString(b)).isEqualTo(expected);
            assertThat(Secret.of(b).sameAs(Secret.of(a))).as("%s vs %s", Arrays.toString(b), Arrays.toString(a)).isEqualTo(expected);
        }
        assertThat(same).as("pairs that are the same").isBetween(4_000, 16_000);
    }

    @Test
    void noPasswordIsTheSameAsAnEmptyOneAndNoOther() {
        assertThat(Secret.none().sameAs(Secret.of(new char[0]))).isTrue();
        assertThat(Secret.none().sameAs(Secret.of("x".toCharArray()))).isFalse();
        assertThat(Secret.of("x".toCharArray()).sameAs(Secret.none())).isFalse();
    }

    @Test
    void aClearedSecretIsNoLongerTheSameAsItsCharacters() {
        Secret s = Secret.of("hunter2".toCharArray());
        s.clear();
        assertThat(s.sameAs(Secret.of("hunter2".toCharArray()))).isFalse();
        assertThat(s.toString()).doesNotContain("hunter2");
    }

    private static char[] chars(Random random, int length) {
        char[] c = new char[length];
        for (int i = 0; i < length; i++) {
            c[i] = (char) ('a' + random.nextInt(3));
        }
        return c;
    }
}
