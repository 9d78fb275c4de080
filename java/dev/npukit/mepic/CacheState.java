package dev.npukit.mepic;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * What a {@link CacheManager} guards with its lock: the block pool, the prefix and chunk caches over it, the
 * running plans and the counters derived from them, and the block operations that keep them consistent
 * (allocation with eviction, references from plans, release). {@link CacheInvariants} states how these parts
 * must agree.
 */
final class CacheState {
    final BlockPool pool;
    final PrefixCache prefix;
    final ChunkCache chunks = new ChunkCache();
    /** Per block: whether it is a canonical block of a chunk object in the chunk cache. */
    final boolean[] chunkBlock;
    final Set<Plan> running = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Blocks with a reference count above 0. */
    int inUse;
    /** Decode blocks promised to running plans and not yet allocated. */
    int reserved;
    /** Release clock: orders evictable prefix blocks and chunk objects, least recently released first. */
    private long tick;

    CacheState(int numBlocks) {
        pool = new BlockPool(numBlocks);
        prefix = new PrefixCache(numBlocks);
        chunkBlock = new boolean[numBlocks];
    }

    /** Cached blocks that no running plan references. */
    int evictableBlocks() {
        return prefix.evictableBlocks() + chunks.evictableBlocks();
    }

    /** Blocks a plan may still take: free plus evictable, minus the reservations of running plans. */
    int availableBlocks() {
        return pool.freeBlocks() + evictableBlocks() - reserved;
    }

    /** A free block, evicting the least recently released cached block or chunk object if none is free. */
    int allocateBlock() {
        int b = pool.allocate();
        while (b < 0) {
            evictOne();
            b = pool.allocate();
        }
        inUse++;
        return b;
    }

    /** Evicts every cached block that no running plan references. */
    void evictAll() {
        while (evictableBlocks() > 0) {
            evictOne();
        }
    }

    private void evictOne() {
        int p = prefix.lruHead();
        ChunkCache.Entry c = chunks.lruHead();
        if (p < 0 && c == null) {
            throw new IllegalStateException("cache invariant broken: no block is free or evictable");
        }
        if (c == null || (p >= 0 && prefix.stampOf(p) < c.stamp)) {
            prefix.remove(p);
            pool.free(p);
        } else {
            chunks.remove(c);
            for (int b : c.blocks) {
                chunkBlock[b] = false;
                pool.free(b);
            }
        }
    }

    /** Adds a plan's reference to an allocated block; a referenced prefix block is no longer evictable. */
    void retain(int block) {
        if (pool.retain(block) == 1) {
            inUse++;
        }
        prefix.lruRemove(block);
    }

    /** Drops a plan's reference to a block; a block nobody references is freed unless a cache keeps it. */
    void release(int block) {
        if (pool.release(block) == 0) {
            inUse--;
            if (prefix.contains(block)) {
                prefix.lruAdd(block, ++tick);
            } else if (!chunkBlock[block]) {
                pool.free(block);
            }
        }
    }

    /** Makes {@code blocks} the canonical blocks 2..n of chunk {@code id}, referenced by one plan. */
    ChunkCache.Entry insertChunk(ChunkId id, int[] blocks) {
        for (int block : blocks) {
            chunkBlock[block] = true;
        }
        return chunks.insert(id, blocks);
    }

    /** Takes a chunk whose blocks will never hold valid KV out of the cache; its last user frees them. */
    void detachChunk(ChunkCache.Entry e) {
        chunks.detach(e);
        for (int b : e.blocks) {
            chunkBlock[b] = false;
        }
    }

    /** Drops a plan's reference to a chunk object; an unreferenced object becomes evictable, whole. */
    void unpin(ChunkCache.Entry e) {
        chunks.unpin(e, ++tick);
    }

    CacheStats stats() {
        return new CacheStats(pool.capacity(), pool.freeBlocks(), inUse, evictableBlocks(), reserved,
                prefix.size(), chunks.cachedBlocks(), chunks.size(), running.size());
    }
}
