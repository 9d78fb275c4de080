package dev.npukit.check;

import java.util.Arrays;
import dev.npukit.kernels.KvLayout;
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

    /** The absolute values of {@code a}, in a new array. */
    static float[] abs(float[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Math.abs(a[i]);
        }
        return out;
    }

    /** Values over many magnitudes, including subnormal-range and overflow-range ones for F16. */
    static float[] wide(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(13) - 8));
        }
        return a;
    }

    /**
     * A cache given in the NHD order [numBlocks, blockSize, numKvHeads, headDim], reordered to
     * {@code layout}: the same values at the same (block, slot, head), so a case in either layout
     * computes the same outputs.
     */
    static float[] inLayout(float[] nhd, KvLayout layout, int numBlocks, int blockSize, int numKvHeads, int headDim) {
        if (layout == KvLayout.NHD) {
            return nhd;
        }
        float[] out = new float[nhd.length];
        for (int b = 0; b < numBlocks; b++) {
            for (int j = 0; j < blockSize; j++) {
                for (int h = 0; h < numKvHeads; h++) {
                    System.arraycopy(nhd, (int) KvLayout.NHD.offset(b, j, h, blockSize, numKvHeads, headDim), out,
                            (int) layout.offset(b, j, h, blockSize, numKvHeads, headDim), headDim);
                }
            }
        }
        return out;
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
