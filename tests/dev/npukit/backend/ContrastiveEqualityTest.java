package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.tensor.DType;
import dev.npukit.tensor.HalfFloats;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/kernels.md: contrastive scoring, equality between backends: contrastive scoring, top-k and Gumbel sampling are bit-exact between every
 * backend and the reference (same tokens, same score bits, same valid counts, same top-k) on
 * randomized cases: vocab sizes that are and are not multiples of the vector width, including
 * 32000 and 151936; B = 1; ties; alpha = 1; beta = 0; infinities; all three row layouts.
 */
class ContrastiveEqualityTest {
    private static final DType[] TYPES = {DType.F32, DType.F16, DType.BF16};
    private static final int[] VOCABS = {1, 5, 8, 17, 255, 1000, 4099, 32000, 151936};
    private static final float[] ALPHAS = {0.1f, 1.0f, 0.5f, 1e-3f};
    private static final float[] BETAS = {0.5f, 0.0f, 2.0f, 0.1f};

    static List<String> backends() {
        return AvailableBackends.underTest();
    }

    /** Logit rows of one of four shapes, already rounded to dtype so tests can reason about them. */
    static float[][] logits(Random r, DType dtype, int batch, int vocab, int kind) {
        float[][] x = new float[batch][vocab];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < vocab; i++) {
                float v;
                switch (kind) {
                    case 0: // peaked, like a language model: few tokens near the max
                        v = (float) (r.nextGaussian() * 3);
                        break;
                    case 1: // small integers: many exact ties
                        v = r.nextInt(7) - 3;
                        break;
                    case 2: // flat: a large valid set
                        v = (float) (r.nextGaussian() * 0.4);
                        break;
                    default: // masked tokens (-inf) among peaked ones
                        v = r.nextInt(5) == 0 ? Float.NEGATIVE_INFINITY : (float) (r.nextGaussian() * 3);
                        break;
                }
                x[b][i] = HalfFloats.roundTo(dtype, v);
            }
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void scoringTopKAndSamplingAreBitExact(String name) {
        Backend backend = Backends.get(name);
        Backend reference = Backends.get(ReferenceBackend.NAME);
        Random r = new Random(20260301L);
        int differFromGreedy = 0;
        for (int c = 0; c < 72; c++) {
            DType dtype = TYPES[c % 3];
            int vocab = VOCABS[(c / 3) % VOCABS.length];
            int batch = vocab >= 32000 ? 1 + r.nextInt(3) : (c % 4 == 0 ? 1 : 1 + r.nextInt(12));
            int kind = r.nextInt(4);
            float alpha = ALPHAS[r.nextInt(ALPHAS.length)];
            float beta = BETAS[r.nextInt(BETAS.length)];
            int topK = r.nextBoolean() ? 0 : 1 + r.nextInt(Math.min(vocab, 12));
            boolean sample = c % 3 == 1;
            float temperature = sample ? 0.3f + r.nextFloat() * 2 : Float.NaN;
            long[] seeds = sample ? r.longs(batch).toArray() : null;
            ContrastiveRun.Layout layout = ContrastiveRun.Layout.values()[r.nextInt(3)];
            float[][] e = logits(r, dtype, batch, vocab, kind);
            float[][] a = logits(r, dtype, batch, vocab, r.nextInt(4));
            String what = String.format("case %d: %s V=%d B=%d kind=%d alpha=%s beta=%s k=%d T=%s %s", c, dtype,
                    vocab, batch, kind, alpha, beta, topK, temperature, layout);

            ContrastiveRun ref = ContrastiveRun.run(reference, dtype, layout, e, a, alpha, beta, topK, temperature,
                    seeds);
            ContrastiveRun got = ContrastiveRun.run(backend, dtype, layout, e, a, alpha, beta, topK, temperature,
                    seeds);
            assertArrayEquals(ref.token, got.token, what + " token");
            KernelEqualityTest.assertBitsEqual(ref.score, got.score, what + " score");
            assertArrayEquals(ref.validCount, got.validCount, what + " validCount");
            assertArrayEquals(ref.topkIndices, got.topkIndices, what + " top-k indices");
            KernelEqualityTest.assertBitsEqual(ref.topkScores, got.topkScores, what + " top-k scores");
            for (int b = 0; b < batch; b++) {
                if (ref.token[b] != ContrastiveSemanticsTest.firstArgmax(e[b])) {
                    differFromGreedy++;
                }
            }
        }
        assertTrue(differFromGreedy >= 20, "only " + differFromGreedy + " rows differ from greedy decoding");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void largeBatchesAtFullVocabAreBitExact(String name) {
        Backend backend = Backends.get(name);
        Backend reference = Backends.get(ReferenceBackend.NAME);
        Random r = new Random(99);
        for (DType dtype : TYPES) {
            float[][] e = logits(r, dtype, 16, 32000, 0);
            float[][] a = logits(r, dtype, 16, 32000, 0);
            long[] seeds = r.longs(16).toArray();
            for (boolean sample : new boolean[] {false, true}) {
                ContrastiveRun ref = ContrastiveRun.run(reference, dtype, ContrastiveRun.Layout.INTERLEAVED, e, a,
                        0.1f, 0.5f, 8, 0.8f, sample ? seeds : null);
                ContrastiveRun got = ContrastiveRun.run(backend, dtype, ContrastiveRun.Layout.INTERLEAVED, e, a,
                        0.1f, 0.5f, 8, 0.8f, sample ? seeds : null);
                assertArrayEquals(ref.token, got.token, dtype + " sample=" + sample);
                KernelEqualityTest.assertBitsEqual(ref.score, got.score, dtype + " score");
                assertArrayEquals(ref.topkIndices, got.topkIndices, dtype + " top-k");
                assertEquals(16, got.validCount.length);
            }
        }
    }

    /**
     * Top-k with k from a few hundred up to the whole vocabulary, every token valid and scores
     * with many ties (inside and across the kernels' 4096-token tiles): the ascend kernel's per-tile
     * selection and the host's merge must give the reference's order exactly.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void topKUpToTheVocabularyIsBitExact(String name) {
        Backend backend = Backends.get(name);
        Backend reference = Backends.get(ReferenceBackend.NAME);
        Random r = new Random(64);
        int[][] vocabAndK = {{5000, 5000}, {9000, 4097}, {9000, 300}, {32000, 32000}};
        for (int[] vk : vocabAndK) {
            int vocab = vk[0];
            int topK = vk[1];
            float[][] e = new float[3][vocab];
            float[][] a = new float[3][vocab];
            for (int b = 0; b < 3; b++) {
                for (int i = 0; i < vocab; i++) {
                    e[b][i] = r.nextInt(64) / 4f;
                    a[b][i] = r.nextInt(8) / 2f;
                }
            }
            e[1][vocab - 1] = Float.NEGATIVE_INFINITY;  // an invalid token: the row's list ends with -1
            String what = "V=" + vocab + " k=" + topK;
            ContrastiveRun ref = ContrastiveRun.run(reference, DType.F32, ContrastiveRun.Layout.SEPARATE, e, a, 1e-30f,
                    0.5f, topK, Float.NaN, null);
            ContrastiveRun got = ContrastiveRun.run(backend, DType.F32, ContrastiveRun.Layout.SEPARATE, e, a, 1e-30f,
                    0.5f, topK, Float.NaN, null);
            assertArrayEquals(ref.validCount, got.validCount, what + " validCount");
            assertArrayEquals(ref.topkIndices, got.topkIndices, what + " top-k indices");
            KernelEqualityTest.assertBitsEqual(ref.topkScores, got.topkScores, what + " top-k scores");
        }
    }
}
