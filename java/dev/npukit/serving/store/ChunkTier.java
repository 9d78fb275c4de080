package dev.npukit.serving.store;

/**
 * One place chunk KV is kept: host memory, a local disk directory or Redis. A tier never throws for a fault of
 * its medium (an I/O error, an unreachable server, a corrupt entry): it answers a miss or leaves a put unwritten,
 * and counts it in its {@link #stats()}. Thread-safe.
 */
public interface ChunkTier extends AutoCloseable {
    /** A short name for reports: {@code memory}, {@code disk}, {@code redis}. */
    String name();

    /** The entry of {@code key} when this tier holds an intact one, else null. */
    ChunkKv get(ChunkKey key);

    /** Whether this tier holds an entry of {@code key} (not checked for integrity; {@link #get} is). */
    boolean contains(ChunkKey key);

    /** Stores {@code kv} under its key, replacing what was there. */
    void put(ChunkKv kv);

    TierStats stats();

    @Override
    void close();
}
