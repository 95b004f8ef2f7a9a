package dev.strata.platform.core.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@link JoinedIds}: the joined node ids written and read back, escapes included. */
class JoinedIdsTest {

    @Test
    void aCommaAndABackslashInAnIdAreEscaped() {
        assertThat(JoinedIds.join(List.of("bmc=bmc:r1,s2", "lab=lab:a\\b"))).isEqualTo("bmc=bmc:r1\\,s2,lab=lab:a\\\\b");
        assertThat(JoinedIds.split("bmc=bmc:r1\\,s2,lab=lab:a\\\\b")).containsExactly("bmc=bmc:r1,s2", "lab=lab:a\\b");
    }

    /** A value written before ids were escaped reads as it was: its ids held no comma, and a lone backslash is itself. */
    @Test
    void aValueWrittenBeforeEscapingReadsAsBefore() {
        assertThat(JoinedIds.split("bmc=bmc:4c4c4544-0042,other=other:h1")).containsExactly("bmc=bmc:4c4c4544-0042", "other=other:h1");
        assertThat(JoinedIds.split("bmc=bmc:a\\b,c\\")).containsExactly("bmc=bmc:a\\b", "c\\");
        assertThat(JoinedIds.split("")).isEmpty();
        assertThat(JoinedIds.split(null)).isEmpty();
    }

    @Property(tries = 500)
    void anyIdsReadBackAsWritten(@ForAll("ids") List<String> ids) {
        assertThat(JoinedIds.split(JoinedIds.join(ids))).containsExactlyElementsOf(ids);
    }

    @Provide
    Arbitrary<List<String>> ids() {
        return Arbitraries.strings().withChars("ab,\\=:").ofMinLength(1).ofMaxLength(6).list().ofMinSize(1).ofMaxSize(4);
    }
}
