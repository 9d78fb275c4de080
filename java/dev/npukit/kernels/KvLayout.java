package dev.npukit.kernels;

/**
 * How a paged KV cache tensor orders its four dimensions (docs/kernels.md, KV cache layouts). Both
 * layouts hold the same values with the same semantics: slot j of a sequence is row
 * {@code j % blockSize} of block {@code blockTables[s][j / blockSize]}; only the order in memory
 * differs. Chosen per cache tensor; the key and value caches of one call share it.
 */
public enum KvLayout {
    /**
     * [numBlocks, blockSize, numKvHeads, headDim]: a slot's KV heads are contiguous (one token's
     * K or V row is one copy).
     */
    NHD(0),
    /**
     * [numBlocks, numKvHeads, blockSize, headDim]: each KV head of a block is contiguous
     * (blockSize * headDim elements), so a kernel reading one head streams front to back.
     */
    HND(1);

    private final int code;

    KvLayout(int code) {
        this.code = code;
    }

    /**
     * The code the native API uses (see native/include/npukit/common.h).
     *
     * @return 0 for NHD, 1 for HND
     */
    public int code() {
        return code;
    }

    /**
     * Which dimension of a cache tensor in this layout holds the slots of a block.
     *
     * @return 1 for NHD, 2 for HND
     */
    public int blockSizeDim() {
        return this == NHD ? 1 : 2;
    }

    /**
     * Which dimension of a cache tensor in this layout holds the KV heads.
     *
     * @return 2 for NHD, 1 for HND
     */
    public int kvHeadsDim() {
        return this == NHD ? 2 : 1;
    }

    /**
     * The shape of a cache tensor in this layout.
     *
     * @param numBlocks blocks of the cache
     * @param blockSize slots per block
     * @param numKvHeads KV heads
     * @param headDim elements per head
     * @return the four dimensions in this layout's order
     */
    public long[] shape(long numBlocks, long blockSize, long numKvHeads, long headDim) {
        return this == NHD ? new long[] {numBlocks, blockSize, numKvHeads, headDim}
                : new long[] {numBlocks, numKvHeads, blockSize, headDim};
    }

    /**
     * Element offset of the first element of one head of one slot in a cache tensor in this layout.
     *
     * @param block block id
     * @param row slot within the block, in [0, blockSize)
     * @param head KV head, in [0, numKvHeads)
     * @param blockSize slots per block
     * @param numKvHeads KV heads
     * @param headDim elements per head
     * @return the offset; the head's headDim elements follow it contiguously
     */
    public long offset(long block, long row, long head, long blockSize, long numKvHeads, long headDim) {
        long inBlock = this == NHD ? row * numKvHeads + head : head * blockSize + row;
        return (block * blockSize * numKvHeads + inBlock) * headDim;
    }
}
