package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/kernels.md: BGMV, equality between backends: BGMV shrink and expand on every backend against the reference within the
 * documented bound, with adapter index -1 rows (zero for shrink, untouched for expand, exactly),
 * sizes that are not multiples of the vector width, and expand into a slice at an offset.
 */
class BgmvEqualityTest {
    private static final DType[] TYPES = {DType.F32, DType.F16, DType.BF16};

    static List<String> backends() {
        return AvailableBackends.underTest();
    }

    private static float[] gaussian(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    private static int[] indices(Random r, int batch, int loras) {
        int[] idx = new int[batch];
        for (int b = 0; b < batch; b++) {
            idx[b] = r.nextInt(3) == 0 ? -1 : r.nextInt(loras);
        }
        idx[0] = -1;
        return idx;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void shrinkMatchesReference(String name) {
        Backend backend = Backends.get(name);
        Backend reference = Backends.get(ReferenceBackend.NAME);
        Random r = new Random(31);
        int[] hIns = {1, 7, 64, 100, 1000, 4096};
        int[] ranks = {1, 8, 16, 13, 64};
        for (int c = 0; c < 30; c++) {
            DType wType = TYPES[c % 3];
            DType xType = TYPES[r.nextInt(3)];
            int hIn = hIns[r.nextInt(hIns.length)];
            int rank = ranks[r.nextInt(ranks.length)];
            int loras = 1 + r.nextInt(5);
            int batch = c % 5 == 0 ? 1 : 1 + r.nextInt(20);
            float scale = 0.25f + r.nextFloat();
            float[] x = gaussian(r, batch * hIn);
            float[] a = gaussian(r, loras * rank * hIn);
            int[] idx = indices(r, batch, loras);
            float[] expected = null;
            for (Backend be : new Backend[] {reference, backend}) {
                try (Tensor xt = be.fromFloats(xType, x, batch, hIn);
                        Tensor at = be.fromFloats(wType, a, loras, rank, hIn);
                        Tensor it = be.fromInts(idx, batch);
                        Tensor yt = be.fromFloats(DType.F32, filled(batch * rank, 99f), batch, rank)) {
                    be.bgmvShrink(new BgmvShrinkArgs(xt, at, it, yt, scale));
                    float[] y = yt.toFloatArray();
                    for (int b = 0; b < batch; b++) {
                        for (int j = 0; j < rank && idx[b] < 0; j++) {
                            assertEquals(0f, y[b * rank + j], "row " + b + " has no adapter: zeros");
                        }
                    }
                    if (expected == null) {
                        expected = y;
                    } else {
                        double err = Equality.relativeError(y, expected);
                        DType loosest = wType == DType.F32 && xType == DType.F32 ? DType.F32 : DType.F16;
                        assertTrue(err <= Equality.bound(loosest), "case " + c + " " + wType + "/" + xType + " hIn="
                                + hIn + " r=" + rank + ": relative error " + err);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void expandMatchesReference(String name) {
        Backend backend = Backends.get(name);
        Backend reference = Backends.get(ReferenceBackend.NAME);
        Random r = new Random(32);
        int[] hOuts = {1, 9, 128, 1000, 4096};
        int[] ranks = {1, 8, 16, 13, 64};
        for (int c = 0; c < 30; c++) {
            DType wType = TYPES[c % 3];
            DType yType = TYPES[(c / 3) % 3];
            int hOut = hOuts[r.nextInt(hOuts.length)];
            int rank = ranks[r.nextInt(ranks.length)];
            int loras = 1 + r.nextInt(5);
            int batch = c % 5 == 0 ? 1 : 1 + r.nextInt(20);
            int offset = r.nextInt(40);
            int yRow = offset + hOut + r.nextInt(30);
            float[] v = gaussian(r, batch * rank);
            float[] w = gaussian(r, loras * hOut * rank);
            float[] y0 = gaussian(r, batch * yRow);
            int[] idx = indices(r, batch, loras);
            float[] expected = null;
            for (Backend be : new Backend[] {reference, backend}) {
                try (Tensor vt = be.fromFloats(DType.F32, v, batch, rank);
                        Tensor wt = be.fromFloats(wType, w, loras, hOut, rank);
                        Tensor it = be.fromInts(idx, batch);
                        Tensor yt = be.fromFloats(yType, y0, batch, yRow)) {
                    float[] before = yt.toFloatArray();
                    be.bgmvExpand(new BgmvExpandArgs(vt, wt, it, yt, offset));
                    float[] y = yt.toFloatArray();
                    for (int b = 0; b < batch; b++) {
                        for (int j = 0; j < yRow; j++) {
                            if (idx[b] < 0 || j < offset || j >= offset + hOut) {
                                assertEquals(Float.floatToIntBits(before[b * yRow + j]),
                                        Float.floatToIntBits(y[b * yRow + j]),
                                        "case " + c + ": row " + b + " column " + j + " must be untouched");
                            }
                        }
                    }
                    if (expected == null) {
                        expected = y;
                    } else {
                        double err = Equality.relativeError(y, expected);
                        DType loosest = wType == DType.F32 && yType == DType.F32 ? DType.F32 : DType.F16;
                        assertTrue(err <= Equality.bound(loosest), "case " + c + " " + wType + "/" + yType + " hOut="
                                + hOut + " r=" + rank + ": relative error " + err);
                    }
                }
            }
        }
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
                Tensor v = be.allocate(DType.F32, 2, 2);
                Tensor w = be.fromFloats(DType.F16, new float[] {1, 1, 2, 0, 0, 3}, 1, 3, 2);
                Tensor y = be.fromFloats(DType.F32, new float[] {10, 10, 10, 10, 10, 10, 10, 10, 10, 10}, 2, 5)) {
            be.bgmvShrink(new BgmvShrinkArgs(x, a, idx, v, 0.5f));
            assertArrayEquals(new float[] {0.5f, 1, 0, 0}, v.toFloatArray());
            be.bgmvExpand(new BgmvExpandArgs(v, w, idx, y, 1));
            assertArrayEquals(new float[] {10, 11.5f, 11, 13, 10, 10, 10, 10, 10, 10}, y.toFloatArray());
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
