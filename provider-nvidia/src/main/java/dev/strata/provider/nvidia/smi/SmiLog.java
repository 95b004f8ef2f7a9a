package dev.strata.provider.nvidia.smi;

import java.util.List;

/**
 * The parsed {@code nvidia-smi -q -x} document.
 *
 * @param driverVersion e.g. {@code 580.159.04}
 * @param cudaVersion e.g. {@code 13.0}
 * @param gpus every GPU, in index order
 */
public record SmiLog(String driverVersion, String cudaVersion, List<SmiGpu> gpus) {
    public SmiLog {
        gpus = List.copyOf(gpus);
    }
}
