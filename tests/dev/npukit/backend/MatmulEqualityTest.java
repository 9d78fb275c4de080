package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.kernels.MatmulArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The model's dense layer on every backend against the reference within the docs/kernels.md, equality between backends bound:
 * random shapes including a single row (decode), sizes that are not multiples of the vector width
 * or the tile, every activation and weight dtype; and a row's result does not depend on the rows
 * batched with it, bit for bit, which batched decoding relies on.
 */
class MatmulEqualityTest {
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

    private static float[] run(Backend be, DType xType, DType wType, float[] x, float[] w, int m, int k, int n) {
        try (Tensor xt = be.fromFloats(xType, x, m, k);
                Tensor wt = be.fromFloats(wType, w, n, k);
                Tensor out = be.fromFloats(DType.F32, filled(m * n, 77f), m, n)) {
            be.matmul(new MatmulArgs(xt, wt, out));
            return out.toFloatArray();
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void matchesReference(String name) {
        Backend backend = Backends.get(name);
        Backend reference = Backends.get(ReferenceBackend.NAME);
        Random r = new Random(17);
        int[] ks = {1, 7, 8, 33, 64, 257, 700};
        int[] ns = {1, 3, 4, 5, 31, 32, 33, 100, 130};
        int[] ms = {1, 1, 2, 3, 17, 64, 65, 130};
        for (int c = 0; c < 36; c++) {
            DType wType = TYPES[c % 3];
            DType xType = TYPES[(c / 3) % 3];
            int m = ms[r.nextInt(ms.length)];
            int k = ks[r.nextInt(ks.length)];
            int n = ns[r.nextInt(ns.length)];
            float[] x = gaussian(r, m * k);
            float[] w = gaussian(r, n * k);
            float[] expected = run(reference, xType, wType, x, w, m, k, n);
            float[] got = run(backend, xType, wType, x, w, m, k, n);
            double err = Equality.relativeError(got, expected);
            // Inputs are converted exactly the same way on both sides, so only the summation
            // differs: the F32 bound applies whatever the storage dtype.
            assertTrue(err <= Equality.bound(DType.F32), String.format(
                    "%s: m=%d k=%d n=%d x %s w %s: relative error %.3g", name, m, k, n, xType, wType, err));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void rowsDoNotDependOnTheBatch(String name) {
        Backend be = Backends.get(name);
        Random r = new Random(5);
        int m = 67;
        int k = 100;
        int n = 45;
        float[] x = gaussian(r, m * k);
        float[] w = gaussian(r, n * k);
        for (DType wType : TYPES) {
            float[] all = run(be, DType.F32, wType, x, w, m, k, n);
            for (int row : new int[] {0, 1, 2, 63, 64, 66}) {
                float[] one = run(be, DType.F32, wType, Arrays.copyOfRange(x, row * k, (row + 1) * k), w, 1, k, n);
                assertArrayEquals(Arrays.copyOfRange(all, row * n, (row + 1) * n), one,
                        "row " + row + " alone vs in a batch of " + m + ", weights " + wType);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void emptyShapesWriteNothing(String name) {
        Backend be = Backends.get(name);
        assertArrayEquals(new float[0], run(be, DType.F32, DType.F32, new float[0], new float[12], 0, 4, 3));
        // K = 0: every output is an empty sum.
        assertArrayEquals(new float[6], run(be, DType.F32, DType.F16, new float[0], new float[0], 2, 0, 3));
    }
}
