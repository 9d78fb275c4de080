package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.npukit.tensor.DType;
import dev.npukit.tensor.HalfFloats;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rows chosen against the cpu kernel's one-pass candidate collection (the expert row is scanned
 * once with the threshold of the running maximum; the buffer is re-filtered when full and the row
 * falls back to a two-pass scan when the valid set is too large): rising ramps that admit every
 * logit as a candidate and make the buffer re-filter again and again, ramps whose valid set does
 * not fit, falling ramps, maxima and ties in the last (scalar) elements and across vector lanes,
 * all-equal and all -inf rows, infinities, NaN in the vector body and in the tail. Every output must equal the
 * reference bit for bit, sampling and top-k included.
 */
class ContrastiveCandidateTest {
    private static final DType[] TYPES = {DType.F32, DType.F16, DType.BF16};

    static List<String> backends() {
        return AvailableBackends.underTest();
    }

    /** Row kinds; values are rounded to dtype. */
    static float[] row(Random r, DType dtype, int vocab, int kind) {
        float[] x = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            float v;
            switch (kind) {
                case 0: // rising ramp, about 40 logits within ln 10 of each running maximum
                    v = i * (2.4f / 40) + (float) r.nextGaussian() * 0.01f;
                    break;
                case 1: // rising ramp so gentle that most of the row stays valid: overflow
                    v = (float) i / vocab * 0.5f;
                    break;
                case 2: // falling ramp: the first block holds the maximum
                    v = -(float) i / vocab * 50f + (float) r.nextGaussian();
                    break;
                case 3: // peaked noise with the maximum, tied, in the last elements and in other lanes
                    v = (float) r.nextGaussian() * 3;
                    break;
                case 4: // all equal: all valid, all tied
                    v = 1.25f;
                    break;
                case 5: // all -inf
                    v = Float.NEGATIVE_INFINITY;
                    break;
                case 7: // infinities among peaked logits: +inf maxima, -inf masked tokens
                    v = r.nextInt(9) == 0 ? Float.NEGATIVE_INFINITY
                            : r.nextInt(3000) == 0 ? Float.POSITIVE_INFINITY : (float) r.nextGaussian() * 3;
                    break;
                default: // staircase: long flat stretches, each step above the last by more than ln 10
                    v = (i / 997) * 3.0f + (r.nextInt(4) == 0 ? 0.5f : 0f);
                    break;
            }
            x[i] = HalfFloats.roundTo(dtype, v);
        }
        if (kind == 3) {
            float top = HalfFloats.roundTo(dtype, 20f);
            x[vocab - 1] = top;
            x[vocab / 2 + 1] = top;
            x[vocab / 3] = top;
            x[Math.max(0, vocab - 7)] = top;
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void adversarialRowsAreBitExact(String name) {
        Backend backend = Backends.get(name);
        Backend reference = Backends.get(ReferenceBackend.NAME);
        Random r = new Random(31337);
        int[] vocabs = {151936, 40003, 16411, 520};
        float[] alphas = {0.1f, 1e-3f, 0.9f};
        int c = 0;
        for (int vocab : vocabs) {
            for (DType dtype : TYPES) {
                int batch = 9;
                float[][] e = new float[batch][];
                float[][] a = new float[batch][];
                for (int b = 0; b < batch; b++) {
                    e[b] = row(r, dtype, vocab, b % 8);
                    // Base rows: peaked, or with infinities (cd = inf - inf = NaN ranks -inf).
                    a[b] = row(r, dtype, vocab, b == 7 || b == 8 ? 7 : 3);
                }
                float alpha = alphas[c % alphas.length];
                ContrastiveRun.Layout layout = ContrastiveRun.Layout.values()[c % 3];
                // Greedy alone, greedy with top-k, sampling with top-k: the cpu kernel finishes the
                // first in vector code and the others element by element.
                for (int mode = 0; mode < 3; mode++) {
                    int topK = mode == 0 ? 0 : 9;
                    long[] seeds = mode == 2 ? r.longs(batch).toArray() : null;
                    String what = String.format("%s V=%d alpha=%s mode=%d %s", dtype, vocab, alpha, mode, layout);
                    ContrastiveRun ref = ContrastiveRun.run(reference, dtype, layout, e, a, alpha, 0.5f, topK, 0.7f,
                            seeds);
                    ContrastiveRun got = ContrastiveRun.run(backend, dtype, layout, e, a, alpha, 0.5f, topK, 0.7f,
                            seeds);
                    assertArrayEquals(ref.token, got.token, what + " token");
                    KernelEqualityTest.assertBitsEqual(ref.score, got.score, what + " score");
                    assertArrayEquals(ref.validCount, got.validCount, what + " validCount");
                    assertArrayEquals(ref.topkIndices, got.topkIndices, what + " top-k indices");
                    KernelEqualityTest.assertBitsEqual(ref.topkScores, got.topkScores, what + " top-k scores");
                }
                c++;
            }
        }
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
                    float[][] e = {row(r, dtype, vocab, 3), row(r, dtype, vocab, 3)};
                    float[][] a = {row(r, dtype, vocab, 3), row(r, dtype, vocab, 3)};
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
