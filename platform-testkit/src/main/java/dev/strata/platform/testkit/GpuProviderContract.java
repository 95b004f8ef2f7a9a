package dev.strata.platform.testkit;

import static dev.strata.platform.testkit.ShownIds.assertShown;
import static dev.strata.platform.testkit.ShownIds.shown;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.model.Accelerator;
import dev.strata.platform.api.model.DevicePath;
import dev.strata.platform.api.model.Fabric;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.platform.api.provider.GpuProvider;
import dev.strata.platform.api.provider.GpuSnapshot;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The contract of {@link GpuProvider}: the obligations of {@link ProviderContract}, and a GPU
 * snapshot is complete when accelerator ids are unique, every interconnect's members and every
 * device path's accelerator end are accelerators of the snapshot, PCI addresses are in the Linux
 * form, and a provider that sees nothing says why ({@link GpuSnapshot#unavailableReason()}) and
 * reports no accelerators. Every id the inventory takes or an accelerator, interconnect or path
 * names shows as itself: the inventory leaves out (or drops) one that holds a control or format
 * character, a line or paragraph separator or half of a surrogate pair. A GPU provider whose
 * source is broken ({@link #createBrokenProvider()}: no device, no driver) does not throw: it
 * returns such a snapshot.
 *
 * @param <P> the provider type
 */
public abstract class GpuProviderContract<P extends GpuProvider> extends ProviderContract<P, GpuSnapshot> {

    private static final Pattern PCI = Pattern.compile("[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]");

    @Override
    protected final GpuSnapshot discover(P provider, DiscoveryContext context) {
        return provider.discoverGpus(context);
    }

    @Override
    protected final long generation(GpuSnapshot snapshot) {
        return snapshot.generation();
    }

    /**
     * The accelerators' ids, and the interconnects' and the accelerators' interconnect domains', each
     * named by what it is: an interconnect is a fabric of the inventory, whose id, as every resource
     * id, is stable across calls and versions (the core stores a binding's fabric id with it), and an
     * accelerator's interconnect domain names one.
     */
    @Override
    protected final Set<String> ids(GpuSnapshot snapshot) {
        Set<String> ids = new LinkedHashSet<>();
        snapshot.accelerators().forEach(a -> ids.add(a.id()));
        snapshot.accelerators().stream().filter(a -> a.interconnectDomain() != null)
                .forEach(a -> ids.add("interconnect domain " + a.interconnectDomain() + " of accelerator " + a.id()));
        snapshot.interconnects().forEach(f -> ids.add("interconnect " + f.id()));
        return ids;
    }

    /**
     * A GPU provider whose source is broken (no device, no driver, a tool that cannot reach the
     * driver) answers: an empty snapshot saying why, which the core shows as {@code UNAVAILABLE}.
     */
    @Override
    void brokenProviderThrew(StrataException e) {
        fail("the broken GPU provider threw " + e.getClass().getSimpleName() + " (" + e.getMessage() + "); a GPU provider that "
                + "finds no device or driver must not throw, but return an empty snapshot with unavailableReason saying why");
    }

    @Override
    protected void brokenProviderAnswered(Object result) {
        super.brokenProviderAnswered(result);
        GpuSnapshot snapshot = (GpuSnapshot) result;
        assertTrue(snapshot.unavailableReason() != null, "the broken GPU provider returned a snapshot of "
                + snapshot.accelerators().size() + " accelerator(s) without unavailableReason; a GPU provider that finds no device or "
                + "driver returns an empty snapshot with unavailableReason saying why, or the core takes the host for one without GPUs");
    }

    @Override
    protected void assertComplete(GpuSnapshot snapshot) {
        assertNotNull(snapshot.takenAt(), "takenAt");
        if (snapshot.unavailableReason() != null) {
            assertTrue(!snapshot.unavailableReason().isBlank(), "a blank unavailableReason");
            assertTrue(snapshot.accelerators().isEmpty(), "an unavailable provider reports accelerators");
        }
        Set<String> ids = new HashSet<>();
        for (Accelerator a : snapshot.accelerators()) {
            assertShown("an accelerator", "id", a.id(), "the inventory leaves the accelerator out");
            assertShown("accelerator " + shown(a.id()), "interconnect domain id", a.interconnectDomain(),
                    "the inventory drops it and takes the accelerator as in no interconnect domain");
            assertTrue(ids.add(a.id()), "accelerator " + a.id() + " is in the snapshot twice");
            assertTrue(a.pciAddress() == null || PCI.matcher(a.pciAddress()).matches(),
                    "accelerator " + a.id() + " has PCI address " + a.pciAddress() + "; expected dddd:bb:dd.f");
        }
        for (Fabric f : snapshot.interconnects()) {
            assertShown("an interconnect", "id", f.id(), "the inventory leaves the interconnect out");
            assertShown("interconnect " + shown(f.id()), "site id", f.siteId(), "the inventory leaves the interconnect out");
            f.members().forEach(m -> assertShown("interconnect " + shown(f.id()), "member id", m,
                    "the inventory drops it from the interconnect's members"));
            assertTrue(ids.containsAll(f.members()), "interconnect " + f.id() + " has members that are not accelerators of the snapshot: "
                    + f.members());
        }
        for (DevicePath p : snapshot.paths()) {
            String path = "the device path from " + shown(p.from()) + " to " + shown(p.to());
            assertShown(path, "start", p.from(), "the inventory drops the path");
            assertShown(path, "end", p.to(), "the inventory drops the path");
            assertTrue(ids.contains(p.from()) || ids.contains(p.to()),
                    "device path " + p.from() + " -> " + p.to() + " joins no accelerator of the snapshot");
        }
        snapshot.warnings().forEach(w -> assertTrue(w != null && !w.isBlank(), "a blank warning"));
    }
}
