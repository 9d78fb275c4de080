package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

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
 * splits such a group by rows), against the sum worked in Java.
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
}
