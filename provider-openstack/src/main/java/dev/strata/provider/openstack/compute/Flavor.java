package dev.strata.provider.openstack.compute;

import dev.strata.provider.openstack.placement.FitModel;
import dev.strata.provider.openstack.placement.ResourceRequest;
import java.util.Map;
import java.util.Objects;

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

    /** The Placement request a server of this flavor makes (unsuffixed group). */
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
}
