package dev.strata.provider.baremetal.bmc;

import java.util.Locale;

/** A system's power as its BMC reports it. */
public enum PowerState {
    ON, OFF, POWERING_ON, POWERING_OFF, UNKNOWN;

    /** Redfish {@code PowerState} values ({@code On}, {@code Off}, {@code PoweringOn}, ...); anything else is UNKNOWN. */
    public static PowerState fromRedfish(String value) {
        if (value == null) {
            return UNKNOWN;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "on" -> ON;
            case "off" -> OFF;
            case "poweringon" -> POWERING_ON;
            case "poweringoff" -> POWERING_OFF;
            default -> UNKNOWN;
        };
    }

    /** The word used in node attributes and messages ({@code On}, {@code Off}, ...). */
    public String label() {
        return switch (this) {
            case ON -> "On";
            case OFF -> "Off";
            case POWERING_ON -> "PoweringOn";
            case POWERING_OFF -> "PoweringOff";
            case UNKNOWN -> "Unknown";
        };
    }
}
