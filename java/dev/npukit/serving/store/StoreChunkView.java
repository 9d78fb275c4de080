package dev.npukit.serving.store;

import dev.npukit.kernels.Check;
import dev.npukit.mepic.ChunkId;
import dev.npukit.mepic.ChunkStore;
import dev.npukit.tensor.DType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cache manager's {@link ChunkStore} answered from a {@link TieredChunkStore}, for one model, dtype, block
 * size and layer range. {@link #contains} fetches the entry and holds it until {@link #take}, so a chunk the
 * manager planned to load is loaded from exactly the entry it saw, even if a tier evicts it meanwhile. The engine
 * publishes computed chunks itself with {@link #store} (only it has their KV); {@link #put(ChunkId)} does nothing.
 */
public final class StoreChunkView implements ChunkStore {
    private final TieredChunkStore store;
    private final ChunkKey template;
    private final Map<ChunkId, ChunkKv> held = new ConcurrentHashMap<>();

    public StoreChunkView(TieredChunkStore store, String model, DType dtype, int blockSize, int firstLayer,
            int endLayer) {
        Check.arg(store != null, "store", "is null");
        this.store = store;
        this.template = new ChunkKey(model, dtype, blockSize, firstLayer, endLayer, new ChunkId(0, 0, 0, 0));
    }

    /** The store's key of chunk {@code id}. */
    public ChunkKey key(ChunkId id) {
        Check.arg(id != null, "id", "is null");
        return template.withChunk(id);
    }

    @Override
    public boolean contains(ChunkId id) {
        if (held.containsKey(id)) {
            return true;
        }
        ChunkKv kv = store.get(key(id));
        if (kv == null) {
            return false;
        }
        held.put(id, kv);
        return true;
    }

    /** Does nothing: the engine stores a computed chunk's KV with {@link #store}. */
    @Override
    public void put(ChunkId id) {
    }

    /**
     * The entry {@link #contains} found for {@code id}, released from this view; null when none is held (the chunk
     * must then be computed).
     */
    public ChunkKv take(ChunkId id) {
        return held.remove(id);
    }

    /** Stores a computed chunk: float blocks [block][layer][K, V][floats] as {@link ChunkKv#ofBlocks} takes them. */
    public void store(ChunkId id, int numKvHeads, int headDim, float[][][][] blocks) {
        store.put(ChunkKv.ofBlocks(key(id), numKvHeads, headDim, blocks));
    }

    /** Releases every held entry (after each admission round, so chunks planned but not loaded are not kept). */
    public void releaseAll() {
        held.clear();
    }

    public TieredChunkStore store() {
        return store;
    }

    @Override
    public String toString() {
        return "store(" + store.kind() + ")";
    }
}
