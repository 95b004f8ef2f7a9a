package dev.strata.provider.nvidia.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.ProviderTimeoutException;
import org.junit.jupiter.api.Test;

/** The NVML choke point: which return codes are unknown values, timeouts, unavailability or failures. */
class NvmlErrorsTest {

    @Test
    void namesReturnCodesAsNvmlDoes() {
        assertThat(NvmlErrors.name(0)).isEqualTo("NVML_SUCCESS");
        assertThat(NvmlErrors.name(3)).isEqualTo("NVML_ERROR_NOT_SUPPORTED");
        assertThat(NvmlErrors.name(15)).isEqualTo("NVML_ERROR_GPU_IS_LOST");
        assertThat(NvmlErrors.name(999)).isEqualTo("NVML_ERROR_UNKNOWN");
        assertThat(NvmlErrors.name(77)).isEqualTo("NVML_ERROR_77");
        assertThat(new NvmlException("nvmlDeviceGetSerial", 3)).hasMessage("nvmlDeviceGetSerial returned NVML_ERROR_NOT_SUPPORTED (3)");
    }

    @Test
    void notSupportedIsUnknownNotAnError() {
        assertThat(NvmlErrors.<Integer>orUnknown(() -> {
            throw new NvmlException("nvmlDeviceGetNumaNodeId", NvmlErrors.NOT_SUPPORTED);
        }, -1)).isEqualTo(-1);
        assertThat(NvmlErrors.<Integer>orUnknown(() -> {
            throw new NvmlException("nvmlDeviceGetCurrentClocksEventReasons", NvmlErrors.FUNCTION_NOT_FOUND);
        }, -1)).isEqualTo(-1);
        assertThatThrownBy(() -> NvmlErrors.orUnknown(() -> {
            throw new NvmlException("nvmlDeviceGetMemoryInfo", NvmlErrors.GPU_IS_LOST);
        }, -1)).isInstanceOf(NvmlException.class);
    }

    @Test
    void translatesTimeoutsAndFailures() {
        assertThat(NvmlErrors.translate(new NvmlException("nvmlDeviceGetPowerUsage", NvmlErrors.TIMEOUT)))
                .isInstanceOf(ProviderTimeoutException.class).hasMessageContaining("NVML_ERROR_TIMEOUT");
        assertThat(NvmlErrors.translate(new NvmlException("nvmlDeviceGetPowerUsage", NvmlErrors.GPU_IS_LOST)))
                .isInstanceOf(ProviderFailureException.class).hasMessageContaining("nvmlDeviceGetPowerUsage")
                .hasMessageContaining("NVML_ERROR_GPU_IS_LOST");
        assertThat(NvmlErrors.makesUnavailable(NvmlErrors.DRIVER_NOT_LOADED)).isTrue();
        assertThat(NvmlErrors.makesUnavailable(NvmlErrors.LIBRARY_NOT_FOUND)).isTrue();
        assertThat(NvmlErrors.makesUnavailable(999)).isFalse();
        assertThat(NvmlErrors.makesUnavailable(NvmlErrors.LIB_RM_VERSION_MISMATCH)).as("the host has GPUs; its driver needs a reload")
                .isFalse();
        assertThat(NvmlErrors.translate(new NvmlException("nvmlInit_v2", NvmlErrors.LIB_RM_VERSION_MISMATCH)))
                .isInstanceOf(ProviderFailureException.class).hasMessageContaining("reboot the host");
    }

    @Test
    void errorsOfOneDeviceAreToldFromErrorsOfNvmlAsAWhole() {
        for (int code : new int[] {NvmlErrors.UNINITIALIZED, NvmlErrors.DRIVER_NOT_LOADED, NvmlErrors.TIMEOUT, NvmlErrors.LIBRARY_NOT_FOUND,
            NvmlErrors.FUNCTION_NOT_FOUND, NvmlErrors.LIB_RM_VERSION_MISMATCH}) {
            assertThat(NvmlErrors.concernsEveryDevice(code)).as(NvmlErrors.name(code)).isTrue();
        }
        for (int code : new int[] {NvmlErrors.GPU_IS_LOST, 999, 14, 16, 8, 11, NvmlErrors.NO_PERMISSION}) {
            assertThat(NvmlErrors.concernsEveryDevice(code)).as(NvmlErrors.name(code)).isFalse();
        }
    }
}
