package dev.strata.provider.openstack.compute;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.provider.openstack.placement.FitModel;
import dev.strata.provider.openstack.placement.ResourceRequest;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A Nova flavor.
 *
 * @param id its id
 * @param name its name
 * @param vcpus virtual CPUs
 * @param ramMiB memory in MiB
 * @param diskGiB root disk in GiB
 * @param isPublic whether every project may use it
 * @param extraSpecs its extra specs ({@code resources:PGPU=1}, {@code trait:HW_CPU_X86_AVX2=required}, ...)
 */
public record Flavor(String id, String name, int vcpus, long ramMiB, long diskGiB, boolean isPublic, Map<String, String> extraSpecs) {

    public Flavor {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        extraSpecs = Map.copyOf(extraSpecs);
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
        return FitModel.forFlavor(vcpus, ramMiB, diskGiB, extraSpecs);
    }

    /** Whole physical GPUs the flavor asks for ({@code resources:PGPU}), 0 when none. */
    public long pgpus() {
        return request().resources().getOrDefault("PGPU", 0L);
    }

    /**
     * Whether the flavor asks for resources other than CPU, memory and disk (GPUs, vGPUs, custom
     * classes): such flavors are chosen only when the member asks for them.
     */
    public boolean special() {
        return request().resources().keySet().stream().anyMatch(rc -> !rc.equals("VCPU") && !rc.equals("MEMORY_MB") && !rc.equals("DISK_GB"))
                || extraSpecs.keySet().stream().anyMatch(k -> k.matches("resources\\d+:.*|resources_.*:.*"));
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
        boolean sameSize = vcpus == made.vcpus() && ramMiB == made.ramMiB() && diskGiB == made.diskGiB();
        boolean noOtherSpecs = extraSpecs.entrySet().stream().allMatch(e -> e.getValue().equals(made.extraSpecs().get(e.getKey())));
        if (!sameSize || !noOtherSpecs || isPublic != made.isPublic()) {
            throw new ProviderFailureException("flavor " + name + " (" + id + ") is not the flavor Strata makes under that name: it has " + shape()
                    + ", where Strata makes " + made.shape() + "; it is not used: delete or rename it, or name the flavor to use in the "
                    + "member's flavor parameter");
        }
        Map<String, String> missing = new TreeMap<>(made.extraSpecs());
        missing.keySet().removeAll(extraSpecs.keySet());
        return missing;
    }

    /**
     * Its CPUs, memory, disk, access and extra specs, for messages:
     * {@code 1 VCPU, 1024 MiB RAM, 1 GiB disk, public, extra specs {resources:PGPU=1}}.
     */
    public String shape() {
        return vcpus + " VCPU, " + ramMiB + " MiB RAM, " + diskGiB + " GiB disk, " + (isPublic ? "public" : "private") + ", extra specs "
                + new TreeMap<>(extraSpecs);
    }
}
