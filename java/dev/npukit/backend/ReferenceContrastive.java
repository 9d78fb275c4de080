package dev.npukit.backend;

import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.LogitRows;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference contrastive scoring: the definition of docs/kernels.md, contrastive scoring row by row, in float with the
 * operation order of the native kernel ((1 + beta) * e - beta * a, no fused multiply-add; just e
 * when beta is 0, so an infinite base logit cannot make 0 * inf = NaN), so the two agree bit for
 * bit. Every row is scored before any output is written.
 */
final class ReferenceContrastive {
    private ReferenceContrastive() {
    }

    private record Candidate(int index, float cd) {
    }

    static void run(ContrastiveArgs a, ContrastiveArgs.Shape s) {
        int batch = s.batch();
        int vocab = s.vocab();
        int k = s.topK();
        int[] tokens = new int[batch];
        float[] scores = new float[batch];
        int[] counts = new int[batch];
        int[] topIdx = new int[batch * k];
        float[] topScore = new float[batch * k];
        float onePlusBeta = 1.0f + a.beta();
        for (int b = 0; b < batch; b++) {
            float[] e = row(a.expert(), b, vocab);
            float m = Float.NEGATIVE_INFINITY;
            for (float x : e) {
                if (Float.isNaN(x)) {
                    throw new IllegalArgumentException("expert: row " + b + " contains NaN");
                }
                m = Math.max(m, x);
            }
            float[] base = row(a.base(), b, vocab);
            for (float x : base) {
                if (Float.isNaN(x)) {
                    throw new IllegalArgumentException("base: row " + b + " contains NaN");
                }
            }
            float threshold = m + s.lnAlpha();
            List<Candidate> valid = new ArrayList<>();
            for (int i = 0; i < vocab; i++) {
                if (e[i] >= threshold) {
                    float cd = a.beta() == 0 ? e[i] : onePlusBeta * e[i] - a.beta() * base[i];
                    // inf - inf is the only way to get NaN here; it ranks as -inf.
                    valid.add(new Candidate(i, Float.isNaN(cd) ? Float.NEGATIVE_INFINITY : cd));
                }
            }
            counts[b] = valid.size();
            Candidate chosen = s.sampling() ? sample(valid, GumbelNoise.rowKey(a.seeds()[b], b), a.temperature())
                    : greedy(valid);
            tokens[b] = chosen.index();
            scores[b] = chosen.cd();
            if (k > 0) {
                List<Candidate> sorted = new ArrayList<>(valid);
                sorted.sort((x, y) -> x.cd() != y.cd() ? Float.compare(y.cd(), x.cd())
                        : Integer.compare(x.index(), y.index()));
                for (int j = 0; j < k; j++) {
                    boolean has = j < sorted.size();
                    topIdx[b * k + j] = has ? sorted.get(j).index() : -1;
                    topScore[b * k + j] = has ? sorted.get(j).cd() : Float.NEGATIVE_INFINITY;
                }
            }
        }
        a.token().copyFrom(tokens);
        a.score().copyFrom(scores);
        a.validCount().copyFrom(counts);
        if (k > 0) {
            a.topkIndices().copyFrom(topIdx);
            a.topkScores().copyFrom(topScore);
        }
    }

    /** The largest cd, lowest index on ties; the first valid token if every cd is -inf. */
    private static Candidate greedy(List<Candidate> valid) {
        Candidate best = valid.get(0);
        for (Candidate c : valid) {
            if (c.cd() > best.cd()) {
                best = c;
            }
        }
        return best;
    }

    /** Gumbel-max: the largest cd / T + g_i, lowest index on ties; the first valid if all are -inf. */
    private static Candidate sample(List<Candidate> valid, long rowKey, float temperature) {
        Candidate best = valid.get(0);
        float bestKey = Float.NEGATIVE_INFINITY;
        for (Candidate c : valid) {
            float key = c.cd() / temperature + GumbelNoise.noise(rowKey, c.index());
            if (key > bestKey) {
                bestKey = key;
                best = c;
            }
        }
        return bestKey == Float.NEGATIVE_INFINITY ? new Candidate(best.index(), Float.NEGATIVE_INFINITY) : best;
    }

    private static float[] row(LogitRows rows, int b, int vocab) {
        return rows.logits().readFloats(rows.row(b) * vocab, vocab);
    }
}
