package dev.npukit.mepic;

/**
 * The HBM budget for KV, in blocks with ids {@code [0, capacity)}, and a reference count per block. The
 * {@link CacheManager} that owns the pool is the only writer and guards it with its lock; the read methods
 * are for stats and tests.
 *
 * <p>A block is either free (on the free list, count 0) or allocated. An allocated block with count 0 is
 * kept only by a cache, which frees it on eviction. Misuse — freeing a referenced block, releasing a block
 * with count 0, touching a free block — throws {@link IllegalStateException} before anything changes, so a
 * block in use is never freed or handed out twice.
 */
public final class BlockPool {
    private final int[] refCounts;
    private final boolean[] free;
    private final int[] freeStack;
    private int freeTop;

    /**
     * A pool whose blocks are all free.
     *
     * @param capacity the number of blocks, ids {@code [0, capacity)}
     * @throws IllegalArgumentException if {@code capacity} is not positive
     */
    public BlockPool(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: must be > 0 blocks, got " + capacity);
        }
        refCounts = new int[capacity];
        free = new boolean[capacity];
        freeStack = new int[capacity];
        // Reverse order so that a fresh pool hands out 0, 1, 2, ... which keeps plans easy to read.
        for (int b = capacity - 1; b >= 0; b--) {
            freeStack[freeTop++] = b;
            free[b] = true;
        }
    }

    /** {@return the number of blocks; ids are {@code [0, capacity)}} */
    public int capacity() {
        return refCounts.length;
    }

    /** {@return the blocks on the free list, ready to be allocated without evicting anything} */
    public int freeBlocks() {
        return freeTop;
    }

    /** {@return the blocks off the free list: referenced by running requests or kept by a cache} */
    public int allocatedBlocks() {
        return refCounts.length - freeTop;
    }

    /**
     * {@return how many running requests reference {@code block}; 0 for a free block or one only a cache keeps}
     *
     * @param block a block id in {@code [0, capacity)}
     * @throws IllegalArgumentException if {@code block} is outside the pool
     */
    public int refCount(int block) {
        checkId(block);
        return refCounts[block];
    }

    /**
     * {@return whether {@code block} is on the free list}
     *
     * @param block a block id in {@code [0, capacity)}
     * @throws IllegalArgumentException if {@code block} is outside the pool
     */
    public boolean isFree(int block) {
        checkId(block);
        return free[block];
    }

    /** Takes a free block with count 1, or returns -1 when none is free. */
    int allocate() {
        if (freeTop == 0) {
            return -1;
        }
        int b = freeStack[--freeTop];
        free[b] = false;
        refCounts[b] = 1;
        return b;
    }

    /** Adds a reference to an allocated block; returns the new count. */
    int retain(int block) {
        checkAllocated(block);
        return ++refCounts[block];
    }

    /** Drops a reference; returns the new count. The block stays allocated: its owner decides what follows. */
    int release(int block) {
        checkAllocated(block);
        if (refCounts[block] == 0) {
            throw new IllegalStateException("block " + block + ": released with reference count 0");
        }
        return --refCounts[block];
    }

    /** Returns an allocated block with count 0 to the free list. */
    void free(int block) {
        checkAllocated(block);
        if (refCounts[block] != 0) {
            throw new IllegalStateException("block " + block + ": freed while in use (count " + refCounts[block] + ")");
        }
        free[block] = true;
        freeStack[freeTop++] = block;
    }

    private void checkAllocated(int block) {
        checkId(block);
        if (free[block]) {
            throw new IllegalStateException("block " + block + ": is on the free list");
        }
    }

    private void checkId(int block) {
        if (block < 0 || block >= refCounts.length) {
            throw new IllegalArgumentException("block: id " + block + " is outside [0, " + refCounts.length + ")");
        }
    }
}
