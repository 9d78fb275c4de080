package dev.npukit.backend;

import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.LogitRows;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;

/**
 * Runs contrastive scoring on one backend from Java arrays and returns every output, so a test
 * can compare backends or check the definition. Layouts: INTERLEAVED puts expert and base rows
 * alternately into one [2B, V] tensor; SEPARATE uses two [B, V] tensors; STRIDED hides the rows
 * in a larger tensor at an offset with stride 3 (expert) and 2 (base) around junk rows.
 */
final class ContrastiveRun {
    enum Layout { INTERLEAVED, SEPARATE, STRIDED }

    final int[] token;
    final float[] score;
    final int[] validCount;
    final int[] topkIndices;
    final float[] topkScores;

    private ContrastiveRun(int[] token, float[] score, int[] validCount, int[] topkIndices, float[] topkScores) {
        this.token = token;
        this.score = score;
        this.validCount = validCount;
        this.topkIndices = topkIndices;
        this.topkScores = topkScores;
    }

    /** expert and base are [B][V]; topK 0 skips top-k; seeds null is greedy. */
    static ContrastiveRun run(Backend be, DType dtype, Layout layout, float[][] expert, float[][] base, float alpha,
            float beta, int topK, float temperature, long[] seeds) {
        int batch = expert.length;
        int vocab = expert[0].length;
        Tensor[] owned = new Tensor[2];
        try (Tensor token = be.allocate(DType.I32, batch);
                Tensor score = be.allocate(DType.F32, batch);
                Tensor count = be.allocate(DType.I32, batch);
                Tensor ti = topK > 0 ? be.allocate(DType.I32, batch, topK) : null;
                Tensor ts = topK > 0 ? be.allocate(DType.F32, batch, topK) : null) {
            ContrastiveArgs.Builder args = ContrastiveArgs.builder().alpha(alpha).beta(beta)
                    .outputs(token, score, count);
            switch (layout) {
                case INTERLEAVED: {
                    owned[0] = be.allocate(dtype, 2L * batch, vocab);
                    for (int b = 0; b < batch; b++) {
                        owned[0].writeFloats((2L * b) * vocab, expert[b]);
                        owned[0].writeFloats((2L * b + 1) * vocab, base[b]);
                    }
                    args.interleaved(owned[0]);
                    break;
                }
                case SEPARATE: {
                    owned[0] = be.allocate(dtype, batch, vocab);
                    owned[1] = be.allocate(dtype, batch, vocab);
                    for (int b = 0; b < batch; b++) {
                        owned[0].writeFloats((long) b * vocab, expert[b]);
                        owned[1].writeFloats((long) b * vocab, base[b]);
                    }
                    args.separate(owned[0], owned[1]);
                    break;
                }
                default: {
                    // Expert rows 1, 4, 7, ...; base rows 2, 4, 6, ... would collide, so base lives in a
                    // second tensor at rows 3, 5, 7, ...; the other rows hold NaN that must never be read.
                    owned[0] = junk(be, dtype, 3L * batch + 1, vocab);
                    owned[1] = junk(be, dtype, 2L * batch + 3, vocab);
                    for (int b = 0; b < batch; b++) {
                        owned[0].writeFloats((1 + 3L * b) * vocab, expert[b]);
                        owned[1].writeFloats((3 + 2L * b) * vocab, base[b]);
                    }
                    args.expert(new LogitRows(owned[0], 1, 3)).base(new LogitRows(owned[1], 3, 2));
                    break;
                }
            }
            if (topK > 0) {
                args.topK(ti, ts);
            }
            if (seeds != null) {
                args.sample(temperature, seeds);
            }
            be.contrastive(args.build());
            return new ContrastiveRun(token.toIntArray(), score.toFloatArray(), count.toIntArray(),
                    ti == null ? new int[0] : ti.toIntArray(), ts == null ? new float[0] : ts.toFloatArray());
        } finally {
            for (Tensor t : owned) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    static ContrastiveRun greedy(Backend be, DType dtype, float[][] expert, float[][] base, float alpha, float beta) {
        return run(be, dtype, Layout.INTERLEAVED, expert, base, alpha, beta, 0, Float.NaN, null);
    }

    private static Tensor junk(Backend be, DType dtype, long rows, int vocab) {
        Tensor t = be.allocate(dtype, rows, vocab);
        float[] nan = new float[vocab];
        java.util.Arrays.fill(nan, Float.NaN);
        for (long r = 0; r < rows; r++) {
            t.writeFloats(r * vocab, nan);
        }
        return t;
    }
}
