package dev.strata.platform.api.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineIdentityTest {

    @TempDir
    Path root;

    private void write(String name, String text) throws Exception {
        Path file = root.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @Test
    void theFirmwareUuidComesFirstLowerCase() throws Exception {
        write("sys/class/dmi/id/product_uuid", "4C4C4544-0042-3510-8052-B4C04F4E4A32\n");
        write("etc/machine-id", "0123456789abcdef0123456789abcdef\n");
        assertThat(MachineIdentity.read(root)).contains("dmi:4c4c4544-0042-3510-8052-b4c04f4e4a32");
    }

    @Test
    void placeholderUuidsAreNoIdentity() throws Exception {
        write("etc/machine-id", "0123456789abcdef0123456789abcdef\n");
        for (String placeholder : new String[] {"00000000-0000-0000-0000-000000000000", "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
                "03000200-0400-0500-0006-000700080009", "Not Settable", ""}) {
            write("sys/class/dmi/id/product_uuid", placeholder + "\n");
            assertThat(MachineIdentity.read(root)).as(placeholder).contains("machine-id:0123456789abcdef0123456789abcdef");
        }
    }

    @Test
    void theDbusMachineIdIsTheLastResortAndNothingIsNoIdentity() throws Exception {
        assertThat(MachineIdentity.read(root)).isEmpty();
        write("var/lib/dbus/machine-id", "fedcba9876543210fedcba9876543210\n\0");
        assertThat(MachineIdentity.read(root)).contains("machine-id:fedcba9876543210fedcba9876543210");
        write("etc/machine-id", "uninitialized\n");
        assertThat(MachineIdentity.read(root)).as("systemd's first-boot placeholder is skipped")
                .contains("machine-id:fedcba9876543210fedcba9876543210");
    }
}
