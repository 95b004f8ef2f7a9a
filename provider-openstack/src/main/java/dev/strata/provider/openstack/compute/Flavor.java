package dev.strata.provider.openstack.compute;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.provider.openstack.placement.FitModel;
import dev.strata.provider.openstack.placement.PciGpus;
import dev.strata.provider.openstack.placement.ResourceRequest;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A Nova flavor.
 *
 * @param id its id
 * @param name its name
 * @param vcpus virtual CPUs
 * @param ramMiB memory in MiB
 * @param diskGiB root disk in GiB
 * @param ephemeralGiB ephemeral disk in GiB ({@code OS-FLV-EXT-DATA:ephemeral})
 * @param swapMiB swap disk in MiB ({@code swap}; Nova answers {@code ""} for none before compute 2.75)
 * @param isPublic whether every project may use it
 * @param extraSpecs its extra specs ({@code resources:PGPU=1}, {@code trait:HW_CPU_X86_AVX2=required}, ...)
 */
public record Flavor(String id, String name, int vcpus, long ramMiB, long diskGiB, long ephemeralGiB, long swapMiB, boolean isPublic,
        Map<String, String> extraSpecs) {

    public Flavor {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        extraSpecs = Map.copyOf(extraSpecs);
    }

    /** A flavor without ephemeral or swap disk (as Strata makes them). */
    public Flavor(String id, String name, int vcpus, long ramMiB, long diskGiB, boolean isPublic, Map<String, String> extraSpecs) {
        this(id, name, vcpus, ramMiB, diskGiB, 0, 0, isPublic, extraSpecs);
    }

    /**
     * The DISK_GB a server of this flavor asks Placement for, as Nova's scheduler computes it
     * ({@code ResourceRequest.from_request_spec}): the root disk, the ephemeral disk and the swap
     * disk rounded up to whole GiB. Nova leaves the root disk out for a server booted from a volume;
     * Strata boots its servers from an image, so it is always counted. A {@code resources:DISK_GB}
     * extra spec replaces this ({@link #request()}).
     */
    public long placementDiskGiB() {
        return diskGiB + ephemeralGiB + (swapMiB + 1023) / 1024;
    }

    /**
     * The first extra spec that asks for an amount of a resource class that is not a whole number
     * of 0 or more ({@code resources:CUSTOM_MAGIC=one}), or empty: a flavor with one is not used
     * ({@link FitModel#malformedAmount}).
     */
    public java.util.Optional<String> malformedSpec() {
        return FitModel.malformedAmount(extraSpecs);
    }

    /**
     * The Placement request a server of this flavor makes (unsuffixed group).
     *
     * @throws IllegalArgumentException when {@link #malformedSpec()} is not empty
     */
    public ResourceRequest request() {
        return FitModel.forFlavor(vcpus, ramMiB, placementDiskGiB(), extraSpecs);
    }

    /**
     * The Placement request a server of this flavor makes, the PCI devices of its aliases that
     * {@code pci} maps counted as Nova asks for them ({@link FitModel#forFlavor(long, long, long, Map, PciGpus)}).
     *
     * @throws IllegalArgumentException when {@link #malformedSpec()} is not empty
     */
    public ResourceRequest request(PciGpus pci) {
        return FitModel.forFlavor(vcpus, ramMiB, placementDiskGiB(), extraSpecs, pci);
    }

    /**
     * Whether a server of this flavor fits on the tree now, as Nova's scheduler asks Placement
     * ({@link FitModel#fitsFlavor}: a dedicated flavor's PCPU, or VCPU where the host reports no PCPU).
     *
     * @throws IllegalArgumentException when {@link #malformedSpec()} is not empty
     */
    public boolean fitsOn(dev.strata.provider.openstack.placement.ProviderTree tree, PciGpus pci) {
        return FitModel.fitsFlavor(tree, vcpus, ramMiB, placementDiskGiB(), extraSpecs, pci);
    }

    /**
     * The PCI devices the flavor asks for by alias ({@code pci_passthrough:alias}), by alias name;
     * empty when it asks for none, or when its value is not of the format Nova reads
     * ({@link FitModel#pciAliases}).
     */
    public Map<String, Long> pciAliases() {
        String value = extraSpecs.get(FitModel.PCI_ALIAS);
        return value == null ? Map.of() : FitModel.pciAliases(value).orElse(Map.of());
    }

    /** Whole physical GPUs the flavor asks for ({@code resources:PGPU}), 0 when none. */
    public long pgpus() {
        return request().resources().getOrDefault("PGPU", 0L);
    }

    /** The resource classes every flavor asks for. */
    private static final Set<String> PLAIN = Set.of("VCPU", "MEMORY_MB", "DISK_GB");

    /**
     * Whether the flavor asks Nova for devices or resources other than VCPU, MEMORY_MB and DISK_GB:
     * {@code resources:} classes besides those (GPUs, vGPUs, custom classes), any granular group
     * ({@code resourcesN:}, {@code resources_<suffix>:}), a PCI device by alias
     * ({@code pci_passthrough:alias}), a Cyborg accelerator ({@code accel:device_profile}),
     * dedicated CPUs (PCPU: {@code hw:cpu_policy=dedicated} or {@code mixed}) or persistent memory
     * ({@code hw:vpmem}). Such flavors are chosen only when the member names them in its
     * {@code flavor} parameter.
     */
    public boolean special() {
        return asksBeyond(Set.of());
    }

    /**
     * Whether the flavor asks Nova for devices or resources other than VCPU, MEMORY_MB, DISK_GB and
     * {@code classes} of its unsuffixed {@code resources:} extra specs ({@link #special()}).
     */
    public boolean asksBeyond(Set<String> classes) {
        return asksBeyond(classes, Set.of());
    }

    /**
     * Whether the flavor asks Nova for devices or resources other than VCPU, MEMORY_MB, DISK_GB,
     * {@code classes} of its unsuffixed {@code resources:} extra specs and PCI devices of
     * {@code aliases} ({@code pci_passthrough:alias} naming those aliases alone, in the format Nova
     * reads): a flavor with an alias Strata does not know stays special.
     */
    public boolean asksBeyond(Set<String> classes, Set<String> aliases) {
        return request().resources().keySet().stream().anyMatch(rc -> !PLAIN.contains(rc) && !classes.contains(rc))
                || extraSpecs.entrySet().stream().anyMatch(e -> asksForDevices(e.getKey(), e.getValue(), aliases));
    }

    /**
     * Whether an extra spec other than {@code resources:} makes Nova ask Placement for more than
     * VCPU, MEMORY_MB and DISK_GB, PCI devices of {@code aliases} aside.
     */
    private static boolean asksForDevices(String key, String value, Set<String> aliases) {
        String v = value.strip().toLowerCase(java.util.Locale.ROOT);
        if (key.equals(FitModel.PCI_ALIAS)) {
            return FitModel.pciAliases(value).map(counts -> !aliases.containsAll(counts.keySet())).orElse(true);
        }
        return key.matches("resources\\d+:.*|resources_.*:.*") || key.equals("accel:device_profile")
                || key.equals("hw:vpmem") || (key.equals("hw:cpu_policy") && (v.equals("dedicated") || v.equals("mixed")));
    }

    /**
     * The extra specs still to be set on this flavor, found under the name of a flavor that Strata
     * makes as {@code made}, for it to be {@code made}. Strata makes a flavor with two requests to
     * Nova, the flavor and then its extra specs, so a creation cut short between them (Strata
     * stopped, the second request failed) leaves the flavor without them: those are returned, and
     * none when the flavor is whole.
     *
     * @throws ProviderFailureException when this flavor is not {@code made}, whole or cut short:
     *     other CPUs, memory or disk, an extra spec that {@code made} does not give, or gives
     *     another value, or private where {@code made} is public (Strata makes its flavors public,
     *     for every project; a private one under that name was made by someone else, for some
     *     projects only); using it would give the member what it did not ask for, or take a flavor
     *     meant for others
     */
    public Map<String, String> specsToComplete(Flavor made) {
        boolean sameSize = vcpus == made.vcpus() && ramMiB == made.ramMiB() && diskGiB == made.diskGiB() && ephemeralGiB == made.ephemeralGiB()
                && swapMiB == made.swapMiB();
        boolean noOtherSpecs = extraSpecs.entrySet().stream().allMatch(e -> e.getValue().equals(made.extraSpecs().get(e.getKey())));
        if (!sameSize || !noOtherSpecs || isPublic != made.isPublic()) {
            throw new ProviderFailureException("flavor " + dev.strata.platform.api.exception.InvalidConfigurationException.printable(name) + " ("
                    + dev.strata.platform.api.exception.InvalidConfigurationException.printable(id) + ") is not the flavor Strata makes under that name: it has "
                    + shape()
                    + ", where Strata makes " + made.shape() + "; it is not used: delete or rename it, or name the flavor to use in the "
                    + "member's flavor parameter");
        }
        Map<String, String> missing = new TreeMap<>(made.extraSpecs());
        missing.keySet().removeAll(extraSpecs.keySet());
        return missing;
    }

    /**
     * Its CPUs, memory, disks, access and extra specs, for messages:
     * {@code 1 VCPU, 1024 MiB RAM, 1 GiB disk, public, extra specs {resources:PGPU=1}}; an ephemeral
     * or swap disk is named where the flavor has one ({@code 1 GiB disk, 20 GiB ephemeral, 512 MiB swap}).
     */
    public String shape() {
        return vcpus + " VCPU, " + ramMiB + " MiB RAM, " + diskGiB + " GiB disk, " + (ephemeralGiB > 0 ? ephemeralGiB + " GiB ephemeral, " : "")
                + (swapMiB > 0 ? swapMiB + " MiB swap, " : "") + (isPublic ? "public" : "private") + ", extra specs " + new TreeMap<>(extraSpecs);
    }
}
