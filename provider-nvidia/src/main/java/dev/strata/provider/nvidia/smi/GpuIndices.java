package dev.strata.provider.nvidia.smi;

import dev.strata.provider.nvidia.device.GpuIds;
import dev.strata.provider.nvidia.device.PciAddresses;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The NVML indices of the GPUs {@code nvidia-smi -q -x} listed around lost ones. nvidia-smi lists
 * GPUs in index order and leaves a lost GPU out: its later GPUs are not renumbered, so their
 * position in the file is no longer their index (by which {@code topo -m} and {@code mig -lgip}
 * name them). The lost GPUs' lines give their indices, or where they give only PCI addresses, the
 * GPUs' PCI order gives them (NVML numbers GPUs in PCI order). Where neither can be known, the
 * indices are not {@linkplain #trusted() trusted}. A lost line that names a listed GPU by its PCI
 * address makes that GPU FAILED instead of adding one.
 *
 * @param gpus the listed GPUs under their indices
 * @param lost the GPUs not listed
 * @param trusted whether the indices are known (false: the listed GPUs keep their positions, the
 *     lost ones their printed index or -1)
 * @param reasons why a listed GPU is FAILED, by its index
 */
record GpuIndices(List<SmiGpu> gpus, List<Lost> lost, boolean trusted, Map<Integer, List<String>> reasons) {

    /**
     * A GPU nvidia-smi named as lost.
     *
     * @param index its index, -1 when unknown
     * @param pciAddress its PCI address (Linux form), or null
     * @param printed what nvidia-smi printed for it
     */
    record Lost(int index, String pciAddress, String printed) {

        /** How its health's reason names it, as {@link GpuIds#named} does where the index is known. */
        String named() {
            return index >= 0 ? GpuIds.named(index, pciAddress) : "GPU at PCI " + pciAddress;
        }

        /** Its health's reason. */
        String reason() {
            return named() + " cannot be read (nvidia-smi: " + printed + ")";
        }
    }

    GpuIndices {
        gpus = List.copyOf(gpus);
        lost = List.copyOf(lost);
        reasons = Map.copyOf(reasons);
    }

    static GpuIndices of(List<SmiGpu> listed, List<LostGpus.LostGpu> named) {
        Map<String, Integer> positionOfPci = new HashMap<>();
        for (int p = 0; p < listed.size(); p++) {
            String pci = PciAddresses.normalise(listed.get(p).pciBusId());
            if (pci != null) {
                positionOfPci.put(pci, p);
            }
        }
        Map<Integer, List<String>> reasonsAt = new HashMap<>();
        List<LostGpus.LostGpu> missing = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (LostGpus.LostGpu gpu : named) {
            Integer position = gpu.pciAddress() == null ? null : positionOfPci.get(gpu.pciAddress());
            if (position != null) {
                reasonsAt.computeIfAbsent(position, p -> new ArrayList<>()).add(gpu.printed());
            } else if (seen.add(gpu.index() + "/" + gpu.pciAddress())) {
                missing.add(gpu);
            }
        }
        int total = listed.size() + missing.size();
        List<Integer> indexOfPosition = new ArrayList<>();
        List<Lost> lost = new ArrayList<>();
        boolean trusted = true;
        Set<Integer> lostIndices = new HashSet<>();
        missing.forEach(m -> lostIndices.add(m.index()));
        boolean byLines = missing.stream().allMatch(m -> m.index() >= 0 && m.index() < total) && lostIndices.size() == missing.size();
        boolean byPci = missing.stream().allMatch(m -> m.pciAddress() != null) && positionOfPci.size() == listed.size();
        if (missing.isEmpty() || byLines) {
            for (int index = 0; indexOfPosition.size() < listed.size(); index++) {
                if (!lostIndices.contains(index)) {
                    indexOfPosition.add(index);
                }
            }
            missing.forEach(m -> lost.add(new Lost(m.index(), m.pciAddress(), m.printed())));
        } else if (byPci) {
            List<String> order = new ArrayList<>(positionOfPci.keySet());
            missing.forEach(m -> order.add(m.pciAddress()));
            order.sort(Comparator.naturalOrder());
            for (SmiGpu gpu : listed) {
                indexOfPosition.add(order.indexOf(PciAddresses.normalise(gpu.pciBusId())));
            }
            missing.forEach(m -> lost.add(new Lost(order.indexOf(m.pciAddress()), m.pciAddress(), m.printed())));
        } else {
            trusted = false;
            for (int p = 0; p < listed.size(); p++) {
                indexOfPosition.add(p);
            }
            missing.forEach(m -> lost.add(new Lost(m.index(), m.pciAddress(), m.printed())));
        }
        List<SmiGpu> gpus = new ArrayList<>();
        Map<Integer, List<String>> reasons = new HashMap<>();
        for (int p = 0; p < listed.size(); p++) {
            SmiGpu gpu = listed.get(p).withIndex(indexOfPosition.get(p));
            gpus.add(gpu);
            List<String> why = reasonsAt.get(p);
            if (why != null) {
                String pci = PciAddresses.normalise(gpu.pciBusId());
                reasons.put(gpu.index(), why.stream().map(line -> GpuIds.named(gpu.index(), pci) + " cannot be read (nvidia-smi: "
                        + line + ")").toList());
            }
        }
        return new GpuIndices(gpus, lost, trusted, reasons);
    }

    /** Why a listed GPU is FAILED besides its own facts; empty for most. */
    List<String> reasonsOf(SmiGpu gpu) {
        return reasons.getOrDefault(gpu.index(), List.of());
    }
}
