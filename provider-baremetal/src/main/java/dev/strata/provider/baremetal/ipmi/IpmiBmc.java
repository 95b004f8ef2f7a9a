package dev.strata.provider.baremetal.ipmi;

import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.model.NodeKind;
import dev.strata.platform.api.model.ResourceState;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.baremetal.NodeIdentity;
import dev.strata.provider.baremetal.bmc.Bmc;
import dev.strata.provider.baremetal.bmc.BootTarget;
import dev.strata.provider.baremetal.bmc.NodeTemplate;
import dev.strata.provider.baremetal.bmc.PowerAction;
import dev.strata.provider.baremetal.bmc.PowerState;
import dev.strata.provider.baremetal.bmc.RequestNotApplied;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BMC spoken to through IPMI ({@code ipmitool -I lanplus}): one system, its power, its boot
 * device and its system GUID. IPMI has no inventory worth the name and no virtual media: such a
 * node carries no hardware detail (the in-band view has it) and virtual media is refused.
 */
public final class IpmiBmc implements Bmc {

    private static final Logger LOG = LoggerFactory.getLogger(IpmiBmc.class);
    /** The one system an IPMI BMC manages. */
    public static final String SYSTEM = "0";
    private static final Pattern GUID = Pattern.compile("(?im)^\\s*System GUID\\s*:\\s*(\\S+)");
    private static final Pattern POWER = Pattern.compile("(?i)Chassis Power is (on|off)");
    private static final Pattern BOOT = Pattern.compile("(?im)^\\s*-\\s*Boot Device Selector\\s*:\\s*(.+)$");

    private final IpmiTool tool;

    public IpmiBmc(IpmiTool tool) {
        this.tool = tool;
    }

    @Override
    public String name() {
        return tool.target().name();
    }

    @Override
    public String protocol() {
        return "ipmi";
    }

    @Override
    public List<Node> discover(NodeTemplate template, DiscoveryContext context) {
        PowerState power = powerState(SYSTEM, context);
        String uuid = systemUuid(context);
        Map<String, String> attributes = template.baseAttributes(SYSTEM);
        attributes.put(NodeTemplate.POWER_STATE, power.label());
        if (uuid != null) {
            NodeIdentity.put(attributes, uuid);
        }
        Integer suite = tool.workingCipherSuite();
        if (suite != null) {
            attributes.put("ipmi.cipherSuite", suite.toString());
        }
        String id = template.nodeId(uuid, SYSTEM);
        return List.of(Node.builder().id(id).providerId(template.providerId()).siteId(template.siteId()).kind(NodeKind.BARE_METAL)
                .powerDomainId(template.powerDomainId()).traits(Set.of("bmc-managed")).state(ResourceState.AVAILABLE)
                .attributes(attributes).build());
    }

    /**
     * The system GUID decoded as SMBIOS does (the byte order of {@code dmidecode} and
     * {@code /sys/class/dmi/id/product_uuid}), so that it matches the in-band view; ipmitool
     * versions without that decoding give their default one.
     */
    private String systemUuid(DiscoveryContext context) {
        for (String[] args : List.of(new String[] {"mc", "guid", "smbios"}, new String[] {"mc", "guid"})) {
            try {
                Matcher m = GUID.matcher(tool.run(context, args).stdout());
                if (m.find()) {
                    return NodeIdentity.normalizeUuid(m.group(1));
                }
            } catch (ProviderFailureException e) {
                LOG.debug("BMC {}: ipmitool {} gave no system GUID ({})", name(), String.join(" ", args), e.getMessage());
            }
        }
        return null;
    }

    @Override
    public PowerState powerState(String system, DiscoveryContext context) {
        String out = tool.run(context, "chassis", "power", "status").stdout();
        Matcher m = POWER.matcher(out);
        if (!m.find()) {
            throw IpmiErrors.unexpected(tool.target(), "chassis power status", out);
        }
        return m.group(1).equalsIgnoreCase("on") ? PowerState.ON : PowerState.OFF;
    }

    @Override
    public PowerAction power(String system, PowerAction action, DiscoveryContext context) {
        if (action == PowerAction.FORCE_RESTART) {
            PowerState now;
            try {
                now = powerState(system, context);
            } catch (StrataException e) {
                throw new RequestNotApplied(e); // nothing was asked of the BMC yet
            }
            if (now == PowerState.OFF) {
                // "chassis power cycle" of a chassis that is off does nothing or is refused (IPMI 2.0, Chassis Control)
                LOG.info("BMC {}: the chassis is off; powering it on instead of a power cycle", name());
                action = PowerAction.ON;
            }
        }
        String verb = switch (action) {
            case ON -> "on";
            case FORCE_OFF -> "off";
            case GRACEFUL_SHUTDOWN -> "soft";
            case FORCE_RESTART -> "cycle";
        };
        tool.runAction(context, "chassis", "power", verb);
        LOG.info("BMC {}: chassis power {} accepted", name(), verb);
        return action;
    }

    @Override
    public void setBootOverride(String system, BootTarget target, boolean once, DiscoveryContext context) {
        if (once) {
            tool.run(context, "chassis", "bootdev", target.ipmi());
        } else {
            tool.run(context, "chassis", "bootdev", target.ipmi(), "options=persistent");
        }
        LOG.info("BMC {}: boots from {} ({})", name(), target.ipmi(), once ? "once" : "until cleared");
    }

    @Override
    public void clearBootOverride(String system, DiscoveryContext context) {
        tool.run(context, "chassis", "bootdev", "none");
        LOG.info("BMC {}: boot override cleared", name());
    }

    @Override
    public BootTarget bootOverride(String system, DiscoveryContext context) {
        String out = tool.run(context, "chassis", "bootparam", "get", "5").stdout();
        Matcher m = BOOT.matcher(out);
        if (!m.find()) {
            return null;
        }
        String selector = m.group(1).toLowerCase(Locale.ROOT);
        if (selector.contains("pxe")) {
            return BootTarget.PXE;
        }
        if (selector.contains("hard-drive") || selector.contains("hard drive") || selector.contains("disk")) {
            return BootTarget.DISK;
        }
        if (selector.contains("cd") || selector.contains("dvd")) {
            return BootTarget.CD;
        }
        return null;
    }

    @Override
    public void insertMedia(String system, String imageUrl, DiscoveryContext context) {
        throw noVirtualMedia();
    }

    @Override
    public void ejectMedia(String system, DiscoveryContext context) {
        // nothing can be inserted through IPMI, so there is nothing to eject
    }

    @Override
    public String insertedMedia(String system, DiscoveryContext context) {
        return null;
    }

    private ProviderFailureException noVirtualMedia() {
        return new ProviderFailureException("BMC " + name() + " (" + tool.target().address()
                + ") speaks IPMI, which has no virtual media; boot it from the network (bootDevice = pxe) or configure it with protocol = redfish");
    }

    @Override
    public void close() {
        // ipmitool holds no session between commands
    }

    @Override
    public String toString() {
        return "IpmiBmc[" + name() + "]";
    }
}
