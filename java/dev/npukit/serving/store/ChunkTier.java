package dev.npukit.serving.store;

/**
 * One place chunk KV is kept: host memory, a local disk directory or Redis. A tier never throws for a fault of
 * its medium (an I/O error, an unreachable server, a corrupt entry): it answers a miss or leaves a put unwritten,
 * and counts it in its {@link #stats()}. Thread-safe.
 */
public interface ChunkTier extends AutoCloseable {
    /**
     * The tier's name.
     *
     * @return a short name for reports: {@code memory}, {@code disk}, {@code redis}
     */
    String name();

    /**
     * Reads an entry; a corrupt one is counted, removed and answered as a miss.
     *
     * @param key the entry's key
     * @return the entry of {@code key} when this tier holds an intact one, else null
     */
    ChunkKv get(ChunkKey key);

    /**
     * Whether this tier holds an entry of {@code key}, without reading it.
     *
     * @param key the entry's key
     * @return true if an entry is present (not checked for integrity; {@link #get} is)
     */
    boolean contains(ChunkKey key);

    /**
     * Stores {@code kv} under its key, replacing what was there; a fault leaves it unwritten and counted.
     *
     * @param kv the entry; its {@link ChunkKv#key()} names it
     */
    void put(ChunkKv kv);

    /**
     * The tier's counters.
     *
     * @return hits, misses, puts, bytes, bad entries, errors, drops and evictions since the tier was opened
     */
    TierStats stats();

    /** Releases the tier's resources (connections, threads); stored entries stay on disk and in Redis. */
    @Override
    void close();
}
