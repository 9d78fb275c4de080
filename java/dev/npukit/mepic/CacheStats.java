package dev.npukit.mepic;

/**
 * A consistent snapshot of a {@link CacheManager}'s pool.
 *
 * @param capacity        blocks in the pool
 * @param freeBlocks      blocks on the free list
 * @param inUseBlocks     blocks referenced by at least one running request (each counted once)
 * @param evictableBlocks cached blocks no running request references; reclaimed when room is needed
 * @param reservedBlocks  blocks promised to running requests for decode growth, not yet allocated
 * @param prefixBlocks    blocks in the prefix cache (in use or evictable)
 * @param chunkBlocks     canonical chunk blocks in the chunk cache (in use or evictable)
 * @param chunkObjects    resident chunk objects
 * @param runningPlans    admitted plans not yet released
 */
public record CacheStats(int capacity, int freeBlocks, int inUseBlocks, int evictableBlocks, int reservedBlocks,
        int prefixBlocks, int chunkBlocks, int chunkObjects, int runningPlans) {

    /** {@return the blocks taken from the free list: in use plus evictable} */
    public int residentBlocks() {
        return capacity - freeBlocks;
    }
}
