package dev.strata.provider.baremetal.bmc;

import dev.strata.provider.baremetal.NodeIdentity;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a BMC's nodes share: the provider, the site and power domain from the BMC's
 * configuration, and how node ids are made.
 *
 * <p>Node ids: {@code bmc:<system uuid>} when the BMC reports the system's SMBIOS UUID (the same
 * UUID the in-band reader finds in {@code /sys/class/dmi/id/product_uuid}), otherwise
 * {@code bmc:<bmc name>/<system id>}; a BMC that never answered is one placeholder node
 * {@code bmc:<bmc name>}.
 */
public record NodeTemplate(String providerId, String bmcName, String address, String protocol, String siteId, String powerDomainId) {

    /** Node attribute: the BMC's configured name. */
    public static final String BMC = "bmc.name";
    /** Node attribute: the BMC's address (scheme, host and port; never a credential). */
    public static final String ADDRESS = "bmc.address";
    /** Node attribute: {@code redfish} or {@code ipmi}. */
    public static final String PROTOCOL = "bmc.protocol";
    /** Node attribute: the system's reference on its BMC (a Redfish path, {@code 0} for IPMI). */
    public static final String SYSTEM = "bmc.system";
    /** Node attribute: the system's power state ({@code On}, {@code Off}, ...). */
    public static final String POWER_STATE = "bmc.powerState";
    /** Node attribute: why the BMC could not be read, on a node whose state is UNAVAILABLE. */
    public static final String ERROR = "bmc.error";

    public String nodeId(String uuid, String systemId) {
        String canonical = NodeIdentity.normalizeUuid(uuid);
        return canonical != null ? "bmc:" + canonical : "bmc:" + bmcName + "/" + systemId;
    }

    /** The placeholder id of a BMC whose systems are not known. */
    public String placeholderId() {
        return "bmc:" + bmcName;
    }

    /** The attributes every node of the BMC carries. */
    public Map<String, String> baseAttributes(String system) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put(BMC, bmcName);
        attributes.put(ADDRESS, address);
        attributes.put(PROTOCOL, protocol);
        if (system != null) {
            attributes.put(SYSTEM, system);
        }
        return attributes;
    }
}
