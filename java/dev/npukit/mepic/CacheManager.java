package dev.npukit.mepic;

import static dev.npukit.mepic.BlockSource.PRIVATE_CODE;

import java.util.Arrays;
import java.util.List;

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

    private final Object lock = new Object();
    private final Policy policy;
    private final int blockSize;
    private final int padToken;
    private final ChunkStore store;
    private final CacheState state;

    /**
     * A manager with the default pad token and a {@linkplain ChunkStore#cold() cold} chunk store of its own.
     *
     * @param policy    how KV is reused
     * @param numBlocks the pool's capacity (the HBM budget for KV, in blocks)
     * @param blockSize tokens per block
     * @throws IllegalArgumentException if {@code policy} is null or a size is not positive
     */
    public CacheManager(Policy policy, int numBlocks, int blockSize) {
        this(policy, numBlocks, blockSize, DEFAULT_PAD_TOKEN, ChunkStore.cold());
    }

    /**
     * A manager with a {@linkplain ChunkStore#cold() cold} chunk store of its own.
     *
     * @param policy    how KV is reused
     * @param numBlocks the pool's capacity (the HBM budget for KV, in blocks)
     * @param blockSize tokens per block
     * @param padToken  the token id used for padding
     * @throws IllegalArgumentException if {@code policy} is null or a size is not positive
     */
    public CacheManager(Policy policy, int numBlocks, int blockSize, int padToken) {
        this(policy, numBlocks, blockSize, padToken, ChunkStore.cold());
    }

    /**
     * A manager with an empty pool of {@code numBlocks} blocks and empty caches over it.
     *
     * @param policy    how KV is reused
     * @param numBlocks the pool's capacity (the HBM budget for KV, in blocks)
     * @param blockSize tokens per block
     * @param padToken  the token id used for padding
     * @param store     the external chunk KV store that EPIC, CacheBlend and MEPIC load chunks from
     * @throws IllegalArgumentException if {@code policy} or {@code store} is null or a size is not positive
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
        this.state = new CacheState(numBlocks);
    }

    /** {@return how this manager reuses KV} */
    public Policy policy() {
        return policy;
    }

    /** {@return the tokens per block, the granularity of padding, sharing and allocation} */
    public int blockSize() {
        return blockSize;
    }

    /** {@return the token id that pads chunks and prompts to block boundaries} */
    public int padToken() {
        return padToken;
    }

    /** {@return the external chunk store this manager loads chunks from and puts computed chunks into} */
    public ChunkStore chunkStore() {
        return store;
    }

    /** {@return the pool; its read methods are consistent only while no other thread changes it} */
    public BlockPool pool() {
        return state.pool;
    }

    /**
     * Pads the request, then admits it with a plan or says why not; on refusal nothing is held.
     *
     * @param request the segments to plan and the decode tokens to reserve blocks for
     * @return {@link Admission.Admitted} with a running plan that holds its blocks; {@link Admission.MustWait}
     *         if the free and evictable blocks do not cover it now; {@link Admission.Rejected} if it needs more
     *         blocks than the whole pool has
     * @throws IllegalArgumentException if {@code request} is null
     */
    public Admission admit(Request request) {
        if (request == null) {
            throw new IllegalArgumentException("request: is null");
        }
        PaddedLayout layout = new PaddedLayout(request.segments(), blockSize, padToken);
        long totalTokens = (long) layout.length() + request.maxNewTokens();
        long tableBlocks = (totalTokens + blockSize - 1) / blockSize;
        int capacity = state.pool.capacity();
        if (tableBlocks > capacity) {
            return new Admission.Rejected((int) Math.min(Integer.MAX_VALUE, tableBlocks), capacity);
        }
        int decodeBlocks = (int) tableBlocks - layout.numBlocks();
        synchronized (lock) {
            return new AdmissionPlanner(state, policy, store, lock, request, layout, decodeBlocks).admit();
        }
    }

    /**
     * Marks the plan's loads as done: the canonical blocks it loads (MEPIC) hold their KV, so plans that share
     * them may read them. Call it after the engine copied every load range; {@link #publish} implies it.
     *
     * @param plan a running plan of this manager
     * @throws IllegalArgumentException if {@code plan} is null
     * @throws IllegalStateException    if {@code plan} is released or was not admitted by this manager
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
     *
     * @param plan a running plan of this manager
     * @return {@link SharedKvState#READY} when every shared block holds its KV, else as above
     * @throws IllegalArgumentException if {@code plan} is null
     * @throws IllegalStateException    if {@code plan} is released or was not admitted by this manager
     */
    public SharedKvState sharedKvState(Plan plan) {
        synchronized (lock) {
            checkRunning(plan);
            SharedKvState kv = SharedKvState.READY;
            for (ChunkCache.Entry e : plan.pinned) {
                if (e.lost) {
                    return SharedKvState.LOST;
                }
                if (e.loader != null && e.loader != plan) {
                    kv = SharedKvState.PENDING;
                }
            }
            return kv;
        }
    }

    /**
     * Marks the plan's prefill as done (its loads included): newly computed chunks become canonical in the
     * chunk cache (MEPIC) and enter the chunk store (EPIC, CacheBlend, MEPIC), and full computed blocks enter
     * the prefix cache. Call it once, after the prefill wrote the KV of every compute and load range.
     *
     * @param plan a running plan of this manager
     * @throws IllegalArgumentException if {@code plan} is null
     * @throws IllegalStateException    if {@code plan} is released, was not admitted by this manager, or was
     *                                  already published
     */
    public void publish(Plan plan) {
        synchronized (lock) {
            checkRunning(plan);
            if (plan.published) {
                throw new IllegalStateException("plan: already published");
            }
            plan.published = true;
            markLoadedLocked(plan);
            publishChunks(plan);
            if (policy.prefixCaching()) {
                publishPrefixBlocks(plan);
            }
        }
    }

    /** Puts the plan's chunks in the store and, under a sharing policy, makes the computed ones canonical. */
    private void publishChunks(Plan plan) {
        List<Segment> segments = plan.request().segments();
        for (int s = 0; s < segments.size(); s++) {
            if (!segments.get(s).isChunk()) {
                continue;
            }
            ChunkId id = plan.layout.chunkIds[s];
            if (policy.reusesChunks()) {
                store.put(id); // a no-op unless this plan computed the chunk
            }
            if (policy.sharesChunks()) {
                publishChunk(plan, s, id);
            }
        }
    }

    /** Makes blocks 2..n of chunk segment {@code s} canonical, if no other request did so first. */
    private void publishChunk(Plan plan, int s, ChunkId id) {
        PaddedLayout layout = plan.layout;
        int firstBlock = layout.segStart[s] / blockSize;
        int count = layout.segmentBlocks(s) - 1;
        if (count == 0 || state.chunks.get(id) != null) {
            return;
        }
        int[] blocks = new int[count];
        for (int j = 0; j < count; j++) {
            int b = firstBlock + 1 + j;
            if (plan.sources[b] != PRIVATE_CODE) {
                return; // some of it came from the prefix cache; those blocks are not this chunk's to own
            }
            blocks[j] = plan.table[b];
        }
        plan.pinned.add(state.insertChunk(id, blocks));
    }

    /** Enters the plan's full computed blocks that are no chunk's canonical blocks into the prefix cache. */
    private void publishPrefixBlocks(Plan plan) {
        BlockKey[] keys = plan.layout.keys;
        for (int b = 0; b < keys.length; b++) {
            int block = plan.table[b];
            if (plan.sources[b] == PRIVATE_CODE && !state.chunkBlock[block] && state.prefix.lookup(keys[b]) < 0) {
                state.prefix.insert(keys[b], block);
            }
        }
    }

    /**
     * Adds {@code tokens} decoded tokens to the plan, allocating blocks as the last one fills, first from the
     * plan's reservation. Returns false, changing nothing, when the pool cannot supply the blocks (the engine
     * should then preempt something).
     *
     * @param plan   a running plan of this manager
     * @param tokens decoded tokens to add, >= 0
     * @return true if the plan now covers {@code tokens} more tokens; false, with nothing changed, if the pool
     *         has no room for the blocks beyond its reservation
     * @throws IllegalArgumentException if {@code tokens} is negative or {@code plan} is null
     * @throws IllegalStateException    if {@code plan} is released or was not admitted by this manager
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
            if (need > 0 && !appendBlocks(plan, need, blocksAfter)) {
                return false;
            }
            plan.length = (int) newLength;
            return true;
        }
    }

    /**
     * Appends {@code need} private blocks to the plan's table, first from its reservation, so that it holds
     * {@code blocksAfter} blocks. Returns false, changing nothing, when the pool cannot supply the rest.
     */
    private boolean appendBlocks(Plan plan, int need, long blocksAfter) {
        int fromReserve = Math.min(need, plan.reserved);
        if (need - fromReserve > state.availableBlocks()) {
            return false;
        }
        if (plan.table.length < blocksAfter) {
            int cap = (int) Math.max(blocksAfter, plan.table.length * 2L);
            plan.table = Arrays.copyOf(plan.table, cap);
            plan.sources = Arrays.copyOf(plan.sources, cap);
        }
        plan.reserved -= fromReserve;
        state.reserved -= fromReserve;
        for (int i = 0; i < need; i++) {
            plan.table[plan.tableSize] = state.allocateBlock();
            plan.sources[plan.tableSize] = PRIVATE_CODE;
            plan.tableSize++;
        }
        return true;
    }

    /**
     * Ends the request: drops its references and reservation; uncached blocks return to the free list. Chunk
     * blocks it was still loading are dropped from the chunk cache (plans sharing them see
     * {@link SharedKvState#LOST}).
     *
     * @param plan a running plan of this manager
     * @throws IllegalArgumentException if {@code plan} is null
     * @throws IllegalStateException    if {@code plan} is released or was not admitted by this manager
     */
    public void release(Plan plan) {
        synchronized (lock) {
            checkRunning(plan);
            // Blocks whose loads never finished will never hold valid KV: forget them, so they are freed by
            // their last user and no new request shares them.
            for (ChunkCache.Entry e : plan.loading) {
                state.detachChunk(e);
            }
            plan.loading.clear();
            // Last block first, so that a chain's tail is evicted before its head (as vLLM does).
            for (int i = plan.tableSize - 1; i >= 0; i--) {
                state.release(plan.table[i]);
            }
            for (ChunkCache.Entry e : plan.pinned) {
                state.unpin(e);
            }
            state.reserved -= plan.reserved;
            plan.reserved = 0;
            plan.released = true;
            state.running.remove(plan);
        }
    }

    /** Evicts every cached block that no running request references. */
    public void clearCaches() {
        synchronized (lock) {
            state.evictAll();
        }
    }

    /** {@return a consistent snapshot of the pool's blocks, caches and running plans} */
    public CacheStats stats() {
        synchronized (lock) {
            return state.stats();
        }
    }

    /**
     * Under MEPIC, whether a chunk's canonical blocks are resident in HBM; under EPIC and CacheBlend, whether
     * the chunk store holds its KV (they keep no chunk in HBM); false under NONE and PREFIX.
     *
     * @param id the chunk's identity
     * @return true if the chunk's canonical blocks are resident (MEPIC) or the store holds it (EPIC, CacheBlend)
     */
    public boolean isChunkCached(ChunkId id) {
        synchronized (lock) {
            return state.chunks.get(id) != null || (policy.copiesChunks() && store.contains(id));
        }
    }

    /**
     * Checks every invariant of the pool and caches against the running plans and throws
     * {@link IllegalStateException} naming the first one broken. Linear in pool size; for tests and debugging.
     */
    public void checkInvariants() {
        synchronized (lock) {
            CacheInvariants.check(state);
        }
    }

    private void checkRunning(Plan plan) {
        if (plan == null) {
            throw new IllegalArgumentException("plan: is null");
        }
        if (!state.running.contains(plan)) {
            throw new IllegalStateException("plan: " + (plan.released ? "already released" : "was not admitted by this manager"));
        }
    }
}
