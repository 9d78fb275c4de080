package dev.npukit.serving.store;

import dev.npukit.util.Check;
import java.nio.ByteBuffer;
import java.util.function.IntFunction;

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
     * Reads an entry's payload into the caller's buffer, checked as {@link #get} checks it: the load path of a
     * caller that keeps its own storage (a reused staging buffer, a KV cache's memory), with no buffer allocated per
     * read. The payload is written at {@code dst}'s position, which then moves past it. A miss leaves the position
     * where it was and may have overwritten the bytes after it. A direct {@code dst} saves a copy on the disk tier:
     * a file is read into a heap buffer through a direct one.
     *
     * @param key the entry's key
     * @param dst where the payload goes; an entry whose payload does not fit its remaining bytes is a miss
     * @return the entry read, its payload a read-only view of the bytes written into {@code dst} (valid until the
     *     caller writes them again: put a copy, {@link ChunkKv#copyOf}, into a tier, not this view), or null on a
     *     miss
     * @throws IllegalArgumentException if {@code key} or {@code dst} is null, or {@code dst} is read-only
     */
    default ChunkKv read(ChunkKey key, ByteBuffer dst) {
        Check.arg(dst != null && !dst.isReadOnly(), "dst", "is null or read-only");
        ChunkKv kv = read(key, ChunkCodec.into(dst));
        if (kv != null) {
            dst.position(dst.position() + kv.bytes());
        }
        return kv;
    }

    /**
     * Reads an entry's payload into a buffer the caller picks once the payload's size is known, checked as
     * {@link #get} checks it: for a caller that keeps reusable buffers of several sizes. {@code dst} is called at most
     * once, with the payload's size in bytes, before any payload byte is read; the payload is written at the
     * returned buffer's position, which is not moved. A miss may have overwritten bytes of that buffer.
     *
     * @param key the entry's key
     * @param dst given the payload's size, the buffer to read it into (at least that many bytes remaining, not
     *     read-only), or null to decline the entry: a miss
     * @return the entry read, its payload a read-only view of the bytes written into the buffer {@code dst} gave, or
     *     null on a miss
     * @throws IllegalArgumentException if {@code key} or {@code dst} is null, or {@code dst} gives a read-only buffer
     */
    ChunkKv read(ChunkKey key, IntFunction<ByteBuffer> dst);

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
