package dev.strata.provider.nvidia.device;

import dev.strata.platform.api.model.Health;
import dev.strata.platform.api.model.MachineIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ids of NVIDIA GPUs, the same through NVML and nvidia-smi.
 *
 * <p>A GPU's id is its UUID as NVIDIA prints it ({@code GPU-5bbcfe84-3fb3-862e-7650-f3b57e501444}).
 * A GPU whose UUID cannot be read (NVML answers {@code nvmlDeviceGetUUID} with an error or with
 * text that is not a {@code GPU-} UUID; nvidia-smi prints N/A, an error or nothing) has no identity
 * of its own. It is still reported, so that one such GPU does not hide the others of its host, as
 * {@code nvidia-no-uuid:<host>/<pci address>}: {@code <host>} is the host's
 * {@linkplain MachineIdentity machine identity} ({@code dmi:<uuid>} or {@code machine-id:<id>}), or
 * {@code host:<host name>} where it has none, so that the id differs from every other host's; the
 * PCI address ({@code 0000:3b:00.0}) tells it apart on its host and stays the same while the card
 * stays in its slot. Where the PCI address is unknown too, {@code index-<n>} (its NVML or nvidia-smi
 * index) takes its place. The prefix can never begin a UUID, so the id never collides with one.
 * Its health is {@link Health.Status#FAILED}, with a reason that names its index and PCI address:
 * placement never uses it.
 *
 * <p>So is a GPU that a source cannot read in full (NVML cannot reach it; nvidia-smi shows no
 * product name): it is reported FAILED with a reason naming it ({@link #named}) and what the source
 * answered, under its UUID where it has one, else under the id above; a model the source cannot
 * give is {@value #UNKNOWN_MODEL}, a memory size it cannot give 0.
 */
public final class GpuIds {

    /** How the id of a GPU without UUID begins. */
    public static final String WITHOUT_UUID = "nvidia-no-uuid:";
    /** The model of a GPU whose name the source cannot give (the model is never empty). */
    public static final String UNKNOWN_MODEL = "unknown";
    private static final String UUID_PREFIX = "GPU-";

    private GpuIds() {
    }

    /**
     * The UUID in what a source printed, or null when there is none: absent, blank, N/A, an error
     * text, anything that is not {@code GPU-} followed by more.
     */
    public static String uuidOrNull(String printed) {
        if (printed == null) {
            return null;
        }
        String uuid = printed.strip();
        return uuid.length() > UUID_PREFIX.length() && uuid.startsWith(UUID_PREFIX) && uuid.chars().noneMatch(Character::isWhitespace)
                ? uuid : null;
    }

    /**
     * The id of a GPU: its UUID, or where it has none the id made of host and PCI address.
     *
     * @param host the host, as {@link #host(Path)} names it
     * @param uuid the GPU's UUID, or null
     * @param pciAddress the normalised PCI address, or null
     * @param index the GPU's NVML or nvidia-smi index
     */
    public static String of(String host, String uuid, String pciAddress, int index) {
        if (uuid != null) {
            return uuid;
        }
        return WITHOUT_UUID + host + "/" + (pciAddress != null ? pciAddress : "index-" + index);
    }

    /** Whether an id is one made for a GPU without UUID. */
    public static boolean isWithoutUuid(String id) {
        return id != null && id.startsWith(WITHOUT_UUID);
    }

    /**
     * The health of a GPU without UUID: FAILED, the missing UUID first, then whatever else its
     * facts showed.
     *
     * @param index the GPU's NVML or nvidia-smi index
     * @param pciAddress its PCI address, or null
     * @param why what the source answered instead of a UUID
     * @param found the health its other facts add up to
     */
    public static Health withoutUuid(int index, String pciAddress, String why, Health found) {
        return failed(List.of(named(index, pciAddress) + " has no UUID (" + why + ")"), found);
    }

    /**
     * A GPU as the reasons of its health name it: {@code GPU 3 at PCI 0000:13:00.0}, or
     * {@code GPU 3 at PCI unknown}.
     *
     * @param index the GPU's NVML or nvidia-smi index
     * @param pciAddress its PCI address, or null
     */
    public static String named(int index, String pciAddress) {
        return "GPU " + index + " at PCI " + (pciAddress == null ? "unknown" : pciAddress);
    }

    /**
     * The health of a GPU that a source cannot read in full: FAILED, these reasons first, then
     * whatever else its facts showed.
     */
    public static Health failed(List<String> reasons, Health found) {
        List<String> all = new ArrayList<>(reasons);
        all.addAll(found.reasons());
        return new Health(Health.Status.FAILED, all);
    }

    /**
     * The host part of the ids of GPUs without UUID: the machine identity of the machine whose
     * {@code /sys} and {@code /etc} are below {@code root}, else {@code host:} and its host name.
     */
    public static String host(Path root) {
        return MachineIdentity.read(root).orElseGet(() -> "host:" + hostname(root));
    }

    /** The host name in {@code <root>/proc/sys/kernel/hostname}, else {@code $HOSTNAME}, else {@code localhost}. */
    public static String hostname(Path root) {
        try {
            String name = Files.readString(root.resolve("proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // not readable: the environment's name
        }
        String env = System.getenv("HOSTNAME");
        return env == null || env.isBlank() ? "localhost" : env.strip();
    }
}
