package dev.npukit.kernels;

import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.tensor.TensorArgs;
import dev.npukit.util.Check;

/**
 * Arguments of RoPE-fused paged attention (docs/kernels.md, paged attention).
 *
 * <ul>
 *   <li>{@code q} [numTokens, numHeads, headDim] F32/F16/BF16, queries before rotation;</li>
 *   <li>{@code kCache}, {@code vCache} [numBlocks, blockSize, numKvHeads, headDim], one float dtype;
 *       keys stored without rotation unless {@code ropeStyle} is NONE;</li>
 *   <li>{@code blockTables} I32 [numSeqs, maxBlocksPerSeq]; only the first ceil(seqLen/blockSize)
 *       entries of each row are read;</li>
 *   <li>{@code seqLens} I32 [numSeqs]: KV length of each sequence including this step's tokens;</li>
 *   <li>{@code queryStartLoc} I32 [numSeqs + 1]: rows of {@code q} of each sequence;</li>
 *   <li>{@code cosSin} F32 [maxPosition, rotaryDim] (cos in the first half of a row, sin in the
 *       second); may be null when {@code ropeStyle} is NONE;</li>
 *   <li>{@code out} [numTokens, numHeads, headDim] F32/F16/BF16.</li>
 * </ul>
 * Query row i of a sequence with qLen rows has position seqLen - qLen + i and attends to KV
 * slots 0..position. {@code rotaryDim} 0 means headDim; {@code scale} NaN means 1/sqrt(headDim).
 *
 * <p>With {@code metadata} (the step's indices, validated once, see {@link AttentionMetadata}) the
 * three index tensors are the metadata's, and a call checks only that q and the cache fit it.
 */
public record AttentionArgs(
        Tensor q,
        Tensor kCache,
        Tensor vCache,
        Tensor blockTables,
        Tensor seqLens,
        Tensor queryStartLoc,
        Tensor cosSin,
        RopeStyle ropeStyle,
        int rotaryDim,
        float scale,
        Tensor out,
        AttentionMetadata metadata) implements TensorArgs {

    /** Names of the tensor arguments, in {@link #tensor(int)} order. */
    private static final String[] TENSOR_NAMES = {"q", "kCache", "vCache", "blockTables", "seqLens", "queryStartLoc",
        "cosSin", "out"};

    @Override
    public int tensorCount() {
        return TENSOR_NAMES.length;
    }

    @Override
    public String tensorName(int i) {
        return TENSOR_NAMES[i];
    }

    /** With metadata, the three index tensors are the metadata's, so holding them holds its tensors. */
    @Override
    public Tensor tensor(int i) {
        return switch (i) {
            case 0 -> q;
            case 1 -> kCache;
            case 2 -> vCache;
            case 3 -> blockTables;
            case 4 -> seqLens;
            case 5 -> queryStartLoc;
            case 6 -> cosSin;
            case 7 -> out;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    /** Arguments whose index tensors are validated by reading them on every call (no metadata). */
    public AttentionArgs(Tensor q, Tensor kCache, Tensor vCache, Tensor blockTables, Tensor seqLens,
            Tensor queryStartLoc, Tensor cosSin, RopeStyle ropeStyle, int rotaryDim, float scale, Tensor out) {
        this(q, kCache, vCache, blockTables, seqLens, queryStartLoc, cosSin, ropeStyle, rotaryDim, scale, out, null);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Checks every argument against the others and the values of the index tensors, and returns
     * the sizes. Throws {@link IllegalArgumentException} naming the first bad argument.
     */
    public AttentionShape validate(String device) {
        if (metadata != null) {
            metadata.checkUsable(device);
        }
        Check.tensor("q", q, device, 3, DType.F32, DType.F16, DType.BF16);
        Check.tensor("kCache", kCache, device, 4, DType.F32, DType.F16, DType.BF16);
        Check.tensor("vCache", vCache, device, 4, kCache.dtype());
        Check.tensor("blockTables", blockTables, device, 2, DType.I32);
        Check.tensor("seqLens", seqLens, device, 1, DType.I32);
        Check.tensor("queryStartLoc", queryStartLoc, device, 1, DType.I32);
        Check.tensor("out", out, device, 3, DType.F32, DType.F16, DType.BF16);
        Check.arg(ropeStyle != null, "ropeStyle", "is null");

        int numTokens = Check.toInt("q", q.dim(0));
        int numHeads = Check.toInt("q", q.dim(1));
        int headDim = Check.toInt("q", q.dim(2));
        int numBlocks = Check.toInt("kCache", kCache.dim(0));
        int blockSize = Check.toInt("kCache", kCache.dim(1));
        int numKvHeads = Check.toInt("kCache", kCache.dim(2));
        Check.arg(numHeads > 0 && headDim > 0, "q", "numHeads and headDim must be positive");
        Check.arg(blockSize > 0 && numKvHeads > 0, "kCache", "blockSize and numKvHeads must be positive");
        Check.dim("kCache", kCache, 3, headDim, "headDim of q");
        Check.arg(numHeads % numKvHeads == 0, "kCache", "numKvHeads %d does not divide numHeads %d of q",
                numKvHeads, numHeads);
        for (int i = 0; i < 4; i++) {
            Check.dim("vCache", vCache, i, kCache.dim(i), "same shape as kCache");
        }
        Check.dim("out", out, 0, numTokens, "numTokens of q");
        Check.dim("out", out, 1, numHeads, "numHeads of q");
        Check.dim("out", out, 2, headDim, "headDim of q");

        int numSeqs = Check.toInt("seqLens", seqLens.dim(0));
        int maxBlocksPerSeq = Check.toInt("blockTables", blockTables.dim(1));
        Check.dim("blockTables", blockTables, 0, numSeqs, "numSeqs = length of seqLens");
        Check.dim("queryStartLoc", queryStartLoc, 0, numSeqs + 1L, "numSeqs + 1");
        Check.toInt("queryStartLoc", queryStartLoc.dim(0));

        int rot = rotaryDim == 0 ? headDim : rotaryDim;
        int maxPosition = 0;
        if (ropeStyle != RopeStyle.NONE) {
            Check.arg(rot > 0 && rot % 2 == 0 && rot <= headDim, "rotaryDim",
                    "is %d; must be even, positive and at most headDim %d", rot, headDim);
            Check.tensor("cosSin", cosSin, device, 2, DType.F32);
            Check.dim("cosSin", cosSin, 1, rot, "rotaryDim");
            maxPosition = Check.toInt("cosSin", cosSin.dim(0));
        } else {
            Check.arg(rotaryDim >= 0 && rotaryDim <= headDim, "rotaryDim", "is %d; must be in [0, headDim %d]",
                    rotaryDim, headDim);
        }
        float s = Float.isNaN(scale) ? (float) (1.0 / Math.sqrt(headDim)) : scale;
        Check.arg(Float.isFinite(s), "scale", "is %s; must be finite", s);

        if (metadata != null) {
            Check.arg(blockTables == metadata.blockTables() && seqLens == metadata.seqLens()
                    && queryStartLoc == metadata.queryStartLoc(), "metadata",
                    "does not hold the call's blockTables, seqLens and queryStartLoc");
            Check.arg(numTokens == metadata.numTokens(), "q", "has %d rows, the metadata has %d query rows",
                    numTokens, metadata.numTokens());
            Check.arg(numBlocks == metadata.numBlocks() && blockSize == metadata.blockSize(), "kCache",
                    "has %d blocks of %d, the metadata was validated for %d blocks of %d", numBlocks, blockSize,
                    metadata.numBlocks(), metadata.blockSize());
            Check.arg(ropeStyle == RopeStyle.NONE || metadata.maxQueriedSeqLen() <= maxPosition, "cosSin",
                    "has %d positions, the metadata's sequences need %d", maxPosition, metadata.maxQueriedSeqLen());
        } else {
            checkIndices(numTokens, numBlocks, blockSize, numSeqs, maxBlocksPerSeq, maxPosition);
        }
        return new AttentionShape(numTokens, numHeads, numKvHeads, headDim, numBlocks, blockSize, numSeqs,
                maxBlocksPerSeq, ropeStyle == RopeStyle.NONE ? 0 : rot, maxPosition, s);
    }

    private void checkIndices(int numTokens, int numBlocks, int blockSize, int numSeqs, int maxBlocksPerSeq,
            int maxPosition) {
        int[] lens = seqLens.toIntArray();
        int[] starts = queryStartLoc.toIntArray();
        int[] tables = blockTables.toIntArray();
        Check.arg(starts[0] == 0, "queryStartLoc", "entry 0 is %d, must be 0", starts[0]);
        Check.arg(starts[numSeqs] == numTokens, "queryStartLoc", "last entry is %d, must equal numTokens %d",
                starts[numSeqs], numTokens);
        for (int seq = 0; seq < numSeqs; seq++) {
            int qLen = starts[seq + 1] - starts[seq];
            Check.arg(qLen >= 0, "queryStartLoc", "decreases at sequence %d (%d then %d)", seq, starts[seq],
                    starts[seq + 1]);
            Check.arg(lens[seq] >= qLen, "seqLens", "sequence %d has length %d, shorter than its %d query rows",
                    seq, lens[seq], qLen);
            Check.arg((long) lens[seq] <= (long) maxBlocksPerSeq * blockSize, "seqLens",
                    "sequence %d has length %d, more than its block table holds (%d blocks of %d)", seq, lens[seq],
                    maxBlocksPerSeq, blockSize);
            if (ropeStyle != RopeStyle.NONE && qLen > 0) {
                Check.arg(lens[seq] <= maxPosition, "cosSin", "has %d positions, sequence %d needs %d",
                        maxPosition, seq, lens[seq]);
            }
            int used = (int) ((lens[seq] + (long) blockSize - 1) / blockSize);
            for (int b = 0; b < used && qLen > 0; b++) {
                int id = tables[seq * maxBlocksPerSeq + b];
                if (id < 0 || id >= numBlocks) {  // tested first: Check.arg would box four values per entry
                    Check.arg(false, "blockTables", "entry [%d][%d] is %d, outside [0, %d)", seq, b, id, numBlocks);
                }
            }
        }
    }

    /** Builds {@link AttentionArgs} with the defaults ropeStyle NEOX, full rotary, scale 1/sqrt(headDim). */
    public static final class Builder {
        private Tensor q;
        private Tensor kCache;
        private Tensor vCache;
        private Tensor blockTables;
        private Tensor seqLens;
        private Tensor queryStartLoc;
        private Tensor cosSin;
        private RopeStyle ropeStyle = RopeStyle.NEOX;
        private int rotaryDim;
        private float scale = Float.NaN;
        private Tensor out;
        private AttentionMetadata metadata;

        public Builder q(Tensor v) {
            q = v;
            return this;
        }

        public Builder kvCache(Tensor k, Tensor v) {
            kCache = k;
            vCache = v;
            return this;
        }

        public Builder blockTables(Tensor v) {
            blockTables = v;
            return this;
        }

        public Builder seqLens(Tensor v) {
            seqLens = v;
            return this;
        }

        public Builder queryStartLoc(Tensor v) {
            queryStartLoc = v;
            return this;
        }

        /** The step's index tensors, validated once: sets blockTables, seqLens and queryStartLoc. */
        public Builder metadata(AttentionMetadata v) {
            metadata = v;
            blockTables = v == null ? null : v.blockTables();
            seqLens = v == null ? null : v.seqLens();
            queryStartLoc = v == null ? null : v.queryStartLoc();
            return this;
        }

        public Builder rope(RopeStyle style, Tensor table) {
            ropeStyle = style;
            cosSin = table;
            return this;
        }

        public Builder rotaryDim(int v) {
            rotaryDim = v;
            return this;
        }

        public Builder scale(float v) {
            scale = v;
            return this;
        }

        public Builder out(Tensor v) {
            out = v;
            return this;
        }

        public AttentionArgs build() {
            return new AttentionArgs(q, kCache, vCache, blockTables, seqLens, queryStartLoc, cosSin, ropeStyle,
                    rotaryDim, scale, out, metadata);
        }
    }
}
