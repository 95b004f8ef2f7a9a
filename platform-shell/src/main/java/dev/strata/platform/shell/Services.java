package dev.strata.platform.shell;

/** Messages for a missing platform service: one line, no stack trace. */
final class Services {

    private Services() {
    }

    static <T> T require(T service, String what) {
        if (service == null) {
            throw new IllegalStateException("the Strata " + what + " is not running; check 'scr:list' and data/log/karaf.log "
                    + "(a rejected etc/dev.strata.platform.core.inventory.cfg names the property there)");
        }
        return service;
    }
}
