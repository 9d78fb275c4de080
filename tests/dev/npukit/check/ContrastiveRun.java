package dev.npukit.check;

import dev.npukit.backend.Backend;
import dev.npukit.tensor.DType;
import java.util.Map;

/**
 * Runs contrastive scoring on one backend from Java arrays and returns every output, so a test
 * can compare backends or check the definition; the rows are placed as the registry's cases place
 * them ({@link ContrastiveCase#score}). Layouts: INTERLEAVED puts expert and base rows alternately
 * into one [2B, V] tensor; SEPARATE uses two [B, V] tensors; STRIDED hides the rows in larger
 * tensors at an offset with stride 3 (expert) and 2 (base) around NaN rows that must never be read.
 */
public final class ContrastiveRun {
    /** Where the expert and base rows live. */
    public enum Layout { INTERLEAVED, SEPARATE, STRIDED }

    public final int[] token;
    public final float[] score;
    public final int[] validCount;
    public final int[] topkIndices;
    public final float[] topkScores;

    private ContrastiveRun(Map<String, float[]> out) {
        this.token = ints(out.get("token"));
        this.score = out.get("score");
        this.validCount = ints(out.get("validCount"));
        this.topkIndices = out.containsKey("topkIndices") ? ints(out.get("topkIndices")) : new int[0];
        this.topkScores = out.containsKey("topkScores") ? out.get("topkScores") : new float[0];
    }

    /** expert and base are [B][V]; topK 0 skips top-k; seeds null is greedy. */
    public static ContrastiveRun run(Backend be, DType dtype, Layout layout, float[][] expert, float[][] base,
            float alpha, float beta, int topK, float temperature, long[] seeds) {
        return new ContrastiveRun(ContrastiveCase.score(be, dtype, ContrastiveCase.Layout.valueOf(layout.name()),
                expert, base, alpha, beta, topK, temperature, seeds));
    }

    public static ContrastiveRun greedy(Backend be, DType dtype, float[][] expert, float[][] base, float alpha,
            float beta) {
        return run(be, dtype, Layout.INTERLEAVED, expert, base, alpha, beta, 0, Float.NaN, null);
    }

    private static int[] ints(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (int) values[i];
        }
        return out;
    }
}
