package dev.npukit.check;

import dev.npukit.backend.Backend;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.LogitRows;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.HalfFloats;
import dev.npukit.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Contrastive scoring with optional top-k and Gumbel sampling, in one of three row layouts:
 * INTERLEAVED (expert and base rows alternate in one [2B, V] tensor), SEPARATE (two [B, V]
 * tensors), STRIDED (rows at an offset and a stride in larger tensors whose other rows hold NaN
 * that no kernel may read).
 */
final class ContrastiveCase extends KernelCase {
    enum Layout { INTERLEAVED, SEPARATE, STRIDED }

    /**
     * Logit shapes: PEAKED like a language model, TIES (small integers), FLAT (a large valid set),
     * MASKED (-inf among peaked ones), INFINITE (+inf and -inf among peaked ones), STEPS (quarters
     * from 0 to 16: ties inside and across tiles), NEG_INF (all -inf), POS_INF (all +inf),
     * SPARSE_POS_INF (+inf among peaked ones), EXTREME (within 1/16 of the dtype's largest finite
     * magnitude, either sign, a quarter of them exactly +-max). ADVERSARIAL and ADVERSARIAL_BASE
     * pick a shape per row against the cpu kernel's one-pass candidate collection (the expert row
     * is scanned once with the threshold of the running maximum; the candidate buffer is
     * re-filtered when full, and the row falls back to a two-pass scan when its valid set does not
     * fit): expert row b is {@link #adversarialRow} shape b % 8, base rows are peaked with tied
     * maxima except rows 7 and 8, which hold infinities.
     */
    enum Logits { PEAKED, TIES, FLAT, MASKED, INFINITE, STEPS, NEG_INF, POS_INF, SPARSE_POS_INF, EXTREME,
        ADVERSARIAL, ADVERSARIAL_BASE }

    private final DType type;
    private final Layout layout;
    private final Logits expertKind;
    private final Logits baseKind;
    private final int batch;
    private final int vocab;
    private final float alpha;
    private final float beta;
    private final int topK;
    private final float temperature;

    /** topK 0 skips top-k; temperature NaN is greedy. */
    ContrastiveCase(int index, long seed, DType type, Layout layout, Logits expertKind, Logits baseKind, int batch,
            int vocab, float alpha, float beta, int topK, float temperature) {
        this(index, seed, null, type, layout, expertKind, baseKind, batch, vocab, alpha, beta, topK, temperature);
    }

    /** An edge case when {@code edge} (what it exercises) is not null. */
    ContrastiveCase(int index, long seed, String edge, DType type, Layout layout, Logits expertKind,
            Logits baseKind, int batch, int vocab, float alpha, float beta, int topK, float temperature) {
        super("contrastive", index, seed, type, 0, String.format("%slogits=%s %s expert=%s base=%s B=%d V=%d "
                + "alpha=%s beta=%s k=%d T=%s", edge == null ? "" : "edge=" + edge + " ", type, layout, expertKind,
                baseKind, batch, vocab, alpha, beta, topK, temperature));
        this.type = type;
        this.layout = layout;
        this.expertKind = expertKind;
        this.baseKind = baseKind;
        this.batch = batch;
        this.vocab = vocab;
        this.alpha = alpha;
        this.beta = beta;
        this.topK = topK;
        this.temperature = temperature;
    }

    /** B rows of V logits of one kind, rounded to the case's dtype. */
    private float[][] logits(Random r, Logits kind) {
        float[][] x = new float[batch][vocab];
        for (int b = 0; b < batch; b++) {
            if (kind == Logits.ADVERSARIAL || kind == Logits.ADVERSARIAL_BASE) {
                int shape = kind == Logits.ADVERSARIAL ? b % 8 : b == 7 || b == 8 ? 7 : 3;
                x[b] = adversarialRow(r, shape);
                continue;
            }
            for (int i = 0; i < vocab; i++) {
                float v = switch (kind) {
                    case PEAKED -> (float) (r.nextGaussian() * 3);
                    case TIES -> r.nextInt(7) - 3;
                    case FLAT -> (float) (r.nextGaussian() * 0.4);
                    case MASKED -> r.nextInt(5) == 0 ? Float.NEGATIVE_INFINITY : (float) (r.nextGaussian() * 3);
                    case INFINITE -> switch (r.nextInt(12)) {
                        case 0 -> Float.POSITIVE_INFINITY;
                        case 1, 2 -> Float.NEGATIVE_INFINITY;
                        default -> (float) (r.nextGaussian() * 3);
                    };
                    case STEPS -> r.nextInt(64) / 4f;
                    case NEG_INF -> Float.NEGATIVE_INFINITY;
                    case POS_INF -> Float.POSITIVE_INFINITY;
                    case SPARSE_POS_INF -> r.nextInt(8) == 0 ? Float.POSITIVE_INFINITY
                            : (float) (r.nextGaussian() * 3);
                    case EXTREME -> (r.nextBoolean() ? 1 : -1) * (r.nextInt(4) == 0 ? largest()
                            : largest() * (1 - r.nextFloat() / 16));
                    default -> throw new AssertionError(kind);
                };
                x[b][i] = HalfFloats.roundTo(type, v);
            }
        }
        return x;
    }

    /**
     * One row of an adversarial shape, rounded to the case's dtype: 0 a rising ramp (about 40
     * logits within ln 10 of each running maximum: every logit is a candidate and the buffer
     * re-filters again and again), 1 a ramp so gentle that most of the row stays valid (the
     * valid set does not fit: two passes), 2 a falling ramp (the first block holds the maximum),
     * 3 peaked noise with the maximum, tied, in the last elements and across vector lanes, 4 all
     * equal (all valid, all tied), 5 all -inf, 6 a staircase (long flat stretches, each step above
     * the last by more than ln 10), 7 infinities among peaked logits.
     */
    private float[] adversarialRow(Random r, int shape) {
        float[] x = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            float v = switch (shape) {
                case 0 -> i * (2.4f / 40) + (float) r.nextGaussian() * 0.01f;
                case 1 -> (float) i / vocab * 0.5f;
                case 2 -> -(float) i / vocab * 50f + (float) r.nextGaussian();
                case 3 -> (float) r.nextGaussian() * 3;
                case 4 -> 1.25f;
                case 5 -> Float.NEGATIVE_INFINITY;
                case 6 -> (i / 997) * 3.0f + (r.nextInt(4) == 0 ? 0.5f : 0f);
                default -> r.nextInt(9) == 0 ? Float.NEGATIVE_INFINITY
                        : r.nextInt(3000) == 0 ? Float.POSITIVE_INFINITY : (float) r.nextGaussian() * 3;
            };
            x[i] = HalfFloats.roundTo(type, v);
        }
        if (shape == 3) {
            float top = HalfFloats.roundTo(type, 20f);
            for (int i : new int[] {vocab - 1, vocab / 2 + 1, vocab / 3, Math.max(0, vocab - 7)}) {
                x[i] = top;
            }
        }
        return x;
    }

    /** The largest finite magnitude of the case's dtype: 3.4028235e38, 65504 (F16) or 3.3895314e38 (BF16). */
    private float largest() {
        return switch (type) {
            case F16 -> 65504f;
            case BF16 -> Float.intBitsToFloat(0x7F7F0000);
            default -> Float.MAX_VALUE;
        };
    }

    /** Per row, the first index of the expert's largest logit: the token greedy decoding would pick. */
    int[] greedyTokens() {
        float[][] expert = logits(new Random(seed()), expertKind);
        int[] tokens = new int[batch];
        for (int b = 0; b < batch; b++) {
            for (int i = 1; i < vocab; i++) {
                tokens[b] = expert[b][i] > expert[b][tokens[b]] ? i : tokens[b];
            }
        }
        return tokens;
    }

    @Override
    public Map<String, float[]> run(Backend be) {
        Random r = new Random(seed());
        float[][] expert = logits(r, expertKind);
        float[][] base = logits(r, baseKind);
        long[] seeds = Float.isNaN(temperature) ? null : r.longs(batch).toArray();
        return score(be, type, layout, expert, base, alpha, beta, topK, temperature, seeds);
    }

    /**
     * Contrastive scoring of {@code expert} and {@code base} ([B][V] each) on one backend, their rows placed in
     * {@code layout}, and every output by name (int outputs as floats): token, score, validCount, and with
     * {@code topK > 0} topkIndices and topkScores. {@code seeds} null is greedy, else sampling at
     * {@code temperature}. Also what the property tests build their rows with.
     */
    static Map<String, float[]> score(Backend be, DType type, Layout layout, float[][] expert, float[][] base,
            float alpha, float beta, int topK, float temperature, long[] seeds) {
        int batch = expert.length;
        int vocab = expert[0].length;
        Tensor[] rows = new Tensor[2];
        try (Tensor token = be.allocate(DType.I32, batch);
                Tensor score = be.allocate(DType.F32, batch);
                Tensor count = be.allocate(DType.I32, batch);
                Tensor ti = topK > 0 ? be.allocate(DType.I32, batch, topK) : null;
                Tensor ts = topK > 0 ? be.allocate(DType.F32, batch, topK) : null) {
            ContrastiveArgs.Builder args = ContrastiveArgs.builder().alpha(alpha).beta(beta)
                    .outputs(token, score, count);
            switch (layout) {
                case INTERLEAVED -> {
                    rows[0] = be.allocate(type, 2L * batch, vocab);
                    for (int b = 0; b < batch; b++) {
                        rows[0].writeFloats((2L * b) * vocab, expert[b]);
                        rows[0].writeFloats((2L * b + 1) * vocab, base[b]);
                    }
                    args.interleaved(rows[0]);
                }
                case SEPARATE -> {
                    rows[0] = be.allocate(type, batch, vocab);
                    rows[1] = be.allocate(type, batch, vocab);
                    for (int b = 0; b < batch; b++) {
                        rows[0].writeFloats((long) b * vocab, expert[b]);
                        rows[1].writeFloats((long) b * vocab, base[b]);
                    }
                    args.separate(rows[0], rows[1]);
                }
                case STRIDED -> {
                    // Expert rows 1, 4, 7, ... of one tensor; base rows 3, 5, 7, ... of another.
                    rows[0] = nanRows(be, type, 3L * batch + 1, vocab);
                    rows[1] = nanRows(be, type, 2L * batch + 3, vocab);
                    for (int b = 0; b < batch; b++) {
                        rows[0].writeFloats((1 + 3L * b) * vocab, expert[b]);
                        rows[1].writeFloats((3 + 2L * b) * vocab, base[b]);
                    }
                    args.expert(new LogitRows(rows[0], 1, 3)).base(new LogitRows(rows[1], 3, 2));
                }
                default -> throw new AssertionError(layout);
            }
            if (topK > 0) {
                args.topK(ti, ts);
            }
            if (seeds != null) {
                args.sample(temperature, seeds);
            }
            be.contrastive(args.build());
            Map<String, float[]> out = new LinkedHashMap<>();
            out.put("token", Inputs.toFloats(token.toIntArray()));
            out.put("score", score.toFloatArray());
            out.put("validCount", Inputs.toFloats(count.toIntArray()));
            if (topK > 0) {
                out.put("topkIndices", Inputs.toFloats(ti.toIntArray()));
                out.put("topkScores", ts.toFloatArray());
            }
            return out;
        } finally {
            for (Tensor t : rows) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    private static Tensor nanRows(Backend be, DType type, long count, int vocab) {
        Tensor t = be.allocate(type, count, vocab);
        float[] nan = new float[vocab];
        Arrays.fill(nan, Float.NaN);
        for (long row = 0; row < count; row++) {
            t.writeFloats(row * vocab, nan);
        }
        return t;
    }
}
