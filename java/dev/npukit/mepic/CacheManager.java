package dev.npukit.mepic;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The KV cache manager a serving engine embeds: it plans each request onto a {@link BlockPool}, shares what a
 * {@link Policy} allows, and returns the blocks when the request ends. Thread-safe: every method that reads or
 * changes the pool holds one lock; padding and hashing happen before it is taken.
 *
 * <p>Life of a request: {@link #admit} → copy {@link Plan#loadRanges()} from the chunk store, then
 * {@link #markLoaded} → compute {@link Plan#computeRanges()} → {@link #publish} → {@link #grow} per decoded token
 * (or batch of tokens) → {@link #release}. {@link #publish} implies {@link #markLoaded}.
 *
 * <p>Chunk KV comes from three places: HBM (MEPIC's chunk cache, or a prefix hit), the external
 * {@link ChunkStore} (loaded: copied into HBM blocks, not computed), or computation. The store is the same for
 * every chunk-reusing policy; a chunk it does not hold is computed whole, and {@link #publish} puts it there.
 *
 * <p>Planning walks the padded sequence block by block: under MEPIC a non-first block of a resident chunk
 * shares the canonical block; a non-first block of a chunk that is not resident but is in the store is loaded
 * into a new canonical block, and the chunk object enters the chunk cache at admission, so concurrent requests
 * share it at once (they read it after the loader's {@link #markLoaded}; see {@link #sharedKvState}). Else a
 * prefix-cache hit is reused; else a private block is allocated and its tokens are marked for computation, or
 * for loading if they belong to a stored chunk (under EPIC and CacheBlend minus the recomputed share of the
 * chunk). The first block of a reused chunk is never shared nor loaded under MEPIC: it is recomputed (or a
 * prefix hit). A chunk computed whole becomes canonical at {@link #publish}. Admission counts the new blocks
 * (plus the decode reservation) against free plus evictable blocks, minus blocks reserved by running
 * requests; eviction frees prefix blocks and whole chunk objects that no request references, least recently
 * released first.
 */
public final class CacheManager {
    /** The default pad token id. */
    public static final int DEFAULT_PAD_TOKEN = 0;

    private static final byte PREFIX_HIT = (byte) BlockSource.PREFIX_HIT.ordinal();
    private static final byte CHUNK_SHARED = (byte) BlockSource.CHUNK_SHARED.ordinal();
    private static final byte PRIVATE = (byte) BlockSource.PRIVATE.ordinal();
    private static final byte CHUNK_LOADED = (byte) BlockSource.CHUNK_LOADED.ordinal();
    /** Per chunk segment under MEPIC: how its blocks 2..n are obtained when it is not resident. */
    private static final byte SEG_UNDECIDED = 0;
    private static final byte SEG_LOADS = 1;
    private static final byte SEG_DUPLICATE = 2;
    private static final byte SEG_PREFIX_PATH = 3;

    private final Object lock = new Object();
    private final Policy policy;
    private final int blockSize;
    private final int padToken;
    private final BlockPool pool;
    private final PrefixCache prefix;
    private final ChunkCache chunks = new ChunkCache();
    private final boolean[] chunkBlock;
    private final ChunkStore store;
    private final Set<Plan> running = Collections.newSetFromMap(new IdentityHashMap<>());
    private int inUse;
    private int reserved;
    private long tick;

    /** A manager with the default pad token and a {@linkplain ChunkStore#cold() cold} chunk store of its own. */
    public CacheManager(Policy policy, int numBlocks, int blockSize) {
        this(policy, numBlocks, blockSize, DEFAULT_PAD_TOKEN, ChunkStore.cold());
    }

    /** A manager with a {@linkplain ChunkStore#cold() cold} chunk store of its own. */
    public CacheManager(Policy policy, int numBlocks, int blockSize, int padToken) {
        this(policy, numBlocks, blockSize, padToken, ChunkStore.cold());
    }

    /**
     * @param policy    how KV is reused
     * @param numBlocks the pool's capacity (the HBM budget for KV, in blocks)
     * @param blockSize tokens per block
     * @param padToken  the token id used for padding
     * @param store     the external chunk KV store that EPIC, CacheBlend and MEPIC load chunks from
     */
    public CacheManager(Policy policy, int numBlocks, int blockSize, int padToken, ChunkStore store) {
        if (policy == null) {
            throw new IllegalArgumentException("policy: is null");
        }
        if (blockSize <= 0) {
            throw new IllegalArgumentException("blockSize: must be > 0, got " + blockSize);
        }
        if (numBlocks <= 0) {
            throw new IllegalArgumentException("numBlocks: must be > 0, got " + numBlocks);
        }
        if (store == null) {
            throw new IllegalArgumentException("store: is null");
        }
        this.store = store;
        this.policy = policy;
        this.blockSize = blockSize;
        this.padToken = padToken;
        this.pool = new BlockPool(numBlocks);
        this.prefix = new PrefixCache(numBlocks);
        this.chunkBlock = new boolean[numBlocks];
    }

    public Policy policy() {
        return policy;
    }

    public int blockSize() {
        return blockSize;
    }

    public int padToken() {
        return padToken;
    }

    /** The external chunk store this manager loads from. */
    public ChunkStore chunkStore() {
        return store;
    }

    /** The pool; its read methods are consistent only while no other thread changes it. */
    public BlockPool pool() {
        return pool;
    }

    /** Pads the request, then admits it with a plan or says why not; on refusal nothing is held. */
    public Admission admit(Request request) {
        if (request == null) {
            throw new IllegalArgumentException("request: is null");
        }
        PaddedLayout layout = new PaddedLayout(request.segments(), blockSize, padToken);
        int prefillBlocks = layout.numBlocks();
        long totalTokens = (long) layout.length() + request.maxNewTokens();
        long tableBlocks = (totalTokens + blockSize - 1) / blockSize;
        if (tableBlocks > pool.capacity()) {
            return new Admission.Rejected((int) Math.min(Integer.MAX_VALUE, tableBlocks), pool.capacity());
        }
        int decodeBlocks = (int) tableBlocks - prefillBlocks;
        synchronized (lock) {
            return admitLocked(request, layout, decodeBlocks);
        }
    }

    private Admission admitLocked(Request request, PaddedLayout layout, int decodeBlocks) {
        int n = layout.numBlocks();
        int[] table = new int[n + decodeBlocks];
        byte[] sources = new byte[n + decodeBlocks];
        int numSegs = layout.segStart.length;
        ChunkCache.Entry[] segEntry = new ChunkCache.Entry[numSegs];
        boolean[] segStored = new boolean[numSegs];
        byte[] segMode = new byte[numSegs];
        int[] duplicateOf = null;
        HashMap<ChunkId, Integer> loadingSeg = null;
        List<Segment> segments = request.segments();
        for (int s = 0; s < segments.size(); s++) {
            if (segments.get(s).isChunk()) {
                if (policy == Policy.MEPIC) {
                    segEntry[s] = chunks.get(layout.chunkIds[s]);
                    segStored[s] = segEntry[s] == null && store.contains(layout.chunkIds[s]);
                } else if (policy.copiesChunks()) {
                    segStored[s] = store.contains(layout.chunkIds[s]);
                }
            }
        }
        // Pass 1 resolves every block without touching any state, so that a refusal leaves nothing behind.
        int newBlocks = 0;
        int evictableTaken = 0;
        for (int b = 0; b < n; b++) {
            int s = layout.blockSeg[b];
            int j = layout.blockIndexInSeg[b];
            // A resident chunk supplies all of its blocks 2..n, so a request holds a chunk object whole or not
            // at all; only a block that the chunk cache cannot supply goes through the prefix path.
            if (segEntry[s] != null && j > 0) {
                table[b] = segEntry[s].blocks[j - 1];
                sources[b] = CHUNK_SHARED;
                continue;
            }
            if (segStored[s] && policy == Policy.MEPIC && j > 0) {
                if (segMode[s] == SEG_UNDECIDED) {
                    // A stored chunk is loaded into new canonical blocks, unless its block 2 is a prefix hit
                    // (then the whole preceding context matches and the prefix path serves it more cheaply).
                    ChunkId id = layout.chunkIds[s];
                    Integer first = loadingSeg == null ? null : loadingSeg.get(id);
                    if (first != null) {
                        segMode[s] = SEG_DUPLICATE;
                        if (duplicateOf == null) {
                            duplicateOf = new int[numSegs];
                        }
                        duplicateOf[s] = first;
                    } else if (b < layout.keys.length && prefix.lookup(layout.keys[b]) >= 0) {
                        segMode[s] = SEG_PREFIX_PATH;
                    } else {
                        segMode[s] = SEG_LOADS;
                        if (loadingSeg == null) {
                            loadingSeg = new HashMap<>();
                        }
                        loadingSeg.put(id, s);
                    }
                }
                if (segMode[s] == SEG_LOADS) {
                    table[b] = -1;
                    sources[b] = CHUNK_LOADED;
                    newBlocks++;
                    continue;
                }
                if (segMode[s] == SEG_DUPLICATE) {
                    table[b] = -1; // the first occurrence's block, known after allocation
                    sources[b] = CHUNK_SHARED;
                    continue;
                }
            }
            if (policy.prefixCaching() && b < layout.keys.length) {
                int hit = prefix.lookup(layout.keys[b]);
                if (hit >= 0) {
                    table[b] = hit;
                    sources[b] = PREFIX_HIT;
                    if (prefix.isEvictable(hit)) {
                        evictableTaken++;
                    }
                    continue;
                }
            }
            table[b] = -1;
            sources[b] = PRIVATE;
            newBlocks++;
        }
        Set<ChunkCache.Entry> entries = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int s = 0; s < segEntry.length; s++) {
            ChunkCache.Entry e = segEntry[s];
            if (e != null && layout.segmentBlocks(s) > 1 && entries.add(e) && e.refCount == 0) {
                evictableTaken += e.blocks.length;
            }
        }
        int needed = newBlocks + decodeBlocks;
        int available = pool.freeBlocks() + evictableBlocks() - evictableTaken - reserved;
        if (needed > available) {
            return new Admission.MustWait(needed, Math.max(0, available));
        }
        // Pass 2: pin everything reused first, so that the allocations below cannot evict it.
        for (int b = 0; b < n; b++) {
            if ((sources[b] == PREFIX_HIT || sources[b] == CHUNK_SHARED) && table[b] >= 0) {
                if (pool.retain(table[b]) == 1) {
                    inUse++;
                }
                if (sources[b] == PREFIX_HIT) {
                    prefix.lruRemove(table[b]);
                }
            }
        }
        List<ChunkCache.Entry> pinned = new ArrayList<>(entries);
        for (ChunkCache.Entry e : pinned) {
            chunks.pin(e);
        }
        for (int b = 0; b < n; b++) {
            if (sources[b] == PRIVATE || sources[b] == CHUNK_LOADED) {
                table[b] = allocateBlock();
            }
        }
        if (duplicateOf != null) {
            for (int b = 0; b < n; b++) {
                int s = layout.blockSeg[b];
                if (segMode[s] == SEG_DUPLICATE && sources[b] == CHUNK_SHARED) {
                    int firstBlock = layout.segStart[duplicateOf[s]] / blockSize;
                    table[b] = table[firstBlock + layout.blockIndexInSeg[b]];
                    pool.retain(table[b]);
                }
            }
        }
        reserved += decodeBlocks;
        List<TokenRange> computeRanges = new ArrayList<>();
        List<TokenRange> loadRanges = new ArrayList<>();
        planRanges(layout, sources, segStored, computeRanges, loadRanges);
        Plan plan = new Plan(lock, request, layout, table, sources, computeRanges, loadRanges);
        plan.reserved = decodeBlocks;
        plan.pinned.addAll(pinned);
        if (loadingSeg != null) {
            // The loaded chunks become canonical now, so that concurrent requests share them at once.
            for (int s : loadingSeg.values()) {
                int firstBlock = layout.segStart[s] / blockSize;
                int[] blocks = java.util.Arrays.copyOfRange(table, firstBlock + 1, firstBlock + layout.segmentBlocks(s));
                for (int block : blocks) {
                    chunkBlock[block] = true;
                }
                ChunkCache.Entry e = chunks.insert(layout.chunkIds[s], blocks);
                e.loader = plan;
                plan.pinned.add(e);
                plan.loading.add(e);
            }
        }
        running.add(plan);
        return new Admission.Admitted(plan);
    }

    /**
     * Splits the blocks this plan fills into compute and load ranges. A private block is computed, except the
     * tokens of a stored chunk outside its first block (MEPIC) or outside the policy's recomputed share (EPIC,
     * CacheBlend), which are loaded; a {@link BlockSource#CHUNK_LOADED} block is loaded whole.
     */
    private void planRanges(PaddedLayout layout, byte[] sources, boolean[] segStored, List<TokenRange> compute,
            List<TokenRange> load) {
        RangeBuilder c = new RangeBuilder(compute);
        RangeBuilder l = new RangeBuilder(load);
        for (int b = 0; b < layout.numBlocks(); b++) {
            int from = b * blockSize;
            int to = Math.min(from + blockSize, layout.length());
            if (sources[b] == CHUNK_LOADED) {
                l.add(from, to);
                continue;
            }
            if (sources[b] != PRIVATE) {
                continue;
            }
            int s = layout.blockSeg[b];
            if (!segStored[s]) {
                c.add(from, to);
            } else if (policy.copiesChunks()) {
                // The copy from the store fills the block; only the policy's share is recomputed.
                int first = layout.segStart[s] + layout.segPads[s];
                int last = first + policy.recomputedChunkTokens(layout.segmentEnd(s) - first);
                int rFrom = Math.max(from, first);
                int rTo = Math.min(to, last);
                if (rFrom < rTo) {
                    l.add(from, rFrom);
                    c.add(rFrom, rTo);
                    l.add(rTo, to);
                } else {
                    l.add(from, to);
                }
            } else if (layout.blockIndexInSeg[b] == 0) {
                c.add(from, to); // MEPIC: the first block of a reused chunk is recomputed
            } else {
                l.add(from, to); // MEPIC: a private copy after a prefix hit on the chunk's block 2
            }
        }
        c.close();
        l.close();
    }

    /** Merges adjacent token ranges as they arrive in order. */
    private static final class RangeBuilder {
        private final List<TokenRange> out;
        private int open = -1;
        private int openEnd = -1;

        RangeBuilder(List<TokenRange> out) {
            this.out = out;
        }

        void add(int from, int to) {
            if (from >= to) {
                return;
            }
            if (from == openEnd) {
                openEnd = to;
                return;
            }
            close();
            open = from;
            openEnd = to;
        }

        void close() {
            if (open >= 0) {
                out.add(new TokenRange(open, openEnd));
                open = -1;
                openEnd = -1;
            }
        }
    }

    /**
     * Marks the plan's loads as done: the canonical blocks it loads (MEPIC) hold their KV, so plans that share
     * them may read them. Call it after the engine copied every load range; {@link #publish} implies it.
     */
    public void markLoaded(Plan plan) {
        synchronized (lock) {
            checkRunning(plan);
            markLoadedLocked(plan);
        }
    }

    private void markLoadedLocked(Plan plan) {
        for (ChunkCache.Entry e : plan.loading) {
            e.loader = null;
        }
        plan.loading.clear();
    }

    /**
     * Whether the chunk blocks this plan shares hold their KV: {@link SharedKvState#PENDING} while another
     * plan is still loading some of them, {@link SharedKvState#LOST} if that plan was released first.
     */
    public SharedKvState sharedKvState(Plan plan) {
        synchronized (lock) {
            checkRunning(plan);
            SharedKvState state = SharedKvState.READY;
            for (ChunkCache.Entry e : plan.pinned) {
                if (e.lost) {
                    return SharedKvState.LOST;
                }
                if (e.loader != null && e.loader != plan) {
                    state = SharedKvState.PENDING;
                }
            }
            return state;
        }
    }

    /**
     * Marks the plan's prefill as done (its loads included): newly computed chunks become canonical in the
     * chunk cache (MEPIC) and enter the chunk store (EPIC, CacheBlend, MEPIC), and full computed blocks enter
     * the prefix cache. Call it once, after the prefill wrote the KV of every compute and load range.
     */
    public void publish(Plan plan) {
        synchronized (lock) {
            checkRunning(plan);
            if (plan.published) {
                throw new IllegalStateException("plan: already published");
            }
            plan.published = true;
            markLoadedLocked(plan);
            PaddedLayout layout = plan.layout;
            List<Segment> segments = plan.request().segments();
            for (int s = 0; s < segments.size(); s++) {
                if (!segments.get(s).isChunk()) {
                    continue;
                }
                ChunkId id = layout.chunkIds[s];
                if (policy.copiesChunks() || policy == Policy.MEPIC) {
                    store.put(id); // a no-op unless this plan computed the chunk
                }
                if (policy == Policy.MEPIC) {
                    publishChunk(plan, s, id);
                }
            }
            if (policy.prefixCaching()) {
                for (int b = 0; b < layout.keys.length; b++) {
                    int block = plan.table[b];
                    if (plan.sources[b] == PRIVATE && !chunkBlock[block] && prefix.lookup(layout.keys[b]) < 0) {
                        prefix.insert(layout.keys[b], block);
                    }
                }
            }
        }
    }

    /** Makes blocks 2..n of chunk segment {@code s} canonical, if no other request did so first. */
    private void publishChunk(Plan plan, int s, ChunkId id) {
        PaddedLayout layout = plan.layout;
        int firstBlock = layout.segStart[s] / blockSize;
        int count = layout.segmentBlocks(s) - 1;
        if (count == 0 || chunks.get(id) != null) {
            return;
        }
        int[] blocks = new int[count];
        for (int j = 0; j < count; j++) {
            int b = firstBlock + 1 + j;
            if (plan.sources[b] != PRIVATE) {
                return; // some of it came from the prefix cache; those blocks are not this chunk's to own
            }
            blocks[j] = plan.table[b];
        }
        for (int block : blocks) {
            chunkBlock[block] = true;
        }
        plan.pinned.add(chunks.insert(id, blocks));
    }

    /**
     * Adds {@code tokens} decoded tokens to the plan, allocating blocks as the last one fills, first from the
     * plan's reservation. Returns false, changing nothing, when the pool cannot supply the blocks (the engine
     * should then preempt something).
     */
    public boolean grow(Plan plan, int tokens) {
        if (tokens < 0) {
            throw new IllegalArgumentException("tokens: must be >= 0, got " + tokens);
        }
        synchronized (lock) {
            checkRunning(plan);
            long newLength = (long) plan.length + tokens;
            long blocksAfter = (newLength + blockSize - 1) / blockSize;
            int need = (int) Math.min(Integer.MAX_VALUE, blocksAfter - plan.tableSize);
            if (need <= 0) {
                plan.length = (int) newLength;
                return true;
            }
            int fromReserve = Math.min(need, plan.reserved);
            int extra = need - fromReserve;
            if (extra > pool.freeBlocks() + evictableBlocks() - reserved) {
                return false;
            }
            if (plan.table.length < blocksAfter) {
                int cap = (int) Math.max(blocksAfter, plan.table.length * 2L);
                plan.table = java.util.Arrays.copyOf(plan.table, cap);
                plan.sources = java.util.Arrays.copyOf(plan.sources, cap);
            }
            plan.reserved -= fromReserve;
            reserved -= fromReserve;
            for (int i = 0; i < need; i++) {
                plan.table[plan.tableSize] = allocateBlock();
                plan.sources[plan.tableSize] = PRIVATE;
                plan.tableSize++;
            }
            plan.length = (int) newLength;
            return true;
        }
    }

    /** Ends the request: drops its references and reservation; uncached blocks return to the free list. */
    public void release(Plan plan) {
        synchronized (lock) {
            checkRunning(plan);
            // Blocks whose loads never finished will never hold valid KV: forget them, so they are freed by
            // their last user and no new request shares them.
            for (ChunkCache.Entry e : plan.loading) {
                chunks.detach(e);
                for (int b : e.blocks) {
                    chunkBlock[b] = false;
                }
            }
            plan.loading.clear();
            // Last block first, so that a chain's tail is evicted before its head (as vLLM does).
            for (int i = plan.tableSize - 1; i >= 0; i--) {
                int b = plan.table[i];
                if (pool.release(b) == 0) {
                    inUse--;
                    if (prefix.contains(b)) {
                        prefix.lruAdd(b, ++tick);
                    } else if (!chunkBlock[b]) {
                        pool.free(b);
                    }
                }
            }
            for (ChunkCache.Entry e : plan.pinned) {
                chunks.unpin(e, ++tick);
            }
            reserved -= plan.reserved;
            plan.reserved = 0;
            plan.released = true;
            running.remove(plan);
        }
    }

    /** Evicts every cached block that no running request references. */
    public void clearCaches() {
        synchronized (lock) {
            while (evictableBlocks() > 0) {
                evictOne();
            }
        }
    }

    public CacheStats stats() {
        synchronized (lock) {
            return new CacheStats(pool.capacity(), pool.freeBlocks(), inUse, evictableBlocks(), reserved,
                    prefix.size(), chunks.cachedBlocks(), chunks.size(), running.size());
        }
    }

    /**
     * Under MEPIC, whether a chunk's canonical blocks are resident in HBM; under EPIC and CacheBlend, whether
     * the chunk store holds its KV (they keep no chunk in HBM).
     */
    public boolean isChunkCached(ChunkId id) {
        synchronized (lock) {
            return chunks.get(id) != null || (policy.copiesChunks() && store.contains(id));
        }
    }

    /**
     * Checks every invariant of the pool and caches against the running plans and throws
     * {@link IllegalStateException} naming the first one broken. Linear in pool size; for tests and debugging.
     */
    public void checkInvariants() {
        synchronized (lock) {
            int cap = pool.capacity();
            int[] refs = new int[cap];
            int reservedSum = 0;
            IdentityHashMap<ChunkCache.Entry, Integer> entryRefs = new IdentityHashMap<>();
            for (Plan p : running) {
                for (int i = 0; i < p.tableSize; i++) {
                    int b = p.table[i];
                    if (b < 0 || b >= cap) {
                        fail("plan block %d is outside the pool", b);
                    }
                    refs[b]++;
                }
                reservedSum += p.reserved;
                for (ChunkCache.Entry e : p.pinned) {
                    entryRefs.merge(e, 1, Integer::sum);
                }
            }
            int free = 0;
            int used = 0;
            int evictable = 0;
            for (int b = 0; b < cap; b++) {
                int rc = pool.refCount(b);
                if (rc < 0) {
                    fail("block %d has negative count %d", b, rc);
                }
                if (rc != refs[b]) {
                    fail("block %d has count %d but %d running plans hold it", b, rc, refs[b]);
                }
                if (prefix.contains(b) && chunkBlock[b]) {
                    fail("block %d is in both caches", b);
                }
                if (pool.isFree(b)) {
                    free++;
                    if (prefix.contains(b) || chunkBlock[b]) {
                        fail("free block %d is still cached", b);
                    }
                } else if (rc > 0) {
                    used++;
                    if (prefix.isEvictable(b)) {
                        fail("block %d is in use but on the prefix LRU", b);
                    }
                } else {
                    evictable++;
                    if (!prefix.isEvictable(b) && !chunkBlock[b]) {
                        fail("block %d is allocated, unreferenced and uncached: leaked", b);
                    }
                }
            }
            if (free != pool.freeBlocks()) {
                fail("free list has %d blocks, %d blocks are free", pool.freeBlocks(), free);
            }
            if (used != inUse) {
                fail("in-use counter %d, counted %d", inUse, used);
            }
            if (evictable != evictableBlocks()) {
                fail("evictable counters say %d, counted %d", evictableBlocks(), evictable);
            }
            if (free + used + evictable != cap) {
                fail("free %d + in use %d + evictable %d != capacity %d", free, used, evictable, cap);
            }
            int chunkBlocks = 0;
            int lru = 0;
            for (ChunkCache.Entry e : chunks.entries()) {
                int expected = entryRefs.getOrDefault(e, 0);
                if (e.refCount != expected || e.refCount < 0) {
                    fail("chunk %s has count %d but %d running plans hold it", e.id, e.refCount, expected);
                }
                for (int b : e.blocks) {
                    chunkBlocks++;
                    if (!chunkBlock[b] || pool.isFree(b)) {
                        fail("chunk %s block %d is not a resident chunk block", e.id, b);
                    }
                    if (e.refCount == 0 && pool.refCount(b) != 0) {
                        fail("chunk %s is unreferenced but its block %d has count %d", e.id, b, pool.refCount(b));
                    }
                }
                if (e.refCount == 0) {
                    lru++;
                }
            }
            for (ChunkCache.Entry e : entryRefs.keySet()) {
                if (chunks.get(e.id) != e && !e.lost) {
                    fail("a running plan holds chunk %s, which is not resident", e.id);
                }
                if (e.lost) {
                    for (int b : e.blocks) {
                        if (chunkBlock[b]) {
                            fail("lost chunk %s still flags block %d", e.id, b);
                        }
                    }
                }
            }
            for (ChunkCache.Entry e : chunks.entries()) {
                if (e.lost) {
                    fail("chunk %s is lost but indexed", e.id);
                }
                if (e.loader != null && (!running.contains(e.loader) || !e.loader.loading.contains(e))) {
                    fail("chunk %s is loading by a plan that is not running or not loading it", e.id);
                }
            }
            for (Plan p : running) {
                for (ChunkCache.Entry e : p.loading) {
                    if (e.loader != p || !p.pinned.contains(e)) {
                        fail("plan loads chunk %s without being its pinned loader", e.id);
                    }
                }
            }
            int flagged = 0;
            for (boolean f : chunkBlock) {
                flagged += f ? 1 : 0;
            }
            if (flagged != chunkBlocks || chunkBlocks != chunks.cachedBlocks()) {
                fail("chunk block flags %d, entry blocks %d, counter %d", flagged, chunkBlocks, chunks.cachedBlocks());
            }
            if (lru != chunks.lruSize()) {
                fail("chunk LRU has %d objects, %d are unreferenced", chunks.lruSize(), lru);
            }
            if (reservedSum != reserved || reserved < 0) {
                fail("reserved counter %d, plans reserve %d", reserved, reservedSum);
            }
            if (reserved > free + evictable) {
                fail("reserved %d exceeds free %d + evictable %d", reserved, free, evictable);
            }
        }
    }

    private static void fail(String format, Object... args) {
        throw new IllegalStateException("cache invariant broken: " + String.format(format, args));
    }

    private void checkRunning(Plan plan) {
        if (plan == null) {
            throw new IllegalArgumentException("plan: is null");
        }
        if (!running.contains(plan)) {
            throw new IllegalStateException("plan: " + (plan.released ? "already released" : "was not admitted by this manager"));
        }
    }

    private int evictableBlocks() {
        return prefix.evictableBlocks() + chunks.evictableBlocks();
    }

    /** A free block, evicting the least recently released cached block or chunk object if none is free. */
    private int allocateBlock() {
        int b = pool.allocate();
        while (b < 0) {
            evictOne();
            b = pool.allocate();
        }
        inUse++;
        return b;
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
}
