package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.check.KernelCheck;

import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The definition of docs/kernels.md, BGMV, on a hand-worked batch on every backend, the reference
 * included: shrink then expand adds the LoRA delta into the slice at the offset of the adapter
 * rows, and a row with index -1 gets zeros from shrink and is left untouched by expand. Then a
 * batch where most rows share one adapter, more than one work item serves (the ascend expand
 * splits such a group by rows), against the sum worked in Java. Then expand of random shapes and
 * dtypes against the sum in double, within the BGMV bound.
 */
class BgmvSemanticsTest {
    static List<String> backends() {
        return AvailableBackends.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void shrinkThenExpandIsTheLoraDelta(String name) {
        Backend be = Backends.get(name);
        // x = [1, 2], A0 = [[1, 0], [0, 1]] (identity, rank 2), scale 0.5 -> v = [0.5, 1];
        // W0 = [[1, 1], [2, 0], [0, 3]] -> delta = [1.5, 1, 3] added at offset 1 of a row of 5.
        try (Tensor x = be.fromFloats(DType.F32, new float[] {1, 2, 1, 2}, 2, 2);
                Tensor a = be.fromFloats(DType.BF16, new float[] {1, 0, 0, 1}, 1, 2, 2);
                Tensor idx = be.fromInts(new int[] {0, -1}, 2);
                Tensor v = be.fromFloats(DType.F32, new float[] {9, 9, 9, 9}, 2, 2);
                Tensor w = be.fromFloats(DType.F16, new float[] {1, 1, 2, 0, 0, 3}, 1, 3, 2);
                Tensor y = be.fromFloats(DType.F32, new float[] {10, 10, 10, 10, 10, 10, 10, 10, 10, 10}, 2, 5)) {
            be.bgmvShrink(new BgmvShrinkArgs(x, a, idx, v, 0.5f));
            assertArrayEquals(new float[] {0.5f, 1, 0, 0}, v.toFloatArray());
            be.bgmvExpand(new BgmvExpandArgs(v, w, idx, y, 1));
            assertArrayEquals(new float[] {10, 11.5f, 11, 13, 10, 10, 10, 10, 10, 10}, y.toFloatArray());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void expandOfManyRowsSharingAnAdapter(String name) {
        Backend be = Backends.get(name);
        // 203 rows: 150 on adapter 0, 40 on adapter 2, the rest without an adapter; rank 13, 1000
        // outputs at offset 7 of rows of 1010. Small integers, so every sum is exact in F32.
        int batch = 203, rank = 13, hOut = 1000, row = 1010, offset = 7, loras = 3;
        Random r = new Random(5);
        int[] idx = new int[batch];
        for (int b = 0; b < batch; b++) {
            idx[b] = b % 4 == 3 ? 2 : b % 16 == 5 || b >= 200 ? -1 : 0;
        }
        float[] v = new float[batch * rank];
        float[] w = new float[loras * hOut * rank];
        float[] y = new float[batch * row];
        for (int i = 0; i < v.length; i++) v[i] = r.nextInt(9) - 4;
        for (int i = 0; i < w.length; i++) w[i] = r.nextInt(7) - 3;
        for (int i = 0; i < y.length; i++) y[i] = r.nextInt(101) - 50;
        float[] want = y.clone();
        for (int b = 0; b < batch; b++) {
            if (idx[b] < 0) continue;
            for (int n = 0; n < hOut; n++) {
                float sum = 0;
                for (int k = 0; k < rank; k++) sum += w[(idx[b] * hOut + n) * rank + k] * v[b * rank + k];
                want[b * row + offset + n] += sum;
            }
        }
        try (Tensor vt = be.fromFloats(DType.F32, v, batch, rank);
                Tensor wt = be.fromFloats(DType.BF16, w, loras, hOut, rank);
                Tensor it = be.fromInts(idx, batch);
                Tensor yt = be.fromFloats(DType.F32, y, batch, row)) {
            be.bgmvExpand(new BgmvExpandArgs(vt, wt, it, yt, offset));
            assertArrayEquals(want, yt.toFloatArray());
        }
    }

    /**
     * Expand of random values on shapes the tilings find awkward: outputs and ranks that are not
     * multiples of 16, groups of one row, one adapter on more rows than a cube group (64), rows
     * without an adapter (left untouched, bit for bit, as is y outside the slice), outputs longer
     * than a cube tile; with the dtypes the ascend cube takes (v and W alike, W F32, a BF16 W with a
     * wider v as two parts) and one it leaves to the vector kernel (an F16 W with an F32 v). Against
     * the sum in double: 1e-5 with every tensor F32, else 2e-3, after one unit of y's dtype.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void expandOfRandomShapesWithinTheBound(String name) {
        Backend be = Backends.get(name);
        Random r = new Random(23);
        DType[][] dtypes = {  // v, W, y
            {DType.F32, DType.F32, DType.F32}, {DType.F16, DType.F16, DType.F16}, {DType.BF16, DType.BF16, DType.BF16},
            {DType.F32, DType.BF16, DType.BF16}, {DType.F16, DType.BF16, DType.F32}, {DType.BF16, DType.F32, DType.F16},
            {DType.F32, DType.F16, DType.F16}};
        int[][] shapes = {  // batch, adapters (0: each row its own), rank, hOut, extra columns of y
            {1, 1, 5, 33, 0}, {6, 0, 13, 1001, 3}, {70, 1, 16, 700, 0}, {23, 4, 40, 2500, 9}, {9, 3, 3, 4097, 1},
            {40, 7, 64, 1500, 2}, {5, 2, 100, 333, 5}};
        for (int s = 0; s < shapes.length; s++) {
            for (int d = 0; d < dtypes.length; d += 2) {
                DType[] dt = dtypes[(s + d) % dtypes.length];
                expandCase(be, r, shapes[s], dt[0], dt[1], dt[2]);
            }
        }
    }

    private static void expandCase(Backend be, Random r, int[] shape, DType vType, DType wType, DType yType) {
        int batch = shape[0], rank = shape[2], hOut = shape[3], row = hOut + shape[4], offset = shape[4] / 2;
        int loras = shape[1] == 0 ? batch : shape[1];
        int[] idx = new int[batch];
        for (int b = 0; b < batch; b++) idx[b] = shape[1] == 0 ? (b == 4 ? -1 : b) : r.nextInt(loras + 1) - 1;
        idx[0] = loras - 1;
        float[] v = gaussian(r, batch * rank);
        float[] w = gaussian(r, loras * hOut * rank);
        try (Tensor vt = be.fromFloats(vType, v, batch, rank);
                Tensor wt = be.fromFloats(wType, w, loras, hOut, rank);
                Tensor it = be.fromInts(idx, batch);
                Tensor yt = be.fromFloats(yType, gaussian(r, batch * row), batch, row)) {
            // The values as stored in their dtypes.
            float[] vs = vt.toFloatArray(), ws = wt.toFloatArray(), y0 = yt.toFloatArray();
            float[] want = y0.clone();
            for (int b = 0; b < batch; b++) {
                if (idx[b] < 0) continue;
                for (int n = 0; n < hOut; n++) {
                    double sum = y0[b * row + offset + n];
                    for (int k = 0; k < rank; k++) sum += (double) ws[(idx[b] * hOut + n) * rank + k] * vs[b * rank + k];
                    want[b * row + offset + n] = (float) sum;
                }
            }
            be.bgmvExpand(new BgmvExpandArgs(vt, wt, it, yt, offset));
            float[] got = yt.toFloatArray();
            String what = String.format("B=%d adapters=%d rank=%d hOut=%d v=%s W=%s y=%s", batch, loras, rank, hOut,
                    vType, wType, yType);
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < row; j++) {
                    if (idx[b] < 0 || j < offset || j >= offset + hOut) {
                        assertEquals(Float.floatToIntBits(y0[b * row + j]), Float.floatToIntBits(got[b * row + j]),
                                what + ": row " + b + " column " + j + " untouched");
                    }
                }
            }
            boolean allF32 = vType == DType.F32 && wType == DType.F32 && yType == DType.F32;
            double err = KernelCheck.relativeError(got, want, yType);
            assertTrue(err <= (allF32 ? 1e-5 : 2e-3), what + ": relative error " + err);
        }
    }

    private static float[] gaussian(Random r, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) r.nextGaussian();
        return out;
    }
}
