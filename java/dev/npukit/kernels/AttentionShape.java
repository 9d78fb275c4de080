package dev.npukit.kernels;

/** The sizes of one validated {@link AttentionArgs} call, derived from its tensors. */
public record AttentionShape(
        int numTokens,
        int numHeads,
        int numKvHeads,
        int headDim,
        int numBlocks,
        int blockSize,
        int numSeqs,
        int maxBlocksPerSeq,
        int rotaryDim,
        int maxPosition,
        float scale) {

    /** Query heads per KV head (grouped-query attention). */
    public int groupSize() {
        return numHeads / numKvHeads;
    }
}
