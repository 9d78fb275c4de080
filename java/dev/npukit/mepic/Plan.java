package dev.npukit.mepic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the engine must do for one admitted request: the padded token sequence, the block table (block ids in
 * {@code [0, capacity)} of the manager's pool, one per {@code blockSize} tokens), and the token ranges of the
 * padded sequence whose KV must be computed and those whose KV must be loaded from the chunk store; every other
 * token's KV is already in its block. The table grows
 * with {@link CacheManager#grow}; the plan's blocks return to the pool with {@link CacheManager#release}.
 *
 * <p>The mutable parts are guarded by the owning manager's lock, so the accessors are safe from any thread.
 */
public final class Plan {
    private final Object lock;
    private final Request request;
    private final int blockSize;
    private final int promptLength;
    private final int[] paddedTokens;
    private final int[] segmentStarts;
    private final List<TokenRange> computeRanges;
    private final int computedTokens;
    private final List<TokenRange> loadRanges;
    private final int loadedTokens;

    // Written by CacheManager under the lock.
    final PaddedLayout layout;
    int[] table;
    byte[] sources;
    int tableSize;
    int length;
    int reserved;
    boolean published;
    boolean released;
    final List<ChunkCache.Entry> pinned = new ArrayList<>(4);
    /** MEPIC: chunk objects whose canonical blocks this plan loads, until {@link CacheManager#markLoaded}. */
    final List<ChunkCache.Entry> loading = new ArrayList<>(0);

    Plan(Object lock, Request request, PaddedLayout layout, int[] table, byte[] sources, List<TokenRange> ranges,
            List<TokenRange> loads) {
        this.lock = lock;
        this.request = request;
        this.layout = layout;
        this.blockSize = layout.blockSize;
        this.paddedTokens = layout.tokens;
        this.promptLength = layout.length();
        this.segmentStarts = layout.segStart;
        this.table = table;
        this.sources = sources;
        this.tableSize = layout.numBlocks();
        this.length = promptLength;
        this.computeRanges = List.copyOf(ranges);
        int sum = 0;
        for (TokenRange r : ranges) {
            sum += r.length();
        }
        this.computedTokens = sum;
        this.loadRanges = List.copyOf(loads);
        sum = 0;
        for (TokenRange r : loads) {
            sum += r.length();
        }
        this.loadedTokens = sum;
    }

    /** {@return the request this plan was admitted for} */
    public Request request() {
        return request;
    }

    /** {@return the tokens per block of the manager's pool} */
    public int blockSize() {
        return blockSize;
    }

    /** {@return a copy of the padded prompt tokens (without decoded tokens)} */
    public int[] paddedTokens() {
        return paddedTokens.clone();
    }

    /** {@return the length of the padded prompt, in tokens} */
    public int promptLength() {
        return promptLength;
    }

    /**
     * {@return where segment {@code i} (its padding included) starts in the padded sequence, a multiple of the
     * block size}
     *
     * @param i a segment index in {@code [0, request().segments().size())}
     * @throws IllegalArgumentException if {@code i} is not a segment index
     */
    public int segmentStart(int i) {
        checkSegment(i);
        return segmentStarts[i];
    }

    /**
     * {@return the leading (chunk) or trailing (prompt) pad tokens of segment {@code i}}
     *
     * @param i a segment index in {@code [0, request().segments().size())}
     * @throws IllegalArgumentException if {@code i} is not a segment index
     */
    public int segmentPadding(int i) {
        checkSegment(i);
        return layout.segPads[i];
    }

    /**
     * {@return the identity of chunk segment {@code i}, or null for a prompt}
     *
     * @param i a segment index in {@code [0, request().segments().size())}
     * @throws IllegalArgumentException if {@code i} is not a segment index
     */
    public ChunkId chunkId(int i) {
        checkSegment(i);
        return layout.chunkIds[i];
    }

    private void checkSegment(int i) {
        if (i < 0 || i >= segmentStarts.length) {
            throw new IllegalArgumentException("i: segment index " + i + " is outside [0, " + segmentStarts.length + ")");
        }
    }

    /**
     * {@return the token ranges of the padded prompt whose KV the prefill must compute, in order, not overlapping}
     */
    public List<TokenRange> computeRanges() {
        return computeRanges;
    }

    /** {@return the tokens the prefill computes: the sum of the compute ranges} */
    public int computedTokens() {
        return computedTokens;
    }

    /**
     * {@return the token ranges of the padded prompt whose KV the engine copies from the {@link ChunkStore} into
     * this plan's blocks} They are private copies under EPIC and CacheBlend, canonical
     * {@link BlockSource#CHUNK_LOADED} blocks under MEPIC; in order, not overlapping each other or the compute
     * ranges. Loaded KV is the chunk's canonical NoPE KV; only chunk tokens are ever loaded.
     */
    public List<TokenRange> loadRanges() {
        return loadRanges;
    }

    /** {@return the tokens copied from the store: the sum of the load ranges} */
    public int loadedTokens() {
        return loadedTokens;
    }

    /** {@return the current sequence length: padded prompt plus the tokens added by {@link CacheManager#grow}} */
    public int length() {
        synchronized (lock) {
            return length;
        }
    }

    /** {@return a copy of the block table: one pool block id per {@code blockSize} tokens of the sequence} */
    public int[] blockTable() {
        synchronized (lock) {
            return Arrays.copyOf(table, tableSize);
        }
    }

    /** {@return the blocks in the table: enough for the current sequence length} */
    public int numBlocks() {
        synchronized (lock) {
            return tableSize;
        }
    }

    /**
     * {@return where block {@code i} of the table comes from} Shared blocks are read only.
     *
     * @param i an index into the block table, in {@code [0, numBlocks())}
     * @throws IllegalArgumentException if {@code i} is outside the table
     */
    public BlockSource source(int i) {
        synchronized (lock) {
            if (i < 0 || i >= tableSize) {
                throw new IllegalArgumentException("i: block index " + i + " is outside [0, " + tableSize + ")");
            }
            return BlockSource.values()[sources[i]];
        }
    }

    /** {@return the decode blocks still reserved for this plan and not yet allocated} */
    public int reservedBlocks() {
        synchronized (lock) {
            return reserved;
        }
    }

    /** {@return whether {@link CacheManager#release} ended this plan} */
    public boolean isReleased() {
        synchronized (lock) {
            return released;
        }
    }

    @Override
    public String toString() {
        return "Plan[" + promptLength + " tokens, " + numBlocks() + " blocks, computes " + computedTokens + ", loads "
                + loadedTokens + "]";
    }
}
