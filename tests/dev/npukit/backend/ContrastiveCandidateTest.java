package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.npukit.check.ContrastiveRun;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.HalfFloats;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A NaN anywhere in a long row, in the vector body, at vector and block edges and in the scalar
 * tail, past the cpu kernel's one-pass candidate collection (which scans the expert row once and
 * the base row separately): the call fails naming the row on every backend. The adversarial rows
 * against the candidate collection itself are registry cases (ADVERSARIAL logits in
 * {@code dev.npukit.check.KernelCases}).
 */
class ContrastiveCandidateTest {
    private static final DType[] TYPES = {DType.F32, DType.F16, DType.BF16};

    static List<String> backends() {
        return AvailableBackends.underTest();
    }

    /** Peaked noise rounded to dtype, its maximum tied in the last element and in other lanes. */
    static float[] peaked(Random r, DType dtype, int vocab) {
        float[] x = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            x[i] = HalfFloats.roundTo(dtype, (float) r.nextGaussian() * 3);
        }
        float top = HalfFloats.roundTo(dtype, 20f);
        x[vocab - 1] = top;
        x[vocab / 2 + 1] = top;
        x[vocab / 3] = top;
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void nanIsFoundAnywhereInLongRows(String name) {
        Backend be = Backends.get(name);
        Random r = new Random(8);
        int vocab = 40003;
        int[] positions = {0, 15, 16, 511, 512, 4099, 39999, 40000, 40002};
        for (DType dtype : TYPES) {
            for (int pos : positions) {
                for (boolean inExpert : new boolean[] {true, false}) {
                    float[][] e = {peaked(r, dtype, vocab), peaked(r, dtype, vocab)};
                    float[][] a = {peaked(r, dtype, vocab), peaked(r, dtype, vocab)};
                    (inExpert ? e : a)[1][pos] = Float.NaN;
                    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                            () -> ContrastiveRun.greedy(be, dtype, e, a, 0.1f, 0.5f));
                    assertEquals((inExpert ? "expert" : "base") + ": row 1 contains NaN", ex.getMessage(),
                            dtype + " at " + pos);
                }
            }
        }
    }
}
