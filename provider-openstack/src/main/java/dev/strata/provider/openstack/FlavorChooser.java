package dev.strata.provider.openstack;

import dev.strata.platform.api.exception.InvalidConfigurationException;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.provider.openstack.compute.Flavor;
import dev.strata.provider.openstack.placement.FitModel;
import dev.strata.provider.openstack.placement.PciGpus;
import dev.strata.provider.openstack.placement.ProviderTree;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Chooses the flavor of a member's server: the smallest flavor that holds what the member asked
 * for (at least its CPUs and memory, exactly its whole GPUs, no other special resources) and that
 * fits on the target host now (Placement's rules, {@link FitModel}). A member's GPUs are asked for
 * as the host has them: {@code resources:PGPU=<n>}, or, for GPUs passed through by PCI (a class
 * {@link PciGpus} maps), {@code pci_passthrough:alias=<alias>:<n>} with the alias configured for
 * their class, and nothing else special. Which kind, the GPUs placement bound say (their ids name
 * their resource class, {@link HostNodes#gpuClassOf}); without bound GPUs, the host's free ones do.
 * Where configuration allows creating flavors, the flavors Strata made for other members
 * ({@code strata-<cpus>c-<MiB>m-<GiB>g[-<n>pgpu][-<n>x<alias>]} of another size) are not among those: each is
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

    /** The names Strata gives the flavors it makes ({@code strata-<cpus>c-<MiB>m-<GiB>g[-<n>pgpu][-<n>x<alias>]}). */
    private static final java.util.regex.Pattern MADE_BY_STRATA = java.util.regex.Pattern.compile(
            "strata-[0-9]+c-[0-9]+m-[0-9]+g(-[0-9]+pgpu)?(-[0-9]+x[A-Za-z0-9][A-Za-z0-9._-]*)*");

    /**
     * The whole GPUs a member's flavor asks Nova for: {@code resources:PGPU} and PCI devices by
     * alias ({@code pci_passthrough:alias}), by alias name.
     */
    record Gpus(long pgpus, Map<String, Long> aliases) {

        static final Gpus NONE = new Gpus(0, Map.of());

        Gpus {
            aliases = Map.copyOf(aliases);
        }

        static Gpus pgpus(long n) {
            return new Gpus(n, Map.of());
        }

        boolean none() {
            return pgpus == 0 && aliases.isEmpty();
        }

        /** The extra specs that ask for them. */
        Map<String, String> extraSpecs() {
            Map<String, String> specs = new java.util.TreeMap<>();
            if (pgpus > 0) {
                specs.put("resources:PGPU", Long.toString(pgpus));
            }
            if (!aliases.isEmpty()) {
                specs.put(FitModel.PCI_ALIAS, new java.util.TreeMap<>(aliases).entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
                        .collect(java.util.stream.Collectors.joining(",")));
            }
            return specs;
        }

        /** The end of the name of the flavor Strata makes: {@code -<n>pgpu}, {@code -<n>x<alias>} per alias. */
        String nameSuffix() {
            StringBuilder s = new StringBuilder(pgpus > 0 ? "-" + pgpus + "pgpu" : "");
            new java.util.TreeMap<>(aliases).forEach((alias, n) -> s.append('-').append(n).append('x').append(alias));
            return s.toString();
        }

        /** For messages: {@code , 2 PGPU}, {@code , 2 CUSTOM_PCI_10DE_2330 (PCI alias h100)}. */
        String describe(PciGpus pci) {
            StringBuilder s = new StringBuilder(pgpus > 0 ? ", " + pgpus + " PGPU" : "");
            new java.util.TreeMap<>(aliases).forEach((alias, n) -> s.append(", ").append(n).append(' ')
                    .append(pci.forAlias(alias).map(PciGpus.Mapping::resourceClass).orElse("PCI device")).append(" (PCI alias ").append(alias)
                    .append(')'));
            return s.toString();
        }
    }

    /**
     * How a member's flavor asks for its whole GPUs. By the GPUs placement bound: a PGPU
     * ({@code <provider>/pgpu<n>}) as {@code resources:PGPU}, a PCI GPU ({@code <provider>/<class>/<n>})
     * by the alias {@code pci} maps its class to; an id neither names counts as a PGPU, as before
     * there were PCI GPUs. Without bound GPUs (or not one per GPU): PGPU where the host's PGPU
     * take them, else the first class of {@code pci} whose free devices on the host do, else PGPU.
     *
     * @throws ProviderFailureException when a bound GPU's class is a PCI class {@code pci} does not
     *     map (configuration changed since placement bound it): Strata knows no alias to ask Nova for it
     */
    static Gpus gpusOf(String member, MachineResources r, ProviderTree host, PciGpus pci) {
        if (r.gpus() == 0) {
            return Gpus.NONE;
        }
        if (r.gpuIds().size() == r.gpus()) {
            long pgpus = 0;
            Map<String, Long> aliases = new java.util.TreeMap<>();
            for (String id : r.gpuIds()) {
                String rc = HostNodes.gpuClassOf(id);
                if (rc == null || rc.equals("PGPU")) {
                    pgpus++;
                    continue;
                }
                PciGpus.Mapping m = pci.forClass(rc).orElseThrow(() -> new ProviderFailureException("member " + member + " is bound to GPU "
                        + id + " of resource class " + rc + ", which pciGpus does not map to a Nova PCI alias (any more); Strata cannot ask "
                        + "Nova for it: map the class in pciGpus, or place the member again"));
                aliases.merge(m.alias(), 1L, Long::sum);
            }
            return new Gpus(pgpus, aliases);
        }
        if (host == null || pci.isEmpty() || host.largestAllocation("PGPU") >= r.gpus()) {
            return Gpus.pgpus(r.gpus());
        }
        for (PciGpus.Mapping m : pci.all()) {
            if (FitModel.singleUnits(host, m.resourceClass()) >= r.gpus()) {
                return new Gpus(0, Map.of(m.alias(), (long) r.gpus()));
            }
        }
        return Gpus.pgpus(r.gpus());
    }

    static Choice choose(String member, MachineResources r, ProviderTree host, List<Flavor> flavors, boolean mayCreate, int diskGiB) {
        return choose(member, r, host, flavors, flavors, mayCreate, diskGiB);
    }

    static Choice choose(String member, MachineResources r, ProviderTree host, List<Flavor> flavors, List<Flavor> all, boolean mayCreate,
            int diskGiB) {
        return choose(member, r, host, flavors, all, mayCreate, diskGiB, PciGpus.NONE);
    }

    /**
     * As {@link #choose(String, MachineResources, ProviderTree, List, boolean, int)}, where only
     * {@code flavors} may be used and {@code all} also holds flavors private to other projects: one
     * of those under the name of the flavor to create is refused as private, as Nova would refuse
     * to make it.
     */
    /**
     * As {@link #choose(String, MachineResources, ProviderTree, List, List, boolean, int)}, with the
     * PCI devices that are GPUs: a member's GPUs passed through by PCI are asked for by their alias.
     */
    static Choice choose(String member, MachineResources r, ProviderTree host, List<Flavor> flavors, List<Flavor> all, boolean mayCreate,
            int diskGiB, PciGpus pci) {
        int vcpus = vcpus(r);
        long ram = ramMiB(r);
        Gpus gpus = gpusOf(member, r, host, pci);
        String name = "strata-" + vcpus + "c-" + ram + "m-" + diskGiB + "g" + gpus.nameSuffix();
        // where Strata may make the member's flavor, one it made to measure for another member is not taken for this one: a
        // member of 256 MiB would hold a host's 4 GiB for as long as it runs; the flavors an operator made are
        List<Flavor> holding = flavors.stream().filter(f -> holds(f, vcpus, ram, gpus))
                .filter(f -> !mayCreate || !MADE_BY_STRATA.matcher(f.name()).matches() || f.name().equals(name)).toList();
        Optional<Flavor> best = holding.stream().filter(f -> host == null || f.fitsOn(host, pci))
                .min(Comparator.comparingInt(Flavor::vcpus).thenComparingLong(Flavor::ramMiB).thenComparingLong(Flavor::placementDiskGiB)
                        .thenComparing(Flavor::name));
        if (best.isPresent()) {
            return new Choice(best.get(), null);
        }
        String needs = vcpus + " VCPU, " + ram + " MiB" + gpus.describe(pci);
        if (mayCreate) {
            Flavor wanted = new Flavor("new", name, vcpus, ram, diskGiB, true, gpus.extraSpecs());
            if (host != null && !wanted.fitsOn(host, pci)) {
                throw new ProviderFailureException("member " + member + " needs " + needs + " and host "
                        + InvalidConfigurationException.printable(host.root().name())
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
                    + holding.stream().map(f -> InvalidConfigurationException.printable(f.name())).sorted().toList() + " hold it but none fits on host "
                    + InvalidConfigurationException.printable(host.root().name())
                    + " now (Placement: " + freeSummary(host) + ")");
        }
        throw new ProviderFailureException("no flavor holds member " + member + " (needs " + needs + ") among "
                + flavors.stream().filter(f -> !f.special()).map(f -> InvalidConfigurationException.printable(f.name()) + " " + f.vcpus() + "c/" + f.ramMiB() + "m").sorted().toList()
                + "; create one, name one in the member's flavor parameter, or set flavorPolicy = create");
    }

    /** Whether a flavor holds the member: enough CPUs and memory, exactly its GPUs as {@code resources:PGPU}, nothing special otherwise. */
    static boolean holds(Flavor f, int vcpus, long ramMiB, int gpus) {
        return holds(f, vcpus, ramMiB, Gpus.pgpus(gpus));
    }

    /**
     * Whether a flavor holds the member: enough CPUs and memory, exactly its GPUs (as many
     * {@code resources:PGPU}, and {@code pci_passthrough:alias} asking for as many devices of each
     * alias), nothing special otherwise (another alias, another device, dedicated CPUs).
     */
    static boolean holds(Flavor f, int vcpus, long ramMiB, Gpus gpus) {
        if (f.vcpus() < vcpus || f.ramMiB() < ramMiB) {
            return false;
        }
        if (gpus.none()) {
            return !f.special();
        }
        return !f.asksBeyond(Set.of("PGPU"), gpus.aliases().keySet()) && f.pgpus() == gpus.pgpus() && f.pciAliases().equals(gpus.aliases());
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
