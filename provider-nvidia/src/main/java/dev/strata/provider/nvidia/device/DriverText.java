package dev.strata.provider.nvidia.device;

import java.util.regex.Pattern;

/**
 * Text that the driver printed or answered (a lost GPU's line, an error nvidia-smi printed, a
 * board's name, serial or VBIOS version as stored), made fit for a health reason, a log line and
 * the shell. Such text is the board's or the driver's, not Strata's: a terminal escape in it would
 * recolour or rewrite the operator's screen when the log or {@code strata:gpus} shows it, and a
 * Unicode bidirectional control would make it read differently from what it holds. Control and
 * format characters become a space, runs of white space one space, and the ends are stripped.
 */
public final class DriverText {

    private static final Pattern UNFIT = Pattern.compile("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]");
    private static final Pattern SPACES = Pattern.compile("\\s{2,}");

    private DriverText() {
    }

    /** The text with no control or format character, or null for null. */
    public static String clean(String text) {
        if (text == null) {
            return null;
        }
        return SPACES.matcher(UNFIT.matcher(text).replaceAll(" ")).replaceAll(" ").strip();
    }
}
