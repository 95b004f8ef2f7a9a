package dev.strata.benchmarks.openb;

import dev.strata.platform.core.placement.packing.Demand;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * An upper bound on the GPU allocation that an offline repacking of one replay's placed pods could
 * reach, crediting the room it would free with the pods the replay refused. It answers whether an
 * online policy could still gain on a replay's end state: no packing of the same pods, in any order,
 * allocates more than this bound.
 *
 * <p><b>The problem bounded.</b> {@code G} GPUs of {@value Demand#WHOLE_GPU} milli-GPU each; every
 * placed pod must be packed, any subset of the refused pods may be added; the allocation is the
 * packed milli-GPU. A pod of {@code k} whole GPUs counts as {@code k} items of 1000 milli-GPU, a share
 * of one GPU as one item of its {@code gpuMilli}; CPU-only pods count nothing. The bound drops every
 * other constraint of the cluster: nodes (a multi-GPU pod may take GPUs of different nodes), GPU
 * models, CPU and memory. Each dropped constraint can only let more pods in, so an upper bound of this
 * relaxed problem is one of the replay's own.
 *
 * <p><b>The bound.</b> Take a price {@code y(s) >= 0} for each item size {@code s} present such that
 * every set of items that fits one GPU (sizes summing to at most 1000) has prices summing to at most
 * 1000: a dual feasible function restricted to the sizes present, the dual of the cutting-stock LP.
 * Every packing of a set {@code S} of items on {@code G} GPUs then has {@code y(S) <= 1000 G}: sum the
 * condition over the GPUs. With {@code P} the placed items and {@code Q} the refused ones, a packing
 * that holds {@code P} and {@code T} of {@code Q} has {@code y(T) <= B = 1000 G - y(P)}, so its
 * allocation is at most {@code s(P) + max{ s(T) : T of Q, y(T) <= B }}, and at most that knapsack's
 * fractional optimum (refused items taken by decreasing {@code s / y}, items priced 0 first, the last
 * one in part, rounded up). The bound is the smallest of these over the prices tried, and never more
 * than {@code 1000 G} or {@code s(P) + s(Q)}.
 *
 * <p><b>The prices tried.</b> Sizes as they are ({@code y(s) = s}: the capacity); for each threshold
 * {@code e} (one above each size below 500, and 500) the dual feasible function of Fekete and
 * Schepers, {@code y(s) = 0} below {@code e}, {@code s} from {@code e} to {@code 1000 - e}, 1000 above
 * (with {@code e} = 191 each 810-milli-GPU pod costs a whole GPU, beside which only the pods of 190 or
 * less, priced 0, fit); and the optimum of the cutting-stock LP's dual for the objective
 * {@code y(P) + theta y(Q)}, {@code theta} in {@link #SHARES} ({@link #dualPrices}: {@code theta = 0}
 * is the LP bound on the GPUs the placed pods need); and the optimum of the LP that chooses the prices
 * for the bound itself, refused pods credited at the ratio {@code 1 / mu}, {@code mu} in
 * {@link #CREDIT_RATIOS} ({@link #jointPrices}: with the refused whole-GPU pods taking the room left,
 * {@code mu = 1} is the best). Each is also tried lifted: size
 * by size (the placed volume's largest first; smallest first; largest first), its price raised as far
 * as the condition allows, so that 470-milli pods, two to a GPU with 60 left that only a 50 fills, cost
 * 500. Soundness does not rest on how the prices were found: before a price list is used the condition
 * is checked exactly (an unbounded knapsack over the sizes present, capacity 1000) and the prices
 * scaled down where it fails. Prices are integers in units of 1/{@value #SCALE} milli-GPU, so the check
 * is exact.
 *
 * <p>It is a bound, not an optimum: the LPs are solved in floating point on a grid of {@code mu}, the
 * fractional knapsack lets a refused pod in in part, and the relaxation ignores nodes, models, CPU and
 * memory (on openb the refused pods include shares of 220 to 650 milli-GPU, which it may count in),
 * so the true ceiling may lie below it.
 * {@code OpenbCeilingTest} checks it against an exhaustive search on small random clusters.
 */
public final class OpenbCeiling {

    /** Price units per milli-GPU: 840 = lcm(1..8), so that lifts by small multiplicities stay exact. */
    static final long SCALE = 840;
    /** The weights {@code theta} of the refused pods in the LP's objective {@code y(P) + theta y(Q)}: each gives a bound, the least is kept. */
    static final double[] SHARES = {0, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 4};
    /** The values of {@code mu} tried in {@link #jointPrices}: 1 is a refused whole GPU's milli-GPU per unit of its price. */
    static final double[] CREDIT_RATIOS = {0.8, 1, 1.25, 1.5, 2};
    private static final int WHOLE = Demand.WHOLE_GPU;
    private static final long FULL = WHOLE * SCALE;

    /**
     * One replay's outcome and its ceiling, in milli-GPU.
     *
     * @param capacityMilli the cluster's milli-GPU ({@code 1000 G})
     * @param placedMilli the placed pods' milli-GPU: the replay's allocation
     * @param refusedMilli the refused pods' milli-GPU
     * @param boundMilli the upper bound on what a repacking of the placed pods with any of the refused allocates
     */
    public record Ceiling(long capacityMilli, long placedMilli, long refusedMilli, long boundMilli) {
        /** The replay's allocation, % of capacity. */
        public double allocationPercent() {
            return 100.0 * placedMilli / capacityMilli;
        }

        /** The ceiling, % of capacity. */
        public double boundPercent() {
            return 100.0 * boundMilli / capacityMilli;
        }
    }

    private OpenbCeiling() {
    }

    /**
     * The ceiling of a replay's end state.
     *
     * @param gpus the cluster's GPUs
     * @param placed the pods the policy placed
     * @param refused the pods it refused
     * @throws IllegalArgumentException for a MIG partition (its share depends on the GPU it lands on) or a
     *     negative GPU count
     * @throws IllegalStateException when the placed pods exceed the cluster (they cannot have been placed)
     */
    public static Ceiling of(long gpus, Collection<Demand> placed, Collection<Demand> refused) {
        if (gpus < 0) {
            throw new IllegalArgumentException("gpus is " + gpus + "; expected a GPU count >= 0");
        }
        long[] p = counts(placed, "placed");
        long[] q = counts(refused, "refused");
        return new Ceiling(gpus * WHOLE, volume(p), volume(q), bound(gpus, p, q));
    }

    /** Items per size (index 1..1000): a pod of k whole GPUs is k items of 1000. */
    private static long[] counts(Collection<Demand> pods, String which) {
        long[] c = new long[WHOLE + 1];
        for (Demand d : pods) {
            if (d.partitioned()) {
                throw new IllegalArgumentException("a " + which + " pod is the MIG partition " + d.partition()
                        + "; expected whole GPUs or a share of one GPU (a partition's share depends on its GPU)");
            }
            if (d.gpuCount() > 0) {
                c[d.gpuMilli()] += d.gpuCount();
            }
        }
        return c;
    }

    private static long volume(long[] counts) {
        long v = 0;
        for (int s = 1; s <= WHOLE; s++) {
            v += s * counts[s];
        }
        return v;
    }

    /**
     * The bound (class Javadoc) for {@code placed[s]} and {@code refused[s]} items of {@code s}
     * milli-GPU (index 1..1000) on {@code gpus} GPUs, in milli-GPU.
     */
    static long bound(long gpus, long[] placed, long[] refused) {
        List<Integer> sizes = new ArrayList<>();
        for (int s = 1; s <= WHOLE; s++) {
            if (placed[s] + refused[s] > 0) {
                sizes.add(s);
            }
        }
        int[] t = sizes.stream().mapToInt(Integer::intValue).toArray();
        long best = Math.min(gpus * WHOLE, volume(placed) + volume(refused));
        List<long[]> bases = new ArrayList<>();
        long[] identity = new long[t.length];
        for (int i = 0; i < t.length; i++) {
            identity[i] = t[i] * SCALE;
        }
        bases.add(identity);
        List<Integer> thresholds = new ArrayList<>();
        for (int s : t) {
            if (s < WHOLE / 2) {
                thresholds.add(s + 1);
            }
        }
        thresholds.add(WHOLE / 2);
        for (int e : thresholds) {
            long[] y = new long[t.length];
            for (int i = 0; i < t.length; i++) {
                y[i] = t[i] < e ? 0 : t[i] > WHOLE - e ? FULL : t[i] * SCALE;
            }
            bases.add(y);
        }
        for (double share : SHARES) {
            double[] c = new double[t.length];
            for (int i = 0; i < t.length; i++) {
                c[i] = placed[t[i]] + share * refused[t[i]];
            }
            double[] lp = dualPrices(t, c);
            long[] y = new long[t.length];
            for (int i = 0; i < t.length; i++) {
                y[i] = (long) Math.floor(lp[i] * SCALE);
            }
            bases.add(y);
        }
        for (double mu : CREDIT_RATIOS) {
            double[] lp = jointPrices(t, placed, refused, mu);
            long[] y = new long[t.length];
            for (int i = 0; i < t.length; i++) {
                y[i] = (long) Math.floor(lp[i] * SCALE);
            }
            bases.add(y);
        }
        for (int[] order : orders(t, placed)) {
            for (long[] base : bases) {
                long[] y = valid(t, base.clone());
                best = Math.min(best, credit(gpus, t, y, placed, refused));
                lift(t, y, order);
                best = Math.min(best, credit(gpus, t, valid(t, y), placed, refused));
            }
        }
        return best;
    }

    /**
     * Prices that maximise {@code sum c_i y_i} over the dual of the cutting-stock LP: {@code y >= 0}
     * and every set of items that fits one GPU priced at most 1000. Rows (the sets of items) are added
     * as the knapsack finds one priced above 1000, and the LP solved again by the simplex method, in
     * floating point: the result is only a candidate, which {@link #valid} checks exactly.
     */
    static double[] dualPrices(int[] t, double[] c) {
        int n = t.length;
        List<int[]> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] row = new int[n];
            row[i] = WHOLE / t[i];
            rows.add(row);
        }
        double[] y = new double[n];
        for (int round = 0; round < 2_000; round++) {
            y = simplex(rows, c, n);
            // the set of items that fits one GPU with the highest price
            double[] k = new double[WHOLE + 1];
            int[] last = new int[WHOLE + 1];
            java.util.Arrays.fill(last, -1);
            for (int cap = 1; cap <= WHOLE; cap++) {
                k[cap] = k[cap - 1];
                last[cap] = -2;
                for (int i = 0; i < n; i++) {
                    if (t[i] <= cap && k[cap - t[i]] + y[i] > k[cap]) {
                        k[cap] = k[cap - t[i]] + y[i];
                        last[cap] = i;
                    }
                }
            }
            if (k[WHOLE] <= WHOLE * (1 + 1e-9)) {
                return y;
            }
            int[] row = new int[n];
            for (int cap = WHOLE; cap > 0;) {
                if (last[cap] == -2) {
                    cap--;
                } else {
                    row[last[cap]]++;
                    cap -= t[last[cap]];
                }
            }
            rows.add(row);
        }
        return y;
    }

    /**
     * Prices that minimise the bound itself for refused pods credited at about {@code mu} milli-GPU per
     * unit of price: the optimum of the LP that maximises {@code sum p_i y_i + q_i min(y_i, mu s_i)}
     * ({@code p}, {@code q} the placed and refused items of size {@code s_i}) over the same prices, with
     * {@code y = u + v}, {@code u <= mu s} (the fractional knapsack's dual, for the credit ratio
     * {@code 1 / mu}). A candidate like {@link #dualPrices}'s, checked by {@link #valid} before use.
     */
    static double[] jointPrices(int[] t, long[] placed, long[] refused, double mu) {
        int n = t.length;
        double[] c = new double[2 * n];
        for (int i = 0; i < n; i++) {
            c[i] = placed[t[i]] + refused[t[i]];
            c[n + i] = placed[t[i]];
        }
        List<double[]> rows = new ArrayList<>();
        List<Double> b = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] cap = new double[2 * n];
            cap[i] = 1;
            rows.add(cap);
            b.add(mu * t[i]);
            double[] alone = new double[2 * n];
            alone[i] = WHOLE / t[i];
            alone[n + i] = WHOLE / t[i];
            rows.add(alone);
            b.add((double) WHOLE);
        }
        double[] y = new double[n];
        for (int round = 0; round < 2_000; round++) {
            double[] uv = simplex(rows, b.stream().mapToDouble(Double::doubleValue).toArray(), c);
            for (int i = 0; i < n; i++) {
                y[i] = uv[i] + uv[n + i];
            }
            int[] pattern = mostPricedSet(t, y);
            if (pattern == null) {
                return y;
            }
            double[] row = new double[2 * n];
            for (int i = 0; i < n; i++) {
                row[i] = pattern[i];
                row[n + i] = pattern[i];
            }
            rows.add(row);
            b.add((double) WHOLE);
        }
        return y;
    }

    /** The set of items that fits one GPU with the highest price, as counts per size, or null when none is priced above 1000. */
    private static int[] mostPricedSet(int[] t, double[] y) {
        int n = t.length;
        double[] k = new double[WHOLE + 1];
        int[] last = new int[WHOLE + 1];
        for (int cap = 1; cap <= WHOLE; cap++) {
            k[cap] = k[cap - 1];
            last[cap] = -1;
            for (int i = 0; i < n; i++) {
                if (t[i] <= cap && k[cap - t[i]] + y[i] > k[cap]) {
                    k[cap] = k[cap - t[i]] + y[i];
                    last[cap] = i;
                }
            }
        }
        if (k[WHOLE] <= WHOLE * (1 + 1e-9)) {
            return null;
        }
        int[] row = new int[n];
        for (int cap = WHOLE; cap > 0;) {
            if (last[cap] < 0) {
                cap--;
            } else {
                row[last[cap]]++;
                cap -= t[last[cap]];
            }
        }
        return row;
    }

    /** Maximises {@code c y} subject to {@code row y <= 1000} for every row and {@code y >= 0}. */
    private static double[] simplex(List<int[]> rows, double[] c, int n) {
        List<double[]> a = new ArrayList<>();
        double[] b = new double[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            a.add(java.util.Arrays.stream(rows.get(r)).asDoubleStream().toArray());
            b[r] = WHOLE;
        }
        return simplex(a, b, c);
    }

    /** Maximises {@code c y} subject to {@code rows[r] y <= b[r]} ({@code b >= 0}) and {@code y >= 0}: a dense tableau, Bland's rule. */
    private static double[] simplex(List<double[]> rows, double[] b, double[] c) {
        int n = c.length;
        int m = rows.size();
        int width = n + m + 1;
        double[][] a = new double[m + 1][width];
        int[] basis = new int[m];
        for (int r = 0; r < m; r++) {
            for (int j = 0; j < n; j++) {
                a[r][j] = rows.get(r)[j];
            }
            a[r][n + r] = 1;
            a[r][width - 1] = b[r];
            basis[r] = n + r;
        }
        for (int j = 0; j < n; j++) {
            a[m][j] = -c[j];
        }
        final double eps = 1e-9;
        for (int iteration = 0; iteration < 100_000; iteration++) {
            int enter = -1;
            for (int j = 0; j < width - 1; j++) {
                if (a[m][j] < -eps) {
                    enter = j;
                    break;
                }
            }
            if (enter < 0) {
                break;
            }
            int leave = -1;
            double ratio = Double.POSITIVE_INFINITY;
            for (int r = 0; r < m; r++) {
                if (a[r][enter] > eps) {
                    double q = a[r][width - 1] / a[r][enter];
                    if (q < ratio - eps || (Math.abs(q - ratio) <= eps && basis[r] < basis[leave])) {
                        ratio = q;
                        leave = r;
                    }
                }
            }
            if (leave < 0) {
                break; // unbounded cannot happen: every size has its own row
            }
            double pivot = a[leave][enter];
            for (int j = 0; j < width; j++) {
                a[leave][j] /= pivot;
            }
            for (int r = 0; r <= m; r++) {
                if (r != leave && a[r][enter] != 0) {
                    double f = a[r][enter];
                    for (int j = 0; j < width; j++) {
                        a[r][j] -= f * a[leave][j];
                    }
                }
            }
            basis[leave] = enter;
        }
        double[] y = new double[n];
        for (int r = 0; r < m; r++) {
            if (basis[r] < n) {
                y[basis[r]] = Math.max(0, a[r][width - 1]);
            }
        }
        return y;
    }

    /** The orders in which sizes are lifted: the placed volume's largest first; smallest first; largest first. */
    private static List<int[]> orders(int[] t, long[] placed) {
        Integer[] byVolume = new Integer[t.length];
        for (int i = 0; i < t.length; i++) {
            byVolume[i] = i;
        }
        java.util.Arrays.sort(byVolume, (a, b) -> Long.compare(placed[t[b]] * t[b], placed[t[a]] * t[a]));
        int[] volume = new int[t.length];
        int[] up = new int[t.length];
        int[] down = new int[t.length];
        for (int i = 0; i < t.length; i++) {
            volume[i] = byVolume[i];
            up[i] = i;
            down[i] = t.length - 1 - i;
        }
        return List.of(volume, up, down);
    }

    /**
     * The most a set of items of the sizes {@code t} (index {@code skip} left out, -1 for none) fitting
     * in {@code c} milli-GPU is priced, for every {@code c} in 0..1000: an unbounded knapsack.
     */
    private static long[] knapsack(int[] t, long[] y, int skip) {
        long[] k = new long[WHOLE + 1];
        for (int c = 1; c <= WHOLE; c++) {
            long v = k[c - 1];
            for (int i = 0; i < t.length; i++) {
                if (i != skip && t[i] <= c) {
                    v = Math.max(v, k[c - t[i]] + y[i]);
                }
            }
            k[c] = v;
        }
        return k;
    }

    /** The prices, scaled down (rounding down) until no set of items that fits one GPU is priced above a GPU. */
    static long[] valid(int[] t, long[] y) {
        long most = knapsack(t, y, -1)[WHOLE];
        if (most > FULL) {
            for (int i = 0; i < y.length; i++) {
                y[i] = y[i] * FULL / most;
            }
        }
        if (knapsack(t, y, -1)[WHOLE] > FULL) {
            throw new IllegalStateException("prices still above a GPU after scaling: " + java.util.Arrays.toString(y));
        }
        return y;
    }

    /**
     * Raises each size's price, in the given order, to the most that keeps every set of items that fits
     * one GPU priced at a GPU or less: with {@code m} items of size {@code s} and the best of the others
     * in the rest, {@code m y(s) + K(1000 - m s) <= 1000}.
     */
    private static void lift(int[] t, long[] y, int[] order) {
        for (int i : order) {
            long[] others = knapsack(t, y, i);
            long most = Long.MAX_VALUE;
            for (int m = 1; (long) m * t[i] <= WHOLE; m++) {
                most = Math.min(most, (FULL - others[WHOLE - m * t[i]]) / m);
            }
            y[i] = Math.max(y[i], most);
        }
    }

    /** {@code s(P)} plus the fractional knapsack of the refused items in the budget {@code 1000 G - y(P)}, rounded up. */
    private static long credit(long gpus, int[] t, long[] y, long[] placed, long[] refused) {
        long budget = gpus * FULL;
        long total = 0;
        for (int i = 0; i < t.length; i++) {
            budget -= placed[t[i]] * y[i];
            total += placed[t[i]] * t[i];
        }
        if (budget < 0) {
            throw new IllegalStateException("the placed pods are priced above the cluster's " + gpus + " GPUs; they cannot have been placed on it");
        }
        Integer[] byRatio = new Integer[t.length];
        for (int i = 0; i < t.length; i++) {
            byRatio[i] = i;
        }
        // s_a / y_a descending, price 0 first: compare s_a y_b with s_b y_a
        java.util.Arrays.sort(byRatio, (a, b) -> Long.compare((long) t[b] * y[a], (long) t[a] * y[b]));
        for (int i : byRatio) {
            long n = refused[t[i]];
            if (n == 0) {
                continue;
            }
            if (y[i] == 0 || n * y[i] <= budget) {
                total += n * t[i];
                budget -= n * y[i];
            } else {
                // part of one size: (budget / y) items, rounded up
                total += (t[i] * budget + y[i] - 1) / y[i];
                break;
            }
        }
        return Math.min(total, gpus * WHOLE);
    }
}
