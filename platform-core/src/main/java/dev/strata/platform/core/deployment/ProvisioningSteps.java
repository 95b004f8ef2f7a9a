package dev.strata.platform.core.deployment;

import dev.strata.platform.api.provisioning.MachineStatus;
import dev.strata.platform.audit.LogRecord;
import dev.strata.platform.core.provenance.ProviderText;
import dev.strata.platform.core.store.AuditFilter;
import dev.strata.platform.core.store.DeploymentRecord;
import dev.strata.platform.core.store.StateStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the steps a provider reports on a machine ({@link MachineStatus#STEPS}: boot override
 * set, powered on, ...) into the provenance log of the machine's deployment, one record of kind
 * {@value #KIND} per step, each exactly once.
 *
 * <p>Exactly once across restarts: the steps already recorded for a deployment are read back
 * from the provenance log the first time a status of that deployment carries steps, and a step
 * is remembered only after its record is durable. A crash between the two leaves the record
 * written and not remembered; the next engine reads it back and does not write it again.
 */
final class ProvisioningSteps {

    static final String KIND = "provisioning-step";
    /** At most this many steps are taken from one status, and each line is cut to this many characters. */
    static final int MAX_STEPS = 64;
    static final int MAX_LINE = 512;
    private static final int READ_BACK_LIMIT = 100_000;
    private static final Logger LOG = LoggerFactory.getLogger(ProvisioningSteps.class);

    private final StateStore store;
    /** Per deployment: "operation step-line" of every step recorded. */
    private final Map<String, Set<String>> recorded = new ConcurrentHashMap<>();
    /** Operations whose steps were cut at {@link #MAX_STEPS} (told once). */
    private final Set<String> truncated = ConcurrentHashMap.newKeySet();

    ProvisioningSteps(StateStore store) {
        this.store = store;
    }

    /**
     * Records the steps of {@code status} not yet recorded for deployment {@code d}.
     *
     * @param member the member the machine is for
     * @param providerId its provider
     * @param fallbackNode the node when the status names none (as stored: shown printable here)
     */
    void record(DeploymentRecord d, String member, String providerId, String fallbackNode, MachineStatus status) {
        List<String> steps = status.steps();
        if (steps.isEmpty()) {
            return;
        }
        String operation = DeploymentEngine.shown(status.operationId() != null ? status.operationId() : status.handle().machineId());
        // the member's node as stored (the provider's text, kept as written) where the status names none: shown printable too
        String node = DeploymentEngine.shown(status.nodeId() != null ? status.nodeId() : fallbackNode);
        Set<String> known = recorded.computeIfAbsent(d.id(), this::readBack);
        synchronized (known) {
            int n = 0;
            for (String line : steps) {
                if (++n > MAX_STEPS) {
                    if (truncated.add(operation)) {
                        LOG.warn("Deployment {}: provider {} reported more than {} steps for operation {}; the rest are not recorded", d.id(),
                                providerId, MAX_STEPS, operation);
                    }
                    break;
                }
                String clean = ProviderText.clean(line);
                String step = clean.length() > MAX_LINE ? clean.substring(0, MAX_LINE) : clean;
                String key = operation + " " + step;
                if (known.contains(key)) {
                    continue;
                }
                DeploymentEngine.join(store.provenance().append(DeploymentEngine.entry(KIND, DeploymentEngine.SYSTEM, d,
                        payload(member, providerId, operation, node, DeploymentEngine.shown(status.handle().machineId()), step), "provider",
                        providerId, "node", node, "member", member, "operation", operation)));
                known.add(key);
            }
        }
    }

    /** Forgets a deployment (deleted: no more steps come). */
    void forget(String deploymentId) {
        recorded.remove(deploymentId);
    }

    static Map<String, Object> payload(String member, String providerId, String operation, String node, String machine, String step) {
        // "<instant> <name>[ <detail>]"; a line of another form is kept whole as the step
        String[] parts = step.split(" ", 3);
        boolean timed = parts.length >= 2 && looksLikeInstant(parts[0]);
        String name = timed ? parts[1] : step;
        String detail = timed && parts.length == 3 ? parts[2] : null;
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("summary", member + ": " + name + (detail == null ? "" : " " + detail) + " on " + (node == null ? machine : "node " + node)
                + " (provider " + providerId + ", operation " + operation + ")");
        p.put("member", member);
        p.put("provider", providerId);
        p.put("operation", operation);
        p.put("machine", machine);
        p.put("node", node);
        p.put("step", name);
        p.put("detail", detail);
        p.put("at", timed ? parts[0] : null);
        p.put("line", step);
        return p;
    }

    private static boolean looksLikeInstant(String s) {
        try {
            java.time.Instant.parse(s);
            return true;
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    private Set<String> readBack(String deploymentId) {
        Set<String> known = ConcurrentHashMap.newKeySet();
        for (LogRecord r : store.provenance().find(new AuditFilter(null, null, null, deploymentId, KIND, null, null, READ_BACK_LIMIT, false))) {
            Object operation = r.payload().get("operation");
            Object line = r.payload().get("line");
            if (operation != null && line != null) {
                known.add(operation + " " + line);
            }
        }
        return known;
    }
}
