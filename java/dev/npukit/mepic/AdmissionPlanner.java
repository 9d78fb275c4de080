package dev.npukit.mepic;

import static dev.npukit.mepic.BlockSource.CHUNK_LOADED_CODE;
import static dev.npukit.mepic.BlockSource.CHUNK_SHARED_CODE;
import static dev.npukit.mepic.BlockSource.PREFIX_HIT_CODE;
import static dev.npukit.mepic.BlockSource.PRIVATE_CODE;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;

/**
 * Plans the admission of one request under the manager's lock: what each prefill block reuses (a prefix hit,
 * a shared chunk block), which blocks it needs new, and whether they fit. Pass 1 resolves every block without
 * changing any state, so that a refusal leaves nothing behind; pass 2 pins what is reused, allocates the rest
 * and makes the chunks this request loads canonical, so that concurrent requests share them at once. What the
 * request computes and loads is then {@link RangePlanner}'s. One instance per admission attempt.
 */
final class AdmissionPlanner {
    /** Per chunk segment under a sharing policy: how its blocks 2..n are obtained when it is not resident. */
    private static final byte SEG_UNDECIDED = 0;
    private static final byte SEG_LOADS = 1;
    private static final byte SEG_DUPLICATE = 2;
    private static final byte SEG_PREFIX_PATH = 3;

    private final CacheState state;
    private final Policy policy;
    private final ChunkStore store;
    private final Object lock;
    private final Request request;
    private final PaddedLayout layout;
    private final int decodeBlocks;
    private final int prefillBlocks;
    private final int[] table;
    private final byte[] sources;
    /** Per segment: the resident chunk object that supplies its blocks 2..n, or null. */
    private final ChunkCache.Entry[] segEntry;
    /** Per segment: whether it is a chunk whose KV the store holds and HBM does not. */
    private final boolean[] segStored;
    private final byte[] segMode;
    /** Per segment in {@link #SEG_DUPLICATE} mode: the earlier segment that loads the same chunk. */
    private int[] duplicateOf;
    /** The segment that loads each chunk this request loads into canonical blocks. */
    private HashMap<ChunkId, Integer> loadingSeg;
    private int newBlocks;
    /** Reused blocks that are evictable now, so that admission cannot count them as room. */
    private int evictableTaken;

    /**
     * @param lock         the manager's lock, held by the caller; it guards the plan's mutable parts
     * @param decodeBlocks blocks to reserve for decoding beyond the padded prompt
     */
    AdmissionPlanner(CacheState state, Policy policy, ChunkStore store, Object lock, Request request,
            PaddedLayout layout, int decodeBlocks) {
        this.state = state;
        this.policy = policy;
        this.store = store;
        this.lock = lock;
        this.request = request;
        this.layout = layout;
        this.decodeBlocks = decodeBlocks;
        this.prefillBlocks = layout.numBlocks();
        this.table = new int[prefillBlocks + decodeBlocks];
        this.sources = new byte[prefillBlocks + decodeBlocks];
        int numSegs = layout.segStart.length;
        this.segEntry = new ChunkCache.Entry[numSegs];
        this.segStored = new boolean[numSegs];
        this.segMode = new byte[numSegs];
    }

    /** Admits the request with a plan that holds its blocks, or says why not, holding nothing. */
    Admission admit() {
        resolveSegments();
        for (int b = 0; b < prefillBlocks; b++) {
            resolveBlock(b);
        }
        List<ChunkCache.Entry> reused = reusedChunks();
        int needed = newBlocks + decodeBlocks;
        int available = state.availableBlocks() - evictableTaken;
        if (needed > available) {
            return new Admission.MustWait(needed, Math.max(0, available));
        }
        return new Admission.Admitted(commit(reused));
    }

    /** Finds, per chunk segment, the resident chunk object a sharing policy reuses, or whether the store holds it. */
    private void resolveSegments() {
        List<Segment> segments = request.segments();
        for (int s = 0; s < segments.size(); s++) {
            if (!segments.get(s).isChunk()) {
                continue;
            }
            ChunkId id = layout.chunkIds[s];
            if (policy.sharesChunks()) {
                segEntry[s] = state.chunks.get(id);
                segStored[s] = segEntry[s] == null && store.contains(id);
            } else if (policy.copiesChunks()) {
                segStored[s] = store.contains(id);
            }
        }
    }

    /** Pass 1 for prefill block {@code b}: decides where it comes from; changes no state. */
    private void resolveBlock(int b) {
        int s = layout.blockSeg[b];
        int j = layout.blockIndexInSeg[b];
        // A resident chunk supplies all of its blocks 2..n, so a request holds a chunk object whole or not at
        // all; only a block that the chunk cache cannot supply goes through the prefix path.
        if (segEntry[s] != null && j > 0) {
            table[b] = segEntry[s].blocks[j - 1];
            sources[b] = CHUNK_SHARED_CODE;
            return;
        }
        if (segStored[s] && policy.sharesChunks() && j > 0 && resolveStoredChunkBlock(b, s)) {
            return;
        }
        if (!resolvePrefixHit(b)) {
            table[b] = -1;
            sources[b] = PRIVATE_CODE;
            newBlocks++;
        }
    }

    /**
     * Block {@code b}, one of blocks 2..n of stored chunk segment {@code s} under a sharing policy: loaded into
     * a new canonical block, or shared with an earlier segment of this request that loads the same chunk.
     * Returns false when the segment takes the prefix path instead.
     */
    private boolean resolveStoredChunkBlock(int b, int s) {
        if (segMode[s] == SEG_UNDECIDED) {
            segMode[s] = storedSegmentMode(b, s);
        }
        if (segMode[s] == SEG_LOADS) {
            table[b] = -1;
            sources[b] = CHUNK_LOADED_CODE;
            newBlocks++;
            return true;
        }
        if (segMode[s] == SEG_DUPLICATE) {
            table[b] = -1; // the loading segment's block, known after allocation
            sources[b] = CHUNK_SHARED_CODE;
            return true;
        }
        return false;
    }

    /**
     * How stored chunk segment {@code s} obtains its blocks 2..n, decided at its block 2 ({@code b}): it loads
     * them into new canonical blocks, unless an earlier segment of this request loads the same chunk, or block 2
     * is a prefix hit (then the whole preceding context matches and the prefix path serves it more cheaply).
     */
    private byte storedSegmentMode(int b, int s) {
        ChunkId id = layout.chunkIds[s];
        Integer first = loadingSeg == null ? null : loadingSeg.get(id);
        if (first != null) {
            if (duplicateOf == null) {
                duplicateOf = new int[segMode.length];
            }
            duplicateOf[s] = first;
            return SEG_DUPLICATE;
        }
        if (b < layout.keys.length && state.prefix.lookup(layout.keys[b]) >= 0) {
            return SEG_PREFIX_PATH;
        }
        if (loadingSeg == null) {
            loadingSeg = new HashMap<>();
        }
        loadingSeg.put(id, s);
        return SEG_LOADS;
    }

    /** Reuses the prefix cache's block for full block {@code b} if the policy caches prefixes and it has one. */
    private boolean resolvePrefixHit(int b) {
        if (!policy.prefixCaching() || b >= layout.keys.length) {
            return false;
        }
        int hit = state.prefix.lookup(layout.keys[b]);
        if (hit < 0) {
            return false;
        }
        table[b] = hit;
        sources[b] = PREFIX_HIT_CODE;
        if (state.prefix.isEvictable(hit)) {
            evictableTaken++;
        }
        return true;
    }

    /**
     * The resident chunk objects this request shares, each once, in the order it uses them; the unreferenced ones
     * count as taken. The order is the order of release, and with it of eviction, so it must not depend on
     * identity hash codes.
     */
    private List<ChunkCache.Entry> reusedChunks() {
        List<ChunkCache.Entry> reused = new ArrayList<>();
        for (int s = 0; s < segEntry.length; s++) {
            ChunkCache.Entry e = segEntry[s];
            if (e != null && layout.segmentBlocks(s) > 1 && !reused.contains(e)) { // Entry equality is identity
                reused.add(e);
                if (e.refCount == 0) {
                    evictableTaken += e.blocks.length;
                }
            }
        }
        return reused;
    }

    /** Pass 2: takes the blocks pass 1 resolved, reserves the decode blocks and builds the running plan. */
    private Plan commit(List<ChunkCache.Entry> reused) {
        // Pin everything reused first, so that the allocations below cannot evict it.
        for (int b = 0; b < prefillBlocks; b++) {
            if ((sources[b] == PREFIX_HIT_CODE || sources[b] == CHUNK_SHARED_CODE) && table[b] >= 0) {
                state.retain(table[b]);
            }
        }
        for (ChunkCache.Entry e : reused) {
            state.chunks.pin(e);
        }
        for (int b = 0; b < prefillBlocks; b++) {
            if (sources[b] == PRIVATE_CODE || sources[b] == CHUNK_LOADED_CODE) {
                table[b] = state.allocateBlock();
            }
        }
        shareDuplicates();
        state.reserved += decodeBlocks;
        RangePlanner ranges = new RangePlanner(policy, layout, sources, segStored);
        Plan plan = new Plan(lock, request, layout, table, sources, ranges.computeRanges(), ranges.loadRanges());
        plan.reserved = decodeBlocks;
        plan.pinned.addAll(reused);
        registerLoads(plan);
        state.running.add(plan);
        return plan;
    }

    /** Points the blocks 2..n of each duplicate segment at those its loading segment was just given. */
    private void shareDuplicates() {
        if (duplicateOf == null) {
            return;
        }
        for (int b = 0; b < prefillBlocks; b++) {
            int s = layout.blockSeg[b];
            if (segMode[s] == SEG_DUPLICATE && sources[b] == CHUNK_SHARED_CODE) {
                int firstBlock = layout.segStart[duplicateOf[s]] / layout.blockSize;
                table[b] = table[firstBlock + layout.blockIndexInSeg[b]];
                state.retain(table[b]);
            }
        }
    }

    /** The chunks this plan loads become canonical now, so that concurrent requests share them at once. */
    private void registerLoads(Plan plan) {
        if (loadingSeg == null) {
            return;
        }
        for (int s : loadingSeg.values()) {
            int firstBlock = layout.segStart[s] / layout.blockSize;
            int[] blocks = Arrays.copyOfRange(table, firstBlock + 1, firstBlock + layout.segmentBlocks(s));
            ChunkCache.Entry e = state.insertChunk(layout.chunkIds[s], blocks);
            e.loader = plan;
            plan.pinned.add(e);
            plan.loading.add(e);
        }
    }
}
