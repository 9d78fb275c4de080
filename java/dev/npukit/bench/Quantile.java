package dev.npukit.bench;

import java.util.Arrays;

/** Quantiles of benchmark samples: the one definition every bench figure uses. */
public final class Quantile {
    private Quantile() {
    }

    /**
     * The p-quantile of values (0 <= p <= 1), interpolating linearly between the sorted values at
     * position p * (n - 1): the median of an even count is the mean of the middle two.
     *
     * @param values the samples, in any order (left unchanged); at least one
     * @param p the quantile, 0.5 for the median
     * @return the quantile
     */
    public static double of(double[] values, double p) {
        double[] v = values.clone();
        Arrays.sort(v);
        double at = p * (v.length - 1);
        int lo = (int) Math.floor(at);
        int hi = Math.min(v.length - 1, lo + 1);
        return v[lo] + (at - lo) * (v[hi] - v[lo]);
    }

    /**
     * The median of values.
     *
     * @param values the samples, in any order (left unchanged); at least one
     * @return {@code of(values, 0.5)}
     */
    public static double median(double[] values) {
        return of(values, 0.5);
    }
}
