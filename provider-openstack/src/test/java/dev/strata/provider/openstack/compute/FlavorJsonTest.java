package dev.strata.provider.openstack.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.platform.api.exception.ProviderFailureException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A flavor as Nova lists it, its disks included. */
class FlavorJsonTest {

    final ObjectMapper json = new ObjectMapper();

    JsonNode node(String text) throws Exception {
        return json.readTree(text);
    }

    /** Before compute 2.75 Nova lists no swap as {@code ""}; from 2.75 as 0; a swap disk as MiB either way. */
    @Test
    void ephemeralAndSwapAreRead() throws Exception {
        Flavor old = NovaClient.flavor(node("{\"id\": \"1\", \"name\": \"m1.eph\", \"vcpus\": 2, \"ram\": 2048, \"disk\": 20,"
                + " \"OS-FLV-EXT-DATA:ephemeral\": 40, \"swap\": \"\", \"os-flavor-access:is_public\": true}"), null);
        assertThat(old.ephemeralGiB()).isEqualTo(40);
        assertThat(old.swapMiB()).isZero();
        assertThat(old.placementDiskGiB()).isEqualTo(60);

        Flavor swap = NovaClient.flavor(node("{\"id\": \"2\", \"name\": \"m1.swap\", \"vcpus\": 2, \"ram\": 2048, \"disk\": 20,"
                + " \"OS-FLV-EXT-DATA:ephemeral\": 0, \"swap\": 512, \"os-flavor-access:is_public\": true}"), null);
        assertThat(swap.swapMiB()).isEqualTo(512);
        assertThat(swap.placementDiskGiB()).as("512 MiB of swap is a whole GiB to Placement").isEqualTo(21);

        Flavor none = NovaClient.flavor(node("{\"id\": \"3\", \"name\": \"m1.none\", \"vcpus\": 1, \"ram\": 512, \"disk\": 1,"
                + " \"OS-FLV-EXT-DATA:ephemeral\": 0, \"swap\": 0}"), null);
        assertThat(none.placementDiskGiB()).isEqualTo(1);
    }

    /** A flavor under the name of one Strata makes, with an ephemeral or swap disk Strata does not give, is not taken for it. */
    @Test
    void aFlavorWithDisksStrataDoesNotMakeIsNotItsFlavor() {
        Flavor made = new Flavor("new", "strata-1c-1024m-1g", 1, 1024, 1, true, Map.of());
        assertThat(new Flavor("x", "strata-1c-1024m-1g", 1, 1024, 1, 0, 0, true, Map.of()).specsToComplete(made)).isEmpty();
        assertThatThrownBy(() -> new Flavor("x", "strata-1c-1024m-1g", 1, 1024, 1, 100, 0, true, Map.of()).specsToComplete(made))
                .isInstanceOf(ProviderFailureException.class).hasMessageContaining("1 GiB disk, 100 GiB ephemeral, public");
        assertThatThrownBy(() -> new Flavor("x", "strata-1c-1024m-1g", 1, 1024, 1, 0, 4096, true, Map.of()).specsToComplete(made))
                .isInstanceOf(ProviderFailureException.class).hasMessageContaining("4096 MiB swap");
    }
}
