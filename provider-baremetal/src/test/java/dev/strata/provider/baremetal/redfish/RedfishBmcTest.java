package dev.strata.provider.baremetal.redfish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.platform.api.exception.ConflictException;
import dev.strata.platform.api.exception.ProviderUnavailableException;
import dev.strata.platform.api.exception.StrataException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** What a BMC's refusal of a signed image URL becomes once its query is left out. */
class RedfishBmcTest {

    private static final String IMAGE = "http://10.0.0.9/installer.iso?X-Amz-Signature=5d0c3b7a9e1f2a4c6e8b";

    /**
     * The refusal keeps its class and its cause, only the query is left out of its message. Before,
     * it was rebuilt by its class in five branches: a cause (the I/O failure that said why the BMC
     * could not be reached) was lost, and any class but those five became ProviderFailureException.
     */
    @Test
    void aRefusalWithoutItsImageQueryKeepsItsClassAndCause() {
        IOException cause = new IOException("Connection reset");
        StrataException refused = new ProviderUnavailableException("BMC n07: POST InsertMedia of " + IMAGE + " failed", cause);

        StrataException clean = RedfishBmc.withoutImageQuery(refused, IMAGE);

        assertThat(clean).isExactlyInstanceOf(ProviderUnavailableException.class)
                .hasMessage("BMC n07: POST InsertMedia of http://10.0.0.9/installer.iso (query omitted) failed");
        assertThat(clean.getCause()).isSameAs(cause);
        assertThat(RedfishBmc.withoutImageQuery(new ConflictException("media busy with " + IMAGE), IMAGE))
                .isExactlyInstanceOf(ConflictException.class).hasMessageNotContaining("5d0c3b7a9e1f2a4c6e8b");
    }
}
