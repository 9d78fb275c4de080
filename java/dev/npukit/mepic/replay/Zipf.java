package dev.npukit.mepic.replay;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Draws ranks in [0, n) with probability proportional to 1 / (rank + 1)^s, by inverting the cumulative sum. */
final class Zipf {
    private final double[] cumulative;

    Zipf(int n, double s) {
        if (n <= 0) {
            throw new IllegalArgumentException("n: must be > 0, got " + n);
        }
        if (!(s >= 0)) {
            throw new IllegalArgumentException("s: must be >= 0, got " + s);
        }
        cumulative = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1 / Math.pow(i + 1, s);
            cumulative[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cumulative[i] /= sum;
        }
    }

    int sample(SplittableRandom r) {
        int i = Arrays.binarySearch(cumulative, r.nextDouble());
        return Math.min(cumulative.length - 1, i >= 0 ? i : -i - 1);
    }
}
