package dev.npukit.mepic;

import java.util.IdentityHashMap;

/**
 * The invariants that tie a {@link CacheState}'s pool, caches, counters and running plans together: every
 * reference count equals the references of running plans, every block is free, in use or evictable (and
 * cached if evictable), the chunk index, its block flags and its LRU agree, loads have running loaders, and
 * the decode reservation fits. {@link #check} throws {@link IllegalStateException} naming the first one
 * broken. Linear in pool size; for tests and debugging, under the manager's lock.
 */
final class CacheInvariants {
    private final CacheState state;
    private final BlockPool pool;
    /** Per block: the references the running plans' tables hold. */
    private final int[] planRefs;
    /** Per chunk object: the running plans that pin it. */
    private final IdentityHashMap<ChunkCache.Entry, Integer> entryRefs = new IdentityHashMap<>();
    private int planReserved;
    private int free;
    private int used;
    private int evictable;
    private int chunkBlocks;
    private int unreferencedChunks;

    private CacheInvariants(CacheState state) {
        this.state = state;
        this.pool = state.pool;
        this.planRefs = new int[pool.capacity()];
    }

    /** Throws {@link IllegalStateException} naming the first broken invariant of {@code state}. */
    static void check(CacheState state) {
        CacheInvariants c = new CacheInvariants(state);
        c.countPlanReferences();
        for (int b = 0; b < c.planRefs.length; b++) {
            c.checkBlock(b);
        }
        c.checkBlockCounters();
        c.checkChunkObjects();
        c.checkPinnedChunks();
        c.checkLoaders();
        c.checkChunkCounters();
        c.checkReservation();
    }

    private void countPlanReferences() {
        for (Plan p : state.running) {
            for (int i = 0; i < p.tableSize; i++) {
                int b = p.table[i];
                if (b < 0 || b >= planRefs.length) {
                    fail("plan block %d is outside the pool", b);
                }
                planRefs[b]++;
            }
            planReserved += p.reserved;
            for (ChunkCache.Entry e : p.pinned) {
                entryRefs.merge(e, 1, Integer::sum);
            }
        }
    }

    /** Block {@code b}'s count matches its references, and its state (free, in use, evictable) its caching. */
    private void checkBlock(int b) {
        PrefixCache prefix = state.prefix;
        boolean chunkBlock = state.chunkBlock[b];
        int rc = pool.refCount(b);
        if (rc < 0) {
            fail("block %d has negative count %d", b, rc);
        }
        if (rc != planRefs[b]) {
            fail("block %d has count %d but %d running plans hold it", b, rc, planRefs[b]);
        }
        if (prefix.contains(b) && chunkBlock) {
            fail("block %d is in both caches", b);
        }
        if (pool.isFree(b)) {
            free++;
            if (prefix.contains(b) || chunkBlock) {
                fail("free block %d is still cached", b);
            }
        } else if (rc > 0) {
            used++;
            if (prefix.isEvictable(b)) {
                fail("block %d is in use but on the prefix LRU", b);
            }
        } else {
            evictable++;
            if (!prefix.isEvictable(b) && !chunkBlock) {
                fail("block %d is allocated, unreferenced and uncached: leaked", b);
            }
        }
    }

    private void checkBlockCounters() {
        int cap = pool.capacity();
        if (free != pool.freeBlocks()) {
            fail("free list has %d blocks, %d blocks are free", pool.freeBlocks(), free);
        }
        if (used != state.inUse) {
            fail("in-use counter %d, counted %d", state.inUse, used);
        }
        if (evictable != state.evictableBlocks()) {
            fail("evictable counters say %d, counted %d", state.evictableBlocks(), evictable);
        }
        if (free + used + evictable != cap) {
            fail("free %d + in use %d + evictable %d != capacity %d", free, used, evictable, cap);
        }
    }

    /** Each indexed chunk's count matches the plans that pin it; its blocks are flagged and allocated. */
    private void checkChunkObjects() {
        for (ChunkCache.Entry e : state.chunks.entries()) {
            int expected = entryRefs.getOrDefault(e, 0);
            if (e.refCount != expected || e.refCount < 0) {
                fail("chunk %s has count %d but %d running plans hold it", e.id, e.refCount, expected);
            }
            for (int b : e.blocks) {
                chunkBlocks++;
                if (!state.chunkBlock[b] || pool.isFree(b)) {
                    fail("chunk %s block %d is not a resident chunk block", e.id, b);
                }
                if (e.refCount == 0 && pool.refCount(b) != 0) {
                    fail("chunk %s is unreferenced but its block %d has count %d", e.id, b, pool.refCount(b));
                }
            }
            if (e.refCount == 0) {
                unreferencedChunks++;
            }
        }
    }

    /** A pinned chunk is indexed, or lost and no longer flagging its blocks. */
    private void checkPinnedChunks() {
        for (ChunkCache.Entry e : entryRefs.keySet()) {
            if (state.chunks.get(e.id) != e && !e.lost) {
                fail("a running plan holds chunk %s, which is not resident", e.id);
            }
            if (e.lost) {
                for (int b : e.blocks) {
                    if (state.chunkBlock[b]) {
                        fail("lost chunk %s still flags block %d", e.id, b);
                    }
                }
            }
        }
    }

    /** An indexed chunk is not lost; a chunk being loaded and its running loader point at each other. */
    private void checkLoaders() {
        for (ChunkCache.Entry e : state.chunks.entries()) {
            if (e.lost) {
                fail("chunk %s is lost but indexed", e.id);
            }
            if (e.loader != null && (!state.running.contains(e.loader) || !e.loader.loading.contains(e))) {
                fail("chunk %s is loading by a plan that is not running or not loading it", e.id);
            }
        }
        for (Plan p : state.running) {
            for (ChunkCache.Entry e : p.loading) {
                if (e.loader != p || !p.pinned.contains(e)) {
                    fail("plan loads chunk %s without being its pinned loader", e.id);
                }
            }
        }
    }

    /** The chunk block flags, the indexed objects' blocks and the cache's counters agree. */
    private void checkChunkCounters() {
        int flagged = 0;
        for (boolean f : state.chunkBlock) {
            flagged += f ? 1 : 0;
        }
        int counter = state.chunks.cachedBlocks();
        if (flagged != chunkBlocks || chunkBlocks != counter) {
            fail("chunk block flags %d, entry blocks %d, counter %d", flagged, chunkBlocks, counter);
        }
        if (unreferencedChunks != state.chunks.lruSize()) {
            fail("chunk LRU has %d objects, %d are unreferenced", state.chunks.lruSize(), unreferencedChunks);
        }
    }

    private void checkReservation() {
        int reserved = state.reserved;
        if (planReserved != reserved || reserved < 0) {
            fail("reserved counter %d, plans reserve %d", reserved, planReserved);
        }
        if (reserved > free + evictable) {
            fail("reserved %d exceeds free %d + evictable %d", reserved, free, evictable);
        }
    }

    private static void fail(String format, Object... args) {
        throw new IllegalStateException("cache invariant broken: " + String.format(format, args));
    }
}
