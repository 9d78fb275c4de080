package dev.npukit.serving.store;

import dev.npukit.util.Check;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Chunk KV in host memory: at most {@code budgetBytes} payload bytes, least recently used entries evicted first.
 * Holds the {@link ChunkKv} objects themselves (immutable), so a hit costs no copy; an entry larger than the
 * whole budget is not kept.
 */
public final class MemoryTier implements ChunkTier {
    private final long budgetBytes;
    private final LinkedHashMap<ChunkKey, ChunkKv> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final TierCounters counters = new TierCounters();
    private long heldBytes;

    /**
     * An empty memory tier.
     *
     * @param budgetBytes the most payload bytes held, &gt;= 0 (0 keeps nothing)
     * @throws IllegalArgumentException if {@code budgetBytes} is negative
     */
    public MemoryTier(long budgetBytes) {
        Check.arg(budgetBytes >= 0, "budgetBytes", "is %d, must be >= 0", budgetBytes);
        this.budgetBytes = budgetBytes;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public synchronized ChunkKv get(ChunkKey key) {
        ChunkKv kv = entries.get(key);
        return kv == null ? counters.miss() : counters.hit(kv);
    }

    /** Copies the held payload into the buffer {@code dst} gives: one memcpy. */
    @Override
    public ChunkKv read(ChunkKey key, IntFunction<ByteBuffer> dst) {
        return ChunkCodec.readInto(key, dst, this::load);
    }

    private ChunkKv load(ChunkKey key, IntFunction<ByteBuffer> target) {
        ChunkKv kv;
        synchronized (this) {
            kv = entries.get(key);
        }
        ByteBuffer payload = kv == null ? null : target.apply(kv.bytes());
        if (payload == null) {
            return counters.miss();
        }
        payload.duplicate().put(kv.payload());
        return counters.hit(ChunkKv.wrap(kv.key(), kv.numBlocks(), kv.numKvHeads(), kv.headDim(), payload));
    }

    /**
     * Whether a put of {@code bytes} of payload would be kept.
     *
     * @param bytes payload bytes
     * @return true if they fit the budget
     */
    boolean keeps(long bytes) {
        return bytes <= budgetBytes;
    }

    @Override
    public synchronized boolean contains(ChunkKey key) {
        return entries.containsKey(key);
    }

    @Override
    public synchronized void put(ChunkKv kv) {
        Check.arg(kv != null, "kv", "is null");
        if (kv.bytes() > budgetBytes) {
            counters.dropped.increment();
            return;
        }
        ChunkKv old = entries.put(kv.key(), kv);
        heldBytes += kv.bytes() - (old == null ? 0 : old.bytes());
        counters.put(kv);
        for (Iterator<Map.Entry<ChunkKey, ChunkKv>> it = entries.entrySet().iterator();
                heldBytes > budgetBytes && it.hasNext();) {
            ChunkKv eldest = it.next().getValue();
            it.remove();
            heldBytes -= eldest.bytes();
            counters.evictions.increment();
        }
    }

    @Override
    public synchronized TierStats stats() {
        return counters.snapshot(name(), heldBytes);
    }

    @Override
    public synchronized void close() {
        entries.clear();
        heldBytes = 0;
    }
}
