package dev.strata.provider.openstack;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.provider.openstack.compute.Flavor;
import dev.strata.provider.openstack.placement.FitModel;
import dev.strata.provider.openstack.placement.ProviderTree;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Chooses the flavor of a member's server: the smallest flavor that holds what the member asked
 * for (at least its CPUs and memory, exactly its whole GPUs as {@code resources:PGPU}, no other
 * special resources) and that fits on the target host now (Placement's rules, {@link FitModel}).
 * Where configuration allows creating flavors, the flavors Strata made for other members
 * ({@code strata-<cpus>c-<MiB>m-<GiB>g[-<n>pgpu]} of another size) are not among those: each is
 * made to measure. Where none exists and configuration allows, it names the flavor to create, public; a flavor that
 * already has that name is used only if it is that flavor, public, or that flavor without its extra
 * specs yet.
 */
final class FlavorChooser {

    private static final long MIB = 1L << 20;

    /**
     * A choice: an existing flavor, or one to create, or an existing flavor to complete. The last
     * is a flavor under the name Strata gives {@code create} that a creation cut short left without
     * (some of) its extra specs ({@link Flavor#specsToComplete}): they are set, and it is used.
     *
     * @param existing the flavor to use (with {@code create}: to complete to it), or null
     * @param create the flavor to create (with {@code existing}: what to complete that to), or null
     */
    record Choice(Flavor existing, Flavor create) {
    }

    private FlavorChooser() {
    }

    static int vcpus(MachineResources r) {
        return (int) Math.max(1, (r.cpuMillis() + 999) / 1000);
    }

    static long ramMiB(MachineResources r) {
        return Math.max(1, (r.memoryBytes() + MIB - 1) / MIB);
    }

    /** The names Strata gives the flavors it makes ({@code strata-<cpus>c-<MiB>m-<GiB>g[-<n>pgpu]}). */
    private static final java.util.regex.Pattern MADE_BY_STRATA = java.util.regex.Pattern.compile("strata-[0-9]+c-[0-9]+m-[0-9]+g(-[0-9]+pgpu)?");

    static Choice choose(String member, MachineResources r, ProviderTree host, List<Flavor> flavors, boolean mayCreate, int diskGiB) {
        return choose(member, r, host, flavors, flavors, mayCreate, diskGiB);
    }

    /**
     * As {@link #choose(String, MachineResources, ProviderTree, List, boolean, int)}, where only
     * {@code flavors} may be used and {@code all} also holds flavors private to other projects: one
     * of those under the name of the flavor to create is refused as private, as Nova would refuse
     * to make it.
     */
    static Choice choose(String member, MachineResources r, ProviderTree host, List<Flavor> flavors, List<Flavor> all, boolean mayCreate,
            int diskGiB) {
        int vcpus = vcpus(r);
        long ram = ramMiB(r);
        String name = "strata-" + vcpus + "c-" + ram + "m-" + diskGiB + "g" + (r.gpus() > 0 ? "-" + r.gpus() + "pgpu" : "");
        // where Strata may make the member's flavor, one it made to measure for another member is not taken for this one: a
        // member of 256 MiB would hold a host's 4 GiB for as long as it runs; the flavors an operator made are
        List<Flavor> holding = flavors.stream().filter(f -> holds(f, vcpus, ram, r.gpus()))
                .filter(f -> !mayCreate || !MADE_BY_STRATA.matcher(f.name()).matches() || f.name().equals(name)).toList();
        Optional<Flavor> best = holding.stream().filter(f -> host == null || FitModel.fits(host, f.request()))
                .min(Comparator.comparingInt(Flavor::vcpus).thenComparingLong(Flavor::ramMiB).thenComparingLong(Flavor::placementDiskGiB)
                        .thenComparing(Flavor::name));
        if (best.isPresent()) {
            return new Choice(best.get(), null);
        }
        String needs = vcpus + " VCPU, " + ram + " MiB" + (r.gpus() > 0 ? ", " + r.gpus() + " PGPU" : "");
        if (mayCreate) {
            Map<String, String> specs = r.gpus() > 0 ? Map.of("resources:PGPU", Integer.toString(r.gpus())) : Map.of();
            Flavor wanted = new Flavor("new", name, vcpus, ram, diskGiB, true, specs);
            if (host != null && !FitModel.fits(host, wanted.request())) {
                throw new ProviderFailureException("member " + member + " needs " + needs + " and host " + host.root().name()
                        + " cannot take that now (Placement: " + freeSummary(host) + ")");
            }
            Optional<Flavor> same = all.stream().filter(f -> f.name().equals(name)).findFirst();
            if (same.isEmpty()) {
                return new Choice(null, wanted);
            }
            // Not reused by its name alone: it must be the flavor Strata makes, whole or with extra specs still to be set.
            return same.get().specsToComplete(wanted).isEmpty() ? new Choice(same.get(), null) : new Choice(same.get(), wanted);
        }
        if (!holding.isEmpty()) {
            throw new ProviderFailureException("member " + member + " needs " + needs + "; flavors "
                    + holding.stream().map(Flavor::name).sorted().toList() + " hold it but none fits on host " + host.root().name()
                    + " now (Placement: " + freeSummary(host) + ")");
        }
        throw new ProviderFailureException("no flavor holds member " + member + " (needs " + needs + ") among "
                + flavors.stream().filter(f -> !f.special()).map(f -> f.name() + " " + f.vcpus() + "c/" + f.ramMiB() + "m").sorted().toList()
                + "; create one, name one in the member's flavor parameter, or set flavorPolicy = create");
    }

    /** Whether a flavor holds the member: enough CPUs and memory, exactly its GPUs, nothing special otherwise. */
    static boolean holds(Flavor f, int vcpus, long ramMiB, int gpus) {
        if (f.vcpus() < vcpus || f.ramMiB() < ramMiB) {
            return false;
        }
        if (gpus == 0) {
            return !f.special();
        }
        return !f.asksBeyond(Set.of("PGPU")) && f.pgpus() == gpus;
    }

    private static String freeSummary(ProviderTree host) {
        StringBuilder s = new StringBuilder();
        for (String rc : host.resourceClasses()) {
            if (s.length() > 0) {
                s.append(", ");
            }
            s.append(rc).append(" free ").append(host.free(rc)).append(" (largest ").append(host.largestAllocation(rc)).append(')');
        }
        return s.toString();
    }
}
