package dev.npukit.serving.store;

import dev.npukit.mepic.ChunkId;
import dev.npukit.mepic.ChunkStore;
import dev.npukit.tensor.DType;
import dev.npukit.util.Check;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The cache manager's {@link ChunkStore} answered from a {@link TieredChunkStore}, for one model, dtype, block
 * size and layer range. {@link #contains} fetches the entry and holds it until {@link #releaseAll}, so a chunk the
 * manager planned to load is loaded ({@link #held}) from exactly the entry it saw, even if a tier evicts it
 * meanwhile. The engine publishes computed chunks itself with {@link #store} (only it has their KV);
 * {@link #put(ChunkId)} does nothing. Counts what it fetched, for reports.
 */
public final class StoreChunkView implements ChunkStore {
    private final TieredChunkStore store;
    private final ChunkKey template;
    private final Map<ChunkId, ChunkKv> held = new ConcurrentHashMap<>();
    private final LongAdder fetched = new LongAdder();
    private final LongAdder fetchedBytes = new LongAdder();
    private final LongAdder fetchNanos = new LongAdder();
    private final LongAdder stored = new LongAdder();

    /**
     * A view of {@code store} for one model, dtype, block size and layer range.
     *
     * @param store the store read and written; not closed by the view
     * @param model the model fingerprint ({@link ModelFingerprint})
     * @param dtype the element type of the stored K and V: F32, F16 or BF16
     * @param blockSize tokens per KV block, &gt; 0
     * @param firstLayer the first decoder layer held
     * @param endLayer one past the last decoder layer held
     * @throws IllegalArgumentException if {@code store} is null or the rest is not a valid {@link ChunkKey}
     */
    public StoreChunkView(TieredChunkStore store, String model, DType dtype, int blockSize, int firstLayer,
            int endLayer) {
        Check.arg(store != null, "store", "is null");
        this.store = store;
        this.template = new ChunkKey(model, dtype, blockSize, firstLayer, endLayer, new ChunkId(0, 0, 0, 0));
    }

    /**
     * The store's key of a chunk.
     *
     * @param id the chunk
     * @return the key with this view's model, dtype, block size and layers
     * @throws IllegalArgumentException if {@code id} is null
     */
    public ChunkKey key(ChunkId id) {
        Check.arg(id != null, "id", "is null");
        return template.withChunk(id);
    }

    @Override
    public boolean contains(ChunkId id) {
        if (held.containsKey(id)) {
            return true;
        }
        long t0 = System.nanoTime();
        ChunkKv kv = store.get(key(id));
        fetchNanos.add(System.nanoTime() - t0);
        if (kv == null) {
            return false;
        }
        fetched.increment();
        fetchedBytes.add(kv.bytes());
        held.put(id, kv);
        return true;
    }

    /** Does nothing: the engine stores a computed chunk's KV with {@link #store}. */
    @Override
    public void put(ChunkId id) {
    }

    /**
     * The entry {@link #contains} found for {@code id} and holds until {@link #releaseAll}; null when none is held
     * (the chunk must then be computed).
     *
     * @param id the chunk
     * @return the held entry, or null
     */
    public ChunkKv held(ChunkId id) {
        return held.get(id);
    }

    /**
     * Stores a computed chunk in every tier of the store (see {@link TieredChunkStore#put}).
     *
     * @param id the chunk
     * @param numKvHeads KV heads per token
     * @param headDim elements per head
     * @param blocks float blocks [block][layer][K, V][floats] as {@link ChunkKv#ofBlocks} takes them
     * @throws IllegalArgumentException if the blocks do not have the shape {@link ChunkKv#ofBlocks} requires
     */
    public void store(ChunkId id, int numKvHeads, int headDim, float[][][][] blocks) {
        store.put(ChunkKv.ofBlocks(key(id), numKvHeads, headDim, blocks));
        stored.increment();
    }

    /**
     * Whether some tier holds a chunk, without fetching it (to skip storing it again).
     *
     * @param id the chunk
     * @return true if an entry is present in some tier
     */
    public boolean stored(ChunkId id) {
        return store.contains(key(id));
    }

    /**
     * Chunks fetched from the store by {@link #contains} (each fetch a load the manager can plan).
     *
     * @return the number of hits since the view was made
     */
    public long chunksFetched() {
        return fetched.sum();
    }

    /**
     * The size of what was fetched.
     *
     * @return payload bytes of the chunks fetched
     */
    public long bytesFetched() {
        return fetchedBytes.sum();
    }

    /**
     * Time spent fetching.
     *
     * @return seconds spent in store gets, hits and misses
     */
    public double fetchSeconds() {
        return fetchNanos.sum() / 1e9;
    }

    /**
     * Chunks stored through {@link #store}.
     *
     * @return the number of calls to {@link #store}
     */
    public long chunksStored() {
        return stored.sum();
    }

    /** Releases every held entry (after each admission round, so chunks planned but not loaded are not kept). */
    public void releaseAll() {
        held.clear();
    }

    /**
     * The store this view reads and writes.
     *
     * @return the store
     */
    public TieredChunkStore store() {
        return store;
    }

    @Override
    public String toString() {
        return "store(" + store.kind() + ")";
    }
}
