package dev.npukit.check;

import java.util.Arrays;
import java.util.Random;

/** Random input data of the registry's cases. */
final class Inputs {
    private Inputs() {
    }

    static float[] gaussian(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** Values over many magnitudes, including subnormal-range and overflow-range ones for F16. */
    static float[] wide(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(13) - 8));
        }
        return a;
    }

    static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    static float[] toFloats(int[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = a[i];  // exact: indices and counts stay far below 2^24
        }
        return f;
    }

    /** Adapter indices in [-1, loras), row 0 always -1 (no adapter). */
    static int[] loraIndices(Random r, int batch, int loras) {
        int[] idx = new int[batch];
        for (int b = 0; b < batch; b++) {
            idx[b] = r.nextInt(3) == 0 ? -1 : r.nextInt(loras);
        }
        idx[0] = -1;
        return idx;
    }
}
