package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.check.ContrastiveRun;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.HalfFloats;
import dev.npukit.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The definition of docs/kernels.md, contrastive scoring checked directly on every backend, the reference included:
 * hand-worked rows, beta = 0 is greedy whatever the base row holds (infinities included), a row
 * whose valid cd are all -inf gives its lowest valid indices, alpha = 1 keeps only the maximum, ties go to the lowest
 * index, the Gumbel sampler follows softmax(cd / T), and a NaN fails naming its row without
 * writing anything.
 */
class ContrastiveSemanticsTest {
    static List<String> backends() {
        return AvailableBackends.all();
    }

    /**
     * Logit rows of one of five shapes, rounded to dtype: 0 peaked like a language model, 1 small
     * integers (many ties), 2 flat (a large valid set), 3 masked tokens (-inf) among peaked ones,
     * 4 infinities of both signs among peaked ones.
     */
    static float[][] logits(Random r, DType dtype, int batch, int vocab, int kind) {
        float[][] x = new float[batch][vocab];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < vocab; i++) {
                float v = switch (kind) {
                    case 0 -> (float) (r.nextGaussian() * 3);
                    case 1 -> r.nextInt(7) - 3;
                    case 2 -> (float) (r.nextGaussian() * 0.4);
                    case 3 -> r.nextInt(5) == 0 ? Float.NEGATIVE_INFINITY : (float) (r.nextGaussian() * 3);
                    default -> r.nextInt(4) == 0 ? (r.nextBoolean() ? 1 : -1) * Float.POSITIVE_INFINITY
                            : (float) (r.nextGaussian() * 3);
                };
                x[b][i] = HalfFloats.roundTo(dtype, v);
            }
        }
        return x;
    }

    static int firstArgmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void handWorkedRows(String name) {
        Backend be = Backends.get(name);
        // alpha 0.1: threshold = max + ln 0.1 = max - 2.3026; beta 0.5: cd = 1.5 e - 0.5 a.
        float[][] e = {
            {-4, 2.0f, 1.5f, -1, -6}, // valid {1, 2}; cd1 = 3 - 1 = 2, cd2 = 2.25 - 0 = 2.25 -> 2 (greedy: 1)
            {0.5f, -3, -3, 1.0f, -3}, // valid {0, 3}; cd0 = 0.75 - 0.25 = 0.5, cd3 = 1.5 - 1 = 0.5: tie -> 0
            {0.5f, 3, 3, 0, 2},       // valid {1, 2, 4}; cd1 = 4.5 - 0.5, cd2 = 4.5 - 0.5, cd4 = 3 - 2.5 -> 1
        };
        float[][] a = {
            {-4, 2.0f, 0.0f, -1, -6},
            {0.5f, -3, -3, 2.0f, -3},
            {0, 1, 1, 0, 5},
        };
        for (ContrastiveRun.Layout layout : ContrastiveRun.Layout.values()) {
            ContrastiveRun run = ContrastiveRun.run(be, DType.F32, layout, e, a, 0.1f, 0.5f, 4, Float.NaN, null);
            assertArrayEquals(new int[] {2, 0, 1}, run.token, layout.toString());
            assertArrayEquals(new float[] {2.25f, 0.5f, 4.0f}, run.score);
            assertArrayEquals(new int[] {2, 2, 3}, run.validCount);
            // Top-4 of at most 3 valid tokens: the rest is (-1, -inf); ties in index order.
            assertArrayEquals(new int[] {2, 1, -1, -1, 0, 3, -1, -1, 1, 2, 4, -1}, run.topkIndices);
            float ninf = Float.NEGATIVE_INFINITY;
            assertArrayEquals(new float[] {2.25f, 2, ninf, ninf, 0.5f, 0.5f, ninf, ninf, 4, 4, 0.5f, ninf},
                    run.topkScores);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void betaZeroIsGreedyAndAlphaOneKeepsOnlyTheMaximum(String name) {
        Backend be = Backends.get(name);
        Random r = new Random(5);
        for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            for (int kind = 0; kind < 3; kind++) {
                float[][] e = logits(r, dtype, 9, 1003, kind);
                float[][] a = logits(r, dtype, 9, 1003, 0);
                // beta 0 ignores the base row, infinities included (0 * inf would be NaN).
                ContrastiveRun greedy = ContrastiveRun.greedy(be, dtype, e, logits(r, dtype, 9, 1003, 4), 0.1f, 0f);
                ContrastiveRun strict = ContrastiveRun.greedy(be, dtype, e, a, 1f, 0.5f);
                for (int b = 0; b < 9; b++) {
                    int top = firstArgmax(e[b]);
                    assertEquals(top, greedy.token[b], dtype + " kind " + kind + " row " + b);
                    assertEquals(e[b][top], greedy.score[b]);
                    int maxima = 0;
                    int cheapest = -1;
                    for (int i = 0; i < e[b].length; i++) {
                        if (e[b][i] == e[b][top]) {
                            maxima++;
                            if (cheapest < 0 || 1.5f * e[b][i] - 0.5f * a[b][i] > 1.5f * e[b][cheapest]
                                    - 0.5f * a[b][cheapest]) {
                                cheapest = i;
                            }
                        }
                    }
                    assertEquals(maxima, strict.validCount[b]);
                    assertEquals(cheapest, strict.token[b]);
                    if (kind == 0) {
                        assertEquals(1, strict.validCount[b], "continuous logits have one maximum");
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void gumbelSamplingFollowsSoftmaxOfTheContrastiveScores(String name) {
        Backend be = Backends.get(name);
        // Every row: valid {0, 1, 2} with cd = 1.0, 1.5, 2.0 (beta 0: cd = e); token 3 is invalid.
        int rows = 3000;
        float[][] e = new float[rows][];
        float[][] a = new float[rows][];
        long[] seeds = new long[rows];
        for (int b = 0; b < rows; b++) {
            e[b] = new float[] {1.0f, 1.5f, 2.0f, -10f, 1.2f, -9f, 0.9f, 1.9f, 0.0f};
            a[b] = new float[e[b].length];
            seeds[b] = 1000L + b;
        }
        float[] temps = {1.0f, 0.5f};
        for (float t : temps) {
            ContrastiveRun run = ContrastiveRun.run(be, DType.F32, ContrastiveRun.Layout.SEPARATE, e, a, 0.1f, 0f, 0,
                    t, seeds);
            int[] hits = new int[e[0].length];
            for (int b = 0; b < rows; b++) {
                hits[run.token[b]]++;
                assertEquals(e[0][run.token[b]], run.score[b], "score is the cd of the sampled token");
            }
            double z = 0;
            for (float x : e[0]) {
                z += x >= 2.0 - 2.302585 ? Math.exp(x / t) : 0;
            }
            for (int i = 0; i < e[0].length; i++) {
                double p = e[0][i] >= 2.0 - 2.302585 ? Math.exp(e[0][i] / t) / z : 0;
                double freq = hits[i] / (double) rows;
                // Binomial standard deviation at p = 0.5 and 3000 draws is 0.009; allow 4 of them.
                assertEquals(p, freq, 0.037, "T=" + t + " token " + i + " hits " + java.util.Arrays.toString(hits));
            }
        }
        // Deterministic: the same seeds draw the same tokens; other seeds draw others.
        ContrastiveRun once = ContrastiveRun.run(be, DType.F32, ContrastiveRun.Layout.SEPARATE, e, a, 0.1f, 0f, 0,
                1f, seeds);
        ContrastiveRun again = ContrastiveRun.run(be, DType.F32, ContrastiveRun.Layout.SEPARATE, e, a, 0.1f, 0f, 0,
                1f, seeds);
        assertArrayEquals(once.token, again.token);
        long[] other = seeds.clone();
        other[0] += 12345;
        for (int i = 1; i < other.length; i++) {
            other[i] = other[i] * 31 + 7;
        }
        assertNotEquals(java.util.Arrays.hashCode(once.token), java.util.Arrays.hashCode(
                ContrastiveRun.run(be, DType.F32, ContrastiveRun.Layout.SEPARATE, e, a, 0.1f, 0f, 0, 1f, other).token));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void betaZeroIgnoresInfiniteBaseLogits(String name) {
        Backend be = Backends.get(name);
        float inf = Float.POSITIVE_INFINITY;
        float[][] e = {
            {1, 3, 2},           // valid {0, 1, 2}: cd = e, the base's +inf at the best token does not count
            {5, -inf, 4},        // valid {0, 2}
            {-inf, -inf, -inf},  // all valid, every cd -inf: the lowest valid indices
        };
        float[][] a = {{0, inf, 0}, {-inf, 0, inf}, {inf, -inf, 0}};
        for (boolean sample : new boolean[] {false, true}) {
            ContrastiveRun run = ContrastiveRun.run(be, DType.F32, ContrastiveRun.Layout.SEPARATE, e, a, 0.1f, 0f, 3,
                    0.5f, sample ? new long[] {1, 2, 3} : null);
            if (!sample) {
                assertArrayEquals(new int[] {1, 0, 0}, run.token);
                assertArrayEquals(new float[] {3, 5, -inf}, run.score);
            }
            assertEquals(0, run.token[2], "a row of -inf cd gives its lowest valid index, sampled or not");
            assertEquals(-inf, run.score[2]);
            assertArrayEquals(new int[] {3, 2, 3}, run.validCount);
            assertArrayEquals(new int[] {1, 2, 0, 0, 2, -1, 0, 1, 2}, run.topkIndices);
            assertArrayEquals(new float[] {3, 2, 1, 5, 4, -inf, -inf, -inf, -inf}, run.topkScores);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void infinitiesFollowFloatArithmetic(String name) {
        Backend be = Backends.get(name);
        float inf = Float.POSITIVE_INFINITY;
        float[][] e = {
            {-inf, -inf, -inf},  // all valid (threshold -inf), every cd -inf: lowest valid index, score -inf
            {1, 1, -inf},        // base -inf on a valid token: cd = +inf wins
            {inf, 2, inf},       // only the +inf are valid; base +inf there: cd = inf - inf = NaN, ranks -inf
        };
        float[][] a = {{0, 0, 0}, {0, -inf, 0}, {inf, 0, 1}};
        ContrastiveRun run = ContrastiveRun.run(be, DType.F32, ContrastiveRun.Layout.INTERLEAVED, e, a, 0.1f, 0.5f, 2,
                Float.NaN, null);
        assertArrayEquals(new int[] {0, 1, 2}, run.token);
        assertArrayEquals(new float[] {-inf, inf, inf}, run.score);
        assertArrayEquals(new int[] {3, 2, 2}, run.validCount);
        assertArrayEquals(new int[] {0, 1, 1, 0, 2, 0}, run.topkIndices);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void nanFailsNamingTheRowAndWritesNothing(String name) {
        Backend be = Backends.get(name);
        float[] row = new float[100];
        for (int i = 0; i < row.length; i++) {
            row[i] = (float) Math.sin(i);
        }
        try (Tensor logits = be.allocate(DType.BF16, 8, 100);
                Tensor token = be.fromInts(new int[] {7, 7, 7, 7}, 4);
                Tensor score = be.fromFloats(DType.F32, new float[] {7, 7, 7, 7}, 4);
                Tensor count = be.fromInts(new int[] {7, 7, 7, 7}, 4)) {
            for (int r = 0; r < 8; r++) {
                logits.writeFloats(r * 100L, row);
            }
            ContrastiveArgs args = ContrastiveArgs.builder().interleaved(logits).outputs(token, score, count).build();
            be.contrastive(args);
            assertTrue(token.toIntArray()[0] != 7, "the clean batch runs");
            token.copyFrom(new int[] {7, 7, 7, 7});
            score.copyFrom(new float[] {7, 7, 7, 7});
            count.copyFrom(new int[] {7, 7, 7, 7});
            logits.writeFloats(6 * 100L + 99, new float[] {Float.NaN}); // expert row 3, last element
            logits.writeFloats(3 * 100L + 41, new float[] {Float.NaN}); // base row 1
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> be.contrastive(args));
            assertEquals("base: row 1 contains NaN", ex.getMessage());
            logits.writeFloats(2 * 100L + 5, new float[] {Float.NaN}); // expert row 1 comes before base row 1
            ex = assertThrows(IllegalArgumentException.class, () -> be.contrastive(args));
            assertEquals("expert: row 1 contains NaN", ex.getMessage());
            assertArrayEquals(new int[] {7, 7, 7, 7}, token.toIntArray());
            assertArrayEquals(new float[] {7, 7, 7, 7}, score.toFloatArray());
            assertArrayEquals(new int[] {7, 7, 7, 7}, count.toIntArray());
        }
    }
}
