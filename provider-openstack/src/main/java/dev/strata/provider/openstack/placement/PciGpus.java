package dev.strata.provider.openstack.placement;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The PCI devices of a cloud that are GPUs, as its operator maps them (the configuration's
 * {@code pciGpus}): by the Placement resource class nova-compute reports them as, the GPU model
 * they are, and the name of the {@code [pci]alias} in nova.conf that flavors ask for them by.
 *
 * <p>Nova (Zed and later) reports PCI devices to Placement when nova-compute has
 * {@code [pci]report_in_placement = True}: each device (or each SR-IOV physical function) of
 * {@code [pci]device_spec} becomes a child resource provider of the compute node, named
 * {@code <hypervisor host name>_<PCI address>}, with one inventory of a resource class
 * ({@code nova/compute/pci_placement_translator.py}): "If {@code resource_class} is not provided
 * Nova will generate it from the PCI device's {@code vendor_id} and {@code product_id} in the
 * form of {@code CUSTOM_PCI_{vendor_id}_{product_id}}" (upper case: an H100 SXM5 is
 * {@code CUSTOM_PCI_10DE_2330}); otherwise the {@code resource_class} of the
 * {@code [pci]device_spec} entry, normalised ("upper case, replacing any consecutive character
 * outside of {@code [A-Z0-9_]} with a single '_', and prefixing the name with {@code CUSTOM_} if
 * not yet prefixed"). Its total is the number of devices ({@code "total": len(self.devs)}); the
 * other inventory fields keep Placement's defaults.
 *
 * <p>Flavors ask for such devices with the extra spec {@code pci_passthrough:alias}, "of format
 * {@code $alias:$count}, where {@code $alias} corresponds to a particular PCI device class (as
 * configured in {@code nova.conf})" (Nova's extra spec validator); several as
 * {@code a:1,b:2}. An alias is defined in nova.conf alone ({@code [pci]alias} with
 * {@code vendor_id}, {@code product_id} and, from 2023.1 with
 * {@code [filter_scheduler]pci_in_placement}, {@code resource_class} and {@code traits}); Nova's
 * API does not show it, so the operator names it here. Immutable.
 */
public final class PciGpus {

    /** None mapped: no PCI device is a GPU. */
    public static final PciGpus NONE = new PciGpus(List.of());

    /** Nova's generated class of a device of NVIDIA's PCI vendor id, 10DE. */
    private static final Pattern NVIDIA_CLASS = Pattern.compile("CUSTOM_PCI_10DE_[0-9A-F]{4}");

    /**
     * One mapping.
     *
     * @param resourceClass the Placement resource class, {@code CUSTOM_...}
     * @param model the GPU model its devices are, e.g. {@code NVIDIA H100 80GB HBM3}
     * @param alias the {@code [pci]alias} name of nova.conf that asks for one of them
     */
    public record Mapping(String resourceClass, String model, String alias) {

        public Mapping {
            Objects.requireNonNull(resourceClass, "resourceClass");
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(alias, "alias");
        }
    }

    private final Map<String, Mapping> byClass = new LinkedHashMap<>();
    private final Map<String, Mapping> byAlias = new LinkedHashMap<>();

    private PciGpus(List<Mapping> mappings) {
        for (Mapping m : mappings) {
            if (byClass.putIfAbsent(m.resourceClass(), m) != null) {
                throw new IllegalArgumentException("resource class " + m.resourceClass() + " is mapped twice");
            }
            if (byAlias.putIfAbsent(m.alias(), m) != null) {
                throw new IllegalArgumentException("alias " + m.alias() + " names two resource classes, " + byAlias.get(m.alias()).resourceClass()
                        + " and " + m.resourceClass());
            }
        }
    }

    /**
     * The mappings.
     *
     * @throws IllegalArgumentException when a resource class or an alias is mapped twice (an alias
     *     asks Placement for one resource class)
     */
    public static PciGpus of(List<Mapping> mappings) {
        return mappings.isEmpty() ? NONE : new PciGpus(mappings);
    }

    /** The mapping of a resource class, or empty when its devices are not GPUs. */
    public Optional<Mapping> forClass(String resourceClass) {
        return Optional.ofNullable(byClass.get(resourceClass));
    }

    /** The mapping of an alias, or empty when Strata does not know it. */
    public Optional<Mapping> forAlias(String alias) {
        return Optional.ofNullable(byAlias.get(alias));
    }

    /** Every mapping, in the order configured. */
    public Collection<Mapping> all() {
        return byClass.values();
    }

    public boolean isEmpty() {
        return byClass.isEmpty();
    }

    /**
     * Whether a resource class is one Nova generates for a device of NVIDIA's vendor id 10DE
     * ({@code CUSTOM_PCI_10DE_<product id>}) that is not mapped here. Such a device may be a GPU
     * whose model Strata does not know, or no GPU at all (an NVSwitch, a GPU's audio function), so
     * it is not taken for one; discovery names the class so that the operator can map it.
     */
    public boolean unmappedNvidia(String resourceClass) {
        return NVIDIA_CLASS.matcher(resourceClass).matches() && !byClass.containsKey(resourceClass);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PciGpus other && List.copyOf(byClass.values()).equals(List.copyOf(other.byClass.values()));
    }

    @Override
    public int hashCode() {
        return List.copyOf(byClass.values()).hashCode();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (Mapping m : byClass.values()) {
            if (s.length() > 0) {
                s.append(", ");
            }
            s.append(m.resourceClass()).append('=').append(m.model()).append('@').append(m.alias());
        }
        return s.toString();
    }
}
