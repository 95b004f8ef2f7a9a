package dev.strata.provider.baremetal.bmc;

import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provider.DiscoveryContext;
import java.util.List;

/**
 * One baseboard management controller, spoken to through Redfish or IPMI. A BMC manages one
 * system or several (a blade chassis); each is addressed by the {@code system} reference its
 * nodes carry in the {@link NodeTemplate#SYSTEM} attribute.
 *
 * <p>Every call is bounded by the context's deadline and throws only Strata's portable
 * exceptions. Implementations are thread-safe.
 */
public interface Bmc extends AutoCloseable {

    /** The BMC's configured name. */
    String name();

    /** The protocol, {@code redfish} or {@code ipmi}. */
    String protocol();

    /** Every system the BMC manages, as a node each. */
    List<Node> discover(NodeTemplate template, DiscoveryContext context);

    /**
     * The node ids of the BMC's systems and each system's reference, read without the inventory
     * detail (for provisioning a node that no discovery has reported yet).
     */
    default java.util.Map<String, String> systems(NodeTemplate template, DiscoveryContext context) {
        java.util.Map<String, String> systems = new java.util.LinkedHashMap<>();
        for (Node n : discover(template, context)) {
            systems.put(n.id(), n.attributes().get(NodeTemplate.SYSTEM));
        }
        return systems;
    }

    /** The system's power now. */
    PowerState powerState(String system, DiscoveryContext context);

    /**
     * Asks for a power change and returns once the BMC accepted it (the change lands later). The
     * request is sent at most once: it is repeated within the call only while it surely has not
     * reached the BMC (a reset that arrived twice would cut short the boot the first one began).
     * A {@link PowerAction#FORCE_RESTART} of a system that reads off is sent as {@link PowerAction#ON}:
     * a power cycle of a machine that is off does nothing or is refused (IPMI recommends both), and
     * whoever asks for it wants the machine to come up.
     *
     * @return the action sent: {@code action}, or {@link PowerAction#ON} for a restart of a system that was off
     * @throws RequestNotApplied where the request surely took no effect (see there)
     * @throws dev.strata.platform.api.exception.StrataException where the BMC may have acted on it
     */
    PowerAction power(String system, PowerAction action, DiscoveryContext context);

    /** Sets where the system boots from: on the next boot only ({@code once}) or until cleared. */
    void setBootOverride(String system, BootTarget target, boolean once, DiscoveryContext context);

    /** Removes the boot source override, so the system boots as its firmware is configured. */
    void clearBootOverride(String system, DiscoveryContext context);

    /** The boot source override in force, or null when none. */
    BootTarget bootOverride(String system, DiscoveryContext context);

    /** Inserts a virtual CD/DVD image (an http(s) URL the BMC fetches itself). */
    void insertMedia(String system, String imageUrl, DiscoveryContext context);

    /** Ejects the virtual CD/DVD, if one is inserted. */
    void ejectMedia(String system, DiscoveryContext context);

    /** The image in the virtual CD/DVD, or null when none is inserted. */
    String insertedMedia(String system, DiscoveryContext context);

    /** Releases what the BMC holds for Strata (a Redfish session). Never throws. */
    @Override
    void close();
}
