package dev.strata.platform.core.contract;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.platform.api.contract.DeploymentTerms;
import dev.strata.platform.api.contract.OnMachineLoss;
import dev.strata.platform.api.contract.Violation;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The deployment parts of a contract document: the {@code deployment} clause
 * ({@code onMachineLoss}, {@code parameters}) and a member's {@code provisioning} parameters.
 * Parameters go to providers as they are, and are stored with the deployment and in the
 * provenance log, so nothing that looks like a credential is accepted (credentials belong to a
 * provider's configuration, never to a contract) and its value is never echoed.
 */
final class DeploymentClauses {

    static final Set<String> FIELDS = Set.of("onMachineLoss", "parameters");
    static final int MAX_PARAMETERS = 64;
    static final int MAX_VALUE_LENGTH = 2048;
    private static final Pattern KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");
    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i).*(password|passwd|passphrase|secret|token|credential|api[_.-]?key|access[_.-]?key|private[_.-]?key|auth[_.-]?key"
                    + "|signing[_.-]?key|bearer).*");
    private static final Pattern URL_WITH_USER = Pattern.compile("(?i)^[a-z][a-z0-9+.-]*://[^/?#\\s]*@.*");

    private DeploymentClauses() {
    }

    /** The {@code deployment} clause; {@link DeploymentTerms#DEFAULT} when absent. */
    static DeploymentTerms terms(JsonNode node, List<Violation> violations) {
        if (node == null || node.isNull()) {
            return DeploymentTerms.DEFAULT;
        }
        if (!node.isObject()) {
            violations.add(new Violation("deployment", text(node), "a mapping with onMachineLoss and parameters"));
            return DeploymentTerms.DEFAULT;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                violations.add(new Violation("deployment." + field, text(node.get(field)), "one of the fields " + String.join(", ", new TreeSet<>(FIELDS))));
            }
        }
        OnMachineLoss onLoss = DeploymentTerms.DEFAULT.onMachineLoss();
        JsonNode loss = node.get("onMachineLoss");
        if (loss != null && !loss.isNull()) {
            switch (loss.isTextual() ? loss.asText() : "") {
                case "replace" -> onLoss = OnMachineLoss.REPLACE;
                case "degrade" -> onLoss = OnMachineLoss.DEGRADE;
                default -> violations.add(new Violation("deployment.onMachineLoss", text(loss),
                        "replace (make a new machine when one disappears) or degrade (mark the deployment degraded)"));
            }
        }
        return new DeploymentTerms(onLoss, parameters(node.get("parameters"), "deployment.parameters", violations));
    }

    /**
     * Provisioning parameters: a mapping of names to plain values (text, numbers, true/false), each
     * the text it was written with (the reader puts numbers and true/false back as written first).
     */
    static Map<String, String> parameters(JsonNode node, String path, List<Violation> violations) {
        Map<String, String> out = new TreeMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            violations.add(new Violation(path, text(node), "a mapping of parameter names to values, such as {image: ami-0abc, bootDevice: pxe}"));
            return out;
        }
        if (node.size() > MAX_PARAMETERS) {
            violations.add(new Violation(path, node.size() + " parameters", "at most " + MAX_PARAMETERS + " parameters"));
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            String at = path + "." + key;
            if (SECRET_KEY.matcher(key).matches()) {
                violations.add(new Violation(at, "(not shown)", "a parameter that is not a credential: credentials are configured on "
                        + "the provider (its configuration or secret file), never written in a contract"));
                continue;
            }
            if (!KEY.matcher(key).matches()) {
                violations.add(new Violation(path, key, "parameter names of letters, digits, '.', '_' and '-', starting with a letter, "
                        + "at most 64 characters"));
                continue;
            }
            if (value == null || value.isNull() || !value.isValueNode()) {
                violations.add(new Violation(at, value == null || value.isNull() ? null : text(value), "a plain value: text, a number or true/false"));
                continue;
            }
            String v = value.asText();
            if (URL_WITH_USER.matcher(v.strip()).matches()) {
                violations.add(new Violation(at, "(a URL with a user or password, not shown)",
                        "a URL without user or password: credentials are never written in a contract"));
                continue;
            }
            // a line break of any kind (NEL, U+2028), an escape or a direction override would reach log lines as it is; a tab is kept
            String untabbed = v.replace('\t', ' ');
            if (v.length() > MAX_VALUE_LENGTH || !dev.strata.platform.audit.Verification.printable(untabbed).equals(untabbed)) {
                // not shown: a value of several lines is most often a key or a certificate
                long lines = v.chars().filter(c -> c == '\n').count() + 1;
                violations.add(new Violation(at, "(" + v.length() + " characters" + (lines > 1 ? " on " + lines + " lines" : "") + ", not shown)",
                        "one line of at most " + MAX_VALUE_LENGTH + " characters, without control or format characters"));
                continue;
            }
            out.put(key, v);
        }
        return out;
    }

    private static String text(JsonNode value) {
        return value.isValueNode() ? value.asText() : value.toString();
    }

    /** For messages: a parameter key in lower case. */
    static String lower(String key) {
        return key.toLowerCase(Locale.ROOT);
    }
}
