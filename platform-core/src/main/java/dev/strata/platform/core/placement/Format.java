package dev.strata.platform.core.placement;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** How placement writes quantities in its reasons and evidence. */
final class Format {

    private Format() {
    }

    /**
     * GPUs in thousandths, written exactly ({@code 2}, {@code 1.5}, {@code 1.999}): placement counts in thousandths, and two
     * decimals wrote 1.999 free GPUs as 2.00 where a gang needing 2 did not fit.
     */
    static String gpuCount(long milli) {
        return java.math.BigDecimal.valueOf(milli, 3).stripTrailingZeros().toPlainString();
    }

    static String sorted(Set<String> values) {
        return new TreeSet<>(values).toString();
    }

    static String gbps(double gbps) {
        return (gbps == Math.rint(gbps) ? String.valueOf((long) gbps) : String.valueOf(gbps)) + " Gbit/s";
    }

    static String watts(double watts) {
        return watts >= 1000 ? oneDecimal(watts / 1000) + " kW" : Math.round(watts) + " W";
    }

    /**
     * Watts as {@link #watts} writes them, unless {@code other} would read the same that way: then
     * exactly, to the milliwatt, in W ({@code 421.875 W}), so that a refusal comparing the two (an
     * estimate over a ceiling) never reads {@code 422 W (estimate 422 W)}.
     */
    static String watts(double watts, double other) {
        String text = watts(watts);
        if (!text.equals(watts(other)) || !Double.isFinite(watts)) {
            return text;
        }
        return java.math.BigDecimal.valueOf(Math.round(watts * 1000), 3).stripTrailingZeros().toPlainString() + " W";
    }

    static String cpus(long milli) {
        if (milli == 1000) {
            return "1 CPU";
        }
        if (milli % 1000 == 0) {
            return milli / 1000 + " CPUs";
        }
        // one decimal, half up (what %.1f writes for these values, without the formatter's cost on every explanation)
        long tenths = milli >= 0 ? (milli + 50) / 100 : -((-milli + 50) / 100);
        return (tenths < 0 ? "-" : "") + Math.abs(tenths) / 10 + "." + Math.abs(tenths) % 10 + " CPUs";
    }

    /** "an RDMA fabric", or "an RDMA fabric of at least 400 Gbit/s". */
    static String rdma(double minGbps) {
        return "RDMA fabric" + (minGbps > 0 ? " of at least " + gbps(minGbps) : "");
    }

    static String bytes(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return v == Math.rint(v) ? (long) v + " " + units[u] : oneDecimal(v) + " " + units[u];
    }

    /**
     * A finite value with one decimal, rounded half up on its shortest decimal form: the text
     * {@code String.format(Locale.ROOT, "%.1f", v)} writes, without parsing a format on every call.
     */
    static String oneDecimal(double v) {
        if (!Double.isFinite(v)) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        String text = java.math.BigDecimal.valueOf(v).setScale(1, java.math.RoundingMode.HALF_UP).toPlainString();
        // a negative value that rounds to zero keeps its sign, as the formatter writes it
        return (v < 0 || 1 / v < 0) && text.equals("0.0") ? "-0.0" : text;
    }
}
