package dev.npukit.kernels;

/**
 * The sizes of one validated {@link AttentionArgs} call, derived from its tensors.
 *
 * @param numTokens query rows of the step
 * @param numHeads query heads
 * @param numKvHeads KV heads; divides numHeads
 * @param headDim elements per head
 * @param numBlocks KV blocks of the cache
 * @param blockSize tokens per KV block
 * @param numSeqs sequences of the step
 * @param maxBlocksPerSeq block table entries per sequence
 * @param rotaryDim dimensions rotated by the kernel's RoPE (even, at most headDim); 0 without RoPE
 * @param maxPosition positions the cos/sin table holds; 0 without RoPE
 * @param scale the attention score scale; 1/sqrt(headDim) unless the call gave one
 */
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

    /**
     * Query heads per KV head (grouped-query attention).
     *
     * @return numHeads / numKvHeads
     */
    public int groupSize() {
        return numHeads / numKvHeads;
    }
}
