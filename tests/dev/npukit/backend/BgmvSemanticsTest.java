package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The definition of docs/kernels.md, BGMV, on a hand-worked batch on every backend, the reference
 * included: shrink then expand adds the LoRA delta into the slice at the offset of the adapter
 * rows, and a row with index -1 gets zeros from shrink and is left untouched by expand.
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
}
