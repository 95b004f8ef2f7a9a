package dev.strata.provider.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.provisioning.MachineResources;
import dev.strata.platform.api.provisioning.MachineState;
import dev.strata.provider.openstack.compute.Flavor;
import dev.strata.provider.openstack.compute.ServerStates;
import dev.strata.provider.openstack.http.Microversion;
import dev.strata.provider.openstack.placement.FitModel;
import dev.strata.provider.openstack.placement.Inventory;
import dev.strata.provider.openstack.placement.ProviderTree;
import dev.strata.provider.openstack.placement.ResourceProvider;
import dev.strata.provider.openstack.placement.ResourceRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The small mappers: Nova statuses, microversions, operation tags, flavor choice, and a flavor's Placement request. */
class MappingTest {

    @ParameterizedTest
    @CsvSource({
        "BUILD,scheduling,PENDING", "BUILD,,PENDING", "REBOOT,rebooting,PENDING", "HARD_REBOOT,,PENDING", "RESIZE,,PENDING",
        "MIGRATING,,PENDING", "ACTIVE,,RUNNING", "ACTIVE,deleting,DELETING", "ERROR,deleting,DELETING", "ERROR,,FAILED",
        "SHUTOFF,,FAILED", "PAUSED,,FAILED", "SUSPENDED,,FAILED", "SHELVED_OFFLOADED,,FAILED", "RESCUE,,FAILED",
        "DELETED,,GONE", "SOFT_DELETED,,GONE", "SOMETHING_NEW,,FAILED", "UNKNOWN,,FAILED"})
    void everyNovaStatusHasAMachineState(String status, String task, MachineState state) {
        assertThat(ServerStates.of(status, task)).isEqualTo(state);
    }

    @Test
    void statesNotRunningSayWhy() {
        assertThat(ServerStates.notRunning("SHUTOFF")).isEqualTo("server is SHUTOFF, not running (stopped or parked behind Strata's back)");
        assertThat(ServerStates.notRunning("SOMETHING_NEW")).isEqualTo("server has status 'SOMETHING_NEW', which Strata does not know");
        // a documented status (nova-compute down): said as what it means, not as one Strata does not know
        assertThat(ServerStates.notRunning("UNKNOWN")).isEqualTo("Nova does not know the server's state now (status UNKNOWN: the "
                + "nova-compute service of its host does not answer); it may still be running");
    }

    @Test
    void microversionsCompareNumerically() {
        assertThat(Microversion.parse("2.9")).isLessThan(Microversion.parse("2.10"));
        assertThat(Microversion.parse("v1.39").atLeast(Microversion.of(1, 29))).isTrue();
        assertThat(Microversion.min(Microversion.of(2, 93), Microversion.of(2, 100))).isEqualTo(Microversion.of(2, 93));
        assertThatThrownBy(() -> Microversion.parse("latest")).hasMessageContaining("expected major.minor");
    }

    /**
     * A version document's microversions that are not one are quoted escaped and cut in the malformed answer: a proxy's
     * page may put anything there (an escape sequence, a line break, a page of text), which went into the message, the
     * log and the shell as it came.
     */
    @Test
    void aVersionDocumentsMicroversionsAreQuotedEscapedAndCut() {
        dev.strata.provider.openstack.http.ApiRequest versions = dev.strata.provider.openstack.http.ApiRequest.get("Nova",
                java.net.URI.create("http://nova/v2.1/"));
        assertThatThrownBy(() -> Microversion.offered(versions, "2.1\u001b[2J\n[main] INFO forged", "x".repeat(1000)))
                .hasMessage("Nova answered GET /v2.1/ with a version document whose microversions are '2.1\\u001b[2J\\u000a[main] INFO forged'"
                        + " to '" + "x".repeat(40) + "...'; expected major.minor such as 2.74");
    }

    @Test
    void operationTagsFitNovasTagRules() {
        assertThat(OpenStackCloudProvider.operationTag("7b6a9c0e-1f0d-4a8b-9a55-2d3c4e5f6a7b")).isEqualTo("strata-op-7b6a9c0e-1f0d-4a8b-9a55-2d3c4e5f6a7b");
        String long1 = OpenStackCloudProvider.operationTag("deploy/bank-risk/llm-finetune/trainer-0/create/attempt-1");
        String long2 = OpenStackCloudProvider.operationTag("deploy/bank-risk/llm-finetune/trainer-1/create/attempt-1");
        assertThat(long1).hasSize(50).startsWith("strata-op-").doesNotContain("/", ",").isNotEqualTo(long2);
        assertThat(OpenStackCloudProvider.operationTag("x".repeat(51))).hasSizeLessThanOrEqualTo(60);
    }

    static ResourceProvider rp(String uuid, String parent, Map<String, Inventory> inv, Map<String, Long> used, Set<String> traits) {
        return new ResourceProvider(uuid, uuid, 1, parent, parent == null ? uuid : "root", inv, used, traits, Set.of());
    }

    static ProviderTree host() {
        ResourceProvider root = rp("root", null, Map.of("VCPU", new Inventory("VCPU", 8, 0, 1, 8, 1, 2.0), "MEMORY_MB",
                Inventory.of("MEMORY_MB", 16384), "DISK_GB", Inventory.of("DISK_GB", 100)), Map.of("VCPU", 4L), Set.of("HW_CPU_X86_AVX2"));
        ResourceProvider gpu = rp("gpu", "root", Map.of("PGPU", Inventory.of("PGPU", 2)), Map.of(), Set.of("CUSTOM_GPU_NVIDIA_A100"));
        return new ProviderTree(root, List.of(root, gpu));
    }

    static Flavor flavor(String name, int vcpus, long ram, Map<String, String> specs) {
        return new Flavor(name + "-id", name, vcpus, ram, 1, true, specs);
    }

    @Test
    void theSmallestFlavorThatHoldsTheMemberAndFitsIsChosen() {
        List<Flavor> flavors = List.of(flavor("m1.large", 4, 8192, Map.of()), flavor("m1.small", 1, 2048, Map.of()),
                flavor("m1.medium", 2, 4096, Map.of()), flavor("magic", 1, 2048, Map.of("resources:CUSTOM_MAGIC", "1")),
                flavor("gpu.1", 4, 8192, Map.of("resources:PGPU", "1")), flavor("gpu.2", 8, 8192, Map.of("resources:PGPU", "2")));
        MachineResources twoCpus = new MachineResources(1500, 3L << 30, 0, List.of(), null);
        assertThat(FlavorChooser.choose("m", twoCpus, host(), flavors, false, 1).existing().name()).isEqualTo("m1.medium");
        MachineResources oneGpu = new MachineResources(1000, 1L << 30, 1, List.of(), null);
        assertThat(FlavorChooser.choose("m", oneGpu, host(), flavors, false, 1).existing().name()).isEqualTo("gpu.1");
        // gpu.2 holds two GPUs but asks 8 VCPU where 12 of 16 are free... and 2 PGPU: it fits.
        MachineResources twoGpus = new MachineResources(1000, 1L << 30, 2, List.of(), null);
        assertThat(FlavorChooser.choose("m", twoGpus, host(), flavors, false, 1).existing().name()).isEqualTo("gpu.2");
    }

    /**
     * Before, the names of Nova's flavors went into the refusals as Nova gave them: a control,
     * line-breaking or bidi character an operator or another project put in a flavor's name
     * reached the log and the shell as it was. Now they are shown printable, as the provider shows
     * Nova's other text.
     */
    @Test
    void flavorNamesInARefusalArePrintable() {
        List<Flavor> big = List.of(flavor("big\u001b[2J\u202egpj", 10, 2048, Map.of()));
        MachineResources nine = new MachineResources(9000, 1L << 30, 0, List.of(), null);
        assertThatThrownBy(() -> FlavorChooser.choose("m", nine, host(), big, false, 1)).isInstanceOf(ProviderFailureException.class)
                .hasMessageStartingWith("member m needs 9 VCPU, 1024 MiB; flavors [big\\u001b[2J\\u202egpj] hold it but none fits on host root");
        List<Flavor> small = List.of(flavor("m1\nsmall", 1, 2048, Map.of()));
        MachineResources three = new MachineResources(3000, 1000L << 20, 0, List.of(), null);
        assertThatThrownBy(() -> FlavorChooser.choose("m", three, host(), small, false, 1)).isInstanceOf(ProviderFailureException.class)
                .hasMessageStartingWith("no flavor holds member m (needs 3 VCPU, 1000 MiB) among [m1\\u000asmall 1c/2048m]");
    }

    /**
     * The name of the host's resource provider, as Placement gives it, goes into the refusals of
     * the flavor choice printable. Before, a control, line-breaking or bidi character in it reached
     * the log and the shell as it was.
     */
    @Test
    void theHostsResourceProviderNameInARefusalIsPrintable() {
        ResourceProvider root = new ResourceProvider("root", "cn\u001b[2J\n\u202e-1", 1, null, "root", Map.of("VCPU", Inventory.of("VCPU", 8),
                "MEMORY_MB", Inventory.of("MEMORY_MB", 16384), "DISK_GB", Inventory.of("DISK_GB", 100)), Map.of("VCPU", 8L), Set.of(), Set.of());
        ProviderTree busy = new ProviderTree(root, List.of(root));
        MachineResources one = new MachineResources(1000, 512L << 20, 0, List.of(), null);
        assertThatThrownBy(() -> FlavorChooser.choose("m", one, busy, List.of(flavor("m1.small", 1, 512, Map.of())), false, 1))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessageStartingWith("member m needs 1 VCPU, 512 MiB; flavors [m1.small] hold it but none fits on host cn\\u001b[2J\\u000a\\u202e-1 now");
        assertThatThrownBy(() -> FlavorChooser.choose("m", one, busy, List.of(), true, 1)).isInstanceOf(ProviderFailureException.class)
                .hasMessageStartingWith("member m needs 1 VCPU, 512 MiB and host cn\\u001b[2J\\u000a\\u202e-1 cannot take that now");
    }

    /**
     * A flavor under the name Strata makes that is not the flavor Strata makes is refused naming
     * its name and id printable, as the provider shows Nova's other text. Before, a control,
     * line-breaking or bidi character in either reached the log and the shell as it was.
     */
    @Test
    void aFlavorNotTheOneStrataMakesIsRefusedWithItsNameAndIdPrintable() {
        Flavor found = new Flavor("id\u001b[2J", "strata-1c-512m-1g\u202e", 2, 512, 1, true, Map.of());
        Flavor made = new Flavor("new", "strata-1c-512m-1g", 1, 512, 1, true, Map.of());
        assertThatThrownBy(() -> found.specsToComplete(made)).isInstanceOf(ProviderFailureException.class)
                .hasMessageStartingWith("flavor strata-1c-512m-1g\\u202e (id\\u001b[2J) is not the flavor Strata makes under that name");
    }

    @Test
    void whenNoneHoldsTheMemberItIsCreatedOrRefused() {
        List<Flavor> flavors = List.of(flavor("m1.small", 1, 2048, Map.of()));
        MachineResources r = new MachineResources(3000, 1000L << 20, 0, List.of(), null);
        FlavorChooser.Choice c = FlavorChooser.choose("m", r, host(), flavors, true, 5);
        assertThat(c.existing()).isNull();
        assertThat(c.create().name()).isEqualTo("strata-3c-1000m-5g");
        assertThat(c.create().extraSpecs()).isEmpty();
        MachineResources gpus = new MachineResources(1000, 1L << 30, 2, List.of(), null);
        assertThat(FlavorChooser.choose("m", gpus, host(), flavors, true, 1).create().extraSpecs()).containsEntry("resources:PGPU", "2");
        assertThatThrownBy(() -> FlavorChooser.choose("m", r, host(), flavors, false, 1)).isInstanceOf(ProviderFailureException.class)
                .hasMessage("no flavor holds member m (needs 3 VCPU, 1000 MiB) among [m1.small 1c/2048m]; create one, name one in the member's "
                        + "flavor parameter, or set flavorPolicy = create");
        MachineResources tooMany = new MachineResources(20_000, 1L << 30, 0, List.of(), null);
        assertThatThrownBy(() -> FlavorChooser.choose("m", tooMany, host(), flavors, true, 1)).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("member m needs 20 VCPU, 1024 MiB and host root cannot take that now (Placement: ")
                .hasMessageContaining("VCPU free 12 (largest 8)");
    }

    /**
     * Where Strata may make flavors, one it made to measure for another member is not chosen for a
     * smaller one: a member of 512 MiB gets {@code strata-1c-512m-1g}, made, not an existing
     * {@code strata-1c-5120m-1g} that would hold 5 GiB of the host for it. An operator's larger
     * flavor is still chosen, and without flavorPolicy = create any flavor that holds it is.
     */
    @Test
    void aFlavorStrataMadeForAnotherMemberIsNotChosenWhereStrataMayMakeTheMembersOwn() {
        MachineResources small = new MachineResources(1000, 512L << 20, 0, List.of(), null);
        List<Flavor> strataOnly = List.of(flavor("strata-1c-5120m-1g", 1, 5120, Map.of()), flavor("strata-2c-1024m-1g", 2, 1024, Map.of()));
        FlavorChooser.Choice made = FlavorChooser.choose("m", small, host(), strataOnly, true, 1);
        assertThat(made.existing()).isNull();
        assertThat(made.create().name()).isEqualTo("strata-1c-512m-1g");
        assertThat(FlavorChooser.choose("m", small, host(), strataOnly, false, 1).existing().name()).as("fewest VCPU, then least memory")
                .isEqualTo("strata-1c-5120m-1g");
        List<Flavor> withOwn = List.of(flavor("strata-1c-5120m-1g", 1, 5120, Map.of()), flavor("strata-1c-512m-1g", 1, 512, Map.of()),
                flavor("m1.large", 4, 8192, Map.of()));
        assertThat(FlavorChooser.choose("m", small, host(), withOwn, true, 1).existing().name()).isEqualTo("strata-1c-512m-1g");
        List<Flavor> operators = List.of(flavor("strata-1c-5120m-1g", 1, 5120, Map.of()), flavor("m1.large", 4, 8192, Map.of()));
        assertThat(FlavorChooser.choose("m", small, host(), operators, true, 1).existing().name()).isEqualTo("m1.large");
    }

    /**
     * A flavor that already has the name Strata gives the flavor it would make is not taken by its
     * name alone: without its extra specs (a creation cut short between the flavor and its extra
     * specs) it is to be completed, and with another size or another extra spec it is refused.
     * Before, any flavor of that name was used as it was.
     */
    @Test
    void aFlavorUnderTheNameStrataGivesIsUsedOnlyAsTheFlavorStrataMakes() {
        MachineResources oneGpu = new MachineResources(1000, 1L << 30, 1, List.of(), null);
        Flavor cut = new Flavor("cut-id", "strata-1c-1024m-1g-1pgpu", 1, 1024, 1, true, Map.of());
        FlavorChooser.Choice c = FlavorChooser.choose("m", oneGpu, host(), List.of(cut), true, 1);
        assertThat(c.existing()).isEqualTo(cut);
        assertThat(c.create()).isNotNull();
        assertThat(cut.specsToComplete(c.create())).isEqualTo(Map.of("resources:PGPU", "1"));

        Flavor moreCpus = new Flavor("more-id", "strata-1c-1024m-1g-1pgpu", 2, 1024, 1, true, Map.of());
        assertThatThrownBy(() -> FlavorChooser.choose("m", oneGpu, host(), List.of(moreCpus), true, 1))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("flavor strata-1c-1024m-1g-1pgpu (more-id) is not the flavor Strata makes under that name: it has 2 VCPU, 1024 MiB "
                        + "RAM, 1 GiB disk, public, extra specs {}, where Strata makes 1 VCPU, 1024 MiB RAM, 1 GiB disk, public, extra specs "
                        + "{resources:PGPU=1}; it is not used: delete or rename it, or name the flavor to use in the member's flavor parameter");
        Flavor twoGpus = new Flavor("two-id", "strata-1c-1024m-1g-1pgpu", 1, 1024, 1, true, Map.of("resources:PGPU", "2"));
        assertThatThrownBy(() -> FlavorChooser.choose("m", oneGpu, host(), List.of(twoGpus), true, 1))
                .isInstanceOf(ProviderFailureException.class).hasMessageContaining("it has 1 VCPU, 1024 MiB RAM, 1 GiB disk, public, extra specs "
                        + "{resources:PGPU=2}, where Strata makes 1 VCPU, 1024 MiB RAM, 1 GiB disk, public, extra specs {resources:PGPU=1}");
        // holds the member, but its disk does not fit on the host, where the flavor Strata makes would
        Flavor otherDisk = new Flavor("disk-id", "strata-3c-1000m-5g", 3, 1000, 500, true, Map.of());
        assertThatThrownBy(() -> FlavorChooser.choose("m", new MachineResources(3000, 1000L << 20, 0, List.of(), null), host(),
                List.of(otherDisk), true, 5)).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("it has 3 VCPU, 1000 MiB RAM, 500 GiB disk, public, extra specs {}, where Strata makes 3 VCPU, 1000 MiB RAM, "
                        + "5 GiB disk, public, extra specs {}");
    }

    /**
     * Strata makes its flavors public. A private flavor under the name Strata gives the flavor it
     * would make was made by someone else, for some projects only: it is refused with the same
     * error as a flavor of another size, naming its access, whether it lacks Strata's extra specs
     * (it is not completed) or has them (the answer to a 409 when Strata creates the flavor).
     * Before, only size and extra specs were compared, and the private flavor was completed and
     * used, or used as it was.
     */
    @Test
    void aPrivateFlavorUnderTheNameStrataGivesIsRefusedAsNotTheFlavorStrataMakes() {
        MachineResources oneGpu = new MachineResources(1000, 1L << 30, 1, List.of(), null);
        Flavor privateCut = new Flavor("cut-id", "strata-1c-1024m-1g-1pgpu", 1, 1024, 1, false, Map.of());
        assertThatThrownBy(() -> FlavorChooser.choose("m", oneGpu, host(), List.of(privateCut), true, 1))
                .isInstanceOf(ProviderFailureException.class)
                .hasMessage("flavor strata-1c-1024m-1g-1pgpu (cut-id) is not the flavor Strata makes under that name: it has 1 VCPU, 1024 MiB "
                        + "RAM, 1 GiB disk, private, extra specs {}, where Strata makes 1 VCPU, 1024 MiB RAM, 1 GiB disk, public, extra specs "
                        + "{resources:PGPU=1}; it is not used: delete or rename it, or name the flavor to use in the member's flavor parameter");

        Flavor made = new Flavor("new", "strata-1c-1024m-1g-1pgpu", 1, 1024, 1, true, Map.of("resources:PGPU", "1"));
        Flavor privateWhole = new Flavor("whole-id", "strata-1c-1024m-1g-1pgpu", 1, 1024, 1, false, Map.of("resources:PGPU", "1"));
        assertThatThrownBy(() -> privateWhole.specsToComplete(made)).isInstanceOf(ProviderFailureException.class)
                .hasMessageContaining("it has 1 VCPU, 1024 MiB RAM, 1 GiB disk, private, extra specs {resources:PGPU=1}, where Strata makes "
                        + "1 VCPU, 1024 MiB RAM, 1 GiB disk, public, extra specs {resources:PGPU=1}");
        // the same flavors, public, are Strata's: one to complete, one whole
        assertThat(new Flavor("cut-id", "strata-1c-1024m-1g-1pgpu", 1, 1024, 1, true, Map.of()).specsToComplete(made))
                .isEqualTo(Map.of("resources:PGPU", "1"));
        assertThat(new Flavor("whole-id", "strata-1c-1024m-1g-1pgpu", 1, 1024, 1, true, Map.of("resources:PGPU", "1")).specsToComplete(made))
                .isEmpty();
    }

    @Test
    void aFlavorsPlacementRequestComesFromItsSizeAndExtraSpecs() {
        ResourceRequest r = FitModel.forFlavor(2, 4096, 20, Map.of("resources:PGPU", "1", "resources:DISK_GB", "0",
                "trait:HW_CPU_X86_AVX2", "required", "trait:CUSTOM_SLOW", "forbidden", "hw:mem_page_size", "large"));
        assertThat(r.resources()).isEqualTo(Map.of("VCPU", 2L, "MEMORY_MB", 4096L, "PGPU", 1L));
        assertThat(r.required()).containsExactly("HW_CPU_X86_AVX2");
        assertThat(r.forbidden()).containsExactly("CUSTOM_SLOW");
        assertThat(r.query()).isEqualTo("resources=MEMORY_MB:4096,PGPU:1,VCPU:2&required=!CUSTOM_SLOW,HW_CPU_X86_AVX2");
        assertThat(FitModel.fits(host(), r)).isTrue();
        assertThat(FitModel.fits(host(), FitModel.forFlavor(9, 1, 0, Map.of()))).as("max_unit 8").isFalse();
    }

    /**
     * CPU pinning as Nova's scheduler translates it (nova/scheduler/utils.py, Zed): a flavor with
     * resources:PCPU asks for no VCPU ("if VCPU not in merged_resources and PCPU not in
     * merged_resources" the flavor's vcpus are added as VCPU); hw:cpu_policy = dedicated asks for
     * its vcpus as PCPU (one more with hw:emulator_threads_policy = isolate), mixed for the CPUs of
     * hw:cpu_dedicated_mask as PCPU and the others as VCPU; hw:cpu_thread_policy forbids or requires
     * HW_CPU_HYPERTHREADING. A host that reports PCPU and no VCPU takes such flavors; one that
     * reports no PCPU takes a dedicated flavor still, by Nova's fallback query with VCPU, but not
     * one with resources:PCPU. Before, every flavor asked for its vcpus as VCPU besides: a flavor
     * of resources:PCPU = 4 asked for 4 VCPU and 4 PCPU, and a host of dedicated CPUs alone was
     * never said to fit it.
     */
    @Test
    void cpuPinningIsAskedForAsNovaTranslatesIt() {
        assertThat(FitModel.forFlavor(4, 1024, 0, Map.of("resources:PCPU", "4")).resources()).isEqualTo(Map.of("PCPU", 4L, "MEMORY_MB", 1024L));
        assertThat(FitModel.forFlavor(4, 1024, 0, Map.of("hw:cpu_policy", "dedicated")).resources())
                .isEqualTo(Map.of("PCPU", 4L, "MEMORY_MB", 1024L));
        assertThat(FitModel.forFlavor(4, 1024, 0, Map.of("hw:cpu_policy", "dedicated", "hw:emulator_threads_policy", "isolate")).resources())
                .isEqualTo(Map.of("PCPU", 5L, "MEMORY_MB", 1024L));
        assertThat(FitModel.forFlavor(4, 1024, 0, Map.of("hw:cpu_policy", "mixed", "hw:cpu_dedicated_mask", "^0")).resources())
                .isEqualTo(Map.of("VCPU", 1L, "PCPU", 3L, "MEMORY_MB", 1024L));
        assertThat(FitModel.forFlavor(4, 1024, 0, Map.of("hw:cpu_policy", "mixed", "hw:cpu_dedicated_mask", "2-3")).resources())
                .isEqualTo(Map.of("VCPU", 2L, "PCPU", 2L, "MEMORY_MB", 1024L));
        assertThat(FitModel.forFlavor(4, 1024, 0, Map.of("hw:cpu_policy", "shared")).resources()).isEqualTo(Map.of("VCPU", 4L, "MEMORY_MB", 1024L));
        ResourceRequest isolated = FitModel.forFlavor(4, 1024, 0, Map.of("hw:cpu_policy", "dedicated", "hw:cpu_thread_policy", "isolate"));
        assertThat(isolated.forbidden()).containsExactly("HW_CPU_HYPERTHREADING");

        ResourceProvider pinned = rp("pinned", null, Map.of("PCPU", Inventory.of("PCPU", 8), "MEMORY_MB", Inventory.of("MEMORY_MB", 16384)),
                Map.of(), Set.of());
        ProviderTree dedicatedHost = new ProviderTree(pinned, List.of(pinned));
        Flavor byResources = new Flavor("p-id", "pinned.4", 4, 1024, 0, true, Map.of("resources:PCPU", "4"));
        Flavor byPolicy = new Flavor("d-id", "dedicated.4", 4, 1024, 0, true, Map.of("hw:cpu_policy", "dedicated"));
        assertThat(byResources.fitsOn(dedicatedHost, dev.strata.provider.openstack.placement.PciGpus.NONE)).isTrue();
        assertThat(byPolicy.fitsOn(dedicatedHost, dev.strata.provider.openstack.placement.PciGpus.NONE)).isTrue();
        assertThat(byResources.fitsOn(host(), dev.strata.provider.openstack.placement.PciGpus.NONE)).as("a host without PCPU").isFalse();
        assertThat(byPolicy.fitsOn(host(), dev.strata.provider.openstack.placement.PciGpus.NONE)).as("Nova's fallback query with VCPU").isTrue();
    }
}
