package dev.npukit.kernels;

import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.tensor.TensorArgs;
import dev.npukit.tensor.TensorSlots;
import dev.npukit.util.Check;

/**
 * Arguments of batched expert/base contrastive scoring, CoLD's decoding rule (docs/kernels.md, contrastive scoring).
 *
 * <p>For each row b, with expert logits e and base logits a: {@code m = max e};
 * valid = {i : e_i &gt;= m + ln alpha}; {@code cd_i = (1 + beta) e_i - beta a_i} on the valid
 * set. Outputs: {@code token[b]} = argmax cd (ties to the lowest index), {@code score[b]} = cd of
 * that token, {@code validCount[b]}; optionally the top-k valid tokens by cd (descending, ties to
 * the lower index, slots beyond the valid set hold index -1 and score -inf); optionally Gumbel-max
 * sampling: the token maximizing {@code cd_i / temperature + g_i}, with noise g from a
 * counter-based hash of (seeds[b], b, i), identical on every backend. The full contract,
 * including the exact noise formula, is in native/include/npukit/contrastive.h.
 *
 * <p>A NaN in an expert or base row fails the call with an {@link IllegalArgumentException}
 * naming the row ("expert: row 3 contains NaN"); no output is written then.
 *
 * @param expert the expert rows, [*, vocab] F32/F16/BF16
 * @param base the base rows, same dtype and vocab as expert
 * @param alpha plausibility threshold, in (0, 1]
 * @param beta contrast strength, finite and &gt;= 0
 * @param token I32 [B]; B is taken from its length
 * @param score F32 [B]
 * @param validCount I32 [B]
 * @param topkIndices I32 [B, k] or null (then topkScores is null too)
 * @param topkScores F32 [B, k] or null
 * @param temperature sampling temperature, finite and &gt; 0; only read when seeds is given
 * @param seeds one seed per row for sampling, or null for greedy
 */
public record ContrastiveArgs(
        LogitRows expert,
        LogitRows base,
        float alpha,
        float beta,
        Tensor token,
        Tensor score,
        Tensor validCount,
        Tensor topkIndices,
        Tensor topkScores,
        float temperature,
        long[] seeds) implements TensorArgs {

    /** The tensor arguments, in {@link #tensor(int)} order, and those the kernel writes. */
    private static final TensorSlots SLOTS = TensorSlots.of("expert", "base", "token", "score", "validCount",
            "topkIndices", "topkScores").written("token", "score", "validCount", "topkIndices", "topkScores");

    /** {@inheritDoc} */
    @Override
    public TensorSlots slots() {
        return SLOTS;
    }

    @Override
    public Tensor tensor(int i) {
        return switch (i) {
            case 0 -> expert == null ? null : expert.logits();
            case 1 -> base == null ? null : base.logits();
            case 2 -> token;
            case 3 -> score;
            case 4 -> validCount;
            case 5 -> topkIndices;
            case 6 -> topkScores;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    /** CoLD's defaults (O'Brien and Lewis 2023): alpha 0.1, beta 0.5. */
    public static final float DEFAULT_ALPHA = 0.1f;

    /** CoLD's default contrast strength beta, 0.5. */
    public static final float DEFAULT_BETA = 0.5f;

    /**
     * Sizes of a validated call. {@code lnAlpha} is computed once here, in Java, and used by
     * every backend, so all of them compare against the same float threshold.
     *
     * @param batch rows B, the length of token
     * @param vocab logits per row
     * @param topK k of the top-k outputs; 0 without them
     * @param lnAlpha ln alpha as a float, the threshold below the expert's row maximum
     * @param sampling whether the call samples (seeds given) instead of taking the argmax
     */
    public record Shape(int batch, int vocab, int topK, float lnAlpha, boolean sampling) {
    }

    /**
     * A builder with alpha {@value #DEFAULT_ALPHA}, beta {@value #DEFAULT_BETA}, greedy, no top-k.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Checks every argument; throws {@link IllegalArgumentException} naming the first bad one.
     *
     * @param device the backend the call runs on; every tensor must live on it
     * @return the call's sizes
     * @throws IllegalArgumentException naming the first bad argument: a null or closed tensor, one on another
     *     backend, a wrong dtype, rank or dimension, rows that do not fit the logits, alpha outside (0, 1], beta not
     *     finite or negative, only one of the top-k tensors, k outside [1, vocab], or with seeds a seed count other
     *     than B or a temperature that is not finite and positive
     */
    public Shape validate(String device) {
        Check.arg(expert != null, "expert", "is null");
        Check.arg(base != null, "base", "is null");
        Tensor e = Check.tensor("expert", expert.logits(), device, 2, DType.F32, DType.F16, DType.BF16);
        Tensor a = Check.tensor("base", base.logits(), device, 2, e.dtype());
        int vocab = Check.toInt("expert", e.dim(1));
        Check.arg(vocab >= 1, "expert", "vocab size is 0");
        Check.dim("base", a, 1, vocab, "vocab of expert");

        Check.tensor("token", token, device, 1, DType.I32);
        int batch = Check.toInt("token", token.dim(0));
        Check.tensor("score", score, device, 1, DType.F32);
        Check.dim("score", score, 0, batch, "batch = length of token");
        Check.tensor("validCount", validCount, device, 1, DType.I32);
        Check.dim("validCount", validCount, 0, batch, "batch = length of token");
        checkRows("expert", expert, batch);
        checkRows("base", base, batch);

        Check.arg(alpha > 0 && alpha <= 1, "alpha", "is %s; must be in (0, 1]", alpha);
        Check.arg(Float.isFinite(beta) && beta >= 0, "beta", "is %s; must be finite and >= 0", beta);

        int topK = 0;
        Check.arg((topkIndices == null) == (topkScores == null), "topkIndices",
                "topkIndices and topkScores must both be given or both be null");
        if (topkIndices != null) {
            Check.tensor("topkIndices", topkIndices, device, 2, DType.I32);
            Check.tensor("topkScores", topkScores, device, 2, DType.F32);
            Check.dim("topkIndices", topkIndices, 0, batch, "batch = length of token");
            topK = Check.toInt("topkIndices", topkIndices.dim(1));
            Check.arg(topK >= 1 && topK <= vocab, "topkIndices", "k = %d must be in [1, vocab %d]", topK, vocab);
            Check.dim("topkScores", topkScores, 0, batch, "batch = length of token");
            Check.dim("topkScores", topkScores, 1, topK, "k of topkIndices");
        }
        if (seeds != null) {
            Check.arg(seeds.length == batch, "seeds", "has %d entries for a batch of %d", seeds.length, batch);
            Check.arg(Float.isFinite(temperature) && temperature > 0, "temperature",
                    "is %s; must be finite and > 0", temperature);
        }
        return new Shape(batch, vocab, topK, (float) Math.log(alpha), seeds != null);
    }

    private static void checkRows(String name, LogitRows rows, int batch) {
        long available = Check.toInt(name, rows.logits().dim(0));
        Check.arg(rows.firstRow() >= 0, name, "firstRow is %d; must be >= 0", rows.firstRow());
        Check.arg(rows.rowStride() >= 1, name, "rowStride is %d; must be >= 1", rows.rowStride());
        if (batch > 0) {
            Check.arg(rows.firstRow() < available && (batch - 1) <= (available - 1 - rows.firstRow()) / rows.rowStride(),
                    name, "rows %d + b * %d for b < %d do not fit in %d rows", rows.firstRow(), rows.rowStride(),
                    batch, available);
        }
    }

    /** Builds {@link ContrastiveArgs}; alpha 0.1, beta 0.5, greedy, no top-k unless set. */
    public static final class Builder {
        private LogitRows expert;
        private LogitRows base;
        private float alpha = DEFAULT_ALPHA;
        private float beta = DEFAULT_BETA;
        private Tensor token;
        private Tensor score;
        private Tensor validCount;
        private Tensor topkIndices;
        private Tensor topkScores;
        private float temperature = Float.NaN;
        private long[] seeds;

        /**
         * Expert rows 0, 2, 4, ... and base rows 1, 3, 5, ... of one [2B, vocab] batch.
         *
         * @param logits the interleaved batch, F32/F16/BF16
         * @return this builder
         */
        public Builder interleaved(Tensor logits) {
            expert = LogitRows.expertRowsOf(logits);
            base = LogitRows.baseRowsOf(logits);
            return this;
        }

        /**
         * Two separate [B, vocab] tensors.
         *
         * @param expertLogits the expert rows, F32/F16/BF16
         * @param baseLogits the base rows, same dtype and vocab
         * @return this builder
         */
        public Builder separate(Tensor expertLogits, Tensor baseLogits) {
            expert = LogitRows.all(expertLogits);
            base = LogitRows.all(baseLogits);
            return this;
        }

        /**
         * Sets the expert rows as any row view.
         *
         * @param v the expert rows
         * @return this builder
         */
        public Builder expert(LogitRows v) {
            expert = v;
            return this;
        }

        /**
         * Sets the base rows as any row view.
         *
         * @param v the base rows
         * @return this builder
         */
        public Builder base(LogitRows v) {
            base = v;
            return this;
        }

        /**
         * Sets the plausibility threshold (default {@value ContrastiveArgs#DEFAULT_ALPHA}).
         *
         * @param v alpha in (0, 1]; checked when the call validates
         * @return this builder
         */
        public Builder alpha(float v) {
            alpha = v;
            return this;
        }

        /**
         * Sets the contrast strength (default {@value ContrastiveArgs#DEFAULT_BETA}).
         *
         * @param v beta, finite and &gt;= 0; 0 scores the expert alone; checked when the call validates
         * @return this builder
         */
        public Builder beta(float v) {
            beta = v;
            return this;
        }

        /**
         * The three per-row outputs, overwritten by the call.
         *
         * @param tokenOut I32 [B]: the chosen token of each row; B is taken from its length
         * @param scoreOut F32 [B]: the chosen token's cd
         * @param validCountOut I32 [B]: the size of each row's valid set
         * @return this builder
         */
        public Builder outputs(Tensor tokenOut, Tensor scoreOut, Tensor validCountOut) {
            token = tokenOut;
            score = scoreOut;
            validCount = validCountOut;
            return this;
        }

        /**
         * Also report the top-k valid tokens, by cd descending (ties to the lower index); slots beyond the valid
         * set hold index -1 and score -inf.
         *
         * @param indices I32 [B, k], 1 &lt;= k &lt;= vocab
         * @param scores F32 [B, k]
         * @return this builder
         */
        public Builder topK(Tensor indices, Tensor scores) {
            topkIndices = indices;
            topkScores = scores;
            return this;
        }

        /**
         * Sample with Gumbel-max at this temperature, one seed per row (the array is not copied).
         *
         * @param temp the temperature, finite and &gt; 0
         * @param rowSeeds B seeds, row b's noise derived from rowSeeds[b]; null restores greedy decoding
         * @return this builder
         */
        public Builder sample(float temp, long[] rowSeeds) {
            temperature = temp;
            seeds = rowSeeds;
            return this;
        }

        /**
         * The arguments as set; checked when the call validates them.
         *
         * @return the arguments
         */
        public ContrastiveArgs build() {
            return new ContrastiveArgs(expert, base, alpha, beta, token, score, validCount, topkIndices, topkScores,
                    temperature, seeds);
        }
    }
}
