package dev.strata.provider.baremetal;

/**
 * The order in which the provider lists what a machine names with numbers (Redfish processors,
 * network interfaces): runs of digits compare by their value, so {@code eth2} comes before
 * {@code eth10}.
 */
public final class NaturalOrder {

    private NaturalOrder() {
    }

    /**
     * Orders names such as {@code Proc 2} and {@code Proc 10}, or {@code CPU1} and {@code CPU10}, by
     * the numbers in them: runs of digits compare as numbers, everything else as text. Names equal
     * that way ({@code CPU01}, {@code CPU1}) fall back to their text, so the order is total.
     * Network interfaces ({@code eth2}, {@code eth10}) are ordered the same way.
     */
    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (isDigit(ca) && isDigit(cb)) {
                int startA = i;
                int startB = j;
                while (startA < a.length() - 1 && a.charAt(startA) == '0' && isDigit(a.charAt(startA + 1))) {
                    startA++;
                }
                while (startB < b.length() - 1 && b.charAt(startB) == '0' && isDigit(b.charAt(startB + 1))) {
                    startB++;
                }
                i = startA;
                j = startB;
                while (i < a.length() && isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && isDigit(b.charAt(j))) {
                    j++;
                }
                int byLength = Integer.compare(i - startA, j - startB);
                if (byLength != 0) {
                    return byLength;
                }
                int byDigits = a.substring(startA, i).compareTo(b.substring(startB, j));
                if (byDigits != 0) {
                    return byDigits;
                }
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        int byRest = Integer.compare(a.length() - i, b.length() - j);
        return byRest != 0 ? byRest : a.compareTo(b);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
