package dev.strata.provider.aws;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a region's quota of an instance type is shared among the zones that offer it.
 *
 * <p>An EC2 quota is per region, but placement decides per zone (an offer is a shape in a zone,
 * with launch slots up to its limit), and a gang that needs EFA must stay in one zone. Telling
 * every zone's offer the whole regional quota would let placement book it once per zone. So each
 * zone's offer gets a share, and the shares add up to what the region has: a zone's slots are the
 * instances this installation already launched there (their slots are held by its ledger and must stay) plus
 * an even part of what is left of the quota once other instances and Strata's own are counted,
 * the remainder going to the zones in name order. A zone is therefore never promised more than
 * the region can launch; the price is that one zone cannot take the whole regional quota (a
 * regional rule {@code REGION/TYPE=N} is still the region's total).
 */
final class QuotaShares {

    private QuotaShares() {
    }

    /**
     * @param quota the region's quota of the type
     * @param zones the zones that offer the type, in name order
     * @param strataHeld per zone, the active instances of the type that this installation launched there
     * @param others active instances of the type in the region that this installation did not launch: those Strata did not
     *     launch at all, and those of another Strata installation sharing the account
     * @return per zone (in the given order), how many launch slots its offer has
     */
    static Map<String, Integer> slots(int quota, List<String> zones, Map<String, Integer> strataHeld, int others) {
        long held = 0;
        for (String z : zones) {
            held += strataHeld.getOrDefault(z, 0);
        }
        long left = Math.max(0, (long) quota - others - held);
        Map<String, Integer> out = new LinkedHashMap<>();
        int n = zones.size();
        for (int i = 0; i < n; i++) {
            String z = zones.get(i);
            long share = n == 0 ? 0 : left / n + (i < left % n ? 1 : 0);
            out.put(z, (int) Math.min(Integer.MAX_VALUE, strataHeld.getOrDefault(z, 0) + share));
        }
        return out;
    }
}
