package dev.npukit.kernels;

import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.tensor.TensorArgs;
import dev.npukit.tensor.TensorSlots;
import dev.npukit.util.Check;

/**
 * Arguments of RoPE-fused paged attention (docs/kernels.md, paged attention). Build them with
 * {@link #builder()}, which states the rotation ({@link Builder#rope} or {@link Builder#noRope})
 * and computes the defaults of {@code rotaryDim} and {@code scale} from headDim.
 *
 * <p>Query row i of a sequence with qLen rows has position seqLen - qLen + i and attends to KV
 * slots 0..position. With {@code metadata} (the step's indices, validated once, see
 * {@link AttentionMetadata}) the three index tensors are the metadata's, and a call checks only
 * that q and the cache fit it.
 *
 * @param q [numTokens, numHeads, headDim] F32/F16/BF16, queries before rotation
 * @param kCache [numBlocks, blockSize, numKvHeads, headDim] (NHD) or [numBlocks, numKvHeads, blockSize,
 *        headDim] (HND, see {@code layout}) F32/F16/BF16; keys stored without rotation unless
 *        {@code ropeStyle} is NONE
 * @param vCache the values, same shape, dtype and layout as {@code kCache}
 * @param blockTables I32 [numSeqs, maxBlocksPerSeq]; only the first ceil(seqLen/blockSize) entries
 *        of each row are read
 * @param seqLens I32 [numSeqs]: KV length of each sequence including this step's tokens
 * @param queryStartLoc I32 [numSeqs + 1]: rows of {@code q} of each sequence
 * @param cosSin F32 [maxPosition, rotaryDim], cos in the first half of a row and sin in the
 *        second ({@link RopeTables#cosSin}); may be null when {@code ropeStyle} is NONE
 * @param ropeStyle how q and the keys are rotated; NONE when they are stored rotated
 * @param rotaryDim number of leading dimensions of each head that are rotated: positive, even and at
 *        most headDim when rotating, at most headDim with NONE
 * @param scale factor on the scores q.k, finite (usually 1/sqrt(headDim))
 * @param out [numTokens, numHeads, headDim] F32/F16/BF16, written
 * @param metadata the step's validated index tensors, or null to read and check the index tensors on
 *        this call
 * @param layout the order of the dimensions of {@code kCache} and {@code vCache}
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
        AttentionMetadata metadata,
        KvLayout layout) implements TensorArgs {

    /**
     * Refuses values that are not arguments: a null {@code ropeStyle} or {@code layout}, a
     * {@code rotaryDim} that is not positive, a {@code scale} that is not finite. The tensors are
     * checked by {@link #validate}.
     *
     * @param q queries [numTokens, numHeads, headDim], before rotation
     * @param kCache keys, in {@code layout}
     * @param vCache values, shaped as {@code kCache}
     * @param blockTables I32 [numSeqs, maxBlocksPerSeq]
     * @param seqLens I32 [numSeqs]
     * @param queryStartLoc I32 [numSeqs + 1]
     * @param cosSin F32 [maxPosition, rotaryDim], or null with NONE
     * @param ropeStyle the rotation, not null
     * @param rotaryDim rotated dimensions per head, positive
     * @param scale factor on the scores, finite
     * @param out the result [numTokens, numHeads, headDim]
     * @param metadata the step's validated index tensors, or null
     * @param layout the caches' layout, not null
     * @throws IllegalArgumentException naming {@code ropeStyle}, {@code rotaryDim}, {@code scale} or
     *         {@code layout}
     */
    public AttentionArgs {
        Check.arg(ropeStyle != null, "ropeStyle", "is null; RopeStyle.NONE means no rotation");
        Check.arg(layout != null, "layout", "is null; KvLayout.NHD is the default");
        Check.arg(rotaryDim > 0, "rotaryDim", "is %d, must be positive (the builder defaults it to headDim)",
                rotaryDim);
        Check.arg(Float.isFinite(scale), "scale", "is %s, must be finite (the builder defaults it to "
                + "1/sqrt(headDim))", scale);
    }

    /** The tensor arguments, in {@link #tensor(int)} order, and those the kernel writes. */
    private static final TensorSlots SLOTS = TensorSlots.of("q", "kCache", "vCache", "blockTables", "seqLens",
            "queryStartLoc", "cosSin", "out").written("out");

    /** {@inheritDoc} */
    @Override
    public TensorSlots slots() {
        return SLOTS;
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

    /**
     * Arguments whose index tensors are validated by reading them on every call (no metadata), over
     * caches in the {@link KvLayout#NHD} layout.
     *
     * @param q queries [numTokens, numHeads, headDim], before rotation
     * @param kCache keys [numBlocks, blockSize, numKvHeads, headDim]
     * @param vCache values, shaped as {@code kCache}
     * @param blockTables I32 [numSeqs, maxBlocksPerSeq]
     * @param seqLens I32 [numSeqs]
     * @param queryStartLoc I32 [numSeqs + 1]
     * @param cosSin F32 [maxPosition, rotaryDim], or null with NONE
     * @param ropeStyle the rotation, not null
     * @param rotaryDim rotated dimensions per head, positive
     * @param scale factor on the scores, finite
     * @param out the result [numTokens, numHeads, headDim]
     * @throws IllegalArgumentException as the canonical constructor
     */
    public AttentionArgs(Tensor q, Tensor kCache, Tensor vCache, Tensor blockTables, Tensor seqLens,
            Tensor queryStartLoc, Tensor cosSin, RopeStyle ropeStyle, int rotaryDim, float scale, Tensor out) {
        this(q, kCache, vCache, blockTables, seqLens, queryStartLoc, cosSin, ropeStyle, rotaryDim, scale, out, null,
                KvLayout.NHD);
    }

    /**
     * Starts a builder.
     *
     * @return a builder with nothing set; {@link Builder#build()} says what is missing
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Checks every argument against the others and the values of the index tensors, and returns
     * the sizes. Backends call it before running the kernel.
     *
     * @param device name of the backend that runs the call; every tensor must live there
     * @return the sizes of the call
     * @throws IllegalArgumentException naming the first bad argument
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

        int numTokens = Check.toInt("q", q.dim(0));
        int numHeads = Check.toInt("q", q.dim(1));
        int headDim = Check.toInt("q", q.dim(2));
        int numBlocks = Check.toInt("kCache", kCache.dim(0));
        int blockSize = Check.toInt("kCache", kCache.dim(layout.blockSizeDim()));
        int numKvHeads = Check.toInt("kCache", kCache.dim(layout.kvHeadsDim()));
        Check.arg(numHeads > 0 && headDim > 0, "q", "numHeads and headDim must be positive");
        Check.arg(blockSize > 0 && numKvHeads > 0, "kCache", "blockSize and numKvHeads must be positive");
        Check.dim("kCache", kCache, 3, headDim, "headDim of q");
        Check.arg(numHeads % numKvHeads == 0, "kCache", "numKvHeads %d (dimension %d in layout %s) does not divide "
                + "numHeads %d of q", numKvHeads, layout.kvHeadsDim(), layout, numHeads);
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

        int maxPosition = 0;
        if (ropeStyle != RopeStyle.NONE) {
            Check.arg(rotaryDim % 2 == 0 && rotaryDim <= headDim, "rotaryDim",
                    "is %d; must be even, positive and at most headDim %d", rotaryDim, headDim);
            Check.tensor("cosSin", cosSin, device, 2, DType.F32);
            Check.dim("cosSin", cosSin, 1, rotaryDim, "rotaryDim");
            maxPosition = Check.toInt("cosSin", cosSin.dim(0));
        } else {
            Check.arg(rotaryDim <= headDim, "rotaryDim", "is %d; must be in [1, headDim %d]", rotaryDim, headDim);
        }

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
                maxBlocksPerSeq, ropeStyle == RopeStyle.NONE ? 0 : rotaryDim, maxPosition, scale);
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

    /**
     * Builds {@link AttentionArgs}. The rotation must be stated: {@link #rope(RopeStyle, Tensor)}
     * or {@link #noRope()}. Defaults, computed by {@link #build()} from headDim (the last
     * dimension of q) when their setter was not called: {@code rotaryDim} = headDim (the whole
     * head is rotated), {@code scale} = 1/sqrt(headDim). Not thread-safe; one builder can build
     * several records.
     */
    public static final class Builder {
        private Tensor q;
        private Tensor kCache;
        private Tensor vCache;
        private Tensor blockTables;
        private Tensor seqLens;
        private Tensor queryStartLoc;
        private Tensor cosSin;
        private RopeStyle ropeStyle;
        private Integer rotaryDim;
        private Float scale;
        private Tensor out;
        private AttentionMetadata metadata;
        private KvLayout layout = KvLayout.NHD;

        private Builder() {
        }

        /**
         * Sets the queries.
         *
         * @param v [numTokens, numHeads, headDim] F32/F16/BF16, before rotation
         * @return this builder
         */
        public Builder q(Tensor v) {
            q = v;
            return this;
        }

        /**
         * Sets the paged KV cache.
         *
         * @param k keys, F32/F16/BF16, shaped as {@link #kvLayout} says (default NHD: [numBlocks,
         *        blockSize, numKvHeads, headDim])
         * @param v values, same shape and dtype as {@code k}
         * @return this builder
         */
        public Builder kvCache(Tensor k, Tensor v) {
            kCache = k;
            vCache = v;
            return this;
        }

        /**
         * Sets the layout of the KV cache tensors.
         *
         * @param v NHD (the default) or HND
         * @return this builder
         * @throws IllegalArgumentException "layout: ..." if {@code v} is null
         */
        public Builder kvLayout(KvLayout v) {
            Check.arg(v != null, "layout", "is null; KvLayout.NHD is the default");
            layout = v;
            return this;
        }

        /**
         * Sets the block table, read and checked on every call (see {@link #metadata}).
         *
         * @param v I32 [numSeqs, maxBlocksPerSeq]
         * @return this builder
         */
        public Builder blockTables(Tensor v) {
            blockTables = v;
            return this;
        }

        /**
         * Sets the sequence lengths, read and checked on every call (see {@link #metadata}).
         *
         * @param v I32 [numSeqs], KV length of each sequence including this step's tokens
         * @return this builder
         */
        public Builder seqLens(Tensor v) {
            seqLens = v;
            return this;
        }

        /**
         * Sets the query row offsets, read and checked on every call (see {@link #metadata}).
         *
         * @param v I32 [numSeqs + 1], rows of q of each sequence
         * @return this builder
         */
        public Builder queryStartLoc(Tensor v) {
            queryStartLoc = v;
            return this;
        }

        /**
         * Sets the step's index tensors, validated once: blockTables, seqLens and queryStartLoc
         * become the metadata's.
         *
         * @param v the step's metadata, or null to unset it (and the three index tensors)
         * @return this builder
         */
        public Builder metadata(AttentionMetadata v) {
            metadata = v;
            blockTables = v == null ? null : v.blockTables();
            seqLens = v == null ? null : v.seqLens();
            queryStartLoc = v == null ? null : v.queryStartLoc();
            return this;
        }

        /**
         * Rotates q and the cached keys inside the kernel.
         *
         * @param style NEOX or GPTJ (NONE: no rotation, as {@link #noRope()}; the table is then not read)
         * @param table F32 [maxPosition, rotaryDim] cos/sin table ({@link RopeTables#cosSin})
         * @return this builder
         * @throws IllegalArgumentException "ropeStyle: ..." if {@code style} is null
         */
        public Builder rope(RopeStyle style, Tensor table) {
            Check.arg(style != null, "ropeStyle", "is null; noRope() states no rotation");
            ropeStyle = style;
            cosSin = table;
            return this;
        }

        /**
         * No rotation in the kernel (style NONE): q and the cached keys are already rotated.
         *
         * @return this builder
         */
        public Builder noRope() {
            ropeStyle = RopeStyle.NONE;
            cosSin = null;
            return this;
        }

        /**
         * Sets how many leading dimensions of each head are rotated (partial rotary).
         *
         * @param v even, positive and at most headDim (checked by the call); default headDim
         * @return this builder
         */
        public Builder rotaryDim(int v) {
            rotaryDim = v;
            return this;
        }

        /**
         * Sets the factor on the scores q.k.
         *
         * @param v finite; default 1/sqrt(headDim)
         * @return this builder
         */
        public Builder scale(float v) {
            scale = v;
            return this;
        }

        /**
         * Sets the output.
         *
         * @param v [numTokens, numHeads, headDim] F32/F16/BF16, written by the call
         * @return this builder
         */
        public Builder out(Tensor v) {
            out = v;
            return this;
        }

        /**
         * The record, with {@code rotaryDim} and {@code scale} resolved from headDim where they
         * were not set.
         *
         * @return the arguments, not yet validated against each other (the call does that)
         * @throws IllegalArgumentException "ropeStyle: not set ..." when neither {@link #rope} nor
         *         {@link #noRope()} was called; "q: ..." when a default is needed and q is null,
         *         not of rank 3 or has headDim 0; as the record's constructor for bad values
         */
        public AttentionArgs build() {
            Check.arg(ropeStyle != null, "ropeStyle", "not set; call rope(style, cosSin) or noRope()");
            int rot;
            float s;
            if (rotaryDim != null && scale != null) {
                rot = rotaryDim;
                s = scale;
            } else {
                long headDim = headDim();
                rot = rotaryDim != null ? rotaryDim : Check.toInt("q", headDim);
                s = scale != null ? scale : (float) (1.0 / Math.sqrt(headDim));
            }
            return new AttentionArgs(q, kCache, vCache, blockTables, seqLens, queryStartLoc, cosSin, ropeStyle,
                    rot, s, out, metadata, layout);
        }

        /** headDim of q, from which the defaults are computed. */
        private long headDim() {
            Check.arg(q != null, "q", "is null; the defaults of rotaryDim and scale come from its headDim");
            Check.arg(q.rank() == 3, "q", "rank is %d, expected 3 [numTokens, numHeads, headDim]", q.rank());
            Check.arg(q.dim(2) > 0, "q", "headDim is 0, must be positive");
            return q.dim(2);
        }
    }
}
