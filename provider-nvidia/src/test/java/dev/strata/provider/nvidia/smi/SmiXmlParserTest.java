package dev.strata.provider.nvidia.smi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.provider.nvidia.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nvidia-smi -q -x} captured on a real H200 and a real H100, read in place. */
class SmiXmlParserTest {

    @Test
    void readsEveryFieldOfTheH200() {
        SmiLog log = SmiXmlParser.parse(Fixtures.bytes(Fixtures.nvidia("h200-vm").resolve("nvidia-smi-q.xml")));

        assertThat(log.driverVersion()).isEqualTo("580.159.04");
        assertThat(log.cudaVersion()).isEqualTo("13.0");
        assertThat(log.gpus()).hasSize(1);
        SmiGpu gpu = log.gpus().get(0);
        assertThat(gpu.index()).isZero();
        assertThat(gpu.productName()).isEqualTo("NVIDIA H200");
        assertThat(gpu.uuid()).isEqualTo("GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444");
        assertThat(gpu.serial()).isEqualTo("1653724063754");
        assertThat(gpu.vbiosVersion()).isEqualTo("96.00.A5.00.1A");
        assertThat(gpu.pciBusId()).isEqualTo("00000000:00:06.0");
        assertThat(gpu.memoryTotalMiB()).isEqualTo(143771);
        assertThat(gpu.migCurrent()).isFalse();
        assertThat(gpu.migPending()).isFalse();
        assertThat(gpu.eccCurrent()).isEqualTo("Enabled");
        assertThat(gpu.pcieGenCurrent()).isEqualTo(5);
        assertThat(gpu.pcieGenMax()).isEqualTo(5);
        assertThat(gpu.pcieWidthCurrent()).isEqualTo(16);
        assertThat(gpu.pcieWidthMax()).isEqualTo(16);
        assertThat(gpu.powerEnforcedWatts()).isEqualTo(700.0);
        assertThat(gpu.powerRequestedWatts()).isEqualTo(700.0);
        assertThat(gpu.powerDefaultWatts()).isEqualTo(700.0);
        assertThat(gpu.powerMinWatts()).isEqualTo(200.0);
        assertThat(gpu.powerMaxWatts()).isEqualTo(700.0);
        assertThat(gpu.throttleReasons()).containsExactly("GPU_IDLE");
        assertThat(gpu.retiredPagesPending()).isNull();
        assertThat(gpu.remappedRowsPending()).isFalse();
        assertThat(gpu.remappingFailed()).isFalse();
        assertThat(gpu.gpuUtilisation()).isZero();
        assertThat(gpu.memoryUtilisation()).isZero();
        assertThat(gpu.memoryUsedMiB()).isZero();
        assertThat(gpu.powerDrawWatts()).isEqualTo(131.44);
        assertThat(gpu.temperatureCelsius()).isEqualTo(42);
        assertThat(gpu.smClockMHz()).isEqualTo(1980);
        assertThat(gpu.eccVolatileCorrected()).isZero();
        assertThat(gpu.eccVolatileUncorrected()).isZero();
    }

    @Test
    void readsTheH100() {
        SmiLog log = SmiXmlParser.parse(Fixtures.bytes(Fixtures.nvidia("h100-vm").resolve("nvidia-smi-q.xml")));

        SmiGpu gpu = log.gpus().get(0);
        assertThat(gpu.productName()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(gpu.uuid()).isEqualTo("GPU-a8ab3d52-bf7f-f80b-a39e-bd0ae17afd44");
        assertThat(gpu.serial()).isEqualTo("1752624024018");
        assertThat(gpu.vbiosVersion()).isEqualTo("96.00.DA.00.0C");
        assertThat(gpu.memoryTotalMiB()).isEqualTo(81559);
        assertThat(gpu.pciBusId()).isEqualTo("00000000:00:06.0");
        assertThat(gpu.migCurrent()).isFalse();
        assertThat(gpu.powerEnforcedWatts()).isEqualTo(700.0);
        assertThat(gpu.pcieGenMax()).isEqualTo(5);
        assertThat(gpu.pcieWidthMax()).isEqualTo(16);
        assertThat(log.driverVersion()).isEqualTo("580.159.04");
    }

    /**
     * Older drivers print the volatile ECC counts as {@code <single_bit>} (corrected) and
     * {@code <double_bit>} (uncorrected), each with a count per memory location and a
     * {@code <total>}, as {@code nvsmi_device_v6.dtd} documents (driver 340, Tesla K20m), where
     * current drivers print {@code sram_correctable}, {@code dram_uncorrectable} and the like. The
     * fixtures hold no capture of that layout: this test takes the real H200 capture and replaces
     * its {@code <ecc_errors>} (volatile and aggregate) with the older layout, with non-zero counts
     * so that a count read as 0 or summed twice shows, and aggregate counts that must not be read.
     */
    @Test
    void readsTheVolatileEccCountsOfOlderDriversSingleAndDoubleBitLayout() {
        String xml = Fixtures.text(Fixtures.nvidia("h200-vm").resolve("nvidia-smi-q.xml"));
        String older = xml.replaceFirst("(?s)<ecc_errors>.*?</ecc_errors>", "<ecc_errors>"
                + "<volatile>" + bits("single_bit", 3, 1, 0, 2, 0, "6") + bits("double_bit", 1, 0, 0, 0, 0, "1") + "</volatile>"
                + "<aggregate>" + bits("single_bit", 40, 2, 0, 0, 0, "42") + bits("double_bit", 7, 0, 0, 0, 0, "7") + "</aggregate>"
                + "</ecc_errors>");
        assertThat(older).doesNotContain("sram_correctable").contains("<single_bit>");

        SmiGpu gpu = SmiXmlParser.parse(older.getBytes(StandardCharsets.UTF_8)).gpus().get(0);

        assertThat(gpu.eccVolatileCorrected()).isEqualTo(6);
        assertThat(gpu.eccVolatileUncorrected()).isEqualTo(1);

        // a total the driver does not report: the locations it does report are added up
        String noTotal = older.replaceFirst("<total>6</total>", "<total>N/A</total>");
        assertThat(SmiXmlParser.parse(noTotal.getBytes(StandardCharsets.UTF_8)).gpus().get(0).eccVolatileCorrected()).isEqualTo(6);
        // a GPU without ECC: every counter N/A, the counts are unknown
        String noEcc = older.replaceAll("<(device_memory|register_file|l1_cache|l2_cache|texture_memory|total)>[0-9]+<",
                "<$1>N/A<");
        SmiGpu withoutEcc = SmiXmlParser.parse(noEcc.getBytes(StandardCharsets.UTF_8)).gpus().get(0);
        assertThat(withoutEcc.eccVolatileCorrected()).isEqualTo(-1);
        assertThat(withoutEcc.eccVolatileUncorrected()).isEqualTo(-1);
    }

    private static String bits(String kind, int deviceMemory, int registerFile, int l1, int l2, int texture, String total) {
        return "<" + kind + "><device_memory>" + deviceMemory + "</device_memory><register_file>" + registerFile
                + "</register_file><l1_cache>" + l1 + "</l1_cache><l2_cache>" + l2 + "</l2_cache><texture_memory>" + texture
                + "</texture_memory><total>" + total + "</total></" + kind + ">";
    }

    @Test
    void neverLoadsTheDtdOrExternalEntities(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET");
        String xml = "<?xml version=\"1.0\" ?>\n<!DOCTYPE nvidia_smi_log SYSTEM \"" + dir.resolve("missing.dtd").toUri() + "\" [\n"
                + "  <!ENTITY leak SYSTEM \"" + secret.toUri() + "\">\n]>\n"
                + "<nvidia_smi_log><driver_version>1</driver_version><gpu id=\"0\"><product_name>&leak;</product_name>"
                + "<uuid>GPU-x</uuid></gpu></nvidia_smi_log>";

        SmiLog log;
        try {
            log = SmiXmlParser.parse(xml.getBytes(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException refused) {
            return; // refusing the document is as safe as not expanding the entity
        }
        assertThat(log.gpus().get(0).productName()).isNull();
    }

    @Test
    void rejectsWhatIsNotAnNvidiaSmiLog() {
        assertThatThrownBy(() -> SmiXmlParser.parse("<html/>".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nvidia_smi_log");
        assertThatThrownBy(() -> SmiXmlParser.parse("NVIDIA-SMI has failed".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not well-formed");
    }

    /**
     * A GPU whose product name nvidia-smi cannot show (N/A, an error text, empty or no element at
     * all) is read with none and everything else it shows, instead of the whole document being
     * refused: the mapper reports it FAILED and the other GPUs of the host stay visible. Each variant
     * is the real H200 capture with its {@code <product_name>} changed so.
     */
    @Test
    void aGpuWithoutProductNameIsReadWithNoneInsteadOfRefusingTheDocument() {
        String xml = Fixtures.text(Fixtures.nvidia("h200-vm").resolve("nvidia-smi-q.xml"));
        for (String name : new String[] {"<product_name>N/A</product_name>", "<product_name>Unknown Error</product_name>",
            "<product_name></product_name>", ""}) {
            byte[] noName = xml.replaceFirst("<product_name>[^<]*</product_name>", name).getBytes(StandardCharsets.UTF_8);

            SmiGpu gpu = SmiErrors.parsed("nvidia-smi -q -x", () -> SmiXmlParser.parse(noName)).gpus().get(0);

            assertThat(gpu.productName()).as(name).isNull();
            assertThat(gpu.uuid()).isEqualTo("GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444");
            assertThat(gpu.pciBusId()).isEqualTo("00000000:00:06.0");
            assertThat(gpu.memoryTotalMiB()).isEqualTo(143771);
        }
    }

    /**
     * A GPU whose UUID nvidia-smi cannot show (N/A, an error text, empty or no element at all) is
     * read with none and everything else it shows, instead of the whole document being refused:
     * the mapper reports it FAILED and the other GPUs of the host stay visible. Each variant is the
     * real H200 capture with its {@code <uuid>} changed so.
     */
    @Test
    void aGpuWithoutUuidIsReadWithNoneInsteadOfRefusingTheDocument() {
        String xml = Fixtures.text(Fixtures.nvidia("h200-vm").resolve("nvidia-smi-q.xml"));
        for (String uuid : new String[] {"<uuid>N/A</uuid>", "<uuid>Unknown Error</uuid>", "<uuid></uuid>", "<uuid>GPU is lost</uuid>",
            ""}) {
            byte[] noUuid = xml.replaceFirst("<uuid>[^<]*</uuid>", uuid).getBytes(StandardCharsets.UTF_8);

            SmiGpu gpu = SmiXmlParser.parse(noUuid).gpus().get(0);

            assertThat(gpu.uuid()).as(uuid).isNull();
            assertThat(gpu.pciBusId()).isEqualTo("00000000:00:06.0");
            assertThat(gpu.productName()).isEqualTo("NVIDIA H200");
            assertThat(gpu.memoryTotalMiB()).isEqualTo(143771);
        }
    }

    /**
     * The error texts nvidia-smi prints in place of a value ({@code Insufficient Permissions}, {@code ERR!}, and the
     * bracketed forms of its CSV output such as {@code [Unknown Error]} and {@code [Insufficient Permissions]}) are no
     * serial, VBIOS version or ECC mode: each reads as not shown, as {@code N/A} does. Before, they were kept as the
     * value and listed as the GPU's {@code serial}, {@code vbiosVersion} and {@code eccMode}. Each variant is the real H200
     * capture with those elements changed by hand.
     */
    @Test
    void anErrorTextInPlaceOfAValueReadsAsNotShown() {
        String xml = Fixtures.text(Fixtures.nvidia("h200-vm").resolve("nvidia-smi-q.xml"));
        for (String unread : new String[] {"Insufficient Permissions", "[Insufficient Permissions]", "[Unknown Error]", "ERR!",
            "[N/A]", "Unknown Error"}) {
            byte[] changed = xml.replaceFirst("<serial>[^<]*</serial>", "<serial>" + unread + "</serial>")
                    .replaceFirst("<vbios_version>[^<]*</vbios_version>", "<vbios_version>" + unread + "</vbios_version>")
                    .replaceFirst("<current_ecc>[^<]*</current_ecc>", "<current_ecc> " + unread + " </current_ecc>")
                    .getBytes(StandardCharsets.UTF_8);

            SmiGpu gpu = SmiXmlParser.parse(changed).gpus().get(0);

            assertThat(gpu.serial()).as(unread).isNull();
            assertThat(gpu.vbiosVersion()).as(unread).isNull();
            assertThat(gpu.eccCurrent()).as(unread).isNull();
            assertThat(gpu.uuid()).isEqualTo("GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444");
        }
    }
}
