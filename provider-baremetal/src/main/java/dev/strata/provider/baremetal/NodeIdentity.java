package dev.strata.provider.baremetal;

import dev.strata.platform.api.model.MachineIdentity;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How one machine is recognised from in band (this host's {@code /sys}) and out of band (its
 * BMC): both report the SMBIOS system UUID under {@link #SYSTEM_UUID}, in the canonical lower-case
 * form, and the machine identity derived from it under {@link MachineIdentity#ATTRIBUTE}
 * ({@code dmi:<uuid>}, as {@link MachineIdentity#read} gives it in band); the BMC's node id
 * derives from it too ({@code bmc:<uuid>}).
 */
public final class NodeIdentity {

    /**
     * Node attribute holding the SMBIOS system UUID: {@code /sys/class/dmi/id/product_uuid} in
     * band, {@code ComputerSystem.UUID} (Redfish) or the system GUID (IPMI) out of band.
     */
    public static final String SYSTEM_UUID = "system.uuid";

    private static final Pattern CANONICAL = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern BARE_HEX = Pattern.compile("[0-9a-f]{32}");

    private NodeIdentity() {
    }

    /** Records a machine's system UUID (canonical form) and the machine identity derived from it. */
    public static void put(Map<String, String> attributes, String canonicalUuid) {
        attributes.put(SYSTEM_UUID, canonicalUuid);
        attributes.put(MachineIdentity.ATTRIBUTE, "dmi:" + canonicalUuid);
    }

    /**
     * The placeholder UUIDs firmware vendors ship on many boards, as {@link MachineIdentity#read}
     * skips them: one digit throughout (all zeros, all {@code f}, ...), and the one many boards of one
     * BIOS vendor carry. Taken as identities, every such board of a fleet was one node
     * ({@code bmc:03000200-...}), in band and through its BMC.
     */
    private static final java.util.Set<String> PLACEHOLDERS = java.util.Set.of("03000200-0400-0500-0006-000700080009");

    /**
     * The canonical form of a system UUID ({@code 8-4-4-4-12} lower-case hex), or null when the
     * text is not a UUID or is one of the placeholders firmware reports for "not set" (one digit
     * throughout, such as all zeros or all {@code f}, and {@code 03000200-0400-0500-0006-000700080009}),
     * as {@link MachineIdentity} skips them.
     */
    public static String normalizeUuid(String text) {
        if (text == null) {
            return null;
        }
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (BARE_HEX.matcher(s).matches()) {
            s = s.substring(0, 8) + "-" + s.substring(8, 12) + "-" + s.substring(12, 16) + "-" + s.substring(16, 20) + "-" + s.substring(20);
        }
        if (!CANONICAL.matcher(s).matches()) {
            return null;
        }
        String digits = s.replace("-", "");
        if (digits.chars().allMatch(c -> c == digits.charAt(0)) || PLACEHOLDERS.contains(s)) {
            return null;
        }
        return s;
    }
}
