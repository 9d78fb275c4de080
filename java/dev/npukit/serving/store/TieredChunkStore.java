package dev.npukit.serving.store;

import dev.npukit.util.Check;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The chunk KV store: host memory, then optionally a local disk directory, then optionally a remote tier (Redis,
 * shared by hosts). A get reads through the tiers in that order and promotes what it finds into the faster tiers;
 * a put writes through: memory and disk at once, the remote tier from a background queue ({@link AsyncTier}), so
 * publishing a chunk never waits for the network. A missing or broken tier means a miss (the caller computes the
 * chunk), never an exception and never another key's KV. Thread-safe.
 */
public final class TieredChunkStore implements AutoCloseable {
    /** Memory tier budget of {@link #open}: 1 GiB. */
    public static final long DEFAULT_MEMORY_BYTES = 1L << 30;
    /** Disk tier budget of {@link #open}: 16 GiB. */
    public static final long DEFAULT_DISK_BYTES = 16L << 30;
    /** Remote write queue of {@link #open}: 256 MiB. */
    public static final long DEFAULT_QUEUE_BYTES = 256L << 20;

    private final String kind;
    private final MemoryTier memory;
    private final DiskTier disk;
    private final AsyncTier remote;

    private TieredChunkStore(String kind, MemoryTier memory, DiskTier disk, AsyncTier remote) {
        this.kind = kind;
        this.memory = memory;
        this.disk = disk;
        this.remote = remote;
    }

    /**
     * A store from a spec, as {@code npukit demo --chunk-store} takes it: {@code memory}; {@code disk:DIR} (memory,
     * then files under DIR); or a Redis URI {@code redis://HOST:PORT[,HOST:PORT...]} / {@code rediss://...} (memory,
     * then Redis; see {@link RedisTarget}), with the default budgets above. IOException when DIR cannot be opened;
     * never for Redis, whose faults are misses.
     *
     * @param spec {@code memory}, {@code disk:DIR} or a Redis URI
     * @return the open store
     * @throws IOException if the disk directory cannot be created or listed
     * @throws IllegalArgumentException if {@code spec} is blank, of another form, or a malformed Redis URI
     */
    public static TieredChunkStore open(String spec) throws IOException {
        Check.arg(spec != null && !spec.isBlank(), "spec", "is null or blank");
        Builder b = builder().memory(DEFAULT_MEMORY_BYTES);
        if (spec.equals("memory")) {
            return b.build();
        }
        if (spec.startsWith("disk:") && spec.length() > 5) {
            return b.disk(Path.of(spec.substring(5)), DEFAULT_DISK_BYTES).build();
        }
        if (RedisTarget.isRedisUri(spec)) {
            return b.remote(new RedisTier(spec), DEFAULT_QUEUE_BYTES).build();
        }
        throw new IllegalArgumentException("spec: must be memory, disk:DIR or redis://HOST:PORT[,HOST:PORT...], got "
                + spec);
    }

    /**
     * A builder with a {@value #DEFAULT_MEMORY_BYTES}-byte (1 GiB) memory tier and no disk or remote tier.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Chooses the tiers. */
    public static final class Builder {
        private long memoryBytes = DEFAULT_MEMORY_BYTES;
        private Path diskDir;
        private long diskBytes;
        private ChunkTier remote;
        private long queueBytes;

        private Builder() {
        }

        /**
         * Sets the memory tier's budget.
         *
         * @param budgetBytes the most payload bytes held in memory, &gt;= 0 (0 keeps nothing in memory)
         * @return this builder
         * @throws IllegalArgumentException if {@code budgetBytes} is negative
         */
        public Builder memory(long budgetBytes) {
            Check.arg(budgetBytes >= 0, "budgetBytes", "is %d, must be >= 0", budgetBytes);
            this.memoryBytes = budgetBytes;
            return this;
        }

        /**
         * Adds a disk tier; the directory is opened by {@link #build()}.
         *
         * @param dir the store directory, created when missing
         * @param budgetBytes the most entry-file bytes held, &gt;= 0
         * @return this builder
         * @throws IllegalArgumentException if {@code dir} is null or {@code budgetBytes} is negative
         */
        public Builder disk(Path dir, long budgetBytes) {
            Check.arg(dir != null, "dir", "is null");
            Check.arg(budgetBytes >= 0, "budgetBytes", "is %d, must be >= 0", budgetBytes);
            this.diskDir = dir;
            this.diskBytes = budgetBytes;
            return this;
        }

        /**
         * Adds a remote tier (a {@link RedisTier}), written through an {@link AsyncTier}.
         *
         * @param tier the remote tier; closed with the store
         * @param queueBytes the most payload bytes waiting to be written, &gt; 0
         * @return this builder
         * @throws IllegalArgumentException if {@code tier} is null or {@code queueBytes} is not positive
         */
        public Builder remote(ChunkTier tier, long queueBytes) {
            Check.arg(tier != null, "tier", "is null");
            Check.arg(queueBytes > 0, "queueBytes", "is %d, must be positive", queueBytes);
            this.remote = tier;
            this.queueBytes = queueBytes;
            return this;
        }

        /**
         * Opens the store with the chosen tiers.
         *
         * @return the open store
         * @throws IOException if the disk directory cannot be created or listed
         */
        public TieredChunkStore build() throws IOException {
            DiskTier d = diskDir == null ? null : new DiskTier(diskDir, diskBytes);
            AsyncTier r = remote == null ? null : new AsyncTier(remote, queueBytes);
            String kind = remote != null ? remote.name() : d != null ? "disk" : "memory";
            return new TieredChunkStore(kind, new MemoryTier(memoryBytes), d, r);
        }
    }

    /**
     * The store's kind, for reports.
     *
     * @return the slowest tier: {@code memory}, {@code disk} or {@code redis} (the demo JSON's
     *     {@code chunkStore.kind})
     */
    public String kind() {
        return kind;
    }

    /**
     * Reads through the tiers, fastest first, and copies a hit into the faster tiers.
     *
     * @param key the entry's key
     * @return the entry from the fastest tier that holds an intact one, else null
     * @throws IllegalArgumentException if {@code key} is null
     */
    public ChunkKv get(ChunkKey key) {
        Check.arg(key != null, "key", "is null");
        ChunkKv kv = memory.get(key);
        if (kv != null) {
            return kv;
        }
        if (disk != null) {
            kv = disk.get(key);
            if (kv != null) {
                memory.put(kv);
                return kv;
            }
        }
        if (remote != null) {
            kv = remote.get(key);
            if (kv != null) {
                memory.put(kv);
                if (disk != null) {
                    disk.put(kv);
                }
                return kv;
            }
        }
        return null;
    }

    /**
     * Reads through the tiers, fastest first, into the caller's buffer ({@link ChunkTier#read(ChunkKey, ByteBuffer)}:
     * no buffer allocated per read, the payload copied once from the tier that holds it). A hit from a slower tier
     * is copied into the faster ones as {@link #get} does, which costs each of them a copy of its own (none for a
     * memory tier whose budget the entry exceeds).
     *
     * @param key the entry's key
     * @param dst where the payload goes, at its position, which then moves past it; an entry whose payload does not
     *     fit its remaining bytes is a miss
     * @return the entry read, its payload a read-only view of the bytes written into {@code dst}, or null on a miss
     * @throws IllegalArgumentException if {@code key} or {@code dst} is null, or {@code dst} is read-only
     */
    public ChunkKv read(ChunkKey key, ByteBuffer dst) {
        Check.arg(key != null, "key", "is null");
        Check.arg(dst != null && !dst.isReadOnly(), "dst", "is null or read-only");
        ChunkKv kv = read(key, ChunkCodec.into(dst));
        if (kv != null) {
            dst.position(dst.position() + kv.bytes());
        }
        return kv;
    }

    /**
     * Reads through the tiers, fastest first, into a buffer the caller picks once the payload's size is known
     * ({@link ChunkTier#read(ChunkKey, IntFunction)}), promoting a hit from a slower tier as
     * {@link #read(ChunkKey, ByteBuffer)} does. {@code dst} is asked at most once per tier tried.
     *
     * @param key the entry's key
     * @param dst given the payload's size, the buffer to read it into (at its position, which is not moved), or null
     *     to decline the entry
     * @return the entry read, its payload a read-only view of the bytes written into the buffer {@code dst} gave, or
     *     null on a miss
     * @throws IllegalArgumentException if {@code key} or {@code dst} is null, or {@code dst} gives a read-only buffer
     */
    public ChunkKv read(ChunkKey key, IntFunction<ByteBuffer> dst) {
        Check.arg(key != null, "key", "is null");
        Check.arg(dst != null, "dst", "is null");
        ChunkKv kv = memory.read(key, dst);
        if (kv != null) {
            return kv;
        }
        if (disk != null) {
            kv = disk.read(key, dst);
            if (kv != null) {
                if (memory.keeps(kv.bytes())) {
                    memory.put(copy(kv));
                }
                return kv;
            }
        }
        if (remote != null) {
            kv = remote.read(key, dst);
            if (kv != null) {
                if (memory.keeps(kv.bytes())) {
                    memory.put(copy(kv));
                }
                if (disk != null) {
                    // The disk tier writes the bytes before it returns and keeps no reference: no copy needed.
                    disk.put(kv);
                }
                return kv;
            }
        }
        return null;
    }

    /** A heap copy of a chunk read into a caller's buffer, for the tiers to keep. */
    private static ChunkKv copy(ChunkKv kv) {
        return ChunkKv.copyOf(kv.key(), kv.numBlocks(), kv.numKvHeads(), kv.headDim(), kv.payload());
    }

    /**
     * Whether some tier holds an entry of {@code key}, without reading it.
     *
     * @param key the entry's key
     * @return true if present in some tier (a following get may still miss: eviction, corruption)
     * @throws IllegalArgumentException if {@code key} is null
     */
    public boolean contains(ChunkKey key) {
        Check.arg(key != null, "key", "is null");
        return memory.contains(key) || (disk != null && disk.contains(key)) || (remote != null && remote.contains(key));
    }

    /**
     * Stores {@code kv} in every tier: memory and disk before returning, the remote tier in the background.
     *
     * @param kv the entry; its {@link ChunkKv#key()} names it
     * @throws IllegalArgumentException if {@code kv} is null
     */
    public void put(ChunkKv kv) {
        Check.arg(kv != null, "kv", "is null");
        memory.put(kv);
        if (disk != null) {
            disk.put(kv);
        }
        if (remote != null) {
            remote.put(kv);
        }
    }

    /**
     * Waits until queued remote writes are done.
     *
     * @param timeout the longest wait
     * @return true when nothing is left to write (always without a remote tier), false when {@code timeout}
     *     passed first
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    public boolean flush(Duration timeout) throws InterruptedException {
        return remote == null || remote.flush(timeout);
    }

    /**
     * Counters of each tier.
     *
     * @return one entry per tier, fastest first: memory, then disk and the remote tier when present
     */
    public List<TierStats> stats() {
        List<TierStats> out = new ArrayList<>();
        out.add(memory.stats());
        if (disk != null) {
            out.add(disk.stats());
        }
        if (remote != null) {
            out.add(remote.stats());
        }
        return out;
    }

    /** Writes queued remote puts (up to 30 s) and closes every tier. */
    @Override
    public void close() {
        if (remote != null) {
            remote.close();
        }
        if (disk != null) {
            disk.close();
        }
        memory.close();
    }
}
