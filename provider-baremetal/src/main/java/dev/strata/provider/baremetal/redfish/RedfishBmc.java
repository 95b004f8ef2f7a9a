package dev.strata.provider.baremetal.redfish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.platform.api.exception.ProviderFailureException;
import dev.strata.platform.api.exception.StrataException;
import dev.strata.platform.api.model.Node;
import dev.strata.platform.api.provider.DiscoveryContext;
import dev.strata.provider.baremetal.bmc.Bmc;
import dev.strata.provider.baremetal.bmc.BmcProvisioner;
import dev.strata.provider.baremetal.bmc.BootTarget;
import dev.strata.provider.baremetal.bmc.NodeTemplate;
import dev.strata.provider.baremetal.bmc.PowerAction;
import dev.strata.provider.baremetal.bmc.PowerState;
import dev.strata.provider.baremetal.bmc.RequestNotApplied;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BMC spoken to through Redfish: inventory through {@link RedfishInventory}, power through
 * {@code ComputerSystem.Reset}, the boot source override through a PATCH of the system's
 * {@code Boot}, virtual media through the system's (or its manager's) CD/DVD device.
 */
public final class RedfishBmc implements Bmc {

    private static final Logger LOG = LoggerFactory.getLogger(RedfishBmc.class);

    private final RedfishClient client;
    /**
     * By system path, why the system's node was last warned of as UNAVAILABLE ({@link RedfishInventory}): kept from one
     * discovery to the next, so that a system that stays unreadable for the same reason is warned of once, not at every
     * discovery.
     */
    private final java.util.Map<String, String> unreadable = new java.util.concurrent.ConcurrentHashMap<>();

    public RedfishBmc(RedfishClient client) {
        this.client = client;
    }

    public RedfishClient client() {
        return client;
    }

    @Override
    public String name() {
        return client.endpoint().name();
    }

    @Override
    public String protocol() {
        return "redfish";
    }

    @Override
    public List<Node> discover(NodeTemplate template, DiscoveryContext context) {
        return new RedfishInventory(client, template, unreadable).nodes(context);
    }

    @Override
    public java.util.Map<String, String> systems(NodeTemplate template, DiscoveryContext context) {
        return new RedfishInventory(client, template, unreadable).systems(context);
    }

    @Override
    public PowerState powerState(String system, DiscoveryContext context) {
        return PowerState.fromRedfish(client.get(system, context).path("PowerState").asText(null));
    }

    @Override
    public PowerAction power(String system, PowerAction action, DiscoveryContext context) {
        String target;
        String type;
        try {
            JsonNode resource = client.get(system, context);
            if (action == PowerAction.FORCE_RESTART && PowerState.fromRedfish(resource.path("PowerState").asText(null)) == PowerState.OFF) {
                // a restart of a system that is off does nothing or is refused, depending on the BMC
                LOG.info("BMC {}: {} is off; powering it on instead of a restart", name(), system);
                action = PowerAction.ON;
            }
            JsonNode reset = resource.path("Actions").path("#ComputerSystem.Reset");
            target = reset.path("target").asText("");
            if (target.isBlank()) {
                target = trimSlash(system) + "/Actions/ComputerSystem.Reset";
            }
            type = resetType(action, allowedResetTypes(reset, context));
        } catch (StrataException e) {
            throw new RequestNotApplied(e); // nothing was asked of the BMC yet
        }
        ObjectNode body = RedfishClient.JSON.createObjectNode().put("ResetType", type);
        try {
            client.action(target, body, context);
            LOG.info("BMC {}: {} {} accepted", name(), type, system);
            return action;
        } catch (RequestNotApplied refused) {
            // Some BMCs refuse "On" for a system that is on (and "ForceOff" for one that is off).
            if (refused.failure() instanceof ProviderFailureException) {
                PowerState now;
                try {
                    now = powerState(system, context);
                } catch (StrataException e) {
                    refused.failure().addSuppressed(e);
                    throw refused;
                }
                if ((action == PowerAction.ON && now == PowerState.ON)
                        || ((action == PowerAction.FORCE_OFF || action == PowerAction.GRACEFUL_SHUTDOWN) && now == PowerState.OFF)) {
                    LOG.info("BMC {}: {} {} refused but the system is already {}", name(), type, system, now.label());
                    return action;
                }
            }
            throw refused;
        }
    }

    private List<String> allowedResetTypes(JsonNode reset, DiscoveryContext context) {
        List<String> allowed = new ArrayList<>();
        reset.path("ResetType@Redfish.AllowableValues").forEach(v -> allowed.add(v.asText()));
        String info = reset.path("@Redfish.ActionInfo").asText("");
        if (allowed.isEmpty() && !info.isBlank()) {
            client.find(info, context).ifPresent(ai -> {
                for (JsonNode parameter : ai.path("Parameters")) {
                    if ("ResetType".equals(parameter.path("Name").asText())) {
                        parameter.path("AllowableValues").forEach(v -> allowed.add(v.asText()));
                    }
                }
            });
        }
        return allowed;
    }

    /** The reset type for an action, among those the BMC allows (all, when it does not say). */
    static String resetType(PowerAction action, List<String> allowed) {
        String wanted = action.redfishResetType();
        if (allowed.isEmpty() || allowed.contains(wanted)) {
            return wanted;
        }
        List<String> fallbacks = switch (action) {
            case FORCE_RESTART -> List.of("PowerCycle", "GracefulRestart");
            case ON -> List.of("PushPowerButton");
            case FORCE_OFF -> List.of("GracefulShutdown");
            case GRACEFUL_SHUTDOWN -> List.of("PushPowerButton");
        };
        for (String f : fallbacks) {
            if (allowed.contains(f)) {
                return f;
            }
        }
        throw new ProviderFailureException("the BMC allows no reset type for " + action + "; it allows " + allowed);
    }

    @Override
    public void setBootOverride(String system, BootTarget target, boolean once, DiscoveryContext context) {
        JsonNode boot = client.get(system, context).path("Boot");
        List<String> allowed = new ArrayList<>();
        boot.path("BootSourceOverrideTarget@Redfish.AllowableValues").forEach(v -> allowed.add(v.asText()));
        if (!allowed.isEmpty() && !allowed.contains(target.redfish())) {
            throw new ProviderFailureException("BMC " + name() + ": " + system + " cannot boot from " + target.redfish()
                    + "; it allows " + allowed);
        }
        ObjectNode body = RedfishClient.JSON.createObjectNode();
        body.putObject("Boot").put("BootSourceOverrideTarget", target.redfish())
                .put("BootSourceOverrideEnabled", once ? "Once" : "Continuous");
        client.patch(system, body, context);
        LOG.info("BMC {}: {} boots from {} ({})", name(), system, target.redfish(), once ? "once" : "until cleared");
    }

    @Override
    public void clearBootOverride(String system, DiscoveryContext context) {
        ObjectNode body = RedfishClient.JSON.createObjectNode();
        body.putObject("Boot").put("BootSourceOverrideTarget", "None").put("BootSourceOverrideEnabled", "Disabled");
        client.patch(system, body, context);
        LOG.info("BMC {}: {} boot override cleared", name(), system);
    }

    @Override
    public BootTarget bootOverride(String system, DiscoveryContext context) {
        JsonNode boot = client.get(system, context).path("Boot");
        String enabled = boot.path("BootSourceOverrideEnabled").asText("Disabled");
        String target = boot.path("BootSourceOverrideTarget").asText("None");
        if (enabled.equalsIgnoreCase("Disabled")) {
            return null;
        }
        return switch (target.toLowerCase(Locale.ROOT)) {
            case "pxe" -> BootTarget.PXE;
            case "hdd" -> BootTarget.DISK;
            case "cd" -> BootTarget.CD;
            default -> null;
        };
    }

    @Override
    public void insertMedia(String system, String imageUrl, DiscoveryContext context) {
        JsonNode media = cdDevice(system, context);
        String path = media.path("@odata.id").asText();
        if (media.path("Inserted").asBoolean(false) && imageUrl.equals(media.path("Image").asText())) {
            LOG.info("BMC {}: {} already holds {}", name(), path, BmcProvisioner.withoutQuery(imageUrl));
            return;
        }
        String insert = media.path("Actions").path("#VirtualMedia.InsertMedia").path("target").asText("");
        ObjectNode body = RedfishClient.JSON.createObjectNode().put("Image", imageUrl).put("Inserted", true).put("WriteProtected", true);
        try {
            if (!insert.isBlank()) {
                client.post(insert, body, context);
            } else {
                client.patch(path, body, context);
            }
        } catch (StrataException e) {
            throw withoutImageQuery(e, imageUrl);
        }
        LOG.info("BMC {}: {} inserted into {}", name(), BmcProvisioner.withoutQuery(imageUrl), path);
    }

    /** A query shorter than this is not masked where it stands alone: it would garble ordinary words, and holds no token. */
    private static final int MIN_MASKED_QUERY = 8;

    /**
     * The BMC's refusal of an image with the image's query left out wherever the BMC's words quote
     * it (sushy-emulator and real BMCs say which URL they could not fetch, the whole URL or its path
     * and query): a signed URL's token would otherwise reach the exception, the operation's steps,
     * the provenance log and the log. The same exception with that message (its class, cause and
     * fields kept), without the original as its cause.
     */
    static StrataException withoutImageQuery(StrataException e, String imageUrl) {
        String message = e.getMessage();
        int question = imageUrl.indexOf('?');
        int hash = imageUrl.indexOf('#');
        int cut = question < 0 ? hash : hash < 0 ? question : Math.min(question, hash);
        if (message == null || cut < 0) {
            return e;
        }
        String query = imageUrl.substring(cut + 1);
        String masked = message.replace(imageUrl, BmcProvisioner.withoutQuery(imageUrl));
        if (!query.isEmpty()) {
            masked = masked.replace(imageUrl.charAt(cut) + query, " (query omitted)");
            if (query.length() >= MIN_MASKED_QUERY) {
                masked = masked.replace(query, "(query omitted)");
            }
        }
        if (masked.equals(message)) {
            return e;
        }
        return e.withMessage(masked);
    }

    @Override
    public void ejectMedia(String system, DiscoveryContext context) {
        Optional<JsonNode> found = findCdDevice(system, context);
        if (found.isEmpty() || !found.get().path("Inserted").asBoolean(false)) {
            return;
        }
        JsonNode media = found.get();
        String eject = media.path("Actions").path("#VirtualMedia.EjectMedia").path("target").asText("");
        if (!eject.isBlank()) {
            client.post(eject, RedfishClient.JSON.createObjectNode(), context);
        } else {
            ObjectNode body = RedfishClient.JSON.createObjectNode().put("Inserted", false);
            body.putNull("Image");
            client.patch(media.path("@odata.id").asText(), body, context);
        }
        LOG.info("BMC {}: media ejected from {}", name(), media.path("@odata.id").asText());
    }

    @Override
    public String insertedMedia(String system, DiscoveryContext context) {
        return findCdDevice(system, context)
                .filter(m -> m.path("Inserted").asBoolean(false))
                .map(m -> m.path("Image").asText(null))
                .filter(s -> s != null && !s.isBlank())
                .orElse(null);
    }

    private JsonNode cdDevice(String system, DiscoveryContext context) {
        return findCdDevice(system, context).orElseThrow(() -> new ProviderFailureException("BMC " + name() + ": " + system
                + " has no virtual CD/DVD device (neither the system nor its manager lists VirtualMedia with MediaTypes CD or DVD)"));
    }

    /** The virtual CD/DVD: the system's own VirtualMedia, or its manager's (older BMCs). */
    private Optional<JsonNode> findCdDevice(String system, DiscoveryContext context) {
        JsonNode resource = client.get(system, context);
        List<String> collections = new ArrayList<>();
        String own = RedfishInventory.link(resource.path("VirtualMedia"));
        if (own != null) {
            collections.add(own);
        }
        for (JsonNode manager : resource.path("Links").path("ManagedBy")) {
            String link = RedfishInventory.link(manager);
            if (link != null) {
                client.find(link, context).map(m -> RedfishInventory.link(m.path("VirtualMedia"))).ifPresent(collections::add);
            }
        }
        for (String collection : collections) {
            for (JsonNode media : client.members(collection, context)) {
                for (JsonNode type : media.path("MediaTypes")) {
                    String t = type.asText().toUpperCase(Locale.ROOT);
                    if (t.equals("CD") || t.equals("DVD")) {
                        return Optional.of(media);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static String trimSlash(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "RedfishBmc[" + name() + "]";
    }
}
