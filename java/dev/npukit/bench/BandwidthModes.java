package dev.npukit.bench;

import dev.npukit.util.Check;
import java.util.Arrays;
import java.util.List;

/**
 * Splits read-bandwidth samples into the memory's modes. On the cloud VMs measured, a large buffer
 * reads either at the usual rate or, for some allocations (at times all of a process's), at 1.6 to
 * 1.8 times that rate (the fast mode, docs/benchmarks.md), while neighbouring reads of one mode,
 * sorted, lie far less than 1.25 times apart. So the samples, sorted, split at their widest gap
 * when that gap is a factor of at least {@link #MIN_GAP} and leaves at least {@code minCount}
 * samples on each side: below it the slow mode, above it the fast one. Anything else is one mode.
 */
public final class BandwidthModes {
    /** The smallest ratio between neighbouring sorted samples that separates two modes. */
    public static final double MIN_GAP = 1.25;

    private BandwidthModes() {
    }

    /**
     * One mode: its name ({@code single}, or {@code slow} and {@code fast}), the median, smallest
     * and largest of its samples, and how many there are.
     *
     * @param name {@code single}, {@code slow} or {@code fast}
     * @param medianGbPerS the median of the mode's samples
     * @param minGbPerS the smallest sample
     * @param maxGbPerS the largest sample
     * @param count how many samples the mode holds
     */
    public record Mode(String name, double medianGbPerS, double minGbPerS, double maxGbPerS, int count) {
        /**
         * Whether a rate lies within the mode's range of samples.
         *
         * @param gbPerS a rate in GB/s
         * @return true when minGbPerS &lt;= gbPerS &lt;= maxGbPerS
         */
        public boolean contains(double gbPerS) {
            return gbPerS >= minGbPerS && gbPerS <= maxGbPerS;
        }
    }

    /**
     * The modes of the samples: one ({@code single}), or two ({@code slow}, then {@code fast}).
     *
     * @param gbPerS the samples, in any order; at least one, each positive
     * @param minCount the fewest samples a mode may hold (1 or more): 2 keeps a single disturbed read
     *     from counting as a mode
     * @return one or two modes, slowest first
     * @throws IllegalArgumentException if there are no samples, a sample is not positive, or
     *     minCount is below 1
     */
    public static List<Mode> of(double[] gbPerS, int minCount) {
        Check.arg(gbPerS.length >= 1, "gbPerS", "is empty, needs at least one sample");
        Check.arg(minCount >= 1, "minCount", "is %d, must be at least 1", minCount);
        double[] v = gbPerS.clone();
        Arrays.sort(v);
        for (double x : v) {
            Check.arg(x > 0 && Double.isFinite(x), "gbPerS", "has %s, every sample must be positive and finite", x);
        }
        int split = -1;  // first index of the fast mode
        double widest = MIN_GAP;
        for (int i = minCount; i + minCount <= v.length; i++) {
            double gap = v[i] / v[i - 1];
            if (gap >= widest) {
                widest = gap;
                split = i;
            }
        }
        if (split < 0) {
            return List.of(mode("single", v));
        }
        return List.of(mode("slow", Arrays.copyOfRange(v, 0, split)), mode("fast", Arrays.copyOfRange(v, split,
                v.length)));
    }

    private static Mode mode(String name, double[] sorted) {
        return new Mode(name, Quantile.median(sorted), sorted[0], sorted[sorted.length - 1], sorted.length);
    }
}
