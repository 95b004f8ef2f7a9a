package dev.strata.platform.shell;

/** Messages for a missing platform service: one line, no stack trace. */
final class Services {

    private Services() {
    }

    /** The configuration each service is activated with, besides the state store's that most of them need. */
    private static final java.util.Map<String, String> CONFIGURATION = java.util.Map.of(
            "inventory", "dev.strata.platform.core.inventory",
            "provider registry", "dev.strata.platform.core.inventory",
            "placement service", "dev.strata.platform.core.placement",
            "deployment service", "dev.strata.platform.core.deployment",
            "provenance log", "dev.strata.platform.core.provenance",
            "verifier of commitments", "dev.strata.platform.core.commitment",
            "state store", "dev.strata.platform.core.store");

    static <T> T require(T service, String what) {
        if (service == null) {
            String pid = CONFIGURATION.get(what);
            String store = "dev.strata.platform.core.store";
            String where = pid == null ? "" : " (a rejected etc/" + pid + ".cfg" + (pid.equals(store) || what.equals("inventory")
                    || what.equals("provider registry") ? "" : ", or the etc/" + store + ".cfg it needs,") + " names the property there)";
            throw new IllegalStateException("the Strata " + what + " is not running; check 'scr:list' and data/log/karaf.log" + where);
        }
        return service;
    }
}
