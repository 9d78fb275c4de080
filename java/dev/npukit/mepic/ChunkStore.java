package dev.npukit.mepic;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The external chunk KV store outside HBM (LMCache in host memory or on disk), as the cache manager sees it:
 * which chunks it can load from there instead of computing them. The store costs no pool blocks. Every
 * chunk-reusing policy (EPIC, CacheBlend, MEPIC) consults the same store: a chunk the store holds is
 * <em>loaded</em> (its KV copied into HBM blocks), one it does not hold is computed whole, and a computed chunk
 * is {@linkplain #put put} into the store when its plan is published. NONE and PREFIX do not use it.
 *
 * <p>The manager calls the store under its own lock; a store shared by several managers must be thread-safe,
 * as both stores here are.
 */
public interface ChunkStore {
    /**
     * Whether the store holds the KV of a chunk (its canonical padded layout, without RoPE).
     *
     * @param id the chunk's identity
     * @return true if the chunk can be loaded from the store instead of computed
     */
    boolean contains(ChunkId id);

    /**
     * Records that the KV of a chunk has been computed and written to the store; idempotent.
     *
     * @param id the chunk's identity
     */
    void put(ChunkId id);

    /**
     * A store that holds every chunk: the corpus was processed offline, as in the MEPIC paper's setup, so no
     * chunk is ever computed whole by a chunk-reusing policy.
     *
     * @return the one shared instance; it holds no state
     */
    static ChunkStore warm() {
        return Warm.INSTANCE;
    }

    /**
     * A store that starts empty and holds each chunk from the first time a request computes it.
     *
     * @return a new, empty store, thread-safe
     */
    static ChunkStore cold() {
        return new Cold();
    }

    /** The store {@link #warm()} returns: it holds every chunk and records nothing. */
    final class Warm implements ChunkStore {
        private static final Warm INSTANCE = new Warm();

        private Warm() {
        }

        @Override
        public boolean contains(ChunkId id) {
            return true;
        }

        @Override
        public void put(ChunkId id) {
        }

        @Override
        public String toString() {
            return "warm";
        }
    }

    /** A store {@link #cold()} returns: the set of chunks put so far. */
    final class Cold implements ChunkStore {
        private final Set<ChunkId> held = ConcurrentHashMap.newKeySet();

        private Cold() {
        }

        @Override
        public boolean contains(ChunkId id) {
            return held.contains(id);
        }

        @Override
        public void put(ChunkId id) {
            held.add(id);
        }

        /** {@return the number of chunks held so far} */
        public int size() {
            return held.size();
        }

        @Override
        public String toString() {
            return "cold(" + held.size() + " chunks)";
        }
    }
}
