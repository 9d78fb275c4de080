package dev.npukit.serving.store;

import dev.npukit.mepic.ChunkId;
import dev.npukit.mepic.ChunkStore;
import dev.npukit.tensor.DType;
import dev.npukit.util.Check;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * The cache manager's {@link ChunkStore} answered from a {@link TieredChunkStore}, for one model, dtype, block
 * size and layer range. {@link #contains} fetches the entry and holds it until {@link #releaseAll}, so a chunk the
 * manager planned to load is loaded ({@link #held}) from exactly the entry it saw, even if a tier evicts it
 * meanwhile. The engine publishes computed chunks itself with {@link #store} (only it has their KV);
 * {@link #put(ChunkId)} does nothing. Counts what it fetched, for reports.
 *
 * <p>Entries are fetched with {@link TieredChunkStore#read(ChunkKey, IntFunction)} into buffers the view keeps and
 * reuses after each {@link #releaseAll}: a load allocates no buffer once the view holds enough of them (a fresh
 * array of a chunk's size costs more than reading the chunk: {@code npukit bench chunk-store}, rows get and read).
 * The view keeps at most as many buffers as it has held entries at once, each the size of a payload it has held;
 * direct buffers, which the disk tier reads into without a copy through a temporary one.
 */
public final class StoreChunkView implements ChunkStore {
    private final TieredChunkStore store;
    private final ChunkKey template;
    private final Map<ChunkId, ChunkKv> held = new ConcurrentHashMap<>();
    /** Buffers of the held entries. */
    private final List<ByteBuffer> inUse = new ArrayList<>();
    /** Buffers free for the next fetch, smallest first. */
    private final List<ByteBuffer> free = new ArrayList<>();
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
        ByteBuffer[] taken = new ByteBuffer[1];
        ChunkKv kv = store.read(key(id), bytes -> {
            // Asked again when a faster tier missed after asking: the buffer taken then is reused if it fits.
            if (taken[0] == null || taken[0].capacity() < bytes) {
                giveBack(taken[0]);
                taken[0] = take(bytes);
            }
            return taken[0].clear();
        });
        fetchNanos.add(System.nanoTime() - t0);
        if (kv == null) {
            giveBack(taken[0]);
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
     * @return the held entry, its payload valid until {@link #releaseAll}, or null
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

    /**
     * Releases every held entry (after each admission round, so chunks planned but not loaded are not kept). Their
     * payloads' bytes are reused by the next fetches: an entry from {@link #held} must not be used after this.
     */
    public void releaseAll() {
        held.clear();
        synchronized (this) {
            free.addAll(inUse);
            inUse.clear();
            free.sort(Comparator.comparingInt(ByteBuffer::capacity));
        }
    }

    /** The smallest free buffer of at least {@code bytes}, else a new one; counted in use. */
    private synchronized ByteBuffer take(int bytes) {
        for (int i = 0; i < free.size(); i++) {
            if (free.get(i).capacity() >= bytes) {
                ByteBuffer b = free.remove(i);
                inUse.add(b);
                return b;
            }
        }
        // Too small for this payload: the smallest buffer is replaced, so the view keeps no more buffers than entries.
        if (!free.isEmpty()) {
            free.remove(0);
        }
        ByteBuffer b = ByteBuffer.allocateDirect(bytes);
        inUse.add(b);
        return b;
    }

    /** Returns a buffer taken for a fetch that did not use it. */
    private synchronized void giveBack(ByteBuffer b) {
        // By identity: a buffer's equals compares its bytes.
        if (b != null && inUse.removeIf(u -> u == b)) {
            free.add(b);
            free.sort(Comparator.comparingInt(ByteBuffer::capacity));
        }
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
